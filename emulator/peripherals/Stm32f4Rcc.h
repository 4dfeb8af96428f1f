#pragma once
// STM32F405/407 reset and clock control (RCC), RM0090 §7. Base 0x40023800, 0x400 bytes.
//
// What is modelled: every RCC register of the F405/407 with its reset value and writable
// bits; oscillator start-up and PLL lock as ready flags that follow the ON bits after a
// fixed number of CPU cycles (derived lazily from the cycle the ON bit was set); the
// SYSCLK switch (CFGR.SW -> CFGR.SWS) as a TimedEvent; the bus clocks derived from the
// prescalers; the ready interrupts (CIR, RCC global IRQ 5); peripheral clock gates and
// software resets as queries/callbacks. The core clock (HCLK) is pushed into the one
// TimeBase whenever it changes.
//
// Not modelled: Stop/Standby (the core's low-power model owns those), the clock security
// system (the HSE never fails here, so CSSF never sets), MCO outputs, spread spectrum.
#include <cstdint>
#include <functional>
#include <string_view>

#include "../ClockGate.h"
#include "RegisterPeripheral.h"

namespace cmsim {

// Register offsets, RM0090 §7.3.24 (RCC register map, F405/407 subset).
namespace rcc_reg {
constexpr std::uint32_t CR = 0x00;
constexpr std::uint32_t PLLCFGR = 0x04;
constexpr std::uint32_t CFGR = 0x08;
constexpr std::uint32_t CIR = 0x0C;
constexpr std::uint32_t AHB1RSTR = 0x10;
constexpr std::uint32_t AHB2RSTR = 0x14;
constexpr std::uint32_t AHB3RSTR = 0x18;
constexpr std::uint32_t APB1RSTR = 0x20;
constexpr std::uint32_t APB2RSTR = 0x24;
constexpr std::uint32_t AHB1ENR = 0x30;
constexpr std::uint32_t AHB2ENR = 0x34;
constexpr std::uint32_t AHB3ENR = 0x38;
constexpr std::uint32_t APB1ENR = 0x40;
constexpr std::uint32_t APB2ENR = 0x44;
constexpr std::uint32_t AHB1LPENR = 0x50;
constexpr std::uint32_t AHB2LPENR = 0x54;
constexpr std::uint32_t AHB3LPENR = 0x58;
constexpr std::uint32_t APB1LPENR = 0x60;
constexpr std::uint32_t APB2LPENR = 0x64;
constexpr std::uint32_t BDCR = 0x70;
constexpr std::uint32_t CSR = 0x74;
constexpr std::uint32_t SSCGR = 0x80;
constexpr std::uint32_t PLLI2SCFGR = 0x84;
}  // namespace rcc_reg

// RCC_CR, RM0090 §7.3.1.
namespace rcc_cr {
constexpr std::uint32_t HSION = 1u << 0;
constexpr std::uint32_t HSIRDY = 1u << 1;
constexpr std::uint32_t HSITRIM_MASK = 0x1Fu << 3;
constexpr std::uint32_t HSICAL_MASK = 0xFFu << 8;
constexpr std::uint32_t HSEON = 1u << 16;
constexpr std::uint32_t HSERDY = 1u << 17;
constexpr std::uint32_t HSEBYP = 1u << 18;
constexpr std::uint32_t CSSON = 1u << 19;
constexpr std::uint32_t PLLON = 1u << 24;
constexpr std::uint32_t PLLRDY = 1u << 25;
constexpr std::uint32_t PLLI2SON = 1u << 26;
constexpr std::uint32_t PLLI2SRDY = 1u << 27;
}  // namespace rcc_cr

// RCC_PLLCFGR, RM0090 §7.3.2.
namespace rcc_pllcfgr {
constexpr std::uint32_t PLLM_SHIFT = 0;
constexpr std::uint32_t PLLM_MASK = 0x3Fu << PLLM_SHIFT;
constexpr std::uint32_t PLLN_SHIFT = 6;
constexpr std::uint32_t PLLN_MASK = 0x1FFu << PLLN_SHIFT;
constexpr std::uint32_t PLLP_SHIFT = 16;
constexpr std::uint32_t PLLP_MASK = 0x3u << PLLP_SHIFT;
constexpr std::uint32_t PLLSRC = 1u << 22;  // 0: HSI, 1: HSE (also feeds PLLI2S)
constexpr std::uint32_t PLLQ_SHIFT = 24;
constexpr std::uint32_t PLLQ_MASK = 0xFu << PLLQ_SHIFT;
}  // namespace rcc_pllcfgr

// RCC_CFGR, RM0090 §7.3.3.
namespace rcc_cfgr {
constexpr std::uint32_t SW_MASK = 0x3u;
constexpr std::uint32_t SWS_SHIFT = 2;
constexpr std::uint32_t SWS_MASK = 0x3u << SWS_SHIFT;
constexpr std::uint32_t HPRE_SHIFT = 4;
constexpr std::uint32_t HPRE_MASK = 0xFu << HPRE_SHIFT;
constexpr std::uint32_t PPRE1_SHIFT = 10;
constexpr std::uint32_t PPRE1_MASK = 0x7u << PPRE1_SHIFT;
constexpr std::uint32_t PPRE2_SHIFT = 13;
constexpr std::uint32_t PPRE2_MASK = 0x7u << PPRE2_SHIFT;
constexpr std::uint32_t RTCPRE_SHIFT = 16;
constexpr std::uint32_t RTCPRE_MASK = 0x1Fu << RTCPRE_SHIFT;
constexpr std::uint32_t MCO1_MASK = 0x3u << 21;
constexpr std::uint32_t I2SSRC = 1u << 23;
constexpr std::uint32_t MCO1PRE_MASK = 0x7u << 24;
constexpr std::uint32_t MCO2PRE_MASK = 0x7u << 27;
constexpr std::uint32_t MCO2_MASK = 0x3u << 30;
// SW / SWS encodings.
constexpr std::uint32_t SW_HSI = 0;
constexpr std::uint32_t SW_HSE = 1;
constexpr std::uint32_t SW_PLL = 2;
}  // namespace rcc_cfgr

// RCC_CIR, RM0090 §7.3.4. Flags (r), enables (rw), clear bits (w, read 0).
namespace rcc_cir {
constexpr std::uint32_t LSIRDYF = 1u << 0;
constexpr std::uint32_t LSERDYF = 1u << 1;
constexpr std::uint32_t HSIRDYF = 1u << 2;
constexpr std::uint32_t HSERDYF = 1u << 3;
constexpr std::uint32_t PLLRDYF = 1u << 4;
constexpr std::uint32_t PLLI2SRDYF = 1u << 5;
constexpr std::uint32_t CSSF = 1u << 7;
constexpr std::uint32_t IE_SHIFT = 8;    // xxxRDYIE = flag << 8
constexpr std::uint32_t CLR_SHIFT = 16;  // xxxRDYC / CSSC = flag << 16
constexpr std::uint32_t IE_MASK = 0x3Fu << IE_SHIFT;
constexpr std::uint32_t CLR_MASK = 0xBFu << CLR_SHIFT;
}  // namespace rcc_cir

// RCC_BDCR, RM0090 §7.3.20 (backup domain).
namespace rcc_bdcr {
constexpr std::uint32_t LSEON = 1u << 0;
constexpr std::uint32_t LSERDY = 1u << 1;
constexpr std::uint32_t LSEBYP = 1u << 2;
constexpr std::uint32_t RTCSEL_SHIFT = 8;
constexpr std::uint32_t RTCSEL_MASK = 0x3u << RTCSEL_SHIFT;  // 0 none, 1 LSE, 2 LSI, 3 HSE/RTCPRE
constexpr std::uint32_t RTCEN = 1u << 15;
constexpr std::uint32_t BDRST = 1u << 16;
}  // namespace rcc_bdcr

// RCC_CSR, RM0090 §7.3.21.
namespace rcc_csr {
constexpr std::uint32_t LSION = 1u << 0;
constexpr std::uint32_t LSIRDY = 1u << 1;
constexpr std::uint32_t RMVF = 1u << 24;
constexpr std::uint32_t BORRSTF = 1u << 25;
constexpr std::uint32_t PINRSTF = 1u << 26;
constexpr std::uint32_t PORRSTF = 1u << 27;
constexpr std::uint32_t SFTRSTF = 1u << 28;
constexpr std::uint32_t IWDGRSTF = 1u << 29;
constexpr std::uint32_t WWDGRSTF = 1u << 30;
constexpr std::uint32_t LPWRRSTF = 1u << 31;
constexpr std::uint32_t RESET_FLAGS = 0xFEu << 24;
}  // namespace rcc_csr

// RCC_SSCGR, RM0090 §7.3.22.
namespace rcc_sscgr {
constexpr std::uint32_t SSCGEN = 1u << 31;
}

// RCC_PLLI2SCFGR, RM0090 §7.3.23.
namespace rcc_plli2scfgr {
constexpr std::uint32_t PLLI2SN_SHIFT = 6;
constexpr std::uint32_t PLLI2SN_MASK = 0x1FFu << PLLI2SN_SHIFT;
constexpr std::uint32_t PLLI2SR_SHIFT = 28;
constexpr std::uint32_t PLLI2SR_MASK = 0x7u << PLLI2SR_SHIFT;
}  // namespace rcc_plli2scfgr

class Stm32f4Rcc final : public RegisterPeripheral {
  public:
    static constexpr std::uint32_t kBaseAddress = 0x40023800;
    static constexpr std::uint32_t kBlockSize = 0x400;
    static constexpr unsigned kIrq = 5;  // RCC global interrupt (RM0090 Table 61)

