#pragma once
// The one simulated time base: CPU cycles, counted per executed basic block, and the
// conversion of cycles to seconds with the core clock the RCC model computes.
//
// Time is kept as exact integers: a clock change records the (cycle, picosecond) point at
// which it happened, and later times are computed from that anchor, so a run is
// bit-identical whatever the host does.
#include <cstdint>
#include <functional>
#include <vector>

namespace cmsim {

using Cycles = std::uint64_t;
using Picoseconds = std::uint64_t;

class TimeBase {
public:
    explicit TimeBase(std::uint64_t resetCpuHz) : cpuHz_(resetCpuHz) {}

    Cycles now() const { return cycles_; }
    void advance(Cycles n) { cycles_ += n; }
    // A debugger halt inside a block that was charged in full at its start: time goes
    // back to the start of the halted instruction (never before the last clock change).
    void rewindTo(Cycles c) {
        if (c < cycles_) cycles_ = c < anchorCycles_ ? anchorCycles_ : c;
    }
    // Used only when the core sleeps (WFI) and time jumps to the next event.
    void advanceTo(Cycles c) {
        if (c > cycles_) cycles_ = c;
    }

    // The core clock (HCLK on STM32: the Cortex-M core and SysTick run from it).
    std::uint64_t cpuHz() const { return cpuHz_; }
    // Called by the RCC model when the clock switch takes effect (SWS changes).
    void setCpuHz(std::uint64_t hz);

    Picoseconds toPicoseconds(Cycles c) const;
    Picoseconds nowPicoseconds() const { return toPicoseconds(cycles_); }
    // Cycles needed to reach the given simulated time at the current clock, rounded up.
    Cycles cyclesAt(Picoseconds t) const;

    // Listeners told after every clock change (FLASH latency and PWR checks use it).
    void onClockChange(std::function<void(std::uint64_t newHz)> listener) {
        listeners_.push_back(std::move(listener));
    }

    void reset(std::uint64_t resetCpuHz);

private:
    Cycles cycles_ = 0;
    std::uint64_t cpuHz_;
    Cycles anchorCycles_ = 0;
    Picoseconds anchorPs_ = 0;
    std::vector<std::function<void(std::uint64_t)>> listeners_;
};

}  // namespace cmsim
