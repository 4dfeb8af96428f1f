// The architectural fault model (ARM ARM B1.5.14-B1.5.16, B3.2.15-B3.2.18): what the
// firmware's fault handler sees (CFSR, HFSR, BFAR, the stacked frame), escalation to
// HardFault, lockup, CCR.DIV_0_TRP, and the cycles charged.
#include <gtest/gtest.h>

#include "CycleModel.h"
#include "FaultFixture.h"

namespace cmsim::testing {
namespace {

using namespace thumb;
using namespace scb;

class FaultTest : public FaultFixture {
protected:
    void handlers() { installHandlers(); }
    // ldr r1,[pc,#4]; ldr r0,[r1]; b .; nop; .word address  -- the read faults
    void readOf(std::uint32_t address) {
        code(kThread, {ldrR1Pc(4), kLdrR0R1, kBSelf, kNop});
        word(kThread + 8, address);
    }
};

TEST_F(FaultTest, PreciseBusFaultEscalatesToHardFaultWithForcedAndBfar) {
    handlers();
    readOf(0x40080000);  // reserved on the F407
    boot(0x20001000, kThread);
    const Cycles t0 = m.time().now();
    runCycles(100);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 3u);  // BusFault disabled at reset: HardFault
    EXPECT_EQ(read32(kCfsr), 0x00008200u);  // BFARVALID | PRECISERR
    EXPECT_EQ(read32(kHfsr), 0x40000000u);  // FORCED
    EXPECT_EQ(read32(kBfar), 0x40080000u);
    // The frame the handler sees: R1 holds the address, the stacked PC is the LDR.
    const std::uint32_t frame = reg(UC_ARM_REG_MSP);
    EXPECT_EQ(frame, 0x20000FE0u);
    EXPECT_EQ(read32(frame + 0x04), 0x40080000u);
    EXPECT_EQ(read32(frame + 0x18), kThread + 2);
    EXPECT_EQ(read32(frame + 0x1C) & 0xFF0001FFu, 0x01000000u);  // Thread mode, T set
    ASSERT_EQ(exceptionLog.size(), 1u);
    // The first LDR ran (1 cycle); the faulting one did not; then 12 cycles of entry.
    EXPECT_EQ(exceptionLog[0].cycle, t0 + 1 + cycle_model::kExceptionEntry);
    EXPECT_EQ(m.core().faultsTaken(), 1u);
}

TEST_F(FaultTest, EnabledBusFaultIsTakenItselfWithoutForced) {
    handlers();
    readOf(0x40080000);
    boot(0x20001000, kThread);
    write32(kShcsr, 1u << 17);  // BUSFAULTENA
    runCycles(100);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 5u);
    EXPECT_EQ(read32(kCfsr), 0x00008200u);
    EXPECT_EQ(read32(kHfsr), 0u);
}

// RM0090 §3.9.4: the F4 flash interface takes a store to the flash array without a bus
// error; with FLASH_CR locked it programs nothing and sets FLASH_SR.PGSERR.
TEST_F(FaultTest, StoreToFlashIsNoFaultButSetsPgserrAndChangesNothing) {
    handlers();
    std::vector<FaultEvent> faults;
    m.signals().faults.subscribe([&](const FaultEvent& f) { faults.push_back(f); });
    for (const std::uint32_t target : {0x08010000u, 0x00010000u /* the boot alias */}) {
        // ldr r1,[pc,#4]; str r0,[r1]; b .; nop; .word target
        code(kThread, {ldrR1Pc(4), kStrR0R1, kBSelf, kNop});
        word(kThread + 8, target);
        word(0x08010000, 0x12345678);
        boot(0x20001000, kThread);
        setReg(UC_ARM_REG_R0, 0);
        runCycles(100);
        EXPECT_TRUE(faults.empty()) << faults.front().what;
        EXPECT_EQ(m.core().pc(), kThread + 4) << "the store completed; the core runs on at the b .";
        EXPECT_EQ(read32(0x40023C0C), 0x00000080u) << "FLASH_SR.PGSERR";
        EXPECT_EQ(read32(0x08010000), 0x12345678u);
        EXPECT_EQ(read32(kCfsr), 0u);
    }
}

TEST_F(FaultTest, UndefinedInstructionIsUndefinstrWithTheUdfStacked) {
    handlers();
    code(kThread, {movs(0, 1), 0xDE00 /* udf #0 */, kBSelf});
    boot(0x20001000, kThread);
    write32(kShcsr, 1u << 18);  // USGFAULTENA
    runCycles(100);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 6u);
    EXPECT_EQ(read32(kCfsr), 0x00010000u);  // UNDEFINSTR
    EXPECT_EQ(read32(reg(UC_ARM_REG_MSP) + 0x18), kThread + 2);
}

TEST_F(FaultTest, DivideByZeroTrapsOnlyWithDiv0Trp) {
    handlers();
    // movs r1,#7; movs r2,#0; sdiv r0,r1,r2; b .
    code(kThread, {movs(1, 7), movs(2, 0), 0xFB91, 0xF0F2, kBSelf});
    boot(0x20001000, kThread);
    setReg(UC_ARM_REG_R0, 0x55);
    runCycles(100);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 0u);  // no trap: the quotient is 0
    EXPECT_EQ(reg(UC_ARM_REG_R0), 0u);
    EXPECT_EQ(read32(kCfsr), 0u);
}

TEST_F(FaultTest, DivideByZeroWithDiv0TrpIsAPreciseUsageFault) {
    handlers();
    code(kThread, {movs(1, 7), movs(2, 0), 0xFB91, 0xF0F2, kBSelf});
    boot(0x20001000, kThread);
    write32(kCcr, 0x210);     // STKALIGN | DIV_0_TRP
    write32(kShcsr, 1u << 18);
    setReg(UC_ARM_REG_R0, 0x55);
    runCycles(100);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 6u);
    EXPECT_EQ(read32(kCfsr), 0x02000000u);  // DIVBYZERO
    EXPECT_EQ(read32(reg(UC_ARM_REG_MSP) + 0x18), kThread + 4);  // the SDIV
    EXPECT_EQ(read32(reg(UC_ARM_REG_MSP) + 0x00), 0x55u);        // R0 not written
}

TEST_F(FaultTest, FaultInsideHardFaultLocksUp) {
    // HardFault handler reads a reserved address itself.
    code(kHardFault, {ldrR1Pc(4), kLdrR0R1, kBSelf, kNop});
    word(kHardFault + 8, 0x40080000);
    vector(3, kHardFault);
    readOf(0x40080000);
    boot(0x20001000, kThread);
    const CoreStop stop = runUntilStop(200);
    EXPECT_EQ(stop.reason, CoreStop::Reason::Lockup);
    EXPECT_NE(stop.message.find("lockup at 0x08000202"), std::string::npos) << stop.message;
}

TEST_F(FaultTest, FetchFromPeripheralSpaceIsMemManageIaccviolEscalated) {
    handlers();
    // ldr r1,[pc,#4]; bx r1; nop; .word 0x40000001 (Thumb address in XN peripheral space)
    code(kThread, {ldrR1Pc(4), 0x4708 /* bx r1 */, kNop, kNop});
    word(kThread + 8, 0x40000001);
    boot(0x20001000, kThread);
    runCycles(100);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 3u);
    EXPECT_EQ(read32(kCfsr) & 0xFFu, 0x01u);  // IACCVIOL
    EXPECT_EQ(read32(kHfsr), 0x40000000u);
}

}  // namespace
}  // namespace cmsim::testing
