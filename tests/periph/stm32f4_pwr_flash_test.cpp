// STM32F405/407 PWR (RM0090 §5.4) and FLASH interface (RM0090 §3.9) models: reset values,
// the voltage-scale and wait-state checks against HCLK, the key sequences.
#include <gtest/gtest.h>

#include "PeripheralTestBench.h"
#include "peripherals/Stm32f4Flash.h"
#include "peripherals/Stm32f4Pwr.h"
#include "peripherals/Stm32f4Rcc.h"

namespace cmsim {
namespace {

using test::PeripheralTestBench;

// ---- PWR ---------------------------------------------------------------------------

TEST(Stm32f4Pwr, ResetValues) {
    PeripheralTestBench b;
    Stm32f4Pwr pwr(b.ctx);
    EXPECT_EQ(pwr.name(), "PWR");
    EXPECT_EQ(pwr.read(pwr_reg::CR, 4), 0x00004000u);   // VOS=1: scale 1
    EXPECT_EQ(pwr.read(pwr_reg::CSR, 4), 0x00004000u);  // VOSRDY
    EXPECT_EQ(pwr.voltageScale(), 1u);
    EXPECT_FALSE(pwr.backupDomainWritable());
}

TEST(Stm32f4Pwr, Scale2At168MHzIsAFirmwareMistake) {
    PeripheralTestBench b;
    Stm32f4Pwr pwr(b.ctx);
    pwr.write(pwr_reg::CR, 4, 0);  // VOS=0: scale 2
    EXPECT_EQ(pwr.voltageScale(), 2u);
    b.time.setCpuHz(144'000'000);
    EXPECT_EQ(b.mistakes(), 0u);
    b.time.setCpuHz(168'000'000);
    EXPECT_EQ(b.mistakes("HCLK 168 MHz exceeds the 144 MHz allowed in voltage scale 2"), 1u);
    EXPECT_EQ(b.diag.all().at(0).source, "PWR");
}

TEST(Stm32f4Pwr, Scale1At168MHzIsFine) {
    PeripheralTestBench b;
    Stm32f4Pwr pwr(b.ctx);
    b.time.setCpuHz(168'000'000);
    EXPECT_TRUE(b.diag.all().empty());
}

TEST(Stm32f4Pwr, LoweringScaleWhileFastIsReported) {
    PeripheralTestBench b;
    Stm32f4Pwr pwr(b.ctx);
    b.time.setCpuHz(168'000'000);
    pwr.write(pwr_reg::CR, 4, pwr_cr::DBP);  // VOS cleared
    EXPECT_EQ(b.mistakes("voltage scale 2"), 1u);
    EXPECT_TRUE(pwr.backupDomainWritable());
}

TEST(Stm32f4Pwr, ClearBitsReadZeroAndBackupRegulatorReady) {
    PeripheralTestBench b;
    Stm32f4Pwr pwr(b.ctx);
    pwr.write(pwr_reg::CR, 4, pwr_cr::VOS | pwr_cr::CWUF | pwr_cr::CSBF);
    EXPECT_EQ(pwr.read(pwr_reg::CR, 4), pwr_cr::VOS);
    pwr.write(pwr_reg::CSR, 4, pwr_csr::BRE);
    EXPECT_EQ(pwr.read(pwr_reg::CSR, 4), pwr_csr::BRE | pwr_csr::BRR | pwr_csr::VOSRDY);
}

// ---- FLASH -------------------------------------------------------------------------

TEST(Stm32f4Flash, ResetValues) {
    PeripheralTestBench b;
    Stm32f4Flash flash(b.ctx);
    EXPECT_EQ(flash.name(), "FLASH");
    EXPECT_EQ(flash.read(flash_reg::ACR, 4), 0u);
    EXPECT_EQ(flash.read(flash_reg::KEYR, 4), 0u);
    EXPECT_EQ(flash.read(flash_reg::OPTKEYR, 4), 0u);
    EXPECT_EQ(flash.read(flash_reg::SR, 4), 0u);
    EXPECT_EQ(flash.read(flash_reg::CR, 4), 0x80000000u);
    EXPECT_EQ(flash.read(flash_reg::OPTCR, 4), 0x0FFFAAEDu);
    EXPECT_EQ(flash.latency(), 0u);
}

TEST(Stm32f4Flash, RequiredLatencyFollowsTable10) {
    EXPECT_EQ(Stm32f4Flash::requiredLatency(16'000'000), 0u);
    EXPECT_EQ(Stm32f4Flash::requiredLatency(30'000'000), 0u);
    EXPECT_EQ(Stm32f4Flash::requiredLatency(30'000'001), 1u);
    EXPECT_EQ(Stm32f4Flash::requiredLatency(60'000'000), 1u);
    EXPECT_EQ(Stm32f4Flash::requiredLatency(90'000'000), 2u);
    EXPECT_EQ(Stm32f4Flash::requiredLatency(120'000'000), 3u);
    EXPECT_EQ(Stm32f4Flash::requiredLatency(150'000'000), 4u);
    EXPECT_EQ(Stm32f4Flash::requiredLatency(168'000'000), 5u);
}

TEST(Stm32f4Flash, ZeroWaitStatesAt168MHzIsAFirmwareMistake) {
    PeripheralTestBench b;
    Stm32f4Flash flash(b.ctx);
    b.time.setCpuHz(168'000'000);
    EXPECT_EQ(b.mistakes("FLASH_ACR.LATENCY=0 wait state(s) is too few for HCLK 168 MHz"), 1u);
    EXPECT_EQ(b.mistakes("needs at least 5"), 1u);
    EXPECT_EQ(b.diag.all().at(0).source, "FLASH");
}

TEST(Stm32f4Flash, FiveWaitStatesAt168MHzIsFine) {
    PeripheralTestBench b;
    Stm32f4Flash flash(b.ctx);
    flash.write(flash_reg::ACR, 4, 5u | flash_acr::PRFTEN | flash_acr::ICEN | flash_acr::DCEN);
    EXPECT_EQ(flash.latency(), 5u);
    b.time.setCpuHz(168'000'000);
    EXPECT_TRUE(b.diag.all().empty());
}

TEST(Stm32f4Flash, LoweringLatencyWhileFastIsReportedOnAcrWrite) {
    PeripheralTestBench b;
    Stm32f4Flash flash(b.ctx);
    flash.write(flash_reg::ACR, 4, 5u);
    b.time.setCpuHz(168'000'000);
    flash.write(flash_reg::ACR, 4, 2u);
    EXPECT_EQ(b.mistakes("LATENCY=2"), 1u);
}

TEST(Stm32f4Flash, CacheResetWhileEnabledIsIgnored) {
    PeripheralTestBench b;
    Stm32f4Flash flash(b.ctx);
    flash.write(flash_reg::ACR, 4, flash_acr::ICEN);
    flash.write(flash_reg::ACR, 4, flash_acr::ICEN | flash_acr::ICRST);
    EXPECT_EQ(flash.read(flash_reg::ACR, 4), flash_acr::ICEN);
    EXPECT_EQ(b.mistakes("ICRST set while ICEN=1"), 1u);
}

TEST(Stm32f4Flash, UnlockSequenceClearsLockAndProgrammingIsAModelGap) {
    PeripheralTestBench b;
    Stm32f4Flash flash(b.ctx);
    flash.write(flash_reg::KEYR, 4, flash_key::KEY1);
    EXPECT_EQ(flash.read(flash_reg::CR, 4), flash_cr::LOCK);
    flash.write(flash_reg::KEYR, 4, flash_key::KEY2);
    EXPECT_EQ(flash.read(flash_reg::CR, 4), 0u);
    flash.write(flash_reg::CR, 4, flash_cr::PG | (2u << 8));
    EXPECT_EQ(flash.read(flash_reg::CR, 4), flash_cr::PG | (2u << 8));
    EXPECT_EQ(b.count(DiagnosticKind::ModelGap, "programming/erase"), 1u);
    EXPECT_EQ(b.mistakes(), 0u);
    flash.write(flash_reg::CR, 4, flash_cr::LOCK);  // re-lock
    EXPECT_EQ(flash.read(flash_reg::CR, 4), flash_cr::LOCK);
}

TEST(Stm32f4Flash, WrongKeyLocksUntilReset) {
    PeripheralTestBench b;
    Stm32f4Flash flash(b.ctx);
    flash.write(flash_reg::KEYR, 4, flash_key::KEY1);
    flash.write(flash_reg::KEYR, 4, 0x12345678);
    EXPECT_EQ(b.mistakes("wrong key 0x12345678 written to KEYR (expected 0xcdef89ab)"), 1u);
    flash.write(flash_reg::KEYR, 4, flash_key::KEY1);
    flash.write(flash_reg::KEYR, 4, flash_key::KEY2);
    EXPECT_EQ(flash.read(flash_reg::CR, 4), flash_cr::LOCK);
    flash.reset();
    flash.write(flash_reg::KEYR, 4, flash_key::KEY1);
    flash.write(flash_reg::KEYR, 4, flash_key::KEY2);
    EXPECT_EQ(flash.read(flash_reg::CR, 4), 0u);
}

TEST(Stm32f4Flash, CrWriteWhileLockedIsIgnored) {
    PeripheralTestBench b;
    Stm32f4Flash flash(b.ctx);
    flash.write(flash_reg::CR, 4, flash_cr::SER);
    EXPECT_EQ(flash.read(flash_reg::CR, 4), flash_cr::LOCK);
    EXPECT_EQ(b.mistakes("FLASH_CR written while locked"), 1u);
    EXPECT_EQ(b.count(DiagnosticKind::ModelGap), 0u);
}

TEST(Stm32f4Flash, OptionKeysUnlockOptcr) {
    PeripheralTestBench b;
    Stm32f4Flash flash(b.ctx);
    flash.write(flash_reg::OPTCR, 4, 0x0FFFAAEC);
    EXPECT_EQ(flash.read(flash_reg::OPTCR, 4), 0x0FFFAAEDu);
    EXPECT_EQ(b.mistakes("FLASH_OPTCR written while locked"), 1u);
    flash.write(flash_reg::OPTKEYR, 4, flash_key::OPTKEY1);
    flash.write(flash_reg::OPTKEYR, 4, flash_key::OPTKEY2);
    EXPECT_EQ(flash.read(flash_reg::OPTCR, 4), 0x0FFFAAECu);
}

// ---- RCC + PWR + FLASH together, as a HAL-style clock setup runs them ---------------

void configure168MHz(PeripheralTestBench& b, Stm32f4Rcc& rcc) {
    using namespace rcc_reg;
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::HSEON);
    while ((rcc.read(CR, 4) & rcc_cr::HSERDY) == 0) b.advance(10);
    rcc.write(PLLCFGR, 4,
              8u | (336u << rcc_pllcfgr::PLLN_SHIFT) | rcc_pllcfgr::PLLSRC |
                  (7u << rcc_pllcfgr::PLLQ_SHIFT));
    rcc.write(CR, 4, rcc.read(CR, 4) | rcc_cr::PLLON);
    while ((rcc.read(CR, 4) & rcc_cr::PLLRDY) == 0) b.advance(10);
    rcc.write(CFGR, 4,
              (5u << rcc_cfgr::PPRE1_SHIFT) | (4u << rcc_cfgr::PPRE2_SHIFT) | rcc_cfgr::SW_PLL);
    while (((rcc.read(CFGR, 4) & rcc_cfgr::SWS_MASK) >> rcc_cfgr::SWS_SHIFT) != rcc_cfgr::SW_PLL) {
        b.advance(1);
    }
}

TEST(Stm32f4ClockSetup, CorrectSequenceIsSilent) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, 8'000'000);
    Stm32f4Pwr pwr(b.ctx);
    Stm32f4Flash flash(b.ctx);
    flash.write(flash_reg::ACR, 4, 5u | flash_acr::ICEN | flash_acr::DCEN | flash_acr::PRFTEN);
    configure168MHz(b, rcc);
    EXPECT_EQ(b.time.cpuHz(), 168'000'000u);
    EXPECT_TRUE(b.diag.all().empty());
}

TEST(Stm32f4ClockSetup, ForgottenWaitStatesAreReportedByFlashOnTheSwitch) {
    PeripheralTestBench b;
    Stm32f4Rcc rcc(b.ctx, 8'000'000);
    Stm32f4Pwr pwr(b.ctx);
    Stm32f4Flash flash(b.ctx);
    configure168MHz(b, rcc);
    EXPECT_EQ(b.time.cpuHz(), 168'000'000u);
    ASSERT_EQ(b.diag.all().size(), 1u);
    EXPECT_EQ(b.diag.all()[0].source, "FLASH");
    EXPECT_EQ(b.mistakes("LATENCY=0"), 1u);
}

}  // namespace
}  // namespace cmsim
