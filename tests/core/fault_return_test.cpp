// Faults of exception return (ARMv7-M ARM B1.5.8 ExceptionReturn): the INVPC cases,
// which DeActivate the returning exception and take UsageFault without stacking (LR =
// EXC_RETURN), the "stacked IPSR inconsistent" case, which re-stacks first, and a bus
// error while unstacking (UNSTKERR, Cortex-M4 Generic User Guide 4.3.10). Also a Thread
// mode branch to an EXC_RETURN-like value, which is a fetch from the XN System region.
#include <gtest/gtest.h>

#include "FaultFixture.h"

namespace cmsim::testing {
namespace {

using namespace thumb;
using namespace scb;

class FaultReturnTest : public FaultFixture {
  protected:
    void handlers() {
        installHandlers();
        code(kSysTick, {kBxLr});
        code(kPendSv, {kBxLr});
        boot(0x20001000, kThread);
    }
    // SysTick entered from Thread mode on MSP (frame at 0x20000FE0), then its `bx lr`
    // runs with `lr`.
    void sysTickReturnsWith(std::uint32_t lr) {
        m.core().enterException(15, kThread);
        setReg(UC_ARM_REG_LR, lr);
    }
};

TEST_F(FaultReturnTest, ReturnToHandlerWithOneActiveExceptionTakesUsageFaultWithoutStacking) {
    handlers();
    write32(kShcsr, kUsgFaultEna);
    sysTickReturnsWith(0xFFFFFFF1);
    runCycles(50);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 6u);
    EXPECT_EQ(reg(UC_ARM_REG_PC), kUsageFault);
    EXPECT_EQ(read32(kCfsr), 0x00040000u);  // INVPC
    EXPECT_EQ(read32(kHfsr), 0u);
    EXPECT_EQ(reg(UC_ARM_REG_LR), 0xFFFFFFF1u);  // 0xF0000000 + EXC_RETURN<27:0>
    EXPECT_FALSE(m.nvic().isActive(15));         // DeActivate(SysTick)
    EXPECT_TRUE(m.nvic().isActive(6));
    // No stacking: the handler finds SysTick's frame, untouched.
    EXPECT_EQ(reg(UC_ARM_REG_MSP), 0x20000FE0u);
    EXPECT_EQ(read32(0x20000FE0 + 0x18), kThread);
    ASSERT_EQ(faults.size(), 1u);
    EXPECT_EQ(faults[0].fault, 6u);
    EXPECT_EQ(faults[0].taken, 6u);
    EXPECT_EQ(faults[0].pc, kSysTick);  // the BX LR
    EXPECT_EQ(faults[0].frameAddress, 0x20000FE0u);
    EXPECT_EQ(faults[0].excReturn, 0xFFFFFFF1u);
    EXPECT_EQ(faults[0].what,
              "invalid exception return (INVPC): EXC_RETURN 0xfffffff1 from SysTick: returns "
              "to Handler mode but no other exception is active");
    ASSERT_FALSE(exceptionLog.empty());
    EXPECT_EQ(exceptionLog.back().kind, ExceptionEvent::Kind::TailChain);
    EXPECT_EQ(exceptionLog.back().number, 6u);
}

TEST_F(FaultReturnTest, InvpcWithUsageFaultDisabledEscalatesToHardFault) {
    handlers();
    sysTickReturnsWith(0xFFFFFFF1);
    runCycles(50);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 3u);
    EXPECT_EQ(read32(kCfsr), 0x00040000u);
    EXPECT_EQ(read32(kHfsr), 0x40000000u);  // FORCED
    EXPECT_EQ(reg(UC_ARM_REG_LR), 0xFFFFFFF1u);
    EXPECT_EQ(reg(UC_ARM_REG_MSP), 0x20000FE0u);
}

TEST_F(FaultReturnTest, IllegalExcReturnIsInvpcAndKeepsBitZeroInLr) {
    handlers();
    write32(kShcsr, kUsgFaultEna);
    // EXC_RETURN<3:0> = 0b1000: not a return to Handler, Thread/MSP or Thread/PSP. Bit 0
    // travels through EPSR.T, and the handler must see it clear.
    sysTickReturnsWith(0xFFFFFFF8);
    runCycles(50);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 6u);
    EXPECT_EQ(read32(kCfsr), 0x00040000u);
    EXPECT_EQ(reg(UC_ARM_REG_LR), 0xFFFFFFF8u);
    ASSERT_EQ(faults.size(), 1u);
    EXPECT_NE(
        faults[0].what.find("EXC_RETURN 0xfffffff8 from SysTick: not a valid EXC_RETURN value"),
        std::string::npos)
        << faults[0].what;
}

