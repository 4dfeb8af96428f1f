#pragma once
// STM32H723/733/725/735/730 reset and clock control (RCC), RM0468 §8. Base 0x58024400,
// 0x400 bytes (D3 domain, AHB4).
//
// Modelled: every RCC register of the H72x/73x with its reset value and writable bits;
// the oscillators HSI (64 MHz through HSIDIV /1 /2 /4 /8, with HSIDIVF), CSI (4 MHz), HSI48,
// HSE (the board's crystal or, with HSEBYP, external clock), LSI, LSE; PLL1-3 with the
// shared source PLLSRC, DIVMx, DIVNx, the fractional FRACNx latched by PLLxFRACEN, and the
// P/Q/R post-dividers; ready flags that follow the ON bits a fixed number of CPU cycles
// later (constants below, never instantly); the system clock switch CFGR.SW -> SWS; the
// D1CPRE/HPRE/D1PPRE, D2PPRE1/2 and D3PPRE prescalers; the ready interrupts (CIER/CIFR/
// CICR, RCC global IRQ 5); peripheral clock gates (xxENR) and software resets (xxRSTR).
//
// Clock names (RM0468 Figure 49): sys_ck is the switch output; the Cortex-M7 runs at
// sys_d1cpre_ck = sys_ck / D1CPRE (the "CPU clock", which also clocks SysTick); rcc_hclk3
// (AXI, AHB3; also AHB1/2/4) = sys_d1cpre_ck / HPRE; rcc_pclk3 = rcc_hclk3 / D1PPRE,
// rcc_pclk1/2 = rcc_hclk3 / D2PPRE1/2, rcc_pclk4 = rcc_hclk3 / D3PPRE. The CPU clock is
// what the machine's time base counts, so ClockController::hclkHz() reports it (see
// cpuClockHz()); the AXI/AHB clock is axiClockHz().
//
// Not modelled: the clock security systems (HSE and LSE never fail), MCO outputs, kernel
// clock selections (D1CCIPR...: stored), Stop/Standby, autonomous mode (D3AMR: stored),
// the RCC_C1_xxx aliases of dual-core parts.
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "../ClockGate.h"
#include "RegisterPeripheral.h"

