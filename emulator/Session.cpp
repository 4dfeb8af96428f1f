#include "Session.h"

#include <fmt/format.h>

#include <algorithm>

#include "CycleModel.h"
#include "ElfImage.h"
#include "Errors.h"
#include "FaultReport.h"
#include "Format.h"
#include "Machine.h"
#include "SourceLines.h"
#include "StackGuard.h"
#include "boards/Boards.h"
#include "debug/GdbServer.h"
#include "debug/MachineDebugTarget.h"

namespace cmsim {

std::string formatLedEdge(const LedEdge& e) {
    return fmt::format("{:>12} ms  cycle {:>12}  {:<4} {:<7} P{}{:<2}  -> {} ({})", formatMs(e.time),
                       e.cycle, e.led->name, e.led->color, e.led->port, e.led->pin, e.level ? 1 : 0,
                       e.level == e.led->activeHigh ? "on" : "off");
}

std::string formatLedSummary(const std::vector<LedStats>& stats) {
    std::string s = fmt::format("{:<4} {:<7} {:<5} {:>7} {:>12}   {:>12} {:>12} {:>12}\n", "LED",
                                "color", "pin", "toggles", "first (ms)", "min (ms)", "mean (ms)",
                                "max (ms)");
    for (const auto& st : stats) {
        auto opt = [](const std::optional<Picoseconds>& v) { return v ? formatMs(*v) : std::string("-"); };
        s += fmt::format("{:<4} {:<7} P{}{:<3} {:>7} {:>12}   {:>12} {:>12} {:>12}\n", st.led->name,
                         st.led->color, st.led->port, st.led->pin, st.toggles, opt(st.first),
                         opt(st.minInterval), opt(st.meanInterval), opt(st.maxInterval));
    }
    return s;
}

std::string formatTaskSummary(const std::vector<TaskStats>& tasks, Cycles totalCycles) {
    std::string s = fmt::format("{:<20} {:>8} {:>14} {:>14} {:>8}\n", "task", "runs", "total cycles",
                                "max slice", "CPU %");
    for (const auto& t : tasks) {
        // Share in hundredths of a percent, integer arithmetic (deterministic text).
        const std::uint64_t bp = totalCycles == 0 ? 0 : (t.totalCycles * 10000 + totalCycles / 2) / totalCycles;
        s += fmt::format("{:<20} {:>8} {:>14} {:>14} {:>5}.{:02}\n", t.name, t.runs, t.totalCycles,
                         t.maxSlice, bp / 100, bp % 100);
    }
    return s;
}

std::string formatDiagnostic(const Diagnostic& d) {
    const char* kind = d.kind == DiagnosticKind::FirmwareMistake ? "firmware"
                       : d.kind == DiagnosticKind::ModelGap      ? "not modelled"
                                                                 : "note";
    return fmt::format("cmsim: {}: {}: {}{}", kind, d.source, d.message,
                       d.location.empty() ? "" : " [" + d.location + "]");
}

namespace {
// The run with a gdb server: the machine runs in slices; a connecting gdb halts it.
CoreStop runUnderGdb(Machine& machine, const RunRequest& request, spdlog::logger& log) {
    const auto address = parseGdbAddress(*request.gdb);
    if (!address) throw InputError(fmt::format("--gdb {}: expected [HOST:]PORT", *request.gdb));
    std::unique_ptr<MachineDebugTarget> target =
        request.cycles ? std::make_unique<MachineDebugTarget>(machine, *request.cycles)
                       : std::make_unique<MachineDebugTarget>(
                             machine, MachineDebugTarget::SimulatedTime{
                                          request.duration.value_or(1'000'000'000'000ULL)});
    GdbServer server(*target, *address);
    server.listen();
    log.info("cmsim: gdb server on {} (gdb-multiarch FIRMWARE.elf -ex 'target remote {}')",
             server.endpoint(), server.endpoint());
    std::optional<GdbEnd> end;
    if (request.gdbWait) {
        log.info("cmsim: halted at reset, waiting for gdb");
        if (server.acceptClient(-1)) end = server.serveClient();
    }
    while (!target->finished() && end != GdbEnd::Killed) {
        const DebugStop s = target->resume(false, [&] { return server.clientWaiting(); });
        if (s.kind == DebugStop::Kind::Interrupted) {
            if (server.acceptClient(0)) end = server.serveClient(s);
            continue;
        }
        if (s.kind == DebugStop::Kind::Finished || s.kind == DebugStop::Kind::Fault) break;
        // A breakpoint instruction with no debugger attached: wait for one, as a halted
        // core would.
        log.info("cmsim: halted ({}), waiting for gdb", s.message.empty() ? "breakpoint" : s.message);
        if (server.acceptClient(-1)) end = server.serveClient(s);
    }
    if (end) log.info("cmsim: gdb session {}", toString(*end));
    if (end == GdbEnd::Killed) return CoreStop{CoreStop::Reason::Requested, "killed by gdb", machine.core().pc()};
    if (target->lastStop()) return *target->lastStop();
    return CoreStop{CoreStop::Reason::TimeLimit, "time limit reached", machine.core().pc()};
}
}  // namespace

RunReport runFirmware(const RunRequest& request, std::ostream& out, spdlog::logger& log) {
    const BoardDescription* board = findBoard(request.board);
    if (board == nullptr) {
        std::string known;
        for (auto id : boardIds()) known += (known.empty() ? "" : ", ") + std::string(id);
        throw InputError(fmt::format("unknown board '{}' (known boards: {})", request.board, known));
    }
    const ElfImage image = ElfImage::load(request.firmware);
    Machine machine(*board, MachineOptions{request.strict, request.semihosting, request.skipIdleLoops});
    machine.core().setStopOnFault(request.stopOnFault);
    machine.diagnostics().addSink([&log](const Diagnostic& d) {
        if (d.kind == DiagnosticKind::Note) log.info("{}", formatDiagnostic(d));
        else log.warn("{}", formatDiagnostic(d));
    });
    machine.signals().clocks.subscribe([&log](const ClockChange& c) {
        log.debug("cmsim: clock: HCLK {} at {} ms (cycle {})", formatHz(c.hz), formatMs(c.time), c.cycle);
    });
    // The live view on a terminal draws the LEDs itself; LED lines would break its line.
    const bool printEdges = request.printEdges && !(request.live.realtime && request.live.terminal);
    LedMonitor leds(machine.signals(), board->leds, [&](const LedEdge& e) {
        if (printEdges) out << formatLedEdge(e) << '\n';
    });
    machine.load(image);

    // Console output: semihosting stdout and stderr and ITM port 0 go to `out`,
    // line-buffered so that LED lines and text do not interleave mid-line.
    RunReport report;
    std::map<std::string, std::string> pendingText;
    auto sinkFor = [&](const std::string& channel) -> std::ostream* {
        if (channel == "semihosting:stdout" || channel == "semihosting:stderr") return &out;
        if (channel.rfind("itm", 0) == 0) {
            const unsigned port = static_cast<unsigned>(std::stoul(channel.substr(3)));
            if (auto it = request.itmFiles.find(port); it != request.itmFiles.end()) return it->second;
            return port == 0 ? &out : nullptr;
        }
        return nullptr;
    };
    machine.signals().output.subscribe([&](const OutputText& t) {
        if (t.channel.rfind("semihosting", 0) == 0) report.semihostingOutput += t.text;
        else if (t.channel.rfind("itm", 0) == 0) report.itmOutput[static_cast<unsigned>(std::stoul(t.channel.substr(3)))] += t.text;
        std::ostream* sink = sinkFor(t.channel);
        if (sink == nullptr) return;
        std::string& pending = pendingText[t.channel];
        pending += t.text;
        for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
            *sink << pending.substr(0, nl + 1);
            pending.erase(0, nl + 1);
        }
    });
    if (request.swo) machine.itm().enableAsDebugger();

