#pragma once
// Pictures of time: the files a run can write besides its console log, all drawn from the
// run's event stream (see Activity.h): a VCD waveform, a Chrome trace-event timeline and
// an SVG plot. Session creates one Pictures per run when any of them is asked for.
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "Activity.h"

namespace cmsim {
class Machine;
class ContextSwitchDetector;
}  // namespace cmsim

namespace cmsim::sinks {

class VcdWriter;
class TimelineWriter;
class SvgPlot;

struct PictureOptions {
    std::filesystem::path vcd;            // --vcd FILE (empty: none)
    std::vector<std::string> vcdPins;     // --vcd-pins PD12,PB0: pins besides the LEDs
    std::filesystem::path timeline;       // --timeline FILE.json
    std::filesystem::path plot;           // --plot FILE.svg
    Picoseconds plotFrom = 0;             // --plot-from
    std::optional<Picoseconds> plotUntil;  // --plot-until (default: 2 s after plotFrom)

    bool any() const { return !vcd.empty() || !timeline.empty() || !plot.empty(); }
};

class Pictures {
public:
    // Opens the files. Throws InputError (naming the option) when a pin does not exist
    // on the chip or a file cannot be written.
    Pictures(const PictureOptions& options, Machine& machine, const ContextSwitchDetector& switches,
             const std::string& firmwareName);
    ~Pictures();
    Pictures(const Pictures&) = delete;
    Pictures& operator=(const Pictures&) = delete;

    // The run ended at `end`: write what is pending and close the files. Returns the
    // options whose file could not be written completely (empty when all is well).
    std::vector<std::string> finish(Picoseconds end);

private:
    struct Output {
        std::string option;  // "--vcd FILE", for messages
        std::ofstream file;
    };
    static std::unique_ptr<Output> open(const std::string& option, const std::filesystem::path& path);

    std::unique_ptr<ActivityStream> stream_;
    std::unique_ptr<Output> vcdFile_, timelineFile_, plotFile_;
    std::unique_ptr<VcdWriter> vcd_;
    std::unique_ptr<TimelineWriter> timeline_;
    std::unique_ptr<SvgPlot> plot_;
    bool finished_ = false;
};

}  // namespace cmsim::sinks
