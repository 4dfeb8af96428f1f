// End to end: the bundled scheduler firmware on the emulated NUCLEO-H723ZG (board h723),
// built from the same kernel as the F407 blinky: the three LED periods, the clock tree the
// firmware reaches (520 MHz with the factory option bytes, 550 MHz with CPUFREQ_BOOST),
// the registers it leaves behind, and the errors for an image built for the other board.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <spdlog/sinks/ostream_sink.h>

#include <optional>
#include <sstream>

#include "ElfImage.h"
#include "Format.h"
#include "Machine.h"
#include "RunCli.h"
#include "Session.h"
#include "boards/Boards.h"
#include "peripherals/Stm32h7Flash.h"
#include "peripherals/Stm32h7Pwr.h"
#include "peripherals/Stm32h7Rcc.h"

namespace cmsim::testing {
namespace {

const std::string kBlinky = CMSIM_FIRMWARE_DIR "/h723/blinky.elf";
const std::string kF407Blinky = CMSIM_FIRMWARE_DIR "/f407/blinky.elf";
constexpr Picoseconds kMs = 1'000'000'000ULL;

class H723BlinkyTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        RunRequest req;
        req.firmware = kBlinky;
        req.board = "h723";
        req.duration = 4000 * kMs;
        std::ostringstream out, err;
        spdlog::logger log("test", std::make_shared<spdlog::sinks::ostream_sink_st>(err));
        log.set_pattern("%v");
        report_ = new RunReport(runFirmware(req, out, log));
        stdout_ = new std::string(out.str());
        stderr_ = new std::string(err.str());
    }
    static void TearDownTestSuite() {
        delete report_;
        delete stdout_;
        delete stderr_;
    }
    static std::vector<Picoseconds> intervalsOf(std::string_view pin) {
        std::vector<Picoseconds> iv;
        std::optional<Picoseconds> prev;
        for (const auto& e : report_->edges) {
            if (fmt::format("P{}{}", e.led->port, e.led->pin) != pin) continue;
            if (prev) iv.push_back(e.time - *prev);
            prev = e.time;
        }
        return iv;
    }
    // Every interval is the task's period within one SysTick period (1 ms).
    static void expectPeriod(std::string_view pin, Picoseconds period, std::size_t toggles) {
        const auto iv = intervalsOf(pin);
        ASSERT_EQ(iv.size() + 1, toggles) << pin;
        for (std::size_t i = 0; i < iv.size(); ++i) {
            EXPECT_GE(iv[i], period - kMs) << pin << " interval " << i << ": " << formatMs(iv[i]);
            EXPECT_LE(iv[i], period + kMs) << pin << " interval " << i << ": " << formatMs(iv[i]);
        }
    }
    static RunReport* report_;
    static std::string* stdout_;
    static std::string* stderr_;
};
RunReport* H723BlinkyTest::report_ = nullptr;
std::string* H723BlinkyTest::stdout_ = nullptr;
std::string* H723BlinkyTest::stderr_ = nullptr;

TEST_F(H723BlinkyTest, RunsTheRequestedTimeWithoutFault) {
    EXPECT_EQ(report_->exitCode, exit_code::kOk) << *stderr_;
    EXPECT_EQ(report_->stop.reason, CoreStop::Reason::TimeLimit);
    // The run ends on the first cycle boundary at or after 4 s: within one 520 MHz cycle.
    EXPECT_GE(report_->simulated, 4000 * kMs);
    EXPECT_LT(report_->simulated - 4000 * kMs, 1924u);
}

// Factory option bytes (CPUFREQ_BOOST = 0): VOS0 allows 520 MHz, which the firmware picks.
TEST_F(H723BlinkyTest, FirmwareReachesSysclk520MHzWithTheFactoryOptionBytes) {
    EXPECT_EQ(report_->sysclkHz, 520'000'000u);
    EXPECT_EQ(report_->hclkHz, 520'000'000u);  // the core clock, sys_d1cpre_ck (D1CPRE /1)
}

