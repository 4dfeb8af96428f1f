#pragma once
// What a run produced, as plain data: every pin change, every exception entry, the times
// watched symbols were reached, the faults, the clocks, the diagnostics and how the run
// ended. Expectations are evaluated against a RunRecord only, so they can be tested on
// records built by hand (no emulator), and a record is the same whatever thread made it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "CortexM.h"
#include "Diagnostics.h"
#include "TimeBase.h"

namespace cmsim {
class Machine;
}

namespace cmsim::scenario {

struct RecordedEvent {
    enum class Kind : std::uint8_t { Pin, Exception, Symbol };
    Kind kind = Kind::Pin;
    // Pin: the new level of port/pin.
    char port = 0;
    std::uint8_t pin = 0;
    bool level = false;
    // Exception: the exception entered (taken or tail-chained into).
    // Symbol: index into RunRecord::symbolNames.
    std::uint32_t number = 0;
    Cycles cycle = 0;
    // Exception: its handler's first instruction. Symbol: the symbol's first instruction.
    Picoseconds time = 0;
    // Symbol: consecutive hits with nothing else recorded between them (a `b .` loop at
    // the symbol, a function called in a loop) are one event; this counts them.
    std::uint64_t repeat = 1;
};

// A fault the core took (MemManage, BusFault, UsageFault, possibly escalated to
// HardFault; the firmware's handler then runs) or could not take (lockup).
struct RecordedFault {
    Cycles cycle = 0;
    Picoseconds time = 0;
    // "BusFault escalated to HardFault: precise data bus error: read at 0x60000000 (nothing
    // mapped there) by \"ldr r2, [r3]\" at 0x08000822 (main+0x16)"
    std::string message;
    unsigned exception = 0;  // the fault's own exception
    unsigned taken = 0;      // the exception taken (HardFault when escalated)
    bool lockup = false;
    std::uint32_t pc = 0;  // the faulting instruction (the stacked PC)
    std::string where;     // pc by symbol: "main+0x16", or "0x00000000" outside symbols
    std::uint32_t cfsr = 0, hfsr = 0;
    std::optional<std::uint32_t> address;  // BFAR / MMFAR when valid
};

// A stack pointer the stack guard saw outside its stack (StackOverflow on Signals).
struct RecordedStackOverflow {
    Cycles cycle = 0;
    Picoseconds time = 0;
    std::string task;  // as the guard names it; "main stack" for the MSP
    // "task red: PSP 0x20000bf8 is 8 bytes below its stack 0x20000c00..0x20001000 ..."
    std::string message;
};

// The clocks from a point in time on.
struct ClockSample {
    Cycles cycle = 0;
    Picoseconds time = 0;
    std::uint64_t sysclkHz = 0;
    std::uint64_t hclkHz = 0;
};

struct RunRecord {
    // In the order they happened (the order of execution, which is also cycle order).
    std::vector<RecordedEvent> events;
    std::vector<std::string> symbolNames;
    std::vector<RecordedFault> faults;
    std::vector<RecordedStackOverflow> stackOverflows;
    // clocks[0] is the reset clock at time 0; one more sample per core clock change.
    std::vector<ClockSample> clocks;
    CoreStop stop{CoreStop::Reason::TimeLimit, "", 0};
    Cycles endCycle = 0;
    Picoseconds endTime = 0;
    std::vector<Diagnostic> diagnostics;

    // Appending, in the order things happened (the recorder and hand-built test records).
    RunRecord& pinChange(Picoseconds time, char port, unsigned pin, bool level, Cycles cycle = 0);
    RunRecord& exceptionEntry(Picoseconds time, unsigned exception, Cycles cycle = 0);
    // A hit right after a hit of the same symbol (nothing recorded between) adds to its
    // repeat count.
    RunRecord& symbolReached(Picoseconds time, std::string_view symbol, Cycles cycle = 0);
    RunRecord& clock(Picoseconds time, std::uint64_t sysclkHz, std::uint64_t hclkHz,
                     Cycles cycle = 0);
    RunRecord& fault(Picoseconds time, std::string message, Cycles cycle = 0);
    RunRecord& fault(RecordedFault f);
    RunRecord& stackOverflow(Picoseconds time, std::string task, std::string message,
                             Cycles cycle = 0);
    RunRecord& end(Picoseconds time, CoreStop stop = {CoreStop::Reason::TimeLimit, "", 0},
                   Cycles cycle = 0);

    // Index of a symbol name (added if new).
    std::uint32_t symbolIndex(std::string_view symbol);
    // Whether `e` is a hit of `symbol`.
    bool isHitOf(const RecordedEvent& e, std::string_view symbol) const {
        return e.kind == RecordedEvent::Kind::Symbol && symbolNames[e.number] == symbol;
    }

    std::uint64_t sysclkHz() const { return clocks.empty() ? 0 : clocks.back().sysclkHz; }
    std::uint64_t hclkHz() const { return clocks.empty() ? 0 : clocks.back().hclkHz; }
    // The run ended other than at its time or cycle limit (or a semihosting exit with code
    // 0): a fault the core stopped on, a lockup, a breakpoint, a `strict` stop, ...
    bool stoppedEarly() const {
        return !(stop.reason == CoreStop::Reason::TimeLimit ||
                 (stop.reason == CoreStop::Reason::Exited && stop.exitCode == 0));
    }
    // A fault was taken, or the run stopped early.
    bool faulted() const { return !faults.empty() || stoppedEarly(); }
};

// Records a Machine's run into a RunRecord. Construct after Machine::load (symbols are
// watched by address) and before powerOnReset; call start() after the reset and finish()
// after the run.
class RunRecorder {
  public:
    // Symbols must exist in the loaded image (the caller checks; unknown ones are skipped).
    // `everyHit`: every time the symbol is reached is recorded. `firstHit`: only the first
    // (the watch is removed then, so the code runs at full speed again).
    RunRecorder(Machine& machine, const std::vector<std::string>& everyHit,
                const std::vector<std::string>& firstHit = {});
    RunRecorder(const RunRecorder&) = delete;
    RunRecorder& operator=(const RunRecorder&) = delete;

    void start();
    RunRecord finish(const CoreStop& stop);

  private:
    Machine& machine_;
    RunRecord record_;
};

}  // namespace cmsim::scenario
