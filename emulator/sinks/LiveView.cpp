#include "LiveView.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <thread>

#include "../ContextSwitchDetector.h"
#include "../Format.h"
#include "../Machine.h"

namespace cmsim::sinks {

namespace {
// ANSI SGR colour for an LED colour word (orange from the 256-colour palette).
std::string_view ansiColour(std::string_view colour) {
    if (colour == "green") return "32";
    if (colour == "orange") return "38;5;208";
    if (colour == "red") return "31";
    if (colour == "blue") return "34";
    if (colour == "yellow") return "33";
    return "37";
}
}  // namespace

LiveView::LiveView(Machine& machine, const ContextSwitchDetector* switches, LiveOptions options,
                   std::ostream& out)
    : machine_(machine), switches_(switches), opt_(options), out_(out), leds_(boardLeds(machine.board())) {
    level_.assign(leds_.size(), false);
    machine_.signals().pins.subscribe([this](const PinChange& c) {
        for (std::size_t i = 0; i < leds_.size(); ++i) {
            if (leds_[i].port == c.port && leds_[i].pin == c.pin) level_[i] = c.level;
        }
    });
}

Picoseconds LiveView::sliceFor(double speed) {
    const double ps = 20e9 * speed;  // 20 ms of wall time
    if (!(ps >= 1e6)) return 1'000'000;
    if (ps >= 1e18) return 1'000'000'000'000'000'000ULL;
    return static_cast<Picoseconds>(ps);
}

std::string LiveView::statusLine() const {
    std::string s;
    for (std::size_t i = 0; i < leds_.size(); ++i) {
        const bool lit = level_[i] == leds_[i].activeHigh;
        // Lit: a bright filled disc in the LED's colour; dark: a dim ring.
        s += fmt::format("{} \x1b[{};{}m{}\x1b[0m  ", leds_[i].name, lit ? "1" : "2", ansiColour(leds_[i].color),
                         lit ? "\u25cf" : "\u25cb");
    }
    s += fmt::format("{:>12} ms", formatMs(machine_.time().nowPicoseconds()));
    if (switches_ != nullptr) {
        if (const auto task = switches_->currentTask()) s += "  " + switches_->tasks()[*task].name;
    }
    return s;
}

void LiveView::draw() {
    if (opt_.terminal) {
        // The cursor waits at the start of the line: a diagnostic on stderr then starts
        // a line of its own, and the next draw continues below it.
        out_ << '\r' << statusLine() << "\x1b[K\r";
        drawn_ = true;
    }
    out_.flush();  // also lets plain LED lines appear as they happen
}

CoreStop LiveView::run(std::optional<Cycles> cycles, Picoseconds until) {
    using Clock = std::chrono::steady_clock;
    const auto wallStart = Clock::now();
    const Picoseconds simStart = machine_.time().nowPicoseconds();
    const Picoseconds slice = sliceFor(opt_.speed);
    draw();
    while (true) {
        // The next slice ends at a simulated time fixed by the speed alone.
        const Picoseconds now = machine_.time().nowPicoseconds();
        CoreStop stop{CoreStop::Reason::TimeLimit, "", 0};
        bool last;
        if (cycles) {
            const Cycles sliceCycles = std::max<Cycles>(
                1, static_cast<Cycles>(static_cast<unsigned __int128>(slice) * machine_.time().cpuHz() /
                                       1'000'000'000'000ULL));
            const Cycles target = std::min(*cycles, machine_.time().now() + sliceCycles);
            last = target >= *cycles;
            stop = machine_.run(target);
        } else {
            const Picoseconds target = (now >= until || until - now <= slice) ? until : now + slice;
            last = target >= until;
            stop = machine_.runUntilTime(target);
        }
        // Sleep until the wall clock catches up with simulated time / speed.
        const double simSeconds = static_cast<double>(machine_.time().nowPicoseconds() - simStart) * 1e-12;
        const auto due = wallStart + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(simSeconds / opt_.speed));
        std::this_thread::sleep_until(due);
        draw();
        if (last || stop.reason != CoreStop::Reason::TimeLimit) return stop;
    }
}

void LiveView::finish() {
    if (drawn_) {
        out_ << '\r' << statusLine() << "\x1b[K\n";
        drawn_ = false;
    }
    out_.flush();
}

}  // namespace cmsim::sinks
