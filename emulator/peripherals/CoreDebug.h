#pragma once
// Debug registers of the SCS (ARM ARM C1.6): DHCSR, DCRSR, DCRDR, DEMCR at 0xE000EDF0,
// and the SCnSCB registers ICTR/ACTLR at 0xE000E004 (B3.2.1). Without a debugger
// attached, DHCSR.C_DEBUGEN reads 0, as firmware that probes for a debugger expects.
#include "RegisterPeripheral.h"

namespace cmsim {

class CoreDebug : public RegisterPeripheral {
public:
    static constexpr std::uint32_t kDhcsr = 0x0, kDcrsr = 0x4, kDcrdr = 0x8, kDemcr = 0xC;
    explicit CoreDebug(PeripheralContext& ctx);
    std::uint32_t demcr() const { return value(kDemcr); }

protected:
    void onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                 std::uint32_t written, std::uint32_t lanes) override;
};

class ScnScb : public RegisterPeripheral {
public:
    ScnScb(PeripheralContext& ctx, unsigned numIrqs);

protected:
    std::uint32_t onRead(const RegisterSpec& reg, std::uint32_t stored) override;

private:
    unsigned numIrqs_;
};

}  // namespace cmsim
