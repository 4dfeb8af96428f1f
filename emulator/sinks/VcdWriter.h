#pragma once
// Pictures of time, part 2: a Value Change Dump (IEEE 1364 §18) for GTKWave and PulseView,
// written while the run goes (only the current values are kept).
//
// Timescale 1 ns. Simulated time is kept in picoseconds and rounded to the nearest
// nanosecond here: every STM32 core clock is at most 1 GHz (the H723 runs at 550 MHz, a
// cycle of 1.818 ns), so two different cycles never share a timestamp and the order of
// changes is exact; the rounding (at most 0.5 ns) is below one cycle. A 1 ps timescale
// would make sample-based viewers (PulseView turns the timescale into a sample rate) hold
// 1000 times more samples for the same run.
//
// Variables, under a scope named after the board:
//   leds.<LED>_<colour>_<pin>  wire  the LED pins (1 = pin high); pins.<pin> for --vcd-pins
//   core.systick               wire  toggles at every SysTick wrap (one edge per wrap)
//   core.handler               wire  1 in Handler mode
//   core.ipsr                  real  the active exception number, 0 in Thread mode
//   core.task                  string  the task that owns Thread mode
// The IPSR is declared `real` (its values are whole numbers) and the task as a GTKWave
// string: libsigrok 0.5 (PulseView 0.4, Debian 12) stops reading a VCD at the first
// multi-bit vector value or body $comment, but skips real values silently and string
// values with a warning, so the file shows every 1-bit signal in PulseView and everything
// in GTKWave.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "Activity.h"

namespace cmsim::sinks {

struct VcdHeader {
    std::string board;     // "STM32F407G-DISC1"
    std::string chip;      // "STM32F407VG"
    std::string firmware;  // "blinky.elf"
};

class VcdWriter : public ActivityListener {
public:
    // Writes the header and the initial values at once.
    VcdWriter(const ActivityStream& stream, VcdHeader header, std::ostream& out);

    void onPin(Picoseconds t, std::size_t index, bool level) override;
    void onTick(Picoseconds t, std::uint64_t count) override;
    void onHandlerEnter(Picoseconds t, unsigned number, unsigned ipsr) override;
    void onHandlerLeave(Picoseconds t, unsigned number, unsigned ipsr) override;
    void onTaskSwitch(Picoseconds t, Picoseconds stopped, std::uint32_t from, std::uint32_t to) override;
    void onEnd(Picoseconds t) override;

    // Identifier of the n-th variable: printable ASCII without '#' and '$' (libsigrok
    // would take a lone "#5" token for a timestamp).
    static std::string identifier(std::size_t n);

private:
    enum class Type { Wire, Real, String };
    struct Var {
        std::string id;
        Type type;
        std::string written;  // value last written ("0", "15", "task_red")
        std::string pending;  // value at the current timestamp
        bool dirty = false;
    };
    void set(std::size_t var, Picoseconds t, std::string value);
    void advanceTo(std::uint64_t ns);
    void flush();
    void writeValue(const Var& v, const std::string& value);

    const ActivityStream& stream_;
    std::ostream& out_;
    std::vector<Var> vars_;
    std::vector<std::size_t> dirtyList_;
    std::size_t firstPin_ = 0, systick_ = 0, handler_ = 0, ipsr_ = 0, task_ = 0;
    std::uint64_t now_ = 0;      // ns of the pending changes
    std::uint64_t written_ = 0;  // last timestamp written
    bool systickLevel_ = false;
    bool ended_ = false;
};

}  // namespace cmsim::sinks
