// Exception entry, return and tail-chaining on the real Unicorn core, checked against the
// ARMv7-M ARM pseudocode (B1.5.6 PushStack/ExceptionTaken, B1.5.8 ExceptionReturn/
// PopStack, B1.5.12 tail-chaining): stacked frames word by word, EXC_RETURN values, the
// stack chosen, and the cycles charged.
#include <gtest/gtest.h>

#include "CycleModel.h"
#include "MachineFixture.h"

namespace cmsim::testing {
namespace {

using namespace thumb;

constexpr std::uint32_t kThread = 0x08000100;
constexpr std::uint32_t kSysTickHandler = 0x08000200;
constexpr std::uint32_t kPendSvHandler = 0x08000240;
constexpr std::uint32_t kSvcHandler = 0x08000280;
constexpr std::uint32_t kIrqHandler = 0x080002C0;
constexpr std::uint32_t kTask = 0x08000300;
constexpr std::uint32_t kRecord = 0x20004000;  // words the handlers write
constexpr std::uint32_t kIcsr = 0xE000ED04, kShpr3 = 0xE000ED20, kStCsr = 0xE000E010,
                        kStRvr = 0xE000E014, kStCvr = 0xE000E018;

class ExceptionTest : public MachineFixture {
protected:
    // Handler: *record = LR; return.
    void recordLrHandler(std::uint32_t at, std::uint32_t record) {
        code(at, {ldrR1Pc(8), kMovR0Lr, kStrR0R1, kBxLr, kNop, kNop});
        word(at + 12, record);
    }
    // Handler: ++*counter; return.
    void countingHandler(std::uint32_t at, std::uint32_t counter) {
        code(at, {ldrR1Pc(8), kLdrR0R1, kAddsR0_1, kStrR0R1, kBxLr, kNop});
        word(at + 12, counter);
    }
    void setContext() {
        setReg(UC_ARM_REG_R0, 0xA0);
        setReg(UC_ARM_REG_R1, 0xA1);
        setReg(UC_ARM_REG_R2, 0xA2);
        setReg(UC_ARM_REG_R3, 0xA3);
        setReg(UC_ARM_REG_R12, 0xAC);
        setReg(UC_ARM_REG_LR, 0x080000F1);
        setReg(UC_ARM_REG_XPSR_NZCVQG, 0x81000000);  // N flag, Thumb
    }
};

TEST_F(ExceptionTest, EntryFromThreadOnMspStacksEightWordsAndSetsExcReturnF9) {
    code(kThread, {kBSelf});
    code(kSysTickHandler, {movs(0, 0x55), kBxLr});
    vector(15, kSysTickHandler);
    boot(0x20001000, kThread);
    setContext();

    m.core().enterException(15, kThread);

    const std::uint32_t frame = 0x20000FE0;  // 0x20001000 - 0x20, already 8-byte aligned
    EXPECT_EQ(reg(UC_ARM_REG_MSP), frame);
    EXPECT_EQ(read32(frame + 0x00), 0xA0u);
    EXPECT_EQ(read32(frame + 0x04), 0xA1u);
    EXPECT_EQ(read32(frame + 0x08), 0xA2u);
    EXPECT_EQ(read32(frame + 0x0C), 0xA3u);
    EXPECT_EQ(read32(frame + 0x10), 0xACu);
    EXPECT_EQ(read32(frame + 0x14), 0x080000F1u);
    EXPECT_EQ(read32(frame + 0x18), kThread);
    EXPECT_EQ(read32(frame + 0x1C), 0x81000000u);  // bit 9 clear: no alignment padding
    EXPECT_EQ(reg(UC_ARM_REG_LR), 0xFFFFFFF9u);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 15u);
    EXPECT_EQ(reg(UC_ARM_REG_PC), kSysTickHandler);
    EXPECT_TRUE(m.nvic().isActive(15));

