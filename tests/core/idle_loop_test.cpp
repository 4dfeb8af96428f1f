// Busy idle loops (`b .`, NOPs then a branch to themselves): time jumps to the first
// iteration at or after the next event instead of Unicorn running every iteration, with
// exactly the cycles, exception times and state that running them gives; and the "no
// progress" warning when nothing can ever leave such a loop.
#include <gtest/gtest.h>

#include "CycleModel.h"
#include "MachineFixture.h"

namespace cmsim::testing {
namespace {

using namespace thumb;

constexpr std::uint32_t kThread = 0x08000100;
constexpr std::uint32_t kSysTickHandler = 0x08000200;
constexpr std::uint32_t kCounter = 0x20004000;
constexpr std::uint32_t kStCsr = 0xE000E010, kStRvr = 0xE000E014, kStCvr = 0xE000E018;
constexpr std::uint16_t kCpsidI = 0xB672;  // cpsid i (A7.7.29 CPS T1)

class IdleLoopTest : public MachineFixture {
protected:
    // Thread: `loop`; SysTick every 1000 cycles; handler: ++*kCounter.
    void bootWithSysTick(std::initializer_list<std::uint16_t> loop) {
        code(kThread, loop);
        code(kSysTickHandler, {ldrR1Pc(8), kLdrR0R1, kAddsR0_1, kStrR0R1, kBxLr, kNop});
        word(kSysTickHandler + 12, kCounter);
        vector(15, kSysTickHandler);
        boot(0x20001000, kThread);
        write32(kStRvr, 999);
        write32(kStCvr, 0);
        write32(kStCsr, 0x7);
    }
    std::size_t mistakes(std::string_view text) {
        std::size_t n = 0;
        for (const auto& d : m.diagnostics().all()) {
            if (d.kind == DiagnosticKind::FirmwareMistake && d.message.find(text) != std::string::npos) ++n;
        }
        return n;
    }
    struct Outcome {
        std::vector<Cycles> entries;  // cycle of every exception entry
        std::uint32_t counter;
        Cycles end;
        Cycles skipped;
    };
    Outcome runLoop(std::initializer_list<std::uint16_t> loop, bool skip, Cycles n) {
        m.core().setIdleLoopSkipping(skip);
        bootWithSysTick(loop);
        runCycles(n);
        Outcome o{{}, read32(kCounter), m.time().now(), m.core().skippedIdleCycles()};
        for (const auto& e : exceptionLog) {
            if (e.kind == ExceptionEvent::Kind::Entry) o.entries.push_back(e.cycle);
        }
        return o;
    }
};

TEST_F(IdleLoopTest, BranchToSelfJumpsToTheNextTickWithTheCyclesOfRunningEveryIteration) {
    const Outcome skipped = runLoop({kBSelf}, true, 10'500);
    // The handler ran once per SysTick wrap: at +1000 ... +10000 after enabling.
    EXPECT_EQ(skipped.counter, 10u);
    ASSERT_EQ(skipped.entries.size(), 10u);
    for (std::size_t i = 1; i < skipped.entries.size(); ++i) {
        EXPECT_EQ(skipped.entries[i] - skipped.entries[i - 1], 1000u) << i;
    }
    // Nearly all of the 10,000 cycles were loop iterations nobody emulated.
    EXPECT_GT(skipped.skipped, 9'500u);
    EXPECT_EQ(mistakes("no progress"), 0u);  // SysTick interrupts can leave the loop
}

TEST_F(IdleLoopTest, SkippingGivesTheSameExceptionCyclesAsEmulatingEachIteration) {
    const Outcome emulated = runLoop({kBSelf}, false, 10'500);
    EXPECT_EQ(emulated.skipped, 0u);
    exceptionLog.clear();
    write32(kCounter, 0);
    const Cycles secondStart = m.time().now();
    const Outcome skipped = runLoop({kBSelf}, true, 10'500);
    // Both runs start right after a power-on reset; relative to its start, every entry
    // cycle and the end cycle of the run agree.
    const Cycles firstStart = 0;
    ASSERT_EQ(skipped.entries.size(), emulated.entries.size());
    ASSERT_EQ(skipped.entries.size(), 10u);
    for (std::size_t i = 0; i < skipped.entries.size(); ++i) {
        EXPECT_EQ(skipped.entries[i] - secondStart, emulated.entries[i] - firstStart) << i;
    }
    EXPECT_EQ(skipped.end - secondStart, emulated.end - firstStart);
    EXPECT_EQ(skipped.counter, emulated.counter);
}

TEST_F(IdleLoopTest, NopsBeforeTheBranchAreAnIdleLoopToo) {
    // nop; nop; b <first nop>: the branch at +4 targets PC+4-8, the first NOP.
    const std::uint16_t bBack = static_cast<std::uint16_t>(0xE000 | ((-8 >> 1) & 0x7FF));
    const Outcome o = runLoop({kNop, kNop, bBack}, true, 5'500);
    EXPECT_EQ(o.counter, 5u);
    EXPECT_GT(o.skipped, 4'000u);
}

TEST_F(IdleLoopTest, LoopThatChangesARegisterIsEmulated) {
    // adds r0, #1; b <adds>: state changes every iteration, so no jump.
    const std::uint16_t bBack = static_cast<std::uint16_t>(0xE000 | ((-6 >> 1) & 0x7FF));
    const Outcome o = runLoop({kAddsR0_1, bBack}, true, 5'500);
    EXPECT_EQ(o.skipped, 0u);
    EXPECT_EQ(o.counter, 5u);
}

TEST_F(IdleLoopTest, SpinningWithPrimaskSetIsReportedAsNoProgressWithTheLoopPc) {
    const Outcome o = runLoop({kCpsidI, kBSelf}, true, 20'000);
    EXPECT_EQ(o.counter, 0u);  // SysTick pends but can never be taken
    EXPECT_TRUE(m.nvic().isPending(15));
    EXPECT_EQ(mistakes("no progress: the core spins at 0x08000102 in Thread mode at execution "
                       "priority 0 (PRIMASK set): no interrupt can preempt it"),
              1u);
    EXPECT_GT(o.skipped, 19'000u);
}

TEST_F(IdleLoopTest, SpinningWithNothingScheduledJumpsToTheEndWithoutAWarning) {
    // The `for (;;) {}` that ends many test programs: interrupts are open, nothing is
    // scheduled; time jumps to the run limit and nothing is reported.
    m.core().setIdleLoopSkipping(true);
    code(kThread, {kBSelf});
    boot(0x20001000, kThread);
    runCycles(1'000'000);
    EXPECT_EQ(m.diagnostics().all().size(), 0u);
    EXPECT_GT(m.core().skippedIdleCycles(), 999'000u);
}

TEST_F(IdleLoopTest, SpinningInTheHardFaultHandlerIsNoProgress) {
    // HardFault's handler is `b .` (a typical Default_Handler); priority -1 stops every
    // configurable interrupt.
    constexpr std::uint32_t kHardFaultHandler = 0x08000280;
    code(kHardFaultHandler, {kBSelf});
    vector(3, kHardFaultHandler);
    bootWithSysTick({kBSelf});
    m.core().enterException(3, kThread);
    runCycles(5'000);
    EXPECT_EQ(read32(kCounter), 0u);
    EXPECT_EQ(mistakes("no progress: the core spins at 0x08000280 in HardFault handler at execution "
                       "priority -1 (in HardFault): no interrupt can preempt it"),
              1u);
}

TEST_F(IdleLoopTest, PollingWithInterruptsOffIsReportedOnceSysTickWaitedFor100Ms) {
    // cpsid i; 1: ldr r0, [r1]; cmp r0, #0; beq 1b  -- polls a RAM flag nothing will set.
    // Not an idle loop (it loads), so it is emulated; SysTick pends at the first wrap and
    // can never be taken. 16 MHz: 100 ms is 1.6M cycles.
    constexpr std::uint16_t kCmpR0_0 = 0x2800;                                      // cmp r0, #0
    const std::uint16_t beqBack = static_cast<std::uint16_t>(0xD000 | ((-8 >> 1) & 0xFF));  // beq 1b
    bootWithSysTick({kCpsidI, kLdrR0R1, kCmpR0_0, beqBack});
    setReg(UC_ARM_REG_R1, kCounter + 0x100);  // a zero word
    runCycles(1'500'000);
    EXPECT_EQ(mistakes("no progress"), 0u);  // 1.5M cycles: not yet 100 ms
    runCycles(500'000);
    EXPECT_EQ(mistakes("no progress: SysTick has been pending for 100 ms without being taken (execution "
                       "priority 0, PRIMASK set); the core is running at 0x08000102"),
              1u);
    runCycles(2'000'000);
    EXPECT_EQ(mistakes("no progress"), 1u);  // once per pending episode
    EXPECT_EQ(m.core().skippedIdleCycles(), 0u);
}

TEST_F(IdleLoopTest, AShortCriticalSectionIsNotNoProgress) {
    constexpr std::uint16_t kCpsieI = 0xB662;  // cpsie i
    const std::uint16_t bBack = static_cast<std::uint16_t>(0xE000 | ((-10 >> 1) & 0x7FF));
    bootWithSysTick({kCpsidI, kNop, kNop, kCpsieI, bBack});
    runCycles(3'000'000);
    EXPECT_EQ(mistakes("no progress"), 0u);
    EXPECT_GT(read32(kCounter), 2'900u);  // every tick taken, a few cycles late at most
}

}  // namespace
}  // namespace cmsim::testing
