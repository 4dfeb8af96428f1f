// The architectural fault model of CortexM: status registers, escalation to HardFault,
// lockup, and the faults that arise inside exception entry and return themselves
// (derived exceptions). ARMv7-M ARM (DDI 0403E) B1.5.6, B1.5.8, B1.5.14-B1.5.16,
// B3.2.15-B3.2.18; Cortex-M4 Devices Generic User Guide (DUI 0553) 4.3.10-4.3.11.
//
// Not modelled: MemManage faults from an MPU (DACCVIOL, MSTKERR, MUNSTKERR, MLSPERR):
// cmsim has no MPU, so only the fixed Execute Never rule of the default memory map gives
// MemManage (IACCVIOL). Imprecise bus errors (IMPRECISERR) and LSPERR are not produced
// either: every modelled bus error is precise.
#include <fmt/format.h>

#include "CortexM.h"
#include "CycleModel.h"
#include "FaultBits.h"

namespace cmsim {

std::optional<unsigned> CortexM::escalate(unsigned exception) {
    // B1.5.15: a fault that is disabled, or cannot preempt the current execution priority,
    // escalates to HardFault; if HardFault cannot be taken either (already in HardFault or
    // NMI, or FAULTMASK set) the core locks up.
    const int execution = nvic_.executionPriority(readMasks());
    unsigned taken = exception;
    if (exception != exc::kHardFault &&
        (!nvic_.isEnabled(exception) ||
         nvic_.groupPriority(nvic_.priority(exception)) >= execution)) {
        taken = exc::kHardFault;
        scb_.setValue(Scb::kHfsr, scb_.value(Scb::kHfsr) | hfsr::kForced);
    }
    if (taken == exc::kHardFault && execution <= -1) return std::nullopt;
    return taken;
}

void CortexM::recordFaultStatus(const Fault& f) {
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
}

void CortexM::lockUp(const Fault& f) {
    const int execution = nvic_.executionPriority(readMasks());
    signals_.faults.publish(FaultEvent{time_.now(), time_.nowPicoseconds(), f.exception,
                                       exc::kHardFault, true, f.pc, scb_.value(Scb::kCfsr),
                                       scb_.value(Scb::kHfsr), f.address, f.what, 0, 0});
    // A stop-on-fault stop already requested for the fault before is the one reported.
    if (!pendingStop_ || pendingStop_->reason != CoreStop::Reason::Fault) {
        pendingStop_ = CoreStop{
            CoreStop::Reason::Lockup,
            fmt::format("lockup at {}: {} ({}) while the core could not take HardFault "
                        "(priority {})",
                        describePc(f.pc), Nvic::exceptionName(f.exception), f.what, execution),
            f.pc};
    }
    resumePc_ = f.pc;
    uc_emu_stop(uc_.get());
}

void CortexM::publishFault(const Fault& f, unsigned taken, std::uint32_t excReturn) {
    const std::uint32_t frame = frameOf(excReturn);
    signals_.faults.publish(FaultEvent{time_.now(), time_.nowPicoseconds(), f.exception, taken,
                                       false, f.pc, scb_.value(Scb::kCfsr), scb_.value(Scb::kHfsr),
                                       f.address, f.what, frame, excReturn});
    if (stopOnFault_ && !pendingStop_) {
        pendingStop_ =
            CoreStop{CoreStop::Reason::Fault,
                     fmt::format("{}{}: {} at {}", Nvic::exceptionName(f.exception),
                                 taken == exc::kHardFault && f.exception != exc::kHardFault
                                     ? " escalated to HardFault"
                                     : "",
                                 f.what, describePc(f.pc)),
                     f.pc};
        uc_emu_stop(uc_.get());
    }
}

std::optional<unsigned> CortexM::beginFault(const Fault& f) {
    ++faultsTaken_;
    recordFaultStatus(f);
    const auto taken = escalate(f.exception);
    if (!taken) lockUp(f);
    return taken;
}

std::uint32_t CortexM::frameOf(std::uint32_t excReturn) const {
    // The frame a handler finds is on the stack EXC_RETURN<2> names. An invalid EXC_RETURN
    // (INVPC, B1.5.8 Table B1-8: bits 3:0 not 0b0001, 0b1001 or 0b1101) names no stack: the
    // return was attempted in Handler mode, on the MSP, where the returning exception's own
    // frame still is (nothing was popped).
    const std::uint32_t mode = excReturn & 0xFu;
    if (mode != 0x1u && mode != 0x9u && mode != 0xDu) return uc_.reg(UC_ARM_REG_MSP);
    return (excReturn & 4u) != 0 ? uc_.reg(UC_ARM_REG_PSP) : uc_.reg(UC_ARM_REG_MSP);
}

void CortexM::takeFault(const Fault& f) {
    const auto taken = beginFault(f);
    if (!taken) return;
    resumePc_ = f.pc;
    if (!exceptionEntry(*taken, f.pc)) return;
    publishFault(f, *taken, uc_.reg(UC_ARM_REG_LR));
}

void CortexM::takeFaultChained(const Fault& f, std::uint32_t excReturn) {
    const auto taken = beginFault(f);
    if (!taken) return;
    const auto actual = exceptionTaken(*taken, excReturn);
    if (!actual) return;
    // No stacking: charged as a tail-chain (vector fetch and pipeline refill).
    time_.advance(cycle_model::kTailChain);
    exceptionOverheadCycles_ += cycle_model::kTailChain;
    if (signals_.exceptions.hasListeners()) {
        signals_.exceptions.publish(ExceptionEvent{ExceptionEvent::Kind::TailChain, time_.now(),
                                                   time_.nowPicoseconds(), *actual, 0, excReturn,
                                                   frameOf(excReturn), 0});
    }
    publishFault(f, *taken, excReturn);
    recomputeAttention();
    raiseEntryFault();
}

std::optional<unsigned> CortexM::stackingFault(unsigned n, std::uint32_t returnAddress,
                                               std::uint32_t frame, std::uint32_t excReturn) {
    // A BusFault on PushStack is a derived exception (BFSR.STKERR, no BFAR). It escalates
    // against the priority the core had before entry (exception n is not active yet), and
    // then the higher-priority of the two is taken while the other stays pending
    // (late-arrival rules; a BusFault stacking for the BusFault handler therefore does not
    // escalate: "the fault handler executes even though the stack push failed", Cortex-M4
    // Generic User Guide 4.4.2). HardFault cannot preempt itself, so a stacking error on
    // entry to HardFault runs the HardFault handler once; lockup only when the core was
    // already at priority -1 or above (entering NMI from HardFault, FAULTMASK set).
    const std::string where = bus_.describe(frame);
    const Fault f{
        exc::kBusFault, cfsr::kStkerr, std::nullopt, returnAddress,
        fmt::format("bus error stacking the exception frame for {} at 0x{:08x}{} (STKERR)",
                    Nvic::exceptionName(n), frame,
                    where.empty() ? " (nothing mapped there)" : " (" + where + ")")};
    const auto derived = beginFault(f);
    if (!derived) return std::nullopt;
    unsigned take = n;
    if (*derived != n) {
        const bool derivedFirst =
            nvic_.groupPriority(nvic_.priority(*derived)) < nvic_.groupPriority(nvic_.priority(n));
        take = derivedFirst ? *derived : n;
        nvic_.setPending(derivedFirst ? n : *derived);
    }
    publishFault(f, *derived, excReturn);
    return take;
}

std::optional<unsigned> CortexM::vectorFault(unsigned n, std::uint32_t vectorAddr,
                                             std::uint32_t excReturn) {
    // B1.5.6/B3.2.16: a bus error on the vector read is a HardFault with HFSR.VECTTBL; the
    // original exception stays pending. A failed HardFault vector, or a core already at
    // priority -1 or above, locks up.
    ++faultsTaken_;
    const std::uint32_t frame =
        (excReturn & 4u) != 0 ? uc_.reg(UC_ARM_REG_PSP) : uc_.reg(UC_ARM_REG_SP);
    const std::uint32_t returnAddress = bus_.readPhysical(frame + 0x18, 4).value_or(resumePc_);
    const std::string where = bus_.describe(vectorAddr);
    const Fault f{
        exc::kHardFault, 0, std::nullopt, returnAddress,
        fmt::format("bus error reading the vector of {} at 0x{:08x}{} (VTOR 0x{:08x}, VECTTBL)",
                    Nvic::exceptionName(n), vectorAddr,
                    where.empty() ? ", nothing mapped there" : ", " + where, scb_.vtor())};
    scb_.setValue(Scb::kHfsr, scb_.value(Scb::kHfsr) | hfsr::kVecttbl);
    if (n == exc::kHardFault || nvic_.executionPriority(readMasks()) <= -1) {
        lockUp(f);
        return std::nullopt;
    }
    const auto taken = exceptionTaken(exc::kHardFault, excReturn);
    if (taken) publishFault(f, exc::kHardFault, excReturn);
    return taken;
}

}  // namespace cmsim