TEST_F(FaultReturnTest, ReturnFromAnInactiveExceptionIsInvpc) {
    handlers();
    write32(kShcsr, kUsgFaultEna);
    sysTickReturnsWith(0xFFFFFFF9);
    m.nvic().setActive(15, false);  // as a handler clearing SHCSR.SYSTICKACT would
    runCycles(50);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 6u);
    EXPECT_EQ(read32(kCfsr), 0x00040000u);
    EXPECT_EQ(reg(UC_ARM_REG_LR), 0xFFFFFFF9u);
    ASSERT_EQ(faults.size(), 1u);
    EXPECT_NE(faults[0].what.find("not active"), std::string::npos) << faults[0].what;
}

TEST_F(FaultReturnTest, ReturnToThreadWithNestingAndNonBaseThrdEnaClearIsInvpc) {
    handlers();
    write32(kShcsr, kUsgFaultEna);
    write32(kShpr3, 0xF0F00000);  // SysTick and PendSV at 0xF0: UsageFault (0) preempts
    m.core().enterException(15, kThread);
    m.core().enterException(14, kSysTick);
    setReg(UC_ARM_REG_LR, 0xFFFFFFF9);
    runCycles(50);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 6u);
    EXPECT_EQ(read32(kCfsr), 0x00040000u);
    EXPECT_EQ(read32(kHfsr), 0u);
    EXPECT_EQ(reg(UC_ARM_REG_LR), 0xFFFFFFF9u);
    EXPECT_FALSE(m.nvic().isActive(14));
    EXPECT_TRUE(m.nvic().isActive(15));
    EXPECT_EQ(reg(UC_ARM_REG_MSP), 0x20000FC0u);  // PendSV's frame, not popped
}

TEST_F(FaultReturnTest, StackedIpsrInconsistentWithExcReturnRestacksThenTakesUsageFault) {
    handlers();
    write32(kShcsr, kUsgFaultEna);
    write32(kShpr3, 0xF0F00000);
    write32(kCcr, 0x201);  // STKALIGN | NONBASETHRDENA: the return to Thread is allowed
    m.core().enterException(15, kThread);
    setReg(UC_ARM_REG_R0, 0x1234);
    setReg(UC_ARM_REG_R12, 0xC0DE);
    m.core().enterException(14, kSysTick);  // frame at 0x20000FC0, stacked IPSR = 15
    setReg(UC_ARM_REG_R0, 0x5555);
    setReg(UC_ARM_REG_LR, 0xFFFFFFF9);  // to Thread mode, but the frame says Handler
    runCycles(50);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 6u);
    EXPECT_EQ(read32(kCfsr), 0x00040000u);
    EXPECT_EQ(reg(UC_ARM_REG_LR), 0xFFFFFFF9u);
    // PopStack ran (the handler sees the popped registers), then PushStack put the same
    // frame back at the same place.
    EXPECT_EQ(reg(UC_ARM_REG_R0), 0x1234u);
    EXPECT_EQ(reg(UC_ARM_REG_R12), 0xC0DEu);
    EXPECT_EQ(reg(UC_ARM_REG_MSP), 0x20000FC0u);
    EXPECT_EQ(read32(0x20000FC0 + 0x00), 0x1234u);
    EXPECT_EQ(read32(0x20000FC0 + 0x18), kSysTick);
    EXPECT_EQ(read32(0x20000FC0 + 0x1C) & 0x1FFu, 15u);
    EXPECT_FALSE(m.nvic().isActive(14));
    EXPECT_TRUE(m.nvic().isActive(15));
    ASSERT_EQ(faults.size(), 1u);
    EXPECT_NE(faults[0].what.find("returns to Thread mode but the stacked IPSR is 15"),
              std::string::npos)
        << faults[0].what;
}

