#pragma once
// One emulated board: the core, its memory map and the chip's peripherals, all built
// from a BoardDescription. Tests build Machines directly; the CLI builds one per run.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "Bus.h"
#include "ChipDescription.h"
#include "ClockController.h"
#include "CortexM.h"
#include "Diagnostics.h"
#include "EventQueue.h"
#include "Nvic.h"
#include "Signals.h"
#include "Semihosting.h"
#include "SymbolTable.h"
#include "TimeBase.h"
#include "Unicorn.h"
#include "peripherals/Peripheral.h"
#include "peripherals/Scb.h"
#include "peripherals/Dwt.h"
#include "peripherals/Itm.h"
#include "peripherals/SysTick.h"

namespace cmsim {

class ElfImage;
class SystemControlSpace;

struct MachineOptions {
    // An access to a block with no model stops the run (instead of a report).
    bool strict = false;
    // Semihosting (BKPT 0xAB): host file root, command line, stdin. Heap/stack info is
    // filled in from the ELF by load().
    SemihostingConfig semihosting = {};
    // Busy idle loops (`b .`) jump to the next event instead of being emulated iteration
    // by iteration. The results are identical either way; off is for comparison.
    bool skipIdleLoops = true;
};

class Machine {
public:
    explicit Machine(const BoardDescription& board, MachineOptions options = {});
    ~Machine();
    Machine(const Machine&) = delete;
    Machine& operator=(const Machine&) = delete;

    // Loads the ELF's PT_LOAD file bytes at their load addresses and keeps its symbols.
    // Throws InputError when a segment is outside the board's memory or the image has no
    // usable vector table where this board boots.
    void load(const ElfImage& image);
    // Power-on reset: peripherals to reset values, core from the vector table at the
    // boot address. Throws InputError when the vector table is unusable.
    void powerOnReset();
    // Runs until `untilCycle` (absolute) or a stop. SYSRESETREQ resets and runs on.
    CoreStop run(Cycles untilCycle);
    // Runs until simulated time reaches `until`. The cycle limit follows every clock
    // change the firmware makes, so the run ends exactly at that time.
    CoreStop runUntilTime(Picoseconds until);

    // Runs in slices of at most `slice` cycles and calls `check` between them; a stop it
    // returns ends the run (SIGINT/SIGTERM). Slices end at block boundaries, like the run
    // itself, so slicing changes no output; the check costs nothing per block.
    void setSliceCheck(Cycles slice, std::function<std::optional<CoreStop>()> check) {
        sliceCycles_ = slice;
        sliceCheck_ = std::move(check);
    }

    // The host's interruption as a slice check: when `poll` returns a signal number
    // (HostInterrupt::pending), the run ends with CoreStop::Reason::Interrupted, exit code
    // 128 + signal, "interrupted by SIGINT".
    void stopOnInterrupt(Cycles slice, std::function<int()> poll);

    // A system reset (AIRCR.SYSRESETREQ, gdb's `monitor reset`): peripherals and core
    // reset, RAM kept.
    void systemReset();

    const BoardDescription& board() const { return board_; }
    TimeBase& time() { return time_; }
    EventQueue& events() { return events_; }
    Diagnostics& diagnostics() { return diag_; }
    Signals& signals() { return signals_; }
    Nvic& nvic() { return nvic_; }
    Bus& bus() { return *bus_; }
    CortexM& core() { return *core_; }
    Unicorn& unicorn() { return *uc_; }
    Scb& scb() { return *scb_; }
    SysTick& sysTick() { return *sysTick_; }
    Itm& itm() { return *itm_; }
    Dwt& dwt() { return *dwt_; }
    const SymbolTable& symbols() const { return symbols_; }
    // The RCC model's view of the clock tree (nullptr if the chip has no RCC model).
    const ClockController* clocks() const { return clocks_; }
    // A peripheral by block name ("GPIOD", "RCC"), or nullptr.
    Peripheral* peripheral(std::string_view name);
    unsigned systemResets() const { return systemResets_; }

private:
    void buildCorePeripherals();
    void buildChipPeripherals();
    void resetPeripherals();
    std::unique_ptr<Peripheral> makeModel(const PeripheralBlock& block);

    const BoardDescription& board_;
    MachineOptions options_;
    TimeBase time_;
    EventQueue events_;
    Diagnostics diag_;
    Signals signals_;
    Nvic nvic_;
    PeripheralContext ctx_;
    std::unique_ptr<Unicorn> uc_;
    std::unique_ptr<Bus> bus_;
    std::unique_ptr<Scb> scb_;
    std::unique_ptr<SysTick> sysTick_;
    Itm* itm_ = nullptr;
    Dwt* dwt_ = nullptr;
    std::vector<std::unique_ptr<Peripheral>> coreUnits_;
    std::unique_ptr<SystemControlSpace> scs_;
    std::unique_ptr<CortexM> core_;
    std::vector<std::unique_ptr<Peripheral>> peripherals_;
    std::vector<const PeripheralBlock*> peripheralBlocks_;  // parallel to peripherals_
    const ClockController* clocks_ = nullptr;
    SymbolTable symbols_;
    std::unique_ptr<Semihosting> semihosting_;
    bool loaded_ = false;
    CoreStop runSliced(Cycles untilCycle);
    std::optional<Picoseconds> timeLimit_;
    Cycles sliceCycles_ = 0;
    std::function<std::optional<CoreStop>()> sliceCheck_;
    Cycles sliceEnd_ = ~Cycles{0};  // end of the current slice (a limit a clock change keeps)
    unsigned systemResets_ = 0;
};

}  // namespace cmsim
