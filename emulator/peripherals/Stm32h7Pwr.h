#pragma once
// STM32H723/733 power controller (PWR), RM0468 §6. Base 0x58024800, 0x400 bytes (D3, AHB4;
// the PWR has no clock enable bit on the H7).
//
// Modelled:
// - The supply configuration in PWR_CR3 (LDOEN, BYPASS, SCUEN; the H723/733 have no SMPS)
//   and its write-once rule: SCUEN reads 1 after a power-on reset; the first write of the
//   register's low byte applies LDOEN/BYPASS and locks them (SCUEN reads 0) until the next
//   power-on reset; a system reset does not unlock them. After that write ACTVOSRDY
//   (PWR_CSR1) reads 0 for kSupplyCycles while the regulator settles.
// - Voltage scaling: PWR_D3CR.VOS (VOS0 is selected directly on the H72x/73x: VOS = 00;
//   there is no SYSCFG over-drive bit as on the H742/743), VOSRDY clear for kVosCycles
//   after a change, CSR1.ACTVOS showing the scale in effect.
// - The frequency limits of each scale (STM32H723 datasheet, general operating
//   conditions): a clock above the limit of the scale in effect is a firmware mistake, as
//   is lowering the scale below what the running clocks need.
// - PWR_CR1.DBP as the backup-domain write protection the RCC model asks for.
//
// The supply is taken to be VDD = 3.3 V (NUCLEO-H723ZG), so the PVD and AVD outputs never
// trip and the USB regulator reports ready once enabled. Not modelled: Stop/Standby
// (CPUCR.PDDS_Dx stored), wakeup pins (stored), the backup regulator start-up time,
// VBAT charging, temperature and VBAT monitoring (flags read 0).
#include <cstdint>
#include <functional>
#include <vector>

#include "RegisterPeripheral.h"
#include "Stm32h7Rcc.h"

namespace cmsim {

namespace h7pwr_reg {
constexpr std::uint32_t CR1 = 0x00;
constexpr std::uint32_t CSR1 = 0x04;
constexpr std::uint32_t CR2 = 0x08;
constexpr std::uint32_t CR3 = 0x0C;
constexpr std::uint32_t CPUCR = 0x10;
constexpr std::uint32_t D3CR = 0x18;
constexpr std::uint32_t WKUPCR = 0x20;
constexpr std::uint32_t WKUPFR = 0x24;
constexpr std::uint32_t WKUPEPR = 0x28;
}  // namespace h7pwr_reg

// PWR_CR1, RM0468 §6.8.
namespace h7pwr_cr1 {
constexpr std::uint32_t DBP = 1u << 8;
constexpr std::uint32_t SVOS_SHIFT = 14;
constexpr std::uint32_t SVOS_MASK = 0x3u << SVOS_SHIFT;
}  // namespace h7pwr_cr1

// PWR_CSR1, RM0468 §6.8.
namespace h7pwr_csr1 {
constexpr std::uint32_t PVDO = 1u << 4;
constexpr std::uint32_t ACTVOSRDY = 1u << 13;
constexpr std::uint32_t ACTVOS_SHIFT = 14;
constexpr std::uint32_t ACTVOS_MASK = 0x3u << ACTVOS_SHIFT;
constexpr std::uint32_t AVDO = 1u << 16;
}  // namespace h7pwr_csr1

// PWR_CR2, RM0468 §6.8.
namespace h7pwr_cr2 {
constexpr std::uint32_t BREN = 1u << 0;
constexpr std::uint32_t MONEN = 1u << 4;
constexpr std::uint32_t BRRDY = 1u << 16;
}  // namespace h7pwr_cr2

// PWR_CR3, RM0468 §6.8 (STM32H723/733: no SMPS bits).
namespace h7pwr_cr3 {
constexpr std::uint32_t BYPASS = 1u << 0;
constexpr std::uint32_t LDOEN = 1u << 1;
constexpr std::uint32_t SCUEN = 1u << 2;
constexpr std::uint32_t SUPPLY_MASK = BYPASS | LDOEN | SCUEN;
constexpr std::uint32_t VBE = 1u << 8;
constexpr std::uint32_t VBRS = 1u << 9;
constexpr std::uint32_t USB33DEN = 1u << 24;
constexpr std::uint32_t USBREGEN = 1u << 25;
constexpr std::uint32_t USB33RDY = 1u << 26;
}  // namespace h7pwr_cr3

// PWR_CPUCR, RM0468 §6.8.
namespace h7pwr_cpucr {
constexpr std::uint32_t STOPF = 1u << 5;
constexpr std::uint32_t SBF = 1u << 6;
constexpr std::uint32_t SBF_D1 = 1u << 7;
constexpr std::uint32_t SBF_D2 = 1u << 8;
constexpr std::uint32_t CSSF = 1u << 9;
}  // namespace h7pwr_cpucr

// PWR_D3CR, RM0468 §6.8. VOS encodings (also CSR1.ACTVOS) on the H72x/73x.
namespace h7pwr_d3cr {
constexpr std::uint32_t VOSRDY = 1u << 13;
constexpr std::uint32_t VOS_SHIFT = 14;
constexpr std::uint32_t VOS_MASK = 0x3u << VOS_SHIFT;
constexpr std::uint32_t VOS0 = 0x0u << VOS_SHIFT;  // highest performance
constexpr std::uint32_t VOS3 = 0x1u << VOS_SHIFT;  // reset value
constexpr std::uint32_t VOS2 = 0x2u << VOS_SHIFT;
constexpr std::uint32_t VOS1 = 0x3u << VOS_SHIFT;
}  // namespace h7pwr_d3cr

class Stm32h7Pwr final : public RegisterPeripheral {
  public:
    static constexpr std::uint32_t kBaseAddress = 0x58024800;
    static constexpr std::uint32_t kBlockSize = 0x400;
    // Regulator settling, in CPU cycles (silicon: tens of µs). Non-zero so that firmware
    // that does not wait for ACTVOSRDY / VOSRDY is exposed.
    static constexpr Cycles kSupplyCycles = 128;
    static constexpr Cycles kVosCycles = 256;

