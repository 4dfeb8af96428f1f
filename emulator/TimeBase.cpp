#include "TimeBase.h"

namespace cmsim {

namespace {
constexpr unsigned __int128 kPsPerSecond = 1'000'000'000'000ULL;
}

void TimeBase::setCpuHz(std::uint64_t hz) {
    if (hz == 0 || hz == cpuHz_) return;
    anchorPs_ = toPicoseconds(cycles_);
    anchorCycles_ = cycles_;
    cpuHz_ = hz;
    for (auto& l : listeners_) l(hz);
}

Picoseconds TimeBase::toPicoseconds(Cycles c) const {
    // Cycles before the last anchor are not re-timed: callers ask about the present or
    // the future, and events in the past were already converted when they happened.
    const Cycles since = c >= anchorCycles_ ? c - anchorCycles_ : 0;
    return anchorPs_ + static_cast<Picoseconds>(since * kPsPerSecond / cpuHz_);
}

Cycles TimeBase::cyclesAt(Picoseconds t) const {
    if (t <= anchorPs_) return anchorCycles_;
    const unsigned __int128 dt = t - anchorPs_;
    return anchorCycles_ + static_cast<Cycles>((dt * cpuHz_ + kPsPerSecond - 1) / kPsPerSecond);
}

void TimeBase::reset(std::uint64_t resetCpuHz) {
    // A system reset restarts the clock tree, not simulated time: keep the anchor.
    anchorPs_ = toPicoseconds(cycles_);
    anchorCycles_ = cycles_;
    cpuHz_ = resetCpuHz;
    for (auto& l : listeners_) l(resetCpuHz);
}

}  // namespace cmsim
