#pragma once
// What a debugger needs from an emulated machine, independent of the wire protocol.
// The gdb server (GdbServer) speaks the remote serial protocol against this interface;
// MachineDebugTarget implements it on a Machine. Simulated time stands still while the
// target is halted; stepping advances it by the instruction's cycles.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace cmsim {

enum class WatchKind { Write, Read, Access };

struct DebugStop {
    enum class Kind {
        Breakpoint,   // execution reached a breakpoint (not executed yet)
        Watchpoint,   // a data watchpoint was hit
        Step,         // a single step completed
        Interrupted,  // the debugger asked to stop (Ctrl-C)
        Finished,     // the run reached its time limit: the program "exited"
        Fault,        // the firmware faulted or locked up (message says how)
    };
    Kind kind;
    // POSIX signal number gdb expects: SIGTRAP 5 for breakpoints/steps/watchpoints,
    // SIGINT 2 for interrupts, SIGSEGV 11 / SIGILL 4 / SIGBUS 7 for faults.
    int signal = 5;
    std::optional<std::uint32_t> watchAddress;
    WatchKind watchKind = WatchKind::Write;
    std::string message;  // human-readable detail (faults)
};

class DebugTarget {
public:
    virtual ~DebugTarget() = default;

    // The target description gdb reads with qXfer:features:read:target.xml; register
    // numbers used below follow the order of the <reg> elements in it.
    virtual std::string targetXml() const = 0;
    virtual unsigned registerCount() const = 0;
    // Size in bytes of register `regno` (4 for core registers, 8 for FP double registers).
    virtual unsigned registerSize(unsigned regno) const = 0;
    // Little-endian bytes of the register; false if regno is out of range.
    virtual bool readRegister(unsigned regno, std::vector<std::uint8_t>& out) = 0;
    virtual bool writeRegister(unsigned regno, std::span<const std::uint8_t> value) = 0;

    // Memory as the core sees it, peripheral registers read through their models. False
    // when any byte of the range is not mapped.
    virtual bool readMemory(std::uint32_t address, std::span<std::uint8_t> out) = 0;
    virtual bool writeMemory(std::uint32_t address, std::span<const std::uint8_t> data) = 0;

    // Software and hardware breakpoints are the same thing in an emulator.
    virtual bool insertBreakpoint(std::uint32_t address) = 0;
    virtual bool removeBreakpoint(std::uint32_t address) = 0;
    virtual bool insertWatchpoint(std::uint32_t address, std::uint32_t length, WatchKind kind) = 0;
    virtual bool removeWatchpoint(std::uint32_t address, std::uint32_t length, WatchKind kind) = 0;

    // Runs until something stops the target (breakpoint, watchpoint, fault, end of the
    // run) or, with step = true, for one instruction (entering a pending exception's
    // handler counts as the step, as on silicon). `interruptRequested` is polled now and
    // then (at least every millisecond of simulated time); when it returns true the target
    // halts with Kind::Interrupted.
    virtual DebugStop resume(bool step, const std::function<bool()>& interruptRequested) = 0;

    // `monitor reset`: a system reset; the target stays halted at the reset vector.
    virtual void reset() = 0;
    // Text for `monitor` commands other than reset (help, cycles, time...): empty if unknown.
    virtual std::string monitor(const std::string& command) = 0;
};

}  // namespace cmsim
