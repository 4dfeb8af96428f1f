#pragma once
// Recognises context switches generically, from the exception stream alone: Thread mode
// resuming on a different stack frame than the one an exception preempted means a
// scheduler switched tasks. Works for any kernel that switches stacks in a handler
// (PendSV, SVC, or a SysTick that switches directly).
//
// A task is identified by the frame it is suspended on. It is named by the symbol of the
// function whose initial frame it first runs from (the stacked PC), by an explicit
// NAME=SYMBOL mapping, or else by that address. Thread mode on MSP before any task runs
// is the pseudo-task "main".
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "Signals.h"

namespace cmsim {

class SymbolTable;

struct TaskStats {
    std::string name;
    std::uint32_t entry = 0;  // initial PC (0 for "main" or a task first seen mid-run)
    std::uint64_t runs = 0;   // times switched in
    Cycles totalCycles = 0;   // Thread-mode cycles executed (handlers excluded)
    Cycles maxSlice = 0;      // longest Thread-mode run between switch-in and switch-out
};

class ContextSwitchDetector {
public:
    ContextSwitchDetector(Signals& signals, const SymbolTable& symbols);

    // Name the task whose first frame resumes at `entry` (from --task NAME=SYMBOL).
    void nameTask(std::string name, std::uint32_t entry);
    // Close the running slice at `now` (end of the run) so the statistics are complete.
    void finish(Cycles now);

    const std::vector<TaskStats>& tasks() const { return tasks_; }
    std::uint64_t switches() const { return switches_; }
    std::optional<std::uint32_t> currentTask() const { return current_; }

private:
    void onException(const ExceptionEvent& e);
    std::uint32_t taskForNewFrame(std::uint32_t pc);

    Signals& signals_;
    const SymbolTable& symbols_;
    std::map<std::uint32_t, std::string> names_;  // entry address -> explicit name
    std::vector<TaskStats> tasks_;
    std::map<std::uint64_t, std::uint32_t> suspended_;  // (stack, frame) -> task
    std::optional<std::uint32_t> current_;
    bool inThread_ = true;
    Cycles sliceStart_ = 0;    // when the current task last (re)started in Thread mode
    Cycles sliceCycles_ = 0;   // Thread-mode cycles of the current slice so far
    std::uint64_t preemptedKey_ = 0;  // (stack, frame) of the Thread context last preempted
    Cycles triggerCycle_ = 0;
    unsigned triggerException_ = 0;
    std::uint64_t switches_ = 0;
};

}  // namespace cmsim
