#include "Stm32f4Pwr.h"

#include <fmt/format.h>

namespace cmsim {

namespace {

// RM0090 §5.4.1 / §5.4.2, F405/407 variants. CR resets to 0x00004000 (VOS=1, scale 1);
// CSR to 0 with VOSRDY set by hardware once the regulator is ready (derived on read).
constexpr RegisterSpec kRegisters[] = {
    {pwr_reg::CR, "CR", 0x00004000, 0x000043FF},
    {pwr_reg::CSR, "CSR", 0x00000000, pwr_csr::EWUP | pwr_csr::BRE},
};

}  // namespace

Stm32f4Pwr::Stm32f4Pwr(PeripheralContext& ctx)
    : RegisterPeripheral("PWR", kBlockSize, ctx, kRegisters) {
    ctx.time.onClockChange([this](std::uint64_t hz) { checkScale(hz); });
}

unsigned Stm32f4Pwr::voltageScale() const {
    return (value(pwr_reg::CR) & pwr_cr::VOS) != 0 ? 1 : 2;
}

bool Stm32f4Pwr::backupDomainWritable() const {
    return (value(pwr_reg::CR) & pwr_cr::DBP) != 0;
}

std::uint32_t Stm32f4Pwr::onRead(const RegisterSpec& reg, std::uint32_t stored) {
    if (reg.offset != pwr_reg::CSR) return stored;
    // §5.4.2: VOSRDY - the regulator output is always settled here (the scale change
    // takes no simulated time). BRR follows BRE (the backup regulator start-up time is not
    // modelled). PVDO stays 0: VDD = 3.0 V is above every PLS threshold (2.0-2.9 V).
    std::uint32_t v = stored | pwr_csr::VOSRDY;
    if ((stored & pwr_csr::BRE) != 0) v |= pwr_csr::BRR;
    return v;
}

void Stm32f4Pwr::onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                         std::uint32_t /*written*/, std::uint32_t /*lanes*/) {
    if (reg.offset != pwr_reg::CR) return;
    // §5.4.1: CWUF / CSBF clear WUF / SBF and always read 0.
    std::uint32_t csr = value(pwr_reg::CSR);
    if ((newValue & pwr_cr::CWUF) != 0) csr &= ~pwr_csr::WUF;
    if ((newValue & pwr_cr::CSBF) != 0) csr &= ~pwr_csr::SBF;
    setValue(pwr_reg::CSR, csr);
    setValue(pwr_reg::CR, newValue & ~(pwr_cr::CWUF | pwr_cr::CSBF));
    if (((oldValue ^ newValue) & pwr_cr::VOS) != 0) checkScale(ctx().time.cpuHz());
}

// RM0090 §5.1.3: scale 2 (VOS=0) limits HCLK to 144 MHz, scale 1 to 168 MHz.
void Stm32f4Pwr::checkScale(std::uint64_t hclkHz) {
    const unsigned scale = voltageScale();
    const std::uint64_t max = scale == 1 ? kScale1MaxHz : kScale2MaxHz;
    if (hclkHz <= max) return;
    ctx().diag.firmwareMistakeOnce(
        fmt::format("PWR:vos:{}:{}", scale, hclkHz), name(),
        fmt::format("HCLK {:g} MHz exceeds the {} MHz allowed in voltage scale {} (PWR_CR.VOS={}, "
                    "RM0090 §5.1.3)",
                    static_cast<double>(hclkHz) / 1e6, max / 1'000'000, scale, scale == 1 ? 1 : 0));
}

}  // namespace cmsim
