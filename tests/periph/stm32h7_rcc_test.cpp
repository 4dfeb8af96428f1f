// STM32H723 RCC model (RM0468 §8): reset values, HSI/HSIDIV, HSE bypass, PLL1 with DIVM,
// DIVN, FRACN and the P/Q/R dividers, the system clock switch and the D1/D2/D3
// prescalers, what the time base is told, the write protections, gates and resets.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "PeripheralTestBench.h"
#include "peripherals/Stm32h7Rcc.h"

namespace cmsim {
namespace {

using test::PeripheralTestBench;
using namespace h7rcc_reg;

constexpr std::uint64_t kHse = 8'000'000;  // NUCLEO-H723ZG: ST-LINK MCO

// PLL1 from the 8 MHz HSE: DIVM1 = 4 (2 MHz reference), PLL1RGE = 2-4 MHz, wide VCO.
constexpr std::uint32_t kPllckselrHse4 =
    0x02020000u | h7rcc_pllckselr::PLLSRC_HSE | (4u << h7rcc_pllckselr::divmShift(0));
constexpr std::uint32_t kPllcfgrWide24 =
    0x01FF0000u | (h7rcc_pllcfgr::RGE_2_4MHZ << h7rcc_pllcfgr::rgeShift(0));
constexpr std::uint32_t divr(std::uint32_t n, std::uint32_t p, std::uint32_t q, std::uint32_t r) {
    return (n - 1) | ((p - 1) << h7rcc_plldivr::P_SHIFT) | ((q - 1) << h7rcc_plldivr::Q_SHIFT) |
           ((r - 1) << h7rcc_plldivr::R_SHIFT);
}

std::uint32_t sws(Stm32h7Rcc& rcc) {
    return (rcc.read(CFGR, 4) & h7rcc_cfgr::SWS_MASK) >> h7rcc_cfgr::SWS_SHIFT;
}

void startHseBypass(PeripheralTestBench& b, Stm32h7Rcc& rcc) {
    rcc.write(CR, 4, rcc.read(CR, 4) | h7rcc_cr::HSEBYP);
    rcc.write(CR, 4, rcc.read(CR, 4) | h7rcc_cr::HSEON);
    b.advance(Stm32h7Rcc::kHseBypassStartupCycles);
    ASSERT_NE(rcc.read(CR, 4) & h7rcc_cr::HSERDY, 0u);
}

// HSE bypass -> PLL1 (N, FRACN) locked, with the given D1CFGR; leaves SW = PLL1 done.
void runFromPll1(PeripheralTestBench& b, Stm32h7Rcc& rcc, std::uint32_t n, std::uint32_t d1cfgr) {
    startHseBypass(b, rcc);
    rcc.write(PLLCKSELR, 4, kPllckselrHse4);
    rcc.write(PLLCFGR, 4, kPllcfgrWide24);
    rcc.write(PLL1DIVR, 4, divr(n, 1, 4, 2));
    rcc.write(CR, 4, rcc.read(CR, 4) | h7rcc_cr::PLL1ON);
    b.advance(Stm32h7Rcc::kPllLockCycles);
    ASSERT_NE(rcc.read(CR, 4) & h7rcc_cr::PLL1RDY, 0u);
    rcc.write(D1CFGR, 4, d1cfgr);
    rcc.write(CFGR, 4, h7rcc_cfgr::SW_PLL1);
    b.advance(Stm32h7Rcc::kSwitchCycles);
    ASSERT_EQ(sws(rcc), h7rcc_cfgr::SW_PLL1);
}

constexpr std::uint32_t kHpreDiv2 = h7rcc_dcfgr::AHB_DIV2 << h7rcc_dcfgr::HPRE_SHIFT;
constexpr std::uint32_t kD1ppreDiv2 = h7rcc_dcfgr::APB_DIV2 << h7rcc_dcfgr::D1PPRE_SHIFT;

TEST(Stm32h7Rcc, ResetValuesMatchRm0468) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Rcc rcc(b.ctx, kHse);
    const std::vector<std::pair<std::uint32_t, std::uint32_t>> expected = {
        // HSION, HSIRDY, HSIDIVF; D1CKRDY and D2CKRDY read 1 (both domains run).
        {CR, 0x0000C025},        {HSICFGR, 0x40000000},   {CSICFGR, 0x20000000},
        {CFGR, 0x00000000},      {D1CFGR, 0x00000000},    {D2CFGR, 0x00000000},
        {D3CFGR, 0x00000000},    {PLLCKSELR, 0x02020200}, {PLLCFGR, 0x01FF0000},
        {PLL1DIVR, 0x01010280},  {PLL1FRACR, 0x00000000}, {PLL2DIVR, 0x01010280},
        {PLL3DIVR, 0x01010280},  {CIER, 0x00000000},      {CIFR, 0x00000000},
        {BDCR, 0x00000000},      {CSR, 0x00000000},       {RSR, 0x00FA0000},
        {AHB4ENR, 0x00000000},   {APB4ENR, 0x00000000},   {AHB4LPENR, 0x312806FF},
        {AHB3LPENR, 0xF0295111},
    };
    for (const auto& [offset, value] : expected) {
        EXPECT_EQ(rcc.read(offset, 4), value) << rcc.registerName(offset);
    }
    EXPECT_EQ(rcc.name(), "RCC");
    EXPECT_EQ(rcc.sysclkHz(), 64'000'000u);
    EXPECT_EQ(rcc.cpuClockHz(), 64'000'000u);
    EXPECT_EQ(rcc.axiClockHz(), 64'000'000u);
    EXPECT_EQ(rcc.clocks().pclk1, 64'000'000u);
    EXPECT_TRUE(b.diag.all().empty());
}

TEST(Stm32h7Rcc, ReservedOffsetAndReadOnlyBits) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Rcc rcc(b.ctx, kHse);
    EXPECT_EQ(rcc.read(0x014, 4), 0u);
    EXPECT_EQ(b.mistakes("reserved offset 0x014"), 1u);
    rcc.write(AHB4ENR, 4, 0xFFFFFFFF);
    EXPECT_EQ(rcc.read(AHB4ENR, 4), 0x132806FFu);  // no GPIOIEN (bit 8) on the H72x/73x
    rcc.write(CFGR, 4, h7rcc_cfgr::SWS_MASK);      // SWS is read-only
    EXPECT_EQ(rcc.read(CFGR, 4), 0u);
}

