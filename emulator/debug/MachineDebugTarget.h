#pragma once
// DebugTarget on a Machine: registers per a Cortex-M target description (core, system
// and, with an FPU, the VFP registers), memory through the bus (peripheral registers
// read through their models), breakpoints as execution watches, watchpoints as memory
// hooks, single steps, and resumption in slices of simulated time so a debugger's
// interrupt is noticed.
#include <map>
#include <memory>
#include <optional>

#include "../Machine.h"
#include "DebugTarget.h"

namespace cmsim {

class MachineDebugTarget final : public DebugTarget {
public:
    // `runUntil`: the end of the run (cycles); resume() reports Finished there.
    MachineDebugTarget(Machine& machine, Cycles runUntil);
    // A run limit in simulated time: re-evaluated each slice, so it follows the clock the
    // firmware configures.
    struct SimulatedTime {
        Picoseconds value;
    };
    MachineDebugTarget(Machine& machine, SimulatedTime runUntil);
    ~MachineDebugTarget() override;

    std::string targetXml() const override;
    unsigned registerCount() const override;
    unsigned registerSize(unsigned regno) const override;
    bool readRegister(unsigned regno, std::vector<std::uint8_t>& out) override;
    bool writeRegister(unsigned regno, std::span<const std::uint8_t> value) override;
    bool readMemory(std::uint32_t address, std::span<std::uint8_t> out) override;
    bool writeMemory(std::uint32_t address, std::span<const std::uint8_t> data) override;
    bool insertBreakpoint(std::uint32_t address) override;
    bool removeBreakpoint(std::uint32_t address) override;
    bool insertWatchpoint(std::uint32_t address, std::uint32_t length, WatchKind kind) override;
    bool removeWatchpoint(std::uint32_t address, std::uint32_t length, WatchKind kind) override;
    DebugStop resume(bool step, const std::function<bool()>& interruptRequested) override;
    void reset() override;
    std::string monitor(const std::string& command) override;

    // Set when resume() returned Finished or Fault: the run is over.
    bool finished() const { return finished_; }
    const std::optional<CoreStop>& lastStop() const { return lastStop_; }

private:
    struct Watchpoint {
        std::uint32_t address, length;
        WatchKind kind;
        uc_hook hook;
    };
    static void onWatchedAccess(uc_engine*, uc_mem_type type, std::uint64_t address, int size,
                                std::int64_t value, void* user);
    DebugStop runSlices(const std::function<bool()>& interruptRequested);

    Cycles runLimit() const;
    Machine& m_;
    Cycles runUntil_;
    std::optional<Picoseconds> runUntilTime_;
    bool hasFpu_;
    std::map<std::uint32_t, std::uint64_t> breakpoints_;  // address -> watch id
    std::vector<std::unique_ptr<Watchpoint>> watchpoints_;
    // Resuming from a breakpoint must not stop at it again before executing it.
    std::optional<std::uint32_t> skipBreakpointAt_;
    Cycles resumeCycle_ = 0;
    std::optional<DebugStop> hit_;
    bool finished_ = false;
    std::optional<CoreStop> lastStop_;
};

}  // namespace cmsim