    static constexpr std::uint64_t kHsiHz = 16'000'000;  // RM0090 §7.2.2
    static constexpr std::uint64_t kLsiHz = 32'000;      // RM0090 §7.2.5 (~32 kHz)

    // Start-up / lock delays in CPU cycles. Silicon takes far longer (HSE crystal ~2 ms,
    // PLL lock up to 100 µs, LSE ~2 s); cmsim shortens them so polling loops end fast,
    // yet keeps them non-zero so a firmware that uses a clock before its ready flag is
    // set is still exposed (the switch waits, flags read 0 for a while).
    static constexpr Cycles kHsiStartupCycles = 32;        // tsu(HSI) ~2 µs on silicon
    static constexpr Cycles kHseStartupCycles = 512;       // crystal; ~2 ms on silicon
    static constexpr Cycles kHseBypassStartupCycles = 16;  // external clock (HSEBYP=1)
    static constexpr Cycles kPllLockCycles = 256;          // tLOCK <= 100 µs on silicon
    static constexpr Cycles kPllI2sLockCycles = 256;       // same PLL design
    static constexpr Cycles kLsiStartupCycles = 64;        // tsu(LSI) ~15-40 µs
    static constexpr Cycles kLseStartupCycles = 1024;      // ~2 s on silicon
    static constexpr Cycles kLseBypassStartupCycles = 16;  // external clock (LSEBYP=1)
    // SW -> SWS: the switch needs a few cycles of both clocks to resynchronise.
    static constexpr Cycles kSwitchCycles = 8;

