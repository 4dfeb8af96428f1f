#include "StackGuard.h"

#include <fmt/format.h>

#include "ContextSwitchDetector.h"
#include "Format.h"
#include "Machine.h"

namespace cmsim {

namespace {
// EXC_RETURN bit 2: the frame is on the process stack (ARM ARM B1.5.8, Table B1-8).
bool onProcessStack(std::uint32_t excReturn) {
    return (excReturn & 0x4u) != 0;
}
constexpr std::int64_t kMainStackKey = -1;
}  // namespace

StackGuard::StackGuard(Machine& machine, const ContextSwitchDetector& tasks,
                       std::vector<StackRegion> stacks, std::optional<MainStackBounds> mainStack)
    : machine_(machine), tasks_(tasks), stacks_(std::move(stacks)), main_(std::move(mainStack)) {
    if (stacks_.empty() && !main_) return;  // nothing to guard: no cost at all
    machine_.signals().exceptions.subscribe([this](const ExceptionEvent& e) { onException(e); });
}

void StackGuard::onException(const ExceptionEvent& e) {
    // Tail-chaining neither stacks nor unstacks (B1.5.12).
    if (e.kind == ExceptionEvent::Kind::TailChain) return;
    if (onProcessStack(e.excReturn))
        checkTask(e);
    else
        checkMain(e);
}

void StackGuard::checkTask(const ExceptionEvent& e) {
    const auto task = tasks_.currentTask();
    if (!task || stacks_.empty()) return;
    auto [it, fresh] = stackOf_.try_emplace(*task);
    if (fresh || !it->second) {
        // The task's stack: the one holding its SP when first seen (its initial frame).
        for (std::size_t i = 0; i < stacks_.size(); ++i) {
            if (e.frameAddress >= stacks_[i].low && e.frameAddress <= stacks_[i].high)
                it->second = i;
        }
    }
    if (!it->second) return;  // a stack nobody declared: nothing to check against
    const StackRegion& r = stacks_[*it->second];
    if (quiet(*task, e.frameAddress, r.low, r.high)) return;
    report(e, *task, taskName(*task, r), false, r.low, r.high,
          fmt::format("its stack 0x{:08x}..0x{:08x} ({}, {} bytes)", r.low, r.high, r.origin,
                      r.high - r.low));
}

void StackGuard::checkMain(const ExceptionEvent& e) {
    if (!main_ || quiet(kMainStackKey, e.frameAddress, main_->low, main_->high)) return;
    report(e, kMainStackKey, "main stack", true, main_->low, main_->high,
          fmt::format("its bounds 0x{:08x} ({})..0x{:08x} ({})", main_->low, main_->lowOrigin,
                      main_->high, main_->highOrigin));
}

bool StackGuard::quiet(std::int64_t key, std::uint32_t sp, std::uint32_t low, std::uint32_t high) {
    bool& outside = outside_[key];
    if (sp >= low && sp <= high) {
        outside = false;  // the episode, if any, is over
        return true;
    }
    return outside;
}

void StackGuard::report(const ExceptionEvent& e, std::int64_t key, const std::string& task,
                       bool mainStack, std::uint32_t low, std::uint32_t high,
                       const std::string& bounds) {
    // Called only when quiet() found a new episode: the SP is outside, not yet reported.
    const std::uint32_t sp = e.frameAddress;
    outside_[key] = true;
    ++overflows_;
    const bool below = sp < low;
    const std::uint32_t bytes = below ? low - sp : sp - high;
    const std::string who = mainStack ? task : "task " + task;
    const std::string message = fmt::format(
        "{}: {} 0x{:08x} is {} bytes {} {} at {} ms (cycle {}), PC {}, seen on {} {}", who,
        mainStack ? "MSP" : "PSP", sp, bytes, below ? "below" : "above", bounds, formatMs(e.time),
        e.cycle, machine_.core().describePc(e.pc), Nvic::exceptionName(e.number),
        e.kind == ExceptionEvent::Kind::Entry ? "entry" : "return");
    machine_.diagnostics().firmwareMistake("stack guard", message);
    machine_.signals().stacks.publish(StackOverflow{e.cycle, e.time, task, mainStack, sp, low, high,
                                                    bytes, below, e.pc, message});
}

std::string StackGuard::taskName(std::uint32_t task, const StackRegion& region) {
    if (region.tcbNameAddress) {
        // The bundled scheduler's TCB names the task (a C string the firmware set).
        Bus& bus = machine_.bus();
        const auto pointer = bus.readPhysical(*region.tcbNameAddress, 4);
        std::string name;
        for (std::uint32_t i = 0; pointer && *pointer != 0 && i < 32; ++i) {
            const auto c = bus.readPhysical(*pointer + i, 1);
            if (!c || *c == 0 || *c < 0x20 || *c > 0x7E) break;
            name += static_cast<char>(*c);
        }
        if (!name.empty()) return name;
        return tasks_.tasks()[task].name;
    }
    return region.name;
}

}  // namespace cmsim

namespace cmsim {
std::unique_ptr<StackGuard> guardStacks(Machine& machine, const ContextSwitchDetector& tasks,
                                        const ElfImage& image, std::vector<StackRegion> declared) {
    if (declared.empty()) declared = inferSchedulerStacks(machine.symbols());
    const auto initialMsp = machine.bus().readPhysical(machine.board().chip.bootAddress, 4);
    return std::make_unique<StackGuard>(machine, tasks, std::move(declared),
                                        mainStackBounds(image, initialMsp.value_or(0)));
}
}  // namespace cmsim
