#pragma once
// The stack guard: warns when a task's stack pointer leaves its stack, or the MSP crosses
// the end of .bss/heap or rises above _estack. Silicon without an MPU never tells you;
// the firmware just corrupts its neighbour and faults much later.
//
// No per-instruction hook (it would cost every instruction): the SP is checked where the
// core itself touches the stack, at every exception entry (the frame is stacked there) and
// every exception return, context switches included (the frame is unstacked there). An
// overflow between two exceptions is therefore seen at the next one, at most one SysTick
// later for a task preempted by the tick; an SP that dips out of its stack and comes back
// before the next exception is not seen.
//
// A task is the running task of ContextSwitchDetector; its stack is the StackRegion that
// held its stack pointer when it was first checked (its initial frame). Each overflow is
// reported once per episode (first seen outside; again only after it was seen back
// inside) as a firmware-mistake diagnostic and a StackOverflow event on Signals::stacks.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "StackLayout.h"

namespace cmsim {

class ContextSwitchDetector;
class Machine;
struct ExceptionEvent;

class StackGuard {
  public:
    // Construct after `tasks` (both listen to the exception stream; the detector must see
    // a return first, so the guard checks the incoming task).
    StackGuard(Machine& machine, const ContextSwitchDetector& tasks,
               std::vector<StackRegion> stacks, std::optional<MainStackBounds> mainStack);
    StackGuard(const StackGuard&) = delete;
    StackGuard& operator=(const StackGuard&) = delete;

    const std::vector<StackRegion>& stacks() const { return stacks_; }
    const std::optional<MainStackBounds>& mainStack() const { return main_; }
    std::uint64_t overflows() const { return overflows_; }

  private:
    void onException(const ExceptionEvent& e);
    void checkTask(const ExceptionEvent& e);
    void checkMain(const ExceptionEvent& e);
    // Reports when `sp` is outside [low, high] and `key` is not already in an episode.
    // True when there is nothing to report: `sp` inside [low, high] (which ends an episode)
    // or an episode already reported. Checked before any text is built: this runs on every
    // exception entry and return.
    bool quiet(std::int64_t key, std::uint32_t sp, std::uint32_t low, std::uint32_t high);
    // Starts an episode: the diagnostic and the StackOverflow event.
    void report(const ExceptionEvent& e, std::int64_t key, const std::string& task, bool mainStack,
               std::uint32_t low, std::uint32_t high, const std::string& bounds);
    std::string taskName(std::uint32_t task, const StackRegion& region);

    Machine& machine_;
    const ContextSwitchDetector& tasks_;
    std::vector<StackRegion> stacks_;
    std::optional<MainStackBounds> main_;
    std::map<std::uint32_t, std::optional<std::size_t>> stackOf_;  // task -> index in stacks_
    std::map<std::int64_t, bool> outside_;  // task (or -1, the MSP) -> in an episode
    std::uint64_t overflows_ = 0;
};

}  // namespace cmsim

namespace cmsim {
class ElfImage;
// The guard for a machine that has loaded `image`: the `declared` task stacks, else the
// bundled scheduler's (inferSchedulerStacks); the MSP bounds from the image and the
// initial MSP in the vector table.
std::unique_ptr<StackGuard> guardStacks(Machine& machine, const ContextSwitchDetector& tasks,
                                        const ElfImage& image, std::vector<StackRegion> declared);
}  // namespace cmsim
