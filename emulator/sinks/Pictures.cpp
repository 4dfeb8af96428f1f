#include "Pictures.h"

#include <fmt/format.h>

#include "../ContextSwitchDetector.h"
#include "../Errors.h"
#include "../Machine.h"
#include "SvgPlot.h"
#include "TimelineWriter.h"
#include "VcdWriter.h"

namespace cmsim::sinks {

std::unique_ptr<Pictures::Output> Pictures::open(const std::string& option, const std::filesystem::path& path) {
    auto out = std::make_unique<Output>();
    out->option = fmt::format("{} {}", option, path.string());
    out->file.open(path, std::ios::binary | std::ios::trunc);
    if (!out->file) throw InputError(fmt::format("{}: cannot open for writing", out->option));
    return out;
}

Pictures::Pictures(const PictureOptions& options, Machine& machine, const ContextSwitchDetector& switches,
                   const std::string& firmwareName) {
    const BoardDescription& board = machine.board();
    std::vector<WatchedPin> pins = boardLeds(board);
    if (!options.vcdPins.empty()) {
        std::string error;
        const auto extra = parsePinList(options.vcdPins, board.chip, &error);
        if (!extra) throw InputError("--vcd-pins " + error);
        pins = mergePins(std::move(pins), *extra);
    }
    // Everything is checked before the first file is created.
    if (!options.vcd.empty()) vcdFile_ = open("--vcd", options.vcd);
    if (!options.timeline.empty()) timelineFile_ = open("--timeline", options.timeline);
    if (!options.plot.empty()) plotFile_ = open("--plot", options.plot);

    stream_ = std::make_unique<ActivityStream>(
        machine.signals(), machine.time(), std::move(pins),
        [&switches](std::uint32_t task) {
            const auto& tasks = switches.tasks();
            return task < tasks.size() ? tasks[task].name : fmt::format("task {}", task);
        },
        &board.chip);
    const std::string boardName(board.fullName), chipName(board.chip.name);
    if (vcdFile_) {
        vcd_ = std::make_unique<VcdWriter>(*stream_, VcdHeader{boardName, chipName, firmwareName}, vcdFile_->file);
        stream_->addListener(*vcd_);
    }
    if (timelineFile_) {
        timeline_ = std::make_unique<TimelineWriter>(*stream_, TimelineHeader{boardName, chipName, firmwareName},
                                                     timelineFile_->file);
        stream_->addListener(*timeline_);
    }
    if (plotFile_) {
        PlotOptions plot;
        plot.from = options.plotFrom;
        plot.until = options.plotUntil.value_or(options.plotFrom + 2'000'000'000'000ULL);
        plot.title = fmt::format("{} on {} ({})", firmwareName, boardName, chipName);
        plot_ = std::make_unique<SvgPlot>(*stream_, plot, plotFile_->file);
        stream_->addListener(*plot_);
    }
}

Pictures::~Pictures() = default;

std::vector<std::string> Pictures::finish(Picoseconds end) {
    std::vector<std::string> failed;
    if (finished_) return failed;
    finished_ = true;
    stream_->finish(end);
    for (auto* out : {vcdFile_.get(), timelineFile_.get(), plotFile_.get()}) {
        if (out == nullptr) continue;
        out->file.close();
        if (!out->file) failed.push_back(out->option);
    }
    return failed;
}

}  // namespace cmsim::sinks
