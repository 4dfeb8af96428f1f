#include "ContextSwitchDetector.h"

#include <fmt/format.h>

#include <algorithm>

#include "CycleModel.h"
#include "SymbolTable.h"

namespace cmsim {

namespace {
// EXC_RETURN<3:0>: 0x9 Thread/MSP, 0xD Thread/PSP, 0x1 Handler: bit 3 means Thread mode.
bool toThread(std::uint32_t excReturn) { return (excReturn & 0x8u) != 0; }
std::uint64_t key(std::uint32_t excReturn, std::uint32_t frame) {
    return (std::uint64_t{(excReturn >> 2) & 1u} << 32) | frame;
}
}  // namespace

ContextSwitchDetector::ContextSwitchDetector(Signals& signals, const SymbolTable& symbols)
    : signals_(signals), symbols_(symbols) {
    tasks_.push_back(TaskStats{"main", 0, 1, 0, 0});
    current_ = 0;
    signals_.exceptions.subscribe([this](const ExceptionEvent& e) { onException(e); });
}

void ContextSwitchDetector::nameTask(std::string name, std::uint32_t entry) {
    names_[entry & ~1u] = std::move(name);
}

std::uint32_t ContextSwitchDetector::taskForNewFrame(std::uint32_t pc) {
    pc &= ~1u;
    std::string name;
    if (auto it = names_.find(pc); it != names_.end()) {
        name = it->second;
    } else {
        name = symbols_.describe(pc);
        if (name.find('+') != std::string::npos) name = fmt::format("task@0x{:08x}", pc);
    }
    tasks_.push_back(TaskStats{name, pc, 0, 0, 0});
    return static_cast<std::uint32_t>(tasks_.size() - 1);
}

void ContextSwitchDetector::onException(const ExceptionEvent& e) {
    switch (e.kind) {
        case ExceptionEvent::Kind::Entry:
            if (toThread(e.excReturn)) {
                // Thread code stopped when stacking began.
                const Cycles stopped = e.cycle - std::min<Cycles>(e.cycle, cycle_model::kExceptionEntry);
                if (inThread_ && current_ && stopped >= sliceStart_) {
                    const Cycles ran = stopped - sliceStart_;
                    tasks_[*current_].totalCycles += ran;
                    sliceCycles_ += ran;
                }
                inThread_ = false;
                preemptedKey_ = key(e.excReturn, e.frameAddress);
                triggerCycle_ = stopped;
                triggerException_ = e.number;
            }
            break;
        case ExceptionEvent::Kind::TailChain: break;
        case ExceptionEvent::Kind::Return: {
            if (!toThread(e.excReturn)) break;
            const std::uint64_t k = key(e.excReturn, e.frameAddress);
            inThread_ = true;
            sliceStart_ = e.cycle;
            if (k == preemptedKey_) break;  // the same context resumes
            // A switch: park the outgoing task on the frame it was preempted on.
            const std::uint32_t from = current_.value_or(0);
            tasks_[from].maxSlice = std::max(tasks_[from].maxSlice, sliceCycles_);
            suspended_[preemptedKey_] = from;
            std::uint32_t to;
            if (auto it = suspended_.find(k); it != suspended_.end()) {
                to = it->second;
                suspended_.erase(it);
            } else {
                to = taskForNewFrame(e.pc);
            }
            current_ = to;
            sliceCycles_ = 0;
            ++tasks_[to].runs;
            ++switches_;
            if (signals_.switches.hasListeners()) {
                signals_.switches.publish(ContextSwitch{e.cycle, e.time, from, to, triggerCycle_,
                                                        triggerException_});
            }
            break;
        }
    }
}

void ContextSwitchDetector::finish(Cycles now) {
    if (current_ && inThread_ && now >= sliceStart_) {
        const Cycles ran = now - sliceStart_;
        tasks_[*current_].totalCycles += ran;
        sliceCycles_ += ran;
        sliceStart_ = now;
    }
    if (current_) tasks_[*current_].maxSlice = std::max(tasks_[*current_].maxSlice, sliceCycles_);
}

}  // namespace cmsim
