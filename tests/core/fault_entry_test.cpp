// Faults of exception entry itself (derived exceptions): a bus error while stacking
// (BFSR.STKERR, Cortex-M4 Generic User Guide 4.3.10: SP still adjusted, BFAR not written),
// a bus error reading the vector (HardFault, HFSR.VECTTBL) and a vector with the Thumb
// bit clear (INVSTATE on the handler's first instruction), with escalation and lockup.
#include <gtest/gtest.h>

#include "CycleModel.h"
#include "FaultFixture.h"

namespace cmsim::testing {
namespace {

using namespace thumb;
using namespace scb;
constexpr std::uint32_t kFlashStackTop = 0x08010000;  // a stack pointer into flash

class FaultEntryTest : public FaultFixture {
  protected:
    void handlers(std::uint32_t sp) {
        installHandlers();
        boot(0x20001000, kThread);  // reset refuses an initial SP outside RAM
        setReg(UC_ARM_REG_MSP, sp);
    }
};

TEST_F(FaultEntryTest, StackingIntoFlashIsStkerrEscalatedAndTheInterruptStaysPending) {
    handlers(kFlashStackTop);
    write32(kIcsr, kPendStSet);
    runCycles(100);
    // The derived BusFault is disabled: HardFault (-1) beats SysTick (0) and is taken on
    // the frame already "pushed"; SysTick stays pending.
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 3u);
    EXPECT_EQ(read32(kCfsr), 0x00001000u);  // STKERR, BFARVALID clear
    EXPECT_EQ(read32(kHfsr), 0x40000000u);  // FORCED
    EXPECT_EQ(read32(kBfar), 0u);
    EXPECT_EQ(reg(UC_ARM_REG_MSP), kFlashStackTop - 0x20);         // SP adjusted all the same
    EXPECT_EQ(read32(kFlashStackTop - 0x20 + 0x18), 0xFFFFFFFFu);  // flash not written
    EXPECT_EQ(reg(UC_ARM_REG_LR), 0xFFFFFFF9u);
    EXPECT_TRUE(m.nvic().isPending(15));
    EXPECT_FALSE(m.nvic().isActive(15));
    ASSERT_EQ(faults.size(), 1u);
    EXPECT_EQ(faults[0].fault, 5u);
    EXPECT_EQ(faults[0].taken, 3u);
    EXPECT_EQ(faults[0].pc, kThread);  // the return address that could not be stacked
    EXPECT_EQ(faults[0].frameAddress, kFlashStackTop - 0x20);
    EXPECT_EQ(
        faults[0].what,
        "bus error stacking the exception frame for SysTick at 0x0800ffe0 (Flash+0xffe0) (STKERR)");
    ASSERT_FALSE(exceptionLog.empty());
    EXPECT_EQ(exceptionLog.back().number, 3u);
}

TEST_F(FaultEntryTest, EnabledBusFaultOfHigherPriorityIsTakenInsteadOfTheInterrupt) {
    handlers(kFlashStackTop);
    write32(kShcsr, kBusFaultEna);
    write32(kShpr3, 0x80000000);  // SysTick 0x80, BusFault 0
    write32(kIcsr, kPendStSet);
    runCycles(100);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 5u);
    EXPECT_EQ(read32(kCfsr), 0x00001000u);
    EXPECT_EQ(read32(kHfsr), 0u);
    EXPECT_TRUE(m.nvic().isPending(15));
}

TEST_F(FaultEntryTest, DerivedBusFaultOfEqualPriorityStaysPendingBehindTheInterrupt) {
    handlers(kFlashStackTop);
    write32(kShcsr, kBusFaultEna);
    write32(kShpr1, 0x00008000);  // BusFault 0x80, SysTick 0x80: no preemption either way
    write32(kShpr3, 0x80000000);
    write32(kIcsr, kPendStSet);
    runCycles(100);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 15u);
    EXPECT_TRUE(m.nvic().isPending(5));
    EXPECT_EQ(read32(kCfsr), 0x00001000u);
    EXPECT_EQ(read32(kHfsr), 0u);
}

TEST_F(FaultEntryTest, StackingFaultEnteringHardFaultRunsTheHandlerWithoutLockup) {
    // udf in Thread mode with the stack in flash: UsageFault (disabled) -> HardFault, whose
    // stacking fails; the derived fault escalates to HardFault too, which cannot preempt
    // itself: the handler runs once on the corrupt frame (Cortex-M3 TRM 5.12.1).
    handlers(kFlashStackTop);
    code(kThread, {0xDE00});
    runCycles(100);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 3u);
    EXPECT_EQ(reg(UC_ARM_REG_PC), kHardFault);
    EXPECT_EQ(read32(kCfsr), 0x00011000u);  // UNDEFINSTR | STKERR
    EXPECT_EQ(read32(kHfsr), 0x40000000u);
    EXPECT_FALSE(m.nvic().isPending(3));
    ASSERT_EQ(faults.size(), 2u);
    EXPECT_EQ(faults[0].fault, 5u);  // the derived fault is reported as it happens
    EXPECT_EQ(faults[1].fault, 6u);
}

