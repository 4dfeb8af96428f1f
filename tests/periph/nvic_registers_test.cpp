// The NVIC register block at 0xE000E100 (ARMv7-M ARM B3.4.3, Table B3-8) and STIR at
// 0xE000EF00 (B3.4.2), on the STM32F407's 82 IRQs. Offsets are inside the block: ISER
// 0x000, ICER 0x080, ISPR 0x100, ICPR 0x180, IABR 0x200, IPR 0x300, STIR 0xE00.
// IRQ 38 is USART2 (RM0090 Table 61): word 1, bit 6 of the bit registers; IPR byte 38.
#include <gtest/gtest.h>

#include "CoreBench.h"

namespace cmsim::test {
namespace {

constexpr unsigned irq(unsigned n) { return exc::kFirstIrq + n; }
constexpr std::uint32_t kUsart2 = 38;
constexpr std::uint32_t kUsart2Bit = 1u << (kUsart2 % 32);
constexpr std::uint32_t kWord1 = 4;  // byte offset of word 1 in each bit-register array

class NvicRegistersTest : public ::testing::Test {
protected:
    CoreBench b;
    std::uint32_t read(std::uint32_t offset) { return b.nvicRegs.read(offset, 4); }
    void write(std::uint32_t offset, std::uint32_t v) { b.nvicRegs.write(offset, 4, v); }
};

// --- ISER / ICER -------------------------------------------------------------------

TEST_F(NvicRegistersTest, IserSetsEnableAndBothIserAndIcerReadIt) {
    write(NvicRegisters::kIser + kWord1, kUsart2Bit);
    EXPECT_TRUE(b.nvic.isEnabled(irq(kUsart2)));
    EXPECT_EQ(read(NvicRegisters::kIser + kWord1), kUsart2Bit);
    EXPECT_EQ(read(NvicRegisters::kIcer + kWord1), kUsart2Bit);
    EXPECT_FALSE(b.nvic.isEnabled(irq(kUsart2 + 1)));
}

TEST_F(NvicRegistersTest, WritingZeroBitsToIserDisablesNothing) {
    write(NvicRegisters::kIser + kWord1, kUsart2Bit);
    write(NvicRegisters::kIser + kWord1, 0);
    EXPECT_TRUE(b.nvic.isEnabled(irq(kUsart2)));
}

TEST_F(NvicRegistersTest, IcerClearsOnlyTheBitsWrittenAsOne) {
    write(NvicRegisters::kIser + kWord1, kUsart2Bit | (1u << 7));  // USART2, USART3
    write(NvicRegisters::kIcer + kWord1, kUsart2Bit);
    EXPECT_FALSE(b.nvic.isEnabled(irq(kUsart2)));
    EXPECT_TRUE(b.nvic.isEnabled(irq(39)));
    EXPECT_EQ(read(NvicRegisters::kIser + kWord1), 1u << 7);
}

TEST_F(NvicRegistersTest, IserByteWriteEnablesTheIrqOfThatLane) {
    // Byte 1 of ISER1 holds IRQs 40..47; bit 6 of the byte is IRQ 46.
    b.nvicRegs.write(NvicRegisters::kIser + kWord1 + 1, 1, 0x40);
    EXPECT_TRUE(b.nvic.isEnabled(irq(46)));
    EXPECT_EQ(read(NvicRegisters::kIser + kWord1), 1u << 14);
    EXPECT_EQ(b.nvicRegs.read(NvicRegisters::kIser + kWord1 + 1, 1), 0x40u);
}

TEST_F(NvicRegistersTest, IrqsStartDisabled) {
    for (std::uint32_t w = 0; w < 3; ++w) EXPECT_EQ(read(NvicRegisters::kIser + 4 * w), 0u);
}

// --- ISPR / ICPR -------------------------------------------------------------------

TEST_F(NvicRegistersTest, IsprPendsAndIcprClears) {
    write(NvicRegisters::kIspr + kWord1, kUsart2Bit);
    EXPECT_TRUE(b.nvic.isPending(irq(kUsart2)));
    EXPECT_EQ(read(NvicRegisters::kIspr + kWord1), kUsart2Bit);
    EXPECT_EQ(read(NvicRegisters::kIcpr + kWord1), kUsart2Bit);
    write(NvicRegisters::kIcpr + kWord1, kUsart2Bit);
    EXPECT_FALSE(b.nvic.isPending(irq(kUsart2)));
    EXPECT_EQ(read(NvicRegisters::kIspr + kWord1), 0u);
}

TEST_F(NvicRegistersTest, IsprPendsADisabledIrqWithoutMakingItTakeable) {
    // B3.4.6: pending state is independent of the enable.
    write(NvicRegisters::kIspr + kWord1, kUsart2Bit);
    EXPECT_TRUE(b.nvic.isPending(irq(kUsart2)));
    EXPECT_FALSE(b.nvic.anyPendingEnabled());
    write(NvicRegisters::kIser + kWord1, kUsart2Bit);
    EXPECT_EQ(b.nvic.exceptionToTake(PriorityMasks{}), irq(kUsart2));
}

TEST_F(NvicRegistersTest, PendingFromAPeripheralShowsInIspr) {
    b.ctx.raiseIrq(kUsart2);
    EXPECT_EQ(read(NvicRegisters::kIspr + kWord1), kUsart2Bit);
}

// --- IABR --------------------------------------------------------------------------

TEST_F(NvicRegistersTest, IabrReflectsActiveState) {
    EXPECT_EQ(read(NvicRegisters::kIabr + kWord1), 0u);
    b.nvic.setActive(irq(kUsart2), true);
    EXPECT_EQ(read(NvicRegisters::kIabr + kWord1), kUsart2Bit);
    b.nvic.setActive(irq(kUsart2), false);
    EXPECT_EQ(read(NvicRegisters::kIabr + kWord1), 0u);
}

TEST_F(NvicRegistersTest, IabrIsReadOnly) {
    b.nvic.setActive(irq(kUsart2), true);
    write(NvicRegisters::kIabr, 0xFFFFFFFF);
    write(NvicRegisters::kIabr + kWord1, 0);
    EXPECT_EQ(read(NvicRegisters::kIabr), 0u);
    EXPECT_EQ(read(NvicRegisters::kIabr + kWord1), kUsart2Bit);
    EXPECT_EQ(b.mistakes("read-only IABR"), 1u);  // reported once
}

// --- IPR ---------------------------------------------------------------------------

TEST_F(NvicRegistersTest, IprByteWriteSetsOneIrqPriorityMaskedToFourBits) {
    // CMSIS NVIC_SetPriority(USART2_IRQn, 15): byte store of 0xF0 to 0xE000E426.
    b.nvicRegs.write(NvicRegisters::kIpr + kUsart2, 1, 0xFF);
    EXPECT_EQ(b.nvic.priority(irq(kUsart2)), 0xF0);
    EXPECT_EQ(b.nvicRegs.read(NvicRegisters::kIpr + kUsart2, 1), 0xF0u);
    // IPR9 holds IRQs 36..39; USART2 is byte 2.
    EXPECT_EQ(read(NvicRegisters::kIpr + 36), 0x00F00000u);
}

TEST_F(NvicRegistersTest, IprWordWriteSetsFourIrqs) {
    write(NvicRegisters::kIpr + 36, 0x4F3F2F1F);
    EXPECT_EQ(b.nvic.priority(irq(36)), 0x10);
    EXPECT_EQ(b.nvic.priority(irq(37)), 0x20);
    EXPECT_EQ(b.nvic.priority(irq(38)), 0x30);
    EXPECT_EQ(b.nvic.priority(irq(39)), 0x40);
    EXPECT_EQ(read(NvicRegisters::kIpr + 36), 0x40302010u);
}

TEST_F(NvicRegistersTest, IprHalfwordWriteSetsTwoIrqs) {
    b.nvicRegs.write(NvicRegisters::kIpr + 38, 2, 0xA0B0);
    EXPECT_EQ(b.nvic.priority(irq(38)), 0xB0);
    EXPECT_EQ(b.nvic.priority(irq(39)), 0xA0);
    EXPECT_EQ(b.nvic.priority(irq(37)), 0x00);
}

// --- IRQs the F407 does not have ---------------------------------------------------

TEST_F(NvicRegistersTest, BitsForIrqsAbove81AreRazWi) {
    // ISER2 covers IRQs 64..95; only 64..81 exist (18 bits).
    write(NvicRegisters::kIser + 8, 0xFFFFFFFF);
    EXPECT_EQ(read(NvicRegisters::kIser + 8), 0x0003FFFFu);
    EXPECT_TRUE(b.nvic.isEnabled(irq(81)));  // FPU
    write(NvicRegisters::kIspr + 8, 0xFFFFFFFF);
    EXPECT_EQ(read(NvicRegisters::kIspr + 8), 0x0003FFFFu);
}

TEST_F(NvicRegistersTest, WordsBeyondTheImplementedIrqsAreRazWi) {
    write(NvicRegisters::kIser + 12, 0xFFFFFFFF);  // ISER3: IRQs 96..127
    EXPECT_EQ(read(NvicRegisters::kIser + 12), 0u);
    EXPECT_EQ(b.mistakes(), 0u);
}

TEST_F(NvicRegistersTest, PriorityBytesAbove81AreRazWi) {
    // IPR20 holds IRQs 80..83: only 80 and 81 exist.
    write(NvicRegisters::kIpr + 80, 0xFFFFFFFF);
    EXPECT_EQ(read(NvicRegisters::kIpr + 80), 0x0000F0F0u);
    b.nvicRegs.write(NvicRegisters::kIpr + 82, 1, 0xFF);
    EXPECT_EQ(b.nvicRegs.read(NvicRegisters::kIpr + 82, 1), 0u);
}

// --- STIR --------------------------------------------------------------------------

TEST_F(NvicRegistersTest, StirPendsTheIrqNamedByIntId) {
    write(NvicRegisters::kStir, kUsart2);
    EXPECT_TRUE(b.nvic.isPending(irq(kUsart2)));
    EXPECT_EQ(read(NvicRegisters::kIspr + kWord1), kUsart2Bit);
}

TEST_F(NvicRegistersTest, StirUsesOnlyIntIdBits8To0) {
    write(NvicRegisters::kStir, 0xFFFFFE00 | 5);  // bits [31:9] reserved
    EXPECT_TRUE(b.nvic.isPending(irq(5)));
}

TEST_F(NvicRegistersTest, StirForAnIrqTheChipDoesNotHaveIsReported) {
    write(NvicRegisters::kStir, 82);
    EXPECT_FALSE(b.nvic.isPending(irq(82)));
    EXPECT_EQ(b.mistakes("STIR: IRQ 82"), 1u);
    EXPECT_EQ(read(NvicRegisters::kIspr + 8), 0u);
}

}  // namespace
}  // namespace cmsim::test