    runCycles(50);
    // PopStack restored R0 (the handler wrote 0x55), flags, SP, and Thread mode.
    EXPECT_EQ(reg(UC_ARM_REG_R0), 0xA0u);
    EXPECT_EQ(reg(UC_ARM_REG_R12), 0xACu);
    EXPECT_EQ(reg(UC_ARM_REG_LR), 0x080000F1u);
    EXPECT_EQ(reg(UC_ARM_REG_XPSR) & 0xF0000000u, 0x80000000u);
    EXPECT_EQ(reg(UC_ARM_REG_SP), 0x20001000u);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 0u);
    EXPECT_EQ(reg(UC_ARM_REG_PC), kThread);
    EXPECT_FALSE(m.nvic().isActive(15));
}

TEST_F(ExceptionTest, UnalignedStackIsRealignedAndBit9OfStackedXpsrRecordsIt) {
    code(kThread, {kBSelf});
    code(kSysTickHandler, {kBxLr});
    vector(15, kSysTickHandler);
    boot(0x20001000, kThread);
    setReg(UC_ARM_REG_SP, 0x20001004);
    setContext();

    m.core().enterException(15, kThread);

    // (0x20001004 - 0x20) & ~4 = 0x20000FE0 (CCR.STKALIGN = 1 at reset).
    EXPECT_EQ(reg(UC_ARM_REG_MSP), 0x20000FE0u);
    EXPECT_EQ(read32(0x20000FE0 + 0x1C), 0x81000200u);
    runCycles(20);
    EXPECT_EQ(reg(UC_ARM_REG_SP), 0x20001004u);
    EXPECT_EQ(reg(UC_ARM_REG_PC), kThread);
}

TEST_F(ExceptionTest, EntryFromThreadOnPspStacksOnPspAndReturnsWithFd) {
    code(kThread, {kBSelf});
    recordLrHandler(kSysTickHandler, kRecord);
    vector(15, kSysTickHandler);
    boot(0x20001000, kThread);
    setReg(UC_ARM_REG_PSP, 0x20002000);
    setReg(UC_ARM_REG_CONTROL, 0x2);  // SPSEL: Thread mode on PSP
    ASSERT_EQ(reg(UC_ARM_REG_SP), 0x20002000u);
    setContext();

    m.core().enterException(15, kThread);
    EXPECT_EQ(reg(UC_ARM_REG_PSP), 0x20001FE0u);
    EXPECT_EQ(reg(UC_ARM_REG_MSP), 0x20001000u);
    EXPECT_EQ(reg(UC_ARM_REG_SP), 0x20001000u);  // handlers run on MSP
    EXPECT_EQ(reg(UC_ARM_REG_CONTROL) & 0x2u, 0u);  // CONTROL.SPSEL = 0 in Handler mode
    EXPECT_EQ(read32(0x20001FE0 + 0x18), kThread);

    runCycles(50);
    EXPECT_EQ(read32(kRecord), 0xFFFFFFFDu);
    EXPECT_EQ(reg(UC_ARM_REG_SP), 0x20002000u);
    EXPECT_EQ(reg(UC_ARM_REG_CONTROL) & 0x2u, 0x2u);
    EXPECT_EQ(reg(UC_ARM_REG_PC), kThread);
}

TEST_F(ExceptionTest, UnprivilegedThreadKeepsNPrivAcrossAnException) {
    code(kThread, {kBSelf});
    code(kSysTickHandler, {kBxLr});
    vector(15, kSysTickHandler);
    boot(0x20001000, kThread);
    setReg(UC_ARM_REG_PSP, 0x20002000);
    setReg(UC_ARM_REG_CONTROL, 0x3);  // unprivileged, PSP
    ASSERT_EQ(reg(UC_ARM_REG_CONTROL), 0x3u);

    m.core().enterException(15, kThread);
    EXPECT_EQ(reg(UC_ARM_REG_CONTROL), 0x1u);  // nPRIV kept, SPSEL cleared
    EXPECT_EQ(reg(UC_ARM_REG_PSP), 0x20001FE0u);
    EXPECT_EQ(reg(UC_ARM_REG_MSP), 0x20001000u);

    runCycles(20);
    EXPECT_EQ(reg(UC_ARM_REG_CONTROL), 0x3u);
    EXPECT_EQ(reg(UC_ARM_REG_SP), 0x20002000u);
    EXPECT_EQ(reg(UC_ARM_REG_PC), kThread);
}

