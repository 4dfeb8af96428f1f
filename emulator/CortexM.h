#pragma once
// A Cortex-M core on Unicorn. Unicorn executes instructions; this class owns everything
// Unicorn does not do on M-profile: the exception model (entry, return, tail-chaining,
// priorities through Nvic), WFI/WFE sleep, and the one time base (cycles counted per
// executed block in the block hook, never per instruction).
//
// Exception entry/return follow the ARMv7-M ARM (DDI 0403E) pseudocode: B1.5.6
// ExceptionEntry (PushStack, ExceptionTaken), B1.5.8 ExceptionReturn (DeActivate,
// PopStack), B1.5.12 tail-chaining, B1.5.19 WFI/WFE.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "Bus.h"
#include "CoreConfig.h"
#include "Diagnostics.h"
#include "EventQueue.h"
#include "Nvic.h"
#include "Signals.h"
#include "ThumbCode.h"
#include "TimeBase.h"
#include "Unicorn.h"
#include "peripherals/Scb.h"

namespace cmsim {

class SymbolTable;

struct CoreStop {
    enum class Reason {
        TimeLimit,    // the requested simulated time or cycle count was reached
        Fault,        // the firmware did something the model stops on (bus error, UNDEFINED...)
        Breakpoint,   // BKPT executed
        Lockup,       // fault escalation the architecture resolves as lockup
        SystemReset,  // AIRCR.SYSRESETREQ: the machine resets and runs on
        Requested,    // stopped by the host (--strict, a signal)
        Halted,       // halted for a debugger (breakpoint, step, watchpoint)
        Exited,       // the firmware exited through semihosting (exitCode)
        Interrupted,  // the host asked the run to end (SIGINT/SIGTERM; exitCode 128 + signal)
    };
    Reason reason;
    std::string message;
    std::uint32_t pc = 0;
    int exitCode = 0;
};

class CortexM {
public:
    struct Deps {
        Unicorn& uc;
        Bus& bus;
        TimeBase& time;
        EventQueue& events;
        Nvic& nvic;
        Scb& scb;
        Diagnostics& diag;
        Signals& signals;
    };
    CortexM(Deps deps, const CoreConfig& config);
    CortexM(const CortexM&) = delete;
    CortexM& operator=(const CortexM&) = delete;

    void setSymbols(const SymbolTable* symbols) { symbols_ = symbols; }

    // Reset as silicon does (B1.5.5 TakeReset): MSP and PC from the vector table at
    // `vectorTable`, Thread mode, privileged, MSP, masks clear. Returns false with a
    // message if the vector table cannot be used.
    bool reset(std::uint32_t vectorTable, std::string* error);

    // Runs until the cycle counter reaches `untilCycle` or something stops the core.
    CoreStop run(Cycles untilCycle);
    // Moves the end of the current run (when the clock changes under a time limit).
    void setRunLimit(Cycles untilCycle) {
        runLimit_ = untilCycle;
        recomputeAttention();
    }

    // From inside an MMIO callback: stop at the next block boundary (Unicorn must not be
    // stopped from a memory hook: the block would be re-run).
    void requestStop(CoreStop stop);

    // "0x08000214 (main+0x1c)".
    std::string describePc(std::uint32_t pc) const;
    // Start of the block being executed (PC is only block-accurate inside MMIO callbacks).
    std::uint32_t blockAddress() const { return blockAddress_; }
    std::uint32_t ipsr() const { return uc_.reg(UC_ARM_REG_IPSR) & 0x1FF; }
    bool sleeping() const { return sleeping_; }
    std::uint64_t exceptionsTaken() const { return exceptionsTaken_; }

    // Calls `hit(address, cycle)` each time the core is about to execute the instruction at
    // `address`, with the exact cycle at which it starts. Implemented with a UC_HOOK_CODE
    // bounded to that one address: code elsewhere runs without any hook. Returns an id
    // for unwatchExecution (which may be called from inside the callback).
    using ExecutionWatch = std::function<void(std::uint32_t address, Cycles cycle)>;
    std::uint64_t watchExecution(std::uint32_t address, ExecutionWatch hit);
    void unwatchExecution(std::uint64_t id);

    // Per-instruction hook for the instruction trace (the only per-instruction cost cmsim
    // has, and only while set). `hook(address, size, cycle)` runs before each instruction.
    // Installed or removed between emulation slices, since Unicorn compiles hooks into
    // translated blocks; pass an empty function to remove it.
    using InstructionHook = std::function<void(std::uint32_t address, std::uint32_t size, Cycles cycle)>;
    void setInstructionHook(InstructionHook hook);
    // Runs `work` outside emulation: at once when the core is not running, else at the
    // next block boundary, after stopping Unicorn.
    void runBetweenSlices(std::function<void()> work);
    // Exact start cycle of the instruction at `address` in the block being executed.
    Cycles cycleOf(std::uint32_t address) const;