namespace cmsim {

// Register offsets, RM0468 §8.7 (RCC register map table at the end of the section).
namespace h7rcc_reg {
constexpr std::uint32_t CR = 0x000;
constexpr std::uint32_t HSICFGR = 0x004;
constexpr std::uint32_t CRRCR = 0x008;
constexpr std::uint32_t CSICFGR = 0x00C;
constexpr std::uint32_t CFGR = 0x010;
constexpr std::uint32_t D1CFGR = 0x018;
constexpr std::uint32_t D2CFGR = 0x01C;
constexpr std::uint32_t D3CFGR = 0x020;
constexpr std::uint32_t PLLCKSELR = 0x028;
constexpr std::uint32_t PLLCFGR = 0x02C;
constexpr std::uint32_t PLL1DIVR = 0x030;
constexpr std::uint32_t PLL1FRACR = 0x034;
constexpr std::uint32_t PLL2DIVR = 0x038;
constexpr std::uint32_t PLL2FRACR = 0x03C;
constexpr std::uint32_t PLL3DIVR = 0x040;
constexpr std::uint32_t PLL3FRACR = 0x044;
constexpr std::uint32_t D1CCIPR = 0x04C;
constexpr std::uint32_t D2CCIP1R = 0x050;
constexpr std::uint32_t D2CCIP2R = 0x054;
constexpr std::uint32_t D3CCIPR = 0x058;
constexpr std::uint32_t CIER = 0x060;
constexpr std::uint32_t CIFR = 0x064;
constexpr std::uint32_t CICR = 0x068;
constexpr std::uint32_t BDCR = 0x070;
constexpr std::uint32_t CSR = 0x074;
constexpr std::uint32_t AHB3RSTR = 0x07C;
constexpr std::uint32_t AHB1RSTR = 0x080;
constexpr std::uint32_t AHB2RSTR = 0x084;
constexpr std::uint32_t AHB4RSTR = 0x088;
constexpr std::uint32_t APB3RSTR = 0x08C;
constexpr std::uint32_t APB1LRSTR = 0x090;
constexpr std::uint32_t APB1HRSTR = 0x094;
constexpr std::uint32_t APB2RSTR = 0x098;
constexpr std::uint32_t APB4RSTR = 0x09C;
constexpr std::uint32_t GCR = 0x0A0;
constexpr std::uint32_t D3AMR = 0x0A8;
constexpr std::uint32_t RSR = 0x0D0;
constexpr std::uint32_t AHB3ENR = 0x0D4;
constexpr std::uint32_t AHB1ENR = 0x0D8;
constexpr std::uint32_t AHB2ENR = 0x0DC;
constexpr std::uint32_t AHB4ENR = 0x0E0;
constexpr std::uint32_t APB3ENR = 0x0E4;
constexpr std::uint32_t APB1LENR = 0x0E8;
constexpr std::uint32_t APB1HENR = 0x0EC;
constexpr std::uint32_t APB2ENR = 0x0F0;
constexpr std::uint32_t APB4ENR = 0x0F4;
constexpr std::uint32_t AHB3LPENR = 0x0FC;
constexpr std::uint32_t AHB1LPENR = 0x100;
constexpr std::uint32_t AHB2LPENR = 0x104;
constexpr std::uint32_t AHB4LPENR = 0x108;
constexpr std::uint32_t APB3LPENR = 0x10C;
constexpr std::uint32_t APB1LLPENR = 0x110;
constexpr std::uint32_t APB1HLPENR = 0x114;
constexpr std::uint32_t APB2LPENR = 0x118;
constexpr std::uint32_t APB4LPENR = 0x11C;
}  // namespace h7rcc_reg

// RCC_CR (RCC source control register), RM0468 §8.7.
namespace h7rcc_cr {
constexpr std::uint32_t HSION = 1u << 0;
constexpr std::uint32_t HSIKERON = 1u << 1;
constexpr std::uint32_t HSIRDY = 1u << 2;
constexpr std::uint32_t HSIDIV_SHIFT = 3;
constexpr std::uint32_t HSIDIV_MASK = 0x3u << HSIDIV_SHIFT;  // /1 /2 /4 /8
constexpr std::uint32_t HSIDIVF = 1u << 5;
constexpr std::uint32_t CSION = 1u << 7;
constexpr std::uint32_t CSIRDY = 1u << 8;
constexpr std::uint32_t CSIKERON = 1u << 9;
constexpr std::uint32_t HSI48ON = 1u << 12;
constexpr std::uint32_t HSI48RDY = 1u << 13;
constexpr std::uint32_t D1CKRDY = 1u << 14;
constexpr std::uint32_t D2CKRDY = 1u << 15;
constexpr std::uint32_t HSEON = 1u << 16;
constexpr std::uint32_t HSERDY = 1u << 17;
constexpr std::uint32_t HSEBYP = 1u << 18;
constexpr std::uint32_t HSECSSON = 1u << 19;
constexpr std::uint32_t PLL1ON = 1u << 24;
constexpr std::uint32_t PLL1RDY = 1u << 25;
constexpr std::uint32_t PLL2ON = 1u << 26;
constexpr std::uint32_t PLL2RDY = 1u << 27;
constexpr std::uint32_t PLL3ON = 1u << 28;
constexpr std::uint32_t PLL3RDY = 1u << 29;
}  // namespace h7rcc_cr

// RCC_CFGR, RM0468 §8.7.
namespace h7rcc_cfgr {
constexpr std::uint32_t SW_MASK = 0x7u;
constexpr std::uint32_t SWS_SHIFT = 3;
constexpr std::uint32_t SWS_MASK = 0x7u << SWS_SHIFT;
constexpr std::uint32_t TIMPRE = 1u << 15;
// SW / SWS encodings.
constexpr std::uint32_t SW_HSI = 0;
constexpr std::uint32_t SW_CSI = 1;
constexpr std::uint32_t SW_HSE = 2;
constexpr std::uint32_t SW_PLL1 = 3;
}  // namespace h7rcc_cfgr

// RCC_D1CFGR / RCC_D2CFGR / RCC_D3CFGR, RM0468 §8.7.
namespace h7rcc_dcfgr {
constexpr std::uint32_t HPRE_SHIFT = 0;  // D1CFGR
constexpr std::uint32_t HPRE_MASK = 0xFu << HPRE_SHIFT;
constexpr std::uint32_t D1PPRE_SHIFT = 4;
constexpr std::uint32_t D1PPRE_MASK = 0x7u << D1PPRE_SHIFT;
constexpr std::uint32_t D1CPRE_SHIFT = 8;
constexpr std::uint32_t D1CPRE_MASK = 0xFu << D1CPRE_SHIFT;
constexpr std::uint32_t D2PPRE1_SHIFT = 4;  // D2CFGR
constexpr std::uint32_t D2PPRE1_MASK = 0x7u << D2PPRE1_SHIFT;
constexpr std::uint32_t D2PPRE2_SHIFT = 8;
constexpr std::uint32_t D2PPRE2_MASK = 0x7u << D2PPRE2_SHIFT;
constexpr std::uint32_t D3PPRE_SHIFT = 4;  // D3CFGR
constexpr std::uint32_t D3PPRE_MASK = 0x7u << D3PPRE_SHIFT;
// Encodings: AHB-style 0xxx /1, 1000 /2, 1001 /4, ... 1111 /512; APB-style 0xx /1,
// 100 /2, 101 /4, 110 /8, 111 /16.
constexpr std::uint32_t DIV1 = 0x0;
constexpr std::uint32_t AHB_DIV2 = 0x8;
constexpr std::uint32_t APB_DIV2 = 0x4;
}  // namespace h7rcc_dcfgr

// RCC_PLLCKSELR, RM0468 §8.7.
namespace h7rcc_pllckselr {
constexpr std::uint32_t PLLSRC_MASK = 0x3u;
constexpr std::uint32_t PLLSRC_HSI = 0;
constexpr std::uint32_t PLLSRC_CSI = 1;
constexpr std::uint32_t PLLSRC_HSE = 2;
constexpr std::uint32_t PLLSRC_NONE = 3;
constexpr std::uint32_t divmShift(unsigned pll) {
    return 4 + 8 * pll;
}  // pll 0..2
constexpr std::uint32_t divmMask(unsigned pll) {
    return 0x3Fu << divmShift(pll);
}
}  // namespace h7rcc_pllckselr

// RCC_PLLCFGR, RM0468 §8.7 (pll 0..2 = PLL1..PLL3).
namespace h7rcc_pllcfgr {
constexpr std::uint32_t fracen(unsigned pll) {
    return 1u << (4 * pll);
}
constexpr std::uint32_t vcosel(unsigned pll) {
    return 1u << (4 * pll + 1);
}  // 1: medium VCO
constexpr std::uint32_t rgeShift(unsigned pll) {
    return 4 * pll + 2;
}
constexpr std::uint32_t rgeMask(unsigned pll) {
    return 0x3u << rgeShift(pll);
}
constexpr std::uint32_t divpen(unsigned pll) {
    return 1u << (16 + 3 * pll);
}
constexpr std::uint32_t divqen(unsigned pll) {
    return 1u << (17 + 3 * pll);
}
constexpr std::uint32_t divren(unsigned pll) {
    return 1u << (18 + 3 * pll);
}
// PLLxRGE: reference clock range.
constexpr std::uint32_t RGE_1_2MHZ = 0;
constexpr std::uint32_t RGE_2_4MHZ = 1;
constexpr std::uint32_t RGE_4_8MHZ = 2;
constexpr std::uint32_t RGE_8_16MHZ = 3;
}  // namespace h7rcc_pllcfgr

// RCC_PLLxDIVR and RCC_PLLxFRACR, RM0468 §8.7. Each divider field holds divider - 1.
namespace h7rcc_plldivr {
constexpr std::uint32_t N_MASK = 0x1FFu;
constexpr std::uint32_t P_SHIFT = 9;
constexpr std::uint32_t P_MASK = 0x7Fu << P_SHIFT;
constexpr std::uint32_t Q_SHIFT = 16;
constexpr std::uint32_t Q_MASK = 0x7Fu << Q_SHIFT;
constexpr std::uint32_t R_SHIFT = 24;
constexpr std::uint32_t R_MASK = 0x7Fu << R_SHIFT;
constexpr std::uint32_t FRACN_SHIFT = 3;  // PLLxFRACR
constexpr std::uint32_t FRACN_MASK = 0x1FFFu << FRACN_SHIFT;
}  // namespace h7rcc_plldivr

// RCC_CIER / RCC_CIFR / RCC_CICR, RM0468 §8.7: one bit per ready source.
namespace h7rcc_cir {
constexpr std::uint32_t LSIRDY = 1u << 0;
constexpr std::uint32_t LSERDY = 1u << 1;
constexpr std::uint32_t HSIRDY = 1u << 2;
constexpr std::uint32_t HSERDY = 1u << 3;
constexpr std::uint32_t CSIRDY = 1u << 4;
constexpr std::uint32_t HSI48RDY = 1u << 5;
constexpr std::uint32_t PLL1RDY = 1u << 6;
constexpr std::uint32_t PLL2RDY = 1u << 7;
constexpr std::uint32_t PLL3RDY = 1u << 8;
constexpr std::uint32_t LSECSS = 1u << 9;
constexpr std::uint32_t HSECSS = 1u << 10;  // CIFR/CICR only (the HSE CSS interrupt is an NMI)
}  // namespace h7rcc_cir

// RCC_BDCR, RM0468 §8.7 (backup domain).
namespace h7rcc_bdcr {
constexpr std::uint32_t LSEON = 1u << 0;
constexpr std::uint32_t LSERDY = 1u << 1;
constexpr std::uint32_t LSEBYP = 1u << 2;
constexpr std::uint32_t RTCSEL_SHIFT = 8;
constexpr std::uint32_t RTCSEL_MASK = 0x3u << RTCSEL_SHIFT;
constexpr std::uint32_t RTCEN = 1u << 15;
constexpr std::uint32_t BDRST = 1u << 16;
}  // namespace h7rcc_bdcr

// RCC_CSR and RCC_RSR, RM0468 §8.7.
namespace h7rcc_csr {
constexpr std::uint32_t LSION = 1u << 0;
constexpr std::uint32_t LSIRDY = 1u << 1;
}  // namespace h7rcc_csr
namespace h7rcc_rsr {
constexpr std::uint32_t RMVF = 1u << 16;
constexpr std::uint32_t FLAGS = 0x55FA0000u;  // CPURSTF .. LPWRRSTF
// After a power-on reset: PORRSTF, PINRSTF, BORRSTF, D2RSTF, D1RSTF, CPURSTF (RM0468
// §8.4, table "Reset source identification").
constexpr std::uint32_t POWER_ON = 0x00FA0000u;
}  // namespace h7rcc_rsr

// RCC_AHB4ENR GPIOxEN bits (RM0468 §8.7).
namespace h7rcc_ahb4enr {
constexpr std::uint32_t gpioen(char port) {
    return 1u << (port - 'A');
}
}  // namespace h7rcc_ahb4enr

// The clock tree as the hardware currently runs it (SYSCLK follows SWS, not SW).
struct Stm32h7Clocks {
    std::uint64_t sys = 0;    // sys_ck
    std::uint64_t cpu = 0;    // sys_d1cpre_ck (Cortex-M7, SysTick)
    std::uint64_t hclk = 0;   // rcc_hclk3 = rcc_aclk (AXI, AHB1-4)
    std::uint64_t pclk1 = 0;  // D2 APB1
    std::uint64_t pclk2 = 0;  // D2 APB2
    std::uint64_t pclk3 = 0;  // D1 APB3
    std::uint64_t pclk4 = 0;  // D3 APB4
    bool operator==(const Stm32h7Clocks&) const = default;
};

class Stm32h7Rcc final : public RegisterPeripheral {
  public:
    static constexpr std::uint32_t kBaseAddress = 0x58024400;
    static constexpr std::uint32_t kBlockSize = 0x400;
    static constexpr unsigned kIrq = 5;  // RCC global interrupt (RM0468 NVIC vector table)

