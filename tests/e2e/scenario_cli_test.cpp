// `cmsim test`: the shipped scenarios pass, the deliberately wrong ones fail with what was
// measured, bad input is one line with file:line:column and exit 2, JUnit XML is well
// formed and counts right, and -j does not change a byte of the output.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "RunCli.h"

namespace cmsim::testing {
namespace {

const std::string kSource = CMSIM_SOURCE_DIR;
const std::string kScenarios = kSource + "/scenarios";
const std::string kBad = kSource + "/tests/scenarios_bad";
const std::string kFirmware = CMSIM_FIRMWARE_DIR;

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

std::size_t countOf(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1))
        ++n;
    return n;
}

std::string lastLine(const std::string& s) {
    std::string t = s;
    while (!t.empty() && t.back() == '\n') t.pop_back();
    const auto p = t.rfind('\n');
    return p == std::string::npos ? t : t.substr(p + 1);
}

std::string tempPath(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            ("cmsim_scn_" + std::to_string(::getpid()) + "_" + name))
        .string();
}

std::string writeTemp(const std::string& name, const std::string& text) {
    const std::string p = tempPath(name);
    std::ofstream(p, std::ios::binary) << text;
    return p;
}

// Scenario files named relative to the source tree, so that messages name them as a user
// would see them (cmsim runs in the test's working directory).
CliResult runInSource(const std::string& args) {
    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(kSource);
    CliResult r = runCli(args);
    std::filesystem::current_path(cwd);
    return r;
}

class ScenarioCli : public ::testing::Test {
  protected:
    // The firmware directory comes from next to the cmsim executable unless a test sets it.
    void SetUp() override { ::unsetenv("CMSIM_FIRMWARE_DIR"); }
    void TearDown() override { ::unsetenv("CMSIM_FIRMWARE_DIR"); }
};

// --- the shipped scenarios -----------------------------------------------------------------

TEST_F(ScenarioCli, ShippedScenariosPass) {
    const auto r = runCli("test " + kScenarios);
    EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_EQ(r.err, "");
    // Twelve F407 scenarios (51 expectations) and one for the H723 (7).
    EXPECT_EQ(lastLine(r.out), "58 passed, 0 failed");
    EXPECT_EQ(countOf(r.out, "\nPASS ") + (r.out.rfind("PASS ", 0) == 0 ? 1 : 0), 13u) << r.out;
    EXPECT_EQ(countOf(r.out, "FAIL"), 0u);
    // Measured beside expected, from the real run.
    for (const char* line : {
             "  PD13 (LD3 orange) toggles: interval 499.999..500.001 ms (7 intervals; expected 500 "
             "ms ± 1 ms), "
             "count 8 (expected 8), first 0.298 ms (expected 0.3 ms ± 10 us) ok\n",
             "  PD14 (LD5 red) toggles: interval 124.999..125.001 ms (31 intervals; expected 125 "
             "ms ± 1 ms), count "
             "32 (expected 32), first 0.298 ms (expected 0.3 ms ± 10 us) ok\n",
             "  clock: SYSCLK 168 MHz (expected 168 MHz), HCLK 168 MHz (expected 168 MHz), since "
             "0.293 ms "
             "(expected by 0.3 ms) ok\n",
             "  exception PendSV: first entry 0.297 ms (expected 0.2971875 ms ± 1 us) ok\n",
             "  sequence from 1000 ms until 1000.4 ms: SysTick entry, PendSV entry, PD12 falls, "
             "PD13 rises, PD14 "
             "rises, PD15 rises: in order at 1000.296, 1000.297, 1000.297, 1000.298, 1000.299, "
             "1000.300 ms ok\n",
             "  exception SysTick from 1000 ms until 1999.999 ms: count 1000 (expected 1000) ok\n",
             "  never reaches HardFault_Handler: not reached; the run ended at 2100.000 ms ok\n",
             "  fault containing \"BusFault escalated to HardFault: precise data bus error: read "
             "at 0x60000000\": "
             "faulted at 0.070 ms: BusFault escalated to HardFault: precise data bus error: read "
             "at 0x60000000 "
             "(nothing mapped there) by \"ldr r2, [r3]\" at 0x08000822 (main+0x16); the run went "
             "on to its limit at "
             "10.000 ms ok\n",
             "  reaches HardFault_Handler by 0.1 ms: at 0.070 ms ok\n",
             "  fault: UsageFault, taken as HardFault, CFSR 0x00010000 (UNDEFINSTR), HFSR "
             "0x40000000 "
             "(FORCED), pc in main, message containing \"UsageFault escalated to HardFault: "
             "undefined instruction 0xde00\": faulted at 0.070 "
             "ms: UsageFault escalated to HardFault: undefined instruction 0xde00 at 0x0800081c "
             "(main+0x12); the run "
             "stopped there ok\n",
         }) {
        EXPECT_TRUE(contains(r.out, line)) << "missing: " << line << "\nin:\n" << r.out;
    }
    // Blocks in input order (sorted file names).
    const auto a = r.out.find("scenarios/blinky_led_periods.yaml");
    const auto b = r.out.find("scenarios/blinky_startup.yaml");
    const auto c = r.out.find("scenarios/probe_undefined_insn.yaml");
    EXPECT_LT(a, b);
    EXPECT_LT(b, c);
}