// Each task toggles once at start-up, then once per period: over 4 s a period P gives
// 4000/P toggles (the first at 0.07 ms, the last before 4 s).
TEST_F(H723BlinkyTest, GreenLd1Pb0TogglesEvery1000ms) {
    expectPeriod("PB0", 1000 * kMs, 4);
}
TEST_F(H723BlinkyTest, YellowLd2Pe1TogglesEvery500ms) {
    expectPeriod("PE1", 500 * kMs, 8);
}
TEST_F(H723BlinkyTest, RedLd3Pb14TogglesEvery250ms) {
    expectPeriod("PB14", 250 * kMs, 16);
}

TEST_F(H723BlinkyTest, SummaryNamesTheBoardAndItsLeds) {
    EXPECT_NE(stdout_->find("blinky.elf on NUCLEO-H723ZG (STM32H723ZG): 4.000000 s simulated"),
              std::string::npos)
        << *stdout_;
    EXPECT_NE(stdout_->find("SYSCLK 520 MHz"), std::string::npos) << *stdout_;
    EXPECT_NE(stdout_->find("LD1  green   PB0"), std::string::npos) << *stdout_;
    EXPECT_NE(stdout_->find("LD2  yellow  PE1"), std::string::npos) << *stdout_;
    EXPECT_NE(stdout_->find("LD3  red     PB14"), std::string::npos) << *stdout_;
}

TEST_F(H723BlinkyTest, OnlyKnownFirmwareMistakeIsTheThumbBitInDummyFrames) {
    // The clock set-up is clean: supply, VOS0, wait states, prescalers all in order.
    EXPECT_EQ(report_->firmwareMistakes, 1u) << *stderr_;
    EXPECT_NE(stderr_->find("bit 0 set"), std::string::npos) << *stderr_;
    EXPECT_EQ(report_->modelGaps, 0u) << *stderr_;
}