TEST_F(ExceptionTest, FpContextGivesTheExtendedFrameAndExcReturnE9) {
    code(kThread, {kBSelf});
    // Handler clobbers S0 (vmov s0, r0) before returning.
    code(kSysTickHandler, {movs(0, 0), 0xEE00, 0x0A10, kBxLr});
    vector(15, kSysTickHandler);
    boot(0x20001000, kThread);
    setReg(UC_ARM_REG_CONTROL, 0x4);  // FPCA: the thread has FP context
    for (int i = 0; i < 16; ++i) setReg(UC_ARM_REG_S0 + i, 0x3F800000u + static_cast<std::uint32_t>(i));
    setReg(UC_ARM_REG_FPSCR, 0x02000000);  // DN
    setContext();

    m.core().enterException(15, kThread);
    const std::uint32_t frame = 0x20001000 - 0x68;  // 0x20000F98
    EXPECT_EQ(reg(UC_ARM_REG_MSP), frame);
    EXPECT_EQ(reg(UC_ARM_REG_LR), 0xFFFFFFE9u);
    EXPECT_EQ(reg(UC_ARM_REG_CONTROL) & 0x4u, 0u);  // FPCA cleared for the handler
    EXPECT_EQ(read32(frame + 0x18), kThread);
    for (std::uint32_t i = 0; i < 16; ++i) EXPECT_EQ(read32(frame + 0x20 + 4 * i), 0x3F800000u + i);
    EXPECT_EQ(read32(frame + 0x60), 0x02000000u);
    EXPECT_EQ(m.scb().value(Scb::kFpcar), frame + 0x20);  // LSPEN is set at reset

    runCycles(50);
    EXPECT_EQ(reg(UC_ARM_REG_S0), 0x3F800000u);
    EXPECT_EQ(reg(UC_ARM_REG_FPSCR), 0x02000000u);
    EXPECT_EQ(reg(UC_ARM_REG_CONTROL) & 0x4u, 0x4u);  // FPCA = NOT(EXC_RETURN<4>)
    EXPECT_EQ(reg(UC_ARM_REG_SP), 0x20001000u);
}

TEST_F(ExceptionTest, TailChainsWithoutUnstackingAndChargesTheCycleModel) {
    code(kThread, {kBSelf});
    code(kSysTickHandler, {kBxLr});
    recordLrHandler(kPendSvHandler, kRecord);
    vector(15, kSysTickHandler);
    vector(14, kPendSvHandler);
    boot(0x20001000, kThread);
    write32(kShpr3, 0x40800000);  // SysTick 0x40 (higher), PendSV 0x80
    write32(kIcsr, (1u << 28) | (1u << 26));  // PENDSVSET | PENDSTSET
    const Cycles t0 = m.time().now();

    runCycles(100);

    ASSERT_EQ(exceptionLog.size(), 3u);
    EXPECT_EQ(exceptionLog[0].kind, ExceptionEvent::Kind::Entry);
    EXPECT_EQ(exceptionLog[0].number, 15u);
    EXPECT_EQ(exceptionLog[1].kind, ExceptionEvent::Kind::TailChain);
    EXPECT_EQ(exceptionLog[1].number, 14u);
    EXPECT_EQ(exceptionLog[2].kind, ExceptionEvent::Kind::Return);
    EXPECT_EQ(exceptionLog[2].number, 14u);
    // One frame for both handlers: the tail-chained one sees the same EXC_RETURN and SP.
    EXPECT_EQ(read32(kRecord), 0xFFFFFFF9u);
    EXPECT_EQ(exceptionLog[1].frameAddress, exceptionLog[0].frameAddress);
    // Entry 12, SysTick's bx lr 1, tail-chain 6, PendSV's 4 instructions, return 10.
    using namespace cycle_model;
    EXPECT_EQ(exceptionLog[0].cycle, t0 + kExceptionEntry);
    EXPECT_EQ(exceptionLog[1].cycle, t0 + kExceptionEntry + 1 + kTailChain);
    EXPECT_EQ(exceptionLog[2].cycle, t0 + kExceptionEntry + 1 + kTailChain + 4 + kExceptionReturn);
    EXPECT_EQ(reg(UC_ARM_REG_PC), kThread);
}