TEST_F(ScenarioCli, FirmwareDirectoryFromTheEnvironment) {
    ::setenv("CMSIM_FIRMWARE_DIR", kFirmware.c_str(), 1);
    const auto ok = runCli("test " + kScenarios + "/blinky_led_periods.yaml");
    EXPECT_EQ(ok.exitCode, 0) << ok.out << ok.err;
    EXPECT_EQ(lastLine(ok.out), "5 passed, 0 failed");

    ::setenv("CMSIM_FIRMWARE_DIR", "/nonexistent/fw", 1);
    const auto bad = runInSource("test scenarios/blinky_led_periods.yaml");
    EXPECT_EQ(bad.exitCode, 2);
    EXPECT_EQ(bad.out, "");
    EXPECT_EQ(bad.err,
              "cmsim: scenarios/blinky_led_periods.yaml:6:11: firmware: "
              "/nonexistent/fw/f407/blinky.elf: no such "
              "file\n");
}

// --- the deliberately wrong scenarios ------------------------------------------------------

TEST_F(ScenarioCli, WrongIntervalFailsWithTheMeasuredIntervals) {
    const auto r = runInSource("test tests/scenarios_bad/wrong_interval.yaml");
    EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_TRUE(
        contains(r.out,
                 "FAIL tests/scenarios_bad/wrong_interval.yaml: wrong - the orange LED does not "
                 "toggle every 400 ms\n"));
    EXPECT_TRUE(contains(
        r.out,
        "  PD13 (LD3 orange) toggles: interval 499.999..500.001 ms (3 intervals; expected 400 ms ± "
        "1 ms), count 4 (expected 4) FAILED\n"
        "      3 of 3 intervals outside 400 ms ± 1 ms:\n"
        "      interval #1: 0.298 -> 500.298 ms = 500.000 ms (+99.999827 ms from 400 ms ± 1 ms)\n"
        "      interval #2: 500.298 -> 1000.298 ms = 500.001 ms (+100.000702 ms from 400 ms ± 1 "
        "ms)\n"
        "      interval #3: 1000.298 -> 1500.298 ms = 499.999 ms (+99.999298 ms from 400 ms ± 1 "
        "ms)\n"
        "      intervals (ms, * = outside): 500.000* 500.001* 499.999*\n"))
        << r.out;
    // Only the intervals that broke the tighter tolerance are listed as offenders.
    EXPECT_TRUE(contains(
        r.out,
        "  PD13 (LD3 orange) toggles: interval 499.999..500.001 ms (3 intervals; expected 500 ms ± "
        "500 ns) FAILED\n"
        "      2 of 3 intervals outside 500 ms ± 500 ns:\n"
        "      interval #2: 500.298 -> 1000.298 ms = 500.001 ms (+702 ns from 500 ms ± 500 ns)\n"
        "      interval #3: 1000.298 -> 1500.298 ms = 499.999 ms (-702 ns from 500 ms ± 500 ns)\n"
        "      intervals (ms, * = outside): 500.000 500.001* 499.999*\n"))
        << r.out;
    EXPECT_TRUE(contains(
        r.out,
        "  PD12 (LD4 green) toggles: interval 1000.001 ms (1 interval; expected 1000 ms ± 1 "
        "ms) ok\n"));
    EXPECT_EQ(lastLine(r.out), "2 passed, 2 failed");
}

