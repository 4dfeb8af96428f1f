// `cmsim FIRMWARE.elf --board f407 [--for 3s | --cycles N]`: the main job.
#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>
#include <memory>

#include "Commands.h"
#include "Errors.h"
#include "Format.h"
#include "Session.h"
#include "boards/Boards.h"

namespace cmsim::cli {

namespace {
struct RunOptions {
    RunRequest request;
    std::string firmware;
    std::string duration;
    std::uint64_t cycles = 0;
    bool verbose = false;
    bool quiet = false;
    CLI::Option* cyclesOption = nullptr;
};

int run(RunOptions& o) {
    RunRequest& request = o.request;
    if (o.firmware.empty()) return badUsage("a firmware ELF is required (see cmsim --help)");
    if (request.board.empty()) return badUsage("--board is required (see cmsim --help)");
    request.firmware = o.firmware;
    request.printEdges = !o.quiet;
    if (!o.duration.empty()) {
        request.duration = parseDuration(o.duration);
        if (!request.duration || *request.duration == 0) {
            return badUsage(fmt::format("--for {}: expected a positive duration such as 3s, 250ms, "
                                        "100us or 10ns",
                                        o.duration));
        }
    }
    if (*o.cyclesOption) {
        if (o.cycles == 0) return badUsage("--cycles must be positive");
        request.cycles = o.cycles;
    }
    try {
        const auto start = std::chrono::steady_clock::now();
        // Diagnostics through spdlog on stderr, one line each, no timestamps (output must be
        // identical run to run). -v adds debug lines (clock changes) and the host speed.
        auto sink = std::make_shared<spdlog::sinks::stderr_sink_st>();
        spdlog::logger log("cmsim", sink);
        log.set_pattern("%v");
        log.set_level(o.verbose ? spdlog::level::debug : spdlog::level::info);
        const RunReport report = runFirmware(request, std::cout, log);
        std::cout.flush();
        if (o.verbose) {
            const double wall =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            const double sim = static_cast<double>(report.simulated) * 1e-12;
            log.debug("cmsim: {:.6f} s simulated in {:.3f} s wall: {:.0f} simulated seconds per "
                      "wall second, {:.1f} M cycles/s",
                      sim, wall, sim / wall, static_cast<double>(report.cycles) / wall / 1e6);
        }
        return report.exitCode;
    } catch (const InputError& e) {
        return badUsage(e.what());
    }
}
}  // namespace

Action setupRunCommand(CLI::App& app) {
    auto o = std::make_shared<RunOptions>();
    std::string boardList;
    for (auto id : boardIds()) boardList += (boardList.empty() ? "" : ", ") + std::string(id);
    app.add_option("firmware", o->firmware, "Firmware ELF file");
    app.add_option("--board,-b", o->request.board, "Board to emulate (" + boardList + ")");
    auto* forOpt = app.add_option("--for", o->duration,
                                  "Simulated time to run, e.g. 3s, 250ms, 100us, 10ns (default 1s)");
    o->cyclesOption = app.add_option("--cycles", o->cycles, "Number of CPU cycles to run instead");
    forOpt->excludes(o->cyclesOption);
    app.add_flag("--strict", o->request.strict,
                 "Stop the run when the firmware touches a block cmsim does not model");
    app.add_flag("--quiet,-q", o->quiet, "Print only the summary, not every LED change");
    app.add_flag("--verbose,-v", o->verbose,
                 "More detail on stderr: clock changes and the host speed of the run");
    return [o] { return run(*o); };
}

}  // namespace cmsim::cli