TEST_F(ExceptionTest, HigherPriorityPreemptsAHandlerWithExcReturnF1) {
    code(kThread, {kBSelf});
    code(kPendSvHandler, {kBSelf});  // spins in the low-priority handler
    recordLrHandler(kSysTickHandler, kRecord);
    vector(14, kPendSvHandler);
    vector(15, kSysTickHandler);
    boot(0x20001000, kThread);
    write32(kShpr3, 0x00F00000);  // SysTick 0x00, PendSV 0xF0
    write32(kIcsr, 1u << 28);
    runCycles(50);
    ASSERT_EQ(reg(UC_ARM_REG_IPSR), 14u);

    write32(kIcsr, 1u << 26);  // SysTick pends while PendSV runs
    runCycles(50);

    EXPECT_EQ(read32(kRecord), 0xFFFFFFF1u);  // nested: return to Handler mode on MSP
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 14u);      // back in PendSV
    ASSERT_GE(exceptionLog.size(), 3u);
    EXPECT_EQ(exceptionLog[1].number, 15u);
    EXPECT_EQ(exceptionLog[1].pc, kPendSvHandler);  // preempted PC inside PendSV
}

TEST_F(ExceptionTest, EqualPriorityDoesNotPreempt) {
    code(kThread, {kBSelf});
    code(kPendSvHandler, {kBSelf});
    code(kSysTickHandler, {kBxLr});
    vector(14, kPendSvHandler);
    vector(15, kSysTickHandler);
    boot(0x20001000, kThread);
    write32(kShpr3, 0x80800000);  // both 0x80
    write32(kIcsr, 1u << 28);
    runCycles(50);
    write32(kIcsr, 1u << 26);
    runCycles(100);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 14u);
    EXPECT_TRUE(m.nvic().isPending(15));
}

TEST_F(ExceptionTest, BasepriMasksLowerPriorityInterruptsOnly) {
    code(kThread, {kBSelf});
    countingHandler(kIrqHandler, kRecord);
    vector(16 + 38, kIrqHandler);  // USART2
    vector(16 + 6, kIrqHandler);   // EXTI0
    boot(0x20001000, kThread);
    write32(0xE000E100 + 4, 1u << (38 - 32));  // ISER1: enable IRQ 38
    write32(0xE000E100, 1u << 6);              // ISER0: enable IRQ 6
    m.nvic().setPriorityByte(16 + 38, 0x80);
    m.nvic().setPriorityByte(16 + 6, 0x20);
    setReg(UC_ARM_REG_BASEPRI, 0x40);

    m.nvic().setPending(16 + 38);
    runCycles(100);
    EXPECT_EQ(read32(kRecord), 0u);
    EXPECT_TRUE(m.nvic().isPending(16 + 38));

    m.nvic().setPending(16 + 6);
    runCycles(100);
    EXPECT_EQ(read32(kRecord), 1u);
    EXPECT_TRUE(m.nvic().isPending(16 + 38));

    setReg(UC_ARM_REG_BASEPRI, 0);
    runCycles(100);
    EXPECT_EQ(read32(kRecord), 2u);
}

