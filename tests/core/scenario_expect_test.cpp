// Expectations (emulator/scenario/Expectation.h) against synthetic RunRecords, no emulator:
// pass and fail for each kind, with the exact text of the line and of the failure details.
#include <gtest/gtest.h>

#include <string>

#include "Nvic.h"
#include "boards/Boards.h"
#include "scenario/Expectation.h"
#include "scenario/JUnit.h"
#include "scenario/ScenarioFile.h"
#include "scenario/ScenarioRunner.h"

namespace cmsim::scenario {
namespace {

constexpr Picoseconds kUs = 1'000'000;
constexpr Picoseconds kMs = 1'000'000'000;

const ChipDescription& chip() {
    return stm32f407Chip();
}

// The expectations of a scenario whose `expect:` list is `items` (YAML, indented by 2).
Scenario scenarioWith(const std::string& items) {
    ParseOptions o;
    o.variable = [](const std::string&) { return std::optional<std::string>("/fw"); };
    return parseScenarioText(
        "name: t\nfirmware: a.elf\nboard: f407\nrun: {for: 4s}\nexpect:\n" + items, "t.yaml", o);
}

Expectation one(const std::string& item) {
    return scenarioWith("  - " + item + "\n").expectations.at(0);
}

ExpectationResult eval(const std::string& item, const RunRecord& r) {
    return evaluate(one(item), r, chip());
}

std::string details(const ExpectationResult& r) {
    std::string s;
    for (const auto& d : r.details) s += d + "\n";
    return s;
}

// PD13 toggling at the given times (ms), starting high; the run ends at 2 s.
RunRecord toggling(std::initializer_list<double> timesMs, char port = 'D', unsigned pin = 13) {
    RunRecord r;
    r.clock(0, 16'000'000, 16'000'000);
    bool level = true;
    for (double t : timesMs) {
        r.pinChange(static_cast<Picoseconds>(t * 1'000'000) * 1000, port, pin, level);
        level = !level;
    }
    r.end(2000 * kMs);
    return r;
}

// --- toggles -------------------------------------------------------------------------------

TEST(ExpectToggles, PassesWithIntervalCountAndFirst) {
    const auto r =
        eval("toggles: {led: orange, interval: 500ms ± 1ms, count: 4, first: 0.3ms ± 10us}",
             toggling({0.3, 500.3, 1000.3, 1500.3}));
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(r.line(),
              "PD13 (LD3 orange) toggles: interval 500.000 ms (3 intervals; expected 500 ms ± 1 "
              "ms), count 4 "
              "(expected 4), first 0.300 ms (expected 0.3 ms ± 10 us) ok");
    EXPECT_TRUE(r.details.empty());
}

TEST(ExpectToggles, IntervalsAtTheToleranceEdgesPass) {
    // 499 ms and 501 ms are exactly 1 ms off: inside "± 1ms" (inclusive).
    const auto r = eval("toggles: {pin: PD13, interval: 500ms ± 1ms}", toggling({0, 499, 1000}));
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(r.line(),
              "PD13 (LD3 orange) toggles: interval 499.000..501.000 ms (2 intervals; expected 500 "
              "ms ± 1 ms) ok");
}

TEST(ExpectToggles, IntervalOffByMoreThanTheToleranceListsTheOffendingIntervals) {
    const auto r = eval("toggles: {pin: PD13, interval: 500ms ± 1ms}",
                        toggling({0.3, 500.3, 1003.3, 1500.3, 2000.3}));
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(),
              "PD13 (LD3 orange) toggles: interval 497.000..503.000 ms (4 intervals; expected 500 "
              "ms ± 1 ms) FAILED");
    EXPECT_EQ(details(r),
              "2 of 4 intervals outside 500 ms ± 1 ms:\n"
              "interval #2: 500.300 -> 1003.300 ms = 503.000 ms (+3 ms from 500 ms ± 1 ms)\n"
              "interval #3: 1003.300 -> 1500.300 ms = 497.000 ms (-3 ms from 500 ms ± 1 ms)\n"
              "intervals (ms, * = outside): 500.000 503.000* 497.000* 500.000\n");
}

TEST(ExpectToggles, JustOutsideTheToleranceFails) {
    // 1 ns beyond ± 1 ms.
    RunRecord rec;
    rec.pinChange(0, 'D', 13, true).pinChange(501 * kMs + 1000, 'D', 13, false).end(2000 * kMs);
    const auto r = eval("toggles: {pin: PD13, interval: 500ms ± 1ms}", rec);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.details.at(1),
              "interval #1: 0.000 -> 501.000 ms = 501.000 ms (+1.000001 ms from 500 ms ± 1 ms)");
}

