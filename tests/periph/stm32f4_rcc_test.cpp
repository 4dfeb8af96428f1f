// STM32F405/407 RCC model (RM0090 §7): reset values, oscillator/PLL ready timing, the
// SYSCLK switch and what it tells the time base, PLL legality checks, gates and resets.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "PeripheralTestBench.h"
#include "peripherals/Stm32f4Rcc.h"

namespace cmsim {
namespace {

using test::PeripheralTestBench;
using namespace rcc_reg;

constexpr std::uint64_t kHse = 8'000'000;  // STM32F4DISCOVERY crystal
// M=8, N=336, P=2, Q=7, source HSE: 8 MHz / 8 * 336 / 2 = 168 MHz, PLL48CK 48 MHz.
constexpr std::uint32_t kPll168 = 8u | (336u << rcc_pllcfgr::PLLN_SHIFT) |
                                  (0u << rcc_pllcfgr::PLLP_SHIFT) | rcc_pllcfgr::PLLSRC |
                                  (7u << rcc_pllcfgr::PLLQ_SHIFT);
constexpr std::uint32_t kPpre1Div4 = 5u << rcc_cfgr::PPRE1_SHIFT;
constexpr std::uint32_t kPpre2Div2 = 4u << rcc_cfgr::PPRE2_SHIFT;

std::uint32_t sws(Stm32f4Rcc& rcc) {
    return (rcc.read(CFGR, 4) & rcc_cfgr::SWS_MASK) >> rcc_cfgr::SWS_SHIFT;
}

// Turns the HSE on and waits for it; returns nothing, leaves time just after HSERDY.
void startHse(PeripheralTestBench& b, Stm32f4Rcc& rcc) {
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::HSEON);
    b.advance(Stm32f4Rcc::kHseStartupCycles);
    ASSERT_NE(rcc.read(CR, 4) & rcc_cr::HSERDY, 0u);
}

TEST(Stm32f4Rcc, ResetValuesMatchRm0090) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    const std::vector<std::pair<std::uint32_t, std::uint32_t>> expected = {
        {CR, 0x00000083},        {PLLCFGR, 0x24003010},    {CFGR, 0x00000000},
        {CIR, 0x00000000},       {AHB1RSTR, 0x00000000},   {AHB2RSTR, 0x00000000},
        {AHB3RSTR, 0x00000000},  {APB1RSTR, 0x00000000},   {APB2RSTR, 0x00000000},
        {AHB1ENR, 0x00100000},   {AHB2ENR, 0x00000000},    {AHB3ENR, 0x00000000},
        {APB1ENR, 0x00000000},   {APB2ENR, 0x00000000},    {AHB1LPENR, 0x7E6791FF},
        {AHB2LPENR, 0x000000F1}, {AHB3LPENR, 0x00000001},  {APB1LPENR, 0x36FEC9FF},
        {APB2LPENR, 0x00075F33}, {BDCR, 0x00000000},       {CSR, 0x0E000000},
        {SSCGR, 0x00000000},     {PLLI2SCFGR, 0x20003000},
    };
    for (const auto& [offset, value] : expected) {
        EXPECT_EQ(rcc.read(offset, 4), value) << rcc.registerName(offset);
    }
    EXPECT_EQ(rcc.name(), "RCC");
    EXPECT_EQ(rcc.sysclkHz(), 16'000'000u);
    EXPECT_EQ(rcc.hclkHz(), 16'000'000u);
    EXPECT_EQ(rcc.pclk1Hz(), 16'000'000u);
    EXPECT_EQ(rcc.pclk2Hz(), 16'000'000u);
    EXPECT_TRUE(b.diag.all().empty());
}

TEST(Stm32f4Rcc, ReservedOffsetIsAFirmwareMistake) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    EXPECT_EQ(rcc.read(0x1C, 4), 0u);
    EXPECT_EQ(b.mistakes("reserved offset 0x01c"), 1u);
}

TEST(Stm32f4Rcc, ReservedAndReadOnlyBitsAreNotWritable) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    rcc.write(AHB1ENR, 4, 0xFFFFFFFF);
    EXPECT_EQ(rcc.read(AHB1ENR, 4), 0x7E7411FFu);  // no GPIOJ/K, DMA2D on the F407
    rcc.write(CFGR, 4, rcc_cfgr::SWS_MASK);        // SWS is read-only
    EXPECT_EQ(rcc.read(CFGR, 4), 0u);
}