TEST_F(ScenarioCli, WrongOrderFailsNamingTheEventOutOfOrder) {
    const auto r = runInSource("test tests/scenarios_bad/wrong_order.yaml");
    EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
    EXPECT_TRUE(contains(
        r.out,
        "  sequence from 999 ms until 1001 ms: PD13 rises, PD12 falls, PD14 rises: PD12 falls not "
        "found after PD13 rises at 1000.298 ms FAILED\n"
        "      matched: PD13 rises at 1000.298 ms\n"
        "      out of order: PD12 falls happened at 1000.297 ms, before PD13 rises at 1000.298 ms\n"
        "      the expected events as they happened in the window:\n"
        "        1000.297 ms PD12 falls\n"
        "        1000.298 ms PD13 rises\n"
        "        1000.299 ms PD14 rises\n"))
        << r.out;
    EXPECT_TRUE(contains(r.out, "PD14 rises not found after PD15 rises at 1000.300 ms FAILED\n"));
    EXPECT_EQ(lastLine(r.out), "1 passed, 2 failed");
}

TEST_F(ScenarioCli, SymbolsNotReachedOrReachedWhenTheyShouldNotBe) {
    const auto r = runInSource("test tests/scenarios_bad/never_reached.yaml");
    EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
    for (const char* text : {
             "  reaches task_exit_trap: not reached; the run ended at 50.000 ms FAILED\n",
             "  reaches main by 0.1 ms: at 0.237 ms, 137.25 us late FAILED\n"
             "      first reached at 0.237 ms (cycle 3796)\n",
             "  never reaches idle_task: reached at 0.300 ms (cycle 5872) FAILED\n",
             "  exception PendSV: first entry 0.297 ms (expected 0.25 ms ± 1 us) FAILED\n"
             "      first entry at 0.297 ms (cycle 5382) is +47.188 us from 0.25 ms\n",
             "  clock: SYSCLK 168 MHz (expected 84 MHz), not set by the end (expected by 0.1 ms) "
             "FAILED\n"
             "      from 0.000 ms: SYSCLK 16 MHz, HCLK 16 MHz\n"
             "      from 0.293 ms: SYSCLK 168 MHz, HCLK 168 MHz\n",
             "  PD15 (LD6 blue) stays low from 1 ms until 49 ms: high at 1 ms FAILED\n"
             "      went high at 0.299 ms (cycle 5722), before the window\n",
         }) {
        EXPECT_TRUE(contains(r.out, text)) << "missing: " << text << "\nin:\n" << r.out;
    }
    EXPECT_EQ(lastLine(r.out), "1 passed, 6 failed");
}

TEST_F(ScenarioCli, UnexpectedFaultFailsTheImpliedNoFault) {
    const auto r = runInSource("test tests/scenarios_bad/unexpected_fault.yaml");
    EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
    EXPECT_TRUE(contains(
        r.out,
        "  no fault (implied: the scenario expects no fault): faulted at 0.070 ms: BusFault "
        "escalated to HardFault: precise data bus error: read at 0x60000000 (nothing mapped "
        "there) by \"ldr r2, [r3]\" at 0x08000822 (main+0x16); the run went on to its limit "
        "at 10.000 ms FAILED\n"))
        << r.out;
    EXPECT_EQ(lastLine(r.out), "1 passed, 1 failed");
}