TEST(ExpectToggles, CountMismatchListsTheToggles) {
    const auto r = eval("toggles: {pin: PD13, count: 4}", toggling({0.3, 500.3, 1000.3}));
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(), "PD13 (LD3 orange) toggles: count 3 (expected 4) FAILED");
    EXPECT_EQ(details(r), "toggles at (ms): 0.300 500.300 1000.300\n");
}

TEST(ExpectToggles, NoTogglesAtAll) {
    RunRecord rec;
    rec.end(2000 * kMs);
    const auto r = eval("toggles: {pin: PD13, count: 4}", rec);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(details(r), "no toggles; the run ended at 2000.000 ms\n");
}

TEST(ExpectToggles, FirstToggleTooLate) {
    const auto r = eval("toggles: {pin: PD13, first: 0.3ms ± 10us}", toggling({0.32, 500.3}));
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(),
              "PD13 (LD3 orange) toggles: first 0.320 ms (expected 0.3 ms ± 10 us) FAILED");
    EXPECT_EQ(details(r), "first toggle at 0.320 ms (cycle 0) is +20 us from 0.3 ms\n");
}

TEST(ExpectToggles, SkipIgnoresTheFirstIntervals) {
    const RunRecord rec = toggling({0.3, 100.3, 600.3, 1100.3});
    EXPECT_TRUE(eval("toggles: {pin: PD13, interval: 500ms ± 1ms, skip: 1}", rec).passed);
    const auto r = eval("toggles: {pin: PD13, interval: 500ms ± 1ms}", rec);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.details.at(0), "1 of 3 intervals outside 500 ms ± 1 ms:");
    // A failure after a skip shows the skipped intervals in parentheses.
    const auto s = eval("toggles: {pin: PD13, interval: 400ms ± 1ms, skip: 1}", rec);
    EXPECT_EQ(s.line(),
              "PD13 (LD3 orange) toggles: interval 500.000 ms (2 intervals after skipping 1; "
              "expected 400 ms ± 1 ms) "
              "FAILED");
    EXPECT_EQ(s.details.back(),
              "intervals (ms, * = outside, (skipped)): (100.000) 500.000* 500.000*");
}

TEST(ExpectToggles, TooFewTogglesForAnInterval) {
    const auto r = eval("toggles: {pin: PD13, interval: 500ms ± 1ms}", toggling({0.3}));
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(),
              "PD13 (LD3 orange) toggles: interval: none (1 toggles, 0 intervals; expected 500 ms "
              "± 1 ms) FAILED");
    EXPECT_EQ(details(r), "toggles at (ms): 0.300\n");
}

TEST(ExpectToggles, WindowSelectsTheToggles) {
    const RunRecord rec = toggling({0.3, 500.3, 1000.3, 1500.3});
    const auto r =
        eval("toggles: {pin: PD13, count: 2, first: 500.3ms, from: 400ms, until: 1100ms}", rec);
    EXPECT_TRUE(r.passed) << r.line();
    EXPECT_EQ(r.line(),
              "PD13 (LD3 orange) toggles from 400 ms until 1100 ms: count 2 (expected 2), first "
              "500.300 ms "
              "(expected 500.3 ms) ok");
}

TEST(ExpectToggles, OtherPinsAndRepeatedLevelsAreNotToggles) {
    RunRecord rec;
    rec.pinChange(1 * kMs, 'D', 13, true)
        .pinChange(2 * kMs, 'D', 12, true)  // another pin
        .pinChange(3 * kMs, 'E', 13, true)  // another port
        .pinChange(4 * kMs, 'D', 13, true)  // same level again: not an edge
        .pinChange(5 * kMs, 'D', 13, false)
        .end(10 * kMs);
    const auto r = eval("toggles: {pin: PD13, count: 2, interval: 4ms}", rec);
    EXPECT_TRUE(r.passed) << r.line() << "\n" << details(r);
}

// --- stays ---------------------------------------------------------------------------------

TEST(ExpectStays, PassesWhenThePinHoldsItsLevel) {
    const auto r = eval("stays: {led: green, level: on, from: 1ms, until: 999ms}",
                        toggling({0.3, 1000.3}, 'D', 12));
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(r.line(), "PD12 (LD4 green) stays high from 1 ms until 999 ms: high throughout ok");
}

TEST(ExpectStays, AGlitchInTheWindowFails) {
    RunRecord rec;
    rec.pinChange(300 * kUs, 'D', 12, true, 100)
        .pinChange(500 * kMs, 'D', 12, false, 84'000'000)
        .pinChange(500 * kMs + 2 * kUs, 'D', 12, true, 84'000'336)
        .end(2000 * kMs);
    const auto r = eval("stays: {pin: PD12, level: high, from: 1ms, until: 999ms}", rec);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(),
              "PD12 (LD4 green) stays high from 1 ms until 999 ms: high at 1 ms, 2 changes in the "
              "window FAILED");
    EXPECT_EQ(details(r),
              "went low at 500.000 ms (cycle 84000000)\n"
              "went high at 500.002 ms (cycle 84000336)\n");
}

