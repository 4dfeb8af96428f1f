// The trace log on the bundled F407 scheduler.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <sstream>

#include "RunCli.h"
#include "trace/Tracer.h"

namespace cmsim::testing {
namespace {

const std::string kBlinky = CMSIM_FIRMWARE_DIR "/f407/blinky.elf";

std::string tracePath(const std::string& tag) {
    return (std::filesystem::temp_directory_path() /
            ("cmsim_trace_" + std::to_string(::getpid()) + "_" + tag + ".log"))
        .string();
}

std::vector<std::string> lines(const std::string& text, const std::string& category) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) {
        if (l.find("  " + category + " ") != std::string::npos) out.push_back(l);
    }
    return out;
}

TEST(Trace, FirstTenContextSwitchesFollowTheRoundRobin) {
    const std::string file = tracePath("switch");
    const auto r = runCli(kBlinky + " --board f407 --for 260ms -q --trace switch --trace-file " + file);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto sw = lines(slurp(file), "switch");
    ASSERT_GE(sw.size(), 10u);
    // Start-up: each task runs once, toggles and blocks; idle sleeps. At 125 ms red wakes;
    // at 250 ms red then blue (round robin from the idle slot).
    const std::vector<std::string> expected = {
        "main -> task_green",  "task_green -> task_orange", "task_orange -> task_red",
        "task_red -> task_blue", "task_blue -> idle_task",  "idle_task -> task_red",
        "task_red -> idle_task", "idle_task -> task_red",   "task_red -> task_blue",
        "task_blue -> idle_task"};
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_NE(sw[i].find(" switch " + expected[i] + "  via "), std::string::npos)
            << "switch " << i << ": " << sw[i];
    }
    // The first one is the SVC launch; then PendSV from task_delay; idle is left by the
    // tick that unblocks a task (SysTick tail-chained to PendSV).
    EXPECT_NE(sw[0].find("via SVCall"), std::string::npos) << sw[0];
    EXPECT_NE(sw[1].find("via PendSV"), std::string::npos) << sw[1];
    EXPECT_NE(sw[5].find("via SysTick"), std::string::npos) << sw[5];
    // Task summary: idle ran 1 (start-up) + 1 (after 125 ms) + 1 (after 250 ms) times.
    EXPECT_NE(r.out.find("context switches; Thread-mode time per task"), std::string::npos) << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\nidle_task\s+3\s)"))) << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\ntask_red\s+3\s)"))) << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\ntask_green\s+1\s)"))) << r.out;
    std::filesystem::remove(file);
}

TEST(Trace, TaskMapNamesTasksByTheirEntrySymbol) {
    const auto r = runCli(kBlinky + " --board f407 --for 2ms -q --trace switch --task green=task_green "
                                    "--task idle=idle_task --trace-file /dev/null");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\ngreen\s+1\s)"))) << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\nidle\s+1\s)"))) << r.out;
}

TEST(Trace, SameRunTracedTwiceGivesIdenticalFiles) {
    const std::string a = tracePath("a"), b = tracePath("b");
    const std::string args = " --board f407 --for 130ms -q --trace exc,switch,tick,mmio --trace-file ";
    ASSERT_EQ(runCli(kBlinky + args + a).exitCode, 0);
    ASSERT_EQ(runCli(kBlinky + args + b).exitCode, 0);
    const std::string ta = slurp(a);
    EXPECT_GT(ta.size(), 10000u);
    EXPECT_EQ(ta, slurp(b));
    std::filesystem::remove(a);
    std::filesystem::remove(b);
}

TEST(Trace, ExceptionLinesNameVectorPreemptedCodeFrameAndLatency) {
    const std::string file = tracePath("exc");
    ASSERT_EQ(runCli(kBlinky + " --board f407 --for 2ms -q --trace exc,tick --trace-file " + file).exitCode, 0);
    const std::string t = slurp(file);
    // The first tick wraps at 1.296330 ms and is taken from idle's WFI 12 cycles later.
    EXPECT_NE(t.find("        1.296330       173238  tick   SysTick wrap #1\n"), std::string::npos) << t;
    EXPECT_NE(t.find("        1.296402       173250  exc    entry  SysTick          preempted 0x080008a0 "
                     "(idle_task+0x2) frame PSP 0x200004b8 EXC_RETURN 0xfffffffd latency 12"),
              std::string::npos)
        << t;
    EXPECT_NE(t.find("exc    chain  PendSV           tail-chained, frame PSP 0x200004b8 kept"),
              std::string::npos)
        << t;
    std::filesystem::remove(file);
}

TEST(Trace, MmioLinesDecodeRegistersAndFields) {
    const std::string file = tracePath("mmio");
    ASSERT_EQ(runCli(kBlinky + " --board f407 --for 1ms -q --trace mmio --trace-file " + file).exitCode, 0);
    const std::string t = slurp(file);
    EXPECT_NE(t.find("RCC.CR         <= 0x00010083 (HSION HSIRDY HSEON)"), std::string::npos);
    EXPECT_NE(t.find("GPIOD.BSRR     <= 0x00001000 (BS12: PD12 high)"), std::string::npos) << t.substr(0, 3000);
    std::filesystem::remove(file);
}

TEST(Trace, InstructionTraceOnlyInsideItsWindow) {
    const std::string file = tracePath("insn");
    ASSERT_EQ(runCli(kBlinky + " --board f407 --for 2ms -q --trace insn --trace-from 1.2964ms "
                               "--trace-until 1.2966ms --trace-file " + file)
                  .exitCode,
              0);
    const auto insn = lines(slurp(file), "insn");
    ASSERT_FALSE(insn.empty());
    for (const auto& l : insn) {
        const double ms = std::stod(l.substr(0, 16));
        EXPECT_GE(ms, 1.2964) << l;
        EXPECT_LE(ms, 1.2966) << l;
    }
    // SysTick_Handler's first instruction, disassembled, with its symbol.
    EXPECT_NE(slurp(file).find("SysTick_Handler "), std::string::npos);
    std::filesystem::remove(file);
}

TEST(Trace, BadCategoryIsBadInput) {
    const auto r = runCli(kBlinky + " --board f407 --trace exc,bogus");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("unknown trace category 'bogus'"), std::string::npos) << r.err;
}

TEST(Trace, UnknownTaskSymbolIsBadInput) {
    const auto r = runCli(kBlinky + " --board f407 --trace switch --task x=no_such_fn --trace-file /dev/null");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("no symbol 'no_such_fn'"), std::string::npos) << r.err;
}

TEST(TraceFormat, CategoriesParseAndTimeHasNanosecondPrecision) {
    std::string err;
    EXPECT_EQ(parseTraceCategories("exc,switch", &err), trace::kExc | trace::kSwitch);
    EXPECT_EQ(parseTraceCategories("insn", &err), trace::kInsn);
    EXPECT_EQ(parseTraceCategories("", &err), std::nullopt);
    EXPECT_EQ(formatTraceTime(1'296'330'000), "1.296330");
    EXPECT_EQ(formatTraceTime(1'000'297'283'499), "1000.297283");
    EXPECT_EQ(formatTraceTime(1'500), "0.000002");
}

}  // namespace
}  // namespace cmsim::testing
