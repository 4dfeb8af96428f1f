// STM32H723 PWR model (RM0468 §6): the write-once supply configuration and ACTVOSRDY, the
// voltage scale change and its VOSRDY timing, and the clock limits of each scale.
#include <gtest/gtest.h>

#include "PeripheralTestBench.h"
#include "peripherals/Stm32h7Pwr.h"

namespace cmsim {
namespace {

using test::PeripheralTestBench;
using namespace h7pwr_reg;

TEST(Stm32h7Pwr, ResetValues) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Pwr pwr(b.ctx);
    EXPECT_EQ(pwr.name(), "PWR");
    EXPECT_EQ(pwr.read(CR1, 4), 0xF000C000u);
    EXPECT_EQ(pwr.read(CSR1, 4), 0x00006000u);  // ACTVOS = VOS3 (01), ACTVOSRDY
    EXPECT_EQ(pwr.read(CR3, 4), 0x00000006u);   // SCUEN, LDOEN
    EXPECT_EQ(pwr.read(D3CR, 4), 0x00006000u);  // VOS3, VOSRDY
    EXPECT_EQ(pwr.activeVoltageScale(), 3u);
    EXPECT_FALSE(pwr.supplyLocked());
    EXPECT_FALSE(pwr.backupDomainWritable());
    pwr.write(CR1, 4, pwr.read(CR1, 4) | h7pwr_cr1::DBP);
    EXPECT_TRUE(pwr.backupDomainWritable());
    EXPECT_TRUE(b.diag.all().empty());
}

TEST(Stm32h7Pwr, SupplyConfigurationIsWrittenOnceAndActvosrdyFollowsAfterSettling) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Pwr pwr(b.ctx);
    // LDO supply, as the NUCLEO-H723ZG needs: SCUEN = 0, LDOEN = 1, BYPASS = 0.
    pwr.write(CR3, 4, h7pwr_cr3::LDOEN);
    EXPECT_TRUE(pwr.supplyLocked());
    EXPECT_EQ(pwr.read(CR3, 4), h7pwr_cr3::LDOEN);
    EXPECT_EQ(pwr.read(CSR1, 4) & h7pwr_csr1::ACTVOSRDY, 0u);
    b.advance(Stm32h7Pwr::kSupplyCycles - 1);
    EXPECT_EQ(pwr.read(CSR1, 4) & h7pwr_csr1::ACTVOSRDY, 0u);
    b.advance(1);
    EXPECT_NE(pwr.read(CSR1, 4) & h7pwr_csr1::ACTVOSRDY, 0u);
    EXPECT_TRUE(b.diag.all().empty());

    // A second configuration is ignored until the next power-on reset ...
    pwr.write(CR3, 4, h7pwr_cr3::BYPASS | h7pwr_cr3::SCUEN);
    EXPECT_EQ(pwr.read(CR3, 4), h7pwr_cr3::LDOEN);
    EXPECT_EQ(b.mistakes("written after the supply configuration was locked"), 1u);
    // ... while the other CR3 bits stay writable.
    pwr.write(CR3, 4, h7pwr_cr3::LDOEN | h7pwr_cr3::USB33DEN);
    EXPECT_EQ(pwr.read(CR3, 4), h7pwr_cr3::LDOEN | h7pwr_cr3::USB33DEN | h7pwr_cr3::USB33RDY);

    // A system reset keeps the lock; a power-on reset lifts it.
    pwr.reset();
    EXPECT_TRUE(pwr.supplyLocked());
    EXPECT_EQ(pwr.read(CR3, 4), h7pwr_cr3::LDOEN);
    pwr.powerOnReset();
    EXPECT_FALSE(pwr.supplyLocked());
    EXPECT_EQ(pwr.read(CR3, 4), 0x00000006u);
}

TEST(Stm32h7Pwr, BypassWithoutAnExternalCoreSupplyNeverGetsReady) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Pwr pwr(b.ctx);
    pwr.write(CR3, 4, h7pwr_cr3::BYPASS);
    b.advance(10 * Stm32h7Pwr::kSupplyCycles);
    EXPECT_EQ(pwr.read(CSR1, 4) & h7pwr_csr1::ACTVOSRDY, 0u);
    EXPECT_EQ(b.mistakes("locked in bypass"), 1u);
}

TEST(Stm32h7Pwr, Vos0IsSelectedDirectlyAndTakesEffectWhenVosrdySets) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Pwr pwr(b.ctx);
    unsigned changes = 0;
    pwr.onVoltageScaleChange([&] { ++changes; });
    pwr.write(D3CR, 4, h7pwr_d3cr::VOS0);
    EXPECT_EQ(pwr.read(D3CR, 4), h7pwr_d3cr::VOS0);  // VOSRDY = 0
    EXPECT_EQ(pwr.requestedVoltageScale(), 0u);
    EXPECT_EQ(pwr.activeVoltageScale(), 3u);
    EXPECT_EQ(pwr.read(CSR1, 4), h7pwr_d3cr::VOS3);  // ACTVOS still VOS3, not ready
    b.advance(Stm32h7Pwr::kVosCycles - 1);
    EXPECT_EQ(pwr.read(D3CR, 4) & h7pwr_d3cr::VOSRDY, 0u);
    EXPECT_EQ(changes, 0u);
    b.advance(1);
    EXPECT_EQ(pwr.read(D3CR, 4), h7pwr_d3cr::VOS0 | h7pwr_d3cr::VOSRDY);
    EXPECT_EQ(pwr.read(CSR1, 4), h7pwr_csr1::ACTVOSRDY | h7pwr_d3cr::VOS0);
    EXPECT_EQ(pwr.activeVoltageScale(), 0u);
    EXPECT_EQ(changes, 1u);
    EXPECT_EQ(Stm32h7Pwr::scaleOf(h7pwr_d3cr::VOS1), 1u);
    EXPECT_EQ(Stm32h7Pwr::scaleOf(h7pwr_d3cr::VOS2), 2u);
}