TEST(ExpectStays, WrongLevelAtTheStartOfTheWindow) {
    RunRecord rec;
    rec.pinChange(300 * kUs, 'D', 15, true, 5722).end(50 * kMs);
    const auto r = eval("stays: {led: blue, level: off, from: 1ms, until: 49ms}", rec);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(), "PD15 (LD6 blue) stays low from 1 ms until 49 ms: high at 1 ms FAILED");
    EXPECT_EQ(details(r), "went high at 0.300 ms (cycle 5722), before the window\n");
}

TEST(ExpectStays, APinThatNeverChangesIsLow) {
    RunRecord rec;
    rec.end(50 * kMs);
    EXPECT_TRUE(eval("stays: {pin: PA0, level: low}", rec).passed);
    const auto r = eval("stays: {pin: PA0, level: high}", rec);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(), "PA0 stays high for the whole run: low at 0 ms FAILED");
    EXPECT_EQ(details(r), "low from the start of the run\n");
}

TEST(ExpectStays, BeforeItsFirstChangeAPinHasTheOppositeLevel) {
    RunRecord rec;
    rec.pinChange(10 * kMs, 'A', 13, false).end(50 * kMs);  // a pulled-up pin driven low
    EXPECT_TRUE(eval("stays: {pin: PA13, level: high, until: 9ms}", rec).passed);
}

TEST(ExpectStays, AWindowLongerThanTheRunFails) {
    RunRecord rec;
    rec.end(50 * kMs);
    const auto r = eval("stays: {pin: PD12, level: low, until: 60ms}", rec);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(),
              "PD12 (LD4 green) stays low until 60 ms: low throughout, but the run ended at 50.000 "
              "ms, before the "
              "window ends at 60 ms FAILED");
}

// --- sequence ------------------------------------------------------------------------------

