#include "CortexM.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include "CycleModel.h"
#include "FaultBits.h"
#include "FaultLocator.h"
#include "SymbolTable.h"

namespace cmsim {

namespace {
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

// A block of NOPs ending in an unconditional branch to the block's own start: B<c> T2
// (0xE000 | imm11) or B.W T4, ARM ARM A7.7.12. Nothing in it reads or writes memory,
// registers or flags, so every iteration leaves the core in the same state.
bool isIdleLoop(const std::uint8_t* code, std::uint32_t len, std::uint32_t address) {
    std::uint32_t i = 0;
    auto half = [&](std::uint32_t at) { return static_cast<std::uint32_t>(code[at] | (code[at + 1] << 8)); };
    while (i + 1 < len && half(i) == 0xBF00) i += 2;  // NOP (T1)
    if (i + 2 == len && (half(i) & 0xF800) == 0xE000) {
        std::int32_t imm = static_cast<std::int32_t>(half(i) & 0x7FF) << 21 >> 20;  // SignExtend(imm11:'0')
        return address + i + 4 + static_cast<std::uint32_t>(imm) == address;
    }
    if (i + 4 == len && (half(i) & 0xF800) == 0xF000 && (half(i + 2) & 0xD000) == 0x9000) {
        const std::uint32_t h1 = half(i), h2 = half(i + 2);
        const std::uint32_t s = (h1 >> 10) & 1, j1 = (h2 >> 13) & 1, j2 = (h2 >> 11) & 1;
        const std::uint32_t i1 = ~(j1 ^ s) & 1, i2 = ~(j2 ^ s) & 1;
        const std::uint32_t imm25 = (s << 24) | (i1 << 23) | (i2 << 22) | ((h1 & 0x3FF) << 12) | ((h2 & 0x7FF) << 1);
        const auto imm = static_cast<std::int32_t>(imm25 << 7) >> 7;
        return address + i + 4 + static_cast<std::uint32_t>(imm) == address;
    }
    return false;
}
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
    // One batch call: read on every exception entry, return and wake-up.
    static constexpr int kIds[] = {UC_ARM_REG_PRIMASK, UC_ARM_REG_FAULTMASK, UC_ARM_REG_BASEPRI};
    std::uint32_t v[3] = {};
    void* out[3] = {&v[0], &v[1], &v[2]};
    uc_reg_read_batch(uc_.get(), const_cast<int*>(kIds), out, 3);
    PriorityMasks m;
    m.primask = (v[0] & 1u) != 0;
    m.faultmask = (v[1] & 1u) != 0;
    m.basepri = static_cast<std::uint8_t>(v[2]);
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
    // The hottest host code: called before every translated block. The common case
    // (nothing due or pending, block known and plain, no CCR trap) is one compare against
    // attention_, one cache probe and an add; everything else is a tail call, so the fast
    // path saves no registers.
    auto* self = static_cast<CortexM*>(user);
    const auto addr = static_cast<std::uint32_t>(address);
    const Cycles now = self->time_.now();
    const BlockCostEntry& cached = self->blockCache_[(addr >> 1) & (kBlockCacheSize - 1)];
    self->blockAddress_ = addr;
    if (now < self->attention_ && cached.address == addr && cached.size == size && !cached.special &&
        (self->scb_.ccr() & (kCcrDiv0Trp | kCcrUnalignTrp)) == 0) [[likely]] {
        self->blockStartCycle_ = now;
        self->blockSize_ = size;
        self->time_.advance(cached.count);
        return;
    }
    self->onUncommonBlock(addr, size);
}

void CortexM::onUncommonBlock(std::uint32_t addr, std::uint32_t size) {
    if (time_.now() >= attention_ && attend(addr)) return;
    blockStartCycle_ = time_.now();
    blockSize_ = size;
    BlockCostEntry& block = blockInfo(addr, size);
    if (block.hasSleep && !block.sleepHooked) {
        // WFI/WFE sleep inside emulation: see onSleepInstruction.
        const bool queued = hookInstructions(addr, size, thumb::isSleep, &CortexM::onSleepInstruction,
                                             sleepHooks_);
        block.sleepHooked = !queued;
        block.special = block.isSpecial();
        if (queued) {
            resumePc_ = addr;  // not run, not charged: it runs again once hooked
            stoppedByHook_ = true;
            uc_emu_stop(uc_.get());
            return;
        }
    }
    if ((scb_.ccr() & (kCcrDiv0Trp | kCcrUnalignTrp)) != 0 &&
        watchTraps(addr, size, block.hasDivide)) {
        resumePc_ = addr;  // not run, not charged: it runs again once hooked
        stoppedByHook_ = true;
        uc_emu_stop(uc_.get());
        return;
    }
    if (block.idleLoop && skipIdleLoops_ && watches_.empty() && !instructionHook_) {
        time_.advance(skipIdleLoop(addr, block.count));
        return;
    }
    time_.advance(block.count);
    // SEV sets the event register (B1.5.18). The block may end with a WFE, which must see
    // it, and nothing in between can consume it, so setting it at block start is exact.
    if (block.hasSev) eventRegister_ = true;
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
        noteHeldOff(blockAddress);
    }
    recomputeAttention();
    return false;
}

