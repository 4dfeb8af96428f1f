// SIGINT/SIGTERM end a run cleanly: a real cmsim child process is signalled mid-run; it
// exits 130/143 with its summary printed and every output file complete and parseable.
// And the slicing that lets the run notice the signal changes no output.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spdlog/sinks/ostream_sink.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "RunCli.h"
#include "Session.h"

namespace cmsim::testing {
namespace {

namespace fs = std::filesystem;
const std::string kBlinky = CMSIM_FIRMWARE_DIR "/f407/blinky.elf";
constexpr Picoseconds kMs = 1'000'000'000ULL;

// cmsim with `args`, stdout and stderr to files.
pid_t spawnCli(const std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(o, 1);
        ::dup2(e, 2);
        std::vector<char*> argv{const_cast<char*>(CMSIM_CLI)};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(CMSIM_CLI, argv.data());
        ::_exit(127);
    }
    return pid;
}

// Waits (up to 60 s, for a loaded machine) until `file` has at least `bytes` bytes.
bool waitForFile(const fs::path& file, std::uintmax_t bytes) {
    for (int i = 0; i < 6000; ++i) {
        std::error_code ec;
        if (fs::exists(file, ec) && fs::file_size(file, ec) >= bytes && !ec) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

int waitExit(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

bool parses(const std::string& pythonCheck, const fs::path& file) {
    const std::string cmd = "python3 -c '" + pythonCheck + "' " + file.string();
    return std::system(cmd.c_str()) == 0;
}

class Interrupt : public ::testing::Test {
  protected:
    fs::path dir;
    void SetUp() override {
        dir = fs::temp_directory_path() /
              ("cmsim_interrupt_" + std::to_string(::getpid()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir);
    }
    void TearDown() override { fs::remove_all(dir); }
};

TEST_F(Interrupt, SigintEndsARunWithItsSummaryAndValidFiles) {
    const pid_t pid = spawnCli(
        {kBlinky, "--board", "f407", "--for", "1000s", "-q", "--vcd", (dir / "run.vcd").string(),
         "--timeline", (dir / "run.json").string(), "--plot", (dir / "run.svg").string(), "--trace",
         "exc", "--trace-file", (dir / "run.trace").string()},
        dir / "out", dir / "err");
    ASSERT_GT(pid, 0);
    // The run has started once the trace file fills (its first buffer is written).
    ASSERT_TRUE(waitForFile(dir / "run.trace", 4096));
    ASSERT_EQ(::kill(pid, SIGINT), 0);
    EXPECT_EQ(waitExit(pid), 130);

    const std::string out = slurp(dir / "out"), err = slurp(dir / "err");
    EXPECT_NE(out.find("blinky.elf on STM32F407G-DISC1 (STM32F407VG): "), std::string::npos) << out;
    EXPECT_NE(out.find("LD6  blue    PD15"), std::string::npos) << out;
    EXPECT_NE(err.find("cmsim: interrupted by SIGINT at "), std::string::npos) << err;
    EXPECT_NE(err.find("; the summary and the output files cover the run so far\n"),
              std::string::npos)
        << err;
    EXPECT_TRUE(parses("import json,sys; d=json.load(open(sys.argv[1])); assert d[\"traceEvents\"]",
                       dir / "run.json"));
    EXPECT_TRUE(
        parses("import xml.etree.ElementTree as E,sys; E.parse(sys.argv[1])", dir / "run.svg"));
    const std::string vcd = slurp(dir / "run.vcd");
    EXPECT_NE(vcd.find("$enddefinitions $end"), std::string::npos);
    ASSERT_FALSE(vcd.empty());
    EXPECT_EQ(vcd.back(), '\n');
    const std::string trace = slurp(dir / "run.trace");
    ASSERT_FALSE(trace.empty());
    EXPECT_EQ(trace.back(), '\n');  // the last line is whole
}

TEST_F(Interrupt, SigtermEndsCmsimTestWithJunitMarkingTheRunsInterrupted) {
    for (const char* name : {"a.yaml", "b.yaml", "c.yaml"}) {
        std::ofstream(dir / name)
            << "name: long run " << name << "\nfirmware: " << kBlinky
            << "\nboard: f407\nrun: {for: 1000s}\nexpect:\n  - no_fault: true\n";
    }
    const fs::path junit = dir / "results.xml";
    const pid_t pid = spawnCli({"test", dir.string(), "-j", "2", "--junit", junit.string()},
                               dir / "out", dir / "err");
    ASSERT_GT(pid, 0);
    // --junit is opened after the signal handlers are installed and before the runs start.
    ASSERT_TRUE(waitForFile(junit, 0));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_EQ(::kill(pid, SIGTERM), 0);
    EXPECT_EQ(waitExit(pid), 143);

    const std::string out = slurp(dir / "out");
    EXPECT_NE(out.find("INTERRUPTED " + (dir / "a.yaml").string() +
                       ": long run a.yaml\n  "
                       "interrupted by SIGTERM"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("0 passed, 0 failed, 3 scenarios interrupted\n"), std::string::npos) << out;
    EXPECT_TRUE(
        parses("import xml.etree.ElementTree as E,sys; r=E.parse(sys.argv[1]).getroot(); "
               "assert r.get(\"errors\")==\"3\", r.get(\"errors\"); "
               "assert len(r.findall(\".//error[@type=\\\"interrupted\\\"]\"))==3",
               junit));
}

// Slices end at block boundaries: with a slice check that never fires, in slices of 997
// cycles (over 7000 slices, clock changes included), the LED lines, summary and trace are
// byte-identical to the run without slicing.
TEST(Slicing, ChangesNoOutput) {
    auto run = [](bool sliced) {
        RunRequest req;
        req.firmware = kBlinky;
        req.board = "f407";
        req.duration = 45 * kMs;
        std::ostringstream out, trace, err;
        req.trace.categories = trace::kExc | trace::kSwitch | trace::kTick;
        req.traceOut = &trace;
        if (sliced) {
            req.interrupted = [] { return 0; };
            req.sliceCycles = 997;
        }
        spdlog::logger log("test", std::make_shared<spdlog::sinks::ostream_sink_st>(err));
        log.set_pattern("%v");
        const RunReport report = runFirmware(req, out, log);
        return std::tuple{out.str(), trace.str(), report.cycles};
    };
    const auto [out1, trace1, cycles1] = run(false);
    const auto [out2, trace2, cycles2] = run(true);
    EXPECT_GT(cycles1 / 997, 7000u);
    EXPECT_EQ(cycles1, cycles2);
    EXPECT_EQ(out1, out2);
    EXPECT_GT(trace1.size(), 10000u);
    EXPECT_TRUE(trace1 == trace2);
}

// The poll is asked between slices only; the signal it reports ends the run there.
TEST(Slicing, AnInterruptEndsTheRunAtTheNextSlice) {
    RunRequest req;
    req.firmware = kBlinky;
    req.board = "f407";
    req.duration = 1000 * kMs;
    int polls = 0;
    req.interrupted = [&] { return ++polls == 5 ? SIGINT : 0; };
    req.sliceCycles = 1'000'000;
    std::ostringstream out, err;
    spdlog::logger log("test", std::make_shared<spdlog::sinks::ostream_sink_st>(err));
    log.set_pattern("%v");
    const RunReport report = runFirmware(req, out, log);
    EXPECT_EQ(polls, 5);
    EXPECT_EQ(report.exitCode, 130);
    EXPECT_EQ(report.stop.reason, CoreStop::Reason::Interrupted);
    EXPECT_EQ(report.stop.message, "interrupted by SIGINT");
    // Five slices of 10^6 cycles, each ending at the first block boundary past its end.
    EXPECT_GE(report.cycles, 5'000'000u);
    EXPECT_LT(report.cycles, 5'000'100u);
    EXPECT_NE(out.str().find("LD4  green"), std::string::npos);
}

}  // namespace
}  // namespace cmsim::testing