// At 1000 ms: SysTick, PendSV, then PD12 falls, PD13, PD14 and PD15 rise.
RunRecord tick1000() {
    RunRecord rec;
    rec.pinChange(300 * kUs, 'D', 12, true)
        .exceptionEntry(999'296 * kUs, exc::kSysTick)
        .exceptionEntry(1000'296 * kUs, exc::kSysTick)
        .exceptionEntry(1000'297 * kUs, exc::kPendSv)
        .pinChange(1000'297 * kUs + 200'000, 'D', 12, false)
        .pinChange(1000'298 * kUs, 'D', 13, true)
        .symbolReached(1000'298 * kUs + 100'000, "task_red")
        .pinChange(1000'299 * kUs, 'D', 14, true)
        .pinChange(1000'300 * kUs, 'D', 15, true)
        .end(1100 * kMs);
    return rec;
}

const std::string kSequence =
    "sequence:\n"
    "      from: 1000ms\n"
    "      until: 1000.4ms\n"
    "      events:\n";

TEST(ExpectSequence, InOrder) {
    const auto r = eval(kSequence +
                            "        - exception: SysTick\n"
                            "        - exception: PendSV\n"
                            "        - falls: PD12\n"
                            "        - rises: orange\n"
                            "        - reaches: task_red\n"
                            "        - rises: LD5\n"
                            "        - changes: PD15\n",
                        tick1000());
    EXPECT_TRUE(r.passed) << details(r);
    EXPECT_EQ(r.line(),
              "sequence from 1000 ms until 1000.4 ms: SysTick entry, PendSV entry, PD12 falls, "
              "PD13 rises, reaches "
              "task_red, PD14 rises, PD15 changes: in order at 1000.296, 1000.297, 1000.297, "
              "1000.298, 1000.298, "
              "1000.299, 1000.300 ms ok");
}

TEST(ExpectSequence, OutOfOrder) {
    const auto r = eval(kSequence +
                            "        - rises: PD13\n"
                            "        - falls: PD12\n"
                            "        - rises: PD14\n",
                        tick1000());
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(),
              "sequence from 1000 ms until 1000.4 ms: PD13 rises, PD12 falls, PD14 rises: PD12 "
              "falls not found after "
              "PD13 rises at 1000.298 ms FAILED");
    EXPECT_EQ(details(r),
              "matched: PD13 rises at 1000.298 ms\n"
              "out of order: PD12 falls happened at 1000.297 ms, before PD13 rises at 1000.298 ms\n"
              "the expected events as they happened in the window:\n"
              "  1000.297 ms PD12 falls\n"
              "  1000.298 ms PD13 rises\n"
              "  1000.299 ms PD14 rises\n");
}

TEST(ExpectSequence, MissingEvent) {
    const auto r = eval(kSequence +
                            "        - falls: PD12\n"
                            "        - exception: IRQ 38\n",
                        tick1000());
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(),
              "sequence from 1000 ms until 1000.4 ms: PD12 falls, IRQ 38 (USART2) entry: IRQ 38 "
              "(USART2) entry not "
              "found after PD12 falls at 1000.297 ms FAILED");
    EXPECT_EQ(details(r),
              "matched: PD12 falls at 1000.297 ms\n"
              "IRQ 38 (USART2) entry did not happen in the window (the run ended at 1100.000 ms)\n"
              "the expected events as they happened in the window:\n"
              "  1000.297 ms PD12 falls\n");
}

TEST(ExpectSequence, FirstEventMissingAndTheWindowExcludesEvents) {
    // The SysTick at 999.296 ms is outside the window; PD12 rose at 0.3 ms, not in it.
    const auto r = eval(kSequence + "        - rises: PD12\n", tick1000());
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(),
              "sequence from 1000 ms until 1000.4 ms: PD12 rises: PD12 rises did not happen in the "
              "window FAILED");
    EXPECT_EQ(details(r),
              "PD12 rises did not happen in the window (the run ended at 1100.000 ms)\n");
}

TEST(ExpectSequence, WithoutAWindowTheWholeRunCounts) {
    const auto r =
        eval("sequence: {events: [rises: PD12, exception: SysTick, falls: PD12]}", tick1000());
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(r.line(),
              "sequence: PD12 rises, SysTick entry, PD12 falls: in order at 0.300, 999.296, "
              "1000.297 ms ok");
}

TEST(ExpectSequence, ARecordedEventCountsOnce) {
    // One rise of PD13 cannot satisfy two expected rises.
    const auto r = eval(kSequence + "        - rises: PD13\n        - rises: PD13\n", tick1000());
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(),
              "sequence from 1000 ms until 1000.4 ms: PD13 rises, PD13 rises: PD13 rises not found "
              "after PD13 rises "
              "at 1000.298 ms FAILED");
    EXPECT_EQ(
        r.details.at(1),
        "PD13 rises happened at 1000.298 ms only as the event already matched for PD13 rises");
}

TEST(ExpectSequence, RepeatedSymbolHitsCountAsManyTimes) {
    RunRecord rec;
    rec.symbolReached(1 * kMs, "poll")
        .symbolReached(1 * kMs + 100, "poll")
        .pinChange(2 * kMs, 'D', 12, true)
        .end(3 * kMs);
    EXPECT_TRUE(
        eval("sequence: {events: [reaches: poll, reaches: poll, rises: PD12]}", rec).passed);
    const auto r =
        eval("sequence: {events: [reaches: poll, reaches: poll, reaches: poll, rises: PD12]}", rec);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(
        details(r),
        "matched: reaches poll at 1.000 ms\n"
        "matched: reaches poll at 1.000 ms\n"
        "reaches poll happened at 1.000 ms only as the event already matched for reaches poll\n"
        "the expected events as they happened in the run:\n"
        "  1.000 ms reaches poll (x2)\n"
        "  2.000 ms PD12 rises\n");
}

// --- reaches / never_reaches ---------------------------------------------------------------

RunRecord withSymbols() {
    RunRecord rec;
    rec.symbolReached(237 * kUs, "main", 3796)
        .symbolReached(300 * kUs, "idle_task", 5872)
        .symbolReached(1298 * kUs, "idle_task", 170000)
        .end(50 * kMs);
    return rec;
}

TEST(ExpectReaches, ByATime) {
    const auto r = eval("reaches: {symbol: main, by: 1ms}", withSymbols());
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(r.line(), "reaches main by 1 ms: at 0.237 ms ok");
    EXPECT_EQ(eval("reaches: idle_task", withSymbols()).line(),
              "reaches idle_task: at 0.300 ms ok");
}

TEST(ExpectReaches, TooLate) {
    const auto r = eval("reaches: {symbol: main, by: 100us}", withSymbols());
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(), "reaches main by 0.1 ms: at 0.237 ms, 137 us late FAILED");
    EXPECT_EQ(details(r), "first reached at 0.237 ms (cycle 3796)\n");
}

TEST(ExpectReaches, Never) {
    const auto r = eval("reaches: task_exit_trap", withSymbols());
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(), "reaches task_exit_trap: not reached; the run ended at 50.000 ms FAILED");
}

TEST(ExpectNeverReaches, NotReachedPasses) {
    const auto r = eval("never_reaches: Default_Handler", withSymbols());
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(r.line(),
              "never reaches Default_Handler: not reached; the run ended at 50.000 ms ok");
}

