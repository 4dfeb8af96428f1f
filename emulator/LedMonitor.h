#pragma once
// A sink on pin events: keeps every edge of the board's LEDs and summarises toggle
// intervals per LED.
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "ChipDescription.h"
#include "Signals.h"

namespace cmsim {

struct LedEdge {
    Cycles cycle;
    Picoseconds time;
    const LedDescription* led = nullptr;
    bool level;
};

struct LedStats {
    const LedDescription* led = nullptr;
    std::uint64_t toggles = 0;
    std::optional<Picoseconds> first;
    // Intervals between consecutive toggles (present when toggles >= 2).
    std::optional<Picoseconds> minInterval, maxInterval, meanInterval;
};

class LedMonitor {
public:
    LedMonitor(Signals& signals, std::span<const LedDescription> leds,
               std::function<void(const LedEdge&)> onEdge = {});

    const std::vector<LedEdge>& edges() const { return edges_; }
    std::vector<LedStats> summary() const;
    // Intervals between consecutive edges of one LED.
    std::vector<Picoseconds> intervals(const LedDescription& led) const;

private:
    std::span<const LedDescription> leds_;
    std::function<void(const LedEdge&)> onEdge_;
    std::vector<LedEdge> edges_;
};

}  // namespace cmsim