TEST(Stm32f4Rcc, HseReadyExactlyAfterStartupDelay) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    b.advance(100);
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::HSEON);
    EXPECT_EQ(rcc.read(CR, 4) & rcc_cr::HSERDY, 0u);
    b.advance(Stm32f4Rcc::kHseStartupCycles - 1);
    EXPECT_EQ(rcc.read(CR, 4) & rcc_cr::HSERDY, 0u);
    b.advance(1);
    EXPECT_EQ(rcc.read(CR, 4) & rcc_cr::HSERDY, rcc_cr::HSERDY);
    rcc.write(CR, 4, rcc.read(CR, 4) & ~rcc_cr::HSEON);
    EXPECT_EQ(rcc.read(CR, 4) & rcc_cr::HSERDY, 0u);
    EXPECT_TRUE(b.diag.all().empty());
}

TEST(Stm32f4Rcc, HalStyleByteWriteToCrByte2StartsHse) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    rcc.write(CR + 2, 1, 0x01);  // HAL: *(uint8_t*)(RCC_CR + 2) = RCC_HSE_ON
    EXPECT_EQ(rcc.read(CR, 4) & rcc_cr::HSEON, rcc_cr::HSEON);
    EXPECT_EQ(rcc.read(CR, 4) & rcc_cr::HSION, rcc_cr::HSION);
    b.advance(Stm32f4Rcc::kHseStartupCycles);
    EXPECT_EQ(rcc.read(CR + 2, 1) & 0x02u, 0x02u);  // HSERDY via byte read
}

TEST(Stm32f4Rcc, HseNeverReadyWithoutBoardClock) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, 0);
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::HSEON);
    b.advance(100'000);
    EXPECT_EQ(rcc.read(CR, 4) & rcc_cr::HSERDY, 0u);
    EXPECT_EQ(b.mistakes("no HSE clock"), 1u);
}

TEST(Stm32f4Rcc, HseOutsideCrystalRangeIsReported) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, 30'000'000);
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::HSEON);
    EXPECT_EQ(b.mistakes("outside the crystal range 4 MHz..26 MHz"), 1u);
}

TEST(Stm32f4Rcc, HseBypassAllowsFasterExternalClock) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, 30'000'000);
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::HSEBYP);
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::HSEON);
    b.advance(Stm32f4Rcc::kHseBypassStartupCycles);
    EXPECT_NE(rcc.read(CR, 4) & rcc_cr::HSERDY, 0u);
    EXPECT_TRUE(b.diag.all().empty());
}

TEST(Stm32f4Rcc, HsebypChangeWhileHseOnIsIgnoredAndReported) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::HSEON);
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::HSEBYP);
    EXPECT_EQ(rcc.read(CR, 4) & rcc_cr::HSEBYP, 0u);
    EXPECT_EQ(b.mistakes("HSEBYP changed while HSEON=1"), 1u);
}

TEST(Stm32f4Rcc, PllFromHseGives168MHzAndTellsTheTimeBase) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    startHse(b, rcc);
    rcc.write(PLLCFGR, 4, kPll168);
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::PLLON);
    b.advance(Stm32f4Rcc::kPllLockCycles - 1);
    EXPECT_EQ(rcc.read(CR, 4) & rcc_cr::PLLRDY, 0u);
    b.advance(1);
    EXPECT_EQ(rcc.read(CR, 4) & rcc_cr::PLLRDY, rcc_cr::PLLRDY);
    EXPECT_EQ(rcc.pllOutputHz(), 168'000'000u);
    EXPECT_EQ(rcc.pll48Hz(), 48'000'000u);

    rcc.write(CFGR, 4, kPpre1Div4 | kPpre2Div2 | rcc_cfgr::SW_PLL);
    const Cycles switchAt = b.time.now() + Stm32f4Rcc::kSwitchCycles;
    b.advance(Stm32f4Rcc::kSwitchCycles - 1);
    EXPECT_EQ(sws(rcc), rcc_cfgr::SW_HSI);
    EXPECT_EQ(b.time.cpuHz(), 16'000'000u);
    b.advance(1);
    EXPECT_EQ(sws(rcc), rcc_cfgr::SW_PLL);
    EXPECT_EQ(b.time.cpuHz(), 168'000'000u);
    EXPECT_EQ(rcc.sysclkHz(), 168'000'000u);
    EXPECT_EQ(rcc.hclkHz(), 168'000'000u);
    EXPECT_EQ(rcc.pclk1Hz(), 42'000'000u);
    EXPECT_EQ(rcc.pclk2Hz(), 84'000'000u);
    EXPECT_EQ(rcc.timerClock1Hz(), 84'000'000u);
    EXPECT_EQ(rcc.timerClock2Hz(), 168'000'000u);
    ASSERT_EQ(b.clocks.size(), 1u);
    EXPECT_EQ(b.clocks[0].hz, 168'000'000u);
    EXPECT_EQ(b.clocks[0].cycle, switchAt);
    EXPECT_TRUE(b.diag.all().empty());
}

