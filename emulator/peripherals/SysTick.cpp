#include "SysTick.h"

#include <array>

namespace cmsim {

namespace {
// Offsets inside the SysTick block (SCS + 0x010).
constexpr std::uint32_t kCsr = 0x0, kRvr = 0x4, kCvr = 0x8, kCalib = 0xC;
namespace csr {
constexpr std::uint32_t kEnable = 1u << 0;
constexpr std::uint32_t kTickInt = 1u << 1;
constexpr std::uint32_t kClkSource = 1u << 2;
constexpr std::uint32_t kCountFlag = 1u << 16;
}  // namespace csr

// B3.3.2: CSR resets with CLKSOURCE implementation-defined (STM32: 0 = HCLK/8 ... the
// PM0214 reset value of STK_CTRL is 0x00000000), RVR and CVR are UNKNOWN at reset (0 here).
constexpr FieldSpec kCsrFields[] = {{"ENABLE", 0}, {"TICKINT", 1}, {"CLKSOURCE", 2}, {"COUNTFLAG", 16}};
constexpr std::array<RegisterSpec, 4> kRegisters{{
    {kCsr, "CSR", 0x00000000, csr::kEnable | csr::kTickInt | csr::kClkSource, Access::ReadWrite,
     kCsrFields},
    {kRvr, "RVR", 0x00000000, 0x00FFFFFF},
    {kCvr, "CVR", 0x00000000, 0x00000000},
    {kCalib, "CALIB", 0x00000000, 0x00000000, Access::ReadOnly},
}};
}  // namespace

SysTick::SysTick(PeripheralContext& ctx, Config cfg, std::function<void()> pendException)
    : RegisterPeripheral("SysTick", 0x10, ctx, kRegisters),
      cfg_(cfg),
      pendException_(std::move(pendException)),
      wrapEvent_("systick.wrap", [this](Cycles late) { onWrap(late); }) {
    onReset();
}

void SysTick::onReset() {
    ctx().events.deschedule(wrapEvent_);
    running_ = false;
    countFlag_ = false;
    countFlagClearedAt_ = ctx().time.now();
    anchorValue_ = 0;
    setValue(kCalib, cfg_.calib);
}

std::uint32_t SysTick::reload() const { return value(kRvr) & 0x00FFFFFF; }

unsigned SysTick::divider() const {
    return (value(kCsr) & csr::kClkSource) != 0 ? 1u : cfg_.externalClockDivider;
}

std::uint64_t SysTick::ticksSinceAnchor() const {
    return (ctx().time.now() - anchorCycle_) / anchorDivider_;
}

std::uint32_t SysTick::valueAfter(std::uint64_t ticks) const {
    // B3.3.1: the counter decrements to 0, then reloads from RVR on the next tick, so a
    // period is RVR+1 ticks. A reload value of 0 stops it at 0.
    if (ticks <= anchorValue_) return anchorValue_ - static_cast<std::uint32_t>(ticks);
    if (anchorReload_ == 0) return 0;
    const std::uint64_t afterReload = ticks - anchorValue_ - 1;
    return anchorReload_ - static_cast<std::uint32_t>(afterReload % (anchorReload_ + 1ull));
}

Cycles SysTick::nextWrapAfter(Cycles after) const {
    if (!running_) return EventQueue::kNever;
    const std::uint64_t period = anchorReload_ + 1ull;
    // Ticks (from the anchor) at which the counter reaches 0: anchorValue_ (if > 0), then
    // every RVR+1 ticks after it.
    const std::uint64_t ticksNow = after >= anchorCycle_ ? (after - anchorCycle_) / anchorDivider_ : 0;
    std::uint64_t k;
    if (anchorValue_ > 0 && ticksNow < anchorValue_) {
        k = anchorValue_;
    } else {
        if (anchorReload_ == 0) return EventQueue::kNever;
        const std::uint64_t since = ticksNow - anchorValue_;
        k = anchorValue_ + (since / period + 1) * period;
    }
    return anchorCycle_ + k * anchorDivider_;
}

void SysTick::reanchor() {
    // Keep the phase of the tick clock: the new anchor is the last tick boundary.
    const std::uint64_t ticks = ticksSinceAnchor();
    const std::uint32_t v = valueAfter(ticks);
    anchorCycle_ += ticks * anchorDivider_;
    anchorValue_ = v;
    anchorReload_ = reload();
    anchorDivider_ = divider();
}

void SysTick::start() {
    running_ = true;
    anchorCycle_ = ctx().time.now();
    anchorValue_ = value(kCvr);
    anchorReload_ = reload();
    anchorDivider_ = divider();
    ctx().events.schedule(wrapEvent_, nextWrapAfter(anchorCycle_));
}

void SysTick::stop() {
    setValue(kCvr, currentValue());
    running_ = false;
    ctx().events.deschedule(wrapEvent_);
}

std::uint32_t SysTick::currentValue() const {
    return running_ ? valueAfter(ticksSinceAnchor()) : value(kCvr);
}

void SysTick::onWrap(Cycles /*late*/) {
    const Cycles at = wrapEvent_.due();
    ++wraps_;
    if (ctx().signals.ticks.hasListeners()) {
        ctx().signals.ticks.publish(TickEvent{at, ctx().time.toPicoseconds(at), wraps_});
    }
    if (at > countFlagClearedAt_) countFlag_ = true;
    if ((value(kCsr) & csr::kTickInt) != 0) pendException_();
    const Cycles next = nextWrapAfter(at);
    if (next != EventQueue::kNever) ctx().events.schedule(wrapEvent_, next);
}

void SysTick::catchUp() {
    // Events run at block boundaries but a register access happens inside a block, so a
    // wrap may be due (counter already at 0, B3.3.1) and not yet processed. Writes to CSR,
    // RVR and CVR re-anchor the counter and re-schedule the wrap event; without this the
    // transition that happened before the write would be lost: no COUNTFLAG and no SysTick
    // exception, although on silicon the counter reached 0 (B3.3.1, B3.3.3 TICKINT).
    const Cycles now = ctx().time.now();
    while (running_ && wrapEvent_.isScheduled() && wrapEvent_.due() <= now) {
        ctx().events.deschedule(wrapEvent_);
        onWrap(now - wrapEvent_.due());
    }
}

void SysTick::write(std::uint32_t offset, unsigned width, std::uint32_t value) {
    catchUp();
    RegisterPeripheral::write(offset, width, value);
}

std::uint32_t SysTick::onRead(const RegisterSpec& reg, std::uint32_t stored) {
    switch (reg.offset) {
        case kCsr: {
            // COUNTFLAG: set by a wrap since the last read; the wrap may be due but not yet
            // processed (events run at block boundaries), so derive it from the clock too.
            const Cycles now = ctx().time.now();
            bool flag = countFlag_;
            if (running_ && wrapEvent_.isScheduled() && wrapEvent_.due() <= now &&
                wrapEvent_.due() > countFlagClearedAt_) {
                flag = true;
            }
            // B3.3.3: COUNTFLAG clears on a read of CSR.
            countFlag_ = false;
            countFlagClearedAt_ = now;
            return stored | (flag ? csr::kCountFlag : 0);
        }
        case kCvr: return currentValue();
        default: return stored;
    }
}

void SysTick::onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                      std::uint32_t /*written*/, std::uint32_t /*lanes*/) {
    switch (reg.offset) {
        case kCsr: {
            const bool wasOn = (oldValue & csr::kEnable) != 0;
            const bool isOn = (newValue & csr::kEnable) != 0;
            if (!wasOn && isOn) {
                start();
            } else if (wasOn && !isOn) {
                stop();
            } else if (isOn && ((oldValue ^ newValue) & csr::kClkSource) != 0) {
                reanchor();
                ctx().events.schedule(wrapEvent_, nextWrapAfter(ctx().time.now()));
            }
            break;
        }
        case kRvr:
            // The new reload value is used at the next reload (B3.3.4).
            if (running_) {
                reanchor();
                const Cycles next = nextWrapAfter(ctx().time.now());
                if (next == EventQueue::kNever) {
                    ctx().events.deschedule(wrapEvent_);
                } else {
                    ctx().events.schedule(wrapEvent_, next);
                }
            }
            break;
        case kCvr:
            // B3.3.5: any write clears the counter to 0 and clears COUNTFLAG.
            setValue(kCvr, 0);
            countFlag_ = false;
            countFlagClearedAt_ = ctx().time.now();
            if (running_) {
                anchorCycle_ = ctx().time.now();
                anchorValue_ = 0;
                anchorReload_ = reload();
                anchorDivider_ = divider();
                ctx().events.schedule(wrapEvent_, nextWrapAfter(anchorCycle_));
            }
            break;
        default: break;
    }
}

}  // namespace cmsim