TEST_F(ScenarioCli, FirmwareOverrideRunsAnotherElf) {
    // The bus_error scenario on blinky: blinky does not fault.
    const auto r = runInSource("test scenarios/probe_bus_error.yaml --firmware " + kFirmware +
                               "/f407/blinky.elf");
    EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
    EXPECT_TRUE(
        contains(r.out, "  blinky.elf on STM32F407G-DISC1 for 10 ms: 0.010000 s simulated"));
    EXPECT_TRUE(contains(r.out, "  exception HardFault: count 0 (expected 1) FAILED\n"));
    EXPECT_TRUE(contains(
        r.out,
        "  fault containing \"BusFault escalated to HardFault: precise data bus error: read "
        "at 0x60000000\": no fault; the run reached its limit at 10.000 ms FAILED\n"))
        << r.out;
}

// --- bad input: exit 2, one line each, nothing runs -----------------------------------------

TEST_F(ScenarioCli, MalformedFilesGiveExit2WithFileLineAndColumn) {
    const auto r = runInSource("test tests/scenarios_bad/input");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(r.out, "");  // nothing ran
    EXPECT_EQ(
        r.err,
        "cmsim: tests/scenarios_bad/input/bad_duration.yaml:5:8: bad duration '5 parsecs' for "
        "'for': expected "
        "a number and a unit (ns, us, ms or s), e.g. 250ms\n"
        "cmsim: tests/scenarios_bad/input/missing_firmware.yaml:2:11: firmware: "
        "tests/scenarios_bad/no_such_firmware.elf: no such file\n"
        "cmsim: tests/scenarios_bad/input/typo_key.yaml:9:7: unknown key 'intreval' in toggles "
        "expectation "
        "(did you mean 'interval'?); expected pin, led, interval, skip, count, first, from, until\n"
        "cmsim: tests/scenarios_bad/input/unknown_symbol.yaml:8:38: no symbol 'HardFault_Handlr' "
        "in "
        "blinky.elf\n");
}

TEST_F(ScenarioCli, OneBadFileStopsEverythingFromRunning) {
    const auto r = runInSource("test scenarios tests/scenarios_bad/input/typo_key.yaml");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(countOf(r.err, "\n"), 1u) << r.err;
}

TEST_F(ScenarioCli, YamlSyntaxErrorAndEmptyFile) {
    const auto syntax =
        runCli("test " + writeTemp("syntax.yaml", "name: x\nrun: {for: 1s\nexpect: []\n"));
    EXPECT_EQ(syntax.exitCode, 2);
    EXPECT_TRUE(std::regex_search(
        syntax.err, std::regex(R"(^cmsim: \S+syntax\.yaml:3:7: YAML syntax error: )")))
        << syntax.err;
    EXPECT_EQ(countOf(syntax.err, "\n"), 1u);

    const auto empty = runCli("test " + writeTemp("empty.yaml", ""));
    EXPECT_EQ(empty.exitCode, 2);
    EXPECT_TRUE(contains(empty.err, "empty.yaml:1:1: empty scenario file\n")) << empty.err;
}

TEST_F(ScenarioCli, PathsThatDoNotExistOrHoldNoScenarios) {
    const auto missing = runCli("test /nonexistent/scenarios");
    EXPECT_EQ(missing.exitCode, 2);
    EXPECT_EQ(missing.err, "cmsim: /nonexistent/scenarios: no such file or directory\n");
    const std::string dir = tempPath("emptydir");
    std::filesystem::create_directories(dir);
    const auto empty = runCli("test " + dir);
    EXPECT_EQ(empty.exitCode, 2);
    EXPECT_EQ(empty.err,
              "cmsim: " + dir + ": no scenario files (*.yaml, *.yml) in the directory\n");
    std::filesystem::remove(dir);
    const auto none = runCli("test");
    EXPECT_EQ(none.exitCode, 2);
}

// --- JUnit ---------------------------------------------------------------------------------

