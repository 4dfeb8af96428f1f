// ITM stimulus ports and the DWT counters on a real Machine: register accesses through
// the bus (as firmware or a debugger makes them) and hand-encoded Thumb code executed by
// the core, checked against ARMv7-M ARM C1.7 (ITM) and C1.8 (DWT) and against cmsim's
// own cycle accounting.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "MachineFixture.h"

namespace cmsim::testing {
namespace {

using namespace thumb;

constexpr std::uint32_t kDemcr = 0xE000EDFC, kTrcena = 1u << 24;
constexpr std::uint32_t kItm = 0xE0000000, kTer = 0xE0000E00, kTcr = 0xE0000E80, kLar = 0xE0000FB0,
                        kLsr = 0xE0000FB4, kUnlock = 0xC5ACCE55;
constexpr std::uint32_t kDwtCtrl = 0xE0001000, kCyccnt = 0xE0001004, kCpicnt = 0xE0001008,
                        kExccnt = 0xE000100C, kSleepcnt = 0xE0001010, kLsucnt = 0xE0001014,
                        kFoldcnt = 0xE0001018;
constexpr std::uint32_t kIcsr = 0xE000ED04, kPendSvSet = 1u << 28;
constexpr std::uint32_t kStCsr = 0xE000E010, kStRvr = 0xE000E014, kStCvr = 0xE000E018;
constexpr std::uint32_t kCode = 0x08000100, kHandler = 0x08000200, kRecord = 0x20004000;

// ldr rd, [pc, #imm] loading the literal at `literal` from the instruction at `at`.
std::uint16_t ldrLiteral(unsigned rd, std::uint32_t at, std::uint32_t literal) {
    return static_cast<std::uint16_t>(0x4800 | (rd << 8) | ((literal - ((at + 4) & ~3u)) / 4));
}
// b <to> (T2) and bne <to> (T1) from the instruction at `at`.
std::uint16_t b(std::uint32_t at, std::uint32_t to) {
    return static_cast<std::uint16_t>(0xE000 | (((to - (at + 4)) / 2) & 0x7FF));
}
std::uint16_t bne(std::uint32_t at, std::uint32_t to) {
    return static_cast<std::uint16_t>(0xD100 | (((to - (at + 4)) / 2) & 0xFF));
}
constexpr std::uint16_t kLdrR0R1 = 0x6808;      // ldr r0, [r1]
constexpr std::uint16_t kStrR0R3 = 0x6018;      // str r0, [r3]
constexpr std::uint16_t kStrR0R3_4 = 0x6058;    // str r0, [r3, #4]
constexpr std::uint16_t kSubsR2_1 = 0x3A01;     // subs r2, #1

class ItmDwtTest : public MachineFixture {
protected:
    std::vector<OutputText> output;

