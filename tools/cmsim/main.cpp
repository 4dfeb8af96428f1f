// cmsim: run Cortex-M firmware on an emulated STM32 board. A thin layer of argument
// parsing over the cmsim library (emulator/).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>

#include "Errors.h"
#include "Format.h"
#include "Session.h"
#include "boards/Boards.h"

namespace {

int badUsage(const std::string& message) {
    std::cerr << "cmsim: " << message << '\n';
    return cmsim::exit_code::kBadInput;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"cmsim: run Cortex-M firmware on an emulated STM32 board, in simulated time"};
    app.footer(
        "Example:\n"
        "  cmsim build/firmware/f407/blinky.elf --board f407 --for 3s\n\n"
        "Exit codes: 0 ok, 1 an expectation failed, 2 bad input or usage,\n"
        "            3 the firmware faulted or locked up.");
    cmsim::RunRequest request;
    std::string duration;
    std::uint64_t cycles = 0;
    bool verbose = false;
    std::string boardList;
    for (auto id : cmsim::boardIds()) boardList += (boardList.empty() ? "" : ", ") + std::string(id);
    app.add_option("firmware", request.firmware, "Firmware ELF file")->required();
    app.add_option("--board,-b", request.board, "Board to emulate (" + boardList + ")")->required();
    auto* forOpt = app.add_option("--for", duration,
                                  "Simulated time to run, e.g. 3s, 250ms, 100us, 10ns (default 1s)");
    auto* cyclesOpt = app.add_option("--cycles", cycles, "Number of CPU cycles to run instead");
    forOpt->excludes(cyclesOpt);
    app.add_flag("--strict", request.strict,
                 "Stop the run when the firmware touches a block cmsim does not model");
    app.add_flag("--quiet,-q", [&](std::int64_t) { request.printEdges = false; },
                 "Print only the summary, not every LED change");
    app.add_flag("--verbose,-v", verbose,
                 "More detail on stderr: clock changes and the host speed of the run");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // One line, exit code 2 (CLI11's own codes are not ours).
        return badUsage(std::string(e.what()) + " (see cmsim --help)");
    }
    if (!duration.empty()) {
        request.duration = cmsim::parseDuration(duration);
        if (!request.duration || *request.duration == 0) {
            return badUsage(fmt::format("--for {}: expected a positive duration such as 3s, 250ms, "
                                        "100us or 10ns",
                                        duration));
        }
    }
    if (*cyclesOpt) {
        if (cycles == 0) return badUsage("--cycles must be positive");
        request.cycles = cycles;
    }

    try {
        const auto start = std::chrono::steady_clock::now();
        // Diagnostics through spdlog on stderr, one line each, no timestamps (output must be
        // identical run to run). -v adds debug lines (clock changes) and the host speed.
        auto sink = std::make_shared<spdlog::sinks::stderr_sink_st>();
        spdlog::logger log("cmsim", sink);
        log.set_pattern("%v");
        log.set_level(verbose ? spdlog::level::debug : spdlog::level::info);
        const cmsim::RunReport report = cmsim::runFirmware(request, std::cout, log);
        std::cout.flush();
        if (verbose) {
            const double wall =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            const double sim = static_cast<double>(report.simulated) * 1e-12;
            std::cerr << fmt::format("cmsim: {:.6f} s simulated in {:.3f} s wall: {:.0f} simulated "
                                     "seconds per wall second, {:.1f} M cycles/s\n",
                                     sim, wall, sim / wall,
                                     static_cast<double>(report.cycles) / wall / 1e6);
        }
        return report.exitCode;
    } catch (const cmsim::InputError& e) {
        return badUsage(e.what());
    } catch (const std::exception& e) {
        // A cmsim bug, not the user's or the firmware's: EX_SOFTWARE, outside 0-3.
        std::cerr << "cmsim: internal error (please report): " << e.what() << '\n';
        return 70;
    }
}