TEST(ExpectNeverReaches, HitFailsWithTheFirstTime) {
    const auto r = eval("never_reaches: idle_task", withSymbols());
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(), "never reaches idle_task: reached at 0.300 ms (cycle 5872) FAILED");
}

TEST(RunRecordSymbols, ConsecutiveHitsOfASymbolAreOneEventWithACount) {
    RunRecord rec;
    rec.symbolReached(1 * kMs, "Default_Handler", 10)
        .symbolReached(1 * kMs + 6, "Default_Handler", 11)  // a `b .` loop: nothing between
        .symbolReached(1 * kMs + 12, "Default_Handler", 12)
        .pinChange(2 * kMs, 'D', 12, true)
        .symbolReached(3 * kMs, "Default_Handler", 13);
    ASSERT_EQ(rec.events.size(), 3u);
    EXPECT_EQ(rec.events[0].repeat, 3u);
    EXPECT_EQ(rec.events[0].time, 1 * kMs);
    EXPECT_EQ(rec.events[0].cycle, 10u);
    EXPECT_EQ(rec.events[2].repeat, 1u);
    EXPECT_EQ(rec.symbolNames, std::vector<std::string>{"Default_Handler"});
    EXPECT_TRUE(rec.isHitOf(rec.events[2], "Default_Handler"));
    EXPECT_FALSE(rec.isHitOf(rec.events[1], "Default_Handler"));
}

// --- exception -----------------------------------------------------------------------------

RunRecord switches() {
    RunRecord rec;
    rec.exceptionEntry(296'633'928, exc::kSvCall, 5289)
        .exceptionEntry(297'187'500, exc::kPendSv, 5382);
    for (int ms = 1; ms <= 5; ++ms) rec.exceptionEntry(ms * kMs + 296 * kUs, exc::kSysTick);
    rec.exceptionEntry(5 * kMs + 297 * kUs, exc::kPendSv);
    rec.end(6 * kMs);
    return rec;
}

TEST(ExpectException, FirstEntryAndCount) {
    const auto r =
        eval("exception: {name: PendSV, first: 0.2971875ms ± 1us, count: 2}", switches());
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(r.line(),
              "exception PendSV: first entry 0.297 ms (expected 0.2971875 ms ± 1 us), count 2 "
              "(expected 2) ok");
}

TEST(ExpectException, FirstEntryOffByMoreThanTheTolerance) {
    const auto r = eval("exception: {name: SVC, first: 0.2976ms ± 0.5us}", switches());
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(),
              "exception SVCall: first entry 0.297 ms (expected 0.2976 ms ± 500 ns) FAILED");
    EXPECT_EQ(details(r), "first entry at 0.297 ms (cycle 5289) is -966 ns from 0.2976 ms\n");
}

TEST(ExpectException, CountInAWindow) {
    EXPECT_TRUE(
        eval("exception: {name: SysTick, from: 2ms, until: 4.5ms, count: 3}", switches()).passed);
    const auto r = eval("exception: {name: SysTick, count: 6}", switches());
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(), "exception SysTick: count 5 (expected 6) FAILED");
    EXPECT_EQ(details(r), "first entry at 1.296 ms, last at 5.296 ms; the run ended at 6.000 ms\n");
}

TEST(ExpectException, NeverEntered) {
    const auto r = eval("exception: {name: USART2, first: 1ms ± 1ms, count: 0}", switches());
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(),
              "exception IRQ 38 (USART2): first entry: none (expected 1 ms ± 1 ms), count 0 "
              "(expected 0) FAILED");
}

// --- clock ---------------------------------------------------------------------------------

RunRecord clocks() {
    RunRecord rec;
    rec.clock(0, 16'000'000, 16'000'000)
        .clock(293 * kUs, 168'000'000, 168'000'000, 4689)
        .end(10 * kMs);
    return rec;
}

TEST(ExpectClock, Equal) {
    const auto r = eval("clock: {sysclk: 168MHz, hclk: 168 MHz, by: 0.3ms}", clocks());
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(r.line(),
              "clock: SYSCLK 168 MHz (expected 168 MHz), HCLK 168 MHz (expected 168 MHz), since "
              "0.293 ms (expected "
              "by 0.3 ms) ok");
}

TEST(ExpectClock, Mismatch) {
    const auto r = eval("clock: {sysclk: 84MHz}", clocks());
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(), "clock: SYSCLK 168 MHz (expected 84 MHz) FAILED");
    EXPECT_EQ(details(r),
              "from 0.000 ms: SYSCLK 16 MHz, HCLK 16 MHz\n"
              "from 0.293 ms: SYSCLK 168 MHz, HCLK 168 MHz\n");
}