TEST(Stm32h7Rcc, HsiDividerTakesEffectWhenHsidivfSets) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Rcc rcc(b.ctx, kHse);
    rcc.write(CR, 4, rcc.read(CR, 4) | (2u << h7rcc_cr::HSIDIV_SHIFT));  // /4
    EXPECT_EQ(rcc.read(CR, 4) & h7rcc_cr::HSIDIVF, 0u);
    EXPECT_EQ(rcc.sysclkHz(), 64'000'000u);  // the old ratio until HSIDIVF
    b.advance(Stm32h7Rcc::kHsiDivCycles - 1);
    EXPECT_EQ(rcc.read(CR, 4) & h7rcc_cr::HSIDIVF, 0u);
    b.advance(1);
    EXPECT_NE(rcc.read(CR, 4) & h7rcc_cr::HSIDIVF, 0u);
    EXPECT_EQ(rcc.sysclkHz(), 16'000'000u);
    EXPECT_EQ(b.time.cpuHz(), 16'000'000u);
    ASSERT_EQ(b.clocks.size(), 1u);
    EXPECT_EQ(b.clocks[0].hz, 16'000'000u);
    EXPECT_EQ(b.clocks[0].cycle, Stm32h7Rcc::kHsiDivCycles);
}

TEST(Stm32h7Rcc, HseBypassIsReadyAfterItsStartupDelayCrystalAfterLonger) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Rcc rcc(b.ctx, kHse);
    rcc.write(CR, 4, rcc.read(CR, 4) | h7rcc_cr::HSEBYP);
    rcc.write(CR, 4, rcc.read(CR, 4) | h7rcc_cr::HSEON);
    b.advance(Stm32h7Rcc::kHseBypassStartupCycles - 1);
    EXPECT_EQ(rcc.read(CR, 4) & h7rcc_cr::HSERDY, 0u);
    b.advance(1);
    EXPECT_NE(rcc.read(CR, 4) & h7rcc_cr::HSERDY, 0u);

    Stm32h7Rcc crystal(b.ctx, kHse);
    crystal.write(CR, 4, crystal.read(CR, 4) | h7rcc_cr::HSEON);
    b.advance(Stm32h7Rcc::kHseStartupCycles - 1);
    EXPECT_EQ(crystal.read(CR, 4) & h7rcc_cr::HSERDY, 0u);
    b.advance(1);
    EXPECT_NE(crystal.read(CR, 4) & h7rcc_cr::HSERDY, 0u);
    EXPECT_TRUE(b.diag.all().empty());
}

