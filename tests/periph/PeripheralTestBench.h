#pragma once
// A machine reduced to what one peripheral model sees: a controllable time base, the
// event queue, diagnostics, signals, and an interrupt line that records what was raised.
#include <cstdint>
#include <string_view>
#include <vector>

#include "Diagnostics.h"
#include "EventQueue.h"
#include "Signals.h"
#include "TimeBase.h"
#include "peripherals/Peripheral.h"

namespace cmsim::test {

struct PeripheralTestBench {
    explicit PeripheralTestBench(std::uint64_t cpuHz = 16'000'000) : time(cpuHz) {
        signals.pins.subscribe([this](const PinChange& p) { pins.push_back(p); });
        signals.clocks.subscribe([this](const ClockChange& c) { clocks.push_back(c); });
    }

    // Moves time forward by n cycles, running every event at its own due cycle (as the
    // core does at block boundaries), so callbacks see the cycle they were scheduled for.
    void advance(Cycles n) {
        const Cycles target = time.now() + n;
        while (events.nextDue() <= target) {
            time.advanceTo(events.nextDue());
            events.runDue(time.now());
        }
        time.advanceTo(target);
    }

    // Diagnostics of a kind whose message contains `text` (all of that kind if empty).
    std::size_t count(DiagnosticKind kind, std::string_view text = {}) const {
        std::size_t n = 0;
        for (const auto& d : diag.all()) {
            if (d.kind == kind && d.message.find(text) != std::string::npos) ++n;
        }
        return n;
    }
    std::size_t mistakes(std::string_view text = {}) const {
        return count(DiagnosticKind::FirmwareMistake, text);
    }

    TimeBase time;
    EventQueue events;
    Diagnostics diag;
    Signals signals;
    std::vector<unsigned> irqs;
    std::vector<PinChange> pins;
    std::vector<ClockChange> clocks;
    PeripheralContext ctx{time, events, diag, signals,
                          [this](unsigned irq) { irqs.push_back(irq); }};
};

}  // namespace cmsim::test
