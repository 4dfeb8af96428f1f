#pragma once
// One run of a firmware on a board, as the CLI's main job does it: load, reset, run for
// a simulated time or a number of cycles, print LED changes and a summary. Lives in the
// library so tests run exactly what users run.
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "ContextSwitchDetector.h"
#include "CortexM.h"
#include "LedMonitor.h"
#include "Semihosting.h"
#include "StackLayout.h"
#include "sinks/LiveView.h"
#include "sinks/Pictures.h"
#include "trace/Tracer.h"

namespace cmsim {

// Exit codes shared by every cmsim command.
namespace exit_code {
constexpr int kOk = 0;
constexpr int kExpectationFailed = 1;
constexpr int kBadInput = 2;
constexpr int kFirmwareFault = 3;
}  // namespace exit_code

struct RunRequest {
    std::filesystem::path firmware;
    std::string board;
    std::optional<Picoseconds> duration;  // default 1 s when neither is given
    std::optional<Cycles> cycles;
    bool strict = false;
    bool printEdges = true;
    // Tracing: categories (trace::kExc ...), window, and where the lines go (nullptr:
    // the log stream's stderr is not used; the CLI passes a file or std::cerr).
    TraceOptions trace;
    std::ostream* traceOut = nullptr;
    // --task NAME=SYMBOL: names for tasks by the function they start in.
    std::vector<std::pair<std::string, std::string>> taskNames;
    // --stack NAME=SYMBOL[:SIZE]: task stacks for the stack guard (default: the bundled
    // scheduler's, inferred from the ELF).
    std::vector<StackSpec> stacks;
    // Debug channels: semihosting (host files under a root only), ITM stimulus ports.
    SemihostingConfig semihosting;
    // Stop the run when a fault is taken (after the frame is stacked), instead of letting
    // the firmware's own fault handler run. Either way the fault is reported and the run
    // exits with 3.
    bool stopOnFault = false;
    // Emulate busy idle loops iteration by iteration instead of jumping to the next event
    // (--no-idle-skip; identical results, for comparison and benchmarks).
    bool skipIdleLoops = true;
    // --gdb [HOST:]PORT: serve gdb's remote protocol; --gdb-wait halts at reset until
    // gdb attaches.
    std::optional<std::string> gdb;
    bool gdbWait = false;
    bool swo = false;  // enable the ITM as a debugger's SWO set-up would
    std::map<unsigned, std::ostream*> itmFiles;  // --itm PORT=FILE (port 0 defaults to `out`)
    // Pictures of time (emulator/sinks/): VCD, timeline JSON, SVG plot; and the live view
    // (--realtime), which paces the run to the wall clock without changing its results.
    sinks::PictureOptions pictures;
    sinks::LiveOptions live;
    // Polled between slices of `sliceCycles` simulated cycles (never per block): a
    // non-zero signal number ends the run cleanly (summary printed, files completed) with
    // exit code 128 + signal. The CLI passes HostInterrupt::pending; unset: no slicing.
    std::function<int()> interrupted;
    Cycles sliceCycles = Cycles{1} << 24;
};

struct RunReport {
    int exitCode = exit_code::kOk;
    CoreStop stop{CoreStop::Reason::TimeLimit, "", 0};
    Cycles cycles = 0;
    // Instructions retired: the cycles spent executing (neither asleep nor in exception
    // entry/return overhead) over the per-instruction cost of CycleModel.h.
    std::uint64_t instructions = 0;
    // Of those, the ones Unicorn really ran: busy idle-loop iterations that time jumped
    // over (CortexM::skippedIdleCycles) are retired on silicon but not emulated.
    std::uint64_t emulatedInstructions = 0;
    std::uint64_t exceptions = 0;  // exception entries, tail-chains included
    Picoseconds simulated = 0;
    std::uint64_t sysclkHz = 0;
    std::uint64_t hclkHz = 0;
    std::vector<LedStats> leds;
    std::vector<LedEdge> edges;
    std::size_t firmwareMistakes = 0;
    std::size_t modelGaps = 0;
    std::vector<TaskStats> tasks;  // with switch tracing on
    std::uint64_t contextSwitches = 0;
    std::uint64_t faults = 0;
    std::uint64_t stackOverflows = 0;  // stack guard reports (StackGuard.h)
    std::string faultReports;
    std::string semihostingOutput;  // everything the firmware wrote to the console
    std::map<unsigned, std::string> itmOutput;  // bytes per stimulus port
};

// Throws InputError for bad input (file, ELF, board, image/board mismatch). LED lines and
// the summary go to `out`; diagnostics and the stop message are logged to `log`
// (warnings and errors; clock changes at debug level).
RunReport runFirmware(const RunRequest& request, std::ostream& out, spdlog::logger& log);

// The line printed for one LED edge and the summary table (exposed for tests).
std::string formatLedEdge(const LedEdge& e);
std::string formatLedSummary(const std::vector<LedStats>& stats);
std::string formatDiagnostic(const Diagnostic& d);
std::string formatTaskSummary(const std::vector<TaskStats>& tasks, Cycles totalCycles);

}  // namespace cmsim