TEST(ExpectClock, SetTooLate) {
    const auto r = eval("clock: {hclk: 168MHz, by: 0.2ms}", clocks());
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(),
              "clock: HCLK 168 MHz (expected 168 MHz), since 0.293 ms (expected by 0.2 ms) FAILED");
}

TEST(ExpectClock, ResetClockHoldsFromTimeZero) {
    RunRecord rec;
    rec.clock(0, 16'000'000, 16'000'000).end(1 * kMs);
    EXPECT_EQ(eval("clock: {sysclk: 16MHz, by: 0}", rec).line(),
              "clock: SYSCLK 16 MHz (expected 16 MHz), since 0.000 ms (expected by 0 ms) ok");
}

// --- how the run ended ---------------------------------------------------------------------

RunRecord faulted() {
    RunRecord rec;
    rec.end(70 * kUs, CoreStop{CoreStop::Reason::Fault,
                               "BusFault: read of address 0x60000000 (nothing mapped there) in the "
                               "block at 0x0800081e (main+0x12)",
                               0x0800081e});
    return rec;
}

TEST(ExpectNoFault, PassesAtTheTimeLimit) {
    RunRecord rec;
    rec.end(4000 * kMs);
    const auto r = eval("no_fault: true", rec);
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(r.line(), "no fault: no fault; the run reached its limit at 4000.000 ms ok");
}

TEST(ExpectNoFault, FailsWithAFault) {
    const auto r = eval("no_fault: true", faulted());
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(),
              "no fault: faulted at 0.070 ms: BusFault: read of address 0x60000000 (nothing mapped "
              "there) in the "
              "block at 0x0800081e (main+0x12) FAILED");
}

TEST(ExpectNoFault, ImpliedWhenTheScenarioSaysNothing) {
    const Scenario s = scenarioWith("  - reaches: main\n");
    const auto r = evaluate(s.expectations.at(1), faulted(), chip());
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.label, "no fault (implied: the scenario expects no fault)");
}

TEST(ExpectNoFault, LockupIsAFaultButASemihostingExitWithZeroIsNot) {
    RunRecord lockup;
    lockup.end(1 * kMs, CoreStop{CoreStop::Reason::Lockup, "lockup at 0x08000100", 0});
    EXPECT_EQ(eval("no_fault: true", lockup).line(),
              "no fault: locked up at 1.000 ms: lockup at 0x08000100 FAILED");
    RunRecord exited;
    exited.end(1 * kMs, CoreStop{CoreStop::Reason::Exited, "", 0, 0});
    EXPECT_EQ(eval("no_fault: true", exited).line(),
              "no fault: no fault; the firmware exited with code 0 at 1.000 ms ok");
    RunRecord exited3;
    exited3.end(1 * kMs, CoreStop{CoreStop::Reason::Exited, "", 0, 3});
    EXPECT_FALSE(eval("no_fault: true", exited3).passed);
}

const std::string kBusFault =
    "BusFault escalated to HardFault: precise data bus error: read at 0x60000000 (nothing mapped "
    "there) by "
    "\"ldr r2, [r3]\" at 0x08000822 (main+0x16)";

TEST(ExpectNoFault, FailsWithAFaultTheFirmwareHandled) {
    RunRecord rec;
    rec.fault(70 * kUs, kBusFault, 1194).end(10 * kMs);
    const auto r = eval("no_fault: true", rec);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(r.line(), "no fault: faulted at 0.070 ms: " + kBusFault +
                            "; the run went on to its limit at 10.000 ms FAILED");
    EXPECT_TRUE(r.details.empty());
}

TEST(ExpectNoFault, SeveralFaultsAreListed) {
    RunRecord rec;
    rec.fault(70 * kUs, kBusFault, 1194)
        .fault(1 * kMs, "UsageFault: undefined instruction 0xde00 at 0x0800081c (main+0x12)",
               168000)
        .end(10 * kMs);
    const auto r = eval("no_fault: true", rec);
    EXPECT_EQ(r.line(),
              "no fault: faulted at 0.070 ms: " + kBusFault +
                  " (2 faults in the run); the run went on to its limit at 10.000 ms FAILED");
    EXPECT_EQ(details(r), "fault at 0.070 ms (cycle 1194): " + kBusFault +
                              "\n"
                              "fault at 1.000 ms (cycle 168000): UsageFault: undefined instruction "
                              "0xde00 at 0x0800081c (main+0x12)\n");
}

TEST(ExpectFault, MatchesAFaultTheFirmwareHandled) {
    RunRecord rec;
    rec.fault(70 * kUs, kBusFault, 1194).end(10 * kMs);
    EXPECT_TRUE(eval("fault: \"BusFault escalated to HardFault: precise data bus error: read at "
                     "0x60000000\"",
                     rec)
                    .passed);
    EXPECT_FALSE(eval("fault: UsageFault", rec).passed);
}