TEST_F(ExceptionTest, PrimaskHoldsOffEverythingButLetsWfiWake) {
    code(kThread, {kWfi, movs(2, 0x77), kBSelf});
    countingHandler(kSysTickHandler, kRecord);
    vector(15, kSysTickHandler);
    boot(0x20001000, kThread);
    setReg(UC_ARM_REG_PRIMASK, 1);
    write32(kStRvr, 999);
    write32(kStCvr, 0);
    write32(kStCsr, 0x7);
    runCycles(1500);
    // WFI woke at the wrap (1000 cycles), the handler did not run, execution went on.
    EXPECT_EQ(read32(kRecord), 0u);
    EXPECT_EQ(reg(UC_ARM_REG_R2), 0x77u);
    EXPECT_TRUE(m.nvic().isPending(15));
}

TEST_F(ExceptionTest, WfiSleepsUntilTheNextSysTickWithTimeJumpingStraightThere) {
    code(kThread, {kWfi, kBSelf});
    countingHandler(kSysTickHandler, kRecord);
    vector(15, kSysTickHandler);
    boot(0x20001000, kThread);
    write32(kStRvr, 999);
    write32(kStCvr, 0);
    const Cycles enabledAt = m.time().now();
    write32(kStCsr, 0x7);  // ENABLE | TICKINT | CLKSOURCE (processor clock)

    runCycles(4500);

    // Wraps at +1000, +2000, +3000, +4000; the first one wakes the WFI.
    EXPECT_EQ(read32(kRecord), 4u);
    ASSERT_FALSE(exceptionLog.empty());
    EXPECT_EQ(exceptionLog[0].number, 15u);
    EXPECT_EQ(exceptionLog[0].cycle, enabledAt + 1000 + cycle_model::kExceptionEntry);
    EXPECT_EQ(exceptionLog[0].pc, kThread + 2);  // returns after the WFI
}

TEST_F(ExceptionTest, SvcIsTakenAtOnceWithTheReturnAddressAfterTheSvc) {
    code(kThread, {svc(5), kBSelf});
    code(kSvcHandler, {ldrR0Sp(24), ldrR1Pc(8), kStrR0R1, kBxLr, kNop, kNop});
    word(kSvcHandler + 12, kRecord);
    vector(11, kSvcHandler);
    boot(0x20001000, kThread);
    runCycles(100);
    EXPECT_EQ(read32(kRecord), kThread + 2);
    EXPECT_EQ(reg(UC_ARM_REG_PC), kThread + 2);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 0u);
}

TEST_F(ExceptionTest, DummyTaskFrameWithThumbBitInStackedPcRunsAndIsReportedOnce) {
    code(kThread, {kBSelf});
    code(kPendSvHandler, {kBxLr});
    code(kTask, {movs(0, 0x42), kBSelf});
    vector(14, kPendSvHandler);
    boot(0x20001000, kThread);
    // A kernel's initial frame for a task: R0-R3, R12, LR, PC = function pointer (Thumb
    // bit set), xPSR = T.
    const std::uint32_t frame = 0x20003000 - 0x20;
    for (std::uint32_t i = 0; i < 6; ++i) write32(frame + 4 * i, 0);
    write32(frame + 0x18, kTask | 1u);
    write32(frame + 0x1C, 0x01000000);
    m.core().enterException(14, kThread);
    setReg(UC_ARM_REG_PSP, frame);
    setReg(UC_ARM_REG_LR, 0xFFFFFFFD);

    runCycles(50);
    EXPECT_EQ(reg(UC_ARM_REG_R0), 0x42u);
    EXPECT_EQ(reg(UC_ARM_REG_PC), kTask + 2);
    EXPECT_EQ(reg(UC_ARM_REG_SP), 0x20003000u);
    EXPECT_EQ(reg(UC_ARM_REG_CONTROL) & 0x2u, 0x2u);
    EXPECT_EQ(m.diagnostics().count(DiagnosticKind::FirmwareMistake), 1u);
    EXPECT_NE(m.diagnostics().all().at(0).message.find("bit 0 set"), std::string::npos);
}