    ItmDwtTest() {
        m.signals().output.subscribe([this](const OutputText& t) { output.push_back(t); });
    }
    // The set-up firmware does before using ITM port writes (trace_itm_init).
    void enableItm(std::uint32_t ter) {
        write32(kDemcr, read32(kDemcr) | kTrcena);
        write32(kLar, kUnlock);
        write32(kTcr, 0x00010001);  // ITMENA, TraceBusID 1
        write32(kTer, ter);
    }
    void port(unsigned n, unsigned width, std::uint32_t value) {
        ASSERT_TRUE(m.bus().writePhysical(kItm + 4 * n, width, value));
    }
    std::string text() const {
        std::string s;
        for (const auto& o : output) s += o.text;
        return s;
    }
    // A core parked in `b .`, after a power-on reset.
    void bootIdle() {
        code(kCode, {kBSelf});
        boot(0x20001000, kCode);
    }
    std::size_t mistakes() { return m.diagnostics().count(DiagnosticKind::FirmwareMistake); }
};

// --- ITM ----------------------------------------------------------------------------

TEST_F(ItmDwtTest, StimulusWritesOf8_16And32BitsEmit1_2And4BytesLittleEndian) {
    bootIdle();
    enableItm(0x00000021);  // ports 0 and 5
    port(0, 1, 0x41);
    port(0, 2, 0x4342);
    port(0, 4, 0x47464544);
    port(5, 4, 0x0A216948);
    ASSERT_EQ(output.size(), 4u);
    EXPECT_EQ(output[0].channel, "itm0");
    EXPECT_EQ(output[0].text, "A");
    EXPECT_EQ(output[1].text, "BC");
    EXPECT_EQ(output[2].text, "DEFG");
    EXPECT_EQ(output[3].channel, "itm5");
    EXPECT_EQ(output[3].text, "Hi!\n");
    EXPECT_EQ(m.itm().bytesEmitted(), 11u);
}

TEST_F(ItmDwtTest, APortWhoseTerBitIsClearEmitsNothing) {
    bootIdle();
    enableItm(0x00000002);  // port 1 only
    port(0, 1, 'x');
    port(2, 4, 0x12345678);
    EXPECT_TRUE(output.empty());
    port(1, 1, 'y');
    ASSERT_EQ(output.size(), 1u);
    EXPECT_EQ(output[0].channel, "itm1");
}

TEST_F(ItmDwtTest, NothingIsEmittedWithoutItmenaOrWithoutTrcena) {
    bootIdle();
    enableItm(0x1);
    write32(kTcr, 0x00010000);  // ITMENA off
    port(0, 1, 'a');
    EXPECT_TRUE(output.empty());
    write32(kTcr, 0x00010001);
    write32(kDemcr, 0);  // TRCENA off: the ITM is not powered
    port(0, 1, 'b');
    EXPECT_TRUE(output.empty());
    write32(kDemcr, kTrcena);
    port(0, 1, 'c');
    EXPECT_EQ(text(), "c");
}

TEST_F(ItmDwtTest, StimulusPortReadsFifoReadyOnlyWhileTheItmIsEnabled) {
    bootIdle();
    EXPECT_EQ(read32(kItm), 0u);  // reset: disabled
    enableItm(0x1);
    EXPECT_EQ(read32(kItm), 1u);
    EXPECT_EQ(read32(kItm + 4 * 31), 1u);
    write32(kTcr, 0x00010000);
    EXPECT_EQ(read32(kItm), 0u);
    write32(kTcr, 0x00010001);
    write32(kDemcr, 0);
    EXPECT_EQ(read32(kItm), 0u);
}

TEST_F(ItmDwtTest, TheSoftwareLockIgnoresTcrWritesWithOneDiagnosticUntilUnlocked) {
    bootIdle();
    write32(kDemcr, kTrcena);
    EXPECT_EQ(read32(kLsr), 0x3u);  // lock implemented, locked
    write32(kTcr, 0x00010001);
    write32(kTer, 0x1);
    EXPECT_EQ(read32(kTcr), 0u);
    EXPECT_EQ(read32(kTer), 0u);
    ASSERT_EQ(mistakes(), 1u);  // reported once, not per write
    EXPECT_NE(m.diagnostics().all().back().message.find("while the ITM is locked"), std::string::npos)
        << m.diagnostics().all().back().message;
    port(0, 1, 'x');
    EXPECT_TRUE(output.empty());

    write32(kLar, kUnlock);
    EXPECT_EQ(read32(kLsr), 0x1u);  // unlocked
    write32(kTcr, 0x00010001);
    write32(kTer, 0x1);
    EXPECT_EQ(read32(kTcr), 0x00010001u);
    port(0, 1, 'y');
    EXPECT_EQ(text(), "y");
    write32(kLar, 0);  // any other value locks again
    EXPECT_EQ(read32(kLsr), 0x3u);
    EXPECT_EQ(mistakes(), 1u);
}

TEST_F(ItmDwtTest, DebuggerSetUpBeforeResetEnablesTrcenaItmAndEveryPortAcrossResets) {
    // What --swo does: the debugger's set-up, made before the power-on reset.
    m.itm().enableAsDebugger();
    bootIdle();
    EXPECT_NE(read32(kDemcr) & kTrcena, 0u);
    EXPECT_EQ(read32(kTcr) & 1u, 1u);
    EXPECT_EQ(read32(kTer), 0xFFFFFFFFu);
    port(0, 1, 'a');
    port(7, 1, 'b');
    m.systemReset();  // a debugger re-applies its trace set-up after a reset
    port(0, 1, 'c');
    EXPECT_EQ(text(), "abc");
    EXPECT_EQ(mistakes(), 0u);
}

TEST_F(ItmDwtTest, FirmwareWritesThroughTheCoreReachTheOutput) {
    // ldr r1, =ITM port 0; movs r0, #'K'; strb r0, [r1]; b .
    code(kCode, {ldrLiteral(1, kCode, kCode + 8), movs(0, 'K'), 0x7008, kBSelf});
    word(kCode + 8, kItm);
    boot(0x20001000, kCode);
    enableItm(0x1);
    runCycles(10);
    ASSERT_EQ(output.size(), 1u);
    EXPECT_EQ(output[0].text, "K");
    EXPECT_LE(output[0].cycle, m.time().now());
}

// --- DWT ----------------------------------------------------------------------------

TEST_F(ItmDwtTest, CyccntCountsOnlyWithTrcenaAndCyccntenaAndIsWritable) {
    code(kCode, {kBSelf});
    boot(0x20001000, kCode);
    EXPECT_EQ(read32(kDwtCtrl), 0x40000000u);  // NUMCOMP = 4, counters off
    write32(kDwtCtrl, 1);                      // CYCCNTENA without TRCENA
    runCycles(100);
    EXPECT_EQ(read32(kCyccnt), 0u);

    write32(kDwtCtrl, 0);
    write32(kDemcr, kTrcena);
    write32(kCyccnt, 0);
    write32(kDwtCtrl, 1);
    runCycles(100);
    EXPECT_EQ(read32(kCyccnt), 100u);
    write32(kDwtCtrl, 0);  // disabled: holds its value
    runCycles(50);
    EXPECT_EQ(read32(kCyccnt), 100u);
    write32(kCyccnt, 0xFFFFFFF0u);  // writable, and wraps
    write32(kDwtCtrl, 1);
    runCycles(0x30);
    EXPECT_EQ(read32(kCyccnt), 0x20u);
    write32(kDemcr, 0);  // TRCENA off stops it too (at the next DWT access)
    write32(kDwtCtrl, 1);
    runCycles(10);
    EXPECT_EQ(read32(kCyccnt), 0x20u);
}

TEST_F(ItmDwtTest, CyccntKeepsCountingAcrossACtrlWriteWhenTrcenaCameAfterCyccntena) {
    bootIdle();
    write32(kDwtCtrl, 1);      // CYCCNTENA first ...
    write32(kDemcr, kTrcena);  // ... then TRCENA: counting from here
    runCycles(100);
    EXPECT_EQ(read32(kCyccnt), 100u);
    write32(kDwtCtrl, 1 | (1u << 12));  // another CTRL bit: CYCCNT neither jumps nor stops
    EXPECT_EQ(read32(kCyccnt), 100u);
    runCycles(20);
    EXPECT_EQ(read32(kCyccnt), 120u);
}

TEST_F(ItmDwtTest, CyccntDeltaOverABusyLoopEqualsCmsimsCycleCount) {
    // +0  ldr r1, =CYCCNT      +10 b +12              +18 str r0, [r3, #4]
    // +2  ldr r2, =N           +12 subs r2, #1        +20 b .
    // +4  ldr r3, =record      +14 bne +12
    // +6  ldr r0, [r1]  (1st)  +16 ldr r0, [r1] (2nd)
    // +8  str r0, [r3]
    constexpr std::uint32_t kN = 1000;
    const std::uint32_t lit = kCode + 0x20;
    code(kCode, {ldrLiteral(1, kCode, lit), ldrLiteral(2, kCode + 2, lit + 4), ldrLiteral(3, kCode + 4, lit + 8),
                 kLdrR0R1, kStrR0R3, b(kCode + 10, kCode + 12), kSubsR2_1, bne(kCode + 14, kCode + 12),
                 kLdrR0R1, kStrR0R3_4, kBSelf});
    word(lit, kCyccnt);
    word(lit + 4, kN);
    word(lit + 8, kRecord);
    boot(0x20001000, kCode);
    write32(kDemcr, kTrcena);
    write32(kDwtCtrl, 1);
    // cmsim's own cycle counter at each of the two loads...
    std::vector<Cycles> atLoad;
    for (std::uint32_t a : {kCode + 6, kCode + 16}) {
        m.core().watchExecution(a, [&](std::uint32_t, Cycles c) { atLoad.push_back(c); });
    }
    // ... and the simulated time when each read reached the DWT.
    std::vector<Cycles> atAccess;
    m.bus().addMmioObserver([&](const MmioAccess& a) {
        if (!a.isWrite && a.address == kCyccnt) atAccess.push_back(m.time().now());
    });
    runCycles(2 * kN + 100);

    ASSERT_EQ(atLoad.size(), 2u);
    ASSERT_EQ(atAccess.size(), 2u);
    const std::uint32_t delta = read32(kRecord + 4) - read32(kRecord);
    // ldr, str, b; N x (subs, bne): one cycle per instruction.
    EXPECT_EQ(delta, 3 + 2 * kN);
    EXPECT_EQ(delta, atLoad[1] - atLoad[0]);
    EXPECT_EQ(delta, atAccess[1] - atAccess[0]);
}

TEST_F(ItmDwtTest, CyccntDoesNotCountWhileTheCoreSleepsInWfi) {
    // +0 ldr r1, =CYCCNT   +4 ldr r0, [r1]   +8 b +10   +12 ldr r0, [r1]     +16 b .
    // +2 ldr r3, =record   +6 str r0, [r3]   +10 wfi    +14 str r0, [r3, #4]
    const std::uint32_t lit = kCode + 0x20;
    code(kCode, {ldrLiteral(1, kCode, lit), ldrLiteral(3, kCode + 2, lit + 4), kLdrR0R1, kStrR0R3,
                 b(kCode + 8, kCode + 10), kWfi, kLdrR0R1, kStrR0R3_4, kBSelf});
    word(lit, kCyccnt);
    word(lit + 4, kRecord);
    code(kHandler, {kBxLr});
    vector(15, kHandler);
    boot(0x20001000, kCode);
    write32(kDemcr, kTrcena);
    write32(kDwtCtrl, 1);
    write32(kSleepcnt, 0);
    // SysTick wakes the core 1000 cycles later.
    write32(kStRvr, 999);
    write32(kStCvr, 0);
    write32(kStCsr, 0x7);
    std::vector<std::pair<Cycles, Cycles>> atAccess;  // (time, slept so far)
    m.bus().addMmioObserver([&](const MmioAccess& a) {
        if (!a.isWrite && a.address == kCyccnt) atAccess.emplace_back(m.time().now(), m.core().sleptCycles());
    });
    runCycles(1100);

    ASSERT_EQ(atAccess.size(), 2u);
    const std::uint32_t delta = read32(kRecord + 4) - read32(kRecord);
    const Cycles elapsed = atAccess[1].first - atAccess[0].first;
    const Cycles slept = atAccess[1].second - atAccess[0].second;
    EXPECT_GT(slept, 900u);
    EXPECT_EQ(delta, elapsed - slept);
    // Awake: wfi 1, SysTick entry 12, bx lr 1, return 10, ldr/str/b 3.
    EXPECT_EQ(delta, 27u);
    EXPECT_EQ(read32(kSleepcnt), static_cast<std::uint32_t>(m.core().sleptCycles() & 0xFF));
}

TEST_F(ItmDwtTest, ExccntCountsExceptionOverheadAndWrapsAt8Bits) {
    code(kCode, {kBSelf});
    code(kHandler, {kBxLr});
    vector(14, kHandler);  // PendSV
    boot(0x20001000, kCode);
    write32(kDemcr, kTrcena);
    write32(kExccnt, 0);
    const Cycles before = m.core().exceptionOverheadCycles();
    for (int i = 0; i < 12; ++i) {
        write32(kIcsr, kPendSvSet);
        runCycles(40);
    }
    const Cycles overhead = m.core().exceptionOverheadCycles() - before;
    EXPECT_EQ(overhead, 12u * (12 + 10));        // entry + return, 12 times: 264
    EXPECT_EQ(read32(kExccnt), 264u & 0xFF);     // 8: wrapped once
    write32(kExccnt, 0xFC);
    write32(kIcsr, kPendSvSet);
    runCycles(40);
    EXPECT_EQ(read32(kExccnt), (0xFCu + 22u) & 0xFF);
}

TEST_F(ItmDwtTest, CpiLsuAndFoldCountersReadZeroUnderTheOneCyclePerInstructionModel) {
    const std::uint32_t lit = kCode + 0x20;
    // A loop with loads and stores: nothing for CPICNT/LSUCNT/FOLDCNT to count.
    code(kCode, {ldrLiteral(1, kCode, lit), kLdrR0R1, kStrR0R1, b(kCode + 6, kCode + 2)});
    word(lit, kRecord);
    boot(0x20001000, kCode);
    write32(kDemcr, kTrcena);
    write32(kDwtCtrl, 1 | (1u << 17) | (1u << 20) | (1u << 21));  // CPI, LSU, FOLD events on
    runCycles(1000);
    EXPECT_EQ(read32(kCpicnt), 0u);
    EXPECT_EQ(read32(kLsucnt), 0u);
    EXPECT_EQ(read32(kFoldcnt), 0u);
    EXPECT_GT(read32(kCyccnt), 0u);
}

}  // namespace
}  // namespace cmsim::testing