TEST(Stm32h7Rcc, HsebypCannotChangeWhileHseIsOn) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Rcc rcc(b.ctx, kHse);
    rcc.write(CR, 4, rcc.read(CR, 4) | h7rcc_cr::HSEON);
    rcc.write(CR, 4, rcc.read(CR, 4) | h7rcc_cr::HSEBYP);
    EXPECT_EQ(rcc.read(CR, 4) & h7rcc_cr::HSEBYP, 0u);
    EXPECT_EQ(b.mistakes("HSEBYP changed while HSEON=1"), 1u);
}

TEST(Stm32h7Rcc, Pll1From8MHzHseGives550MHzAndTheCoreRunsAtSysD1cpreCk) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Rcc rcc(b.ctx, kHse);
    std::vector<Stm32h7Clocks> seen;
    rcc.onClocksChanged([&](const Stm32h7Clocks& c) { seen.push_back(c); });
    // 8 MHz / 4 x 275 = 550 MHz VCO, P = 1; integer mode (FRACEN = 0, FRACN = 0).
    runFromPll1(b, rcc, 275, kHpreDiv2 | kD1ppreDiv2);
    EXPECT_EQ(rcc.pllVcoHz(0), 550'000'000u);
    EXPECT_EQ(rcc.pllPHz(0), 550'000'000u);
    EXPECT_EQ(rcc.pllQHz(0), 137'500'000u);
    EXPECT_EQ(rcc.pllRHz(0), 275'000'000u);
    const Stm32h7Clocks c = rcc.clocks();
    EXPECT_EQ(c.sys, 550'000'000u);
    EXPECT_EQ(c.cpu, 550'000'000u);         // D1CPRE /1
    EXPECT_EQ(c.hclk, 275'000'000u);        // HPRE /2
    EXPECT_EQ(c.pclk3, 137'500'000u);       // D1PPRE /2
    EXPECT_EQ(c.pclk1, 275'000'000u);       // D2PPRE1 still /1
    EXPECT_EQ(rcc.hclkHz(), 550'000'000u);  // the ClockController's core clock
    EXPECT_EQ(b.time.cpuHz(), 550'000'000u);
    ASSERT_FALSE(b.clocks.empty());
    EXPECT_EQ(b.clocks.back().hz, 550'000'000u);
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.back(), c);
    EXPECT_TRUE(b.diag.all().empty()) << b.diag.all().front().message;
}