TEST_F(FaultEntryTest, StackingFaultEnteringNmiFromHardFaultLocksUp) {
    handlers(0x20001000);
    m.core().enterException(3, kThread);
    setReg(UC_ARM_REG_MSP, kFlashStackTop);
    write32(kIcsr, kNmiPendSet);
    const CoreStop stop = runUntilStop(100);
    EXPECT_EQ(stop.reason, CoreStop::Reason::Lockup);
    EXPECT_EQ(stop.message,
              "lockup at 0x08000200: BusFault (bus error stacking the exception frame for NMI at "
              "0x0800ffe0 (Flash+0xffe0) (STKERR)) while the core could not take HardFault "
              "(priority -1)");
    EXPECT_EQ(read32(kCfsr), 0x00001000u);
}

TEST_F(FaultEntryTest, StackingIntoUnmappedMemoryWithStopOnFaultSaysSo) {
    handlers(0x60000100);
    m.core().setStopOnFault(true);
    write32(kIcsr, kPendStSet);
    const CoreStop stop = runUntilStop(100);
    EXPECT_EQ(stop.reason, CoreStop::Reason::Fault);
    EXPECT_EQ(stop.message,
              "BusFault escalated to HardFault: bus error stacking the exception frame for SysTick "
              "at 0x600000e0 (nothing mapped there) (STKERR) at 0x08000100");
}

TEST_F(FaultEntryTest, UnreadableVectorIsHardFaultVecttblAndTheInterruptStaysPending) {
    handlers(0x20001000);
    // VTOR 0x080FFF80: entries 0-31 are the last 128 bytes of flash, IRQ 16's entry (32)
    // is at 0x08100000, past the end of the F407's 1 MiB flash.
    word(0x080FFF80 + 4 * 3, kHardFault | 1u);
    write32(kVtor, 0x080FFF80);
    write32(0xE000E100, 1u << 16);  // NVIC_ISER0: IRQ 16
    write32(0xE000E200, 1u << 16);  // NVIC_ISPR0
    runCycles(100);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 3u);
    EXPECT_EQ(read32(kHfsr), 0x00000002u);  // VECTTBL
    EXPECT_EQ(read32(kCfsr), 0u);
    EXPECT_TRUE(m.nvic().isPending(32));
    EXPECT_FALSE(m.nvic().isActive(32));
    EXPECT_EQ(read32(0x20000FE0 + 0x18), kThread);
    EXPECT_EQ(reg(UC_ARM_REG_LR), 0xFFFFFFF9u);
    ASSERT_EQ(faults.size(), 1u);
    EXPECT_EQ(faults[0].fault, 3u);
    EXPECT_EQ(faults[0].what,
              "bus error reading the vector of IRQ 16 at 0x08100000, nothing mapped there "
              "(VTOR 0x080fff80, VECTTBL)");
}

TEST_F(FaultEntryTest, UnreadableHardFaultVectorLocksUp) {
    handlers(0x20001000);
    write32(kVtor, 0x08100000);  // nothing there at all
    write32(kIcsr, kPendStSet);
    const CoreStop stop = runUntilStop(100);
    EXPECT_EQ(stop.reason, CoreStop::Reason::Lockup);
    EXPECT_NE(stop.message.find("bus error reading the vector of HardFault at 0x0810000c"),
              std::string::npos)
        << stop.message;
    EXPECT_EQ(read32(kHfsr), 0x00000002u);
}

TEST_F(FaultEntryTest, VectorWithThumbBitClearFaultsOnTheHandlersFirstInstruction) {
    handlers(0x20001000);
    word(kFlash + 4 * 15, kSysTick);  // Thumb bit clear
    write32(kShcsr, kUsgFaultEna);
    write32(kShpr3, 0x80000000);  // SysTick 0x80: UsageFault (0) may preempt it
    write32(kIcsr, kPendStSet);
    runCycles(100);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 6u);
    EXPECT_EQ(read32(kCfsr), 0x00020000u);  // INVSTATE
    EXPECT_TRUE(m.nvic().isActive(15));
    // UsageFault's frame: the handler's first instruction, EPSR.T = 0, IPSR = SysTick.
    const std::uint32_t frame = reg(UC_ARM_REG_MSP);
    EXPECT_EQ(frame, 0x20000FC0u);
    EXPECT_EQ(read32(frame + 0x18), kSysTick);
    EXPECT_EQ(read32(frame + 0x1C) & 0x010001FFu, 15u);
    EXPECT_EQ(reg(UC_ARM_REG_LR), 0xFFFFFFF1u);
    ASSERT_EQ(exceptionLog.size(), 2u);
    EXPECT_EQ(exceptionLog[0].number, 15u);
    EXPECT_EQ(exceptionLog[1].number, 6u);
    EXPECT_EQ(exceptionLog[1].cycle, exceptionLog[0].cycle + cycle_model::kExceptionEntry);
    ASSERT_EQ(faults.size(), 1u);
    EXPECT_EQ(faults[0].pc, kSysTick);
}

TEST_F(FaultEntryTest, VectorWithThumbBitClearEscalatesWhenUsageFaultCannotPreempt) {
    handlers(0x20001000);
    word(kFlash + 4 * 15, kSysTick);
    write32(kIcsr, kPendStSet);
    runCycles(100);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 3u);
    EXPECT_EQ(read32(kCfsr), 0x00020000u);
    EXPECT_EQ(read32(kHfsr), 0x40000000u);
}

}  // namespace
}  // namespace cmsim::testing
