#pragma once
// A scenario file (YAML, one scenario per file; the format is described in
// scenarios/README.md): which firmware to run on which board for how long, and what the
// run must show. Parsing checks everything that can be checked without the firmware
// (keys, types, units, pins, LEDs, exception names, the board); symbol names are checked
// against the ELF when the scenario is prepared (ScenarioRunner).
//
// Every error is an InputError whose message is one line:
//   "scenarios/x.yaml:12:7: unknown key 'intreval' in toggles expectation (did you mean
//   'interval'?)"
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ChipDescription.h"
#include "StackLayout.h"
#include "TimeBase.h"

namespace cmsim::scenario {

// 1-based line and column in the scenario file.
struct SourcePos {
    int line = 0;
    int column = 0;
};

// A time (or duration) and how far a measurement may be from it, both inclusive.
struct TimeTolerance {
    Picoseconds value = 0;
    Picoseconds tolerance = 0;
};

// Inclusive time window; an absent bound means the start or the end of the run.
struct Window {
    std::optional<Picoseconds> from;
    std::optional<Picoseconds> until;
    bool contains(Picoseconds t) const { return (!from || t >= *from) && (!until || t <= *until); }
    bool any() const { return from || until; }
};

// A GPIO pin, named in the file by pin ("PD12"), LED name ("LD4") or LED color ("green").
struct PinRef {
    char port = 'A';
    std::uint8_t pin = 0;
    const LedDescription* led = nullptr;  // the board's LED on this pin, if any
};

struct TogglesExpectation {
    PinRef pin;
    Window window;                          // only edges in the window count
    std::optional<TimeTolerance> interval;  // every interval between consecutive edges
    std::uint64_t skip = 0;                 // intervals ignored at the start
    std::optional<std::uint64_t> count;     // edges in the window
    std::optional<TimeTolerance> first;     // time of the first edge in the window
};

struct StaysExpectation {
    PinRef pin;
    bool level = false;  // electrical level (high = 1)
    Window window;
};

struct SequenceEvent {
    enum class Kind { Rises, Falls, Changes, Exception, Reaches } kind = Kind::Rises;
    PinRef pin;              // Rises, Falls, Changes
    unsigned exception = 0;  // Exception: exception number (16 + IRQ for interrupts)
    std::string symbol;      // Reaches
    SourcePos pos;           // of the pin, exception or symbol
};

struct SequenceExpectation {
    Window window;
    std::vector<SequenceEvent> events;
};

struct ReachesExpectation {
    std::string symbol;
    SourcePos symbolPos;
    std::optional<Picoseconds> by;
};

struct NeverReachesExpectation {
    std::string symbol;
    SourcePos symbolPos;
};

struct ExceptionExpectation {
    unsigned number = 0;
    Window window;
    std::optional<TimeTolerance> first;  // first entry in the window
    std::optional<std::uint64_t> count;  // entries (including tail-chained ones) in the window
};

struct ClockExpectation {
    std::optional<std::uint64_t> sysclkHz;
    std::optional<std::uint64_t> hclkHz;
    std::optional<Picoseconds> by;  // the clocks hold these values from this time at the latest
};

// The run ends at its time or cycle limit: no fault, lockup, breakpoint or stop.
struct NoFaultExpectation {};

// The run has a fault. `fault: TEXT` (only `contains`): a fault of the run, or its stop, has
// a message containing TEXT. The mapping form names the fault the core took: every field
// given must hold for the same fault.
struct FaultExpectation {
    std::string contains;                    // message substring; empty: any message
    std::optional<unsigned> exception;       // the fault's own exception (BusFault, ...)
    std::optional<unsigned> taken;           // the exception taken (HardFault when escalated)
    std::optional<std::uint32_t> cfsr;       // exact CFSR value after the fault
    std::optional<std::uint32_t> hfsr;       // exact HFSR value after the fault
    std::optional<std::uint32_t> address;    // BFAR or MMFAR, valid with this value
    std::optional<std::uint32_t> pcAddress;  // the faulting instruction (the stacked PC)
    std::string pcSymbol;                    // or by symbol: "main" (anywhere in it), "main+0x16"
    SourcePos pcPos;
    // Any field beyond the message: only faults the core took can match.
    bool structured() const {
        return exception || taken || cfsr || hfsr || address || pcAddress || !pcSymbol.empty();
    }
};

// The stack guard (StackGuard.h) reported no stack pointer outside its stack.
struct StackOkExpectation {};

// The stack guard reported a stack overflow (of this task, when given: the task's name as
// the guard reports it, or "main stack" for the MSP).
struct StackOverflowExpectation {
    std::optional<std::string> task;
};

using ExpectationSpec =
    std::variant<TogglesExpectation, StaysExpectation, SequenceExpectation, ReachesExpectation,
                 NeverReachesExpectation, ExceptionExpectation, ClockExpectation,
                 NoFaultExpectation, FaultExpectation, StackOkExpectation,
                 StackOverflowExpectation>;

struct Expectation {
    ExpectationSpec spec;
    SourcePos pos;
    // Added by the parser, not written in the file: a scenario that says neither
    // `no_fault` nor `fault` expects no fault.
    bool implied = false;
};

struct RunLimit {
    std::optional<Picoseconds> duration;  // exactly one of the two
    std::optional<std::uint64_t> cycles;
    bool strict = false;       // stop on an access to a block cmsim does not model
    bool stopOnFault = false;  // stop at the first fault instead of running its handler
};

// A task stack for the stack guard: `stacks: {NAME: SYMBOL[:SIZE]}` (the --stack syntax).
struct ScenarioStack {
    StackSpec spec;
    SourcePos pos;  // of the value
};

struct Scenario {
    std::string file;  // as given (shown in messages)
    std::string name;
    std::string description;
    std::filesystem::path firmware;
    SourcePos firmwarePos;
    const BoardDescription* board = nullptr;
    RunLimit run;
    std::vector<ScenarioStack> stacks;  // empty: the bundled scheduler's, if any
    std::vector<Expectation> expectations;
};

struct ParseOptions {
    // Value of ${NAME} in `firmware`; nullopt when undefined (an error).
    std::function<std::optional<std::string>(const std::string& name)> variable;
    // --firmware FILE: replaces the scenario's firmware (no expansion, relative to the
    // current directory).
    std::optional<std::filesystem::path> firmwareOverride;
};

// Reads and parses a scenario file. `file` is used as given in messages. Throws InputError.
Scenario parseScenarioFile(const std::filesystem::path& file, const ParseOptions& options);
// Same on text already in memory; `file` names it in messages and its directory is the base
// of a relative firmware path.
Scenario parseScenarioText(std::string_view text, const std::string& file,
                           const ParseOptions& options);

// The symbols the scenario refers to, each with the position of its first mention.
std::vector<std::pair<std::string, SourcePos>> referencedSymbols(const Scenario& scenario);

// --- values (exposed for tests) ----------------------------------------------------------

// "500ms", "1.5 s", "250us", "10ns", "0". nullopt on bad text.
std::optional<Picoseconds> parseTime(std::string_view text);
// "0x60000000" or "1610612736": a 32-bit value. nullopt on bad text or overflow.
std::optional<std::uint32_t> parseAddress(std::string_view text);
// "500ms ± 1ms", "500ms +- 1ms", "500ms" (tolerance 0).
std::optional<TimeTolerance> parseTimeTolerance(std::string_view text);
// "168MHz", "16 MHz", "32.768 kHz", "8000000", "8000000 Hz": whole hertz only.
std::optional<std::uint64_t> parseFrequency(std::string_view text);
// Exception by name: "SysTick", "PendSV", "SVCall" (or "SVC"), "HardFault", "NMI",
// "MemManage", "BusFault", "UsageFault", "DebugMonitor", "IRQ 38", or an IRQ name of the
// chip ("USART2"). nullopt when unknown.
std::optional<unsigned> parseExceptionName(std::string_view text, const ChipDescription& chip);
// "PD12" (a port of the chip), an LED name ("LD4") or color ("green") of the board.
std::optional<PinRef> parsePinRef(std::string_view text, const BoardDescription& board);

// Display: "PD12", "LD4 green PD12" is shown as "PD12 (LD4 green)".
std::string describePin(const PinRef& pin);
std::string describeException(unsigned number, const ChipDescription& chip);
// Exact: "500 ms", "0.2981 ms", "4000 ms" (always milliseconds, trailing zeros dropped).
std::string formatMsExact(Picoseconds t);
// Exact, in the largest unit that reads naturally: "1 ms", "1 us", "2.5 ns", "4 s".
std::string formatDurationExact(Picoseconds t);

}  // namespace cmsim::scenario