TEST(Stm32f4Rcc, SwitchToUnlockedPllWaitsForLock) {
    // RM0090 §7.2.6: selecting a source that is not yet ready switches when it is ready.
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    rcc.write(PLLCFGR, 4, kPll168);
    const Cycles t0 = b.time.now();
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::HSEON | rcc_cr::PLLON);
    rcc.write(CFGR, 4, kPpre1Div4 | kPpre2Div2 | rcc_cfgr::SW_PLL);
    const Cycles switchAt =
        t0 + Stm32f4Rcc::kHseStartupCycles + Stm32f4Rcc::kPllLockCycles + Stm32f4Rcc::kSwitchCycles;
    b.advance(switchAt - 1 - b.time.now());
    EXPECT_EQ(sws(rcc), rcc_cfgr::SW_HSI);
    EXPECT_EQ(b.time.cpuHz(), 16'000'000u);
    b.advance(1);
    EXPECT_EQ(sws(rcc), rcc_cfgr::SW_PLL);
    EXPECT_EQ(b.time.cpuHz(), 168'000'000u);
    EXPECT_TRUE(b.diag.all().empty());
}

TEST(Stm32f4Rcc, SwitchToPllThatIsOffNeverHappensAndIsReportedOnce) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    rcc.write(CFGR, 4, rcc_cfgr::SW_PLL);
    b.advance(100'000);
    EXPECT_EQ(sws(rcc), rcc_cfgr::SW_HSI);
    EXPECT_EQ(b.time.cpuHz(), 16'000'000u);
    rcc.write(CFGR, 4, rcc_cfgr::SW_PLL | (1u << rcc_cfgr::PPRE1_SHIFT));
    b.advance(1000);
    EXPECT_EQ(sws(rcc), rcc_cfgr::SW_HSI);
    EXPECT_EQ(b.mistakes("CFGR.SW selects PLL but it is off"), 1u);
    EXPECT_EQ(b.diag.all().size(), 1u);
}

TEST(Stm32f4Rcc, IllegalPllnIsAFirmwareMistakeNamingFieldAndValue) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    // HSI / 16 = 1 MHz VCO input, N=20: a wrong configuration.
    rcc.write(PLLCFGR, 4, 16u | (20u << rcc_pllcfgr::PLLN_SHIFT) | (4u << rcc_pllcfgr::PLLQ_SHIFT));
    EXPECT_TRUE(b.diag.all().empty());  // checked when the PLL is turned on
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::PLLON);
    EXPECT_EQ(b.mistakes("PLLCFGR.PLLN=20"), 1u);
    EXPECT_EQ(b.mistakes("VCO output 20 MHz"), 1u);
    for (const auto& d : b.diag.all()) {
        EXPECT_EQ(d.kind, DiagnosticKind::FirmwareMistake);
        EXPECT_EQ(d.source, "RCC");
    }
}

TEST(Stm32f4Rcc, PllOutputAbove168MHzAndBadVcoInputAreReported) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    // HSI / 4 = 4 MHz VCO input (too high), x 100 = 400 MHz VCO, / 2 = 200 MHz.
    rcc.write(PLLCFGR, 4, 4u | (100u << rcc_pllcfgr::PLLN_SHIFT) | (8u << rcc_pllcfgr::PLLQ_SHIFT));
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::PLLON);
    EXPECT_EQ(b.mistakes("VCO input 16 MHz / PLLM=4 = 4 MHz"), 1u);
    EXPECT_EQ(b.mistakes("PLL output 200 MHz (PLLP=2) exceeds 168 MHz"), 1u);
}

TEST(Stm32f4Rcc, PllcfgrWriteWhilePllOnIsIgnored) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::PLLON);  // reset PLLCFGR: HSI/16*192/2 = 96 MHz
    const std::uint32_t before = rcc.read(PLLCFGR, 4);
    rcc.write(PLLCFGR, 4, kPll168);
    EXPECT_EQ(rcc.read(PLLCFGR, 4), before);
    EXPECT_EQ(b.mistakes("PLLCFGR written while PLLON=1"), 1u);
}

TEST(Stm32f4Rcc, ClockDrivingSysclkCannotBeStopped) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    rcc.write(CR, 4, 0);
    EXPECT_EQ(rcc.read(CR, 4) & (rcc_cr::HSION | rcc_cr::HSIRDY), rcc_cr::HSION | rcc_cr::HSIRDY);
    EXPECT_EQ(b.mistakes("CR.HSION cleared while HSI drives SYSCLK"), 1u);
}

