#pragma once
// STM32F405/407 power controller (PWR), RM0090 §5.4. Base 0x40007000, 0x400 bytes.
//
// Modelled: the registers of the F405/407 variant (one VOS bit; the F42x/43x over-drive
// and under-drive bits do not exist here), the voltage-scale limit on HCLK, the backup
// domain write protection (DBP) as a query for the RCC model. The supply is taken to be
// VDD = 3.0 V (STM32F4DISCOVERY), so the PVD output never trips.
// Not modelled: Sleep/Stop/Standby entry (LPDS, PDDS, FPDS are stored for the core's
// low-power model), wake-up pins.
#include <cstdint>

#include "RegisterPeripheral.h"

namespace cmsim {

namespace pwr_reg {
constexpr std::uint32_t CR = 0x00;
constexpr std::uint32_t CSR = 0x04;
}  // namespace pwr_reg

// PWR_CR for STM32F405xx/07xx, RM0090 §5.4.1.
namespace pwr_cr {
constexpr std::uint32_t LPDS = 1u << 0;
constexpr std::uint32_t PDDS = 1u << 1;
constexpr std::uint32_t CWUF = 1u << 2;  // write 1: clear WUF; reads 0
constexpr std::uint32_t CSBF = 1u << 3;  // write 1: clear SBF; reads 0
constexpr std::uint32_t PVDE = 1u << 4;
constexpr std::uint32_t PLS_MASK = 0x7u << 5;
constexpr std::uint32_t DBP = 1u << 8;
constexpr std::uint32_t FPDS = 1u << 9;
constexpr std::uint32_t VOS = 1u << 14;  // 1: scale 1 (reset), 0: scale 2
}  // namespace pwr_cr

// PWR_CSR for STM32F405xx/07xx, RM0090 §5.4.2.
namespace pwr_csr {
constexpr std::uint32_t WUF = 1u << 0;
constexpr std::uint32_t SBF = 1u << 1;
constexpr std::uint32_t PVDO = 1u << 2;
constexpr std::uint32_t BRR = 1u << 3;
constexpr std::uint32_t EWUP = 1u << 8;
constexpr std::uint32_t BRE = 1u << 9;
constexpr std::uint32_t VOSRDY = 1u << 14;
}  // namespace pwr_csr

class Stm32f4Pwr final : public RegisterPeripheral {
  public:
    static constexpr std::uint32_t kBaseAddress = 0x40007000;
    static constexpr std::uint32_t kBlockSize = 0x400;
    // Maximum HCLK per regulator scale (STM32F405/407 datasheet, general operating
    // conditions; RM0090 §5.1.3).
    static constexpr std::uint64_t kScale1MaxHz = 168'000'000;
    static constexpr std::uint64_t kScale2MaxHz = 144'000'000;

    // Subscribes to the time base's clock changes: the PWR must outlive no TimeBase user,
    // i.e. be destroyed together with (not before a later clock change of) the machine.
    explicit Stm32f4Pwr(PeripheralContext& ctx);

    unsigned voltageScale() const;      // 1 or 2
    bool backupDomainWritable() const;  // PWR_CR.DBP

  protected:
    std::uint32_t onRead(const RegisterSpec& reg, std::uint32_t stored) override;
    void onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                 std::uint32_t written, std::uint32_t lanes) override;

  private:
    void checkScale(std::uint64_t hclkHz);
};

}  // namespace cmsim