    // hseHz: the board's HSE crystal/clock (0 = none fitted: HSERDY never sets).
    // lseHz: the board's 32.768 kHz crystal (0 = none fitted: LSERDY never sets).
    Stm32f4Rcc(PeripheralContext& ctx, std::uint64_t hseHz, std::uint64_t lseHz = 32'768);

    // Clock tree as the hardware currently runs it (SYSCLK follows SWS, not SW).
    std::uint64_t sysclkHz() const;
    std::uint64_t hclkHz() const;
    std::uint64_t pclk1Hz() const;
    std::uint64_t pclk2Hz() const;
    // Timer kernel clocks: PCLKx, or 2 x PCLKx when the APB prescaler is not 1 (§7.2).
    std::uint64_t timerClock1Hz() const;
    std::uint64_t timerClock2Hz() const;
    std::uint64_t pllOutputHz() const;  // PLLCLK = VCO / PLLP (whether locked or not)
    std::uint64_t pll48Hz() const;      // PLL48CK = VCO / PLLQ (USB OTG FS, SDIO, RNG)
    std::uint64_t plli2sHz() const;     // PLLI2SCLK = VCO(I2S) / PLLI2SR

    // Peripheral clock enable (e.g. {"AHB1ENR", "AHB1RSTR", 3} for GPIOD).
    bool isGateEnabled(const ClockGate& gate) const;
    // True while the firmware holds the peripheral in reset (its xxRSTR bit is 1).
    bool isHeldInReset(const ClockGate& gate) const;
    // Called when the firmware sets a bit in an xxRSTR register (the rising edge: the
    // peripheral is reset and, per RM0090, held in reset while the bit stays 1), and
    // with ("BDCR", 16) when BDRST resets the backup domain (RTC, backup registers).
    void onPeripheralReset(std::function<void(std::string_view resetRegister, unsigned bit)> f) {
        peripheralReset_ = std::move(f);
    }
    // BDCR is write-protected unless PWR_CR.DBP=1 (RM0090 §5.1.2, §7.3.20). The machine
    // wires this to the PWR model; unwired, BDCR writes are accepted.
    void setBackupDomainWritable(std::function<bool()> f) { backupWritable_ = std::move(f); }

  protected:
    std::uint32_t onRead(const RegisterSpec& reg, std::uint32_t stored) override;
    void onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                 std::uint32_t written, std::uint32_t lanes) override;
    void onReset() override;

