#pragma once
// SysTick, the ARMv7-M system timer (ARM ARM B3.3; PM0214 §4.5 for the STM32F4).
//
// The counter is never ticked: its value is derived from the cycle counter and an anchor
// (cycle, value) taken at the last enable, reload-value change or CVR write. The one
// timed event is the next 1 -> 0 transition ("systick.wrap"), which sets COUNTFLAG and
// pends the SysTick exception when TICKINT is set.
#include <cstdint>
#include <functional>

#include "RegisterPeripheral.h"

namespace cmsim {

class SysTick : public RegisterPeripheral {
public:
    struct Config {
        std::uint32_t calib;             // SYST_CALIB as the chip reports it
        unsigned externalClockDivider;   // CLKSOURCE=0 runs from HCLK / this (8 on STM32)
    };
    // pendException is called on each wrap with TICKINT set.
    SysTick(PeripheralContext& ctx, Config cfg, std::function<void()> pendException);

    // Current counter value (SYST_CVR) at the present cycle.
    std::uint32_t currentValue() const;
    bool isRunning() const { return running_; }
    // Number of 1 -> 0 transitions seen so far (for traces and tests).
    std::uint64_t wraps() const { return wraps_; }

    // A register write first applies the 1 -> 0 transitions already due (see catchUp).
    void write(std::uint32_t offset, unsigned width, std::uint32_t value) override;

protected:
    std::uint32_t onRead(const RegisterSpec& reg, std::uint32_t stored) override;
    void onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                 std::uint32_t written, std::uint32_t lanes) override;
    void onReset() override;

private:
    std::uint32_t reload() const;
    unsigned divider() const;
    std::uint64_t ticksSinceAnchor() const;
    // Value after `ticks` ticks from the anchor.
    std::uint32_t valueAfter(std::uint64_t ticks) const;
    // Cycle of the first 1 -> 0 transition strictly after `after`, or kNever.
    Cycles nextWrapAfter(Cycles after) const;
    void reanchor();
    void start();
    void stop();
    void onWrap(Cycles late);
    void catchUp();

    Config cfg_;
    std::function<void()> pendException_;
    TimedEvent wrapEvent_;
    bool running_ = false;
    Cycles anchorCycle_ = 0;
    std::uint32_t anchorValue_ = 0;
    std::uint32_t anchorReload_ = 0;
    unsigned anchorDivider_ = 1;
    bool countFlag_ = false;
    Cycles countFlagClearedAt_ = 0;
    std::uint64_t wraps_ = 0;
};

}  // namespace cmsim
