#include "Nvic.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace cmsim {

Nvic::Nvic(unsigned numIrqs, unsigned priorityBits)
    : numIrqs_(numIrqs),
      priorityBits_(priorityBits),
      priorityMask_(static_cast<std::uint8_t>(0xFFu << (8 - priorityBits))),
      priority_(exc::kFirstIrq + numIrqs) {
    if (numExceptions() > kWords * 64) throw std::invalid_argument("Nvic: more than 240 IRQs");
    reset();
}

void Nvic::reset() {
    std::fill(priority_.begin(), priority_.end(), 0);
    pending_ = {};
    active_ = {};
    enabled_ = {};
    // Fixed-priority and always-enabled exceptions (B1.5.2).
    for (unsigned e : {exc::kNmi, exc::kHardFault, exc::kSvCall, exc::kDebugMonitor, exc::kPendSv,
                       exc::kSysTick}) {
        assign(enabled_, e, true);
    }
    priGroup_ = 0;
    recount();
}

void Nvic::recount() {
    unsigned n = 0;
    for (unsigned w = 0; w < kWords; ++w) n += static_cast<unsigned>(std::popcount(pending_[w] & enabled_[w]));
    pendingEnabledCount_ = n;
    if (onChange_) onChange_();
}

void Nvic::setPending(unsigned e) {
    if (!valid(e) || test(pending_, e)) return;
    assign(pending_, e, true);
    if (pendedAt_.size() != priority_.size()) pendedAt_.assign(priority_.size(), 0);
    pendedAt_[e] = now_ ? now_() : 0;
    recount();
}

void Nvic::clearPending(unsigned e) {
    if (!valid(e) || !test(pending_, e)) return;
    assign(pending_, e, false);
    recount();
}

void Nvic::setActive(unsigned e, bool active) {
    if (!valid(e)) return;
    assign(active_, e, active);
    if (onChange_) onChange_();
}

void Nvic::setEnabled(unsigned e, bool enabled) {
    if (!valid(e) || test(enabled_, e) == enabled) return;
    assign(enabled_, e, enabled);
    recount();
}

bool Nvic::isEnabled(unsigned e) const { return valid(e) && test(enabled_, e); }

std::uint8_t Nvic::priorityByte(unsigned e) const { return valid(e) ? priority_[e] : 0; }

void Nvic::setPriorityByte(unsigned e, std::uint8_t value) {
    // Reset, NMI and HardFault have fixed priorities; their SHPR bytes do not exist.
    if (!valid(e) || e <= exc::kHardFault) return;
    priority_[e] = value & priorityMask_;
    if (onChange_) onChange_();
}

int Nvic::priority(unsigned e) const {
    switch (e) {
        case exc::kReset: return -3;
        case exc::kNmi: return -2;
        case exc::kHardFault: return -1;
        default: return valid(e) ? priority_[e] : kThreadPriority;
    }
}

void Nvic::setPriGroup(unsigned prigroup) {
    priGroup_ = prigroup & 7u;
    if (onChange_) onChange_();
}

int Nvic::groupPriority(int priority) const {
    if (priority < 0 || priority >= kThreadPriority) return priority;
    // B1.5.4: subpriority is PRIGROUP+1 low bits of the priority byte.
    const int subBits = static_cast<int>(priGroup_) + 1;
    return priority & ~((1 << subBits) - 1);
}

int Nvic::activeGroupPriority() const {
    int prio = kThreadPriority;
    forEachSet(active_, kAll, [&](unsigned e) { prio = std::min(prio, groupPriority(priority(e))); });
    return prio;
}

int Nvic::executionPriority(const PriorityMasks& m) const {
    int prio = activeGroupPriority();
    // B1.5.4 ExecutionPriority(): BASEPRI, then PRIMASK, then FAULTMASK boost.
    // B1.4.3: BASEPRI implements the same bits as a priority field; the others are RAZ/WI,
    // so the "BASEPRI == 0: no effect" test applies to the implemented bits only (with 4
    // bits, BASEPRI = 0x0F reads as 0 and masks nothing). The CPU keeps all 8 bits.
    const std::uint8_t basepri = m.basepri & priorityMask_;
    if (basepri != 0) prio = std::min(prio, groupPriority(basepri));
    if (m.primask) prio = std::min(prio, 0);
    if (m.faultmask) prio = std::min(prio, -1);
    return prio;
}

std::optional<unsigned> Nvic::highestPending() const {
    if (pendingEnabledCount_ == 0) return std::nullopt;
    std::optional<unsigned> best;
    int bestGroup = 0, bestPrio = 0;
    forEachSet(pending_, enabled_, [&](unsigned e) {
        const int p = priority(e);
        const int g = groupPriority(p);
        // Lower group priority wins; then lower full priority (subpriority); then the
        // lower exception number (B1.5.4). Visiting upwards keeps the lowest number.
        if (!best || g < bestGroup || (g == bestGroup && p < bestPrio)) {
            best = e;
            bestGroup = g;
            bestPrio = p;
        }
    });
    return best;
}

std::optional<unsigned> Nvic::exceptionToTake(const PriorityMasks& masks) const {
    auto e = highestPending();
    if (!e) return std::nullopt;
    // Preemption needs a strictly higher (numerically lower) group priority.
    if (groupPriority(priority(*e)) < executionPriority(masks)) return e;
    return std::nullopt;
}

bool Nvic::wouldWake(const PriorityMasks& masks) const {
    PriorityMasks noPrimask = masks;
    noPrimask.primask = false;
    return exceptionToTake(noPrimask).has_value();
}

unsigned Nvic::activeCount() const {
    unsigned n = 0;
    for (unsigned w = 0; w < kWords; ++w) n += static_cast<unsigned>(std::popcount(active_[w]));
    return n;
}

bool Nvic::retToBase() const { return activeCount() <= 1; }

std::string Nvic::exceptionName(unsigned e) {
    switch (e) {
        case exc::kReset: return "Reset";
        case exc::kNmi: return "NMI";
        case exc::kHardFault: return "HardFault";
        case exc::kMemManage: return "MemManage";
        case exc::kBusFault: return "BusFault";
        case exc::kUsageFault: return "UsageFault";
        case exc::kSvCall: return "SVCall";
        case exc::kDebugMonitor: return "DebugMonitor";
        case exc::kPendSv: return "PendSV";
        case exc::kSysTick: return "SysTick";
        default: break;
    }
    if (e >= exc::kFirstIrq) return fmt::format("IRQ {}", e - exc::kFirstIrq);
    return fmt::format("exception {}", e);
}

}  // namespace cmsim