TEST(Stm32h7Rcc, Pll1LocksAFixedTimeAfterItsReferenceAndTheSwitchWaits) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Rcc rcc(b.ctx, kHse);
    startHseBypass(b, rcc);
    rcc.write(PLLCKSELR, 4, kPllckselrHse4);
    rcc.write(PLLCFGR, 4, kPllcfgrWide24);
    rcc.write(PLL1DIVR, 4, divr(260, 1, 4, 2));
    rcc.write(CR, 4, rcc.read(CR, 4) | h7rcc_cr::PLL1ON);
    rcc.write(CFGR, 4, h7rcc_cfgr::SW_PLL1);  // before the lock: the switch waits
    b.advance(Stm32h7Rcc::kPllLockCycles - 1);
    EXPECT_EQ(rcc.read(CR, 4) & h7rcc_cr::PLL1RDY, 0u);
    EXPECT_EQ(sws(rcc), h7rcc_cfgr::SW_HSI);
    b.advance(1 + Stm32h7Rcc::kSwitchCycles - 1);
    EXPECT_EQ(sws(rcc), h7rcc_cfgr::SW_HSI);
    b.advance(1);
    EXPECT_EQ(sws(rcc), h7rcc_cfgr::SW_PLL1);
    EXPECT_EQ(rcc.sysclkHz(), 520'000'000u);
}

TEST(Stm32h7Rcc, FracnIsLatchedWhenPllFracenGoesFrom0To1) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Rcc rcc(b.ctx, kHse);
    rcc.write(PLLCKSELR, 4, kPllckselrHse4);
    rcc.write(PLL1DIVR, 4, divr(260, 1, 4, 2));
    rcc.write(PLL1FRACR, 4, 4096u << h7rcc_plldivr::FRACN_SHIFT);  // + 0.5
    EXPECT_EQ(rcc.pllVcoHz(0), 520'000'000u);                      // FRACEN = 0: integer
    rcc.write(PLLCFGR, 4, rcc.read(PLLCFGR, 4) | h7rcc_pllcfgr::fracen(0));
    EXPECT_EQ(rcc.pllVcoHz(0), 521'000'000u);                      // 2 MHz x 260.5
    rcc.write(PLL1FRACR, 4, 2048u << h7rcc_plldivr::FRACN_SHIFT);  // not latched yet
    EXPECT_EQ(rcc.pllVcoHz(0), 521'000'000u);
    rcc.write(PLLCFGR, 4, rcc.read(PLLCFGR, 4) & ~h7rcc_pllcfgr::fracen(0));
    rcc.write(PLLCFGR, 4, rcc.read(PLLCFGR, 4) | h7rcc_pllcfgr::fracen(0));
    EXPECT_EQ(rcc.pllVcoHz(0), 520'500'000u);  // 2 MHz x 260.25
}

TEST(Stm32h7Rcc, IllegalPll1ConfigurationsAreFirmwareMistakes) {
    {
        // Wide VCO with a 1 MHz reference (DIVM1 = 8), declared as 1-2 MHz.
        PeripheralTestBench b(64'000'000);
        Stm32h7Rcc rcc(b.ctx, kHse);
        startHseBypass(b, rcc);
        rcc.write(PLLCKSELR, 4, 0x02020000u | h7rcc_pllckselr::PLLSRC_HSE | (8u << 4));
        rcc.write(PLLCFGR, 4, 0x01FF0000u);
        rcc.write(PLL1DIVR, 4, divr(400, 1, 2, 2));
        rcc.write(CR, 4, rcc.read(CR, 4) | h7rcc_cr::PLL1ON);
        EXPECT_EQ(b.mistakes("wide VCO (PLL1VCOSEL=0) with a 1 MHz reference"), 1u);
    }
    {
        // VCO above the wide range, and DIVP1 dividing by 3.
        PeripheralTestBench b(64'000'000);
        Stm32h7Rcc rcc(b.ctx, kHse);
        startHseBypass(b, rcc);
        rcc.write(PLLCKSELR, 4, kPllckselrHse4);
        rcc.write(PLLCFGR, 4, kPllcfgrWide24);
        rcc.write(PLL1DIVR, 4, divr(450, 3, 2, 2));
        rcc.write(CR, 4, rcc.read(CR, 4) | h7rcc_cr::PLL1ON);
        EXPECT_EQ(b.mistakes("PLL1 VCO 900 MHz is outside the wide VCO range 192 MHz..836 MHz"),
                  1u);
        EXPECT_EQ(b.mistakes("DIVP1=2 (divide by 3) is not allowed"), 1u);
    }
    {
        // Reference outside the declared PLL1RGE band (2 MHz declared as 8-16 MHz).
        PeripheralTestBench b(64'000'000);
        Stm32h7Rcc rcc(b.ctx, kHse);
        startHseBypass(b, rcc);
        rcc.write(PLLCKSELR, 4, kPllckselrHse4);
        rcc.write(PLLCFGR, 4,
                  0x01FF0000u | (h7rcc_pllcfgr::RGE_8_16MHZ << h7rcc_pllcfgr::rgeShift(0)));
        rcc.write(PLL1DIVR, 4, divr(275, 1, 4, 2));
        rcc.write(CR, 4, rcc.read(CR, 4) | h7rcc_cr::PLL1ON);
        EXPECT_EQ(b.mistakes("does not match PLLCFGR.PLL1RGE=3"), 1u);
    }
}

