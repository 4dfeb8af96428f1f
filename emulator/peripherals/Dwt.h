#pragma once
// Data Watchpoint and Trace unit (ARMv7-M ARM C1.8). The counters are derived from the
// core's cycle accounting, never ticked:
// - CYCCNT counts processor clock cycles while DEMCR.TRCENA and CTRL.CYCCNTENA are set
//   and the core is awake (it stops in WFI/WFE sleep, as on STM32 without DBG_SLEEP);
//   writable.
// - EXCCNT counts exception entry/return overhead cycles and SLEEPCNT sleep cycles, both
//   8-bit and wrapping.
// - CPICNT, LSUCNT and FOLDCNT read 0: cmsim's cycle model charges one cycle per
//   instruction, so there are no extra instruction, load/store or folded cycles to count.
// The comparators are stored but do not trigger (reported when enabled).
#include <functional>

#include "RegisterPeripheral.h"

namespace cmsim {

class Dwt : public RegisterPeripheral {
public:
    static constexpr std::uint32_t kCtrl = 0x000, kCyccnt = 0x004, kCpicnt = 0x008, kExccnt = 0x00C,
                                   kSleepcnt = 0x010, kLsucnt = 0x014, kFoldcnt = 0x018, kPcsr = 0x01C;
    struct Sources {
        std::function<bool()> traceEnabled;       // DEMCR.TRCENA
        std::function<std::uint64_t()> sleptCycles;
        std::function<std::uint64_t()> exceptionCycles;
        std::function<std::uint32_t()> pcSample;
    };
    Dwt(PeripheralContext& ctx, Sources sources);

    std::uint32_t cycleCount() const;

protected:
    std::uint32_t onRead(const RegisterSpec& reg, std::uint32_t stored) override;
    void onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                 std::uint32_t written, std::uint32_t lanes) override;
    void onReset() override;

private:
    bool counting() const;
    std::uint64_t awakeCycles() const;
    Sources src_;
    // CYCCNT = base + (awake cycles since the anchor) while counting.
    std::uint32_t cyccntBase_ = 0;
    std::uint64_t cyccntAnchor_ = 0;
    bool wasCounting_ = false;
    std::uint64_t excAnchor_ = 0, sleepAnchor_ = 0;
    std::uint8_t excBase_ = 0, sleepBase_ = 0;
};

}  // namespace cmsim
