// The Cortex-M7 of the STM32H723 (board h723) on the real Unicorn core: its identification
// and feature registers, the memory map around it (ITCM at address 0, no bit-band), an
// interrupt on the chip's last IRQ line, and exception entry/return with a double-precision
// FP context: the extended frame reserved per FPCCR (lazy stacking), EXC_RETURN 0xFFFFFFE9.
#include <gtest/gtest.h>

#include "MachineFixture.h"

namespace cmsim::testing {
namespace {

using namespace thumb;

constexpr std::uint32_t kThread = 0x08000400;
constexpr std::uint32_t kHandler = 0x08000500;
constexpr std::uint32_t kRecord = 0x20004000;  // DTCM words the handlers write
constexpr std::uint32_t kStack = 0x20001000;   // DTCM
constexpr std::uint32_t kFpccr = 0xE000EF34, kFpcar = 0xE000EF38, kCpacr = 0xE000ED88;

class M7ExceptionTest : public MachineFixture {
  protected:
    M7ExceptionTest() : MachineFixture(nucleoH723zgBoard()) {}

    // Handler: d0 += d1 (double precision), *record = s1 (the high word of d0); return.
    void doubleAddHandler(std::uint32_t at, std::uint32_t record) {
        code(at, {0xEE30, 0x0B01,  // vadd.f64 d0, d0, d1
                  0xEE10, 0x0A90,  // vmov r0, s1
                  ldrR1Pc(4), kStrR0R1, kBxLr, kNop});
        word(at + 16, record);
    }
    // Handler: *record = LR; return.
    void recordLrHandler(std::uint32_t at, std::uint32_t record) {
        code(at, {ldrR1Pc(8), kMovR0Lr, kStrR0R1, kBxLr, kNop, kNop});
        word(at + 12, record);
    }
    // d = hi:lo in S(2n+1):S(2n).
    void setDouble(unsigned n, std::uint32_t hi, std::uint32_t lo) {
        setReg(UC_ARM_REG_S0 + static_cast<int>(2 * n), lo);
        setReg(UC_ARM_REG_S0 + static_cast<int>(2 * n + 1), hi);
    }
};

TEST_F(M7ExceptionTest, IdentificationAndFeatureRegistersAreTheCortexM7r1p2s) {
    code(kThread, {kBSelf});
    boot(kStack, kThread);
    EXPECT_EQ(read32(0xE000ED00), 0x411FC272u);  // CPUID: r1p2
    EXPECT_EQ(read32(0xE000ED14), 0x00040200u);  // CCR: BP, STKALIGN; caches off
    EXPECT_EQ(read32(0xE000ED08), 0x08000000u);  // VTOR resets to BOOT_ADD0
    EXPECT_EQ(read32(0xE000EF40), 0x10110221u);  // MVFR0: double precision
    EXPECT_EQ(read32(0xE000EF44), 0x12000011u);  // MVFR1
    EXPECT_EQ(read32(0xE000EF48), 0x00000040u);  // MVFR2
    EXPECT_EQ(read32(kFpccr), 0xC0000000u);      // ASPEN, LSPEN
    write32(0xE000ED08, 0xFFFFFFFF);
    EXPECT_EQ(read32(0xE000ED08), 0xFFFFFF80u);  // TBLOFF[31:7]
    // DBGMCU_IDC: DEV_ID 0x483 (STM32H72x/73x).
    EXPECT_EQ(read32(0x5C001000) & 0xFFFu, 0x483u);
}

TEST_F(M7ExceptionTest, AddressZeroIsTheItcmRamAndThereIsNoBitBand) {
    // Code placed in the ITCM at 0x00000100 runs as the SysTick handler.
    code(kThread, {kBSelf});
    code(0x00000100, {movs(0, 0x5A), kBxLr});
    vector(15, 0x00000100);
    boot(kStack, kThread);
    write32(0x00000200, 0x12345678);  // RAM, not a read-only flash alias
    EXPECT_EQ(read32(0x00000200), 0x12345678u);
    m.core().enterException(15, kThread);
    EXPECT_EQ(reg(UC_ARM_REG_PC), 0x00000100u);
    runCycles(20);
    EXPECT_EQ(reg(UC_ARM_REG_PC), kThread);
    EXPECT_TRUE(m.board().chip.bitBand.empty());  // no bit-band alias regions on the M7
}

TEST_F(M7ExceptionTest, TheLastIrqLineTim24IsTakenThroughItsVector) {
    code(kThread, {kBSelf});
    recordLrHandler(kHandler, kRecord);
    vector(16 + 162, kHandler);
    boot(kStack, kThread);
    EXPECT_EQ(read32(0xE000E004) & 0xFu, 5u);  // ICTR.INTLINESNUM: 6 x 32 lines
    write32(0xE000E100 + 4 * 5, 1u << 2);      // ISER5: IRQ 162
    write32(0xE000E200 + 4 * 5, 1u << 2);      // ISPR5
    runCycles(100);
    EXPECT_EQ(read32(kRecord), 0xFFFFFFF9u);
    bool seen = false;
    for (const auto& e : exceptionLog)
        seen |= e.kind == ExceptionEvent::Kind::Entry && e.number == 16 + 162;
    EXPECT_TRUE(seen);
}

TEST_F(M7ExceptionTest, DoublePrecisionContextGetsTheLazilyStackedExtendedFrameAndExcReturnE9) {
    code(kThread, {kBSelf});
    doubleAddHandler(kHandler, kRecord);
    vector(15, kHandler);
    boot(kStack, kThread);
    write32(kCpacr, 0x00F00000);  // CP10/CP11 full access, as Reset_Handler does
    ASSERT_EQ(read32(kFpccr) & 0xC0000000u, 0xC0000000u);  // ASPEN + LSPEN: lazy stacking
    setReg(UC_ARM_REG_CONTROL, 0x4);                       // FPCA: the thread used the FPU
    setDouble(0, 0x3FF80000, 0x00000000);                  // d0 = 1.5
    setDouble(1, 0x40020000, 0x00000000);                  // d1 = 2.25
    for (unsigned i = 4; i < 16; ++i) setReg(UC_ARM_REG_S0 + static_cast<int>(i), 0x1000u + i);
    setReg(UC_ARM_REG_FPSCR, 0x02000000);  // DN

    m.core().enterException(15, kThread);
    // Extended frame: 8 words + S0-S15 + FPSCR + reserved = 0x68 bytes below the 8-byte
    // aligned SP; FPCAR points at its S0 slot (ARMv7-M ARM B1.5.7, B3.2.22).
    const std::uint32_t frame = kStack - 0x68;
    EXPECT_EQ(reg(UC_ARM_REG_MSP), frame);
    EXPECT_EQ(reg(UC_ARM_REG_LR), 0xFFFFFFE9u);  // Thread, MSP, FP frame
    EXPECT_EQ(reg(UC_ARM_REG_CONTROL) & 0x4u, 0u);
    EXPECT_EQ(read32(kFpcar), frame + 0x20);
    EXPECT_EQ(read32(frame + 0x18), kThread);
    EXPECT_EQ(read32(frame + 0x20), 0x00000000u);  // S0 (low half of d0)
    EXPECT_EQ(read32(frame + 0x24), 0x3FF80000u);  // S1 (high half of d0)
    EXPECT_EQ(read32(frame + 0x2C), 0x40020000u);  // S3 (high half of d1)
    for (std::uint32_t i = 4; i < 16; ++i) EXPECT_EQ(read32(frame + 0x20 + 4 * i), 0x1000u + i);
    EXPECT_EQ(read32(frame + 0x60), 0x02000000u);  // FPSCR

    runCycles(60);
    EXPECT_EQ(read32(kRecord), 0x400E0000u);  // the handler computed 1.5 + 2.25 = 3.75
    // The return restored d0 from the frame and re-entered Thread mode with FPCA set.
    EXPECT_EQ(reg(UC_ARM_REG_S0), 0x00000000u);
    EXPECT_EQ(reg(UC_ARM_REG_S1), 0x3FF80000u);
    EXPECT_EQ(reg(UC_ARM_REG_FPSCR), 0x02000000u);
    EXPECT_EQ(reg(UC_ARM_REG_CONTROL) & 0x4u, 0x4u);
    EXPECT_EQ(reg(UC_ARM_REG_SP), kStack);
    EXPECT_EQ(reg(UC_ARM_REG_PC), kThread);
}

TEST_F(M7ExceptionTest, WithoutLazyStackingTheFrameIsTheSameAndTheStateRestored) {
    code(kThread, {kBSelf});
    doubleAddHandler(kHandler, kRecord);
    vector(15, kHandler);
    boot(kStack, kThread);
    write32(kCpacr, 0x00F00000);
    write32(kFpccr, 0x80000000);  // ASPEN only: FP state stacked at entry
    setReg(UC_ARM_REG_CONTROL, 0x4);
    setDouble(0, 0x3FF80000, 0x00000000);
    setDouble(1, 0x40020000, 0x00000000);
    m.core().enterException(15, kThread);
    const std::uint32_t frame = kStack - 0x68;
    EXPECT_EQ(reg(UC_ARM_REG_LR), 0xFFFFFFE9u);
    EXPECT_EQ(read32(frame + 0x24), 0x3FF80000u);
    runCycles(60);
    EXPECT_EQ(read32(kRecord), 0x400E0000u);
    EXPECT_EQ(reg(UC_ARM_REG_S1), 0x3FF80000u);
    EXPECT_EQ(reg(UC_ARM_REG_PC), kThread);
}

TEST_F(M7ExceptionTest, NoFpContextGivesTheBasicFrameAndExcReturnF9) {
    code(kThread, {kBSelf});
    recordLrHandler(kHandler, kRecord);
    vector(15, kHandler);
    boot(kStack, kThread);
    m.core().enterException(15, kThread);
    EXPECT_EQ(reg(UC_ARM_REG_MSP), kStack - 0x20);
    runCycles(50);
    EXPECT_EQ(read32(kRecord), 0xFFFFFFF9u);
    EXPECT_EQ(reg(UC_ARM_REG_SP), kStack);
}

}  // namespace
}  // namespace cmsim::testing
