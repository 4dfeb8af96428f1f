// SysTick (ARMv7-M ARM B3.3; PM0214 §4.5) through its registers at 0xE000E010:
// CSR 0x0, RVR 0x4, CVR 0x8, CALIB 0xC, on a clock the test moves.
//
// B3.3.1: the counter decrements on each tick; on reaching 0 it reloads from RVR on the
// next tick, so a period is RVR+1 ticks. The 1 -> 0 transition sets COUNTFLAG and, with
// TICKINT, pends SysTick. With CVR = 0 at enable the first tick reloads, so the first
// 1 -> 0 transition is RVR+1 ticks after enable. CLKSOURCE=0 selects the external
// reference clock, HCLK/8 on the STM32F4 (RM0090 Figure 21).
#include <gtest/gtest.h>

#include "CoreBench.h"

namespace cmsim::test {
namespace {

constexpr std::uint32_t kCsr = 0x0, kRvr = 0x4, kCvr = 0x8, kCalib = 0xC;
constexpr std::uint32_t kEnable = 1u << 0, kTickInt = 1u << 1, kClkSource = 1u << 2,
                        kCountFlag = 1u << 16;

class SysTickTest : public ::testing::Test {
protected:
    CoreBench b;
    std::uint32_t read(std::uint32_t offset) { return b.sysTick.read(offset, 4); }
    void write(std::uint32_t offset, std::uint32_t v) { b.sysTick.write(offset, 4, v); }
    // SysTick_Config()-style start: RVR, clear CVR, then CSR.
    void start(std::uint32_t reload, std::uint32_t csr) {
        write(kRvr, reload);
        write(kCvr, 0);
        write(kCsr, csr);
    }
    // Moves time without running events: the core inside a basic block that spans a due
    // event (events run at block boundaries).
    void advanceWithinBlock(Cycles n) { b.time.advance(n); }
};

// --- reset and identification ------------------------------------------------------

TEST_F(SysTickTest, ResetsDisabled) {
    EXPECT_EQ(read(kCsr), 0u);
    EXPECT_EQ(read(kCvr), 0u);
    EXPECT_FALSE(b.sysTick.isRunning());
    b.advance(100'000);
    EXPECT_TRUE(b.sysTickPends.empty());
}

TEST_F(SysTickTest, CalibReportsTenMs21000ForTheF407) {
    // RM0090 §10.1.2: TENMS = 21000, 1 ms at HCLK_max/8 = 21 MHz. NOREF (bit 31) = 0: the
    // reference clock HCLK/8 exists.
    const std::uint32_t calib = read(kCalib);
    EXPECT_EQ(calib & 0x00FFFFFF, 21000u);
    EXPECT_EQ(calib & 0x00FFFFFF, 0x5208u);
    EXPECT_EQ(calib >> 31, 0u);
}

TEST_F(SysTickTest, CalibIsReadOnly) {
    write(kCalib, 0);
    EXPECT_EQ(read(kCalib) & 0x00FFFFFF, 21000u);
    EXPECT_EQ(b.mistakes("read-only register CALIB"), 1u);
}

TEST_F(SysTickTest, RvrHoldsTwentyFourBits) {
    write(kRvr, 0xFFFFFFFF);
    EXPECT_EQ(read(kRvr), 0x00FFFFFFu);
}

TEST_F(SysTickTest, CsrKeepsOnlyEnableTickIntClkSource) {
    write(kRvr, 999);
    write(kCsr, 0xFFFEFFF8 | kEnable);  // every reserved bit, COUNTFLAG excluded
    EXPECT_EQ(read(kCsr), kEnable);
}

// --- counting ----------------------------------------------------------------------

TEST_F(SysTickTest, PendsEvery1000CyclesWithReload999) {
    b.advance(123);  // enable at an arbitrary cycle
    start(999, kEnable | kTickInt | kClkSource);
    b.advance(5000);
    EXPECT_EQ(b.sysTickPends, (std::vector<Cycles>{1123, 2123, 3123, 4123, 5123}));
    EXPECT_TRUE(b.nvic.isPending(exc::kSysTick));
    EXPECT_EQ(b.sysTick.wraps(), 5u);
}

TEST_F(SysTickTest, FirstTickReloadsThenCountsDown) {
    start(999, kEnable | kClkSource);
    EXPECT_EQ(read(kCvr), 0u);  // no tick yet
    b.advance(1);
    EXPECT_EQ(read(kCvr), 999u);  // the first tick loads RVR
    b.advance(9);
    EXPECT_EQ(read(kCvr), 990u);  // enable + 10 cycles: RVR - 9
    b.advance(989);
    EXPECT_EQ(read(kCvr), 1u);
    b.advance(1);
    EXPECT_EQ(read(kCvr), 0u);  // enable + 1000: the 1 -> 0 transition
    b.advance(1);
    EXPECT_EQ(read(kCvr), 999u);  // reload
}

TEST_F(SysTickTest, CountFlagSetByAWrapAndClearedByReadingCsr) {
    start(999, kEnable | kClkSource);
    b.advance(999);
    EXPECT_EQ(read(kCsr), kEnable | kClkSource);
    b.advance(1);
    EXPECT_EQ(read(kCsr), kCountFlag | kEnable | kClkSource);
    EXPECT_EQ(read(kCsr), kEnable | kClkSource);  // the read cleared it
}

TEST_F(SysTickTest, CountFlagStaysSetUntilRead) {
    start(999, kEnable | kClkSource);
    b.advance(3500);  // three wraps, no read in between
    EXPECT_EQ(read(kCsr) & kCountFlag, kCountFlag);
    EXPECT_EQ(read(kCsr) & kCountFlag, 0u);
}

TEST_F(SysTickTest, TickIntClearSetsCountFlagWithoutPending) {
    start(999, kEnable | kClkSource);
    b.advance(1000);
    EXPECT_TRUE(b.sysTickPends.empty());
    EXPECT_FALSE(b.nvic.isPending(exc::kSysTick));
    EXPECT_EQ(read(kCsr) & kCountFlag, kCountFlag);
}

TEST_F(SysTickTest, CountFlagSeenByACsrReadBeforeTheWrapEventRuns) {
    // The firmware polls COUNTFLAG in the block in which the counter reaches 0.
    start(999, kEnable | kClkSource);
    advanceWithinBlock(1005);
    EXPECT_EQ(read(kCsr) & kCountFlag, kCountFlag);
    b.events.runDue(b.time.now());  // the block boundary
    EXPECT_EQ(read(kCsr) & kCountFlag, 0u);  // already consumed by the read
}

TEST_F(SysTickTest, ClkSourceZeroCountsHclkDividedBy8) {
    start(999, kEnable | kTickInt);  // CLKSOURCE = 0: external reference, HCLK/8
    b.advance(7);
    EXPECT_EQ(read(kCvr), 0u);
    b.advance(1);
    EXPECT_EQ(read(kCvr), 999u);  // first tick after 8 cycles
    b.advance(80);
    EXPECT_EQ(read(kCvr), 989u);
    b.advance(16'000 - 88);
    EXPECT_EQ(b.sysTickPends, (std::vector<Cycles>{8000, 16000}));
}

TEST_F(SysTickTest, Reload0NeverCountsTo0) {
    // B3.3.1: the transition is from 1 to 0; with RVR = 0 there is none.
    start(0, kEnable | kTickInt | kClkSource);
    b.advance(10'000);
    EXPECT_TRUE(b.sysTickPends.empty());
    EXPECT_EQ(read(kCvr), 0u);
    EXPECT_EQ(read(kCsr) & kCountFlag, 0u);
}

TEST_F(SysTickTest, Reload1PendsEveryTwoCycles) {
    start(1, kEnable | kTickInt | kClkSource);
    b.advance(8);
    EXPECT_EQ(b.sysTickPends, (std::vector<Cycles>{2, 4, 6, 8}));
}

TEST_F(SysTickTest, Period1msAt168MHzIs168000Cycles) {
    // HAL_InitTick at 168 MHz: SysTick_Config(SystemCoreClock / 1000) -> RVR = 167999.
    b.time.setCpuHz(168'000'000);
    start(168'000 - 1, kEnable | kTickInt | kClkSource);
    b.advance(3 * 168'000);
    ASSERT_EQ(b.sysTickPends.size(), 3u);
    EXPECT_EQ(b.time.toPicoseconds(b.sysTickPends[0]), 1'000'000'000u);  // 1 ms
    EXPECT_EQ(b.time.toPicoseconds(b.sysTickPends[2]), 3'000'000'000u);
}

// --- writes while running ----------------------------------------------------------

TEST_F(SysTickTest, WritingCvrClearsItAndCountFlagAndRestartsFromReload) {
    start(999, kEnable | kTickInt | kClkSource);
    b.advance(1500);  // 0 at 1000, reloaded to 999 at 1001: 500 at 1500
    EXPECT_EQ(read(kCvr), 500u);
    write(kCvr, 0x1234);  // any value clears (B3.3.5)
    EXPECT_EQ(read(kCvr), 0u);
    EXPECT_EQ(read(kCsr) & kCountFlag, 0u);
    b.advance(1);
    EXPECT_EQ(read(kCvr), 999u);
    b.advance(1999);
    EXPECT_EQ(b.sysTickPends, (std::vector<Cycles>{1000, 2500, 3500}));
}

TEST_F(SysTickTest, WritingCvrWhileDisabledClearsIt) {
    start(999, kEnable | kClkSource);
    b.advance(100);
    write(kCsr, kClkSource);  // disable at 900
    write(kCvr, 5);
    EXPECT_EQ(read(kCvr), 0u);
}

TEST_F(SysTickTest, DisablingKeepsTheCurrentValue) {
    start(999, kEnable | kTickInt | kClkSource);
    b.advance(250);
    EXPECT_EQ(read(kCvr), 750u);
    write(kCsr, kTickInt | kClkSource);
    EXPECT_FALSE(b.sysTick.isRunning());
    b.advance(10'000);
    EXPECT_EQ(read(kCvr), 750u);
    EXPECT_TRUE(b.sysTickPends.empty());
}

TEST_F(SysTickTest, ReenablingCountsOnFromTheKeptValue) {
    start(999, kEnable | kTickInt | kClkSource);
    b.advance(250);
    write(kCsr, kTickInt | kClkSource);  // stopped at 750
    b.advance(10'000);                   // now at 10250
    write(kCsr, kEnable | kTickInt | kClkSource);
    b.advance(1);
    EXPECT_EQ(read(kCvr), 749u);
    b.advance(2000);
    EXPECT_EQ(b.sysTickPends, (std::vector<Cycles>{11'000, 12'000}));
}

TEST_F(SysTickTest, NewReloadValueTakesEffectAtTheNextReload) {
    start(999, kEnable | kTickInt | kClkSource);
    b.advance(500);
    write(kRvr, 499);
    EXPECT_EQ(read(kCvr), 500u);  // an RVR write does not touch the counter
    b.advance(1500);
    EXPECT_EQ(b.sysTickPends, (std::vector<Cycles>{1000, 1500, 2000}));
}

TEST_F(SysTickTest, ReloadWrittenWhileDisabledIsUsedOnEnable) {
    write(kRvr, 99);
    write(kCvr, 0);
    write(kCsr, kEnable | kTickInt | kClkSource);
    b.advance(300);
    EXPECT_EQ(b.sysTickPends, (std::vector<Cycles>{100, 200, 300}));
}

TEST_F(SysTickTest, SwitchingClkSourceWhileRunningChangesTheTickRate) {
    start(999, kEnable | kTickInt | kClkSource);
    b.advance(500);  // counter at 500
    write(kCsr, kEnable | kTickInt);  // to HCLK/8: 500 more ticks of 8 cycles
    b.advance(12'000);
    ASSERT_EQ(b.sysTickPends.size(), 2u);
    // The phase of HCLK/8 against the switch is not architecturally defined: within a tick.
    EXPECT_GE(b.sysTickPends[0], 500u + 500 * 8 - 7);
    EXPECT_LE(b.sysTickPends[0], 500u + 500 * 8);
    EXPECT_EQ(b.sysTickPends[1] - b.sysTickPends[0], 8000u);
}

TEST_F(SysTickTest, ClearingTickIntStopsPendingButNotCounting) {
    start(999, kEnable | kTickInt | kClkSource);
    b.advance(1500);
    write(kCsr, kEnable | kClkSource);
    b.advance(1000);
    EXPECT_EQ(b.sysTickPends, (std::vector<Cycles>{1000}));
    EXPECT_EQ(read(kCsr) & kCountFlag, kCountFlag);  // the wrap at 2000 happened
}

// --- a wrap that is due but not yet processed when firmware writes a register ---------

TEST_F(SysTickTest, RvrWriteAfterAnUnprocessedWrapKeepsThatWrap) {
    // The counter reached 0 at cycle 1000 inside a block that ends at 1200; the RVR
    // write in that block comes after the transition, which must still pend SysTick
    // and set COUNTFLAG (B3.3.1).
    start(999, kEnable | kTickInt | kClkSource);
    advanceWithinBlock(1200);
    write(kRvr, 499);
    EXPECT_TRUE(b.nvic.isPending(exc::kSysTick));
    EXPECT_EQ(b.sysTick.wraps(), 1u);
    EXPECT_EQ(read(kCsr) & kCountFlag, kCountFlag);
    // The counter was at 999 - 199 = 800 at the write; RVR 499 applies from the next
    // reload: 0 at 2000, then every 500 cycles.
    EXPECT_EQ(read(kCvr), 800u);
    b.advance(1300);
    ASSERT_EQ(b.sysTickPends.size(), 3u);
    EXPECT_EQ(b.sysTickPends[1], 2000u);
    EXPECT_EQ(b.sysTickPends[2], 2500u);
}

TEST_F(SysTickTest, CvrWriteAfterAnUnprocessedWrapStillPendsSysTick) {
    start(999, kEnable | kTickInt | kClkSource);
    advanceWithinBlock(1010);
    write(kCvr, 0);
    EXPECT_TRUE(b.nvic.isPending(exc::kSysTick));  // the wrap at 1000 happened
    EXPECT_EQ(read(kCsr) & kCountFlag, 0u);        // the CVR write cleared COUNTFLAG
}

TEST_F(SysTickTest, DisableAfterAnUnprocessedWrapStillPendsSysTick) {
    start(999, kEnable | kTickInt | kClkSource);
    advanceWithinBlock(1010);
    write(kCsr, kClkSource);
    EXPECT_TRUE(b.nvic.isPending(exc::kSysTick));
    EXPECT_EQ(read(kCvr), 990u);  // reloaded to 999 at 1001, stopped at 1010
}

TEST_F(SysTickTest, CoarseBlockBoundariesLoseNoWraps) {
    // Events processed only every 333 cycles: the pends come late but none is lost and
    // the period does not drift.
    start(999, kEnable | kTickInt | kClkSource);
    for (int i = 0; i < 31; ++i) {
        b.time.advance(333);
        b.events.runDue(b.time.now());
    }
    // 10323 cycles: wraps at 1000 .. 10000.
    EXPECT_EQ(b.sysTick.wraps(), 10u);
    EXPECT_EQ(b.sysTickPends.size(), 10u);
    EXPECT_EQ(b.events.nextDue(), 11'000u);
}

TEST_F(SysTickTest, ResetStopsTheCounter) {
    start(999, kEnable | kTickInt | kClkSource);
    b.advance(500);
    b.sysTick.reset();
    EXPECT_EQ(read(kCsr), 0u);
    EXPECT_EQ(read(kCvr), 0u);
    b.advance(5000);
    EXPECT_TRUE(b.sysTickPends.empty());
}

}  // namespace
}  // namespace cmsim::test