TEST(Stm32f4Rcc, HsiRestartTakesItsStartupTime) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    startHse(b, rcc);
    rcc.write(CFGR, 4, rcc_cfgr::SW_HSE);
    b.advance(Stm32f4Rcc::kSwitchCycles);
    ASSERT_EQ(sws(rcc), rcc_cfgr::SW_HSE);
    EXPECT_EQ(b.time.cpuHz(), kHse);
    rcc.write(CR, 4, rcc.read(CR, 4) & ~rcc_cr::HSION);
    EXPECT_EQ(rcc.read(CR, 4) & rcc_cr::HSIRDY, 0u);
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::HSION);
    b.advance(Stm32f4Rcc::kHsiStartupCycles - 1);
    EXPECT_EQ(rcc.read(CR, 4) & rcc_cr::HSIRDY, 0u);
    b.advance(1);
    EXPECT_EQ(rcc.read(CR, 4) & rcc_cr::HSIRDY, rcc_cr::HSIRDY);
    EXPECT_TRUE(b.diag.all().empty());
}

TEST(Stm32f4Rcc, AhbPrescalerChangeRetimesTheCore) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    b.advance(50);
    rcc.write(CFGR, 4, 0x8u << rcc_cfgr::HPRE_SHIFT);  // /2
    EXPECT_EQ(rcc.hclkHz(), 8'000'000u);
    EXPECT_EQ(b.time.cpuHz(), 8'000'000u);
    ASSERT_EQ(b.clocks.size(), 1u);
    EXPECT_EQ(b.clocks[0].cycle, 50u);
    EXPECT_EQ(b.clocks[0].hz, 8'000'000u);
    rcc.write(CFGR, 4, 0xFu << rcc_cfgr::HPRE_SHIFT);  // /512
    EXPECT_EQ(rcc.hclkHz(), 31'250u);
    rcc.write(CFGR, 4, 0xCu << rcc_cfgr::HPRE_SHIFT);  // /64 (there is no /32)
    EXPECT_EQ(rcc.hclkHz(), 250'000u);
}

TEST(Stm32f4Rcc, Apb1Above42MHzIsReported) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    startHse(b, rcc);
    rcc.write(PLLCFGR, 4, kPll168);
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::PLLON);
    rcc.write(CFGR, 4, kPpre2Div2 | rcc_cfgr::SW_PLL);  // APB1 undivided: 168 MHz
    b.advance(Stm32f4Rcc::kPllLockCycles + Stm32f4Rcc::kSwitchCycles);
    ASSERT_EQ(b.time.cpuHz(), 168'000'000u);
    EXPECT_EQ(b.mistakes("PCLK1 168 MHz exceeds 42 MHz"), 1u);
    EXPECT_EQ(b.mistakes("PCLK2"), 0u);
}

TEST(Stm32f4Rcc, GateQueryAndPeripheralResetCallback) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    std::vector<std::pair<std::string, unsigned>> resets;
    rcc.onPeripheralReset(
        [&](std::string_view reg, unsigned bit) { resets.emplace_back(std::string(reg), bit); });
    const ClockGate gpiod{"AHB1ENR", "AHB1RSTR", 3};
    EXPECT_FALSE(rcc.isGateEnabled(gpiod));
    rcc.write(AHB1ENR, 4, rcc.read(AHB1ENR, 4) | (1u << 3));
    EXPECT_TRUE(rcc.isGateEnabled(gpiod));
    EXPECT_TRUE(rcc.isGateEnabled({"AHB1ENR", "", 20}));  // CCMDATARAMEN out of reset

    rcc.write(AHB1RSTR, 4, 1u << 3);
    EXPECT_TRUE(rcc.isHeldInReset(gpiod));
    rcc.write(AHB1RSTR, 4, 1u << 3);  // still held: no second reset edge
    rcc.write(AHB1RSTR, 4, 0);
    EXPECT_FALSE(rcc.isHeldInReset(gpiod));
    rcc.write(APB1RSTR, 4, 1u << 17);  // USART2RST
    ASSERT_EQ(resets.size(), 2u);
    EXPECT_EQ(resets[0], (std::pair<std::string, unsigned>{"AHB1RSTR", 3}));
    EXPECT_EQ(resets[1], (std::pair<std::string, unsigned>{"APB1RSTR", 17}));
}