TEST(ExpectFault, AStopOnTheFaultIsSaidOnce) {
    RunRecord rec;
    rec.fault(70 * kUs, kBusFault, 1194)
        .end(70 * kUs, CoreStop{CoreStop::Reason::Fault, kBusFault, 0x08000822});
    const auto r = eval("fault: BusFault", rec);
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(r.measured, "faulted at 0.070 ms: " + kBusFault + "; the run stopped there");
}

TEST(ExpectFault, MatchingMessage) {
    const auto r = eval("fault: \"BusFault: read of address 0x60000000\"", faulted());
    EXPECT_TRUE(r.passed);
    EXPECT_EQ(
        r.line(),
        "fault containing \"BusFault: read of address 0x60000000\": faulted at 0.070 ms: BusFault: "
        "read of "
        "address 0x60000000 (nothing mapped there) in the block at 0x0800081e (main+0x12) ok");
}

// The fault null_call.elf takes: INVSTATE at 0, escalated to HardFault.
RunRecord invstateAtZero() {
    RecordedFault f;
    f.time = 70 * kUs;
    f.message = "UsageFault escalated to HardFault: execution with the Thumb bit clear";
    f.exception = exc::kUsageFault;
    f.taken = exc::kHardFault;
    f.pc = 0;
    f.where = "0x00000000";
    f.cfsr = 0x00020000;
    f.hfsr = 0x40000000;
    RunRecord rec;
    rec.fault(f).end(2 * kMs);
    return rec;
}

TEST(ExpectFault, FieldsMustAllHoldForOneFault) {
    const RunRecord rec = invstateAtZero();
    const auto r = eval(
        "fault: {exception: UsageFault, taken: HardFault, cfsr: INVSTATE, hfsr: FORCED, "
        "pc: 0x00000000}",
        rec);
    EXPECT_TRUE(r.passed) << details(r);
    EXPECT_EQ(r.label,
              "fault: UsageFault, taken as HardFault, CFSR 0x00020000 (INVSTATE), HFSR 0x40000000 "
              "(FORCED), pc 0x00000000");
    EXPECT_FALSE(eval("fault: {cfsr: INVSTATE, hfsr: none}", rec).passed);
    EXPECT_FALSE(eval("fault: {cfsr: INVSTATE UNDEFINSTR}", rec).passed);
    EXPECT_FALSE(eval("fault: {taken: UsageFault}", rec).passed);
    EXPECT_FALSE(eval("fault: {address: 0}", rec).passed) << "no BFAR/MMFAR: no address";
    EXPECT_FALSE(eval("fault: {pc: 0x08000000}", rec).passed);
    const auto miss = eval("fault: {exception: BusFault}", rec);
    EXPECT_EQ(details(miss),
              "fault at 0.070 ms: UsageFault taken as HardFault, CFSR 0x00020000 (INVSTATE), HFSR "
              "0x40000000 (FORCED), pc 0x00000000 (0x00000000)\n");
}

TEST(ExpectFault, PcBySymbolIsAnywhereInItOrExactWithAnOffset) {
    RecordedFault f;
    f.exception = f.taken = exc::kBusFault;
    f.pc = 0x08000822;
    f.where = "main+0x16";
    f.address = 0x60000000;
    RunRecord rec;
    rec.fault(f).end(2 * kMs);
    EXPECT_TRUE(eval("fault: {pc: main}", rec).passed);
    EXPECT_TRUE(eval("fault: {pc: main+0x16}", rec).passed);
    EXPECT_FALSE(eval("fault: {pc: main+0x14}", rec).passed);
    EXPECT_FALSE(eval("fault: {pc: mai}", rec).passed) << "a prefix of the name is another symbol";
    EXPECT_TRUE(eval("fault: {address: 0x60000000}", rec).passed);
}

TEST(ExpectFault, AStopIsOnlyAMessage) {
    RunRecord rec;
    rec.end(1 * kMs, CoreStop{CoreStop::Reason::Lockup, "lockup at 0x08000100", 0x08000100});
    EXPECT_TRUE(eval("fault: {message: lockup}", rec).passed);
    const auto r = eval("fault: {message: lockup, cfsr: 0}", rec);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(details(r), "the core took no fault\n");
}

TEST(ExpectFault, OtherMessageOrNoFaultFails) {
    EXPECT_FALSE(eval("fault: UsageFault", faulted()).passed);
    RunRecord rec;
    rec.end(10 * kMs);
    const auto r = eval("fault: UsageFault", rec);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(
        r.line(),
        "fault containing \"UsageFault\": no fault; the run reached its limit at 10.000 ms FAILED");
}

