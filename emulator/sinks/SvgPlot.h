#pragma once
// Pictures of time, part 4: one SVG image of a time window, readable without any other
// tool. From the top: a row per task with a bar per run (tasks and idle alike), a row per
// exception with its activations (SysTick, PendSV ...), the board's LEDs as square waves
// in their colours, and a time axis in milliseconds. Only what falls in the window is
// kept; the picture is drawn when the run ends. Coordinates are integer hundredths of a
// pixel, printed with two decimals: the same run gives the same bytes.
//
// Elements a test can count: <rect class="run" data-task="NAME" data-run="K"> per run of a
// task that overlaps the window (K counts from 1 over the whole run); <path class="led"
// data-led="LD4" data-edges="N"> per LED.
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "Activity.h"

namespace cmsim::sinks {

struct PlotOptions {
    Picoseconds from = 0;
    Picoseconds until = 2'000'000'000'000;  // 2 s
    std::string title;                      // "blinky.elf on STM32F407G-DISC1 (STM32F407VG)"
};

class SvgPlot : public ActivityListener {
public:
    SvgPlot(const ActivityStream& stream, PlotOptions options, std::ostream& out);

    void onPin(Picoseconds t, std::size_t index, bool level) override;
    void onHandlerEnter(Picoseconds t, unsigned number, unsigned ipsr) override;
    void onHandlerLeave(Picoseconds t, unsigned number, unsigned ipsr) override;
    void onTaskSwitch(Picoseconds t, Picoseconds stopped, std::uint32_t from, std::uint32_t to) override;
    void onEnd(Picoseconds t) override;

    // Nice tick spacing for a window: 1, 2 or 5 times a power of ten picoseconds, about
    // `target` ticks across.
    static Picoseconds tickStep(Picoseconds span, unsigned target = 10);

private:
    struct Interval {
        Picoseconds start, end;
        std::uint64_t run;  // tasks: run number
    };
    bool overlaps(Picoseconds a, Picoseconds b) const { return b >= opt_.from && a <= opt_.until; }
    void closeTask(Picoseconds end);
    void render(Picoseconds end);

    const ActivityStream& stream_;
    PlotOptions opt_;
    std::ostream& out_;
    std::uint32_t task_ = 0;
    Picoseconds taskSince_ = 0;
    std::map<std::uint32_t, std::uint64_t> runs_;
    std::map<std::uint32_t, std::vector<Interval>> taskRuns_;     // in the window
    std::map<unsigned, Picoseconds> active_;                      // exception -> start
    std::map<unsigned, std::vector<Interval>> handlerRuns_;       // in the window
    std::map<unsigned, std::uint64_t> handlerCount_;              // activations in the window
    std::vector<bool> level_;                                     // pin levels now
    std::vector<bool> levelAtFrom_;                               // pin levels at opt_.from
    std::vector<std::vector<std::pair<Picoseconds, bool>>> edges_;  // in the window
    bool ended_ = false;
};

}  // namespace cmsim::sinks