TEST(Stm32h7Rcc, PllConfigurationIsFrozenWhileThePllRuns) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Rcc rcc(b.ctx, kHse);
    runFromPll1(b, rcc, 275, 0);
    rcc.write(PLL1DIVR, 4, divr(300, 1, 4, 2));
    EXPECT_EQ(rcc.read(PLL1DIVR, 4), divr(275, 1, 4, 2));
    EXPECT_EQ(b.mistakes("PLL1DIVR written while PLL1ON=1"), 1u);
    rcc.write(PLLCKSELR, 4, kPllckselrHse4 | (8u << 4));
    EXPECT_EQ(rcc.read(PLLCKSELR, 4), kPllckselrHse4);
    EXPECT_EQ(b.mistakes("PLLCKSELR written while a PLL it configures is on"), 1u);
    // PLL2 is off: its dividers can change.
    rcc.write(PLL2DIVR, 4, divr(100, 2, 2, 2));
    EXPECT_EQ(rcc.read(PLL2DIVR, 4), divr(100, 2, 2, 2));
}

TEST(Stm32h7Rcc, ClocksDrivingTheSystemClockCannotBeStopped) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Rcc rcc(b.ctx, kHse);
    runFromPll1(b, rcc, 275, 0);
    rcc.write(CR, 4, rcc.read(CR, 4) & ~(h7rcc_cr::HSEON | h7rcc_cr::PLL1ON));
    EXPECT_NE(rcc.read(CR, 4) & h7rcc_cr::HSEON, 0u);
    EXPECT_NE(rcc.read(CR, 4) & h7rcc_cr::PLL1ON, 0u);
    EXPECT_EQ(b.mistakes("CR.HSEON cleared while the HSE drives the system clock"), 1u);
    EXPECT_EQ(b.mistakes("CR.PLL1ON cleared while PLL1 drives the system clock"), 1u);
    // The HSI is free now: it may stop.
    rcc.write(CR, 4, rcc.read(CR, 4) & ~h7rcc_cr::HSION);
    EXPECT_EQ(rcc.read(CR, 4) & (h7rcc_cr::HSION | h7rcc_cr::HSIRDY), 0u);
}

