#pragma once
// Pictures of time, part 5: the run watched live. The simulation is paced to the wall
// clock (simulated time = wall time x speed) by sleeping between slices of simulated time,
// and, on a terminal, the board's LEDs are drawn as coloured glyphs on one status line
// with the simulated time and the running task, redrawn in place.
//
// This is the only place where host time is read, and it only decides how long to sleep:
// slice boundaries are fixed simulated times (a function of the speed alone), and running
// a stretch of simulated time in slices executes exactly what one run executes, so the
// output of a --realtime run is the output of the same run without it.
#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "../CortexM.h"
#include "Activity.h"

namespace cmsim {
class Machine;
class ContextSwitchDetector;
}  // namespace cmsim

namespace cmsim::sinks {

struct LiveOptions {
    bool realtime = false;
    double speed = 1.0;     // simulated seconds per wall second
    bool terminal = false;  // draw the status line (stdout is a terminal)
};

class LiveView {
public:
    // `switches` may be null (no task on the status line).
    LiveView(Machine& machine, const ContextSwitchDetector* switches, LiveOptions options,
             std::ostream& out);

    // Runs to `cycles` (absolute) if given, else to simulated time `until`, paced.
    CoreStop run(std::optional<Cycles> cycles, Picoseconds until);
    // Ends the status line.
    void finish();

    // Simulated time per slice: 20 ms of wall time at the given speed (at least 1 us).
    static Picoseconds sliceFor(double speed);
    // The status line without the leading carriage return: "LD4 ● LD3 ○ ...  1.250 ms  idle_task".
    std::string statusLine() const;

private:
    void draw();

    Machine& machine_;
    const ContextSwitchDetector* switches_;
    LiveOptions opt_;
    std::ostream& out_;
    std::vector<WatchedPin> leds_;
    std::vector<bool> level_;
    bool drawn_ = false;
};

}  // namespace cmsim::sinks