    static constexpr std::uint64_t kHsiHz = 64'000'000;  // RM0468 §8.5 (oscillators)
    static constexpr std::uint64_t kCsiHz = 4'000'000;
    static constexpr std::uint64_t kHsi48Hz = 48'000'000;
    static constexpr std::uint64_t kLsiHz = 32'000;  // ~32 kHz

    // Start-up, lock and switch delays in CPU cycles. Silicon takes longer (HSE crystal
    // ~2 ms, PLL lock ~50-150 µs, HSI/CSI a few µs); cmsim shortens them so polling loops
    // end fast, but keeps them non-zero so that firmware using a clock before its ready
    // flag is set is exposed (flags read 0 for a while, the switch waits).
    static constexpr Cycles kHsiStartupCycles = 32;        // tsu(HSI) ~4 µs
    static constexpr Cycles kHsiDivCycles = 16;            // HSIDIV change -> HSIDIVF = 1
    static constexpr Cycles kCsiStartupCycles = 32;        // tsu(CSI) ~2 µs
    static constexpr Cycles kHsi48StartupCycles = 64;      // tsu(HSI48) ~6 µs
    static constexpr Cycles kHseStartupCycles = 512;       // crystal; ~2 ms on silicon
    static constexpr Cycles kHseBypassStartupCycles = 16;  // external clock (HSEBYP = 1)
    static constexpr Cycles kPllLockCycles = 256;          // tLOCK, all three PLLs
    static constexpr Cycles kLsiStartupCycles = 64;
    static constexpr Cycles kLseStartupCycles = 1024;  // ~2 s on silicon
    static constexpr Cycles kLseBypassStartupCycles = 16;
    // SW -> SWS: the switch needs a few cycles of both clocks to resynchronise.
    static constexpr Cycles kSwitchCycles = 8;