    // Context switches are always followed (cheap): fault reports name the running task.
    std::unique_ptr<ContextSwitchDetector> switches;
    {
        switches = std::make_unique<ContextSwitchDetector>(machine.signals(), machine.symbols());
        for (const auto& [name, symbol] : request.taskNames) {
            const auto sym = machine.symbols().byName(symbol);
            if (!sym) {
                throw InputError(fmt::format("--task {}={}: no symbol '{}' in {}", name, symbol, symbol,
                                             request.firmware.string()));
            }
            switches->nameTask(name, sym->address);
        }
    }
    // The stack guard listens after the detector (it checks the task switched in).
    std::vector<StackRegion> stacks;
    for (const auto& spec : request.stacks) {
        std::string error;
        auto region = resolveStack(spec, machine.symbols(), &error);
        if (!region) {
            throw InputError(fmt::format("--stack {}={}: {} in {}", spec.name, spec.where, error,
                                         request.firmware.string()));
        }
        stacks.push_back(std::move(*region));
    }
    const auto guard = guardStacks(machine, *switches, image, std::move(stacks));
    std::unique_ptr<Tracer> tracer;
    if (request.trace.categories != 0 && request.traceOut != nullptr) {
        tracer = std::make_unique<Tracer>(machine, switches.get(), request.trace, *request.traceOut);
    }
    const SourceLines sources(request.firmware);
    machine.signals().faults.subscribe([&](const FaultEvent& f) {
        ++report.faults;
        std::string task;
        if (auto t = switches->currentTask(); t && switches->switches() > 0) task = switches->tasks()[*t].name;
        const std::string text = formatFaultReport(f, machine.bus(), machine.symbols(), &sources, task);
        report.faultReports += text;
        std::string_view rest = text;
        while (!rest.empty()) {
            const auto nl = rest.find('\n');
            log.error("{}", rest.substr(0, nl));
            rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        }
    });
    machine.powerOnReset();
    // Pictures of time and the live view: sinks on the same events (emulator/sinks/).
    std::unique_ptr<sinks::Pictures> pictures;
    if (request.pictures.any()) {
        pictures = std::make_unique<sinks::Pictures>(request.pictures, machine, *switches,
                                                     request.firmware.filename().string());
    }
    std::unique_ptr<sinks::LiveView> live;
    if (request.live.realtime) live = std::make_unique<sinks::LiveView>(machine, switches.get(), request.live, out);

