#include "LedMonitor.h"

#include <algorithm>

namespace cmsim {

LedMonitor::LedMonitor(Signals& signals, std::span<const LedDescription> leds,
                       std::function<void(const LedEdge&)> onEdge)
    : leds_(leds), onEdge_(std::move(onEdge)) {
    signals.pins.subscribe([this](const PinChange& c) {
        for (const auto& led : leds_) {
            if (led.port == c.port && led.pin == c.pin) {
                edges_.push_back({c.cycle, c.time, &led, c.level});
                if (onEdge_) onEdge_(edges_.back());
            }
        }
    });
}

std::vector<Picoseconds> LedMonitor::intervals(const LedDescription& led) const {
    std::vector<Picoseconds> out;
    std::optional<Picoseconds> prev;
    for (const auto& e : edges_) {
        if (e.led != &led) continue;
        if (prev) out.push_back(e.time - *prev);
        prev = e.time;
    }
    return out;
}

std::vector<LedStats> LedMonitor::summary() const {
    std::vector<LedStats> out;
    for (const auto& led : leds_) {
        LedStats s;
        s.led = &led;
        for (const auto& e : edges_) {
            if (e.led != &led) continue;
            if (!s.first) s.first = e.time;
            ++s.toggles;
        }
        const auto iv = intervals(led);
        if (!iv.empty()) {
            s.minInterval = *std::min_element(iv.begin(), iv.end());
            s.maxInterval = *std::max_element(iv.begin(), iv.end());
            unsigned __int128 sum = 0;
            for (auto v : iv) sum += v;
            s.meanInterval = static_cast<Picoseconds>(sum / iv.size());
        }
        out.push_back(s);
    }
    return out;
}

}  // namespace cmsim
