#include "RunRecord.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>

#include "Machine.h"
#include "Nvic.h"

namespace cmsim::scenario {

RunRecord& RunRecord::pinChange(Picoseconds time, char port, unsigned pin, bool level,
                                Cycles cycle) {
    RecordedEvent e;
    e.kind = RecordedEvent::Kind::Pin;
    e.cycle = cycle;
    e.time = time;
    e.port = port;
    e.pin = static_cast<std::uint8_t>(pin);
    e.level = level;
    events.push_back(e);
    return *this;
}

RunRecord& RunRecord::exceptionEntry(Picoseconds time, unsigned exception, Cycles cycle) {
    RecordedEvent e;
    e.kind = RecordedEvent::Kind::Exception;
    e.cycle = cycle;
    e.time = time;
    e.number = exception;
    events.push_back(e);
    return *this;
}

std::uint32_t RunRecord::symbolIndex(std::string_view symbol) {
    const auto it = std::find(symbolNames.begin(), symbolNames.end(), symbol);
    if (it != symbolNames.end()) return static_cast<std::uint32_t>(it - symbolNames.begin());
    symbolNames.emplace_back(symbol);
    return static_cast<std::uint32_t>(symbolNames.size() - 1);
}

RunRecord& RunRecord::symbolReached(Picoseconds time, std::string_view symbol, Cycles cycle) {
    const std::uint32_t index = symbolIndex(symbol);
    if (!events.empty() && events.back().kind == RecordedEvent::Kind::Symbol &&
        events.back().number == index) {
        ++events.back().repeat;
        return *this;
    }
    RecordedEvent e;
    e.kind = RecordedEvent::Kind::Symbol;
    e.cycle = cycle;
    e.time = time;
    e.number = index;
    events.push_back(e);
    return *this;
}

RunRecord& RunRecord::clock(Picoseconds time, std::uint64_t sysclk, std::uint64_t hclk,
                            Cycles cycle) {
    clocks.push_back(ClockSample{cycle, time, sysclk, hclk});
    return *this;
}

RunRecord& RunRecord::fault(Picoseconds time, std::string message, Cycles cycle) {
    RecordedFault f;
    f.cycle = cycle;
    f.time = time;
    f.message = std::move(message);
    faults.push_back(std::move(f));
    return *this;
}

RunRecord& RunRecord::fault(RecordedFault f) {
    faults.push_back(std::move(f));
    return *this;
}

RunRecord& RunRecord::stackOverflow(Picoseconds time, std::string task, std::string message,
                                    Cycles cycle) {
    stackOverflows.push_back(
        RecordedStackOverflow{cycle, time, std::move(task), std::move(message)});
    return *this;
}

RunRecord& RunRecord::end(Picoseconds time, CoreStop s, Cycles cycle) {
    endTime = time;
    endCycle = cycle;
    stop = std::move(s);
    return *this;
}

RunRecorder::RunRecorder(Machine& machine, const std::vector<std::string>& everyHit,
                         const std::vector<std::string>& firstHit)
    : machine_(machine) {
    Signals& signals = machine.signals();
    signals.pins.subscribe(
        [this](const PinChange& c) { record_.pinChange(c.time, c.port, c.pin, c.level, c.cycle); });
    signals.exceptions.subscribe([this](const ExceptionEvent& e) {
        if (e.kind == ExceptionEvent::Kind::Return) return;
        record_.exceptionEntry(e.time, e.number, e.cycle);
    });
    signals.clocks.subscribe([this](const ClockChange& c) {
        const ClockController* clocks = machine_.clocks();
        record_.clock(c.time, clocks ? clocks->sysclkHz() : c.hz, c.hz, c.cycle);
    });
    signals.faults.subscribe([this](const FaultEvent& f) {
        // The words of the stop-on-fault message (CortexM::takeFault).
        const char* how = f.lockup                     ? " (lockup: HardFault could not be taken)"
                          : f.taken == exc::kHardFault ? " escalated to HardFault"
                                                       : "";
        RecordedFault r;
        r.cycle = f.cycle;
        r.time = f.time;
        r.message = fmt::format("{}{}: {} at {}", Nvic::exceptionName(f.fault), how, f.what,
                                machine_.core().describePc(f.pc));
        r.exception = f.fault;
        r.taken = f.taken;
        r.lockup = f.lockup;
        r.pc = f.pc;
        r.where = machine_.symbols().describe(f.pc);
        r.cfsr = f.cfsr;
        r.hfsr = f.hfsr;
        r.address = f.faultAddress;
        record_.fault(std::move(r));
    });

    signals.stacks.subscribe([this](const StackOverflow& o) {
        record_.stackOverflow(o.time, o.task, o.message, o.cycle);
    });

    // One watch per address; symbols that share it (weak aliases such as HardFault_Handler
    // = Default_Handler) are each recorded, in the order given. An address is watched for
    // every hit if any of its names needs every hit.
    struct Group {
        std::vector<std::string> names;
        bool everyHit = false;
    };
    std::map<std::uint32_t, Group> groups;
    auto add = [&](const std::string& name, bool every) {
        const auto sym = machine.symbols().byName(name);
        if (!sym) return;
        Group& g = groups[sym->address];
        if (std::find(g.names.begin(), g.names.end(), name) == g.names.end())
            g.names.push_back(name);
        g.everyHit = g.everyHit || every;
    };
    for (const auto& n : everyHit) add(n, true);
    for (const auto& n : firstHit) add(n, false);
    for (auto& [address, group] : groups) {
        auto id = std::make_shared<std::uint64_t>(0);
        *id = machine.core().watchExecution(
            address,
            [this, names = group.names, every = group.everyHit, id](std::uint32_t, Cycles cycle) {
                const Picoseconds t = machine_.time().toPicoseconds(cycle);
                // Names that share the address: a repeat only if all of them were the last
                // events (nothing else recorded since the previous hit).
                auto& ev = record_.events;
                bool repeat = ev.size() >= names.size();
                for (std::size_t i = 0; repeat && i < names.size(); ++i) {
                    const RecordedEvent& e = ev[ev.size() - names.size() + i];
                    repeat = record_.isHitOf(e, names[i]);
                }
                if (repeat) {
                    for (std::size_t i = 0; i < names.size(); ++i)
                        ++ev[ev.size() - names.size() + i].repeat;
                } else {
                    for (const auto& n : names) {
                        RecordedEvent e;
                        e.kind = RecordedEvent::Kind::Symbol;
                        e.cycle = cycle;
                        e.time = t;
                        e.number = record_.symbolIndex(n);
                        ev.push_back(e);
                    }
                }
                if (!every) machine_.core().unwatchExecution(*id);
            });
    }
}

void RunRecorder::start() {
    const ClockController* clocks = machine_.clocks();
    const std::uint64_t hclk = machine_.time().cpuHz();
    record_.clocks.insert(
        record_.clocks.begin(),
        ClockSample{machine_.time().now(), machine_.time().nowPicoseconds(),
                    clocks ? clocks->sysclkHz() : hclk, clocks ? clocks->hclkHz() : hclk});
}

RunRecord RunRecorder::finish(const CoreStop& stop) {
    record_.end(machine_.time().nowPicoseconds(), stop, machine_.time().now());
    record_.diagnostics = machine_.diagnostics().all();
    return std::move(record_);
}

}  // namespace cmsim::scenario
