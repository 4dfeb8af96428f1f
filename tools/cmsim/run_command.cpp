// `cmsim FIRMWARE.elf --board f407 [--for 3s | --cycles N]`: the main job.
#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "Commands.h"
#include "Errors.h"
#include "Format.h"
#include "HostInterrupt.h"
#include "RunStats.h"
#include "Session.h"
#include "boards/Boards.h"

namespace cmsim::cli {

namespace {
struct RunOptions {
    RunRequest request;
    std::string firmware;
    std::string duration;
    std::string cycles;  // parsed here: CLI11 would wrap "-5" into 2^64 - 5
    bool verbose = false;
    bool quiet = false;
    CLI::Option* cyclesOption = nullptr;
    std::string trace;
    std::string traceFile;
    std::string traceFrom;
    std::string traceUntil;
    std::vector<std::string> tasks;
    std::vector<std::string> stacks;
    std::string semihostingRoot;
    std::string args;
    std::vector<std::string> itm;
    std::string gdb;
    std::string statsJson;
    // Pictures of time and the live view.
    std::string plotFrom;
    std::string plotUntil;
    CLI::Option* speedOption = nullptr;
};

// --vcd/--timeline/--plot/--realtime: checks what needs no board; pins and files are
// checked by the run (one line on stderr, exit 2).
std::optional<std::string> pictureOptions(RunOptions& o) {
    auto& p = o.request.pictures;
    if (!p.vcdPins.empty() && p.vcd.empty()) return "--vcd-pins needs --vcd FILE";
    if ((!o.plotFrom.empty() || !o.plotUntil.empty()) && p.plot.empty()) {
        return "--plot-from/--plot-until need --plot FILE.svg";
    }
    for (const auto& [text, name] : {std::pair{o.plotFrom, "--plot-from"}, std::pair{o.plotUntil, "--plot-until"}}) {
        if (text.empty()) continue;
        const auto t = text == "0" ? std::optional<Picoseconds>(0) : parseDuration(text);
        if (!t) return fmt::format("{} {}: expected a time such as 250ms", name, text);
        if (std::string_view(name) == "--plot-from") p.plotFrom = *t;
        else p.plotUntil = *t;
    }
    if (p.plotUntil && *p.plotUntil <= p.plotFrom) return "--plot-until must be later than --plot-from";
    if (*o.speedOption && !o.request.live.realtime) return "--speed needs --realtime";
    if (!(o.request.live.speed > 0) || !std::isfinite(o.request.live.speed)) {
        return fmt::format("--speed {}: expected a positive factor such as 0.5 or 10", o.request.live.speed);
    }
    o.request.live.terminal = o.request.live.realtime && ::isatty(STDOUT_FILENO) != 0;
    return std::nullopt;
}

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
        const bool digits = !o.cycles.empty() && o.cycles.size() <= 19 &&
                            o.cycles.find_first_not_of("0123456789") == std::string::npos;
        const std::uint64_t n = digits ? std::stoull(o.cycles) : 0;
        if (n == 0) return badUsage(fmt::format("--cycles {}: expected a positive whole number", o.cycles));
        request.cycles = n;
    }
    std::ofstream traceFile;
    if (!o.trace.empty()) {
        std::string error;
        const auto cats = parseTraceCategories(o.trace, &error);
        if (!cats) return badUsage("--trace: " + error);
        request.trace.categories = *cats;
        for (const auto& [text, field] : {std::pair{o.traceFrom, &request.trace.from},
                                          std::pair{o.traceUntil, &request.trace.until}}) {
            if (text.empty()) continue;
            const auto t = text == "0" ? std::optional<Picoseconds>(0) : parseDuration(text);
            if (!t) return badUsage(fmt::format("--trace-from/--trace-until {}: expected a time such as 1ms", text));
            *field = *t;
        }
        if (!o.traceFile.empty()) {
            traceFile.open(o.traceFile, std::ios::binary | std::ios::trunc);
            if (!traceFile) return badUsage(fmt::format("--trace-file {}: cannot open for writing", o.traceFile));
            request.traceOut = &traceFile;
        } else {
            request.traceOut = &std::cerr;
        }
    } else if (!o.traceFile.empty() || !o.traceFrom.empty() || !o.traceUntil.empty()) {
        return badUsage("--trace-file/--trace-from/--trace-until need --trace CATEGORIES");
    }
    if (!o.semihostingRoot.empty()) {
        std::error_code ec;
        if (!std::filesystem::is_directory(o.semihostingRoot, ec)) {
            return badUsage(fmt::format("--semihosting-root {}: not a directory", o.semihostingRoot));
        }
        request.semihosting.root = std::filesystem::path(o.semihostingRoot);
    }
    request.semihosting.commandLine = o.args;
    if (!o.gdb.empty()) request.gdb = o.gdb;
    else if (request.gdbWait) return badUsage("--gdb-wait needs --gdb [HOST:]PORT");
    std::vector<std::unique_ptr<std::ofstream>> itmFiles;
    for (const auto& spec : o.itm) {
        const auto eq = spec.find('=');
        unsigned port = 32;
        try {
            if (eq != std::string::npos) port = static_cast<unsigned>(std::stoul(spec.substr(0, eq)));
        } catch (const std::exception&) {
        }
        if (eq == std::string::npos || port > 31 || eq + 1 == spec.size()) {
            return badUsage(fmt::format("--itm {}: expected PORT=FILE with PORT 0-31", spec));
        }
        itmFiles.push_back(std::make_unique<std::ofstream>(spec.substr(eq + 1), std::ios::binary));
        if (!*itmFiles.back()) return badUsage(fmt::format("--itm {}: cannot open the file", spec));
        request.itmFiles[port] = itmFiles.back().get();
    }
    for (const auto& t : o.tasks) {
        const auto eq = t.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == t.size()) {
            return badUsage(fmt::format("--task {}: expected NAME=SYMBOL", t));
        }
        request.taskNames.emplace_back(t.substr(0, eq), t.substr(eq + 1));
    }
    for (const auto& text : o.stacks) {
        std::string error;
        auto spec = parseStackSpec(text, &error);
        if (!spec) return badUsage(fmt::format("--stack {}: {}", text, error));
        request.stacks.push_back(std::move(*spec));
    }
    if (auto error = pictureOptions(o)) return badUsage(*error);
    std::ofstream statsFile;
    if (!o.statsJson.empty()) {
        statsFile.open(o.statsJson, std::ios::binary | std::ios::trunc);
        if (!statsFile) {
            return badUsage(fmt::format("--stats-json {}: cannot open for writing", o.statsJson));
        }
    }
    request.interrupted = &HostInterrupt::pending;
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
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (statsFile.is_open() && !writeRunStats(statsFile, report, wall)) {
            log.error("cmsim: --stats-json {}: could not write the whole file", o.statsJson);
        }
        if (o.verbose) {
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
    app.add_option("--trace", o->trace,
                   "Trace categories, comma-separated: exc, switch, tick, mmio, insn (or all)");
    app.add_option("--trace-file", o->traceFile, "Write the trace to FILE (default stderr)");
    app.add_option("--trace-from", o->traceFrom, "Trace from this simulated time (e.g. 999ms)");
    app.add_option("--trace-until", o->traceUntil, "Trace until this simulated time (e.g. 1001ms)");
    app.add_option("--task", o->tasks, "Name a task by the function it starts in: NAME=SYMBOL")
        ->take_all();
    app.add_option("--stack", o->stacks,
                   "A task's stack for the stack guard: NAME=SYMBOL[:SIZE] or NAME=ADDRESS:SIZE "
                   "(default: the bundled scheduler's stacks, from the ELF)")
        ->take_all();
    app.add_option("--semihosting-root", o->semihostingRoot,
                   "Let semihosting open host files below DIR (off by default)");
    app.add_option("--args", o->args, "Command line the firmware gets from SYS_GET_CMDLINE");
    app.add_flag("--stop-on-fault", o->request.stopOnFault,
                 "Stop when a fault is taken instead of running the firmware's fault handler");
    app.add_flag("--no-idle-skip{false}", o->request.skipIdleLoops,
                 "Emulate busy idle loops (b .) iteration by iteration instead of jumping to the "
                 "next event (same results, slower; for comparison)");
    app.add_option("--gdb", o->gdb, "Serve gdb's remote protocol on [HOST:]PORT (host 127.0.0.1 "
                                    "by default): gdb-multiarch fw.elf -ex 'target remote :3333'");
    app.add_flag("--gdb-wait", o->request.gdbWait, "With --gdb: halt at reset until gdb attaches");
    app.add_flag("--swo", o->request.swo,
                 "Enable the ITM and all stimulus ports as a debugger's SWO set-up does");
    app.add_option("--itm", o->itm, "Send ITM stimulus port PORT to FILE: PORT=FILE (port 0 "
                                    "goes to stdout by default)")
        ->take_all();
    // Pictures of time (README "Pictures of time").
    app.add_option("--vcd", o->request.pictures.vcd,
                   "Write a VCD waveform (LEDs, --vcd-pins, task, IPSR, SysTick) for GTKWave/PulseView");
    app.add_option("--vcd-pins", o->request.pictures.vcdPins, "More pins for the VCD, e.g. PB0,PA5")
        ->delimiter(',');
    app.add_option("--timeline", o->request.pictures.timeline,
                   "Write a Chrome trace-event JSON timeline (ui.perfetto.dev, chrome://tracing)");
    app.add_option("--plot", o->request.pictures.plot, "Draw the scheduling timeline and LEDs as an SVG image");
    app.add_option("--plot-from", o->plotFrom, "Start of the plotted window (default 0)");
    app.add_option("--plot-until", o->plotUntil, "End of the plotted window (default 2 s after --plot-from)");
    app.add_flag("--realtime", o->request.live.realtime,
                 "Pace the run to the wall clock and show the LEDs live (on a terminal)");
    o->speedOption = app.add_option("--speed", o->request.live.speed,
                                    "With --realtime: simulated seconds per wall second (default 1)");
    app.add_option("--stats-json", o->statsJson,
                   "Write the run's figures (cycles, instructions, exceptions, simulated and wall "
                   "seconds, peak RSS) to FILE as JSON (tools/bench)");
    app.add_flag("--verbose,-v", o->verbose,
                 "More detail on stderr: clock changes and the host speed of the run");
    return [o] { return run(*o); };
}

}  // namespace cmsim::cli