TEST(Stm32h7Pwr, ClockLimitsPerScaleAndTheCpuFrequencyBoost) {
    EXPECT_EQ(Stm32h7Pwr::limits(0, false).cpu, 520'000'000u);
    EXPECT_EQ(Stm32h7Pwr::limits(0, true).cpu, 550'000'000u);
    EXPECT_EQ(Stm32h7Pwr::limits(0, true).hclk, 275'000'000u);
    EXPECT_EQ(Stm32h7Pwr::limits(0, true).pclk, 137'500'000u);
    EXPECT_EQ(Stm32h7Pwr::limits(1, false).cpu, 400'000'000u);
    EXPECT_EQ(Stm32h7Pwr::limits(3, false).hclk, 85'000'000u);

    PeripheralTestBench b(64'000'000);
    Stm32h7Pwr pwr(b.ctx);
    Stm32h7Clocks clocks{550'000'000, 550'000'000, 275'000'000, 137'500'000,
                         137'500'000, 137'500'000, 137'500'000};
    bool boost = false;
    pwr.setClockSource([&] { return clocks; });
    pwr.setCpuFreqBoost([&] { return boost; });
    pwr.write(D3CR, 4, h7pwr_d3cr::VOS0);
    b.advance(Stm32h7Pwr::kVosCycles);  // checks at VOS0 once in effect
    EXPECT_EQ(b.mistakes("CPU clock (sys_d1cpre_ck) 550 MHz exceeds the 520 MHz allowed at VOS0 "
                         "without the FLASH_OPTSR2.CPUFREQ_BOOST option bit"),
              1u);
    EXPECT_EQ(b.mistakes(), 1u);  // AXI and APB clocks are within their limits
    boost = true;
    clocks.cpu = clocks.sys = 560'000'000;
    pwr.checkClocks();
    EXPECT_EQ(b.mistakes("560 MHz exceeds the 550 MHz allowed at VOS0 (STM32H723"), 1u);
}

TEST(Stm32h7Pwr, RaisingTheClockBeforeTheScaleIsAFirmwareMistake) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Pwr pwr(b.ctx);
    Stm32h7Clocks clocks{520'000'000, 520'000'000, 260'000'000, 130'000'000,
                         130'000'000, 130'000'000, 130'000'000};
    pwr.setClockSource([&] { return clocks; });
    pwr.checkClocks();  // still VOS3 (170 / 85 / 42.5 MHz)
    EXPECT_EQ(b.mistakes("CPU clock (sys_d1cpre_ck) 520 MHz exceeds the 170 MHz allowed at VOS3 "
                         "(raise PWR_D3CR.VOS and wait for VOSRDY"),
              1u);
    EXPECT_EQ(b.mistakes("AXI/AHB clock (rcc_hclk3) 260 MHz exceeds the 85 MHz allowed at VOS3"),
              1u);
    EXPECT_EQ(b.mistakes("APB1 clock (rcc_pclk1) 130 MHz exceeds the 42.5 MHz allowed at VOS3"),
              1u);
}

TEST(Stm32h7Pwr, LoweringTheScaleBelowTheRunningClocksIsReportedWhenItTakesEffect) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Pwr pwr(b.ctx);
    Stm32h7Clocks clocks{400'000'000, 400'000'000, 200'000'000, 100'000'000,
                         100'000'000, 100'000'000, 100'000'000};
    pwr.setClockSource([&] { return clocks; });
    pwr.write(D3CR, 4, h7pwr_d3cr::VOS1);
    b.advance(Stm32h7Pwr::kVosCycles);
    EXPECT_TRUE(b.diag.all().empty());
    pwr.write(D3CR, 4, h7pwr_d3cr::VOS2);
    EXPECT_TRUE(b.diag.all().empty());  // VOS1 still in effect
    b.advance(Stm32h7Pwr::kVosCycles);
    EXPECT_EQ(b.mistakes("400 MHz exceeds the 300 MHz allowed at VOS2"), 1u);
}

TEST(Stm32h7Pwr, ReservedSvosAndStatusClears) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Pwr pwr(b.ctx);
    pwr.write(CR1, 4, 0xF0000000u);  // SVOS = 00
    EXPECT_EQ(pwr.read(CR1, 4) & h7pwr_cr1::SVOS_MASK, h7pwr_cr1::SVOS_MASK);
    EXPECT_EQ(b.mistakes("SVOS=00 is reserved"), 1u);
    pwr.write(CR2, 4, h7pwr_cr2::BREN);
    EXPECT_EQ(pwr.read(CR2, 4), h7pwr_cr2::BREN | h7pwr_cr2::BRRDY);
    pwr.write(CPUCR, 4, h7pwr_cpucr::CSSF);
    EXPECT_EQ(pwr.read(CPUCR, 4), 0u);
}

}  // namespace
}  // namespace cmsim