TEST_F(ScenarioCli, JUnitXmlIsWellFormedAndCountsRight) {
    const std::string xml = tempPath("junit.xml");
    const auto r = runCli("test " + kScenarios + " " + kBad + " --junit " + xml);
    EXPECT_EQ(r.exitCode, 1) << r.err;
    const std::string text = slurp(xml);
    // 58 shipped expectations + 16 in the wrong scenarios; 11 fail.
    EXPECT_EQ(lastLine(r.out), "63 passed, 11 failed");
    EXPECT_TRUE(contains(
        text, "<testsuites name=\"cmsim scenarios\" tests=\"74\" failures=\"11\" errors=\"0\">"))
        << text;
    EXPECT_EQ(countOf(text, "<testsuite "), 17u);
    EXPECT_EQ(countOf(text, "<testcase "), 74u);
    EXPECT_EQ(countOf(text, "<failure "), 11u);
    EXPECT_EQ(countOf(text, "</testsuite>"), 17u);
    EXPECT_FALSE(contains(text, "timestamp"));
    EXPECT_FALSE(contains(text, "hostname"));
    // A real XML parser agrees.
    if (std::system("python3 -c '' >/dev/null 2>&1") == 0) {
        const std::string out = tempPath("junit_check.txt");
        const std::string cmd =
            "python3 -c \"import xml.etree.ElementTree as E; r = E.parse('" + xml +
            "').getroot(); print(r.tag, len(list(r.iter('testsuite'))), "
            "len(list(r.iter('testcase'))), "
            "len(list(r.iter('failure'))), r.find('testsuite').get('name'))\" > " +
            out;
        ASSERT_EQ(std::system(cmd.c_str()), 0);
        EXPECT_EQ(slurp(out),
                  "testsuites 17 74 11 blinky - every LED toggles at its task's period\n");
        std::filesystem::remove(out);
    }
    // Deterministic: a second run writes the same bytes.
    const std::string xml2 = tempPath("junit2.xml");
    runCli("test " + kScenarios + " " + kBad + " --junit " + xml2 + " -j 2");
    EXPECT_EQ(slurp(xml2), text);
    std::filesystem::remove(xml);
    std::filesystem::remove(xml2);
}

// --- parallel runs -------------------------------------------------------------------------

TEST_F(ScenarioCli, ParallelRunsGiveByteIdenticalOutput) {
    const std::string all = kScenarios + " " + kBad + " " + kScenarios;
    const auto one = runCli("test -j 1 " + all);
    const auto two = runCli("test -j 2 " + all);
    const auto many = runCli("test -j 8 " + all);
    EXPECT_EQ(one.exitCode, 1);
    EXPECT_EQ(two.exitCode, 1);
    EXPECT_EQ(many.exitCode, 1);
    EXPECT_EQ(lastLine(one.out), "121 passed, 11 failed");
    EXPECT_EQ(two.out, one.out);
    EXPECT_EQ(many.out, one.out);
    EXPECT_EQ(two.err, one.err);
}

TEST_F(ScenarioCli, ListShowsTheExpectationsWithoutRunning) {
    const auto r = runInSource("test --list scenarios/blinky_tick_1000ms.yaml");
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out,
              "scenarios/blinky_tick_1000ms.yaml: blinky - the 1000 ms tick wakes every task, in "
              "creation order\n"
              "  blinky.elf on STM32F407G-DISC1 for 2.1 s\n"
              "  line 12: sequence from 1000 ms until 1000.4 ms: SysTick entry, PendSV entry, PD12 "
              "falls, PD13 "
              "rises, PD14 rises, PD15 rises\n"
              "  line 22: PD12 (LD4 green) stays low from 1000.4 ms until 2000 ms\n"
              "  line 27: exception SysTick from 1000 ms until 1999.999 ms\n"
              "  line 32: never reaches Default_Handler\n"
              "  line 32: never reaches HardFault_Handler\n"
              "  line 33: no fault\n");
}

}  // namespace
}  // namespace cmsim::testing
