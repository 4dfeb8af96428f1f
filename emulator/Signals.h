#pragma once
// Events, then sinks: everything observable in a run is an event published here; the
// console log, trace files, waveforms and the scenario checker subscribe to them.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "TimeBase.h"

namespace cmsim {

// A GPIO pin changed level (only outputs change; see the GPIO model).
struct PinChange {
    Cycles cycle;
    Picoseconds time;
    char port;         // 'A'..'K'
    std::uint8_t pin;  // 0..15
    bool level;
};

// The core took or left an exception.
struct ExceptionEvent {
    enum class Kind { Entry, Return, TailChain } kind;
    Cycles cycle;
    Picoseconds time;
    std::uint32_t number;      // exception number (16 + IRQ for interrupts)
    std::uint32_t pc;          // preempted/returned-to PC
    std::uint32_t excReturn;   // EXC_RETURN value involved
    std::uint32_t frameAddress;
    // Entry/TailChain: cycles from the exception becoming pending to its handler's first
    // instruction.
    Cycles latency = 0;
};

// SysTick counted down to 0 (the 1 -> 0 transition; the exception follows if TICKINT).
struct TickEvent {
    Cycles cycle;  // the exact cycle of the transition
    Picoseconds time;
    std::uint64_t count;  // transitions so far
};

// Thread mode resumed on a different process stack than the one an exception preempted:
// a scheduler switched tasks (recognised generically by ContextSwitchDetector).
struct ContextSwitch {
    Cycles cycle;  // first instruction of the incoming task
    Picoseconds time;
    std::uint32_t fromTask;  // index into ContextSwitchDetector::tasks()
    std::uint32_t toTask;
    Cycles triggerCycle;    // when the outgoing context stopped running (exception entry began)
    unsigned triggerException;  // the exception that took the outgoing task off the core
};

// Text the firmware printed: semihosting console writes, ITM stimulus port bytes.
struct OutputText {
    Cycles cycle;
    Picoseconds time;
    std::string channel;  // "semihosting:stdout", "semihosting:stderr", "itm0" ... "itm31"
    std::string text;     // the bytes as written (a stimulus port write gives 1-4 bytes)
};

// A fault the core took (MemManage, BusFault, UsageFault, possibly escalated to
// HardFault) or a lockup. Published after the fault exception's frame was stacked.
struct FaultEvent {
    Cycles cycle;
    Picoseconds time;
    unsigned fault;          // the fault's own exception (4 MemManage, 5 BusFault, 6 UsageFault)
    unsigned taken;          // the exception taken (fault, or 3 HardFault when escalated)
    bool lockup;             // could not be taken at all: the core locked up
    std::uint32_t pc;        // faulting instruction (the stacked return address)
    std::uint32_t cfsr, hfsr;
    std::optional<std::uint32_t> faultAddress;  // BFAR / MMFAR when valid
    std::string what;        // "precise data bus error at 0x60000000 by ldr r0, [r1]"
    std::uint32_t frameAddress;   // where the fault's frame was stacked
    std::uint32_t excReturn;
};

// A stack pointer outside its stack (StackGuard): a task's PSP outside the task's stack,
// or the MSP below the end of .bss/heap or above _estack. Published once per episode:
// when the SP is first seen outside; again only after it was seen back inside.
struct StackOverflow {
    Cycles cycle;
    Picoseconds time;
    std::string task;         // the task's name, or "main stack" for the MSP
    bool mainStack;           // the MSP (else a task's PSP)
    std::uint32_t sp;         // the frame address the core stacked or unstacked
    std::uint32_t low, high;  // the bounds: SP must be in [low, high]
    std::uint32_t bytes;      // how far outside: low - sp below, sp - high above
    bool below;               // overflow (below low); false: above high (underflow)
    std::uint32_t pc;         // the preempted or resumed PC
    std::string message;      // the diagnostic text
};

// The core clock changed (RCC switched SYSCLK or a prescaler).
struct ClockChange {
    Cycles cycle;
    Picoseconds time;
    std::uint64_t hz;
};

template <typename E>
class Topic {
public:
    void subscribe(std::function<void(const E&)> f) { listeners_.push_back(std::move(f)); }
    void publish(const E& e) const {
        for (const auto& l : listeners_) l(e);
    }
    bool hasListeners() const { return !listeners_.empty(); }

private:
    std::vector<std::function<void(const E&)>> listeners_;
};

struct Signals {
    Topic<PinChange> pins;
    Topic<ExceptionEvent> exceptions;
    Topic<ClockChange> clocks;
    Topic<TickEvent> ticks;
    Topic<ContextSwitch> switches;
    Topic<OutputText> output;
    Topic<FaultEvent> faults;
    Topic<StackOverflow> stacks;
};

}  // namespace cmsim