    // hseHz: the board's HSE (crystal or external clock; 0 = none: HSERDY never sets).
    // lseHz: the board's 32.768 kHz crystal (0 = none fitted).
    Stm32h7Rcc(PeripheralContext& ctx, std::uint64_t hseHz, std::uint64_t lseHz = 32'768);

    Stm32h7Clocks clocks() const;
    std::uint64_t sysclkHz() const;                        // sys_ck
    std::uint64_t cpuClockHz() const;                      // sys_d1cpre_ck
    std::uint64_t hclkHz() const { return cpuClockHz(); }  // the core clock (ClockController)
    std::uint64_t axiClockHz() const;                      // rcc_hclk3 / rcc_aclk
    std::uint64_t hsiHz() const;  // hsi_ck after HSIDIV (the divider in effect)
    // PLLx (pll 0..2) VCO and outputs, whether locked or not (0 when not configured).
    std::uint64_t pllVcoHz(unsigned pll) const;
    std::uint64_t pllPHz(unsigned pll) const;
    std::uint64_t pllQHz(unsigned pll) const;
    std::uint64_t pllRHz(unsigned pll) const;

    // Peripheral clock enable (e.g. {"AHB4ENR", "AHB4RSTR", 1} for GPIOB).
    bool isGateEnabled(const ClockGate& gate) const;
    bool isHeldInReset(const ClockGate& gate) const;
    // Called when the firmware sets an xxRSTR bit (the peripheral is reset and held in
    // reset while the bit stays 1), and with ("BDCR", 16) when BDRST resets the backup
    // domain.
    void onPeripheralReset(std::function<void(std::string_view resetRegister, unsigned bit)> f) {
        peripheralReset_ = std::move(f);
    }
    // BDCR is write-protected unless PWR_CR1.DBP = 1 (RM0468 §6.8 PWR_CR1, §8.7 RCC_BDCR). Unwired,
    // BDCR writes are accepted.
    void setBackupDomainWritable(std::function<bool()> f) { backupWritable_ = std::move(f); }
    // Told after every change of any clock of the tree (PWR and FLASH check their limits).
    void onClocksChanged(std::function<void(const Stm32h7Clocks&)> f) {
        clockListeners_.push_back(std::move(f));
    }

  protected:
    std::uint32_t onRead(const RegisterSpec& reg, std::uint32_t stored) override;
    void onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                 std::uint32_t written, std::uint32_t lanes) override;
    void onReset() override;