    // Clock limits of one voltage scale (STM32H723 datasheet, general operating conditions).
    struct Limits {
        std::uint64_t cpu;   // sys_d1cpre_ck
        std::uint64_t hclk;  // rcc_hclk3 / rcc_aclk
        std::uint64_t pclk;  // every APB
    };
    // scale 0..3 (VOS0..VOS3); boost: FLASH_OPTSR2.CPUFREQ_BOOST (550 instead of 520 MHz
    // at VOS0).
    static Limits limits(unsigned scale, bool boost);

    explicit Stm32h7Pwr(PeripheralContext& ctx);

    // The voltage scale in effect (CSR1.ACTVOS), 0..3 = VOS0..VOS3, and the one requested
    // in D3CR.VOS.
    unsigned activeVoltageScale() const;
    unsigned requestedVoltageScale() const;
    bool backupDomainWritable() const;  // PWR_CR1.DBP
    bool supplyLocked() const { return supplyLocked_; }

    // Wiring (done by the machine): the RCC's clock tree, and FLASH_OPTSR2.CPUFREQ_BOOST.
    void setClockSource(std::function<Stm32h7Clocks()> f) { clocks_ = std::move(f); }
    void setCpuFreqBoost(std::function<bool()> f) { boost_ = std::move(f); }
    // Told when the scale in effect changes (FLASH re-checks its wait states).
    void onVoltageScaleChange(std::function<void()> f) { vosListeners_.push_back(std::move(f)); }
    // Checks the current clocks against the limits of the scale in effect.
    void checkClocks();
    // A power-on reset: unlocks the supply configuration (reset() is a system reset, which
    // keeps it).
    void powerOnReset();

    // VOS field value (D3CR/ACTVOS encoding) <-> scale number.
    static unsigned scaleOf(std::uint32_t vosField);

  protected:
    std::uint32_t onRead(const RegisterSpec& reg, std::uint32_t stored) override;
    void onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                 std::uint32_t written, std::uint32_t lanes) override;
    void onReset() override;

  private:
    bool supplyReady() const;
    bool vosSettled() const { return ctx().time.now() >= vosReadyAt_; }
    std::uint32_t activeVosField() const;
    void writeCr3(std::uint32_t oldValue, std::uint32_t newValue, std::uint32_t lanes);
    void writeD3cr(std::uint32_t oldValue, std::uint32_t newValue);
    void vosSettledNow();

    bool supplyLocked_ = false;
    std::uint32_t lockedSupply_ = 0;  // CR3 supply bits as locked (kept over system resets)
    Cycles supplyReadyAt_ = 0;
    Cycles vosReadyAt_ = 0;
    std::uint32_t previousVos_ = h7pwr_d3cr::VOS3;  // in effect until vosReadyAt_
    TimedEvent vosEvent_;
    std::function<Stm32h7Clocks()> clocks_;
    std::function<bool()> boost_;
    std::vector<std::function<void()>> vosListeners_;
};

}  // namespace cmsim
