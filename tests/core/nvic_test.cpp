// The exception-priority rules of ARMv7-M (DDI 0403E B1.5.4 "Exception priorities and
// preemption", B1.5.19 WFI) as Nvic implements them, on the STM32F407 configuration:
// 4 implemented priority bits (PM0214 §4.3.7, so priorities are 0x00, 0x10, .. 0xF0) and
// 82 IRQs.
#include <gtest/gtest.h>

#include "Nvic.h"
#include "boards/Boards.h"

namespace cmsim {
namespace {

constexpr unsigned irq(unsigned n) { return exc::kFirstIrq + n; }

class NvicTest : public ::testing::Test {
protected:
    Nvic nvic{stm32f407Chip().core.numIrqs, stm32f407Chip().core.priorityBits};
    PriorityMasks none;

    // An enabled IRQ with the given priority byte, pending.
    void pendIrq(unsigned n, std::uint8_t prio) {
        nvic.setEnabled(irq(n), true);
        nvic.setPriorityByte(irq(n), prio);
        nvic.setPending(irq(n));
    }
    // An IRQ with the given priority, active (its handler is running).
    void activeIrq(unsigned n, std::uint8_t prio) {
        nvic.setEnabled(irq(n), true);
        nvic.setPriorityByte(irq(n), prio);
        nvic.setActive(irq(n), true);
    }
    static PriorityMasks basepri(std::uint8_t v) {
        PriorityMasks m;
        m.basepri = v;
        return m;
    }
};

// --- priority registers ------------------------------------------------------------

TEST_F(NvicTest, F407ConfigurationHas82IrqsAndFourPriorityBits) {
    EXPECT_EQ(nvic.numIrqs(), 82u);
    EXPECT_EQ(nvic.numExceptions(), 98u);
    EXPECT_EQ(nvic.priorityBits(), 4u);
}

TEST_F(NvicTest, PriorityByteKeepsOnlyTheFourImplementedHighBits) {
    // B1.5.4: unimplemented low-order bits of a priority field read as zero.
    nvic.setPriorityByte(irq(38), 0xFF);
    EXPECT_EQ(nvic.priorityByte(irq(38)), 0xF0);
    nvic.setPriorityByte(irq(38), 0x1F);
    EXPECT_EQ(nvic.priorityByte(irq(38)), 0x10);
    nvic.setPriorityByte(irq(38), 0x0F);
    EXPECT_EQ(nvic.priorityByte(irq(38)), 0x00);
    nvic.setPriorityByte(exc::kSysTick, 0xA5);
    EXPECT_EQ(nvic.priority(exc::kSysTick), 0xA0);
}

TEST_F(NvicTest, ConfigurablePrioritiesResetToZero) {
    // B1.5.4: configurable priorities reset to 0, the highest configurable priority.
    for (unsigned e : {exc::kMemManage, exc::kBusFault, exc::kUsageFault, exc::kSvCall,
                       exc::kPendSv, exc::kSysTick, irq(0), irq(81)}) {
        EXPECT_EQ(nvic.priority(e), 0) << Nvic::exceptionName(e);
    }
}

TEST_F(NvicTest, ResetNmiHardFaultHaveFixedPrioritiesMinus3Minus2Minus1) {
    EXPECT_EQ(nvic.priority(exc::kReset), -3);
    EXPECT_EQ(nvic.priority(exc::kNmi), -2);
    EXPECT_EQ(nvic.priority(exc::kHardFault), -1);
}

TEST_F(NvicTest, FixedPrioritiesCannotBeChanged) {
    nvic.setPriorityByte(exc::kReset, 0x80);
    nvic.setPriorityByte(exc::kNmi, 0x80);
    nvic.setPriorityByte(exc::kHardFault, 0x80);
    EXPECT_EQ(nvic.priority(exc::kReset), -3);
    EXPECT_EQ(nvic.priority(exc::kNmi), -2);
    EXPECT_EQ(nvic.priority(exc::kHardFault), -1);
    EXPECT_EQ(nvic.priorityByte(exc::kNmi), 0x00);
    EXPECT_EQ(nvic.priorityByte(exc::kHardFault), 0x00);
}

// --- PRIGROUP ----------------------------------------------------------------------

TEST_F(NvicTest, PriGroupFiveMakesBits7To6TheGroupPriority) {
    // Table B1-7: PRIGROUP=5 -> group priority bits [7:6], subpriority [5:0].
    nvic.setPriGroup(5);
    EXPECT_EQ(nvic.groupPriority(0x40), 0x40);
    EXPECT_EQ(nvic.groupPriority(0x50), 0x40);
    EXPECT_EQ(nvic.groupPriority(0x70), 0x40);
    EXPECT_EQ(nvic.groupPriority(0x80), 0x80);
    EXPECT_EQ(nvic.groupPriority(0xF0), 0xC0);
}

TEST_F(NvicTest, PriGroupThreeOrLessLeavesAllFourImplementedBitsAsGroup) {
    // Table B1-7: PRIGROUP=3 -> group [7:4]; with bits [3:0] unimplemented there is no
    // subpriority at all, and PRIGROUP 0..2 behave the same.
    for (unsigned g : {0u, 1u, 2u, 3u}) {
        nvic.setPriGroup(g);
        EXPECT_EQ(nvic.groupPriority(0x50), 0x50) << "PRIGROUP " << g;
        EXPECT_EQ(nvic.groupPriority(0xF0), 0xF0) << "PRIGROUP " << g;
    }
}

TEST_F(NvicTest, PriGroupSevenLeavesNoGroupBits) {
    // Table B1-7: PRIGROUP=7 -> no group priority bits, subpriority [7:0].
    nvic.setPriGroup(7);
    EXPECT_EQ(nvic.groupPriority(0xF0), 0x00);
    EXPECT_EQ(nvic.groupPriority(0x10), 0x00);
}

TEST_F(NvicTest, PriGroupKeepsOnlyThreeBits) {
    nvic.setPriGroup(0xD);
    EXPECT_EQ(nvic.priGroup(), 5u);
}

TEST_F(NvicTest, GroupPriorityLeavesNegativePrioritiesAlone) {
    nvic.setPriGroup(7);
    EXPECT_EQ(nvic.groupPriority(-1), -1);
    EXPECT_EQ(nvic.groupPriority(-2), -2);
}

// --- execution priority ------------------------------------------------------------

TEST_F(NvicTest, ThreadModeWithNothingActiveRunsBelowEveryConfigurablePriority) {
    // B1.5.4: with no active exception and no boost the execution priority is the
    // highest configurable priority value + 1 (256 for 8-bit priority fields).
    EXPECT_EQ(nvic.executionPriority(none), 256);
    EXPECT_EQ(nvic.activeGroupPriority(), 256);
}

TEST_F(NvicTest, ExecutionPriorityIsTheHighestActiveGroupPriority) {
    activeIrq(3, 0x60);
    EXPECT_EQ(nvic.executionPriority(none), 0x60);
    activeIrq(7, 0x20);  // nested, preempted IRQ 3
    EXPECT_EQ(nvic.executionPriority(none), 0x20);
    nvic.setActive(irq(7), false);
    EXPECT_EQ(nvic.executionPriority(none), 0x60);
}

TEST_F(NvicTest, ExecutionPriorityUsesTheGroupPartOfAnActivePriority) {
    nvic.setPriGroup(5);
    activeIrq(3, 0x70);
    EXPECT_EQ(nvic.executionPriority(none), 0x40);
}

TEST_F(NvicTest, ActiveNmiAndHardFaultRunAtMinus2AndMinus1) {
    nvic.setActive(exc::kHardFault, true);
    EXPECT_EQ(nvic.executionPriority(none), -1);
    nvic.setActive(exc::kNmi, true);
    EXPECT_EQ(nvic.executionPriority(none), -2);
}

TEST_F(NvicTest, PrimaskBoostsToZero) {
    PriorityMasks m;
    m.primask = true;
    EXPECT_EQ(nvic.executionPriority(m), 0);
    nvic.setActive(exc::kHardFault, true);  // already higher than the boost
    EXPECT_EQ(nvic.executionPriority(m), -1);
}

TEST_F(NvicTest, FaultmaskBoostsToMinus1) {
    PriorityMasks m;
    m.faultmask = true;
    EXPECT_EQ(nvic.executionPriority(m), -1);
    m.primask = true;
    EXPECT_EQ(nvic.executionPriority(m), -1);
}

TEST_F(NvicTest, BasepriBoostsToItsValue) {
    EXPECT_EQ(nvic.executionPriority(basepri(0x80)), 0x80);
    // BASEPRI only raises priority: an active exception above it still wins.
    activeIrq(0, 0x20);
    EXPECT_EQ(nvic.executionPriority(basepri(0x80)), 0x20);
}

TEST_F(NvicTest, BasepriZeroMasksNothing) {
    // B1.4.3: BASEPRI = 0 disables masking by BASEPRI.
    EXPECT_EQ(nvic.executionPriority(basepri(0x00)), 256);
}

TEST_F(NvicTest, BasepriKeepsOnlyTheImplementedBits) {
    // B1.4.3: BASEPRI implements the same bits as a priority field. 0x8F reads as 0x80.
    EXPECT_EQ(nvic.executionPriority(basepri(0x8F)), 0x80);
}

TEST_F(NvicTest, BasepriWithOnlyUnimplementedBitsSetMasksNothing) {
    // BASEPRI = 0x0F on a 4-bit implementation is BASEPRI = 0: no masking at all (not a
    // boost to priority 0, which would mask every configurable exception).
    EXPECT_EQ(nvic.executionPriority(basepri(0x0F)), 256);
    pendIrq(5, 0x00);
    EXPECT_EQ(nvic.exceptionToTake(basepri(0x0F)), irq(5));
}

TEST_F(NvicTest, BasepriIsReducedToItsGroupPriority) {
    // B1.5.4 ExecutionPriority(): the subpriority bits of BASEPRI are ignored.
    nvic.setPriGroup(5);
    EXPECT_EQ(nvic.executionPriority(basepri(0x50)), 0x40);
}

// --- choosing the exception to take ------------------------------------------------

TEST_F(NvicTest, PendingEnabledIrqIsTakenFromThreadMode) {
    pendIrq(38, 0xF0);  // even the lowest priority preempts Thread mode
    EXPECT_EQ(nvic.exceptionToTake(none), irq(38));
}

TEST_F(NvicTest, StrictlyHigherGroupPriorityPreempts) {
    activeIrq(1, 0x40);
    pendIrq(2, 0x30);
    EXPECT_EQ(nvic.exceptionToTake(none), irq(2));
}

TEST_F(NvicTest, EqualGroupPriorityDoesNotPreempt) {
    activeIrq(1, 0x40);
    pendIrq(2, 0x40);
    EXPECT_EQ(nvic.exceptionToTake(none), std::nullopt);
    EXPECT_EQ(nvic.highestPending(), irq(2));  // still pending, waits for the return
}

TEST_F(NvicTest, LowerPriorityDoesNotPreempt) {
    activeIrq(1, 0x40);
    pendIrq(2, 0x50);
    EXPECT_EQ(nvic.exceptionToTake(none), std::nullopt);
}

TEST_F(NvicTest, HigherSubpriorityInTheSameGroupDoesNotPreempt) {
    // PRIGROUP=5: 0x50 and 0x40 are both group 0x40; subpriority never preempts.
    nvic.setPriGroup(5);
    activeIrq(1, 0x50);
    pendIrq(2, 0x40);
    EXPECT_EQ(nvic.exceptionToTake(none), std::nullopt);
    // Without the grouping the same priorities preempt.
    nvic.setPriGroup(3);
    EXPECT_EQ(nvic.exceptionToTake(none), irq(2));
}

TEST_F(NvicTest, LowestGroupPriorityWinsAmongPending) {
    pendIrq(3, 0x40);
    pendIrq(5, 0x20);
    pendIrq(1, 0x60);
    EXPECT_EQ(nvic.highestPending(), irq(5));
}

TEST_F(NvicTest, SubpriorityBreaksATieInGroupPriority) {
    nvic.setPriGroup(5);
    pendIrq(3, 0x50);  // group 0x40, subpriority 0x10
    pendIrq(5, 0x40);  // group 0x40, subpriority 0x00
    EXPECT_EQ(nvic.highestPending(), irq(5));
}

TEST_F(NvicTest, LowerExceptionNumberBreaksATieInPriority) {
    pendIrq(9, 0x80);
    pendIrq(4, 0x80);
    EXPECT_EQ(nvic.highestPending(), irq(4));
    // PendSV (14), SysTick (15) and IRQ 0 (16), all at priority 0.
    Nvic fresh{82, 4};
    fresh.setEnabled(irq(0), true);
    fresh.setPending(irq(0));
    fresh.setPending(exc::kSysTick);
    EXPECT_EQ(fresh.highestPending(), exc::kSysTick);
    fresh.setPending(exc::kPendSv);
    EXPECT_EQ(fresh.highestPending(), exc::kPendSv);
}

TEST_F(NvicTest, SameGroupDifferentSubpriorityTieBrokenBeforeExceptionNumber) {
    // PRIGROUP=5: SysTick at 0x70 (group 0x40, sub 0x30) vs IRQ 0 at 0x40 (sub 0x00).
    nvic.setPriGroup(5);
    nvic.setPriorityByte(exc::kSysTick, 0x70);
    nvic.setPending(exc::kSysTick);
    pendIrq(0, 0x40);
    EXPECT_EQ(nvic.highestPending(), irq(0));
}

TEST_F(NvicTest, DisabledPendingIrqIsNotTaken) {
    nvic.setPriorityByte(irq(6), 0x10);
    nvic.setPending(irq(6));  // EXTI0 pending but never enabled
    EXPECT_TRUE(nvic.isPending(irq(6)));
    EXPECT_EQ(nvic.highestPending(), std::nullopt);
    EXPECT_EQ(nvic.exceptionToTake(none), std::nullopt);
    nvic.setEnabled(irq(6), true);
    EXPECT_EQ(nvic.exceptionToTake(none), irq(6));
}

TEST_F(NvicTest, DisabledHigherPriorityIrqDoesNotHideAnEnabledLowerOne) {
    nvic.setPriorityByte(irq(6), 0x10);
    nvic.setPending(irq(6));
    pendIrq(7, 0x80);
    EXPECT_EQ(nvic.exceptionToTake(none), irq(7));
}

TEST_F(NvicTest, PrimaskBlocksConfigurableExceptionsButNotNmiOrHardFault) {
    PriorityMasks m;
    m.primask = true;
    pendIrq(0, 0x00);
    EXPECT_EQ(nvic.exceptionToTake(m), std::nullopt);
    nvic.setPending(exc::kHardFault);
    EXPECT_EQ(nvic.exceptionToTake(m), exc::kHardFault);
}

TEST_F(NvicTest, FaultmaskBlocksHardFaultButNotNmi) {
    PriorityMasks m;
    m.faultmask = true;
    nvic.setPending(exc::kHardFault);
    EXPECT_EQ(nvic.exceptionToTake(m), std::nullopt);
    nvic.setPending(exc::kNmi);
    EXPECT_EQ(nvic.exceptionToTake(m), exc::kNmi);
}

TEST_F(NvicTest, BasepriMasksEqualAndLowerPrioritiesOnly) {
    pendIrq(2, 0x80);
    EXPECT_EQ(nvic.exceptionToTake(basepri(0x80)), std::nullopt);
    pendIrq(3, 0x70);
    EXPECT_EQ(nvic.exceptionToTake(basepri(0x80)), irq(3));
}

// --- bookkeeping -------------------------------------------------------------------

TEST_F(NvicTest, AnyPendingEnabledCountsOnlyEnabledPendingExceptions) {
    EXPECT_FALSE(nvic.anyPendingEnabled());
    nvic.setPending(irq(10));  // disabled
    EXPECT_FALSE(nvic.anyPendingEnabled());
    nvic.setEnabled(irq(10), true);
    EXPECT_TRUE(nvic.anyPendingEnabled());
    pendIrq(20, 0x00);
    nvic.clearPending(irq(10));
    EXPECT_TRUE(nvic.anyPendingEnabled());
    nvic.setEnabled(irq(20), false);
    EXPECT_FALSE(nvic.anyPendingEnabled());
    nvic.setEnabled(irq(20), true);
    EXPECT_TRUE(nvic.anyPendingEnabled());
    nvic.clearPending(irq(20));
    EXPECT_FALSE(nvic.anyPendingEnabled());
}

TEST_F(NvicTest, PendingIsAStateNotACount) {
    // Pending twice then clearing once leaves nothing pending (B1.5.2: one pending bit).
    nvic.setPending(exc::kPendSv);
    nvic.setPending(exc::kPendSv);
    nvic.clearPending(exc::kPendSv);
    EXPECT_FALSE(nvic.isPending(exc::kPendSv));
    EXPECT_FALSE(nvic.anyPendingEnabled());
}

TEST_F(NvicTest, WouldWakeIgnoresPrimask) {
    // B1.5.19: WFI wakes on an exception that would preempt if PRIMASK were clear.
    PriorityMasks m;
    m.primask = true;
    pendIrq(4, 0x80);
    EXPECT_EQ(nvic.exceptionToTake(m), std::nullopt);
    EXPECT_TRUE(nvic.wouldWake(m));
}

TEST_F(NvicTest, WouldWakeHonoursBasepri) {
    pendIrq(4, 0x80);
    EXPECT_FALSE(nvic.wouldWake(basepri(0x80)));
    pendIrq(5, 0x70);
    EXPECT_TRUE(nvic.wouldWake(basepri(0x80)));
}

TEST_F(NvicTest, WouldWakeNeedsAPendingEnabledException) {
    nvic.setPending(irq(4));  // disabled
    EXPECT_FALSE(nvic.wouldWake(none));
}

TEST_F(NvicTest, RetToBaseWhileAtMostOneExceptionIsActive) {
    // B3.2.4 ICSR.RETTOBASE: 1 when no active exception other than the current one.
    EXPECT_TRUE(nvic.retToBase());
    activeIrq(1, 0x80);
    EXPECT_TRUE(nvic.retToBase());
    EXPECT_EQ(nvic.activeCount(), 1u);
    nvic.setActive(exc::kSysTick, true);
    EXPECT_FALSE(nvic.retToBase());
    EXPECT_EQ(nvic.activeCount(), 2u);
}

TEST_F(NvicTest, ConfigurableFaultsAreDisabledAtResetSystemHandlersEnabled) {
    // B3.2.13: SHCSR.MEMFAULTENA/BUSFAULTENA/USGFAULTENA reset to 0; SVCall, PendSV,
    // SysTick, NMI and HardFault have no enable bit and are always enabled. IRQs reset
    // disabled (B3.4.4 ISER).
    EXPECT_FALSE(nvic.isEnabled(exc::kMemManage));
    EXPECT_FALSE(nvic.isEnabled(exc::kBusFault));
    EXPECT_FALSE(nvic.isEnabled(exc::kUsageFault));
    EXPECT_TRUE(nvic.isEnabled(exc::kNmi));
    EXPECT_TRUE(nvic.isEnabled(exc::kHardFault));
    EXPECT_TRUE(nvic.isEnabled(exc::kSvCall));
    EXPECT_TRUE(nvic.isEnabled(exc::kPendSv));
    EXPECT_TRUE(nvic.isEnabled(exc::kSysTick));
    EXPECT_FALSE(nvic.isEnabled(irq(0)));
    EXPECT_FALSE(nvic.isEnabled(irq(81)));
}

TEST_F(NvicTest, DisabledUsageFaultPendingIsNotTaken) {
    nvic.setPending(exc::kUsageFault);
    EXPECT_EQ(nvic.exceptionToTake(none), std::nullopt);
    nvic.setEnabled(exc::kUsageFault, true);
    EXPECT_EQ(nvic.exceptionToTake(none), exc::kUsageFault);
}

TEST_F(NvicTest, ResetClearsStatePrioritiesAndPriGroup) {
    pendIrq(3, 0x40);
    activeIrq(4, 0x20);
    nvic.setPriGroup(5);
    nvic.setEnabled(exc::kBusFault, true);
    nvic.reset();
    EXPECT_FALSE(nvic.isPending(irq(3)));
    EXPECT_FALSE(nvic.isEnabled(irq(3)));
    EXPECT_FALSE(nvic.isActive(irq(4)));
    EXPECT_EQ(nvic.priority(irq(3)), 0);
    EXPECT_EQ(nvic.priGroup(), 0u);
    EXPECT_FALSE(nvic.isEnabled(exc::kBusFault));
    EXPECT_TRUE(nvic.isEnabled(exc::kSysTick));
    EXPECT_FALSE(nvic.anyPendingEnabled());
}

TEST_F(NvicTest, OutOfRangeExceptionNumbersAreIgnored) {
    nvic.setPending(irq(82));
    nvic.setEnabled(irq(82), true);
    EXPECT_FALSE(nvic.isPending(irq(82)));
    EXPECT_FALSE(nvic.anyPendingEnabled());
    nvic.setPending(0);
    EXPECT_FALSE(nvic.isPending(0));
}

TEST_F(NvicTest, OnChangeFiresForPendingEnableAndPriorityChanges) {
    int calls = 0;
    nvic.onChange([&] { ++calls; });
    nvic.setPending(irq(1));
    EXPECT_EQ(calls, 1);
    nvic.setPending(irq(1));  // no change
    EXPECT_EQ(calls, 1);
    nvic.setEnabled(irq(1), true);
    EXPECT_EQ(calls, 2);
    nvic.setPriorityByte(irq(1), 0x40);
    EXPECT_EQ(calls, 3);
    nvic.setPriGroup(4);
    EXPECT_EQ(calls, 4);
}

TEST_F(NvicTest, ExceptionNames) {
    EXPECT_EQ(Nvic::exceptionName(exc::kSysTick), "SysTick");
    EXPECT_EQ(Nvic::exceptionName(exc::kHardFault), "HardFault");
    EXPECT_EQ(Nvic::exceptionName(irq(38)), "IRQ 38");
}

}  // namespace
}  // namespace cmsim