TEST_F(ExceptionTest, ReturnToHandlerModeWithOnlyOneActiveExceptionIsInvpc) {
    code(kThread, {kBSelf});
    code(kSysTickHandler, {kBxLr});
    vector(15, kSysTickHandler);
    boot(0x20001000, kThread);
    m.core().enterException(15, kThread);
    setReg(UC_ARM_REG_LR, 0xFFFFFFF1);
    m.core().setStopOnFault(true);
    const CoreStop stop = runUntilStop(50);
    EXPECT_EQ(stop.reason, CoreStop::Reason::Fault);
    EXPECT_NE(stop.message.find("INVPC"), std::string::npos) << stop.message;
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 3u);  // UsageFault is disabled at reset: HardFault
}

TEST_F(ExceptionTest, ReadOfUnmappedAddressWithStopOnFaultStopsNamingAddressAndInstruction) {
    // ldr r1, [pc, #4]; ldr r0, [r1]; b .; .word 0x40080000 (reserved on the F407)
    code(kThread, {ldrR1Pc(4), kLdrR0R1, kBSelf, kNop});
    word(kThread + 8, 0x40080000);
    boot(0x20001000, kThread);
    m.core().setStopOnFault(true);
    const CoreStop stop = runUntilStop(50);
    EXPECT_EQ(stop.reason, CoreStop::Reason::Fault);
    EXPECT_NE(stop.message.find("BusFault escalated to HardFault: precise data bus error: read at "
                                "0x40080000 (nothing mapped there) by \"ldr r0, [r1]\""),
              std::string::npos)
        << stop.message;
}

TEST_F(ExceptionTest, SysTickFiresEveryRvrPlusOneCyclesOnTheProcessorClock) {
    code(kThread, {kBSelf});
    countingHandler(kSysTickHandler, kRecord);
    vector(15, kSysTickHandler);
    boot(0x20001000, kThread);
    write32(kStRvr, 9999);
    write32(kStCvr, 0);
    const Cycles enabledAt = m.time().now();
    write32(kStCsr, 0x7);
    runCycles(100'500);
    ASSERT_EQ(read32(kRecord), 10u);
    std::vector<Cycles> entries;
    for (const auto& e : exceptionLog) {
        if (e.kind == ExceptionEvent::Kind::Entry) entries.push_back(e.cycle);
    }
    ASSERT_EQ(entries.size(), 10u);
    // Taken at the first block boundary at or after each wrap: the thread is a 1-cycle
    // block, so exactly at the wrap, plus the entry cost.
    for (std::size_t i = 0; i < entries.size(); ++i) {
        EXPECT_EQ(entries[i], enabledAt + 10000 * (i + 1) + cycle_model::kExceptionEntry) << i;
    }
}

TEST_F(ExceptionTest, FpContextOnPspGivesExcReturnEdAndRestoresControl) {
    code(kThread, {kBSelf});
    recordLrHandler(kSysTickHandler, kRecord);
    vector(15, kSysTickHandler);
    boot(0x20001000, kThread);
    setReg(UC_ARM_REG_PSP, 0x20002000);
    setReg(UC_ARM_REG_CONTROL, 0x6);  // SPSEL | FPCA
    setReg(UC_ARM_REG_S15, 0x40490FDB);

    m.core().enterException(15, kThread);
    EXPECT_EQ(reg(UC_ARM_REG_PSP), 0x20002000u - 0x68u);
    EXPECT_EQ(read32(0x20002000 - 0x68 + 0x20 + 15 * 4), 0x40490FDBu);  // S15 in the frame

    runCycles(50);
    EXPECT_EQ(read32(kRecord), 0xFFFFFFEDu);
    EXPECT_EQ(reg(UC_ARM_REG_CONTROL), 0x6u);
    EXPECT_EQ(reg(UC_ARM_REG_SP), 0x20002000u);
}

TEST_F(ExceptionTest, PreemptingAHandlerWithFpContextGivesExcReturnE1) {
    code(kThread, {kBSelf});
    code(kPendSvHandler, {kBSelf});
    recordLrHandler(kSysTickHandler, kRecord);
    vector(14, kPendSvHandler);
    vector(15, kSysTickHandler);
    boot(0x20001000, kThread);
    m.core().enterException(14, kThread);      // now in PendSV, MSP = 0x20000FE0
    setReg(UC_ARM_REG_CONTROL, 0x4);           // the handler has used the FPU
    m.core().enterException(15, kPendSvHandler);
    EXPECT_EQ(reg(UC_ARM_REG_MSP), 0x20000FE0u - 0x68u);
    runCycles(50);
    EXPECT_EQ(read32(kRecord), 0xFFFFFFE1u);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 14u);
    EXPECT_EQ(reg(UC_ARM_REG_CONTROL) & 0x4u, 0x4u);
    EXPECT_EQ(reg(UC_ARM_REG_MSP), 0x20000FE0u);
}

