#pragma once
// STM32H723/733/725/735/730 embedded flash interface (FLASH), RM0468 §4. Base 0x52002000,
// 0x1000 bytes (D1 domain, AHB3). Single bank of 1 MiB on the H723ZG.
//
// Modelled: the register set of the single-bank H72x/73x with reset values and writable
// bits; FLASH_ACR.LATENCY checked against the AXI clock (rcc_aclk = rcc_hclk3) and the
// voltage scale in effect per RM0468 Table 16 "FLASH recommended number of wait states and
// programming delay" (too few wait states is a firmware mistake, checked whenever ACR, the
// clocks or the scale change), and the programming delay WRHIGHFREQ of the same table when
// a program or erase starts (it only matters then); the FLASH_CR1 and FLASH_OPTCR key
// sequences; the option bytes as the factory ships them (readable in the _CUR registers;
// tests and callers can load others with loadOptionBytes()).
// Not modelled (reported as model gaps): programming, erase, CRC computation, option byte
// programming (OPTSTART), ECC. The core does not charge flash wait states.
#include <cstdint>
#include <functional>

#include "RegisterPeripheral.h"
#include "Stm32h7Rcc.h"

namespace cmsim {

namespace h7flash_reg {
constexpr std::uint32_t ACR = 0x000;
constexpr std::uint32_t KEYR1 = 0x004;
constexpr std::uint32_t OPTKEYR = 0x008;
constexpr std::uint32_t CR1 = 0x00C;
constexpr std::uint32_t SR1 = 0x010;
constexpr std::uint32_t CCR1 = 0x014;
constexpr std::uint32_t OPTCR = 0x018;
constexpr std::uint32_t OPTSR_CUR = 0x01C;
constexpr std::uint32_t OPTSR_PRG = 0x020;
constexpr std::uint32_t OPTCCR = 0x024;
constexpr std::uint32_t PRAR_CUR1 = 0x028;
constexpr std::uint32_t PRAR_PRG1 = 0x02C;
constexpr std::uint32_t SCAR_CUR1 = 0x030;
constexpr std::uint32_t SCAR_PRG1 = 0x034;
constexpr std::uint32_t WPSN_CUR1R = 0x038;
constexpr std::uint32_t WPSN_PRG1R = 0x03C;
constexpr std::uint32_t BOOT_CURR = 0x040;
constexpr std::uint32_t BOOT_PRGR = 0x044;
constexpr std::uint32_t CRCCR1 = 0x050;
constexpr std::uint32_t CRCSADD1R = 0x054;
constexpr std::uint32_t CRCEADD1R = 0x058;
constexpr std::uint32_t CRCDATAR = 0x05C;
constexpr std::uint32_t ECC_FA1R = 0x060;
constexpr std::uint32_t OPTSR2_CUR = 0x070;
constexpr std::uint32_t OPTSR2_PRG = 0x074;
}  // namespace h7flash_reg

// FLASH_ACR, RM0468 §4.9.
namespace h7flash_acr {
constexpr std::uint32_t LATENCY_MASK = 0xFu;
constexpr std::uint32_t WRHIGHFREQ_SHIFT = 4;
constexpr std::uint32_t WRHIGHFREQ_MASK = 0x3u << WRHIGHFREQ_SHIFT;
}  // namespace h7flash_acr

// FLASH_CR1, RM0468 §4.9.
namespace h7flash_cr {
constexpr std::uint32_t LOCK = 1u << 0;
constexpr std::uint32_t PG = 1u << 1;
constexpr std::uint32_t SER = 1u << 2;
constexpr std::uint32_t BER = 1u << 3;
constexpr std::uint32_t START = 1u << 7;
}  // namespace h7flash_cr

// FLASH_OPTCR, FLASH_OPTSR2, RM0468 §4.9.
namespace h7flash_opt {
constexpr std::uint32_t OPTLOCK = 1u << 0;
constexpr std::uint32_t OPTSTART = 1u << 1;
constexpr std::uint32_t TCM_AXI_SHARED_MASK = 0x3u;  // OPTSR2
constexpr std::uint32_t CPUFREQ_BOOST = 1u << 2;     // OPTSR2
}  // namespace h7flash_opt

class Stm32h7Flash final : public RegisterPeripheral {
  public:
    static constexpr std::uint32_t kBaseAddress = 0x52002000;
    static constexpr std::uint32_t kBlockSize = 0x1000;

    // The option bytes a part leaves the factory with (RM0468 §4.4): RDP level 0, IWDG1
    // started by software, no reset on Stop/Standby, no protected/secure area, no write
    // protection, BOOT_ADD0 = 0x0800 (0x08000000), BOOT_ADD1 = 0x1FF0 (system memory),
    // TCM_AXI_SHARED = 00 (64 KiB ITCM, 320 KiB AXI SRAM), CPUFREQ_BOOST = 0.
    struct OptionBytes {
        std::uint32_t optsr = 0x0006AAD0;
        std::uint32_t optsr2 = 0x00000000;
        std::uint32_t boot = 0x1FF00800;
        std::uint32_t prar = 0x000000FF;
        std::uint32_t scar = 0x000000FF;
        std::uint32_t wpsn = 0x000000FF;
    };

    explicit Stm32h7Flash(PeripheralContext& ctx);

    // Replaces the option bytes, as if programmed (e.g. with STM32CubeProgrammer) before
    // the run: the _CUR and _PRG registers show them from now on, across resets.
    void loadOptionBytes(const OptionBytes& ob);
    const OptionBytes& optionBytes() const { return options_; }
    bool cpuFreqBoost() const { return (options_.optsr2 & h7flash_opt::CPUFREQ_BOOST) != 0; }

    unsigned latency() const;     // FLASH_ACR.LATENCY, in wait states
    unsigned wrHighFreq() const;  // FLASH_ACR.WRHIGHFREQ
    // RM0468 Table 16: fewest wait states and the programming delay for this AXI clock at
    // this voltage scale (0..3). Above the table's last row: the last row's values.
    struct Requirement {
        unsigned latency;
        unsigned wrHighFreq;
        std::uint64_t maxHz;  // the row's upper bound
    };
    static Requirement required(std::uint64_t axiHz, unsigned scale);

    // Wiring (done by the machine): the AXI clock and the voltage scale in effect.
    void setClockSource(std::function<Stm32h7Clocks()> f) { clocks_ = std::move(f); }
    void setVoltageScale(std::function<unsigned()> f) { scale_ = std::move(f); }
    void checkLatency();

  protected:
    void onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                 std::uint32_t written, std::uint32_t lanes) override;
    void onReset() override;

  private:
    struct KeyLock {
        unsigned stage = 0;  // 0: expect key 1, 1: expect key 2
        bool lockedUntilReset = false;
    };
    void writeKey(KeyLock& lock, std::uint32_t lockRegister, std::uint32_t lockBit,
                  std::uint32_t key1, std::uint32_t key2, std::uint32_t written,
                  std::uint32_t lanes, const char* keyRegister, const char* lockedRegister);
    void writeCr1(std::uint32_t oldValue, std::uint32_t newValue);
    void writeOptcr(std::uint32_t oldValue, std::uint32_t newValue);
    void applyOptionBytes();
    std::uint64_t axiHz() const;
    unsigned scale() const;

    OptionBytes options_;
    KeyLock crLock_;
    KeyLock optLock_;
    std::function<Stm32h7Clocks()> clocks_;
    std::function<unsigned()> scale_;
};

}  // namespace cmsim
