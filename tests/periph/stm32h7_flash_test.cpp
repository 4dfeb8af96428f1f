// STM32H723 FLASH interface model (RM0468 §4): reset values, the wait states of RM0468
// Table 16 against the AXI clock and the voltage scale, the programming delay, the key
// sequences and the option bytes (CPUFREQ_BOOST).
#include <gtest/gtest.h>

#include "PeripheralTestBench.h"
#include "peripherals/Stm32h7Flash.h"

namespace cmsim {
namespace {

using test::PeripheralTestBench;
using namespace h7flash_reg;

Stm32h7Clocks axiAt(std::uint64_t hclk) {
    return {2 * hclk, 2 * hclk, hclk, hclk / 2, hclk / 2, hclk / 2, hclk / 2};
}

TEST(Stm32h7Flash, ResetValuesAndFactoryOptionBytes) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Flash flash(b.ctx);
    EXPECT_EQ(flash.name(), "FLASH");
    EXPECT_EQ(flash.read(ACR, 4), 0x00000037u);  // 7 WS, WRHIGHFREQ = 11
    EXPECT_EQ(flash.latency(), 7u);
    EXPECT_EQ(flash.read(CR1, 4), 0x00000031u);  // LOCK, PSIZE = 11
    EXPECT_EQ(flash.read(OPTCR, 4), 0x00000001u);
    EXPECT_EQ(flash.read(BOOT_CURR, 4), 0x1FF00800u);  // BOOT_ADD0 = 0x08000000
    EXPECT_EQ(flash.read(OPTSR2_CUR, 4), 0u);          // TCM_AXI_SHARED = 00, no boost
    EXPECT_EQ(flash.read(WPSN_CUR1R, 4), 0x000000FFu);
    EXPECT_FALSE(flash.cpuFreqBoost());
    EXPECT_TRUE(b.diag.all().empty());
}

TEST(Stm32h7Flash, Rm0468Table16WaitStatesAndProgrammingDelay) {
    struct Row {
        std::uint64_t hz;
        unsigned scale;
        unsigned ws;
    };
    const Row rows[] = {
        {70'000'000, 0, 0},  {70'000'001, 0, 1},  {140'000'000, 0, 1}, {210'000'000, 0, 2},
        {210'000'001, 0, 3}, {275'000'000, 0, 3}, {67'000'000, 1, 0},  {133'000'000, 1, 1},
        {200'000'000, 1, 2}, {50'000'000, 2, 0},  {150'000'000, 2, 2}, {35'000'000, 3, 0},
        {70'000'000, 3, 1},  {85'000'000, 3, 2},
    };
    for (const Row& r : rows) {
        const auto need = Stm32h7Flash::required(r.hz, r.scale);
        EXPECT_EQ(need.latency, r.ws) << r.hz << " Hz at VOS" << r.scale;
        EXPECT_EQ(need.wrHighFreq, r.ws) << r.hz << " Hz at VOS" << r.scale;
    }
}

TEST(Stm32h7Flash, TooFewWaitStatesForTheAxiClockIsAFirmwareMistake) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Flash flash(b.ctx);
    Stm32h7Clocks clocks = axiAt(32'000'000);
    unsigned scale = 0;
    flash.setClockSource([&] { return clocks; });
    flash.setVoltageScale([&] { return scale; });
    flash.write(ACR, 4, 0x00000033);  // 3 WS, WRHIGHFREQ = 11: fine for anything at VOS0
    clocks = axiAt(275'000'000);
    flash.checkLatency();
    EXPECT_TRUE(b.diag.all().empty());
    flash.write(ACR, 4, 0x00000022);  // 2 WS at 275 MHz
    EXPECT_EQ(b.mistakes("FLASH_ACR.LATENCY=2 wait state(s) is too few for the 275 MHz AXI clock "
                         "at VOS0: RM0468 Table 16 needs at least 3 (with WRHIGHFREQ=11)"),
              1u);
    // At VOS1, 200 MHz is the last row of the table: 2 wait states are enough.
    scale = 1;
    clocks = axiAt(200'000'000);
    flash.checkLatency();
    EXPECT_EQ(b.mistakes(), 1u);
}