void CortexM::noteHeldOff(std::uint32_t blockAddress) {
    // Runaway with interrupts off: an exception pending for kHeldOffLimit without being
    // taken means the core runs with PRIMASK/FAULTMASK/BASEPRI (or a long handler) in the
    // way: a loop waiting for something that cannot happen, or a lost tick at best. Said
    // once per pending episode, naming where the core is.
    const auto e = nvic_.highestPending();
    if (!e) return;
    const Cycles since = nvic_.pendedAt(*e);
    if (since == heldOffReportedFor_) return;
    const Picoseconds waited = time_.nowPicoseconds() - time_.toPicoseconds(since);
    if (waited < kHeldOffLimit) return;
    heldOffReportedFor_ = since;
    if (noProgressReportedAt_ == blockAddress) return;  // the idle-loop report said it
    const PriorityMasks masks = readMasks();
    const std::uint32_t ipsr = uc_.reg(UC_ARM_REG_IPSR) & 0x1FF;
    std::string why = masks.faultmask ? "FAULTMASK set"
                      : masks.primask ? "PRIMASK set"
                      : masks.basepri != 0
                          ? fmt::format("BASEPRI 0x{:02x}", masks.basepri)
                          : "in " + Nvic::exceptionName(ipsr);
    diag_.firmwareMistake(
        "core", fmt::format("no progress: {} has been pending for {} ms without being taken (execution priority {}, "
                            "{}); the core is running at {}",
                            Nvic::exceptionName(*e), waited / 1'000'000'000, nvic_.executionPriority(masks), why,
                            describePc(blockAddress)));
}

CortexM::BlockCostEntry& CortexM::blockInfo(std::uint32_t address, std::uint32_t size) {
    BlockCostEntry& e = blockCache_[(address >> 1) & (kBlockCacheSize - 1)];
    if (e.address == address && e.size == size) return e;
    // IT blocks count every instruction, executed or not, as on silicon.
    std::uint32_t count = 0;
    bool hasSev = false;
    bool hasDivide = false;
    bool hasSleep = false;
    std::array<std::uint8_t, 4096> buf{};
    const std::uint32_t len = std::min<std::uint32_t>(size, buf.size());
    const std::uint8_t* code = bus_.hostPointer(address, len);
    if (code == nullptr && uc_.readMemory(address, buf.data(), len)) code = buf.data();
    if (code != nullptr) {
        thumb::forEachInstruction(code, len, [&](const thumb::Instruction& n) {
            hasSev = hasSev || thumb::isSev(n);
            hasDivide = hasDivide || thumb::isDivide(n);
            hasSleep = hasSleep || thumb::isSleep(n);
            ++count;
        });
    }
    const bool idleLoop = code != nullptr && isIdleLoop(code, len, address);
    count = std::max<std::uint32_t>(count, 1) * cycle_model::kPerInstruction;
    // Whether the sleep hook is in place is found on the block's first run (onUncommonBlock).
    e = {address, size, count, hasSev, hasDivide, hasSleep, false, idleLoop};
    e.special = e.isSpecial();
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
            thumb::forEachInstruction(code, len,
                                      [&](const thumb::Instruction&) { cycle += cycle_model::kPerInstruction; });
        }
    }
    return cycle;
}

