// The benchmark firmware (firmware/bench/, BENCHMARKS.md) computes what the host computes.
//
// bench_cpu and bench_sched print one checksum line over semihosting and exit with
// SYS_EXIT. The expected lines come from the same portable C sources compiled for the
// host (cpu_workload.c, sched_workload.c: see tests/firmware/extra.cmake), so a wrong
// instruction, a lost exception or a mistimed tick in the emulator changes the text. The
// checksum tests also pin the benchmark's figures: cycle counts identical across runs and
// with tracing on (timings themselves are only printed by tools/bench, never asserted).
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <unistd.h>

#include "Session.h"

extern "C" {
#include "cpu_workload.h"
#include "sched_workload.h"
}

namespace cmsim::testing {
namespace {

std::string elf(const char* name) {
    return std::string(CMSIM_FIRMWARE_DIR "/f407/") + name + ".elf";
}

// One run as the CLI does it (quiet), ended by the firmware's SYS_EXIT well before the
// time limit.
RunReport runBench(const char* name, std::ostream* traceOut = nullptr) {
    RunRequest request;
    request.firmware = elf(name);
    request.board = "f407";
    request.duration = 100'000'000'000'000ULL;  // 100 s: the firmware exits long before
    request.printEdges = false;
    if (traceOut != nullptr) {
        request.trace.categories = trace::kExc | trace::kSwitch;
        request.traceOut = traceOut;
    }
    spdlog::logger log("bench", std::make_shared<spdlog::sinks::null_sink_st>());
    std::ostringstream out;
    return runFirmware(request, out, log);
}

TEST(BenchCpu, Crc32HasTheStandardCheckValue) {
    // The CRC-32 check value of "123456789" (IEEE 802.3 / zlib crc32).
    const char* text = "123456789";
    EXPECT_EQ(cpu_crc32(reinterpret_cast<const std::uint8_t*>(text), 9, 0), 0xCBF43926u);
}

TEST(BenchCpu, PrintsTheHostChecksumAndExitsZero) {
    const RunReport r = runBench("bench_cpu");
    EXPECT_EQ(r.semihostingOutput,
              fmt::format("bench_cpu rounds={} checksum={:#010x}\n", CPU_WORKLOAD_ROUNDS,
                          cpu_workload_run(CPU_WORKLOAD_ROUNDS)));
    EXPECT_EQ(r.stop.reason, CoreStop::Reason::Exited) << r.stop.message;
    EXPECT_EQ(r.exitCode, 0);
    // Pure computation: no exception, no sleep, so every cycle is one instruction.
    EXPECT_EQ(r.exceptions, 0u);
    EXPECT_EQ(r.instructions, r.cycles);
    EXPECT_EQ(r.sysclkHz, 16'000'000u);  // no clock set-up: the reset HSI
}

// What bench_sched's reporter prints, derived from the periods: worker i runs at nominal
// ticks 0, d, 2d, ... below SCHED_BENCH_TICKS, and every activation starts on its tick
// (late=0) when the tick's work fits in 1600 cycles.
std::string expectedSchedLine() {
    std::uint32_t runs[SCHED_BENCH_WORKERS] = {};
    std::uint32_t hashes[SCHED_BENCH_WORKERS] = {};
    std::string counts;
    for (std::uint32_t id = 0; id < SCHED_BENCH_WORKERS; ++id) {
        for (std::uint32_t tick = 0; tick < SCHED_BENCH_TICKS; tick += sched_workload_period(id)) {
            ++runs[id];
            hashes[id] = sched_workload_step(hashes[id], tick);
        }
        counts += fmt::format("{}{}", id == 0 ? "" : ",", runs[id]);
    }
    return fmt::format("bench_sched ticks={} runs={} late=0 checksum={:#010x}\n", SCHED_BENCH_TICKS,
                       counts, sched_workload_checksum(runs, hashes));
}

TEST(BenchSched, ExpectedLineFollowsThePeriods) {
    // ceil(20000 / d) activations for d = 1, 2, 3, 5, 7, 11.
    EXPECT_NE(expectedSchedLine().find(" runs=20000,10000,6667,4000,2858,1819 late=0 "),
              std::string::npos)
        << expectedSchedLine();
}

TEST(BenchSched, PrintsTheHostChecksumAndExitsZero) {
    const RunReport r = runBench("bench_sched");
    EXPECT_EQ(r.semihostingOutput, expectedSchedLine());
    EXPECT_EQ(r.stop.reason, CoreStop::Reason::Exited) << r.stop.message;
    EXPECT_EQ(r.exitCode, 0);
    // The reporter wakes at tick 20010 of 100 us (16 MHz HSI, SysTick reload 1599), after
    // a start-up shorter than a millisecond.
    EXPECT_GE(r.simulated, 2'001'000'000'000ULL);
    EXPECT_LT(r.simulated, 2'002'000'000'000ULL);
    // At least a SysTick and a PendSV per tick.
    EXPECT_GE(r.exceptions, 2u * (SCHED_BENCH_TICKS + SCHED_BENCH_SETTLE_TICKS));
}

TEST(BenchSched, TwoRunsTakeTheSameCyclesAndExceptions) {
    const RunReport a = runBench("bench_sched");
    const RunReport b = runBench("bench_sched");
    ASSERT_EQ(a.exitCode, 0);
    EXPECT_EQ(a.cycles, b.cycles);
    EXPECT_EQ(a.instructions, b.instructions);
    EXPECT_EQ(a.exceptions, b.exceptions);
    EXPECT_EQ(a.semihostingOutput, b.semihostingOutput);
}

TEST(BenchSched, TracingExceptionsAndSwitchesDoesNotChangeTime) {
    const RunReport plain = runBench("bench_sched");
    const auto path = std::filesystem::temp_directory_path() /
                      fmt::format("cmsim_bench_trace_{}.log", ::getpid());
    RunReport traced;
    {
        std::ofstream file(path, std::ios::binary | std::ios::trunc);
        traced = runBench("bench_sched", &file);
    }
    const auto traceBytes = std::filesystem::file_size(path);
    std::filesystem::remove(path);
    ASSERT_EQ(plain.exitCode, 0);
    EXPECT_GT(traceBytes, 0u);
    EXPECT_GT(traced.contextSwitches, SCHED_BENCH_TICKS);
    EXPECT_EQ(traced.cycles, plain.cycles);
    EXPECT_EQ(traced.instructions, plain.instructions);
    EXPECT_EQ(traced.exceptions, plain.exceptions);
    EXPECT_EQ(traced.semihostingOutput, plain.semihostingOutput);
}

// bench_busy_idle: the blinky with a `while (1) {}` idle task. The core recognises the
// idle task's `b .` and jumps time to the next event (CortexM::skipIdleLoop); the trace of
// every exception, switch and tick, with cycles, must be byte-identical to emulating each
// iteration (--no-idle-skip).
std::string busyIdleTrace(bool skip, RunReport* report) {
    RunRequest request;
    request.firmware = elf("bench_busy_idle");
    request.board = "f407";
    request.duration = 300'000'000'000ULL;  // 300 ms: the LED tasks run a few times
    request.printEdges = false;
    request.skipIdleLoops = skip;
    request.trace.categories = trace::kExc | trace::kSwitch | trace::kTick;
    std::ostringstream trace;
    request.traceOut = &trace;
    spdlog::logger log("bench", std::make_shared<spdlog::sinks::null_sink_st>());
    std::ostringstream out;
    *report = runFirmware(request, out, log);
    return trace.str();
}

TEST(BenchBusyIdle, SkippingTheIdleLoopGivesTheSameTraceAsEmulatingIt) {
    RunReport skipped, emulated;
    const std::string a = busyIdleTrace(true, &skipped);
    const std::string b = busyIdleTrace(false, &emulated);
    ASSERT_EQ(skipped.exitCode, 0);
    EXPECT_GT(a.size(), 10'000u);
    EXPECT_EQ(a, b);  // every line, cycles included
    EXPECT_EQ(skipped.cycles, emulated.cycles);
    EXPECT_EQ(skipped.instructions, emulated.instructions);
    EXPECT_EQ(emulated.emulatedInstructions, emulated.instructions);
    // The idle task spins for nearly all of the 300 ms at 168 MHz: those instructions are
    // retired (as on silicon) but were not emulated one by one.
    EXPECT_LT(skipped.emulatedInstructions * 100, skipped.instructions);
}

}  // namespace
}  // namespace cmsim::testing
