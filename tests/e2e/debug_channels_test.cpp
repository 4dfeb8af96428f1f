// End to end: the debug-channel variants of the bundled F407 scheduler (apps/blinky_itm,
// apps/blinky_semihost, apps/task_cycles) and a BKPT probe, run as users run them.
//
// Every variant prints one line per task activation, "t=<tick> <color> on|off". A task
// with period P runs at ticks 0, P, 2P, ...; tasks woken at the same tick run in
// creation order (green, orange, red, blue: round robin starting after the idle task).
// The scheduler starts a fraction of a millisecond after reset, so tick T falls just
// after T ms and a 3 s run covers ticks 0..2999: green 3 lines, orange 6, blue 12, red 24.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "ElfImage.h"
#include "Machine.h"
#include "RunCli.h"
#include "boards/Boards.h"

namespace cmsim::testing {
namespace {

std::string elf(const char* name) { return std::string(CMSIM_FIRMWARE_DIR "/f407/") + name + ".elf"; }

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

// The "t=..." activation lines (not the report lines of task_cycles).
std::vector<std::string> activations(const std::string& text) {
    std::vector<std::string> out;
    for (const auto& l : lines(text)) {
        if (l.rfind("t=", 0) == 0 && l.find("max-cycles") == std::string::npos && l.find(" exit ") == std::string::npos) {
            out.push_back(l);
        }
    }
    return out;
}

// What blinky's four tasks print for ticks [0, untilTick), derived from their periods.
std::vector<std::string> expectedActivations(unsigned untilTick) {
    struct Task {
        const char* name;
        unsigned period;
        bool on;
    } tasks[] = {{"green", 1000, false}, {"orange", 500, false}, {"red", 125, false}, {"blue", 250, false}};
    std::vector<std::string> out;
    for (unsigned t = 0; t < untilTick; t += 125) {  // every period is a multiple of 125
        for (auto& task : tasks) {
            if (t % task.period != 0) continue;
            task.on = !task.on;
            out.push_back(fmt::format("t={} {} {}", t, task.name, task.on ? "on" : "off"));
        }
    }
    return out;
}

std::map<std::string, int> countPerTask(const std::vector<std::string>& acts) {
    std::map<std::string, int> n;
    for (const auto& a : acts) ++n[a.substr(a.find(' ') + 1, a.rfind(' ') - a.find(' ') - 1)];
    return n;
}

TEST(DebugChannels, ExpectedActivationsFollowThePeriods) {
    const auto n = countPerTask(expectedActivations(3000));
    EXPECT_EQ(n.at("green"), 3);
    EXPECT_EQ(n.at("orange"), 6);
    EXPECT_EQ(n.at("blue"), 12);
    EXPECT_EQ(n.at("red"), 24);
}

// --- ITM (SWO) ----------------------------------------------------------------------

TEST(DebugChannels, ItmVariantPrintsEveryActivationOnPort0InSchedulerOrder) {
    const auto r = runCli(elf("blinky_itm") + " --board f407 --for 3s -q");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(lines(r.out).at(0), "blinky_itm: 4 LED tasks, console on ITM port 0");
    const auto acts = activations(r.out);
    EXPECT_EQ(acts, expectedActivations(3000));
    auto n = countPerTask(acts);
    EXPECT_EQ(n["green"], 3);
    EXPECT_EQ(n["orange"], 6);
    EXPECT_EQ(n["blue"], 12);
    EXPECT_EQ(n["red"], 24);
    // Same LED behaviour as blinky: the printing costs cycles, not ticks.
    EXPECT_NE(r.out.find("LD4  green   PD12        3"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("LD5  red     PD14       24"), std::string::npos) << r.out;
    // The firmware's own ITM/TPIU set-up is clean: only the kernel's known Thumb-bit frames.
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("bit 0 set"), std::string::npos) << r.err;
}

TEST(DebugChannels, ItmVariantAlsoWorksWhenADebuggerSetTheItmUpFirst) {
    const auto plain = runCli(elf("blinky_itm") + " --board f407 --for 1s -q");
    const auto swo = runCli(elf("blinky_itm") + " --board f407 --for 1s -q --swo");
    ASSERT_EQ(swo.exitCode, 0) << swo.err;
    EXPECT_EQ(activations(swo.out), expectedActivations(1000));
    EXPECT_EQ(activations(swo.out), activations(plain.out));
}

TEST(DebugChannels, ItmPortOption0WritesThePort0TextToTheFile) {
    const auto file = std::filesystem::temp_directory_path() / ("cmsim_itm0_" + std::to_string(::getpid()) + ".txt");
    const auto r = runCli(elf("blinky_itm") + " --board f407 --for 1s -q --itm 0=" + file.string());
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const std::string text = slurp(file);
    std::filesystem::remove(file);
    std::string expected = "blinky_itm: 4 LED tasks, console on ITM port 0\n";
    for (const auto& l : expectedActivations(1000)) expected += l + "\n";
    EXPECT_EQ(text, expected);
    EXPECT_TRUE(activations(r.out).empty()) << r.out;  // not on stdout as well
    EXPECT_EQ(r.out.find("blinky_itm:"), std::string::npos) << r.out;
}

// --- semihosting --------------------------------------------------------------------

TEST(DebugChannels, SemihostingVariantRunsRdimonStartupThenPrintsEveryActivation) {
    const auto r = runCli(elf("blinky_semihost") + " --board f407 --for 3s -q");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    // main() is only reached through newlib's rdimon crt0 (HEAPINFO, :tt, GET_CMDLINE).
    EXPECT_EQ(lines(r.out).at(0), "blinky_semihost: semihosting console, argc=0");
    const auto acts = activations(r.out);
    EXPECT_EQ(acts, expectedActivations(3000));
    auto n = countPerTask(acts);
    EXPECT_EQ(n["green"], 3);
    EXPECT_EQ(n["orange"], 6);
    EXPECT_EQ(n["blue"], 12);
    EXPECT_EQ(n["red"], 24);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(DebugChannels, RdimonStartupTakesHeapAndStackFromHeapInfoAndArgvFromTheCommandLine) {
    MachineOptions options;
    options.semihosting.commandLine = "blinky_semihost 5000 3";
    Machine m(stm32f407DiscoveryBoard(), options);
    std::string out;
    m.signals().output.subscribe([&](const OutputText& t) { out += t.text; });
    m.load(ElfImage::load(elf("blinky_semihost")));
    m.powerOnReset();
    const CoreStop stop = m.runUntilTime(10'000'000'000ULL);  // 10 ms
    ASSERT_EQ(stop.reason, CoreStop::Reason::TimeLimit) << stop.message;
    // crt0 keeps SYS_HEAPINFO's answer: the initial MSP as stack base, and the heap limit
    // (librdimon's default would be 0xcafedead).
    const auto word = [&](const char* symbol) {
        const auto s = m.symbols().byName(symbol);
        EXPECT_TRUE(s.has_value()) << symbol;
        return s ? m.bus().readPhysical(s->address, 4).value_or(0) : 0u;
    };
    EXPECT_EQ(word("__stack_base__"), 0x20020000u);
    EXPECT_EQ(word("__heap_limit"), 0x20020000u - 0x800u);
    const auto l = lines(out);
    ASSERT_GE(l.size(), 3u) << out;
    EXPECT_EQ(l[0], "blinky_semihost: semihosting console, argc=3");
    EXPECT_EQ(l[1], "blinky_semihost: exit(3) at t=5000");
    EXPECT_EQ(l[2], "t=0 green on");
}

TEST(DebugChannels, ExitCodeOfTheFirmwarePassesThrough) {
    const auto r = runCli(elf("blinky_semihost") + " --board f407 --for 3s -q --args 'blinky_semihost 1500 7'");
    EXPECT_EQ(r.exitCode, 7) << r.err;
    const auto l = lines(r.out);
    std::vector<std::string> tail;
    for (const auto& s : l) {
        if (s.rfind("t=", 0) == 0) tail.push_back(s);
    }
    // Everything up to tick 1500, then the stop task (created last) exits in that tick.
    auto expected = expectedActivations(1501);
    expected.push_back("t=1500 exit 7");
    EXPECT_EQ(tail, expected);
    EXPECT_NE(r.err.find("the firmware exited with code 7 (semihosting)"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("1.500"), std::string::npos) << r.out;  // the run ended there
}

TEST(DebugChannels, ExitCodeZeroIsASuccess) {
    const auto r = runCli(elf("blinky_semihost") + " --board f407 --for 3s -q --args 'blinky_semihost 250'");
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("t=250 exit 0"), std::string::npos) << r.out;
}

// --- DWT cycle counts ---------------------------------------------------------------

struct MaxCycles {
    std::string line;  // "t=1000 max-cycles green=... orange=... red=... blue=..."
    std::map<std::string, std::uint64_t> expected;  // cmsim's own measurement by then
};

TEST(DebugChannels, TaskCyclesWorstCasesEqualCmsimsCycleCountOfTheSamePath) {
    // The firmware reads CYCCNT through trace_dwt_cycles() before and after each
    // activation. Independently, cmsim's cycle counter is taken at the entry of every
    // call of that function (an execution watch: exact to the instruction); the two calls
    // of one activation run on the same task, so their difference is the activation's
    // cycle count as cmsim sees it. The printed worst cases must be exactly the maxima.
    Machine m(stm32f407DiscoveryBoard());
    m.load(ElfImage::load(elf("task_cycles")));
    const auto fn = m.symbols().byName("trace_dwt_cycles");
    const auto current = m.symbols().byName("g_current_task");
    const auto tasks = m.symbols().byName("g_tasks");
    ASSERT_TRUE(fn && current && tasks);
    const char* names[] = {"idle", "green", "orange", "red", "blue"};
    std::map<std::string, std::uint64_t> worst;
    std::optional<std::pair<Cycles, std::uint32_t>> start;  // (cycle, task index)
    unsigned activationsSeen = 0;
    m.core().watchExecution(fn->address & ~1u, [&](std::uint32_t, Cycles c) {
        const std::uint32_t tcb = m.bus().readPhysical(current->address, 4).value();
        const std::uint32_t index = (tcb - tasks->address) / 20;
        if (!start) {
            start = {c, index};
            return;
        }
        EXPECT_EQ(start->second, index) << "the two reads of one activation ran on different tasks";
        ASSERT_LT(index, 5u);
        auto& w = worst[names[index]];
        w = std::max<std::uint64_t>(w, c - start->first);
        start.reset();
        ++activationsSeen;
    });
    std::vector<MaxCycles> reports;
    std::string pending, all;
    m.signals().output.subscribe([&](const OutputText& t) {
        all += t.text;
        for (char ch : t.text) {
            if (ch != '\n') {
                pending += ch;
                continue;
            }
            if (pending.find("max-cycles") != std::string::npos) reports.push_back({pending, worst});
            pending.clear();
        }
    });
    m.powerOnReset();
    const CoreStop stop = m.runUntilTime(3'000'000'000'000ULL);
    ASSERT_EQ(stop.reason, CoreStop::Reason::TimeLimit) << stop.message;

    EXPECT_EQ(activationsSeen, 45u);
    EXPECT_EQ(activations(all), expectedActivations(3000));
    ASSERT_EQ(reports.size(), 2u) << all;  // at t=1000 and t=2000
    for (const auto& rep : reports) {
        EXPECT_EQ(rep.line, fmt::format("{} max-cycles green={} orange={} red={} blue={}",
                                        rep.line.substr(0, rep.line.find(' ')), rep.expected.at("green"),
                                        rep.expected.at("orange"), rep.expected.at("red"), rep.expected.at("blue")));
        for (const auto& [task, cycles] : rep.expected) {
            EXPECT_GT(cycles, 500u) << task;  // toggle + a printf line over ITM
            EXPECT_LT(cycles, 10000u) << task;
        }
    }
    EXPECT_EQ(reports[0].line.rfind("t=1000 ", 0), 0u) << reports[0].line;
    EXPECT_EQ(reports[1].line.rfind("t=2000 ", 0), 0u) << reports[1].line;
    // The watch did not perturb the run: the CLI prints the same numbers.
    const auto r = runCli(elf("task_cycles") + " --board f407 --for 3s -q");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find(reports[0].line + "\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(reports[1].line + "\n"), std::string::npos) << r.out;
    EXPECT_EQ(activations(r.out), expectedActivations(3000));
}

TEST(DebugChannels, TaskCyclesGreenActivationAtT1000MatchesTheInstructionTrace) {
    // Green runs first at tick 1000 and its "t=1000 green off" activation is its longest
    // so far, so the t=1000 report's green value is that activation. The instruction trace
    // of the same run gives cmsim's cycle at both calls of trace_dwt_cycles(), and the
    // CYCCNT values the two loads returned (r0=...).
    const auto file = std::filesystem::temp_directory_path() / ("cmsim_tc_trace_" + std::to_string(::getpid()) + ".txt");
    const auto r = runCli(elf("task_cycles") + " --board f407 --for 1001ms -q --trace insn --trace-from 1000ms "
                          "--trace-until 1001ms --trace-file " + file.string());
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const std::string trace = slurp(file);
    std::filesystem::remove(file);
    std::vector<std::uint64_t> entryCycles, loaded;
    for (const auto& l : lines(trace)) {
        std::istringstream in(l);
        std::string time, cat, addr, sym;
        std::uint64_t cycle = 0;
        in >> time >> cycle >> cat >> addr >> sym;
        if (cat != "insn") continue;
        if (sym == "trace_dwt_cycles") entryCycles.push_back(cycle);
        const auto r0 = l.find("r0=0x");
        if (sym == "trace_dwt_cycles+0x2" && r0 != std::string::npos) {
            loaded.push_back(std::stoull(l.substr(r0 + 5, 8), nullptr, 16));
        }
    }
    ASSERT_GE(entryCycles.size(), 2u) << trace.substr(0, 2000);
    ASSERT_GE(loaded.size(), 2u);
    const std::uint64_t traced = entryCycles[1] - entryCycles[0];
    EXPECT_EQ(loaded[1] - loaded[0], traced);  // CYCCNT agrees with the trace's cycle column
    std::string report;
    for (const auto& l : lines(r.out)) {
        if (l.rfind("t=1000 max-cycles ", 0) == 0) report = l;
    }
    ASSERT_FALSE(report.empty()) << r.out;
    EXPECT_NE(report.find(fmt::format(" green={} ", traced)), std::string::npos) << report << " vs " << traced;
}

// --- breakpoints --------------------------------------------------------------------

TEST(DebugChannels, ABkptOtherThanSemihostingStopsWithAClearMessageAndExit3) {
    const auto r = runCli(elf("breakpoint") + " --board f407 --for 1s -q");
    EXPECT_EQ(r.exitCode, 3);
    EXPECT_NE(r.err.find("firmware stopped at"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("BKPT #0x01 at 0x"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("(main+0x"), std::string::npos) << r.err;
    // The green LED went on before the breakpoint: the run got that far.
    EXPECT_NE(r.out.find("LD4  green   PD12        1"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace cmsim::testing