// --- results as text and JUnit -------------------------------------------------------------

TEST(ScenarioReport, BlockSummaryAndJUnit) {
    const Scenario s = scenarioWith(
        "  - toggles: {pin: PD13, interval: 500ms ± 1ms}\n"
        "  - reaches: main\n"
        "  - fault: \"a <b> & 'c'\"\n");
    ScenarioResult result;
    result.record = toggling({0.3, 500.3, 1003.3});
    result.record.symbolReached(1 * kMs, "main");
    for (const auto& x : s.expectations)
        result.results.push_back(evaluate(x, result.record, chip()));
    EXPECT_EQ(result.passed(), 1u);
    EXPECT_EQ(result.failed(), 2u);
    EXPECT_EQ(formatScenarioResult(s, result),
              "FAIL t.yaml: t\n"
              "  a.elf on STM32F407G-DISC1 for 4 s: 2.000000 s simulated, 0 cycles, SYSCLK 16 MHz, "
              "HCLK 16 MHz\n"
              "  PD13 (LD3 orange) toggles: interval 500.000..503.000 ms (2 intervals; expected "
              "500 ms ± 1 ms) FAILED\n"
              "      1 of 2 intervals outside 500 ms ± 1 ms:\n"
              "      interval #2: 500.300 -> 1003.300 ms = 503.000 ms (+3 ms from 500 ms ± 1 ms)\n"
              "      intervals (ms, * = outside): 500.000 503.000*\n"
              "  reaches main: at 1.000 ms ok\n"
              "  fault containing \"a <b> & 'c'\": no fault; the run reached its limit at 2000.000 "
              "ms FAILED\n");
    EXPECT_EQ(formatSummary({result, result}), "2 passed, 4 failed");

    const std::string xml = junitXml({&s}, {result});
    EXPECT_EQ(
        xml,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<testsuites name=\"cmsim scenarios\" tests=\"3\" failures=\"2\" errors=\"0\">\n"
        "  <testsuite name=\"t\" file=\"t.yaml\" tests=\"3\" failures=\"2\" errors=\"0\" "
        "skipped=\"0\">\n"
        "    <testcase name=\"PD13 (LD3 orange) toggles\" classname=\"t.yaml\" file=\"t.yaml\" "
        "line=\"6\">\n"
        "      <failure message=\"interval 500.000..503.000 ms (2 intervals; expected 500 ms ± 1 "
        "ms)\" "
        "type=\"expectation\">1 of 2 intervals outside 500 ms ± 1 ms:\n"
        "interval #2: 500.300 -&gt; 1003.300 ms = 503.000 ms (+3 ms from 500 ms ± 1 ms)\n"
        "intervals (ms, * = outside): 500.000 503.000*\n"
        "</failure>\n"
        "    </testcase>\n"
        "    <testcase name=\"reaches main\" classname=\"t.yaml\" file=\"t.yaml\" line=\"7\"/>\n"
        "    <testcase name=\"fault containing &quot;a &lt;b&gt; &amp; &apos;c&apos;&quot;\" "
        "classname=\"t.yaml\" file=\"t.yaml\" line=\"8\">\n"
        "      <failure message=\"no fault; the run reached its limit at 2000.000 ms\" "
        "type=\"expectation\"></failure>\n"
        "    </testcase>\n"
        "  </testsuite>\n"
        "</testsuites>\n");
}

TEST(ScenarioReport, XmlEscape) {
    EXPECT_EQ(xmlEscape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
    EXPECT_EQ(xmlEscape("line1\nline2\tx"), "line1&#10;line2&#9;x");
    EXPECT_EQ(xmlEscape("line1\nline2", false), "line1\nline2");
    EXPECT_EQ(xmlEscape(std::string("bell\x07") + "\x1b"), "bell??");
    EXPECT_EQ(xmlEscape("± µs"), "± µs");
}

TEST(ScenarioReport, DuplicateLabelsGetTheirLineInJUnit) {
    const Scenario s = scenarioWith(
        "  - toggles: {pin: PD13, count: 3}\n"
        "  - toggles: {pin: PD13, count: 4}\n");
    ScenarioResult result;
    result.record = toggling({0.3, 500.3, 1000.3});
    for (const auto& x : s.expectations)
        result.results.push_back(evaluate(x, result.record, chip()));
    const std::string xml = junitXml({&s}, {result});
    EXPECT_NE(xml.find("name=\"PD13 (LD3 orange) toggles [line 6]\""), std::string::npos) << xml;
    EXPECT_NE(xml.find("name=\"PD13 (LD3 orange) toggles [line 7]\""), std::string::npos) << xml;
}

}  // namespace
}  // namespace cmsim::scenario