    // BKPT: `handler(pc, imm8)` runs first; it returns true when it handled the BKPT and
    // execution continues after it (semihosting, BKPT 0xAB), false to stop the run.
    void setBreakpointInstructionHandler(std::function<bool(std::uint32_t pc, std::uint8_t imm)> h) {
        bkptHandler_ = std::move(h);
    }
    // Total cycles spent asleep (WFI/WFE) and in exception entry/return overhead, for the
    // DWT's SLEEPCNT and EXCCNT and for CYCCNT, which does not count while asleep.
    Cycles sleptCycles() const { return sleptCycles_; }
    Cycles exceptionOverheadCycles() const { return exceptionOverheadCycles_; }
    // Cycles of idle-loop iterations accounted without being emulated (busy idle loops,
    // see skipIdleLoop): executed on silicon, so CYCCNT counts them, but not by Unicorn.
    Cycles skippedIdleCycles() const { return skippedIdleCycles_; }
    void setIdleLoopSkipping(bool on) { skipIdleLoops_ = on; }

    // --- faults (ARM ARM B1.5.14-B1.5.16) ----------------------------------------
    struct Fault {
        unsigned exception;          // exc::kMemManage, kBusFault or kUsageFault
        std::uint32_t cfsrBits;      // CFSR bits to set (MMFSR/BFSR/UFSR)
        std::optional<std::uint32_t> address;  // BFAR or MMFAR
        std::uint32_t pc;            // the faulting instruction: stacked as return address
        std::string what;            // in words, for the report
    };
    // Takes the fault as silicon does: sets CFSR (and BFAR/MMFAR), escalates to HardFault
    // (HFSR.FORCED) when the fault is disabled or cannot preempt, locks up when even
    // HardFault cannot be taken. The firmware's handler then runs, unless stop-on-fault
    // is set, in which case the run stops once the frame is stacked.
    void takeFault(const Fault& fault);
    // A fault taken without stacking, on the frame already on the stack, with `excReturn`
    // as the handler's LR: ExceptionReturn's INVPC cases and UNSTKERR (B1.5.8).
    void takeFaultChained(const Fault& fault, std::uint32_t excReturn);
    void setStopOnFault(bool stop) { stopOnFault_ = stop; }
    // A store to read-only memory that the chip's bus takes without an error (the STM32F4
    // flash interface: RM0090 §3.9.4 PGSERR). `absorb(address, bytes)` returns true when
    // the store is taken and not performed (execution goes on after it), false for the
    // default: a precise BusFault.
    using ReadOnlyStoreHandler = std::function<bool(std::uint32_t address, unsigned bytes)>;
    void setReadOnlyStoreHandler(ReadOnlyStoreHandler absorb) {
        readOnlyStore_ = std::move(absorb);
    }
    std::uint64_t faultsTaken() const { return faultsTaken_; }

    // --- debugger support -------------------------------------------------------
    // The PC the core resumes at (exact while halted; Unicorn's PC register is not).
    std::uint32_t pc() const { return resumePc_; }
    void setPc(std::uint32_t pc);
    // From inside a code hook: halt before the instruction at `address` executes. Time
    // goes back to that instruction's start (the block was charged in full).
    void haltBefore(std::uint32_t address, std::string why);
    // Takes the highest-priority pending exception that can preempt now, as at a block
    // boundary (a debugger step lands on the handler's first instruction, as on silicon).
    bool takePendingException();

    // Exposed for the exception-model tests: take exception `n` now, as if at a block
    // boundary with the given return address.
    void enterException(unsigned n, std::uint32_t returnAddress) { exceptionEntry(n, returnAddress); }

private:
    // --- hooks ----------------------------------------------------------------
    static void onBlock(uc_engine*, std::uint64_t address, std::uint32_t size, void* user);
    static void onInterrupt(uc_engine*, std::uint32_t intno, void* user);
    static void onWatchedInstruction(uc_engine*, std::uint64_t address, std::uint32_t size,
                                     void* user);
    static void onTracedInstruction(uc_engine*, std::uint64_t address, std::uint32_t size,
                                    void* user);
    static bool onInvalidMemory(uc_engine*, uc_mem_type type, std::uint64_t address, int size,
                                std::int64_t value, void* user);
    bool attend(std::uint32_t blockAddress);
    void recomputeAttention();
    struct BlockCostEntry;
    BlockCostEntry& blockInfo(std::uint32_t address, std::uint32_t size);
    void onUncommonBlock(std::uint32_t address, std::uint32_t size);
    // WFI/WFE sleep inside emulation: a code hook bounded to each WFI/WFE address sleeps
    // and takes the waking exception from inside the hook, so an idle core costs no
    // uc_emu_start restart per wake-up (about 3 us each in Unicorn 2.0.1).
    // Busy idle loop (`b .`, as in many hobby kernels' idle task or a fault handler's
    // `while (1) {}`): jumps time to the first iteration at or after the next event, as
    // if every iteration in between had run. Returns the cycles to charge.
    Cycles skipIdleLoop(std::uint32_t address, Cycles iterationCycles);
    Cycles skippedIdleCycles_ = 0;
    void noteHeldOff(std::uint32_t blockAddress);
    static constexpr Picoseconds kHeldOffLimit = 100'000'000'000;  // 100 ms
    Cycles heldOffReportedFor_ = ~Cycles{0};
    bool skipIdleLoops_ = true;
    std::uint32_t noProgressReportedAt_ = 1;  // loop PC last reported as stuck (odd: none)
    static void onSleepInstruction(uc_engine*, std::uint64_t address, std::uint32_t size, void* user);
    std::map<std::uint32_t, uc_hook> sleepHooks_;