TEST(Stm32f4Rcc, HseReadyInterruptSetsFlagAndRaisesIrq5) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    rcc.write(CIR, 4, rcc_cir::HSERDYF << rcc_cir::IE_SHIFT);
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::HSEON);
    b.advance(Stm32f4Rcc::kHseStartupCycles - 1);
    EXPECT_TRUE(b.irqs.empty());
    b.advance(1);
    ASSERT_EQ(b.irqs, std::vector<unsigned>{Stm32f4Rcc::kIrq});
    EXPECT_EQ(rcc.read(CIR, 4) & rcc_cir::HSERDYF, rcc_cir::HSERDYF);
    rcc.write(CIR, 4,
              (rcc_cir::HSERDYF << rcc_cir::IE_SHIFT) | (rcc_cir::HSERDYF << rcc_cir::CLR_SHIFT));
    EXPECT_EQ(rcc.read(CIR, 4), rcc_cir::HSERDYF << rcc_cir::IE_SHIFT);  // clear bits read 0
}

TEST(Stm32f4Rcc, NoReadyFlagWithoutItsInterruptEnable) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::HSEON);
    b.advance(Stm32f4Rcc::kHseStartupCycles);
    rcc.write(CIR, 4, rcc_cir::HSERDYF << rcc_cir::IE_SHIFT);  // enabled after the edge
    b.advance(1000);
    EXPECT_EQ(rcc.read(CIR, 4) & rcc_cir::HSERDYF, 0u);
    EXPECT_TRUE(b.irqs.empty());
}

TEST(Stm32f4Rcc, LsiAndLseReadyAfterTheirDelays) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    rcc.write(CSR, 4, rcc_csr::LSION);
    rcc.write(BDCR, 4, rcc_bdcr::LSEON);
    b.advance(Stm32f4Rcc::kLsiStartupCycles - 1);
    EXPECT_EQ(rcc.read(CSR, 4) & rcc_csr::LSIRDY, 0u);
    b.advance(1);
    EXPECT_EQ(rcc.read(CSR, 4) & rcc_csr::LSIRDY, rcc_csr::LSIRDY);
    b.advance(Stm32f4Rcc::kLseStartupCycles - Stm32f4Rcc::kLsiStartupCycles - 1);
    EXPECT_EQ(rcc.read(BDCR, 4) & rcc_bdcr::LSERDY, 0u);
    b.advance(1);
    EXPECT_EQ(rcc.read(BDCR, 4) & rcc_bdcr::LSERDY, rcc_bdcr::LSERDY);
}

TEST(Stm32f4Rcc, BdcrIsWriteProtectedWithoutDbpAndSurvivesSystemReset) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    bool dbp = false;
    rcc.setBackupDomainWritable([&] { return dbp; });
    rcc.write(BDCR, 4, rcc_bdcr::LSEON);
    EXPECT_EQ(rcc.read(BDCR, 4), 0u);
    EXPECT_EQ(b.mistakes("backup domain is write-protected"), 1u);
    dbp = true;
    rcc.write(BDCR, 4, rcc_bdcr::LSEON | (1u << rcc_bdcr::RTCSEL_SHIFT) | rcc_bdcr::RTCEN);
    rcc.write(BDCR, 4, rcc_bdcr::LSEON | (2u << rcc_bdcr::RTCSEL_SHIFT) | rcc_bdcr::RTCEN);
    EXPECT_EQ(rcc.read(BDCR, 4) & rcc_bdcr::RTCSEL_MASK, 1u << rcc_bdcr::RTCSEL_SHIFT);
    EXPECT_EQ(b.mistakes("RTCSEL changed"), 1u);
    rcc.reset();
    EXPECT_EQ(rcc.read(BDCR, 4) & ~rcc_bdcr::LSERDY,
              rcc_bdcr::LSEON | (1u << rcc_bdcr::RTCSEL_SHIFT) | rcc_bdcr::RTCEN);
}

TEST(Stm32f4Rcc, ResetReturnsToHsiAndRetimesTheCore) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, kHse);
    startHse(b, rcc);
    rcc.write(PLLCFGR, 4, kPll168);
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::PLLON);
    rcc.write(CFGR, 4, kPpre1Div4 | kPpre2Div2 | rcc_cfgr::SW_PLL);
    b.advance(Stm32f4Rcc::kPllLockCycles + Stm32f4Rcc::kSwitchCycles);
    ASSERT_EQ(b.time.cpuHz(), 168'000'000u);
    rcc.reset();
    EXPECT_EQ(b.time.cpuHz(), 16'000'000u);
    EXPECT_EQ(rcc.read(CR, 4), 0x00000083u);
    EXPECT_EQ(rcc.read(CFGR, 4), 0u);
    EXPECT_EQ(b.clocks.back().hz, 16'000'000u);
}

}  // namespace
}  // namespace cmsim