TEST(Stm32h7Flash, ProgrammingDelayIsCheckedWhenAnOperationStarts) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Flash flash(b.ctx);
    flash.setClockSource([] { return axiAt(275'000'000); });
    flash.setVoltageScale([] { return 0u; });
    flash.write(ACR, 4, 0x00000003);  // 3 WS, WRHIGHFREQ = 00
    EXPECT_EQ(b.mistakes(), 0u);
    flash.write(KEYR1, 4, 0x45670123);
    flash.write(KEYR1, 4, 0xCDEF89AB);
    EXPECT_EQ(flash.read(CR1, 4) & h7flash_cr::LOCK, 0u);
    flash.write(CR1, 4, h7flash_cr::SER | h7flash_cr::START);
    EXPECT_EQ(b.mistakes("WRHIGHFREQ=00: RM0468 Table 16 needs 11"), 1u);
    EXPECT_EQ(b.count(DiagnosticKind::ModelGap, "not modelled"), 1u);
    EXPECT_EQ(flash.read(CR1, 4) & h7flash_cr::START, 0u);
}

TEST(Stm32h7Flash, WrongKeyLocksCr1UntilReset) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Flash flash(b.ctx);
    flash.write(KEYR1, 4, 0x12345678);
    EXPECT_EQ(b.mistakes("wrong key 0x12345678 written to KEYR1"), 1u);
    flash.write(KEYR1, 4, 0x45670123);
    flash.write(KEYR1, 4, 0xCDEF89AB);
    EXPECT_NE(flash.read(CR1, 4) & h7flash_cr::LOCK, 0u);
    flash.reset();
    flash.write(KEYR1, 4, 0x45670123);
    flash.write(KEYR1, 4, 0xCDEF89AB);
    EXPECT_EQ(flash.read(CR1, 4) & h7flash_cr::LOCK, 0u);
}

TEST(Stm32h7Flash, OptionBytesCarryTheCpuFrequencyBoostAcrossResets) {
    PeripheralTestBench b(64'000'000);
    Stm32h7Flash flash(b.ctx);
    Stm32h7Flash::OptionBytes ob;
    ob.optsr2 = h7flash_opt::CPUFREQ_BOOST;
    flash.loadOptionBytes(ob);
    EXPECT_TRUE(flash.cpuFreqBoost());
    flash.reset();
    EXPECT_EQ(flash.read(OPTSR2_CUR, 4), h7flash_opt::CPUFREQ_BOOST);
    EXPECT_EQ(flash.read(OPTSR2_PRG, 4), h7flash_opt::CPUFREQ_BOOST);
    // The _PRG registers need FLASH_OPTCR unlocked.
    flash.write(OPTSR2_PRG, 4, 0);
    EXPECT_EQ(flash.read(OPTSR2_PRG, 4), h7flash_opt::CPUFREQ_BOOST);
    EXPECT_EQ(b.mistakes("FLASH_OPTSR2_PRG written while FLASH_OPTCR.OPTLOCK=1"), 1u);
    flash.write(OPTKEYR, 4, 0x08192A3B);
    flash.write(OPTKEYR, 4, 0x4C5D6E7F);
    EXPECT_EQ(flash.read(OPTCR, 4) & h7flash_opt::OPTLOCK, 0u);
    flash.write(OPTSR2_PRG, 4, 0);
    EXPECT_EQ(flash.read(OPTSR2_PRG, 4), 0u);
    flash.write(OPTCR, 4, h7flash_opt::OPTSTART);
    EXPECT_EQ(b.count(DiagnosticKind::ModelGap, "option byte programming"), 1u);
    EXPECT_EQ(flash.read(OPTSR2_CUR, 4), h7flash_opt::CPUFREQ_BOOST);  // not programmed
}

}  // namespace
}  // namespace cmsim
