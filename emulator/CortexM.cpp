#include "CortexM.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "CycleModel.h"
#include "FaultLocator.h"
#include "SymbolTable.h"

namespace cmsim {

namespace {
namespace cfsr {
constexpr std::uint32_t kIaccviol = 1u << 0, kMmarvalid = 1u << 7;
constexpr std::uint32_t kIbuserr = 1u << 8, kPreciserr = 1u << 9, kBfarvalid = 1u << 15;
constexpr std::uint32_t kUndefinstr = 1u << 16, kInvstate = 1u << 17, kInvpc = 1u << 18,
                        kNocp = 1u << 19, kUnaligned = 1u << 24;
}  // namespace cfsr
constexpr std::uint32_t kHfsrForced = 1u << 30;
namespace control {
constexpr std::uint32_t kNPriv = 1u << 0;
constexpr std::uint32_t kSpSel = 1u << 1;
constexpr std::uint32_t kFpca = 1u << 2;
}  // namespace control
constexpr std::uint32_t kCcrStkAlign = 1u << 9;
constexpr std::uint32_t kCcrNonBaseThrdEna = 1u << 0;
constexpr std::uint32_t kScrSleepOnExit = 1u << 1;
constexpr std::uint32_t kScrSevOnPend = 1u << 4;
constexpr std::uint32_t kFpccrLspen = 1u << 30;
constexpr std::uint32_t kXpsrT = 1u << 24;
constexpr std::uint32_t kXpsrIt = 0x0600FC00u;  // EPSR.IT[1:0] bits 26:25, IT[7:2] bits 15:10
constexpr std::uint32_t kXpsrStackAlign = 1u << 9;
// QEMU exception numbers as Unicorn's UC_HOOK_INTR reports them.
constexpr std::uint32_t kIntUndef = 1, kIntSvc = 2, kIntPrefetchAbort = 3, kIntDataAbort = 4,
                        kIntBkpt = 7, kIntExceptionExit = 8, kIntNoCp = 17, kIntInvState = 18,
                        kIntUnaligned = 22;

constexpr int kFrameRegs[] = {UC_ARM_REG_R0, UC_ARM_REG_R1,  UC_ARM_REG_R2,
                              UC_ARM_REG_R3, UC_ARM_REG_R12, UC_ARM_REG_LR};

bool isExcReturn(std::uint32_t v) { return (v & 0xFFFFFFE0u) == 0xFFFFFFE0u; }
}  // namespace

CortexM::CortexM(Deps d, const CoreConfig& config)
    : uc_(d.uc),
      bus_(d.bus),
      time_(d.time),
      events_(d.events),
      nvic_(d.nvic),
      scb_(d.scb),
      diag_(d.diag),
      signals_(d.signals),
      config_(config),
      hasFpu_(config.mvfr0 != 0),
      blockCache_(kBlockCacheSize) {
    uc_hook h;
    Unicorn::check(uc_hook_add(uc_.get(), &h, UC_HOOK_BLOCK, reinterpret_cast<void*>(&CortexM::onBlock),
                               this, 1, 0),
                   "block hook");
    Unicorn::check(uc_hook_add(uc_.get(), &h, UC_HOOK_INTR,
                               reinterpret_cast<void*>(&CortexM::onInterrupt), this, 1, 0),
                   "interrupt hook");
    Unicorn::check(uc_hook_add(uc_.get(), &h, UC_HOOK_MEM_INVALID,
                               reinterpret_cast<void*>(&CortexM::onInvalidMemory), this, 1, 0),
                   "invalid memory hook");
    nvic_.onChange([this] { recomputeAttention(); });
    events_.onHeadChanged([this] { recomputeAttention(); });
}

std::string CortexM::describePc(std::uint32_t pc) const {
    if (symbols_ != nullptr) {
        const std::string s = symbols_->describe(pc);
        if (s.rfind("0x", 0) != 0) return fmt::format("0x{:08x} ({})", pc, s);
    }
    return fmt::format("0x{:08x}", pc);
}

// ---------------------------------------------------------------------------------
// Reset
// ---------------------------------------------------------------------------------
bool CortexM::reset(std::uint32_t vectorTable, std::string* error) {
    const auto sp = bus_.readPhysical(vectorTable, 4);
    const auto pc = bus_.readPhysical(vectorTable + 4, 4);
    if (!sp || !pc) {
        *error = fmt::format("no memory at the vector table address 0x{:08x}", vectorTable);
        return false;
    }
    if ((*pc & 1u) == 0) {
        // B1.5.5: EPSR.T = vector<0>; a clear bit faults on the first instruction (INVSTATE),
        // which escalates to a lockup at reset.
        *error = fmt::format("reset vector 0x{:08x} has the Thumb bit clear: the core would lock up",
                             *pc);
        return false;
    }
    // B1.5.5 TakeReset: Thread mode, privileged, MSP, all exceptions inactive, masks clear.
    setModeState(0, 0);
    uc_.setReg(UC_ARM_REG_PRIMASK, 0);
    uc_.setReg(UC_ARM_REG_FAULTMASK, 0);
    uc_.setReg(UC_ARM_REG_BASEPRI, 0);
    uc_.setReg(UC_ARM_REG_MSP, *sp & ~3u);
    uc_.setReg(UC_ARM_REG_PSP, 0);
    uc_.setReg(UC_ARM_REG_LR, 0xFFFFFFFF);  // B1.5.5: LR = 0xFFFFFFFF (UNKNOWN on some cores)
    uc_.setReg(UC_ARM_REG_XPSR_NZCVQG, kXpsrT);
    refreshTranslatorFlags();
    resumePc_ = *pc & ~1u;
    uc_.setReg(UC_ARM_REG_PC, *pc);
    sleeping_ = false;
    eventRegister_ = false;
    pendingStop_.reset();
    return true;
}

// ---------------------------------------------------------------------------------
// Run loop
// ---------------------------------------------------------------------------------
void CortexM::requestStop(CoreStop stop) {
    if (!pendingStop_) pendingStop_ = std::move(stop);
    attention_ = 0;
}

void CortexM::fault(std::string message, std::uint32_t pc) {
    if (!pendingStop_) pendingStop_ = CoreStop{CoreStop::Reason::Fault, std::move(message), pc};
    uc_emu_stop(uc_.get());
}

void CortexM::recomputeAttention() {
    Cycles a = std::min(events_.nextDue(), runLimit_);
    if (pendingStop_ || nvic_.anyPendingEnabled() || !betweenSlices_.empty()) a = 0;
    attention_ = a;
}

PriorityMasks CortexM::readMasks() const {
    PriorityMasks m;
    m.primask = (uc_.reg(UC_ARM_REG_PRIMASK) & 1u) != 0;
    m.faultmask = (uc_.reg(UC_ARM_REG_FAULTMASK) & 1u) != 0;
    m.basepri = static_cast<std::uint8_t>(uc_.reg(UC_ARM_REG_BASEPRI));
    return m;
}

void CortexM::sleepUntilWake() {
    // B1.5.19: WFI wakes on an exception that would preempt were PRIMASK clear (and, with
    // SEVONPEND, on any newly pending one); WFE also on the event register. Time jumps
    // straight to the next event: an idle core costs nothing to simulate. Reaching the run
    // limit leaves the core asleep, so the next run continues the same sleep.
    while (true) {
        bool woken = nvic_.wouldWake(readMasks());
        if (!woken && waitingForEvent_ && eventRegister_) {
            eventRegister_ = false;
            woken = true;
        }
        if (woken) {
            sleeping_ = false;
            waitingForEvent_ = false;
            return;
        }
        if (time_.now() >= runLimit_ || pendingStop_) return;
        const Cycles before = time_.now();
        time_.advanceTo(std::min(events_.nextDue(), runLimit_));
        sleptCycles_ += time_.now() - before;
        const bool anyPendingBefore = nvic_.anyPendingEnabled();
        events_.runDue(time_.now());
        if (waitingForEvent_ && (scb_.scr() & kScrSevOnPend) != 0 && !anyPendingBefore &&
            nvic_.anyPendingEnabled()) {
            eventRegister_ = true;  // SEVONPEND: a newly pending exception is a WFE event
        }
    }
}

CoreStop CortexM::run(Cycles untilCycle) {
    runLimit_ = untilCycle;
    recomputeAttention();
    running_ = true;
    struct NotRunning {
        bool& flag;
        ~NotRunning() { flag = false; }
    } notRunning{running_};
    while (true) {
        while (!betweenSlices_.empty()) {
            auto work = std::move(betweenSlices_.front());
            betweenSlices_.erase(betweenSlices_.begin());
            work();
            recomputeAttention();
        }
        if (pendingStop_) {
            CoreStop s = std::move(*pendingStop_);
            pendingStop_.reset();
            recomputeAttention();
            return s;
        }
        if (time_.now() >= runLimit_) {
            return CoreStop{CoreStop::Reason::TimeLimit, "time limit reached", resumePc_};
        }
        if (sleeping_) {
            sleepUntilWake();
            continue;
        }
        memFaulted_ = false;
        stoppedByHook_ = false;
        const uc_err err = uc_emu_start(uc_.get(), resumePc_ | 1u, 0, 0, 0);
        const std::uint32_t pc = uc_.reg(UC_ARM_REG_PC);
        if (pendingFault_) {
            const Fault f = std::move(*pendingFault_);
            pendingFault_.reset();
            takeFault(f);
            continue;
        }
        if (pendingStop_ || stoppedByHook_) continue;  // resumePc_ set by the hook
        resumePc_ = pc;
        if (sleeping_) continue;  // SLEEPONEXIT stopped the core on exception return
        if (err == UC_ERR_OK) {
            // Unicorn returns OK on WFI with PC after it (T1 0xBF30 or T2 0xF3AF 0x8003).
            const auto hw0 = bus_.readPhysical(pc - 4, 2).value_or(0);
            const auto hw1 = bus_.readPhysical(pc - 2, 2).value_or(0);
            if (hw1 == 0xBF30 || (hw0 == 0xF3AF && hw1 == 0x8003)) {
                sleeping_ = true;
                waitingForEvent_ = false;
                continue;
            }
            fault(fmt::format("the core stopped unexpectedly at {}", describePc(pc)), pc);
            continue;
        }
        if (err == UC_ERR_INSN_INVALID) {
            // Unicorn stops on WFE, YIELD and SEV with PC after the instruction.
            const auto prev = bus_.readPhysical(pc - 2, 2).value_or(0);
            if (prev == 0xBF20) {  // WFE
                if (eventRegister_) {
                    eventRegister_ = false;
                } else {
                    sleeping_ = true;
                    waitingForEvent_ = true;
                }
                continue;
            }
            if (prev == 0xBF10) continue;  // YIELD: a hint, no effect on a single core
            if (prev == 0xBF40) {          // SEV
                eventRegister_ = true;
                continue;
            }
            time_.rewindTo(cycleOf(pc));  // the rest of the block did not run
            if ((uc_.reg(UC_ARM_REG_XPSR) & kXpsrT) == 0) {
                // A BX/BLX/POP/LDR to PC with bit 0 clear cleared EPSR.T (A2.3.2); Unicorn
                // then refuses the next instruction as invalid. On silicon it is not decoded
                // at all: UsageFault INVSTATE with the stacked PC at it (B1.4.2).
                takeFault(
                    Fault{exc::kUsageFault, cfsr::kInvstate, std::nullopt, pc,
                          "execution with the Thumb bit clear (EPSR.T = 0), after a branch to an "
                          "address with bit 0 clear"});
                continue;
            }
            const auto insn = bus_.readPhysical(pc, 2).value_or(0);
            takeFault(Fault{exc::kUsageFault, cfsr::kUndefinstr, std::nullopt, pc,
                            fmt::format("undefined instruction 0x{:04x}", insn)});
            continue;
        }
        if (memFaulted_) {
            const std::uint32_t addr = lastMemFaultAddress_;
            const std::string where = bus_.describe(addr);
            const std::string mapped = where.empty() ? " (nothing mapped there)" : " (" + where + ")";
            if (lastMemFaultType_ == UC_MEM_FETCH_UNMAPPED || lastMemFaultType_ == UC_MEM_FETCH_PROT) {
                // Instruction fetch: the default memory map makes 0x40000000-0x5FFFFFFF and
                // 0xA0000000 upwards Execute Never (B3.1.1), a MemManage IACCVIOL even
                // without an MPU; elsewhere a fetch the bus rejects is a BusFault IBUSERR.
                const bool xn = (addr >= 0x40000000u && addr < 0x60000000u) || addr >= 0xA0000000u;
                takeFault(xn ? Fault{exc::kMemManage, cfsr::kIaccviol, std::nullopt, addr,
                                     fmt::format("instruction fetch from Execute Never address 0x{:08x}{}",
                                                 addr, mapped)}
                             : Fault{exc::kBusFault, cfsr::kIbuserr, std::nullopt, addr,
                                     fmt::format("instruction bus error fetching 0x{:08x}{}", addr, mapped)});
                continue;
            }
            // Data access: find the instruction in the block that made it (precise fault).
            std::vector<std::uint8_t> block(std::min<std::uint32_t>(blockSize_, 4096));
            (void)uc_.readMemory(blockAddress_, block.data(), block.size());
            const auto insn = locateFaultingAccess(block, blockAddress_, addr, [this](unsigned r) {
                return r == 13 ? uc_.reg(UC_ARM_REG_SP) : r == 14 ? uc_.reg(UC_ARM_REG_LR)
                                                                 : uc_.reg(UC_ARM_REG_R0 + static_cast<int>(r));
            });
            const std::uint32_t faultPc = insn ? insn->pc : blockAddress_;
            if (lastMemFaultType_ == UC_MEM_WRITE_PROT && insn && readOnlyStore_ &&
                !insn->writeback && (uc_.reg(UC_ARM_REG_XPSR) & kXpsrIt) == 0 &&
                readOnlyStore_(addr, insn->bytes)) {
                // The bus took the store without an error and did not perform it; the
                // registers are as before it and it has no other effect: go on after it.
                const std::uint32_t next = insn->pc + insn->length;
                time_.rewindTo(cycleOf(next));
                resumePc_ = next;
                continue;
            }
            time_.rewindTo(cycleOf(faultPc));
            const bool write = lastMemFaultType_ == UC_MEM_WRITE_UNMAPPED || lastMemFaultType_ == UC_MEM_WRITE_PROT;
            const char* kind = lastMemFaultType_ == UC_MEM_WRITE_PROT ? "write to read-only memory"
                               : write                               ? "write"
                                                                     : "read";
            takeFault(Fault{exc::kBusFault, cfsr::kPreciserr | cfsr::kBfarvalid, addr, faultPc,
                            fmt::format("precise data bus error: {} at 0x{:08x}{} by {}", kind, addr, mapped,
                                        insn ? "\"" + insn->text + "\"" : std::string("an instruction of this block"))});
            continue;
        }
        fault(fmt::format("emulation error at {}: {}", describePc(pc), uc_strerror(err)), pc);
    }
}

// ---------------------------------------------------------------------------------
// Hooks
// ---------------------------------------------------------------------------------
void CortexM::onBlock(uc_engine*, std::uint64_t address, std::uint32_t size, void* user) {
    auto* self = static_cast<CortexM*>(user);
    const auto addr = static_cast<std::uint32_t>(address);
    self->blockAddress_ = addr;
    // One compare per block in the common case: nothing due, nothing pending.
    if (self->time_.now() >= self->attention_ && self->attend(addr)) return;
    self->blockStartCycle_ = self->time_.now();
    self->blockSize_ = size;
    const BlockCostEntry& block = self->blockInfo(addr, size);
    if (block.hasDivide && (self->scb_.ccr() & (1u << 4)) != 0 && self->watchDivides(addr, size)) {
        self->resumePc_ = addr;  // not run, not charged: it runs again once hooked
        self->stoppedByHook_ = true;
        uc_emu_stop(self->uc_.get());
        return;
    }
    self->time_.advance(block.count);
    // SEV sets the event register (B1.5.18). The block may end with a WFE, which must see
    // it, and nothing in between can consume it, so setting it at block start is exact.
    if (block.hasSev) self->eventRegister_ = true;
}

bool CortexM::attend(std::uint32_t blockAddress) {
    events_.runDue(time_.now());
    if (pendingStop_ || time_.now() >= runLimit_ || !betweenSlices_.empty()) {
        // The block does not run; the run loop resumes here later.
        resumePc_ = blockAddress;
        stoppedByHook_ = true;
        uc_emu_stop(uc_.get());
        return true;
    }
    if (nvic_.anyPendingEnabled()) {
        if (auto e = nvic_.exceptionToTake(readMasks())) {
            // Taken at this block boundary: the block is the return address, and Unicorn
            // drops it and continues at the handler.
            exceptionEntry(*e, blockAddress);
            return true;
        }
    }
    recomputeAttention();
    return false;
}

const CortexM::BlockCostEntry& CortexM::blockInfo(std::uint32_t address, std::uint32_t size) {
    BlockCostEntry& e = blockCache_[(address >> 1) & (kBlockCacheSize - 1)];
    if (e.address == address && e.size == size) return e;
    // Count Thumb instructions: a halfword whose top five bits are 0b11101, 0b11110 or
    // 0b11111 starts a 32-bit encoding (ARM ARM A5.1). IT blocks count every instruction,
    // executed or not, as on silicon.
    std::uint32_t count = 0;
    bool hasSev = false;
    bool hasDivide = false;
    std::array<std::uint8_t, 4096> buf{};
    const std::uint32_t len = std::min<std::uint32_t>(size, buf.size());
    const std::uint8_t* code = bus_.hostPointer(address, len);
    if (code == nullptr && uc_.readMemory(address, buf.data(), len)) code = buf.data();
    if (code != nullptr) {
        for (std::uint32_t i = 0; i + 1 < len;) {
            const std::uint16_t hw = static_cast<std::uint16_t>(code[i] | (code[i + 1] << 8));
            const bool wide = (hw >> 11) >= 0x1D;
            if (!wide && hw == 0xBF40) hasSev = true;  // SEV (T1)
            if (wide && hw == 0xF3AF && i + 3 < len && code[i + 2] == 0x04 && code[i + 3] == 0x80) {
                hasSev = true;  // SEV.W (T2: 0xF3AF 0x8004)
            }
            if (wide && ((hw & 0xFFF0) == 0xFB90 || (hw & 0xFFF0) == 0xFBB0)) hasDivide = true;  // SDIV/UDIV
            i += wide ? 4 : 2;
            ++count;
        }
    }
    count = std::max<std::uint32_t>(count, 1) * cycle_model::kPerInstruction;
    e = {address, size, count, hasSev, hasDivide};
    return e;
}

std::uint64_t CortexM::watchExecution(std::uint32_t address, ExecutionWatch hit) {
    auto w = std::make_unique<Watch>(Watch{this, nextWatchId_++, address & ~1u, 0, std::move(hit)});
    Unicorn::check(uc_hook_add(uc_.get(), &w->hook, UC_HOOK_CODE,
                               reinterpret_cast<void*>(&CortexM::onWatchedInstruction), w.get(),
                               w->address, w->address),
                   "code watch");
    // Hooks are compiled into translated blocks: drop any translation of this address.
    uc_ctl_remove_cache(uc_.get(), w->address, w->address + 2);
    watches_.push_back(std::move(w));
    return watches_.back()->id;
}

void CortexM::unwatchExecution(std::uint64_t id) {
    for (auto it = watches_.begin(); it != watches_.end(); ++it) {
        if ((*it)->id != id) continue;
        uc_hook_del(uc_.get(), (*it)->hook);
        (*it)->retired = true;
        retiredWatches_.push_back(std::move(*it));
        watches_.erase(it);
        return;
    }
}

void CortexM::onWatchedInstruction(uc_engine*, std::uint64_t address, std::uint32_t /*size*/,
                                   void* user) {
    auto* w = static_cast<Watch*>(user);
    if (w->retired) return;  // a removed watch, still compiled into a cached block
    CortexM* self = w->core;
    const auto addr = static_cast<std::uint32_t>(address);
    const Cycles cycle = self->cycleOf(addr);
    w->hit(addr, cycle);
}

Cycles CortexM::cycleOf(std::uint32_t address) const {
    // The block was charged at its start; an instruction inside it starts after the
    // instructions before it.
    Cycles cycle = blockStartCycle_;
    if (address > blockAddress_ && address - blockAddress_ < 4096) {
        const std::uint32_t len = address - blockAddress_;
        if (const std::uint8_t* code = bus_.hostPointer(blockAddress_, len)) {
            for (std::uint32_t i = 0; i + 1 < len;) {
                const std::uint16_t hw = static_cast<std::uint16_t>(code[i] | (code[i + 1] << 8));
                i += (hw >> 11) >= 0x1D ? 4 : 2;
                cycle += cycle_model::kPerInstruction;
            }
        }
    }
    return cycle;
}

bool CortexM::watchDivides(std::uint32_t blockAddress, std::uint32_t size) {
    std::vector<std::uint32_t> fresh;
    const std::uint8_t* code = bus_.hostPointer(blockAddress, size);
    if (code == nullptr) return false;
    for (std::uint32_t i = 0; i + 3 < size;) {
        const std::uint16_t hw = static_cast<std::uint16_t>(code[i] | (code[i + 1] << 8));
        const bool wide = (hw >> 11) >= 0x1D;
        if (wide && ((hw & 0xFFF0) == 0xFB90 || (hw & 0xFFF0) == 0xFBB0) &&
            divideHooks_.count(blockAddress + i) == 0) {
            fresh.push_back(blockAddress + i);
        }
        i += wide ? 4 : 2;
    }
    if (fresh.empty()) return false;
    // Hooks are compiled into translated blocks: add them between slices, drop this
    // block's translation, and run it again from its start (it has not run yet).
    runBetweenSlices([this, fresh] {
        for (std::uint32_t a : fresh) {
            uc_hook h = 0;
            if (uc_hook_add(uc_.get(), &h, UC_HOOK_CODE, reinterpret_cast<void*>(&CortexM::onDivide), this,
                            a, a) == UC_ERR_OK) {
                divideHooks_[a] = h;
            }
            uc_ctl_remove_cache(uc_.get(), a, a + 4);
        }
    });
    return true;
}

void CortexM::onDivide(uc_engine*, std::uint64_t address, std::uint32_t /*size*/, void* user) {
    auto* self = static_cast<CortexM*>(user);
    if ((self->scb_.ccr() & (1u << 4)) == 0) return;  // DIV_0_TRP cleared since
    const auto pc = static_cast<std::uint32_t>(address);
    const auto hw2 = self->bus_.readPhysical(pc + 2, 2).value_or(1);
    const unsigned rm = hw2 & 0xFu;  // SDIV/UDIV T1: Rm in the second halfword's low nibble
    const std::uint32_t divisor = rm == 13 ? self->uc_.reg(UC_ARM_REG_SP)
                                  : rm == 14 ? self->uc_.reg(UC_ARM_REG_LR)
                                             : self->uc_.reg(UC_ARM_REG_R0 + static_cast<int>(rm));
    if (divisor != 0) return;
    // B3.2.8 CCR.DIV_0_TRP: a precise UsageFault (DIVBYZERO) before the divide completes.
    // Taken outside emulation: halt before the instruction, then fault.
    self->pendingFault_ = Fault{exc::kUsageFault, 1u << 25, std::nullopt, pc,
                                fmt::format("integer divide by zero (r{} = 0) with CCR.DIV_0_TRP set", rm)};
    self->time_.rewindTo(self->cycleOf(pc));
    self->resumePc_ = pc;
    self->stoppedByHook_ = true;
    uc_emu_stop(self->uc_.get());
}

void CortexM::takeFault(const Fault& f) {
    ++faultsTaken_;
    // B3.2.15-B3.2.18: CFSR records the cause, BFAR/MMFAR the address when valid.
    std::uint32_t bits = f.cfsrBits;
    if (f.address && f.exception == exc::kMemManage) {
        bits |= cfsr::kMmarvalid;
        scb_.setValue(Scb::kMmfar, *f.address);
    } else if (f.address && f.exception == exc::kBusFault) {
        bits |= cfsr::kBfarvalid;
        scb_.setValue(Scb::kBfar, *f.address);
    }
    scb_.setValue(Scb::kCfsr, scb_.value(Scb::kCfsr) | bits);

    // B1.5.15: a fault that is disabled, or cannot preempt the current execution priority,
    // escalates to HardFault; if HardFault cannot be taken either (already in HardFault or
    // NMI, or FAULTMASK set) the core locks up.
    const PriorityMasks masks = readMasks();
    const int execution = nvic_.executionPriority(masks);
    unsigned taken = f.exception;
    if (!nvic_.isEnabled(f.exception) ||
        nvic_.groupPriority(nvic_.priority(f.exception)) >= execution) {
        taken = exc::kHardFault;
        scb_.setValue(Scb::kHfsr, scb_.value(Scb::kHfsr) | kHfsrForced);
    }
    const bool lockup = taken == exc::kHardFault && execution <= -1;
    const std::string name = Nvic::exceptionName(f.exception);
    FaultEvent ev{time_.now(), time_.nowPicoseconds(), f.exception, taken, lockup, f.pc,
                  scb_.value(Scb::kCfsr), scb_.value(Scb::kHfsr), f.address, f.what, 0, 0};
    if (lockup) {
        signals_.faults.publish(ev);
        pendingStop_ = CoreStop{CoreStop::Reason::Lockup,
                                fmt::format("lockup at {}: {} ({}) while the core could not take "
                                            "HardFault (priority {})",
                                            describePc(f.pc), name, f.what, execution),
                                f.pc};
        resumePc_ = f.pc;
        uc_emu_stop(uc_.get());
        return;
    }
    resumePc_ = f.pc;
    exceptionEntry(taken, f.pc);
    ev.excReturn = uc_.reg(UC_ARM_REG_LR);
    // The frame is on the stack EXC_RETURN names: PSP after a fault in Thread mode on PSP
    // (a task), MSP otherwise (B1.5.6, B1.5.8 Table B1-8).
    ev.frameAddress =
        (ev.excReturn & 0x4u) != 0 ? uc_.reg(UC_ARM_REG_PSP) : uc_.reg(UC_ARM_REG_MSP);
    ev.cycle = time_.now();
    ev.time = time_.nowPicoseconds();
    signals_.faults.publish(ev);
    if (stopOnFault_ && !pendingStop_) {
        pendingStop_ = CoreStop{CoreStop::Reason::Fault,
                                fmt::format("{}{}: {} at {}", name,
                                            taken == exc::kHardFault ? " escalated to HardFault" : "",
                                            f.what, describePc(f.pc)),
                                f.pc};
        uc_emu_stop(uc_.get());
    }
}

void CortexM::setPc(std::uint32_t pc) {
    resumePc_ = pc & ~1u;
    uc_.setReg(UC_ARM_REG_PC, pc | 1u);
}

void CortexM::haltBefore(std::uint32_t address, std::string why) {
    time_.rewindTo(cycleOf(address));
    resumePc_ = address;
    stoppedByHook_ = true;
    if (!pendingStop_) pendingStop_ = CoreStop{CoreStop::Reason::Halted, std::move(why), address};
    uc_emu_stop(uc_.get());
}

bool CortexM::takePendingException() {
    if (!nvic_.anyPendingEnabled()) return false;
    const auto e = nvic_.exceptionToTake(readMasks());
    if (!e) return false;
    exceptionEntry(*e, resumePc_);
    sleeping_ = false;
    return true;
}

void CortexM::runBetweenSlices(std::function<void()> work) {
    if (!running_) {
        work();
        return;
    }
    betweenSlices_.push_back(std::move(work));
    attention_ = 0;
}

void CortexM::setInstructionHook(InstructionHook hook) {
    runBetweenSlices([this, hook = std::move(hook)]() mutable {
        if (instructionUcHook_ != 0) {
            uc_hook_del(uc_.get(), instructionUcHook_);
            instructionUcHook_ = 0;
        }
        instructionHook_ = std::move(hook);
        if (instructionHook_) {
            Unicorn::check(uc_hook_add(uc_.get(), &instructionUcHook_, UC_HOOK_CODE,
                                       reinterpret_cast<void*>(&CortexM::onTracedInstruction), this,
                                       1, 0),
                           "instruction trace hook");
        }
        // Translated blocks carry their hooks: drop every translation. Per executable
        // region, not UC_CTL_TB_FLUSH, which resets Unicorn's whole code buffer (about
        // 1.4 s of system time per flush in 2.0.1).
        for (const auto& [base, size] : bus_.executableRanges()) {
            uc_ctl_remove_cache(uc_.get(), base, std::uint64_t{base} + size);
        }
    });
}

void CortexM::onTracedInstruction(uc_engine*, std::uint64_t address, std::uint32_t size, void* user) {
    auto* self = static_cast<CortexM*>(user);
    const auto addr = static_cast<std::uint32_t>(address);
    if (self->instructionHook_) self->instructionHook_(addr, size, self->cycleOf(addr));
}

bool CortexM::onInvalidMemory(uc_engine*, uc_mem_type type, std::uint64_t address, int /*size*/,
                              std::int64_t /*value*/, void* user) {
    auto* self = static_cast<CortexM*>(user);
    self->memFaulted_ = true;
    self->lastMemFaultType_ = type;
    self->lastMemFaultAddress_ = static_cast<std::uint32_t>(address);
    return false;  // stop: Unicorn returns the matching UC_ERR_*
}

void CortexM::onInterrupt(uc_engine*, std::uint32_t intno, void* user) {
    auto* self = static_cast<CortexM*>(user);
    const std::uint32_t pc = self->uc_.reg(UC_ARM_REG_PC);
    // Exception return arrives as EXCP_EXCEPTION_EXIT with PC = EXC_RETURN & ~1. A stale
    // translator flag can make it arrive as a prefetch abort at 0xFFFFFFFx instead.
    if (intno == kIntExceptionExit || (intno == kIntPrefetchAbort && pc >= 0xFFFFFFE0u)) {
        self->exceptionReturn(pc | 1u);
        return;
    }
    switch (intno) {
        case kIntSvc: {
            // A7.7.175: SVC makes SVCall pending and it is taken at once (a pending exception
            // of higher priority may go first). If SVCall cannot preempt the current
            // priority, it escalates to HardFault (B1.5.15); if even that cannot be taken,
            // the core locks up.
            auto& nvic = self->nvic_;
            nvic.setPending(exc::kSvCall);
            auto e = nvic.exceptionToTake(self->readMasks());
            if (!e) {
                nvic.clearPending(exc::kSvCall);
                self->diag_.firmwareMistake(
                    "core", fmt::format("SVC at {} while SVCall cannot preempt (priority or masks): "
                                        "escalated to HardFault",
                                        self->describePc(pc - 2)));
                nvic.setPending(exc::kHardFault);
                e = nvic.exceptionToTake(self->readMasks());
            }
            if (!e) {
                self->pendingStop_ = CoreStop{CoreStop::Reason::Lockup,
                                              fmt::format("lockup at {}: SVC escalated to HardFault "
                                                          "with HardFault unable to preempt",
                                                          self->describePc(pc - 2)),
                                              pc - 2};
                uc_emu_stop(self->uc_.get());
                return;
            }
            self->exceptionEntry(*e, pc);
            return;
        }
        case kIntBkpt: {
            const auto insn = self->bus_.readPhysical(pc, 2).value_or(0);
            if (self->bkptHandler_ && self->bkptHandler_(pc, static_cast<std::uint8_t>(insn & 0xFF))) {
                if (!self->pendingStop_) {
                    // Handled (semihosting): continue after the 16-bit BKPT.
                    self->uc_.setReg(UC_ARM_REG_PC, (pc + 2) | 1u);
                    self->resumePc_ = pc + 2;
                    return;
                }
                self->resumePc_ = pc + 2;
                uc_emu_stop(self->uc_.get());
                return;
            }
            self->pendingStop_ = CoreStop{CoreStop::Reason::Breakpoint,
                                          fmt::format("BKPT #0x{:02x} at {}", insn & 0xFF,
                                                      self->describePc(pc)),
                                          pc};
            self->resumePc_ = pc;
            uc_emu_stop(self->uc_.get());
            return;
        }
        case kIntUndef:
            self->time_.rewindTo(self->cycleOf(pc));
            self->takeFault(Fault{exc::kUsageFault, cfsr::kUndefinstr, std::nullopt, pc, "undefined instruction"});
            return;
        case kIntNoCp:
            self->time_.rewindTo(self->cycleOf(pc));
            self->takeFault(Fault{exc::kUsageFault, cfsr::kNocp, std::nullopt, pc,
                                  "coprocessor instruction with the coprocessor disabled"});
            return;
        case kIntInvState:
            self->time_.rewindTo(self->cycleOf(pc));
            self->takeFault(Fault{exc::kUsageFault, cfsr::kInvstate, std::nullopt, pc,
                                  "execution with the Thumb bit clear (EPSR.T = 0)"});
            return;
        case kIntUnaligned:
            self->time_.rewindTo(self->cycleOf(pc));
            self->takeFault(Fault{exc::kUsageFault, cfsr::kUnaligned, std::nullopt, pc, "unaligned access"});
            return;
        case kIntPrefetchAbort: {
            // A fetch from a mapped region that is not executable (peripheral blocks).
            // XN regions of the default memory map (B3.1.1) give MemManage IACCVIOL.
            const bool xn = (pc >= 0x40000000u && pc < 0x60000000u) || pc >= 0xA0000000u;
            const std::string where = self->bus_.describe(pc);
            self->takeFault(xn ? Fault{exc::kMemManage, cfsr::kIaccviol, std::nullopt, pc,
                                       fmt::format("instruction fetch from Execute Never address 0x{:08x}{}", pc,
                                                   where.empty() ? "" : " (" + where + ")")}
                               : Fault{exc::kBusFault, cfsr::kIbuserr, std::nullopt, pc,
                                       fmt::format("instruction bus error fetching 0x{:08x}", pc)});
            return;
        }
        case kIntDataAbort:
            self->takeFault(Fault{exc::kBusFault, cfsr::kPreciserr, std::nullopt, pc, "data abort"});
            return;
        default:
            self->fault(fmt::format("unexpected CPU exception {} at {}", intno, self->describePc(pc)),
                        pc);
    }
}

// ---------------------------------------------------------------------------------
// Exception model
// ---------------------------------------------------------------------------------
void CortexM::refreshTranslatorFlags() {
    // Unicorn 2.0.1 keeps a cached "handler mode" flag that host writes of IPSR do not
    // update; rewriting NZCV rebuilds it (see shared UNICORN.md).
    uc_.setReg(UC_ARM_REG_APSR_NZCV, uc_.reg(UC_ARM_REG_APSR_NZCV));
}

void CortexM::setModeState(std::uint32_t ipsr, std::uint32_t ctrl) {
    // Unicorn applies MSR's rules to host writes: CONTROL is read-only to unprivileged
    // Thread mode and SPSEL is ignored in Handler mode; an IPSR change swaps the banked
    // SP itself. So: first reach privileged Thread mode, set SPSEL/FPCA there, then enter
    // the target mode, then restore nPRIV.
    const std::uint32_t curIpsr = uc_.reg(UC_ARM_REG_IPSR) & 0x1FF;
    const std::uint32_t curCtrl = uc_.reg(UC_ARM_REG_CONTROL);
    if (curIpsr != 0) {
        uc_.setReg(UC_ARM_REG_CONTROL, curCtrl & ~control::kNPriv);
        uc_.setReg(UC_ARM_REG_IPSR, 0);
    } else if ((curCtrl & control::kNPriv) != 0) {
        uc_.setReg(UC_ARM_REG_IPSR, exc::kHardFault);
        uc_.setReg(UC_ARM_REG_CONTROL, curCtrl & ~control::kNPriv);
        uc_.setReg(UC_ARM_REG_IPSR, 0);
    }
    uc_.setReg(UC_ARM_REG_CONTROL, ctrl & ~control::kNPriv);
    if (ipsr != 0) uc_.setReg(UC_ARM_REG_IPSR, ipsr);
    if ((ctrl & control::kNPriv) != 0) uc_.setReg(UC_ARM_REG_CONTROL, ctrl);
}

bool CortexM::pushStack(std::uint32_t returnAddress, std::uint32_t* excReturn) {
    // B1.5.6 PushStack(ReturnAddress)
    const std::uint32_t ipsr = uc_.reg(UC_ARM_REG_IPSR) & 0x1FF;
    const std::uint32_t ctrl = uc_.reg(UC_ARM_REG_CONTROL);
    const bool threadMode = ipsr == 0;
    const bool onPsp = threadMode && (ctrl & control::kSpSel) != 0;
    const bool fpFrame = hasFpu_ && (ctrl & control::kFpca) != 0;
    const std::uint32_t frameSize = fpFrame ? 0x68 : 0x20;
    const bool forceAlign = (scb_.ccr() & kCcrStkAlign) != 0;
    const std::uint32_t sp = uc_.reg(UC_ARM_REG_SP);
    const std::uint32_t frameptralign = forceAlign ? (sp >> 2) & 1u : 0u;
    const std::uint32_t frameptr = (sp - frameSize) & ~(frameptralign << 2);

    std::array<std::uint32_t, 26> frame{};
    for (std::size_t i = 0; i < 6; ++i) frame[i] = uc_.reg(kFrameRegs[i]);
    frame[6] = returnAddress;
    frame[7] = (uc_.reg(UC_ARM_REG_XPSR) & ~kXpsrStackAlign) | (frameptralign << 9);
    if (fpFrame) {
        // S0-S15 and FPSCR. With FPCCR.LSPEN set the architecture only reserves the space
        // and saves lazily on the handler's first FP instruction; cmsim saves eagerly at
        // entry (the values are those a lazy save would write) and records FPCAR, so
        // handlers that switch contexts see the same memory and registers.
        for (int i = 0; i < 16; ++i) frame[8 + i] = uc_.reg(UC_ARM_REG_S0 + i);
        frame[24] = uc_.reg(UC_ARM_REG_FPSCR);
        frame[25] = 0;  // reserved word keeps the frame 8-byte aligned
        if ((scb_.fpccr() & kFpccrLspen) != 0) scb_.setFpcar(frameptr + 0x20);
    }
    if (!uc_.writeMemory(frameptr, frame.data(), frameSize)) {
        fault(fmt::format("stacking fault: exception frame at 0x{:08x} on {} is not writable",
                          frameptr, onPsp ? "PSP" : "MSP"),
              returnAddress);
        return false;
    }
    uc_.setReg(UC_ARM_REG_SP, frameptr);
    // B1.5.6: EXC_RETURN encodes mode, stack and frame type of the preempted context.
    std::uint32_t lr;
    if (!threadMode) lr = 0xFFFFFFF1;
    else lr = onPsp ? 0xFFFFFFFD : 0xFFFFFFF9;
    if (fpFrame) lr &= ~0x10u;
    *excReturn = lr;
    return true;
}

void CortexM::exceptionTaken(unsigned n, std::uint32_t excReturn) {
    // B1.5.6 ExceptionTaken(ExceptionNumber)
    const std::uint32_t vectorAddr = scb_.vtor() + 4 * n;
    const auto vector = bus_.readPhysical(vectorAddr, 4);
    if (!vector) {
        fault(fmt::format("vector fetch for {} from 0x{:08x} failed (VTOR 0x{:08x})",
                          Nvic::exceptionName(n), vectorAddr, scb_.vtor()),
              resumePc_);
        return;
    }
    if ((*vector & 1u) == 0) {
        fault(fmt::format("UsageFault (INVSTATE): vector for {} is 0x{:08x}, Thumb bit clear",
                          Nvic::exceptionName(n), *vector),
              *vector);
        return;
    }
    const std::uint32_t ctrl = uc_.reg(UC_ARM_REG_CONTROL);
    // CurrentMode = Handler; IPSR = n; CONTROL.SPSEL = 0; CONTROL.FPCA = 0.
    setModeState(n, ctrl & ~(control::kSpSel | control::kFpca));
    // EPSR.T = vector<0>, EPSR.IT = 0; APSR is UNKNOWN and left as it was.
    const std::uint32_t apsr = uc_.reg(UC_ARM_REG_XPSR) & 0xF80F0000u;
    uc_.setReg(UC_ARM_REG_XPSR_NZCVQG, apsr | kXpsrT | n);
    refreshTranslatorFlags();
    uc_.setReg(UC_ARM_REG_LR, excReturn);
    uc_.setReg(UC_ARM_REG_PC, *vector | 1u);
    resumePc_ = *vector & ~1u;  // where the run loop restarts if entry happened outside it
    nvic_.clearPending(n);
    nvic_.setActive(n, true);
    eventRegister_ = true;  // SetEventRegister()
    ++exceptionsTaken_;
}

void CortexM::exceptionEntry(unsigned n, std::uint32_t returnAddress) {
    std::uint32_t excReturn = 0;
    if (!pushStack(returnAddress, &excReturn)) return;
    const std::uint32_t frameAddr = uc_.reg(UC_ARM_REG_SP);
    exceptionTaken(n, excReturn);
    time_.advance(cycle_model::kExceptionEntry);
    exceptionOverheadCycles_ += cycle_model::kExceptionEntry;
    if (signals_.exceptions.hasListeners()) {
        const Cycles now = time_.now();
        signals_.exceptions.publish(ExceptionEvent{ExceptionEvent::Kind::Entry, now,
                                                   time_.nowPicoseconds(), n, returnAddress,
                                                   excReturn, frameAddr,
                                                   now - std::min(now, nvic_.pendedAt(n))});
    }
    recomputeAttention();
}

void CortexM::exceptionReturn(std::uint32_t excReturn) {
    // B1.5.8 ExceptionReturn(EXC_RETURN)
    const std::uint32_t returning = uc_.reg(UC_ARM_REG_IPSR) & 0x1FF;
    const std::uint32_t pcForReport = blockAddress_;
    if (!isExcReturn(excReturn) || returning == 0) {
        fault(fmt::format("UsageFault (INVPC): exception return with 0x{:08x} outside Handler mode",
                          excReturn),
              pcForReport);
        return;
    }
    const std::uint32_t kind = excReturn & 0xFu;
    const bool toHandler = kind == 0x1;
    const bool toThreadMsp = kind == 0x9;
    const bool toThreadPsp = kind == 0xD;
    if (!(toHandler || toThreadMsp || toThreadPsp) || (!hasFpu_ && (excReturn & 0x10u) == 0)) {
        fault(fmt::format("UsageFault (INVPC): invalid EXC_RETURN 0x{:08x} returning from {}",
                          excReturn, Nvic::exceptionName(returning)),
              pcForReport);
        return;
    }
    if (!nvic_.isActive(returning)) {
        fault(fmt::format("UsageFault (INVPC): return from {} which is not active",
                          Nvic::exceptionName(returning)),
              pcForReport);
        return;
    }
    const unsigned nested = nvic_.activeCount();
    if (toHandler && nested == 1) {
        fault(fmt::format("UsageFault (INVPC): EXC_RETURN 0x{:08x} returns to Handler mode but no "
                          "other exception is active",
                          excReturn),
              pcForReport);
        return;
    }
    if (!toHandler && nested != 1 && (scb_.ccr() & kCcrNonBaseThrdEna) == 0) {
        fault(fmt::format("UsageFault (INVPC): EXC_RETURN 0x{:08x} returns to Thread mode with {} "
                          "exceptions active (CCR.NONBASETHRDENA=0)",
                          excReturn, nested),
              pcForReport);
        return;
    }
    // DeActivate(ReturningExceptionNumber): FAULTMASK clears except on return from NMI.
    nvic_.setActive(returning, false);
    if (returning != exc::kNmi) uc_.setReg(UC_ARM_REG_FAULTMASK, 0);

    // The frame PopStack would use (B1.5.8): on PSP for a return to Thread mode on PSP.
    const std::uint32_t frameptr = toThreadPsp ? uc_.reg(UC_ARM_REG_PSP) : uc_.reg(UC_ARM_REG_MSP);

    // Tail-chaining (B1.5.12): a pending exception that can preempt the context being
    // returned to is taken without unstacking and restacking; the frame and EXC_RETURN
    // stay as they are.
    if (nvic_.anyPendingEnabled()) {
        if (auto next = nvic_.exceptionToTake(readMasks())) {
            exceptionTaken(*next, excReturn);
            time_.advance(cycle_model::kTailChain);
            exceptionOverheadCycles_ += cycle_model::kTailChain;
            if (signals_.exceptions.hasListeners()) {
                const Cycles now = time_.now();
                signals_.exceptions.publish(ExceptionEvent{
                    ExceptionEvent::Kind::TailChain, now, time_.nowPicoseconds(), *next, 0,
                    excReturn, frameptr, now - std::min(now, nvic_.pendedAt(*next))});
            }
            recomputeAttention();
            return;
        }
    }

    // PopStack(frameptr, EXC_RETURN)
    const bool fpFrame = (excReturn & 0x10u) == 0;
    const std::uint32_t frameSize = fpFrame ? 0x68 : 0x20;
    std::array<std::uint32_t, 26> frame{};
    if (!uc_.readMemory(frameptr, frame.data(), frameSize)) {
        fault(fmt::format("unstacking fault: exception frame at 0x{:08x} on {} is not readable",
                          frameptr, toThreadPsp ? "PSP" : "MSP"),
              pcForReport);
        return;
    }
    for (std::size_t i = 0; i < 6; ++i) uc_.setReg(kFrameRegs[i], frame[i]);
    std::uint32_t pc = frame[6];
    const std::uint32_t psr = frame[7];
    if ((pc & 1u) != 0) {
        // Kernels often stack a task's function pointer (Thumb bit set) as the initial PC.
        // The ARM ARM calls this UNPREDICTABLE; Cortex-M3/M4/M7 silicon ignores bit 0.
        diag_.firmwareMistakeOnce(
            "stacked-pc-thumb-bit", "core",
            fmt::format("exception return to a stacked PC with bit 0 set (0x{:08x}, {}): "
                        "UNPREDICTABLE in the ARM ARM, ignored by Cortex-M silicon and by cmsim",
                        pc, describePc(pc & ~1u)));
        pc &= ~1u;
    }
    if (fpFrame) {
        for (int i = 0; i < 16; ++i) uc_.setReg(UC_ARM_REG_S0 + i, frame[8 + i]);
        uc_.setReg(UC_ARM_REG_FPSCR, frame[24]);
    }
    const bool forceAlign = (scb_.ccr() & kCcrStkAlign) != 0;
    const std::uint32_t spmask = (((psr >> 9) & 1u) != 0 && forceAlign) ? 4u : 0u;
    const std::uint32_t newSp = (frameptr + frameSize) | spmask;
    if (toThreadPsp) uc_.setReg(UC_ARM_REG_PSP, newSp);
    else uc_.setReg(UC_ARM_REG_MSP, newSp);

    const std::uint32_t newIpsr = psr & 0x1FF;
    if (toHandler ? newIpsr == 0 : newIpsr != 0) {
        fault(fmt::format("UsageFault (INVPC): stacked IPSR {} does not match EXC_RETURN 0x{:08x}",
                          newIpsr, excReturn),
              pc);
        return;
    }
    const std::uint32_t curCtrl = uc_.reg(UC_ARM_REG_CONTROL);
    std::uint32_t ctrl = curCtrl & control::kNPriv;
    if (toThreadPsp) ctrl |= control::kSpSel;
    if (fpFrame) ctrl |= control::kFpca;  // CONTROL.FPCA = NOT(EXC_RETURN<4>)
    setModeState(newIpsr, ctrl);
    uc_.setReg(UC_ARM_REG_XPSR_NZCVQG, psr & ~kXpsrStackAlign);
    refreshTranslatorFlags();
    uc_.setReg(UC_ARM_REG_PC, pc | 1u);
    resumePc_ = pc;
    eventRegister_ = true;
    time_.advance(cycle_model::kExceptionReturn);
    exceptionOverheadCycles_ += cycle_model::kExceptionReturn;
    if ((psr & kXpsrT) == 0) {
        // The return completes; the first instruction then faults (B1.4.2, INVSTATE).
        takeFault(Fault{exc::kUsageFault, cfsr::kInvstate, std::nullopt, pc,
                        fmt::format("exception return with xPSR.T clear (stacked xPSR 0x{:08x})", psr)});
        return;
    }
    if (signals_.exceptions.hasListeners()) {
        signals_.exceptions.publish(ExceptionEvent{ExceptionEvent::Kind::Return, time_.now(),
                                                   time_.nowPicoseconds(), returning, pc, excReturn,
                                                   frameptr});
    }
    if (!toHandler && (scb_.scr() & kScrSleepOnExit) != 0) {
        // SLEEPONEXIT: back in Thread mode the core sleeps at once (B1.5.19).
        sleeping_ = true;
        waitingForEvent_ = false;
        resumePc_ = pc;
        pendingStop_.reset();
        uc_emu_stop(uc_.get());
    }
    recomputeAttention();
}

}  // namespace cmsim