bool CortexM::watchDivides(std::uint32_t blockAddress, std::uint32_t size) {
    // SDIV/UDIV (T1: 0xFB90/0xFBB0 with Rn in the low nibble).
    return hookInstructions(blockAddress, size, thumb::isDivide, &CortexM::onDivide, divideHooks_);
}

void CortexM::onDivide(uc_engine*, std::uint64_t address, std::uint32_t /*size*/, void* user) {
    auto* self = static_cast<CortexM*>(user);
    if ((self->scb_.ccr() & kCcrDiv0Trp) == 0) return;  // DIV_0_TRP cleared since
    const auto pc = static_cast<std::uint32_t>(address);
    const auto hw2 = self->bus_.readPhysical(pc + 2, 2).value_or(1);
    const unsigned rm = hw2 & 0xFu;  // SDIV/UDIV T1: Rm in the second halfword's low nibble
    const std::uint32_t divisor = self->coreRegister(rm);
    if (divisor != 0) return;
    // B3.2.8 CCR.DIV_0_TRP: a precise UsageFault (DIVBYZERO) before the divide completes.
    self->trapBefore(
        Fault{exc::kUsageFault, cfsr::kDivbyzero, std::nullopt, pc,
              fmt::format("integer divide by zero (r{} = 0) with CCR.DIV_0_TRP set", rm)});
}

Cycles CortexM::skipIdleLoop(std::uint32_t address, Cycles n) {
    // The block hook has just found no exception to take at this iteration's start. Until
    // the next event nothing can change that: the loop touches no state, and masks change
    // only by executing instructions. Iterations start every n cycles; the first one at or
    // after the next event (or the run limit) is where the normal path would next look,
    // so jumping there gives the same cycles as running every iteration.
    const Cycles now = time_.now();
    const Cycles target = std::min(events_.nextDue(), runLimit_);
    Cycles charge = n;
    if (target > now + n) {
        const Cycles iterations = (target - now + n - 1) / n;
        charge = iterations * n;
        skippedIdleCycles_ += charge - n;
    }
    // No progress: nothing but NMI or a fault can leave this loop (execution priority
    // boosted to 0 or below by PRIMASK/FAULTMASK, or the loop is in HardFault/NMI): a
    // lock-up in all but name. Said once per loop; the run goes on to --for. (A loop with
    // interrupts open and nothing scheduled, like the `for (;;) {}` ending many test
    // programs, is not reported: an interrupt could still be configured by a debugger.)
    const PriorityMasks masks = readMasks();
    const int execution = nvic_.executionPriority(masks);
    if (execution <= 0 && noProgressReportedAt_ != address) {
        noProgressReportedAt_ = address;
        const std::uint32_t ipsr = uc_.reg(UC_ARM_REG_IPSR) & 0x1FF;
        const std::string mode = ipsr == 0 ? std::string("Thread mode") : Nvic::exceptionName(ipsr) + " handler";
        const char* boost = masks.faultmask ? "FAULTMASK set" : masks.primask ? "PRIMASK set" : nullptr;
        diag_.firmwareMistake(
            "core", fmt::format("no progress: the core spins at {} in {} at execution priority {} ({}): no "
                                "interrupt can preempt it; simulated time runs on to the end of the run",
                                describePc(address), mode, execution,
                                boost != nullptr ? std::string(boost) : "in " + Nvic::exceptionName(ipsr)));
    }
    return charge;
}