TEST(Stm32h7Rcc, SwitchingToAnOffSourceOrAReservedSwIsReportedAndIgnored) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Rcc rcc(b.ctx, kHse);
    rcc.write(CFGR, 4, h7rcc_cfgr::SW_PLL1);
    b.advance(1000);
    EXPECT_EQ(sws(rcc), h7rcc_cfgr::SW_HSI);
    EXPECT_EQ(b.mistakes("CFGR.SW selects PLL1 but it is off"), 1u);
    rcc.write(CFGR, 4, 5);
    EXPECT_EQ(b.mistakes("CFGR.SW=101 is reserved"), 1u);
    // CSI: 4 MHz once started.
    rcc.write(CR, 4, rcc.read(CR, 4) | h7rcc_cr::CSION);
    rcc.write(CFGR, 4, h7rcc_cfgr::SW_CSI);
    b.advance(Stm32h7Rcc::kCsiStartupCycles + Stm32h7Rcc::kSwitchCycles);
    EXPECT_EQ(sws(rcc), h7rcc_cfgr::SW_CSI);
    EXPECT_EQ(rcc.cpuClockHz(), 4'000'000u);
}

TEST(Stm32h7Rcc, Ahb4GatesAndResetsReachTheirPeripherals) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Rcc rcc(b.ctx, kHse);
    std::vector<std::pair<std::string, unsigned>> resets;
    rcc.onPeripheralReset(
        [&](std::string_view reg, unsigned bit) { resets.emplace_back(reg, bit); });
    const ClockGate gpiob{"AHB4ENR", "AHB4RSTR", 1};
    EXPECT_FALSE(rcc.isGateEnabled(gpiob));
    rcc.write(AHB4ENR, 4, h7rcc_ahb4enr::gpioen('B') | h7rcc_ahb4enr::gpioen('E'));
    EXPECT_TRUE(rcc.isGateEnabled(gpiob));
    EXPECT_TRUE(rcc.isGateEnabled({"AHB4ENR", "AHB4RSTR", 4}));
    rcc.write(AHB4RSTR, 4, 1u << 1);
    EXPECT_TRUE(rcc.isHeldInReset(gpiob));
    rcc.write(AHB4RSTR, 4, 1u << 1);  // still set: no new reset
    ASSERT_EQ(resets.size(), 1u);
    EXPECT_EQ(resets[0], (std::pair<std::string, unsigned>{"AHB4RSTR", 1}));
}

TEST(Stm32h7Rcc, ReadyInterruptFlagsAndClear) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Rcc rcc(b.ctx, kHse);
    rcc.write(CIER, 4, h7rcc_cir::HSERDY | h7rcc_cir::PLL1RDY);
    rcc.write(CR, 4, rcc.read(CR, 4) | h7rcc_cr::HSEBYP);
    rcc.write(CR, 4, rcc.read(CR, 4) | h7rcc_cr::HSEON);
    b.advance(Stm32h7Rcc::kHseBypassStartupCycles);
    EXPECT_EQ(rcc.read(CIFR, 4), h7rcc_cir::HSERDY);
    ASSERT_EQ(b.irqs.size(), 1u);
    EXPECT_EQ(b.irqs[0], Stm32h7Rcc::kIrq);
    rcc.write(CICR, 4, h7rcc_cir::HSERDY);
    EXPECT_EQ(rcc.read(CIFR, 4), 0u);
    EXPECT_EQ(rcc.read(CICR, 4), 0u);
}

TEST(Stm32h7Rcc, ResetFlagsClearWithRmvf) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Rcc rcc(b.ctx, kHse);
    rcc.write(RSR, 4, h7rcc_rsr::RMVF);
    EXPECT_EQ(rcc.read(RSR, 4), h7rcc_rsr::RMVF);
    rcc.write(RSR, 4, 0);
    EXPECT_EQ(rcc.read(RSR, 4), 0u);
}

TEST(Stm32h7Rcc, SystemResetReturnsToTheHsiAtOnce) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Rcc rcc(b.ctx, kHse);
    runFromPll1(b, rcc, 275, kHpreDiv2);
    b.time.reset(64'000'000);  // as the machine does before resetting its peripherals
    rcc.reset();
    EXPECT_EQ(rcc.read(CR, 4), 0x0000C025u);
    EXPECT_EQ(rcc.sysclkHz(), 64'000'000u);
    EXPECT_EQ(b.time.cpuHz(), 64'000'000u);
}

}  // namespace
}  // namespace cmsim
