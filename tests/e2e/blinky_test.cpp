// End to end: the bundled F407 scheduler firmware on the emulated Discovery board.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "Format.h"
#include "RunCli.h"
#include "Session.h"

namespace cmsim::testing {
namespace {

const std::string kBlinky = CMSIM_FIRMWARE_DIR "/f407/blinky.elf";
constexpr Picoseconds kMs = 1'000'000'000ULL;

class BlinkyTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        RunRequest req;
        req.firmware = kBlinky;
        req.board = "f407";
        req.duration = 4000 * kMs;
        std::ostringstream out, err;
        spdlog::logger log("test", std::make_shared<spdlog::sinks::ostream_sink_st>(err));
        log.set_pattern("%v");
        report_ = new RunReport(runFirmware(req, out, log));
        stderr_ = new std::string(err.str());
    }
    static void TearDownTestSuite() {
        delete report_;
        delete stderr_;
    }
    static const LedStats& led(std::string_view pin) {
        for (const auto& s : report_->leds) {
            if (fmt::format("P{}{}", s.led->port, s.led->pin) == pin) return s;
        }
        throw std::runtime_error("no LED on " + std::string(pin));
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
    static void expectPeriod(std::string_view pin, Picoseconds period, std::uint64_t toggles) {
        const auto iv = intervalsOf(pin);
        ASSERT_EQ(iv.size() + 1, toggles) << pin;
        for (std::size_t i = 0; i < iv.size(); ++i) {
            EXPECT_GE(iv[i], period - kMs) << pin << " interval " << i << ": " << formatMs(iv[i]);
            EXPECT_LE(iv[i], period + kMs) << pin << " interval " << i << ": " << formatMs(iv[i]);
        }
    }
    static RunReport* report_;
    static std::string* stderr_;
};
RunReport* BlinkyTest::report_ = nullptr;
std::string* BlinkyTest::stderr_ = nullptr;

TEST_F(BlinkyTest, RunsTheRequestedTimeWithoutFault) {
    EXPECT_EQ(report_->exitCode, exit_code::kOk) << *stderr_;
    EXPECT_EQ(report_->stop.reason, CoreStop::Reason::TimeLimit);
    // The run ends on the first cycle boundary at or after 4 s: within one 168 MHz cycle
    // (5952.4 ps).
    EXPECT_GE(report_->simulated, 4000 * kMs);
    EXPECT_LT(report_->simulated - 4000 * kMs, 5953u);
}

TEST_F(BlinkyTest, FirmwareReachesSysclk168MHz) {
    EXPECT_EQ(report_->sysclkHz, 168'000'000u);
    EXPECT_EQ(report_->hclkHz, 168'000'000u);
}

// Each task toggles once at start-up, then once per period: over 4 s a period P gives
// 4000/P + 1 toggles (the last one lands just after a multiple of P, before 4 s).
TEST_F(BlinkyTest, GreenPd12TogglesEvery1000ms) { expectPeriod("PD12", 1000 * kMs, 4); }
TEST_F(BlinkyTest, OrangePd13TogglesEvery500ms) { expectPeriod("PD13", 500 * kMs, 8); }
TEST_F(BlinkyTest, BluePd15TogglesEvery250ms) { expectPeriod("PD15", 250 * kMs, 16); }
TEST_F(BlinkyTest, RedPd14TogglesEvery125ms) { expectPeriod("PD14", 125 * kMs, 32); }

TEST_F(BlinkyTest, OnlyKnownFirmwareMistakeIsTheThumbBitInDummyFrames) {
    // The bundled kernel stacks function pointers as initial PCs, as hobby kernels do.
    EXPECT_EQ(report_->firmwareMistakes, 1u) << *stderr_;
    EXPECT_NE(stderr_->find("bit 0 set"), std::string::npos) << *stderr_;
    EXPECT_EQ(report_->modelGaps, 0u) << *stderr_;
}

TEST(BlinkyCli, SameElfAndOptionsGiveByteIdenticalOutput) {
    const auto a = runCli(kBlinky + " --board f407 --for 2s");
    const auto b = runCli(kBlinky + " --board f407 --for 2s");
    ASSERT_EQ(a.exitCode, 0) << a.err;
    EXPECT_EQ(a.out, b.out);
    EXPECT_EQ(a.err, b.err);
    EXPECT_NE(a.out.find("SYSCLK 168 MHz"), std::string::npos) << a.out;
}

TEST(BlinkyCli, CyclesOptionStopsAtThatCycle) {
    const auto r = runCli(kBlinky + " --board f407 --cycles 1000000 -q");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find(" 1000000 cycles"), std::string::npos) << r.out;
}

TEST(BlinkyCli, PrintsOneLinePerLedChangeWithTimeCycleNamePinAndLevel) {
    const auto r = runCli(kBlinky + " --board f407 --for 130ms");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    // The red LED's first turn-off, 125 ms after its first turn-on.
    EXPECT_NE(r.out.find("LD5  red     PD14  -> 0 (off)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("LD4  green   PD12  -> 1 (on)"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace cmsim::testing
