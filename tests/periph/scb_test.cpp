// The System Control Block at 0xE000ED00 (ARMv7-M ARM B3.2.2, Table B3-4) on the
// STM32F407's Cortex-M4 r0p1 with FPU, through its register interface: what firmware
// reads and writes, and the exception state (Nvic) it changes.
#include <gtest/gtest.h>

#include "CoreBench.h"

namespace cmsim::test {
namespace {

// ICSR (B3.2.4)
constexpr std::uint32_t kNmiPendSet = 1u << 31, kPendSvSet = 1u << 28, kPendSvClr = 1u << 27,
                        kPendStSet = 1u << 26, kPendStClr = 1u << 25, kIsrPending = 1u << 22,
                        kRetToBase = 1u << 11;
constexpr std::uint32_t vectPending(std::uint32_t icsr) { return (icsr >> 12) & 0x1FF; }
constexpr std::uint32_t vectActive(std::uint32_t icsr) { return icsr & 0x1FF; }
constexpr unsigned irq(unsigned n) { return exc::kFirstIrq + n; }

class ScbTest : public ::testing::Test {
protected:
    CoreBench b;
    std::uint32_t read(std::uint32_t offset) { return b.scb.read(offset, 4); }
    void write(std::uint32_t offset, std::uint32_t v) { b.scb.write(offset, 4, v); }
};

// --- identification ----------------------------------------------------------------

TEST_F(ScbTest, CpuidIdentifiesCortexM4r0p1) {
    const std::uint32_t cpuid = read(Scb::kCpuid);
    EXPECT_EQ(cpuid, 0x410FC241u);
    EXPECT_EQ(cpuid >> 24, 0x41u);             // Implementer: ARM
    EXPECT_EQ((cpuid >> 20) & 0xF, 0x0u);      // Variant: r0
    EXPECT_EQ((cpuid >> 16) & 0xF, 0xFu);      // Architecture: see the feature registers
    EXPECT_EQ((cpuid >> 4) & 0xFFF, 0xC24u);   // PartNo: Cortex-M4
    EXPECT_EQ(cpuid & 0xF, 0x1u);              // Revision: p1
}

TEST_F(ScbTest, CpuidIsReadOnly) {
    write(Scb::kCpuid, 0);
    EXPECT_EQ(read(Scb::kCpuid), 0x410FC241u);
    EXPECT_EQ(b.mistakes("read-only register CPUID"), 1u);
}

// --- ICSR --------------------------------------------------------------------------

TEST_F(ScbTest, IcsrReadsZeroWithNothingPendingOrActive) { EXPECT_EQ(read(Scb::kIcsr), 0u); }

TEST_F(ScbTest, PendSvSetPendsPendSvAndReadsBack) {
    write(Scb::kIcsr, kPendSvSet);
    EXPECT_TRUE(b.nvic.isPending(exc::kPendSv));
    EXPECT_NE(read(Scb::kIcsr) & kPendSvSet, 0u);
}

TEST_F(ScbTest, PendSvClrClearsPendSv) {
    b.nvic.setPending(exc::kPendSv);
    write(Scb::kIcsr, kPendSvClr);
    EXPECT_FALSE(b.nvic.isPending(exc::kPendSv));
    EXPECT_EQ(read(Scb::kIcsr) & kPendSvSet, 0u);
}

TEST_F(ScbTest, PendStSetAndPendStClrDriveSysTickPending) {
    write(Scb::kIcsr, kPendStSet);
    EXPECT_TRUE(b.nvic.isPending(exc::kSysTick));
    EXPECT_NE(read(Scb::kIcsr) & kPendStSet, 0u);
    write(Scb::kIcsr, kPendStClr);
    EXPECT_FALSE(b.nvic.isPending(exc::kSysTick));
    EXPECT_EQ(read(Scb::kIcsr) & kPendStSet, 0u);
}

TEST_F(ScbTest, NmiPendSetPendsNmi) {
    write(Scb::kIcsr, kNmiPendSet);
    EXPECT_TRUE(b.nvic.isPending(exc::kNmi));
    EXPECT_NE(read(Scb::kIcsr) & kNmiPendSet, 0u);
}

TEST_F(ScbTest, WritingZerosToIcsrChangesNothing) {
    b.nvic.setPending(exc::kPendSv);
    b.nvic.setPending(exc::kSysTick);
    write(Scb::kIcsr, 0);
    EXPECT_TRUE(b.nvic.isPending(exc::kPendSv));
    EXPECT_TRUE(b.nvic.isPending(exc::kSysTick));
}

TEST_F(ScbTest, SettingAndClearingPendSvTogetherIsReported) {
    write(Scb::kIcsr, kPendSvSet | kPendSvClr);  // UNPREDICTABLE (B3.2.4)
    EXPECT_EQ(b.mistakes("PENDSVSET and PENDSVCLR"), 1u);
}

TEST_F(ScbTest, VectPendingIsTheHighestPriorityPendingException) {
    b.nvic.setPriorityByte(exc::kSysTick, 0xF0);
    b.nvic.setPending(exc::kSysTick);
    EXPECT_EQ(vectPending(read(Scb::kIcsr)), 15u);
    b.nvic.setPriorityByte(irq(38), 0x80);  // USART2
    b.nvic.setEnabled(irq(38), true);
    b.nvic.setPending(irq(38));
    EXPECT_EQ(vectPending(read(Scb::kIcsr)), 54u);
    b.nvic.clearPending(irq(38));
    EXPECT_EQ(vectPending(read(Scb::kIcsr)), 15u);
}

TEST_F(ScbTest, VectPendingIgnoresADisabledIrq) {
    b.nvic.setPending(irq(6));  // EXTI0, not enabled
    EXPECT_EQ(vectPending(read(Scb::kIcsr)), 0u);
}

TEST_F(ScbTest, IsrPendingFlagsAPendingExternalInterruptOnly) {
    b.nvic.setPending(exc::kPendSv);  // a system exception is not an ISR
    EXPECT_EQ(read(Scb::kIcsr) & kIsrPending, 0u);
    b.nvic.setEnabled(irq(38), true);
    b.nvic.setPending(irq(38));
    EXPECT_NE(read(Scb::kIcsr) & kIsrPending, 0u);
}

TEST_F(ScbTest, VectActiveIsTheCurrentIpsr) {
    b.ipsr = 15;
    b.nvic.setActive(exc::kSysTick, true);
    EXPECT_EQ(vectActive(read(Scb::kIcsr)), 15u);
    b.ipsr = 54;
    EXPECT_EQ(vectActive(read(Scb::kIcsr)), 54u);
}

TEST_F(ScbTest, RetToBaseWhenTheCurrentHandlerIsTheOnlyActiveException) {
    b.ipsr = exc::kSysTick;
    b.nvic.setActive(exc::kSysTick, true);
    EXPECT_NE(read(Scb::kIcsr) & kRetToBase, 0u);
}

TEST_F(ScbTest, RetToBaseClearWhenAPreemptedExceptionIsActive) {
    b.nvic.setActive(irq(38), true);  // USART2 handler preempted by SysTick
    b.nvic.setActive(exc::kSysTick, true);
    b.ipsr = exc::kSysTick;
    EXPECT_EQ(read(Scb::kIcsr) & kRetToBase, 0u);
}

// --- AIRCR -------------------------------------------------------------------------

TEST_F(ScbTest, AircrReadsVectKeyStatAndLittleEndian) {
    // B3.2.6: VECTKEYSTAT reads 0xFA05; ENDIANNESS (bit 15) 0 = little-endian; PRIGROUP 0.
    EXPECT_EQ(read(Scb::kAircr), 0xFA050000u);
}

TEST_F(ScbTest, AircrWriteWithVectKeySetsPriGroup) {
    write(Scb::kAircr, 0x05FA0500);
    EXPECT_EQ(b.nvic.priGroup(), 5u);
    EXPECT_EQ(read(Scb::kAircr), 0xFA050500u);
    EXPECT_EQ(b.mistakes(), 0u);
}

TEST_F(ScbTest, AircrWriteWithoutVectKeyIsIgnoredAndReported) {
    write(Scb::kAircr, 0x00000500);
    EXPECT_EQ(b.nvic.priGroup(), 0u);
    EXPECT_EQ(read(Scb::kAircr), 0xFA050000u);
    EXPECT_EQ(b.mistakes("without VECTKEY"), 1u);
}

TEST_F(ScbTest, AircrWriteWithTheReadKeyIsIgnored) {
    // Writing back what was read (0xFA05 in the key field) is a classic mistake.
    write(Scb::kAircr, 0xFA050300);
    EXPECT_EQ(b.nvic.priGroup(), 0u);
    EXPECT_EQ(b.mistakes("without VECTKEY"), 1u);
}

TEST_F(ScbTest, AircrHalfwordWriteCannotCarryTheKey) {
    b.scb.write(Scb::kAircr, 2, 0x0500);
    EXPECT_EQ(b.nvic.priGroup(), 0u);
    EXPECT_EQ(b.mistakes("without VECTKEY"), 1u);
}

TEST_F(ScbTest, SysResetReqWithKeyRequestsASystemReset) {
    write(Scb::kAircr, 0x05FA0004);
    EXPECT_EQ(b.systemResetRequests, 1u);
}

TEST_F(ScbTest, SysResetReqWithoutKeyDoesNothing) {
    write(Scb::kAircr, 0x00000004);
    EXPECT_EQ(b.systemResetRequests, 0u);
    EXPECT_EQ(b.mistakes("without VECTKEY"), 1u);
}

TEST_F(ScbTest, NvicSystemResetKeepsPriGroup) {
    // CMSIS NVIC_SystemReset(): VECTKEY | (AIRCR & PRIGROUP) | SYSRESETREQ.
    write(Scb::kAircr, 0x05FA0300);
    write(Scb::kAircr, 0x05FA0000 | (read(Scb::kAircr) & 0x700) | 0x4);
    EXPECT_EQ(b.systemResetRequests, 1u);
    EXPECT_EQ(b.nvic.priGroup(), 3u);
}

TEST_F(ScbTest, VectResetAndVectClrActiveOutsideDebugAreReported) {
    write(Scb::kAircr, 0x05FA0001);
    EXPECT_EQ(b.mistakes("VECTRESET"), 1u);
    EXPECT_EQ(b.systemResetRequests, 0u);
}

// --- SHPR1-3 -----------------------------------------------------------------------

TEST_F(ScbTest, Shpr3WordWriteSetsSysTickAndPendSvPriorities) {
    // B3.2.12: SHPR3[31:24] = PRI_15 (SysTick), [23:16] = PRI_14 (PendSV).
    write(Scb::kShpr3, 0xC0800000);
    EXPECT_EQ(b.nvic.priority(exc::kSysTick), 0xC0);
    EXPECT_EQ(b.nvic.priority(exc::kPendSv), 0x80);
    EXPECT_EQ(read(Scb::kShpr3), 0xC0800000u);
}

TEST_F(ScbTest, Shpr3ReadsBackMaskedToFourBitsWithReservedByteZero) {
    // Byte 0 is PRI_12 (DebugMonitor), byte 1 (exception 13) is reserved.
    write(Scb::kShpr3, 0xFFFFFFFF);
    EXPECT_EQ(read(Scb::kShpr3), 0xF0F000F0u);
    EXPECT_EQ(b.nvic.priority(exc::kDebugMonitor), 0xF0);
}

TEST_F(ScbTest, Shpr3ByteWriteChangesOnlySysTick) {
    // CMSIS NVIC_SetPriority(SysTick_IRQn, 15) is a byte store of 0xF0 to 0xE000ED23.
    write(Scb::kShpr3, 0x00400000);
    b.scb.write(Scb::kShpr3 + 3, 1, 0xF0);
    EXPECT_EQ(b.nvic.priority(exc::kSysTick), 0xF0);
    EXPECT_EQ(b.nvic.priority(exc::kPendSv), 0x40);
    EXPECT_EQ(b.scb.read(Scb::kShpr3 + 3, 1), 0xF0u);
}

TEST_F(ScbTest, Shpr3HalfwordWriteSetsPendSvAndSysTick) {
    b.scb.write(Scb::kShpr3 + 2, 2, 0x3F2F);
    EXPECT_EQ(b.nvic.priority(exc::kPendSv), 0x20);
    EXPECT_EQ(b.nvic.priority(exc::kSysTick), 0x30);
}

TEST_F(ScbTest, Shpr2HoldsOnlySvCall) {
    // B3.2.11: SHPR2[31:24] = PRI_11 (SVCall); bits [23:0] reserved.
    write(Scb::kShpr2, 0xFFFFFFFF);
    EXPECT_EQ(read(Scb::kShpr2), 0xF0000000u);
    EXPECT_EQ(b.nvic.priority(exc::kSvCall), 0xF0);
}

TEST_F(ScbTest, Shpr1HoldsMemManageBusFaultUsageFault) {
    // B3.2.10: PRI_4 MemManage [7:0], PRI_5 BusFault [15:8], PRI_6 UsageFault [23:16],
    // PRI_7 reserved [31:24].
    write(Scb::kShpr1, 0x1F2F3F4F);
    EXPECT_EQ(b.nvic.priority(exc::kMemManage), 0x40);
    EXPECT_EQ(b.nvic.priority(exc::kBusFault), 0x30);
    EXPECT_EQ(b.nvic.priority(exc::kUsageFault), 0x20);
    EXPECT_EQ(read(Scb::kShpr1), 0x00203040u);
}

TEST_F(ScbTest, ShprReadsPrioritiesSetThroughNvic) {
    b.nvic.setPriorityByte(exc::kSysTick, 0x10);
    b.nvic.setPriorityByte(exc::kSvCall, 0xE0);
    EXPECT_EQ(read(Scb::kShpr3), 0x10000000u);
    EXPECT_EQ(read(Scb::kShpr2), 0xE0000000u);
}

// --- SHCSR -------------------------------------------------------------------------

TEST_F(ScbTest, ShcsrResetsToZero) { EXPECT_EQ(read(Scb::kShcsr), 0u); }

TEST_F(ScbTest, ShcsrEnableBitsEnableTheConfigurableFaults) {
    // B3.2.13: MEMFAULTENA 16, BUSFAULTENA 17, USGFAULTENA 18.
    write(Scb::kShcsr, (1u << 16) | (1u << 17) | (1u << 18));
    EXPECT_TRUE(b.nvic.isEnabled(exc::kMemManage));
    EXPECT_TRUE(b.nvic.isEnabled(exc::kBusFault));
    EXPECT_TRUE(b.nvic.isEnabled(exc::kUsageFault));
    EXPECT_EQ(read(Scb::kShcsr), 0x00070000u);
    write(Scb::kShcsr, 1u << 18);
    EXPECT_FALSE(b.nvic.isEnabled(exc::kMemManage));
    EXPECT_FALSE(b.nvic.isEnabled(exc::kBusFault));
    EXPECT_TRUE(b.nvic.isEnabled(exc::kUsageFault));
}

TEST_F(ScbTest, ShcsrActiveBitsReflectNvic) {
    b.nvic.setActive(exc::kMemManage, true);   // bit 0
    b.nvic.setActive(exc::kSvCall, true);      // bit 7
    b.nvic.setActive(exc::kPendSv, true);      // bit 10
    b.nvic.setActive(exc::kSysTick, true);     // bit 11
    EXPECT_EQ(read(Scb::kShcsr), 0x00000C81u);
}

TEST_F(ScbTest, ShcsrPendedBitsReflectNvic) {
    b.nvic.setPending(exc::kUsageFault);  // bit 12
    b.nvic.setPending(exc::kMemManage);   // bit 13
    b.nvic.setPending(exc::kBusFault);    // bit 14
    b.nvic.setPending(exc::kSvCall);      // bit 15
    EXPECT_EQ(read(Scb::kShcsr), 0x0000F000u);
}

TEST_F(ScbTest, ShcsrSvCallPendedWritePendsSvCall) {
    write(Scb::kShcsr, 1u << 15);
    EXPECT_TRUE(b.nvic.isPending(exc::kSvCall));
}

TEST_F(ScbTest, ShcsrByteWriteToTheEnableByteLeavesActiveBitsAlone) {
    b.nvic.setActive(exc::kSysTick, true);
    b.scb.write(Scb::kShcsr + 2, 1, 0x07);
    EXPECT_TRUE(b.nvic.isActive(exc::kSysTick));
    EXPECT_TRUE(b.nvic.isEnabled(exc::kUsageFault));
}

// --- VTOR, CCR, CPACR, SCR, fault status ---------------------------------------------

TEST_F(ScbTest, VtorKeepsOnlyTheImplementedTblOffBits) {
    write(Scb::kVtor, 0xFFFFFFFF);
    EXPECT_EQ(read(Scb::kVtor), 0x3FFFFF80u);
    write(Scb::kVtor, 0x08004000);
    EXPECT_EQ(b.scb.vtor(), 0x08004000u);
    write(Scb::kVtor, 0x20000000);  // table in SRAM (TBLBASE, bit 29)
    EXPECT_EQ(b.scb.vtor(), 0x20000000u);
}

TEST_F(ScbTest, CcrResetsWithStkAlign) {
    // Cortex-M4: CCR resets to 0x200, STKALIGN set (8-byte stack alignment on entry).
    EXPECT_EQ(read(Scb::kCcr), 0x00000200u);
}

TEST_F(ScbTest, CpacrImplementsOnlyCp10AndCp11) {
    EXPECT_EQ(read(Scb::kCpacr), 0u);
    write(Scb::kCpacr, 0xFFFFFFFF);
    EXPECT_EQ(read(Scb::kCpacr), 0x00F00000u);
}

TEST_F(ScbTest, ScrSleepDeepIsAModelGap) {
    write(Scb::kScr, 1u << 2);
    EXPECT_EQ(b.scb.scr(), 0x4u);
    EXPECT_EQ(b.diag.count(DiagnosticKind::ModelGap), 1u);
}

TEST_F(ScbTest, CfsrBitsAreWriteOneToClear) {
    b.scb.setValue(Scb::kCfsr, 0x02010000);  // DIVBYZERO | UNDEFINSTR
    write(Scb::kCfsr, 0x00010000);
    EXPECT_EQ(read(Scb::kCfsr), 0x02000000u);
}

// --- FPU -----------------------------------------------------------------------------

TEST_F(ScbTest, FpccrResetsWithAspenAndLspen) {
    EXPECT_EQ(read(Scb::kFpccr), 0xC0000000u);
    EXPECT_EQ(b.scb.fpccr(), 0xC0000000u);
}

TEST_F(ScbTest, MediaAndFpFeatureRegistersDescribeFpv4Sp) {
    EXPECT_EQ(read(0x240), 0x10110021u);  // MVFR0
    EXPECT_EQ(read(0x244), 0x11000011u);  // MVFR1
}

TEST_F(ScbTest, FpdscrKeepsAhpDnFzRmode) {
    write(Scb::kFpdscr, 0xFFFFFFFF);
    EXPECT_EQ(read(Scb::kFpdscr), 0x07C00000u);
}

}  // namespace
}  // namespace cmsim::test
