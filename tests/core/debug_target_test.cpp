// MachineDebugTarget on real code: breakpoints halt before the instruction with time at
// its start, steps execute exactly one instruction (or enter a pending exception's
// handler), memory and registers go through the models.
#include <gtest/gtest.h>

#include "MachineFixture.h"
#include "debug/MachineDebugTarget.h"

namespace cmsim::testing {
namespace {

using namespace thumb;
constexpr std::uint32_t kThread = 0x08000100;
constexpr std::uint32_t kHandler = 0x08000200;

class DebugTargetTest : public MachineFixture {
protected:
    std::uint32_t regValue(MachineDebugTarget& t, unsigned n) {
        std::vector<std::uint8_t> b;
        EXPECT_TRUE(t.readRegister(n, b));
        std::uint32_t v = 0;
        std::memcpy(&v, b.data(), 4);
        return v;
    }
};

TEST_F(DebugTargetTest, BreakpointHaltsBeforeTheInstructionAtItsStartCycle) {
    // movs r0,#1; movs r1,#2; movs r2,#3; b .
    code(kThread, {movs(0, 1), movs(1, 2), movs(2, 3), kBSelf});
    boot(0x20001000, kThread);
    MachineDebugTarget t(m, 1000);
    const Cycles t0 = m.time().now();
    ASSERT_TRUE(t.insertBreakpoint(kThread + 4));
    const DebugStop s = t.resume(false, {});
    EXPECT_EQ(s.kind, DebugStop::Kind::Breakpoint);
    EXPECT_EQ(regValue(t, 15), kThread + 4);
    EXPECT_EQ(reg(UC_ARM_REG_R1), 2u);
    EXPECT_EQ(reg(UC_ARM_REG_R2), 0u);  // not executed yet
    EXPECT_EQ(m.time().now(), t0 + 2);  // two instructions ran

    // Continuing executes the instruction under the breakpoint and runs on.
    ASSERT_TRUE(t.removeBreakpoint(kThread + 4));
    ASSERT_TRUE(t.insertBreakpoint(kThread + 6));
    EXPECT_EQ(t.resume(false, {}).kind, DebugStop::Kind::Breakpoint);
    EXPECT_EQ(reg(UC_ARM_REG_R2), 3u);
    EXPECT_EQ(m.time().now(), t0 + 3);
}

TEST_F(DebugTargetTest, ContinueFromABreakpointDoesNotStopOnItAgainAtOnce) {
    code(kThread, {movs(0, 0), kAddsR0_1, 0xE7FD /* b . -2: back to adds */});
    boot(0x20001000, kThread);
    MachineDebugTarget t(m, 1000);
    ASSERT_TRUE(t.insertBreakpoint(kThread + 2));
    EXPECT_EQ(t.resume(false, {}).kind, DebugStop::Kind::Breakpoint);
    EXPECT_EQ(reg(UC_ARM_REG_R0), 0u);
    EXPECT_EQ(t.resume(false, {}).kind, DebugStop::Kind::Breakpoint);
    EXPECT_EQ(reg(UC_ARM_REG_R0), 1u);  // one loop iteration between the two stops
    EXPECT_EQ(t.resume(false, {}).kind, DebugStop::Kind::Breakpoint);
    EXPECT_EQ(reg(UC_ARM_REG_R0), 2u);
}

TEST_F(DebugTargetTest, ARemovedBreakpointNeverStopsAgain) {
    // The breakpoint's code hook is compiled into the loop's translated block; once removed
    // (gdb removes every breakpoint at each stop), it must not stop the run again.
    code(kThread, {movs(0, 0), kAddsR0_1, 0xE7FD /* b . -2: back to adds */});
    boot(0x20001000, kThread);
    MachineDebugTarget t(m, 1000);
    ASSERT_TRUE(t.insertBreakpoint(kThread + 2));
    EXPECT_EQ(t.resume(false, {}).kind, DebugStop::Kind::Breakpoint);
    EXPECT_EQ(t.resume(false, {}).kind, DebugStop::Kind::Breakpoint);  // the loop is translated
    ASSERT_TRUE(t.removeBreakpoint(kThread + 2));
    EXPECT_EQ(t.resume(false, {}).kind, DebugStop::Kind::Finished);
    EXPECT_GE(m.time().now(), 1000u);
    EXPECT_GT(reg(UC_ARM_REG_R0), 400u);  // the loop ran on (2 instructions per iteration)
}

TEST_F(DebugTargetTest, StepExecutesExactlyOneInstructionAndOneCycle) {
    code(kThread, {movs(0, 7), movs(1, 8), kBSelf});
    boot(0x20001000, kThread);
    MachineDebugTarget t(m, 1000);
    const Cycles t0 = m.time().now();
    EXPECT_EQ(t.resume(true, {}).kind, DebugStop::Kind::Step);
    EXPECT_EQ(regValue(t, 15), kThread + 2);
    EXPECT_EQ(reg(UC_ARM_REG_R0), 7u);
    EXPECT_EQ(reg(UC_ARM_REG_R1), 0u);
    EXPECT_EQ(m.time().now(), t0 + 1);
    EXPECT_EQ(t.resume(true, {}).kind, DebugStop::Kind::Step);
    EXPECT_EQ(reg(UC_ARM_REG_R1), 8u);
    EXPECT_EQ(m.time().now(), t0 + 2);
}

TEST_F(DebugTargetTest, StepWithAPendingExceptionLandsOnTheHandlersFirstInstruction) {
    code(kThread, {movs(0, 7), kBSelf});
    code(kHandler, {movs(3, 9), kBxLr});
    vector(14, kHandler);
    boot(0x20001000, kThread);
    MachineDebugTarget t(m, 1000);
    write32(0xE000ED04, 1u << 28);  // PENDSVSET
    EXPECT_EQ(t.resume(true, {}).kind, DebugStop::Kind::Step);
    EXPECT_EQ(regValue(t, 15), kHandler);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 14u);
    EXPECT_EQ(reg(UC_ARM_REG_R0), 0u);
    EXPECT_EQ(reg(UC_ARM_REG_R3), 0u);  // the handler's first instruction has not run
}

TEST_F(DebugTargetTest, MemoryReadsPeripheralRegistersThroughTheirModels) {
    code(kThread, {kBSelf});
    boot(0x20001000, kThread);
    MachineDebugTarget t(m, 1000);
    std::array<std::uint8_t, 4> b{};
    ASSERT_TRUE(t.readMemory(0xE000ED00, b));  // SCB CPUID
    std::uint32_t v;
    std::memcpy(&v, b.data(), 4);
    EXPECT_EQ(v, 0x410FC241u);
    ASSERT_TRUE(t.readMemory(0x40023800, b));  // RCC CR at reset: HSION | HSIRDY | HSITRIM
    std::memcpy(&v, b.data(), 4);
    EXPECT_EQ(v, 0x00000083u);
    EXPECT_FALSE(t.readMemory(0x40080000, b));  // reserved: nothing mapped
    const std::array<std::uint8_t, 4> w = {0x78, 0x56, 0x34, 0x12};
    ASSERT_TRUE(t.writeMemory(0x20000100, w));
    EXPECT_EQ(read32(0x20000100), 0x12345678u);
}

TEST_F(DebugTargetTest, RegistersFollowTheTargetDescription) {
    code(kThread, {kBSelf});
    boot(0x20001000, kThread);
    MachineDebugTarget t(m, 1000);
    EXPECT_EQ(t.registerCount(), 40u);  // r0-pc, xpsr, 6 system, d0-d15, fpscr
    EXPECT_EQ(t.registerSize(23), 8u);
    EXPECT_NE(t.targetXml().find("<reg name=\"psp\" bitsize=\"32\" regnum=\"18\""), std::string::npos);
    EXPECT_EQ(regValue(t, 17), 0x20001000u);  // msp
    const std::array<std::uint8_t, 4> v = {0x00, 0x20, 0x00, 0x20};
    ASSERT_TRUE(t.writeRegister(18, v));  // psp
    EXPECT_EQ(reg(UC_ARM_REG_PSP), 0x20002000u);
}

TEST_F(DebugTargetTest, WriteWatchpointStopsAfterTheStore) {
    // ldr r1,[pc,#8]; movs r0,#5; str r0,[r1]; movs r2,#1; b .; nop; .word 0x20000200
    code(kThread, {ldrR1Pc(8), movs(0, 5), kStrR0R1, movs(2, 1), kBSelf, kNop});
    word(kThread + 12, 0x20000200);
    boot(0x20001000, kThread);
    MachineDebugTarget t(m, 1000);
    ASSERT_TRUE(t.insertWatchpoint(0x20000200, 4, WatchKind::Write));
    const DebugStop s = t.resume(false, {});
    EXPECT_EQ(s.kind, DebugStop::Kind::Watchpoint);
    ASSERT_TRUE(s.watchAddress.has_value());
    EXPECT_EQ(*s.watchAddress, 0x20000200u);
    EXPECT_EQ(read32(0x20000200), 5u);
}

TEST_F(DebugTargetTest, RunEndIsReportedAsFinishedAndInterruptsAreHonoured) {
    code(kThread, {kBSelf});
    boot(0x20001000, kThread);
    MachineDebugTarget t(m, 100'000);
    int polls = 0;
    const DebugStop s = t.resume(false, [&] { return ++polls == 3; });
    EXPECT_EQ(s.kind, DebugStop::Kind::Interrupted);
    EXPECT_EQ(s.signal, 2);
    EXPECT_EQ(t.resume(false, {}).kind, DebugStop::Kind::Finished);
    EXPECT_GE(m.time().now(), 100'000u);
}

}  // namespace
}  // namespace cmsim::testing