void CortexM::onSleepInstruction(uc_engine*, std::uint64_t address, std::uint32_t size, void* user) {
    auto* self = static_cast<CortexM*>(user);
    const auto pc = static_cast<std::uint32_t>(address);
    const bool wide = size == 4;
    const auto hw1 = static_cast<std::uint16_t>(self->bus_.readPhysical(pc, 2).value_or(0));
    const auto hw2 = static_cast<std::uint16_t>(wide ? self->bus_.readPhysical(pc + 2, 2).value_or(0) : 0);
    const bool wfe = thumb::isWfe(thumb::Instruction{0, hw1, hw2, wide});
    const std::uint32_t next = pc + size;
    // B1.5.19: WFE with the event register set clears it and completes at once.
    if (wfe && self->eventRegister_) {
        self->eventRegister_ = false;
        self->setPc(next);  // Unicorn leaves the block before the WFE and continues at `next`
        return;
    }
    // The block holding the WFI/WFE was charged in full at its start, as when Unicorn
    // returns from uc_emu_start on it: the sleep starts at the same cycle either way.
    self->sleeping_ = true;
    self->waitingForEvent_ = wfe;
    self->resumePc_ = next;
    self->sleepUntilWake();
    if (self->sleeping_ || self->pendingStop_ || !self->betweenSlices_.empty()) {
        // Still asleep at the run limit (or the host wants the core): stop before the
        // instruction; the run loop continues the sleep from resumePc_.
        self->stoppedByHook_ = true;
        uc_emu_stop(self->uc_.get());
        return;
    }
    // Woken: take the waking exception here, as at the next block boundary, with the
    // instruction after the WFI as the return address; without one (PRIMASK set), go on
    // after the WFI.
    if (self->nvic_.anyPendingEnabled()) {
        if (auto e = self->nvic_.exceptionToTake(self->readMasks())) {
            self->exceptionEntry(*e, next);
            return;
        }
    }
    self->setPc(next);
    self->recomputeAttention();
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
    // Only in Handler mode, and not when the PC was just set by the host (a vector or a
    // stacked PC of 0xFFFFFFxx): that is a fetch from the XN System region.
    if (intno == kIntExceptionExit || (intno == kIntPrefetchAbort && pc >= 0xFFFFFFE0u &&
                                       pc != self->resumePc_ && self->ipsr() != 0)) {
        // Bit 0 of the value loaded into the PC went to EPSR.T; it is part of EXC_RETURN.
        const std::uint32_t t = (self->uc_.reg(UC_ARM_REG_XPSR) & kXpsrT) != 0 ? 1u : 0u;
        self->exceptionReturn(pc | t);
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
            // Unicorn checks alignment only for LDREX/STREX; an unaligned one arrives as a
            // data abort with the PC at it: UsageFault UNALIGNED (A3.2.1).
            self->time_.rewindTo(self->cycleOf(pc));
            self->takeFault(self->alignmentFault(pc).value_or(
                Fault{exc::kBusFault, cfsr::kPreciserr, std::nullopt, pc, "data abort"}));
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
    // Every register write costs 10-30 ns, so writes that change nothing are skipped.
    const std::uint32_t curIpsr = uc_.reg(UC_ARM_REG_IPSR) & 0x1FF;
    std::uint32_t curCtrl = uc_.reg(UC_ARM_REG_CONTROL);
    if (curIpsr != 0 && ipsr != 0 && (ctrl & control::kSpSel) == 0) {
        // Handler to Handler (tail-chain, nested return): privileged throughout, SPSEL is
        // 0 in Handler mode, so CONTROL and IPSR can be written as they are.
        if (curCtrl != ctrl) uc_.setReg(UC_ARM_REG_CONTROL, ctrl);
        if (curIpsr != ipsr) uc_.setReg(UC_ARM_REG_IPSR, ipsr);
        return;
    }
    if (curIpsr != 0) {
        if ((curCtrl & control::kNPriv) != 0) uc_.setReg(UC_ARM_REG_CONTROL, curCtrl & ~control::kNPriv);
        uc_.setReg(UC_ARM_REG_IPSR, 0);
        curCtrl &= ~control::kNPriv;
    } else if ((curCtrl & control::kNPriv) != 0) {
        uc_.setReg(UC_ARM_REG_IPSR, exc::kHardFault);
        uc_.setReg(UC_ARM_REG_CONTROL, curCtrl & ~control::kNPriv);
        uc_.setReg(UC_ARM_REG_IPSR, 0);
        curCtrl &= ~control::kNPriv;
    }
    if ((ctrl & ~control::kNPriv) != curCtrl) uc_.setReg(UC_ARM_REG_CONTROL, ctrl & ~control::kNPriv);
    if (ipsr != 0) uc_.setReg(UC_ARM_REG_IPSR, ipsr);
    if ((ctrl & control::kNPriv) != 0) uc_.setReg(UC_ARM_REG_CONTROL, ctrl);
}

CortexM::StackContext CortexM::currentContext() const {
    const std::uint32_t ipsr = uc_.reg(UC_ARM_REG_IPSR) & 0x1FF;
    const std::uint32_t ctrl = uc_.reg(UC_ARM_REG_CONTROL);
    const bool threadMode = ipsr == 0;
    return StackContext{threadMode, threadMode && (ctrl & control::kSpSel) != 0,
                        hasFpu_ && (ctrl & control::kFpca) != 0, uc_.reg(UC_ARM_REG_SP),
                        uc_.reg(UC_ARM_REG_XPSR)};
}

std::uint32_t CortexM::pushFrame(const StackContext& ctx, std::uint32_t returnAddress,
                                 bool* complete) {
    // B1.5.6 PushStack(ReturnAddress)
    const std::uint32_t frameSize = ctx.fpFrame ? 0x68 : 0x20;
    const bool forceAlign = (scb_.ccr() & kCcrStkAlign) != 0;
    const std::uint32_t frameptralign = forceAlign ? (ctx.sp >> 2) & 1u : 0u;
    const std::uint32_t frameptr = (ctx.sp - frameSize) & ~(frameptralign << 2);

    std::array<std::uint32_t, 26> frame{};
    for (std::size_t i = 0; i < 6; ++i) frame[i] = uc_.reg(kFrameRegs[i]);
    frame[6] = returnAddress;
    frame[7] = (ctx.xpsr & ~kXpsrStackAlign) | (frameptralign << 9);
    if (ctx.fpFrame) {
        // S0-S15 and FPSCR. With FPCCR.LSPEN set the architecture only reserves the space
        // and saves lazily on the handler's first FP instruction; cmsim saves eagerly at
        // entry (the values are those a lazy save would write) and records FPCAR, so
        // handlers that switch contexts see the same memory and registers.
        for (int i = 0; i < 16; ++i) frame[8 + i] = uc_.reg(UC_ARM_REG_S0 + i);
        frame[24] = uc_.reg(UC_ARM_REG_FPSCR);
        frame[25] = 0;  // reserved word keeps the frame 8-byte aligned
        if ((scb_.fpccr() & kFpccrLspen) != 0) scb_.setFpcar(frameptr + 0x20);
    }
    // Host writes ignore Unicorn's protection: a frame that is not all RAM (or peripheral)
    // is written word by word as the core would, the words that fault being lost. A frame
    // in RAM goes straight to its host buffer: uc_mem_write would pay a TB-invalidation page
    // walk (malloc + tree) per call, the largest cost of an exception entry.
    if (std::uint8_t* ram = bus_.ramPointer(frameptr, frameSize)) {
        std::memcpy(ram, frame.data(), frameSize);  // little-endian host, as the core
        *complete = true;
        return frameptr;
    }
    *complete = bus_.writableByCore(frameptr, frameSize);
    if (*complete) {
        *complete = uc_.writeMemory(frameptr, frame.data(), frameSize);
    } else {
        for (std::uint32_t i = 0; i < frameSize / 4; ++i)
            (void)stackWrite(frameptr + 4 * i, frame[i]);
    }
    return frameptr;
}

bool CortexM::stackWrite(std::uint32_t address, std::uint32_t value) {
    return bus_.writableByCore(address, 4) && uc_.writeMemory(address, &value, 4);
}

bool CortexM::exceptionEntry(unsigned n, std::uint32_t returnAddress) {
    const StackContext ctx = currentContext();
    bool complete = true;
    const std::uint32_t frameAddr = pushFrame(ctx, returnAddress, &complete);
    // The Cortex-M4 Devices Generic User Guide (4.3.10, BFSR.STKERR): on a stacking bus
    // error "the SP is still adjusted" and the frame may be incorrect.
    uc_.setReg(UC_ARM_REG_SP, frameAddr);
    // B1.5.6: EXC_RETURN encodes mode, stack and frame type of the preempted context.
    std::uint32_t excReturn = !ctx.threadMode ? 0xFFFFFFF1 : ctx.onPsp ? 0xFFFFFFFD : 0xFFFFFFF9;
    if (ctx.fpFrame) excReturn &= ~0x10u;
    if (!complete) {
        const auto derived = stackingFault(n, returnAddress, frameAddr, excReturn);
        if (!derived) return false;  // lockup
        n = *derived;
    }
    const auto taken = exceptionTaken(n, excReturn);
    if (!taken) return false;  // lockup on a vector read error
    time_.advance(cycle_model::kExceptionEntry);
    exceptionOverheadCycles_ += cycle_model::kExceptionEntry;
    if (signals_.exceptions.hasListeners()) {
        const Cycles now = time_.now();
        signals_.exceptions.publish(ExceptionEvent{
            ExceptionEvent::Kind::Entry, now, time_.nowPicoseconds(), *taken, returnAddress,
            excReturn, frameAddr, now - std::min(now, nvic_.pendedAt(*taken))});
    }
    recomputeAttention();
    raiseEntryFault();
    return true;
}

std::optional<unsigned> CortexM::exceptionTaken(unsigned n, std::uint32_t excReturn) {
    // B1.5.6 ExceptionTaken(ExceptionNumber)
    const std::uint32_t vectorAddr = scb_.vtor() + 4 * n;
    const auto vector = bus_.readPhysical(vectorAddr, 4);
    if (!vector) return vectorFault(n, vectorAddr, excReturn);
    const std::uint32_t ctrl = uc_.reg(UC_ARM_REG_CONTROL);
    // CurrentMode = Handler; IPSR = n; CONTROL.SPSEL = 0; CONTROL.FPCA = 0.
    setModeState(n, ctrl & ~(control::kSpSel | control::kFpca));
    // EPSR.T = vector<0>, EPSR.IT = 0; APSR is UNKNOWN and left as it was.
    const bool thumb = (*vector & 1u) != 0;
    const std::uint32_t apsr = uc_.reg(UC_ARM_REG_XPSR) & 0xF80F0000u;
    uc_.setReg(UC_ARM_REG_XPSR_NZCVQG, apsr | (thumb ? kXpsrT : 0u) | n);
    refreshTranslatorFlags();
    uc_.setReg(UC_ARM_REG_LR, excReturn);
    uc_.setReg(UC_ARM_REG_PC, thumb ? *vector : *vector & ~1u);
    resumePc_ = *vector & ~1u;  // where the run loop restarts if entry happened outside it
    nvic_.clearPending(n);
    nvic_.setActive(n, true);
    eventRegister_ = true;  // SetEventRegister()
    ++exceptionsTaken_;
    if (!thumb) {
        // EPSR.T = 0: the handler's first instruction faults (INVSTATE, B1.4.2) before it
        // executes. Taken by the caller once this entry is complete (raiseEntryFault).
        entryFault_ =
            Fault{exc::kUsageFault, cfsr::kInvstate, std::nullopt, resumePc_,
                  fmt::format("vector for {} at 0x{:08x} is 0x{:08x}, Thumb bit clear: the "
                              "handler's first instruction executes with EPSR.T = 0",
                              Nvic::exceptionName(n), vectorAddr, *vector)};
    }
    return n;
}

void CortexM::raiseEntryFault() {
    if (!entryFault_) return;
    const Fault f = std::move(*entryFault_);
    entryFault_.reset();
    takeFault(f);
}

void CortexM::deActivate(unsigned returning) {
    // B1.5.8 DeActivate(): FAULTMASK clears except on return from NMI.
    nvic_.setActive(returning, false);
    if (returning != exc::kNmi) uc_.setReg(UC_ARM_REG_FAULTMASK, 0);
}

std::uint32_t CortexM::returnInstruction() const {
    // A write to the PC ends a translated block: the return is the block's last instruction.
    std::uint32_t last = blockAddress_;
    if (const std::uint8_t* code = bus_.hostPointer(blockAddress_, blockSize_)) {
        thumb::forEachInstruction(code, blockSize_,
                                  [&](const thumb::Instruction& n) { last = blockAddress_ + n.offset; });
    }
    return last;
}

void CortexM::invalidReturn(unsigned returning, std::uint32_t excReturn, std::string why) {
    // B1.5.8: DeActivate(ReturningExceptionNumber); UFSR.INVPC = 1;
    // LR = 0xF0000000 + EXC_RETURN; ExceptionTaken(UsageFault) -- no stacking.
    deActivate(returning);
    takeFaultChained(
        Fault{exc::kUsageFault, cfsr::kInvpc, std::nullopt, returnInstruction(),
              fmt::format("invalid exception return (INVPC): EXC_RETURN 0x{:08x} from {}: {}",
                          excReturn, Nvic::exceptionName(returning), why)},
        0xF0000000u | (excReturn & 0x0FFFFFFFu));
}

void CortexM::exceptionReturn(std::uint32_t excReturn) {
    // B1.5.8 ExceptionReturn(EXC_RETURN)
    const std::uint32_t returning = uc_.reg(UC_ARM_REG_IPSR) & 0x1FF;
    if (returning == 0) {
        // Thread mode: not an exception return but a branch into the System region, which
        // is Execute Never (B3.1.1): the fetch is a MemManage IACCVIOL.
        takeFault(
            Fault{exc::kMemManage, cfsr::kIaccviol, std::nullopt, excReturn & ~1u,
                  fmt::format("instruction fetch from Execute Never address 0x{:08x} (a branch "
                              "to an EXC_RETURN value in Thread mode is not an exception return)",
                              excReturn & ~1u)});
        return;
    }
    if (!nvic_.isActive(returning)) {
        invalidReturn(returning, excReturn, "returning from an exception that is not active");
        return;
    }
    const std::uint32_t kind = excReturn & 0xFu;
    const bool toHandler = kind == 0x1;
    const bool toThreadMsp = kind == 0x9;
    const bool toThreadPsp = kind == 0xD;
    // EXC_RETURN<27:5> (<27:4> without an FPU) not all ones is UNPREDICTABLE; cmsim, like
    // the pseudocode's "otherwise" case, treats it as an illegal EXC_RETURN.
    const bool reservedBits =
        (excReturn & 0x0FFFFFE0u) != 0x0FFFFFE0u || (!hasFpu_ && (excReturn & 0x10u) == 0);
    if (!(toHandler || toThreadMsp || toThreadPsp) || reservedBits) {
        invalidReturn(returning, excReturn, "not a valid EXC_RETURN value");
        return;
    }
    const unsigned nested = nvic_.activeCount();
    if (toHandler && nested == 1) {
        invalidReturn(returning, excReturn,
                      "returns to Handler mode but no other exception is active");
        return;
    }
    if (!toHandler && nested != 1 && (scb_.ccr() & kCcrNonBaseThrdEna) == 0) {
        invalidReturn(
            returning, excReturn,
            fmt::format("returns to Thread mode with {} exceptions active (CCR.NONBASETHRDENA = 0)",
                        nested));
        return;
    }
    deActivate(returning);

    // The frame PopStack would use (B1.5.8): on PSP for a return to Thread mode on PSP.
    const std::uint32_t frameptr = toThreadPsp ? uc_.reg(UC_ARM_REG_PSP) : uc_.reg(UC_ARM_REG_MSP);

    // Tail-chaining (B1.5.12): a pending exception that can preempt the context being
    // returned to is taken without unstacking and restacking; the frame and EXC_RETURN
    // stay as they are.
    if (nvic_.anyPendingEnabled()) {
        if (auto next = nvic_.exceptionToTake(readMasks())) {
            const auto taken = exceptionTaken(*next, excReturn);
            if (!taken) return;
            time_.advance(cycle_model::kTailChain);
            exceptionOverheadCycles_ += cycle_model::kTailChain;
            if (signals_.exceptions.hasListeners()) {
                const Cycles now = time_.now();
                signals_.exceptions.publish(ExceptionEvent{
                    ExceptionEvent::Kind::TailChain, now, time_.nowPicoseconds(), *taken, 0,
                    excReturn, frameptr, now - std::min(now, nvic_.pendedAt(*taken))});
            }
            recomputeAttention();
            raiseEntryFault();
            return;
        }
    }

    // PopStack(frameptr, EXC_RETURN)
    const bool fpFrame = (excReturn & 0x10u) == 0;
    const std::uint32_t frameSize = fpFrame ? 0x68 : 0x20;
    std::array<std::uint32_t, 26> frame{};
    const std::uint8_t* ram = bus_.ramPointer(frameptr, frameSize);
    if (ram != nullptr) std::memcpy(frame.data(), ram, frameSize);
    if (ram == nullptr && !uc_.readMemory(frameptr, frame.data(), frameSize)) {
        // Cortex-M4 Devices Generic User Guide 4.3.10 (BFSR.UNSTKERR): the fault is chained
        // to the handler, the original frame is still present, the SP is not adjusted and
        // BFAR is not written.
        takeFaultChained(
            Fault{
                exc::kBusFault, cfsr::kUnstkerr, std::nullopt, returnInstruction(),
                fmt::format("bus error unstacking the exception frame at 0x{:08x} on {} "
                            "returning from {} (UNSTKERR)",
                            frameptr, toThreadPsp ? "PSP" : "MSP", Nvic::exceptionName(returning))},
            excReturn);
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

    const std::uint32_t newIpsr = psr & 0x1FF;
    if (toHandler ? newIpsr == 0 : newIpsr != 0) {
        // B1.5.8: "return IPSR is inconsistent": PushStack() to negate PopStack, then
        // UsageFault (INVPC) with LR = EXC_RETURN. The registers keep the popped values.
        const StackContext popped{!toHandler, toThreadPsp, fpFrame, newSp, psr & ~kXpsrStackAlign};
        bool complete = true;
        const std::uint32_t restacked = pushFrame(popped, pc, &complete);
        uc_.setReg(toThreadPsp ? UC_ARM_REG_PSP : UC_ARM_REG_MSP, restacked);
        uc_.setReg(UC_ARM_REG_XPSR_NZCVQG, (psr & 0xF80F0000u) | kXpsrT | returning);
        refreshTranslatorFlags();
        takeFaultChained(
            Fault{exc::kUsageFault, cfsr::kInvpc, std::nullopt, returnInstruction(),
                  fmt::format("invalid exception return (INVPC): EXC_RETURN 0x{:08x} from {} "
                              "returns to {} but the stacked IPSR is {}",
                              excReturn, Nvic::exceptionName(returning),
                              toHandler ? "Handler mode" : "Thread mode", newIpsr)},
            excReturn);
        return;
    }
    if (toThreadPsp)
        uc_.setReg(UC_ARM_REG_PSP, newSp);
    else
        uc_.setReg(UC_ARM_REG_MSP, newSp);
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
