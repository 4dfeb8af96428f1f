#include "CoreDebug.h"

#include <array>

namespace cmsim {

namespace {
constexpr std::array<RegisterSpec, 4> kDebugRegisters{{
    // DHCSR writes need DBGKEY 0xA05F in [31:16] (C1.6.2); handled in onWrite.
    {CoreDebug::kDhcsr, "DHCSR", 0x00000000, 0x0000002F},
    {CoreDebug::kDcrsr, "DCRSR", 0x00000000, 0x0001007F, Access::WriteOnly},
    {CoreDebug::kDcrdr, "DCRDR", 0x00000000, 0xFFFFFFFF},
    // DEMCR: TRCENA (24), MON_* (19:16), VC_* (10:0).
    {CoreDebug::kDemcr, "DEMCR", 0x00000000, 0x010F07F1},
}};
}  // namespace

CoreDebug::CoreDebug(PeripheralContext& ctx)
    : RegisterPeripheral("CoreDebug", 0x10, ctx, kDebugRegisters) {}

void CoreDebug::onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t /*newValue*/,
                        std::uint32_t written, std::uint32_t /*lanes*/) {
    if (reg.offset == kDhcsr && (written >> 16) != 0xA05F) {
        // Without the key the write is ignored (C1.6.2).
        setValue(kDhcsr, oldValue);
        ctx().diag.firmwareMistakeOnce("DHCSR:key", "CoreDebug",
                                       "DHCSR write without DBGKEY 0xA05F: ignored");
    } else if (reg.offset == kDhcsr) {
        ctx().diag.modelGapOnce("DHCSR:halt", "CoreDebug",
                                "DHCSR written by firmware: halting debug is not modelled");
    }
}

namespace {
constexpr std::array<RegisterSpec, 2> kScnScbRegisters{{
    {0x4, "ICTR", 0, 0, Access::ReadOnly},  // INTLINESNUM, derived from the IRQ count
    {0x8, "ACTLR", 0, 0x00000307},
}};
}  // namespace

ScnScb::ScnScb(PeripheralContext& ctx, unsigned numIrqs)
    : RegisterPeripheral("SCnSCB", 0x10, ctx, kScnScbRegisters), numIrqs_(numIrqs) {}

std::uint32_t ScnScb::onRead(const RegisterSpec& reg, std::uint32_t stored) {
    // B3.2.1 ICTR.INTLINESNUM: number of 32-interrupt groups minus one.
    if (reg.offset == 0x4) return (numIrqs_ + 31) / 32 - 1;
    return stored;
}

}  // namespace cmsim
