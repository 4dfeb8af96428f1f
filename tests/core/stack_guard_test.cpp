// The stack guard (StackGuard.h) on real Thumb code: a task's PSP leaving its stack and the
// MSP crossing the end of .bss are reported at the exception entry that stacks the frame,
// once per episode, with the exact SP, bounds and overflow in bytes; and where the stacks
// are (StackLayout.h): --stack specs and the bundled scheduler's layout.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "ContextSwitchDetector.h"
#include "Format.h"
#include "MachineFixture.h"
#include "StackGuard.h"

namespace cmsim::testing {
namespace {

using namespace thumb;

constexpr std::uint32_t kThread = 0x08000100;
constexpr std::uint32_t kSvcHandler = 0x08000200;

class StackGuardTest : public MachineFixture {
  protected:
    std::vector<StackOverflow> reports;
    std::vector<Diagnostic> diagnostics;

    StackGuardTest() {
        m.signals().stacks.subscribe([this](const StackOverflow& o) { reports.push_back(o); });
        m.diagnostics().addSink([this](const Diagnostic& d) { diagnostics.push_back(d); });
    }
    // The SVCall entries the core took, in order.
    std::vector<ExceptionEvent> svcEntries() const {
        std::vector<ExceptionEvent> out;
        for (const auto& e : exceptionLog) {
            if (e.kind == ExceptionEvent::Kind::Entry && e.number == 11) out.push_back(e);
        }
        return out;
    }
};

// Thread mode on the PSP (0x20001000), an SVC per step; the stack declared for the task is
// 0x20000fd0..0x20001000 (48 bytes). Frames: 0x20000fe0 inside; after `sub sp, #32`
// 0x20000fc0, 16 bytes below; twice (one report); back inside; below again (a second
// episode, a second report).
TEST_F(StackGuardTest, TaskOverflowIsReportedOncePerEpisodeWithExactBounds) {
    code(kThread, {0x4808,          // ldr r0, [pc, #32]  (0x20001000)
                   0xF380, 0x8809,  // msr psp, r0
                   movs(0, 2),      //
                   0xF380, 0x8814,  // msr control, r0: Thread mode uses the PSP
                   0xF3BF, 0x8F6F,  // isb
                   svc(0),          // 0x110: frame at 0x20000fe0
                   0xB088,          // sub sp, #32
                   svc(0),          // 0x114: frame at 0x20000fc0
                   svc(0),          // 0x116: still there
                   0xB008,          // add sp, #32
                   svc(0),          // 0x11a: back at 0x20000fe0
                   0xB088,          // sub sp, #32
                   svc(0),          // 0x11e: 0x20000fc0 again
                   kBSelf, kNop});
    word(kThread + 0x24, 0x20001000);
    code(kSvcHandler, {kBxLr});
    vector(11, kSvcHandler);
    const ContextSwitchDetector tasks(m.signals(), m.symbols());
    StackGuard guard(m, tasks, {StackRegion{"worker", 0x20000FD0, 0x20001000, "0x20000fd0", {}}},
                     std::nullopt);
    boot(0x20002000, kThread);
    runCycles(200);

    const auto svcs = svcEntries();
    ASSERT_EQ(svcs.size(), 5u);
    EXPECT_EQ(svcs[0].frameAddress, 0x20000FE0u);
    EXPECT_EQ(svcs[1].frameAddress, 0x20000FC0u);
    ASSERT_EQ(reports.size(), 2u);
    EXPECT_EQ(guard.overflows(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        const ExceptionEvent& at = i == 0 ? svcs[1] : svcs[4];
        const StackOverflow& r = reports[i];
        EXPECT_EQ(r.task, "worker");
        EXPECT_FALSE(r.mainStack);
        EXPECT_EQ(r.sp, 0x20000FC0u);
        EXPECT_EQ(r.low, 0x20000FD0u);
        EXPECT_EQ(r.high, 0x20001000u);
        EXPECT_EQ(r.bytes, 16u);
        EXPECT_TRUE(r.below);
        EXPECT_EQ(r.cycle, at.cycle);
        EXPECT_EQ(r.pc, i == 0 ? 0x08000116u : 0x08000120u);
        EXPECT_EQ(r.message,
                  fmt::format("task worker: PSP 0x20000fc0 is 16 bytes below its stack "
                              "0x20000fd0..0x20001000 (0x20000fd0, 48 bytes) at {} ms (cycle {}), "
                              "PC 0x{:08x}, seen on SVCall entry",
                              formatMs(at.time), at.cycle, r.pc));
    }
    ASSERT_EQ(diagnostics.size(), 2u);
    EXPECT_EQ(diagnostics[0].kind, DiagnosticKind::FirmwareMistake);
    EXPECT_EQ(diagnostics[0].source, "stack guard");
    EXPECT_EQ(diagnostics[0].message, reports[0].message);
}

// Handler frames go on the MSP: an SVC from Thread mode on the MSP at 0x20000100 stacks its
// frame at 0x200000e0, 16 bytes below an end of .bss at 0x200000f0.
TEST_F(StackGuardTest, MainStackBelowTheEndOfBssIsReported) {
    code(kThread, {svc(0), kBSelf});
    code(kSvcHandler, {kBxLr});
    vector(11, kSvcHandler);
    const ContextSwitchDetector tasks(m.signals(), m.symbols());
    StackGuard guard(m, tasks, {}, MainStackBounds{0x200000F0, 0x20000100, "_ebss", "_estack"});
    boot(0x20000100, kThread);
    runCycles(100);

    const auto svcs = svcEntries();
    ASSERT_EQ(svcs.size(), 1u);
    ASSERT_EQ(reports.size(), 1u);  // the return unstacks the same frame: same episode
    EXPECT_TRUE(reports[0].mainStack);
    EXPECT_EQ(reports[0].task, "main stack");
    EXPECT_EQ(reports[0].message,
              fmt::format("main stack: MSP 0x200000e0 is 16 bytes below its bounds 0x200000f0 "
                          "(_ebss)..0x20000100 (_estack) at {} ms (cycle {}), PC 0x08000102, "
                          "seen on SVCall entry",
                          formatMs(svcs[0].time), svcs[0].cycle));
}

// The same code with the frame inside the bounds: nothing.
TEST_F(StackGuardTest, MainStackInsideItsBoundsIsQuiet) {
    code(kThread, {svc(0), kBSelf});
    code(kSvcHandler, {kBxLr});
    vector(11, kSvcHandler);
    const ContextSwitchDetector tasks(m.signals(), m.symbols());
    StackGuard guard(m, tasks, {}, MainStackBounds{0x200000E0, 0x20000100, "_ebss", "_estack"});
    boot(0x20000100, kThread);
    runCycles(100);
    ASSERT_EQ(svcEntries().size(), 1u);
    EXPECT_TRUE(reports.empty());
    EXPECT_TRUE(diagnostics.empty());
}

// --- where the stacks are -----------------------------------------------------------------

TEST(StackLayout, ParsesStackSpecs) {
    std::string error;
    auto s = parseStackSpec("red=g_red_stack", &error);
    ASSERT_TRUE(s) << error;
    EXPECT_EQ(s->name, "red");
    EXPECT_EQ(s->where, "g_red_stack");
    EXPECT_FALSE(s->size);
    s = parseStackSpec("red=g_red_stack:0x200", &error);
    ASSERT_TRUE(s) << error;
    EXPECT_EQ(s->size, 0x200u);
    s = parseStackSpec("boot=0x20001000:1024", &error);
    ASSERT_TRUE(s) << error;
    EXPECT_EQ(s->where, "0x20001000");
    EXPECT_EQ(s->size, 1024u);

    EXPECT_FALSE(parseStackSpec("red", &error));
    EXPECT_EQ(error, "expected NAME=SYMBOL[:SIZE] or NAME=ADDRESS:SIZE");
    EXPECT_FALSE(parseStackSpec("boot=0x20001000", &error));
    EXPECT_EQ(error, "'0x20001000' is an address: give its size, ADDRESS:SIZE");
    EXPECT_FALSE(parseStackSpec("red=g_red_stack:0", &error));
    EXPECT_EQ(error, "bad size '0': expected a positive number of bytes (decimal or 0x hex)");
    EXPECT_FALSE(parseStackSpec("red=0x1zz:4", &error));
    EXPECT_EQ(error, "bad address '0x1zz': expected 0x hex or decimal");
}

TEST(StackLayout, ResolvesSymbolsAndRefusesFunctionsAndSizelessSymbols) {
    SymbolTable symbols;
    symbols.add({"g_red_stack", 0x20000400, 512, false});
    symbols.add({"main", 0x08000200, 40, true});
    symbols.add({"marker", 0x20000800, 0, false});
    symbols.finalize();
    std::string error;
    auto r = resolveStack({"red", "g_red_stack", std::nullopt}, symbols, &error);
    ASSERT_TRUE(r) << error;
    EXPECT_EQ(r->low, 0x20000400u);
    EXPECT_EQ(r->high, 0x20000600u);
    r = resolveStack({"red", "g_red_stack", 256}, symbols, &error);
    ASSERT_TRUE(r) << error;
    EXPECT_EQ(r->high, 0x20000500u);
    EXPECT_FALSE(resolveStack({"red", "g_red_stak", std::nullopt}, symbols, &error));
    EXPECT_EQ(error, "no symbol 'g_red_stak'");
    EXPECT_FALSE(resolveStack({"m", "main", std::nullopt}, symbols, &error));
    EXPECT_EQ(error, "'main' is a function, not a stack");
    EXPECT_FALSE(resolveStack({"x", "marker", std::nullopt}, symbols, &error));
    EXPECT_EQ(error, "'marker' has no size in the ELF: give it, x=marker:SIZE");
    EXPECT_FALSE(resolveStack({"x", "0xfffffff0", 32}, symbols, &error));
}

// firmware/kernel's layout: g_tasks[8] of 20-byte TCBs, g_task_stacks[8][256] words.
TEST(StackLayout, InfersTheBundledSchedulersStacks) {
    SymbolTable symbols;
    symbols.add({"g_tasks", 0x20000034, 160, false});
    symbols.add({"g_task_stacks", 0x200000D8, 8192, false});
    symbols.finalize();
    const auto stacks = inferSchedulerStacks(symbols);
    ASSERT_EQ(stacks.size(), 8u);
    EXPECT_EQ(stacks[3].low, 0x200000D8u + 3 * 1024);
    EXPECT_EQ(stacks[3].high, 0x200000D8u + 4 * 1024);
    EXPECT_EQ(stacks[3].origin, "g_task_stacks[3]");
    EXPECT_EQ(stacks[3].tcbNameAddress, 0x20000034u + 3 * 20 + 12);

    SymbolTable other;  // a TCB array that is not 20-byte TCBs: no inference
    other.add({"g_tasks", 0x20000034, 150, false});
    other.add({"g_task_stacks", 0x200000D8, 8192, false});
    other.finalize();
    EXPECT_TRUE(inferSchedulerStacks(other).empty());
}

}  // namespace
}  // namespace cmsim::testing
