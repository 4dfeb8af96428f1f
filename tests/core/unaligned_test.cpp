// Alignment faults (ARMv7-M ARM A3.2.1, B3.2.8): with CCR.UNALIGN_TRP an unaligned LDR/STR
// or LDRH/STRH is a precise UsageFault (UNALIGNED) with the stacked PC at the access and
// nothing written; without it the access is performed. LDRD/STRD and LDM/STM need word
// alignment even then (checked while the trap is set; see CortexMAlignment.cpp).
#include <gtest/gtest.h>

#include "FaultFixture.h"

namespace cmsim::testing {
namespace {

using namespace thumb;
using namespace scb;
constexpr std::uint32_t kData = 0x20002000;

class UnalignedTest : public FaultFixture {
  protected:
    // ldr r2,[pc,#8]; movs r0,#0x11; <access>; b .; nop; .word kData + 2
    void accessAt2(std::initializer_list<std::uint16_t> access) {
        installHandlers();
        std::vector<std::uint16_t> prog{0x4A02 /* ldr r2,[pc,#8] */, movs(0, 0x11)};
        prog.insert(prog.end(), access.begin(), access.end());
        while (prog.size() < 5) prog.push_back(kNop);
        prog.push_back(kBSelf);
        for (std::size_t i = 0; i < prog.size(); ++i)
            code(kThread + 2 * static_cast<std::uint32_t>(i), {prog[i]});
        word(kThread + 12, kData + 2);
        boot(0x20001000, kThread);
        write32(kData, 0x44332211);
        write32(kData + 4, 0x88776655);
        write32(kShcsr, kUsgFaultEna);
    }
};

TEST_F(UnalignedTest, UnalignedLdrWithoutTrapLoadsTheBytes) {
    accessAt2({0x6810 /* ldr r0,[r2] */});
    runCycles(50);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 0u);
    EXPECT_EQ(reg(UC_ARM_REG_R0), 0x66554433u);
    EXPECT_EQ(read32(kCfsr), 0u);
}

TEST_F(UnalignedTest, UnalignedLdrWithUnalignTrpIsAPreciseUsageFault) {
    accessAt2({0x6810});
    write32(kCcr, 0x208);  // STKALIGN | UNALIGN_TRP
    runCycles(50);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 6u);
    EXPECT_EQ(read32(kCfsr), 0x01000000u);  // UNALIGNED
    EXPECT_EQ(read32(kHfsr), 0u);
    const std::uint32_t frame = reg(UC_ARM_REG_MSP);
    EXPECT_EQ(read32(frame + 0x00), 0x11u);        // R0 not loaded
    EXPECT_EQ(read32(frame + 0x08), kData + 2);    // R2: the address
    EXPECT_EQ(read32(frame + 0x18), kThread + 4);  // the LDR
    ASSERT_EQ(faults.size(), 1u);
    EXPECT_EQ(faults[0].what,
              "unaligned access: \"ldr r0, [r2]\" reads 4 bytes at 0x20002002 with "
              "CCR.UNALIGN_TRP set");
}

TEST_F(UnalignedTest, UnalignedStrhWithUnalignTrpWritesNothing) {
    // adds r2,#1 makes the address odd; strh r0,[r2]
    accessAt2({0x3201, 0x8010});
    write32(kCcr, 0x208);
    runCycles(50);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 6u);
    EXPECT_EQ(read32(kCfsr), 0x01000000u);
    EXPECT_EQ(read32(reg(UC_ARM_REG_MSP) + 0x18), kThread + 6);
    EXPECT_EQ(read32(kData), 0x44332211u);
}

TEST_F(UnalignedTest, HalfwordAccessAtAnEvenAddressDoesNotTrap) {
    accessAt2({0x8810 /* ldrh r0,[r2] */});
    write32(kCcr, 0x208);
    runCycles(50);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 0u);
    EXPECT_EQ(reg(UC_ARM_REG_R0), 0x4433u);
}

TEST_F(UnalignedTest, UnalignedLdrdFaultsWithTrapSetAndUsageFaultDisabledEscalates) {
    accessAt2({0xE9D2, 0x0100 /* ldrd r0,r1,[r2] */});
    write32(kShcsr, 0);
    write32(kCcr, 0x208);
    runCycles(50);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 3u);
    EXPECT_EQ(read32(kCfsr), 0x01000000u);
    EXPECT_EQ(read32(kHfsr), 0x40000000u);
    EXPECT_EQ(read32(reg(UC_ARM_REG_MSP) + 0x18), kThread + 4);
    ASSERT_EQ(faults.size(), 1u);
    EXPECT_EQ(faults[0].what,
              "unaligned access: \"ldrd r0, r1, [r2]\" reads 8 bytes at 0x20002002 (this "
              "instruction always needs alignment)");
}

TEST_F(UnalignedTest, UnalignedLdmFaultsWithTrapSet) {
    accessAt2({0xCA03 /* ldm r2!,{r0,r1} */});
    write32(kCcr, 0x208);
    runCycles(50);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 6u);
    EXPECT_EQ(read32(kCfsr), 0x01000000u);
    EXPECT_EQ(read32(reg(UC_ARM_REG_MSP) + 0x08), kData + 2);  // no writeback
}

TEST_F(UnalignedTest, UnalignedLdrexAlwaysFaults) {
    accessAt2({0xE852, 0x0F00 /* ldrex r0,[r2] */});
    runCycles(50);
    EXPECT_EQ(reg(UC_ARM_REG_IPSR), 6u);
    EXPECT_EQ(read32(kCfsr), 0x01000000u);
    EXPECT_EQ(read32(reg(UC_ARM_REG_MSP) + 0x18), kThread + 4);
    ASSERT_EQ(faults.size(), 1u);
    EXPECT_EQ(faults[0].what,
              "unaligned access: \"ldrex r0, [r2]\" reads 4 bytes at 0x20002002 (this "
              "instruction always needs alignment)");
}

}  // namespace
}  // namespace cmsim::testing