    const Picoseconds duration = request.duration.value_or(1'000'000'000'000ULL);
    if (request.interrupted) machine.stopOnInterrupt(request.sliceCycles, request.interrupted);
    if (request.gdb) {
        report.stop = runUnderGdb(machine, request, log);
    } else if (live) {
        report.stop = live->run(request.cycles, duration);
        live->finish();
    } else if (request.cycles) {
        report.stop = machine.run(*request.cycles);
    } else {
        report.stop = machine.runUntilTime(duration);
    }
    for (auto& [channel, pending] : pendingText) {
        if (std::ostream* sink = sinkFor(channel); sink != nullptr && !pending.empty()) *sink << pending << '\n';
    }
    report.cycles = machine.time().now();
    report.simulated = machine.time().nowPicoseconds();
    report.exceptions = machine.core().exceptionsTaken();
    {
        const CortexM& core = machine.core();
        const Cycles overhead = core.sleptCycles() + core.exceptionOverheadCycles();
        report.instructions =
            (report.cycles - std::min(overhead, report.cycles)) / cycle_model::kPerInstruction;
        const std::uint64_t skipped = core.skippedIdleCycles() / cycle_model::kPerInstruction;
        report.emulatedInstructions = report.instructions - std::min(skipped, report.instructions);
    }
    if (pictures) {
        for (const auto& option : pictures->finish(report.simulated)) {
            log.error("cmsim: {}: could not write the whole file", option);
        }
    }
    if (tracer) tracer->flush();
    if (switches && (request.trace.categories & trace::kSwitch)) {
        switches->finish(report.cycles);
        report.tasks = switches->tasks();
        report.contextSwitches = switches->switches();
    }
    if (const auto* clocks = machine.clocks()) {
        report.sysclkHz = clocks->sysclkHz();
        report.hclkHz = clocks->hclkHz();
    }
    report.leds = leds.summary();
    report.edges = leds.edges();
    report.stackOverflows = guard->overflows();
    report.firmwareMistakes = machine.diagnostics().count(DiagnosticKind::FirmwareMistake);
    report.modelGaps = machine.diagnostics().count(DiagnosticKind::ModelGap);

    out << fmt::format("\n{} on {} ({}): {} s simulated, {} cycles, SYSCLK {}, HCLK {}\n",
                       request.firmware.filename().string(), board->fullName, board->chip.name,
                       formatSeconds(report.simulated), report.cycles, formatHz(report.sysclkHz),
                       formatHz(report.hclkHz));
    out << formatLedSummary(report.leds);
    if (switches && (request.trace.categories & trace::kSwitch)) {
        out << fmt::format("\n{} context switches; Thread-mode time per task (handlers excluded):\n",
                           report.contextSwitches);
        out << formatTaskSummary(report.tasks, report.cycles);
    }

    switch (report.stop.reason) {
        case CoreStop::Reason::TimeLimit:
            // The firmware's fault handler ran (no --stop-on-fault): still a faulted run.
            report.exitCode = report.faults > 0 ? exit_code::kFirmwareFault : exit_code::kOk;
            if (report.faults > 0) {
                log.error("cmsim: the firmware took {} fault{} during the run", report.faults,
                          report.faults == 1 ? "" : "s");
            }
            break;
        case CoreStop::Reason::Exited:
            // SYS_EXIT / SYS_EXIT_EXTENDED: cmsim exits with the firmware's own code.
            report.exitCode = report.stop.exitCode;
            log.info("cmsim: {} at {} s (cycle {})", report.stop.message, formatSeconds(report.simulated),
                     report.cycles);
            break;
        case CoreStop::Reason::Interrupted:
            // The run so far is complete: summary above, every output file finished.
            report.exitCode = report.stop.exitCode;
            log.warn(
                "cmsim: {} at {} s (cycle {}); the summary and the output files cover the "
                "run so far",
                report.stop.message, formatSeconds(report.simulated), report.cycles);
            break;
        case CoreStop::Reason::Fault:
        case CoreStop::Reason::Lockup:
        case CoreStop::Reason::Breakpoint:
        case CoreStop::Reason::Requested:
        case CoreStop::Reason::SystemReset:
        case CoreStop::Reason::Halted:
            report.exitCode = exit_code::kFirmwareFault;
            log.error("cmsim: firmware stopped at {} s (cycle {}): {}", formatSeconds(report.simulated),
                      report.cycles, report.stop.message);
            break;
    }
    return report;
}

}  // namespace cmsim