    // --- exception model ------------------------------------------------------
    PriorityMasks readMasks() const;
    // False when the core locked up instead of entering a handler.
    bool exceptionEntry(unsigned n, std::uint32_t returnAddress);
    // The context PushStack saves (B1.5.6): normally the current one; ExceptionReturn's
    // "IPSR inconsistent" case re-stacks the context it has just popped.
    struct StackContext {
        bool threadMode;
        bool onPsp;
        bool fpFrame;
        std::uint32_t sp;
        std::uint32_t xpsr;
    };
    StackContext currentContext() const;
    // Writes the frame for `ctx` and returns frameptr; *complete is false when a word
    // could not be written (a bus error: STKERR).
    std::uint32_t pushFrame(const StackContext& ctx, std::uint32_t returnAddress, bool* complete);
    // The exception actually taken (HardFault after a vector read error), or nullopt on lockup.
    std::optional<unsigned> exceptionTaken(unsigned n, std::uint32_t excReturn);
    // A vector with the Thumb bit clear faults on the handler's first instruction: the
    // fault ExceptionTaken leaves for its caller to take once the entry is accounted.
    std::optional<Fault> entryFault_;
    void raiseEntryFault();
    void exceptionReturn(std::uint32_t excReturn);
    // ExceptionReturn's INVPC cases: DeActivate, then UsageFault without stacking.
    void invalidReturn(unsigned returning, std::uint32_t excReturn, std::string why);
    void deActivate(unsigned returning);
    std::uint32_t returnInstruction() const;  // the BX/POP/LDR that loaded EXC_RETURN

    // --- fault model (CortexMFaults.cpp) ----------------------------------------
    // B1.5.15: the exception a fault is taken as (HFSR.FORCED when escalated), or nullopt
    // when even HardFault cannot be taken (lockup).
    std::optional<unsigned> escalate(unsigned exception);
    // Counts the fault, sets its status bits and escalates; locks up on nullopt.
    std::optional<unsigned> beginFault(const Fault& f);
    std::uint32_t frameOf(std::uint32_t excReturn) const;
    void recordFaultStatus(const Fault& f);
    void lockUp(const Fault& f);
    void publishFault(const Fault& f, unsigned taken, std::uint32_t excReturn);
    // A BusFault while stacking for exception `n` (STKERR): the derived exception. Returns
    // the exception to take now (the other stays pending), or nullopt on lockup.
    std::optional<unsigned> stackingFault(unsigned n, std::uint32_t returnAddress,
                                          std::uint32_t frame, std::uint32_t excReturn);
    // A bus error reading exception `n`'s vector: HardFault (VECTTBL) or lockup.
    std::optional<unsigned> vectorFault(unsigned n, std::uint32_t vectorAddr,
                                        std::uint32_t excReturn);
    // Writes one stacked word as a core data write would (flash and unmapped: bus error).
    bool stackWrite(std::uint32_t address, std::uint32_t value);
    // Moves the core to the given IPSR and CONTROL (SPSEL, nPRIV, FPCA) from any state,
    // working around Unicorn's privilege checks on host register writes.
    void setModeState(std::uint32_t ipsr, std::uint32_t control);
    void refreshTranslatorFlags();
    void fault(std::string message, std::uint32_t pc);
    void sleepUntilWake();

    Unicorn& uc_;
    Bus& bus_;
    TimeBase& time_;
    EventQueue& events_;
    Nvic& nvic_;
    Scb& scb_;
    Diagnostics& diag_;
    Signals& signals_;
    const CoreConfig& config_;
    const SymbolTable* symbols_ = nullptr;
    bool hasFpu_;