  private:
    enum Osc : unsigned { HSI, HSE, PLL, PLLI2S, LSI, LSE, kOscCount };

    Cycles readyAt(Osc o) const;  // cycle from which the ready flag reads 1, or kNever
    bool isReady(Osc o) const { return ctx().time.now() >= readyAt(o); }
    static Osc oscForSw(std::uint32_t sw) { return sw == 0 ? HSI : sw == 1 ? HSE : PLL; }
    std::uint64_t pllInputHz() const;
    std::uint64_t clockOf(std::uint32_t sws) const;

    void writeCr(std::uint32_t oldValue, std::uint32_t newValue);
    void writePllcfgr(std::uint32_t oldValue, std::uint32_t newValue);
    void writeCfgr(std::uint32_t oldValue, std::uint32_t newValue);
    void writeCir(std::uint32_t oldValue, std::uint32_t newValue, std::uint32_t written);
    void writeBdcr(std::uint32_t oldValue, std::uint32_t newValue);
    void writeCsr(std::uint32_t oldValue, std::uint32_t newValue);

    void checkHse();
    void checkPll();
    void checkPllI2s();
    void scheduleSwitch(bool restart);  // restart: SW was just written
    void completeSwitch();
    void applyClocks();    // recompute HCLK, tell the time base, check bus limits
    void armReadyEvent();  // next ready interrupt (CIR) due
    void deliverReadyInterrupts();
    void mistakeOnce(std::string key, std::string message);

    std::uint64_t hseHz_;
    std::uint64_t lseHz_;
    // Start cycle per oscillator (when its ON bit was last set).
    Cycles onAt_[kOscCount] = {};
    bool hsiReadyFromReset_ = true;  // HSI runs out of reset: ready at once
    // The ready edge of the current ON period was already seen (for CIR flags).
    bool announced_[kOscCount] = {};
    std::uint32_t backupDomain_ = 0;  // BDCR survives a system reset (RM0090 §5.1.2)
    TimedEvent swsEvent_;
    TimedEvent readyEvent_;
    std::function<void(std::string_view, unsigned)> peripheralReset_;
    std::function<bool()> backupWritable_;
};

}  // namespace cmsim