  private:
    enum Osc : unsigned { HSI, CSI, HSI48, HSE, PLL1, PLL2, PLL3, LSI, LSE, kOscCount };
    static constexpr unsigned pllOsc(unsigned pll) { return PLL1 + pll; }

    Cycles readyAt(Osc o) const;  // cycle from which the ready flag reads 1, or kNever
    bool isReady(Osc o) const { return ctx().time.now() >= readyAt(o); }
    std::uint64_t pllSourceHz() const;
    std::uint64_t pllRefHz(unsigned pll) const;  // after DIVMx
    std::uint64_t clockOf(std::uint32_t sws) const;
    bool hsiDividerSettled() const { return ctx().time.now() >= hsiDivReadyAt_; }

    void writeCr(std::uint32_t oldValue, std::uint32_t newValue);
    void writePllckselr(std::uint32_t oldValue, std::uint32_t newValue);
    void writePllcfgr(std::uint32_t oldValue, std::uint32_t newValue);
    void writePlldivr(unsigned pll, std::uint32_t offset, std::uint32_t oldValue,
                      std::uint32_t newValue);
    void writeCfgr(std::uint32_t oldValue, std::uint32_t newValue);
    void writeCicr(std::uint32_t written);
    void writeBdcr(std::uint32_t oldValue, std::uint32_t newValue);
    void writeRsr(std::uint32_t newValue);

