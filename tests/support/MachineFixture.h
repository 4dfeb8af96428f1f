#pragma once
// A Machine on the F407 board (or another one) with hand-placed code, for tests that execute real Thumb
// instructions through Unicorn and check what the exception model did.
#include <gtest/gtest.h>

#include <cstring>
#include <initializer_list>
#include <vector>

#include "Machine.h"
#include "boards/Boards.h"

namespace cmsim::testing {

class MachineFixture : public ::testing::Test {
protected:
    static constexpr std::uint32_t kFlash = 0x08000000;
    static constexpr std::uint32_t kScs = 0xE000E000;

    Machine m;
    std::vector<ExceptionEvent> exceptionLog;

    // The F407 Discovery unless a test fixture names another board (both boot from a
    // vector table at 0x08000000 in these tests: the F407 through its flash alias at 0).
    explicit MachineFixture(const BoardDescription& board = stm32f407DiscoveryBoard()) : m(board) {
        m.signals().exceptions.subscribe([this](const ExceptionEvent& e) { exceptionLog.push_back(e); });
    }

    void word(std::uint32_t addr, std::uint32_t v) {
        std::uint8_t b[4];
        std::memcpy(b, &v, 4);
        ASSERT_TRUE(m.bus().load(addr, b));
    }
    // Thumb halfwords at addr (flash or RAM).
    void code(std::uint32_t addr, std::initializer_list<std::uint16_t> halfwords) {
        std::vector<std::uint8_t> bytes;
        for (auto h : halfwords) {
            bytes.push_back(static_cast<std::uint8_t>(h));
            bytes.push_back(static_cast<std::uint8_t>(h >> 8));
        }
        ASSERT_TRUE(m.bus().load(addr, bytes));
    }
    void vector(unsigned exception, std::uint32_t handler) { word(kFlash + 4 * exception, handler | 1u); }
    std::uint32_t read32(std::uint32_t addr) { return m.bus().readPhysical(addr, 4).value(); }
    void write32(std::uint32_t addr, std::uint32_t v) { ASSERT_TRUE(m.bus().writePhysical(addr, 4, v)); }
    std::uint32_t reg(int id) { return m.unicorn().reg(id); }
    void setReg(int id, std::uint32_t v) { m.unicorn().setReg(id, v); }

    // Vector table with the given initial SP and reset handler, then a power-on reset.
    void boot(std::uint32_t sp, std::uint32_t resetHandler) {
        word(kFlash, sp);
        vector(1, resetHandler);
        m.powerOnReset();
    }
    // Runs n cycles and expects the run to end on that limit, nothing else.
    CoreStop runCycles(Cycles n) {
        const Cycles until = m.time().now() + n;
        CoreStop stop = m.run(until);
        EXPECT_EQ(stop.reason, CoreStop::Reason::TimeLimit) << stop.message;
        EXPECT_GE(m.time().now(), until);
        return stop;
    }
    // Runs n cycles expecting the firmware to stop the run.
    CoreStop runUntilStop(Cycles n) { return m.run(m.time().now() + n); }
};

// Thumb encodings used by the tests (ARM ARM A7.7).
namespace thumb {
constexpr std::uint16_t kBSelf = 0xE7FE;   // b .
constexpr std::uint16_t kBxLr = 0x4770;    // bx lr
constexpr std::uint16_t kNop = 0xBF00;     // nop
constexpr std::uint16_t kWfi = 0xBF30;     // wfi
constexpr std::uint16_t kMovR0Lr = 0x4670; // mov r0, lr
constexpr std::uint16_t kLdrR0R1 = 0x6808; // ldr r0, [r1]
constexpr std::uint16_t kStrR0R1 = 0x6008; // str r0, [r1]
constexpr std::uint16_t kAddsR0_1 = 0x3001;  // adds r0, #1
constexpr std::uint16_t movs(unsigned rd, unsigned imm8) {
    return static_cast<std::uint16_t>(0x2000 | (rd << 8) | imm8);
}
constexpr std::uint16_t svc(unsigned imm8) { return static_cast<std::uint16_t>(0xDF00 | imm8); }
// ldr r1, [pc, #imm] (imm a multiple of 4)
constexpr std::uint16_t ldrR1Pc(unsigned imm) { return static_cast<std::uint16_t>(0x4900 | (imm / 4)); }
// ldr r0, [sp, #imm]
constexpr std::uint16_t ldrR0Sp(unsigned imm) { return static_cast<std::uint16_t>(0x9800 | (imm / 4)); }
}  // namespace thumb

}  // namespace cmsim::testing