// The same ELF with the CPUFREQ_BOOST option bit set (as STM32CubeProgrammer would leave
// it): the firmware reads FLASH_OPTSR2_CUR and runs PLL1 at 550 MHz.
TEST(H723Boost, WithCpufreqBoostTheFirmwareRunsAt550MHzAndLeavesThisClockTree) {
    Machine m(nucleoH723zgBoard());
    auto* flash = dynamic_cast<Stm32h7Flash*>(m.peripheral("FLASH"));
    ASSERT_NE(flash, nullptr);
    Stm32h7Flash::OptionBytes ob;
    ob.optsr2 = h7flash_opt::CPUFREQ_BOOST;
    flash->loadOptionBytes(ob);
    std::vector<PinChange> pins;
    m.signals().pins.subscribe([&](const PinChange& p) { pins.push_back(p); });
    m.load(ElfImage::load(kBlinky));
    m.powerOnReset();
    const CoreStop stop = m.runUntilTime(1100 * kMs);
    ASSERT_EQ(stop.reason, CoreStop::Reason::TimeLimit) << stop.message;

    ASSERT_NE(m.clocks(), nullptr);
    EXPECT_EQ(m.clocks()->sysclkHz(), 550'000'000u);
    EXPECT_EQ(m.clocks()->hclkHz(), 550'000'000u);
    EXPECT_EQ(m.time().cpuHz(), 550'000'000u);
    auto reg = [&](std::uint32_t address) { return m.bus().readPhysical(address, 4).value(); };
    // RCC (0x58024400): HSE bypass + PLL1 on and locked, SWS = PLL1.
    EXPECT_EQ(reg(0x58024400) & 0x03070000u, 0x03070000u);  // PLL1RDY PLL1ON HSEBYP HSERDY HSEON
    EXPECT_EQ(reg(0x58024410) & 0x3Fu, 0x1Bu);              // CFGR: SW = SWS = PLL1
    EXPECT_EQ(reg(0x58024418), 0x00000048u);                // D1CFGR: D1CPRE /1, HPRE /2, D1PPRE /2
    EXPECT_EQ(reg(0x5802441C), 0x00000440u);                // D2CFGR: D2PPRE1 /2, D2PPRE2 /2
    EXPECT_EQ(reg(0x58024420), 0x00000040u);                // D3CFGR: D3PPRE /2
    EXPECT_EQ(reg(0x58024428) & 0x3F3u, 0x042u);            // PLLCKSELR: HSE, DIVM1 = 4
    EXPECT_EQ(reg(0x5802442C) & 0x7000Fu,
              0x10004u);                      // PLLCFGR: PLL1RGE 2-4 MHz, wide, integer, P only
    EXPECT_EQ(reg(0x58024430), 0x01030112u);  // PLL1DIVR: N 275, P 1, Q 4, R 2
    EXPECT_EQ(reg(0x58024434), 0u);           // PLL1FRACR
    // PWR (0x58024800): LDO supply locked, VOS0 in effect.
    EXPECT_EQ(reg(0x5802480C) & 0x7u, 0x2u);        // CR3: LDOEN, SCUEN = 0
    EXPECT_EQ(reg(0x58024818), 0x00002000u);        // D3CR: VOS0, VOSRDY
    EXPECT_EQ(reg(0x58024804) & 0xE000u, 0x2000u);  // CSR1: ACTVOSRDY, ACTVOS = VOS0
    // FLASH (0x52002000): 3 wait states, WRHIGHFREQ = 11.
    EXPECT_EQ(reg(0x52002000), 0x00000033u);

    // The LEDs keep their periods at 550 MHz: PB14 every 250 ms, PB0 after 1000 ms.
    std::vector<Picoseconds> pb14, pb0;
    for (const auto& p : pins) {
        if (p.port == 'B' && p.pin == 14) pb14.push_back(p.time);
        if (p.port == 'B' && p.pin == 0) pb0.push_back(p.time);
    }
    ASSERT_EQ(pb14.size(), 5u);
    for (std::size_t i = 1; i < pb14.size(); ++i) {
        EXPECT_GE(pb14[i] - pb14[i - 1], 249 * kMs);
        EXPECT_LE(pb14[i] - pb14[i - 1], 251 * kMs);
    }
    ASSERT_EQ(pb0.size(), 2u);
    EXPECT_GE(pb0[1] - pb0[0], 999 * kMs);
    EXPECT_LE(pb0[1] - pb0[0], 1001 * kMs);
    EXPECT_EQ(m.diagnostics().count(DiagnosticKind::FirmwareMistake), 1u);  // the Thumb bit only
    EXPECT_EQ(m.diagnostics().count(DiagnosticKind::ModelGap), 0u);

    // Only a power-on reset unlocks the supply configuration; the option bytes persist.
    m.powerOnReset();
    EXPECT_EQ(reg(0x5802480C) & 0x7u, 0x6u);  // CR3: SCUEN, LDOEN again
    EXPECT_EQ(reg(0x52002070), 0x00000004u);  // FLASH_OPTSR2_CUR: CPUFREQ_BOOST
}

TEST(H723Cli, SameElfAndOptionsGiveByteIdenticalOutput) {
    const auto a = runCli(kBlinky + " --board h723 --for 1100ms");
    const auto b = runCli(kBlinky + " --board h723 --for 1100ms");
    ASSERT_EQ(a.exitCode, 0) << a.err;
    EXPECT_EQ(a.out, b.out);
    EXPECT_EQ(a.err, b.err);
    EXPECT_NE(a.out.find("LD3  red     PB14  -> 0 (off)"), std::string::npos) << a.out;
}

TEST(H723Cli, AnF407ImageOnTheH723IsRejectedWithExit2) {
    const auto r = runCli(kF407Blinky + " --board h723");
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_NE(r.err.find("its vector table (.isr_vector) has 98 entries (16 + 82 IRQs), the "
                         "STM32F407VG's, but board h723 (NUCLEO-H723ZG, STM32H723ZG) has 16 + 163"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("--board f407"), std::string::npos) << r.err;
}

TEST(H723Cli, AnH723ImageOnTheF407IsRejectedWithExit2) {
    const auto r = runCli(kBlinky + " --board f407");
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_NE(
        r.err.find("its vector table (.isr_vector) has 179 entries (16 + 163 IRQs), the "
                   "STM32H723ZG's, but board f407 (STM32F407G-DISC1, STM32F407VG) has 16 + 82"),
        std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("--board h723"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cmsim::testing
