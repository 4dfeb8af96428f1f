// The stack guard on the bundled F407 scheduler firmware: armed from the ELF alone (the
// inferred task stacks and the MSP bounds), quiet on the good firmware, and naming a task
// by its TCB when its stack is too small; --stack and scenario `stacks:` errors.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "ContextSwitchDetector.h"
#include "ElfImage.h"
#include "Machine.h"
#include "RunCli.h"
#include "StackGuard.h"
#include "boards/Boards.h"
#include "scenario/ScenarioRunner.h"

namespace cmsim::testing {
namespace {

const std::string kBlinky = CMSIM_FIRMWARE_DIR "/f407/blinky.elf";
constexpr Picoseconds kMs = 1'000'000'000ULL;

struct GuardedRun {
    std::vector<StackOverflow> reports;
    std::vector<StackRegion> stacks;
    std::optional<MainStackBounds> mainStack;
};

// Runs blinky for `duration` with the guard built as the CLI builds it; `adjust` may
// change the inferred stacks first.
GuardedRun runBlinky(Picoseconds duration,
                     const std::function<void(std::vector<StackRegion>&)>& adjust = {}) {
    const ElfImage image = ElfImage::load(kBlinky);
    Machine machine(stm32f407DiscoveryBoard());
    machine.load(image);
    GuardedRun run;
    machine.signals().stacks.subscribe([&](const StackOverflow& o) { run.reports.push_back(o); });
    const ContextSwitchDetector tasks(machine.signals(), machine.symbols());
    auto stacks = inferSchedulerStacks(machine.symbols());
    if (adjust) adjust(stacks);
    const auto guard = guardStacks(machine, tasks, image, stacks);
    run.stacks = guard->stacks();
    run.mainStack = guard->mainStack();
    machine.powerOnReset();
    machine.runUntilTime(duration);
    return run;
}

TEST(StackGuardBlinky, IsArmedFromTheElfAndQuietOnTheGoodFirmware) {
    const GuardedRun run = runBlinky(3000 * kMs);
    // firmware/kernel: 8 slots of 1 KiB in g_task_stacks; MSP between _ebss and _estack.
    const ElfImage image = ElfImage::load(kBlinky);
    const SymbolTable& symbols = image.symbols();
    const auto base = symbols.byName("g_task_stacks")->address;
    ASSERT_EQ(run.stacks.size(), 8u);
    EXPECT_EQ(run.stacks[1].low, base + 1024);
    EXPECT_EQ(run.stacks[1].high, base + 2048);
    ASSERT_TRUE(run.mainStack);
    EXPECT_EQ(run.mainStack->low, symbols.byName("_ebss")->address);
    EXPECT_EQ(run.mainStack->high, 0x20020000u);
    EXPECT_EQ(run.mainStack->highOrigin, "_estack");
    EXPECT_TRUE(run.reports.empty()) << run.reports.front().message;
}

// Green's stack cut to the 32 bytes above its initial frame: its first PendSV frame (16
// bytes deeper) is outside, reported once, naming the task as its TCB does ("green").
TEST(StackGuardBlinky, NamesTheTaskByItsTcb) {
    const GuardedRun run =
        runBlinky(1500 * kMs, [](std::vector<StackRegion>& s) { s[1].low = s[1].high - 0x20; });
    ASSERT_EQ(run.reports.size(), 1u);
    const StackOverflow& r = run.reports[0];
    EXPECT_EQ(r.task, "green");
    EXPECT_EQ(r.low, run.stacks[1].high - 0x20);
    EXPECT_EQ(r.bytes, r.low - r.sp);
    EXPECT_EQ(r.sp, run.stacks[1].high - 0x30);
    EXPECT_NE(r.message.find(fmt::format("task green: PSP 0x{:08x} is 16 bytes below its stack "
                                         "0x{:08x}..0x{:08x} (g_task_stacks[1], 32 bytes)",
                                         r.sp, r.low, r.high)),
              std::string::npos)
        << r.message;
}

TEST(StackGuardCli, BlinkyHasNoStackGuardReport) {
    const auto r = runCli(kBlinky + " --board f407 --for 2s -q");
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.err.find("stack guard"), std::string::npos) << r.err;
}

TEST(StackGuardCli, StackOptionReportsAndRefusesBadSpecs) {
    auto r = runCli(kBlinky + " --board f407 --for 2s -q --stack idle=g_task_stacks:1024");
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.err.find("stack guard"), std::string::npos) << r.err;

    r = runCli(kBlinky + " --board f407 --for 1s -q --stack idle=g_task_stakcs");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(r.err,
              "cmsim: --stack idle=g_task_stakcs: no symbol 'g_task_stakcs' in " + kBlinky + "\n");
    r = runCli(kBlinky + " --board f407 --for 1s -q --stack idle");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(r.err, "cmsim: --stack idle: expected NAME=SYMBOL[:SIZE] or NAME=ADDRESS:SIZE\n");
    r = runCli(kBlinky + " --board f407 --for 1s -q --stack m=main");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(r.err,
              "cmsim: --stack m=main: 'main' is a function, not a stack in " + kBlinky + "\n");
}

// A scenario's `stacks:` and the stack expectations, through the runner.
TEST(StackGuardScenario, StacksAndExpectations) {
    using namespace cmsim::scenario;
    const std::string text = fmt::format(R"(name: green's stack too small
firmware: {}
board: f407
run:
  for: 10ms
stacks:
  green: 0x{:08x}:32
  idle: g_task_stacks:1024
expect:
  - stack_overflow: {{task: green}}
)",
                                         kBlinky, 0x200008D8 - 0x20);
    const auto prepared = prepareScenario(parseScenarioText(text, "s.yaml", {}));
    ASSERT_EQ(prepared.stacks.size(), 2u);
    const ScenarioResult result = runScenario(prepared);
    ASSERT_FALSE(result.inputError) << *result.inputError;
    ASSERT_EQ(result.record.stackOverflows.size(), 1u);
    EXPECT_EQ(result.record.stackOverflows[0].task, "green");
    ASSERT_EQ(result.results.size(), 2u);  // and the implied no_fault
    EXPECT_TRUE(result.results[0].passed) << result.results[0].line();
    EXPECT_EQ(result.results[0].line().rfind("stack overflow of green: at 0.297 ms: task green: "
                                             "PSP 0x200008a8 is 16 bytes below",
                                             0),
              0u)
        << result.results[0].line();

    try {
        prepareScenario(parseScenarioText(
            fmt::format("name: x\nfirmware: {}\nboard: f407\nrun: {{for: 1ms}}\nstacks:\n  red: "
                        "red_stack\nexpect:\n  - stack_ok: true\n",
                        kBlinky),
            "s.yaml", {}));
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_STREQ(e.what(), "s.yaml:6:8: stack 'red': no symbol 'red_stack' in blinky.elf");
    }
}

}  // namespace
}  // namespace cmsim::testing