    struct BlockCostEntry {
        std::uint32_t address = 1;  // odd: never a Thumb block address
        std::uint32_t size = 0;
        std::uint32_t count = 0;
        bool hasSev = false;  // executes SEV: Unicorn runs it as a NOP
        bool hasDivide = false;  // SDIV/UDIV: checked for DIV_0_TRP when CCR enables it
        // Holds a WFI/WFE (which ends a Unicorn block), and whether its sleep hook is in place.
        bool hasSleep = false;
        bool sleepHooked = false;
        // The block is an idle loop: only NOPs and an unconditional branch to its own
        // start. Running it changes no state but time, so time may jump ahead.
        bool idleLoop = false;
        // Anything above that needs a look at every execution (the block hook's slow path;
        // so does every block while CCR.DIV_0_TRP or UNALIGN_TRP is set).
        bool special = false;
        bool isSpecial() const { return hasSev || idleLoop || (hasSleep && !sleepHooked); }
    };
    static constexpr std::size_t kBlockCacheSize = 1u << 16;
    std::vector<BlockCostEntry> blockCache_;

    Cycles attention_ = 0;  // at or after this cycle the block hook looks at events/NVIC
    Cycles runLimit_ = 0;
    std::optional<CoreStop> pendingStop_;
    std::uint32_t resumePc_ = 0;
    bool stoppedByHook_ = false;  // the block hook called uc_emu_stop (time limit or stop)
    std::uint32_t blockAddress_ = 0;
    Cycles blockStartCycle_ = 0;
    struct Watch {
        CortexM* core;
        std::uint64_t id;
        std::uint32_t address;
        uc_hook hook;
        ExecutionWatch hit;
        // Set by unwatchExecution: Unicorn 2.0 still calls a deleted code hook from blocks
        // translated while it existed, so a retired watch must ignore those calls.
        bool retired = false;
    };
    std::vector<std::unique_ptr<Watch>> watches_;
    std::vector<std::unique_ptr<Watch>> retiredWatches_;  // Unicorn deletes hooks lazily
    std::uint64_t nextWatchId_ = 1;
    std::vector<std::function<void()>> betweenSlices_;
    bool running_ = false;
    InstructionHook instructionHook_;
    std::function<bool(std::uint32_t, std::uint8_t)> bkptHandler_;
    Cycles sleptCycles_ = 0;
    bool stopOnFault_ = false;
    std::uint64_t faultsTaken_ = 0;
    std::uint32_t blockSize_ = 0;
    // CCR.DIV_0_TRP: Unicorn divides by zero silently (result 0), so divide instructions
    // get a bounded code hook that checks the divisor first.
    std::map<std::uint32_t, uc_hook> divideHooks_;
    std::optional<Fault> pendingFault_;
    ReadOnlyStoreHandler readOnlyStore_;
    // True when hooks were queued: the block must not run before they are in place.
    bool watchDivides(std::uint32_t blockAddress, std::uint32_t size);
    static void onDivide(uc_engine*, std::uint64_t address, std::uint32_t size, void* user);
    // CCR.DIV_0_TRP and CCR.UNALIGN_TRP: hooks for the block about to run (true: queued,
    // the block must run again once they are in place). CortexMTraps.cpp.
    static constexpr std::uint32_t kCcrUnalignTrp = 1u << 3, kCcrDiv0Trp = 1u << 4;
    bool watchTraps(std::uint32_t blockAddress, std::uint32_t size, bool hasDivide);
    bool watchAlignment(std::uint32_t blockAddress, std::uint32_t size);
    static void onLoadStore(uc_engine*, std::uint64_t address, std::uint32_t size, void* user);
    // Queues a code hook on each instruction of the block that `select` picks and that has
    // none yet; true when some were queued.
    bool hookInstructions(std::uint32_t blockAddress, std::uint32_t size,
                          bool (*select)(const thumb::Instruction&),
                          void (*callback)(uc_engine*, std::uint64_t, std::uint32_t, void*),
                          std::map<std::uint32_t, uc_hook>& hooks);
    std::map<std::uint32_t, uc_hook> alignmentHooks_;
    std::set<std::uint64_t> alignmentWatchedBlocks_;
    std::uint32_t coreRegister(unsigned r) const;  // R0-R14
    // The UsageFault (UNALIGNED) the load/store at `pc` takes with the registers now, if any.
    std::optional<Fault> alignmentFault(std::uint32_t pc) const;
    // From a code hook: takes `f` before the instruction at f.pc runs (precise).
    void trapBefore(Fault f);
    Cycles exceptionOverheadCycles_ = 0;
    uc_hook instructionUcHook_ = 0;
    bool sleeping_ = false;
    bool waitingForEvent_ = false;  // WFE (vs WFI)
    bool eventRegister_ = false;
    std::uint64_t exceptionsTaken_ = 0;
    std::uint32_t lastMemFaultAddress_ = 0;
    uc_mem_type lastMemFaultType_ = UC_MEM_READ;
    bool memFaulted_ = false;
};

}  // namespace cmsim
