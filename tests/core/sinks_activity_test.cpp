// Pictures of time: the ordered activity stream every picture is drawn from (sinks/Activity.h),
// fed with hand-made events.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "boards/Boards.h"
#include "sinks/Activity.h"

namespace cmsim::sinks {
namespace {

constexpr std::uint32_t kToThreadPsp = 0xFFFFFFFD;
constexpr std::uint32_t kToHandler = 0xFFFFFFF1;

// Records what a listener is told, one line per callback.
struct Recorder : ActivityListener {
    std::vector<std::string> log;
    void onPin(Picoseconds t, std::size_t i, bool level) override {
        log.push_back("pin " + std::to_string(t) + " " + std::to_string(i) + " " + (level ? "1" : "0"));
    }
    void onTick(Picoseconds t, std::uint64_t n) override {
        log.push_back("tick " + std::to_string(t) + " #" + std::to_string(n));
    }
    void onHandlerEnter(Picoseconds t, unsigned n, unsigned ipsr) override {
        log.push_back("enter " + std::to_string(t) + " " + std::to_string(n) + " ipsr " + std::to_string(ipsr));
    }
    void onHandlerLeave(Picoseconds t, unsigned n, unsigned ipsr) override {
        log.push_back("leave " + std::to_string(t) + " " + std::to_string(n) + " ipsr " + std::to_string(ipsr));
    }
    void onTaskSwitch(Picoseconds t, Picoseconds stopped, std::uint32_t from, std::uint32_t to) override {
        log.push_back("switch " + std::to_string(t) + " stopped " + std::to_string(stopped) + " " +
                      std::to_string(from) + "->" + std::to_string(to));
    }
    void onEnd(Picoseconds t) override { log.push_back("end " + std::to_string(t)); }
};

struct StreamBench {
    Signals signals;
    TimeBase time{1'000'000'000};  // 1 GHz: one cycle is 1000 ps
    ActivityStream stream{signals, time,
                          std::vector<WatchedPin>{{"LD4", "green", 'D', 12, true, true},
                                                  {"PB0", "", 'B', 0, true, false}},
                          [](std::uint32_t t) { return "task" + std::to_string(t); }, nullptr};
    Recorder rec;
    StreamBench() { stream.addListener(rec); }

    void pin(Cycles c, char port, std::uint8_t p, bool level) {
        signals.pins.publish(PinChange{c, c * 1000, port, p, level});
    }
    void exc(ExceptionEvent::Kind k, Cycles c, unsigned n, std::uint32_t excReturn) {
        signals.exceptions.publish(ExceptionEvent{k, c, c * 1000, n, 0, excReturn, 0x20000000});
    }
};

TEST(ActivityStream, SortsALateSysTickWrapBeforeLaterEvents) {
    StreamBench b;
    b.pin(100, 'D', 12, true);
    // The wrap happened at cycle 90 but is published at the next block boundary.
    b.signals.ticks.publish(TickEvent{90, 90'000, 1});
    b.pin(120, 'B', 0, true);
    b.pin(130, 'A', 1, true);  // not watched
    EXPECT_TRUE(b.rec.log.empty()) << "events are held for the horizon";
    b.stream.finish(200'000);
    EXPECT_EQ(b.rec.log, (std::vector<std::string>{"tick 90000 #1", "pin 100000 0 1", "pin 120000 1 1",
                                                   "end 200000"}));
}

TEST(ActivityStream, ReleasesEventsOnceTheHorizonHasPassed) {
    StreamBench b;
    b.pin(10, 'D', 12, true);
    b.pin(10 + ActivityStream::kHorizon - 1, 'D', 12, false);
    EXPECT_TRUE(b.rec.log.empty());
    b.pin(10 + ActivityStream::kHorizon, 'D', 12, true);
    ASSERT_EQ(b.rec.log.size(), 1u);
    EXPECT_EQ(b.rec.log[0], "pin 10000 0 1");
}

TEST(ActivityStream, KeepsTheExceptionStackForIpsr) {
    StreamBench b;
    using K = ExceptionEvent::Kind;
    b.exc(K::Entry, 100, 15, kToThreadPsp);  // SysTick from Thread mode
    b.exc(K::Entry, 150, 16 + 6, kToHandler);  // EXTI0 preempts it
    b.exc(K::Return, 200, 16 + 6, kToHandler);  // back to SysTick
    b.exc(K::TailChain, 260, 14, kToThreadPsp);  // SysTick done, PendSV chained
    b.exc(K::Return, 300, 14, kToThreadPsp);
    b.stream.finish(400'000);
    EXPECT_EQ(b.rec.log, (std::vector<std::string>{
                             "enter 100000 15 ipsr 15", "enter 150000 22 ipsr 22", "leave 200000 22 ipsr 15",
                             "leave 260000 15 ipsr 14", "enter 260000 14 ipsr 14", "leave 300000 14 ipsr 0",
                             "end 400000"}));
}

TEST(ActivityStream, AnEntryFromThreadModeDropsHandlersLeftActiveByAReset) {
    StreamBench b;
    using K = ExceptionEvent::Kind;
    b.exc(K::Entry, 100, 15, kToThreadPsp);
    // (system reset: no return) then a new entry from Thread mode.
    b.exc(K::Entry, 500, 11, 0xFFFFFFF9);
    b.stream.finish(600'000);
    EXPECT_EQ(b.rec.log, (std::vector<std::string>{"enter 100000 15 ipsr 15", "leave 500000 15 ipsr 0",
                                                   "enter 500000 11 ipsr 11", "end 600000"}));
}

TEST(ActivityStream, ContextSwitchCarriesWhenTheOutgoingTaskStopped) {
    StreamBench b;
    b.signals.switches.publish(ContextSwitch{1000, 1'000'000, 0, 1, 930, 14});
    b.stream.finish(2'000'000);
    ASSERT_EQ(b.rec.log.size(), 2u);
    EXPECT_EQ(b.rec.log[0], "switch 1000000 stopped 930000 0->1");
    EXPECT_EQ(b.stream.taskName(1), "task1");
}

TEST(ActivityStream, NothingAfterFinish) {
    StreamBench b;
    b.stream.finish(10);
    b.pin(20, 'D', 12, true);
    b.stream.finish(30);
    EXPECT_EQ(b.rec.log, (std::vector<std::string>{"end 10"}));
}

TEST(PinList, ParsesNamesAndRejectsPinsTheChipDoesNotHave) {
    const ChipDescription& chip = stm32f407DiscoveryBoard().chip;
    std::string error;
    const auto pins = parsePinList({"PB0,pa5", "PI15"}, chip, &error);
    ASSERT_TRUE(pins) << error;
    ASSERT_EQ(pins->size(), 3u);
    EXPECT_EQ((*pins)[0].pinName(), "PB0");
    EXPECT_EQ((*pins)[1].pinName(), "PA5");
    EXPECT_EQ((*pins)[2].name, "PI15");
    EXPECT_FALSE((*pins)[2].isLed);

    EXPECT_FALSE(parsePinList({"PZ99"}, chip, &error));
    EXPECT_NE(error.find("PZ99: no pin PZ99 on STM32F407VG (GPIO ports ABCDEFGHI, pins 0-15)"), std::string::npos)
        << error;
    EXPECT_FALSE(parsePinList({"PD16"}, chip, &error));
    EXPECT_NE(error.find("PD16: no pin"), std::string::npos) << error;
    EXPECT_FALSE(parsePinList({"D12"}, chip, &error));
    EXPECT_NE(error.find("expected a pin name such as PD12"), std::string::npos) << error;
    EXPECT_FALSE(parsePinList({"PJ1"}, chip, &error)) << "GPIOJ exists on F42x/43x only";
}

TEST(PinList, LedsComeFirstAndChosenPinsAreNotRepeated) {
    const BoardDescription& board = stm32f407DiscoveryBoard();
    std::string error;
    const auto extra = parsePinList({"PD12,PB0"}, board.chip, &error);
    ASSERT_TRUE(extra);
    const auto pins = mergePins(boardLeds(board), *extra);
    ASSERT_EQ(pins.size(), board.leds.size() + 1);
    EXPECT_EQ(pins[0].name, "LD4");
    EXPECT_EQ(pins[0].color, "green");
    EXPECT_TRUE(pins[0].isLed);
    EXPECT_EQ(pins.back().name, "PB0");
}

TEST(ExceptionNames, SystemExceptionsAndTheChipsIrqNames) {
    const ChipDescription& chip = stm32f407DiscoveryBoard().chip;
    EXPECT_EQ(exceptionName(15, &chip), "SysTick");
    EXPECT_EQ(exceptionName(14, nullptr), "PendSV");
    EXPECT_EQ(exceptionName(16 + 6, &chip), "IRQ 6 EXTI0");
    EXPECT_EQ(exceptionName(16 + 6, nullptr), "IRQ 6");
}

TEST(FormatMsDecimals, RoundsHalfUpAtTheAskedPrecision) {
    EXPECT_EQ(formatMsDecimals(0, 0), "0");
    EXPECT_EQ(formatMsDecimals(1'500'000'000, 0), "2");
    EXPECT_EQ(formatMsDecimals(1'250'000'000, 1), "1.3");
    EXPECT_EQ(formatMsDecimals(1'000'297'283'499, 6), "1000.297283");
    EXPECT_EQ(formatMsDecimals(2'000'000'000'000, 3), "2000.000");
}

}  // namespace
}  // namespace cmsim::sinks