    void checkHse();
    void checkPll(unsigned pll);
    void scheduleSwitch(bool restart);  // restart: SW was just written
    void completeSwitch();
    void applyClocks();  // recompute the tree, tell the time base and the listeners
    void armEvents();    // next ready interrupt or HSIDIV settling due
    void deliverEvents();
    void mistakeOnce(std::string key, std::string message);

    std::uint64_t hseHz_;
    std::uint64_t lseHz_;
    Cycles onAt_[kOscCount] = {};  // when each ON bit was last set
    bool hsiReadyFromReset_ = true;
    bool announced_[kOscCount] = {};  // ready edge of the current ON period already seen
    // HSIDIV: the divider in effect and the one requested, applied kHsiDivCycles later.
    std::uint32_t hsiDivApplied_ = 0;
    Cycles hsiDivReadyAt_ = 0;
    std::uint32_t fracLatched_[3] = {};  // FRACNx latched on PLLxFRACEN 0 -> 1
    std::uint32_t backupDomain_ = 0;     // BDCR survives a system reset
    Stm32h7Clocks applied_;
    TimedEvent swsEvent_;
    TimedEvent readyEvent_;
    std::function<void(std::string_view, unsigned)> peripheralReset_;
    std::function<bool()> backupWritable_;
    std::vector<std::function<void(const Stm32h7Clocks&)>> clockListeners_;
};

}  // namespace cmsim
