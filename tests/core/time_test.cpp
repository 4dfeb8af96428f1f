// Simulated time: TimeBase (cycles <-> picoseconds across clock switches, exact integers)
// and EventQueue (cycle-keyed device events, deterministic order, drift-free re-arming).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "EventQueue.h"
#include "TimeBase.h"

namespace cmsim {
namespace {

constexpr std::uint64_t kHsi = 16'000'000;     // STM32F4 reset clock (RM0090 §6.2.2)
constexpr std::uint64_t kF407Max = 168'000'000;
constexpr Picoseconds kSecond = 1'000'000'000'000ULL;

// --- TimeBase ----------------------------------------------------------------------

TEST(TimeBase, OneCycleAt16MHzIs62500Picoseconds) {
    TimeBase t(kHsi);
    EXPECT_EQ(t.toPicoseconds(1), 62'500u);
    EXPECT_EQ(t.toPicoseconds(0), 0u);
}

TEST(TimeBase, SixteenMillionCyclesAt16MHzIsExactlyOneSecond) {
    TimeBase t(kHsi);
    t.advance(16'000'000);
    EXPECT_EQ(t.now(), 16'000'000u);
    EXPECT_EQ(t.nowPicoseconds(), kSecond);
}

TEST(TimeBase, ClockSwitchAnchorsTimeAtTheSwitch) {
    TimeBase t(kHsi);
    t.advance(16'000'000);  // 1 s at 16 MHz
    t.setCpuHz(kF407Max);
    EXPECT_EQ(t.cpuHz(), kF407Max);
    EXPECT_EQ(t.nowPicoseconds(), kSecond);  // the switch itself takes no time
    t.advance(168);                          // 168 cycles at 168 MHz = 1 us
    EXPECT_EQ(t.nowPicoseconds(), kSecond + 1'000'000);
    t.advance(168'000'000 - 168);            // one more second in total
    EXPECT_EQ(t.nowPicoseconds(), 2 * kSecond);
}

TEST(TimeBase, PicosecondsAt168MHzAreTruncatedNotAccumulated) {
    // 1 cycle = 5952.38.. ps. Each conversion is from the anchor, so rounding never adds up:
    // 21 cycles = 125 ns exactly, 167 cycles = floor(994047.6) ps.
    TimeBase t(kF407Max);
    EXPECT_EQ(t.toPicoseconds(1), 5'952u);
    EXPECT_EQ(t.toPicoseconds(21), 125'000u);
    EXPECT_EQ(t.toPicoseconds(167), 994'047u);
    EXPECT_EQ(t.toPicoseconds(168), 1'000'000u);
}

TEST(TimeBase, SwitchingBackAndForthStaysExact) {
    TimeBase t(kHsi);
    t.advance(16);  // 1 us
    t.setCpuHz(kF407Max);
    t.advance(168);  // 1 us
    t.setCpuHz(kHsi);
    t.advance(16);  // 1 us
    EXPECT_EQ(t.nowPicoseconds(), 3'000'000u);
    EXPECT_EQ(t.now(), 200u);
}

TEST(TimeBase, CyclesAtRoundsUpToTheFirstCycleAtOrAfterTheTime) {
    TimeBase t(kF407Max);
    EXPECT_EQ(t.cyclesAt(0), 0u);
    EXPECT_EQ(t.cyclesAt(1), 1u);              // 1 ps needs a whole cycle
    EXPECT_EQ(t.cyclesAt(5'952), 1u);          // < 5952.38 ps: still the first cycle
    EXPECT_EQ(t.cyclesAt(5'953), 2u);
    EXPECT_EQ(t.cyclesAt(1'000'000), 168u);    // exactly 1 us
    EXPECT_EQ(t.cyclesAt(1'000'001), 169u);
    EXPECT_EQ(t.cyclesAt(kSecond), 168'000'000u);
}

TEST(TimeBase, CyclesAtCountsFromTheLastClockSwitch) {
    TimeBase t(kHsi);
    t.advance(16'000'000);
    t.setCpuHz(kF407Max);
    EXPECT_EQ(t.cyclesAt(kSecond + 1'000'000), 16'000'000u + 168u);
    EXPECT_EQ(t.cyclesAt(kSecond + 1), 16'000'001u);
    // Times before the switch map to the switch: the past is not re-timed.
    EXPECT_EQ(t.cyclesAt(kSecond / 2), 16'000'000u);
}

TEST(TimeBase, CyclesAtInvertsToPicoseconds) {
    TimeBase t(kF407Max);
    for (Cycles c : {Cycles{1}, Cycles{7}, Cycles{167}, Cycles{1000}, Cycles{123'456'789}}) {
        EXPECT_EQ(t.cyclesAt(t.toPicoseconds(c)), c) << c;
    }
}

TEST(TimeBase, ListenersHearRealChangesOnly) {
    TimeBase t(kHsi);
    std::vector<std::uint64_t> heard;
    t.onClockChange([&](std::uint64_t hz) { heard.push_back(hz); });
    t.setCpuHz(kHsi);  // unchanged
    t.setCpuHz(0);     // not a clock
    EXPECT_TRUE(heard.empty());
    EXPECT_EQ(t.cpuHz(), kHsi);
    t.setCpuHz(kF407Max);
    t.setCpuHz(kF407Max);
    EXPECT_EQ(heard, (std::vector<std::uint64_t>{kF407Max}));
}

TEST(TimeBase, UnchangedClockDoesNotMoveTheAnchor) {
    // setCpuHz with the same frequency must not re-anchor (which would be harmless for
    // exact clocks but would truncate at 168 MHz).
    TimeBase t(kF407Max);
    t.advance(1);
    t.setCpuHz(kF407Max);
    t.advance(167);
    EXPECT_EQ(t.nowPicoseconds(), 1'000'000u);
}

TEST(TimeBase, AdvanceToNeverGoesBack) {
    TimeBase t(kHsi);
    t.advance(100);
    t.advanceTo(50);
    EXPECT_EQ(t.now(), 100u);
    t.advanceTo(150);
    EXPECT_EQ(t.now(), 150u);
}

TEST(TimeBase, ResetRestartsTheClockNotSimulatedTime) {
    TimeBase t(kHsi);
    t.setCpuHz(kF407Max);
    t.advance(168'000'000);  // 1 s
    t.reset(kHsi);
    EXPECT_EQ(t.cpuHz(), kHsi);
    EXPECT_EQ(t.nowPicoseconds(), kSecond);
    t.advance(16);
    EXPECT_EQ(t.nowPicoseconds(), kSecond + 1'000'000);
}

// --- EventQueue --------------------------------------------------------------------

struct Recorder {
    std::vector<std::string> ran;
    std::vector<Cycles> late;
};

TEST(EventQueue, EmptyQueueHasNoNextDue) {
    EventQueue q;
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.nextDue(), EventQueue::kNever);
    EXPECT_EQ(q.runDue(1'000'000), 0u);
}

TEST(EventQueue, RunsEventsInOrderOfDueCycle) {
    EventQueue q;
    Recorder r;
    TimedEvent a("a", [&](Cycles) { r.ran.push_back("a"); });
    TimedEvent b("b", [&](Cycles) { r.ran.push_back("b"); });
    TimedEvent c("c", [&](Cycles) { r.ran.push_back("c"); });
    q.schedule(b, 200);
    q.schedule(c, 300);
    q.schedule(a, 100);
    EXPECT_EQ(q.nextDue(), 100u);
    EXPECT_EQ(q.runDue(250), 2u);
    EXPECT_EQ(r.ran, (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE(c.isScheduled());
    EXPECT_FALSE(a.isScheduled());
    EXPECT_EQ(q.nextDue(), 300u);
}

TEST(EventQueue, EventsDueAtTheSameCycleRunInSchedulingOrder) {
    EventQueue q;
    Recorder r;
    TimedEvent a("a", [&](Cycles) { r.ran.push_back("a"); });
    TimedEvent b("b", [&](Cycles) { r.ran.push_back("b"); });
    TimedEvent c("c", [&](Cycles) { r.ran.push_back("c"); });
    q.schedule(c, 100);
    q.schedule(a, 100);
    q.schedule(b, 100);
    q.runDue(100);
    EXPECT_EQ(r.ran, (std::vector<std::string>{"c", "a", "b"}));
}

TEST(EventQueue, EventDueExactlyNowRunsAndOneCycleLaterDoesNot) {
    EventQueue q;
    int runs = 0;
    TimedEvent a("a", [&](Cycles) { ++runs; });
    q.schedule(a, 100);
    EXPECT_EQ(q.runDue(99), 0u);
    EXPECT_EQ(runs, 0);
    EXPECT_EQ(q.runDue(100), 1u);
    EXPECT_EQ(runs, 1);
}

TEST(EventQueue, RescheduleMovesTheEventInsteadOfAddingIt) {
    EventQueue q;
    Recorder r;
    TimedEvent a("a", [&](Cycles) { r.ran.push_back("a"); });
    TimedEvent b("b", [&](Cycles) { r.ran.push_back("b"); });
    q.schedule(a, 100);
    q.schedule(b, 200);
    q.schedule(a, 300);
    EXPECT_EQ(q.nextDue(), 200u);
    EXPECT_EQ(a.due(), 300u);
    EXPECT_EQ(q.runDue(1000), 2u);
    EXPECT_EQ(r.ran, (std::vector<std::string>{"b", "a"}));
}

TEST(EventQueue, ReschedulingToTheSameCycleGoesBehindTheOthersDueThen) {
    EventQueue q;
    Recorder r;
    TimedEvent a("a", [&](Cycles) { r.ran.push_back("a"); });
    TimedEvent b("b", [&](Cycles) { r.ran.push_back("b"); });
    q.schedule(a, 100);
    q.schedule(b, 100);
    q.schedule(a, 100);
    q.runDue(100);
    EXPECT_EQ(r.ran, (std::vector<std::string>{"b", "a"}));
}

TEST(EventQueue, DescheduledEventDoesNotRun) {
    EventQueue q;
    int runs = 0;
    TimedEvent a("a", [&](Cycles) { ++runs; });
    q.schedule(a, 100);
    q.deschedule(a);
    EXPECT_FALSE(a.isScheduled());
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.nextDue(), EventQueue::kNever);
    EXPECT_EQ(q.runDue(1000), 0u);
    EXPECT_EQ(runs, 0);
    q.deschedule(a);  // not scheduled: no effect
    EXPECT_TRUE(q.empty());
}

TEST(EventQueue, CallbackIsToldHowLateItRuns) {
    EventQueue q;
    Recorder r;
    TimedEvent a("a", [&](Cycles late) { r.late.push_back(late); });
    TimedEvent b("b", [&](Cycles late) { r.late.push_back(late); });
    q.schedule(a, 100);
    q.schedule(b, 125);
    q.runDue(130);
    EXPECT_EQ(r.late, (std::vector<Cycles>{30, 5}));
}

// A periodic device as the header prescribes: re-arm from the previous deadline.
struct PeriodicDevice {
    PeriodicDevice(EventQueue& queue, Cycles p) : q(queue), period(p) {}
    EventQueue& q;
    Cycles period;
    std::vector<Cycles> dues, late;
    TimedEvent ev{"tick", [this](Cycles l) {
                      dues.push_back(ev.due());
                      late.push_back(l);
                      q.schedule(ev, ev.due() + period);
                  }};
};

TEST(EventQueue, PeriodicRearmFromTheDeadlineDoesNotDrift) {
    // Callbacks run at irregular block boundaries, up to 2200 cycles late, yet the 1000-
    // cycle period keeps its phase: deadlines stay at multiples of 1000.
    EventQueue q;
    PeriodicDevice dev(q, 1000);
    q.schedule(dev.ev, 1000);
    q.runDue(1003);
    q.runDue(2500);
    EXPECT_EQ(q.runDue(5200), 3u);  // three overdue periods caught up in one call
    q.runDue(6000);
    EXPECT_EQ(dev.dues, (std::vector<Cycles>{1000, 2000, 3000, 4000, 5000, 6000}));
    EXPECT_EQ(dev.late, (std::vector<Cycles>{3, 500, 2200, 1200, 200, 0}));
    EXPECT_EQ(q.nextDue(), 7000u);
}

TEST(EventQueue, EventScheduledByACallbackForNowRunsInTheSameCall) {
    EventQueue q;
    std::vector<std::string> ran;
    TimedEvent follow("follow", [&](Cycles late) { ran.push_back("follow+" + std::to_string(late)); });
    TimedEvent first("first", [&](Cycles) {
        ran.push_back("first");
        q.schedule(follow, 150);
    });
    q.schedule(first, 100);
    EXPECT_EQ(q.runDue(200), 2u);
    EXPECT_EQ(ran, (std::vector<std::string>{"first", "follow+50"}));
}

TEST(EventQueue, EventScheduledByACallbackForLaterWaits) {
    EventQueue q;
    int followRuns = 0;
    TimedEvent follow("follow", [&](Cycles) { ++followRuns; });
    TimedEvent first("first", [&](Cycles) { q.schedule(follow, 300); });
    q.schedule(first, 100);
    EXPECT_EQ(q.runDue(200), 1u);
    EXPECT_EQ(followRuns, 0);
    EXPECT_EQ(q.nextDue(), 300u);
}

TEST(EventQueue, HeadChangedTellsTheCoreEveryNewNextDue) {
    // The core caches nextDue(); it must hear of every change to it.
    EventQueue q;
    std::vector<Cycles> seen;
    q.onHeadChanged([&] { seen.push_back(q.nextDue()); });
    TimedEvent a("a", [](Cycles) {});
    TimedEvent b("b", [](Cycles) {});
    q.schedule(a, 100);
    q.schedule(b, 50);
    q.deschedule(b);
    EXPECT_EQ(seen, (std::vector<Cycles>{100, 50, 100}));
    q.runDue(99);  // nothing ran: head unchanged
    EXPECT_EQ(seen.size(), 3u);
    q.runDue(100);
    EXPECT_EQ(seen.back(), EventQueue::kNever);
    EXPECT_EQ(seen.size(), 4u);
}

TEST(EventQueue, ClearUnschedulesEverything) {
    EventQueue q;
    int heads = 0;
    q.onHeadChanged([&] { ++heads; });
    TimedEvent a("a", [](Cycles) {});
    TimedEvent b("b", [](Cycles) {});
    q.schedule(a, 100);
    q.schedule(b, 200);
    q.clear();
    EXPECT_EQ(heads, 3);
    EXPECT_TRUE(q.empty());
    EXPECT_FALSE(a.isScheduled());
    EXPECT_FALSE(b.isScheduled());
    EXPECT_EQ(q.runDue(1000), 0u);
}

}  // namespace
}  // namespace cmsim