TEST_F(ExceptionTest, WfeSleepsUntilAnException) {
    code(kThread, {0xBF20 /* wfe */, movs(2, 0x77), kBSelf});
    countingHandler(kSysTickHandler, kRecord);
    vector(15, kSysTickHandler);
    boot(0x20001000, kThread);
    write32(kStRvr, 999);
    write32(kStCvr, 0);
    const Cycles enabledAt = m.time().now();
    write32(kStCsr, 0x7);
    runCycles(1500);
    ASSERT_FALSE(exceptionLog.empty());
    EXPECT_EQ(exceptionLog[0].cycle, enabledAt + 1000 + cycle_model::kExceptionEntry);
    EXPECT_EQ(exceptionLog[0].pc, kThread + 2);
    EXPECT_EQ(reg(UC_ARM_REG_R2), 0x77u);
}

TEST_F(ExceptionTest, WfeAfterSevFallsThroughWithoutSleeping) {
    // The event register is clear at reset (B1.5.18); SEV sets it, WFE consumes it.
    code(kThread, {0xBF40 /* sev */, 0xBF20 /* wfe */, movs(3, 0x88), 0xBF20 /* wfe */,
                   movs(3, 0x99), kBSelf});
    boot(0x20001000, kThread);
    runCycles(1000);
    EXPECT_EQ(reg(UC_ARM_REG_R3), 0x88u);
    // The second WFE finds the event register consumed and sleeps: nothing wakes it.
    EXPECT_TRUE(m.core().sleeping());
}

TEST_F(ExceptionTest, ExecutionWatchReportsTheExactStartCycleOfTheInstruction) {
    code(kThread, {kNop, kNop, kBSelf});
    boot(0x20001000, kThread);
    const Cycles t0 = m.time().now();
    std::vector<Cycles> secondNop, loop;
    m.core().watchExecution(kThread + 2, [&](std::uint32_t, Cycles c) { secondNop.push_back(c); });
    std::uint64_t loopWatch = 0;
    loopWatch = m.core().watchExecution(kThread + 4, [&](std::uint32_t, Cycles c) {
        loop.push_back(c);
        if (loop.size() == 3) m.core().unwatchExecution(loopWatch);
    });
    runCycles(20);
    EXPECT_EQ(secondNop, (std::vector<Cycles>{t0 + 1}));
    // b . starts at t0+2 (inside the first block), then loops as a 1-cycle block.
    EXPECT_EQ(loop, (std::vector<Cycles>{t0 + 2, t0 + 3, t0 + 4}));
}

TEST_F(ExceptionTest, BusyLoopRunsToTheTimeLimitWithExactCycles) {
    code(kThread, {kNop, kNop, kBSelf});
    boot(0x20001000, kThread);
    const CoreStop stop = m.run(1000);
    EXPECT_EQ(stop.reason, CoreStop::Reason::TimeLimit) << stop.message;
    // Blocks: {nop, nop, b .} = 3 cycles, then {b .} = 1 cycle each: 1000 is a boundary.
    EXPECT_EQ(m.time().now(), 1000u);
    EXPECT_EQ(reg(UC_ARM_REG_PC), kThread + 4);
}

}  // namespace
}  // namespace cmsim::testing