TEST_F(FaultReturnTest, InvpcFromNmiPreemptingHardFaultLocksUp) {
    handlers();
    code(kNmi, {kBxLr});
    m.core().enterException(3, kThread);
    m.core().enterException(2, kHardFault);
    setReg(UC_ARM_REG_LR, 0xFFFFFFF5);  // illegal; after DeActivate(NMI) HardFault is active
    const CoreStop stop = runUntilStop(50);
    EXPECT_EQ(stop.reason, CoreStop::Reason::Lockup);
    EXPECT_EQ(
        stop.message.rfind("lockup at 0x08000340: UsageFault (invalid exception return (INVPC): "
                           "EXC_RETURN 0xfffffff5 from NMI",
                           0),
        0u)
        << stop.message;
    EXPECT_EQ(read32(kCfsr), 0x00040000u);
    ASSERT_EQ(faults.size(), 1u);
    EXPECT_TRUE(faults[0].lockup);
}

TEST_F(FaultReturnTest, StopOnFaultNamesTheInvalidExcReturnInWords) {
    handlers();
    m.core().setStopOnFault(true);
    sysTickReturnsWith(0xFFFFFFF1);
    const CoreStop stop = runUntilStop(50);
    EXPECT_EQ(stop.reason, CoreStop::Reason::Fault);
    EXPECT_EQ(stop.message,
              "UsageFault escalated to HardFault: invalid exception return (INVPC): EXC_RETURN "
              "0xfffffff1 from SysTick: returns to Handler mode but no other exception is "
              "active at 0x080002c0");
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 3u);  // stopped in the handler, frame as silicon leaves it
}

TEST_F(FaultReturnTest, UnstackingBusErrorIsUnstkerrChainedWithoutMovingTheStack) {
    handlers();
    m.core().enterException(14, kThread);
    setReg(UC_ARM_REG_PSP, 0x60000000);  // nothing mapped there on the F407
    setReg(UC_ARM_REG_LR, 0xFFFFFFFD);
    runCycles(50);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 3u);
    EXPECT_EQ(read32(kCfsr), 0x00000800u);  // UNSTKERR, BFARVALID clear
    EXPECT_EQ(read32(kHfsr), 0x40000000u);
    EXPECT_EQ(read32(kBfar), 0u);
    EXPECT_EQ(reg(UC_ARM_REG_LR), 0xFFFFFFFDu);
    EXPECT_EQ(reg(UC_ARM_REG_PSP), 0x60000000u);  // SP not adjusted
    EXPECT_FALSE(m.nvic().isActive(14));
    ASSERT_EQ(faults.size(), 1u);
    EXPECT_EQ(faults[0].pc, kPendSv);
    EXPECT_EQ(faults[0].what,
              "bus error unstacking the exception frame at 0x60000000 on PSP returning from PendSV "
              "(UNSTKERR)");
}

TEST_F(FaultReturnTest, UnstkerrWithBusFaultEnabledIsTakenAsBusFault) {
    handlers();
    write32(kShcsr, kBusFaultEna);
    m.core().enterException(14, kThread);
    setReg(UC_ARM_REG_PSP, 0x60000000);
    setReg(UC_ARM_REG_LR, 0xFFFFFFFD);
    runCycles(50);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 5u);
    EXPECT_EQ(read32(kCfsr), 0x00000800u);
    EXPECT_EQ(read32(kHfsr), 0u);
}

TEST_F(FaultReturnTest, ThreadModeBranchToExcReturnValueIsAnXnFetchFault) {
    handlers();
    // ldr r1,[pc,#4]; bx r1; nop; nop; .word 0xFFFFFFF9 -- in Thread mode this is a plain
    // branch to 0xFFFFFFF8, in the Execute Never System region (B3.1.1).
    code(kThread, {ldrR1Pc(4), 0x4708, kNop, kNop});
    word(kThread + 8, 0xFFFFFFF9);
    m.powerOnReset();
    runCycles(50);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 3u);
    EXPECT_EQ(read32(kCfsr), 0x00000001u);  // IACCVIOL, MMARVALID clear
    EXPECT_EQ(read32(kHfsr), 0x40000000u);
    EXPECT_EQ(read32(reg(UC_ARM_REG_MSP) + 0x18), 0xFFFFFFF8u);  // the fetch that failed
    EXPECT_EQ(reg(UC_ARM_REG_LR), 0xFFFFFFF9u);
}

}  // namespace
}  // namespace cmsim::testing
