// The gdb server driven by the real gdb-multiarch in batch mode, on the bundled F407
// scheduler: break on PendSV_Handler, continue, step through the context switch, read
// PSP and the current task's TCB, detach; cmsim then runs to its limit and exits 0.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "RunCli.h"

namespace cmsim::testing {
namespace {

const std::string kBlinky = CMSIM_FIRMWARE_DIR "/f407/blinky.elf";

bool haveGdb() { return std::system("command -v gdb-multiarch >/dev/null 2>&1") == 0; }

struct Spawned {
    pid_t pid = -1;
    std::filesystem::path out, err;
};

Spawned spawnCmsim(const std::vector<std::string>& args) {
    Spawned s;
    const auto dir = std::filesystem::temp_directory_path();
    s.out = dir / ("cmsim_gdb_out_" + std::to_string(::getpid()));
    s.err = dir / ("cmsim_gdb_err_" + std::to_string(::getpid()));
    s.pid = ::fork();
    if (s.pid == 0) {
        std::freopen(s.out.c_str(), "w", stdout);
        std::freopen(s.err.c_str(), "w", stderr);
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(CMSIM_CLI));
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(CMSIM_CLI, argv.data());
        std::_Exit(127);
    }
    return s;
}

// Waits up to `seconds` for the child; kills it and returns -1 on timeout.
int waitFor(pid_t pid, int seconds) {
    for (int i = 0; i < seconds * 20; ++i) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -2;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return -1;
}

TEST(Gdb, BreakOnPendSvStepAndReadPspAndTcbThenDetach) {
    if (!haveGdb()) GTEST_SKIP() << "gdb-multiarch not installed";
    const int port = 20000 + ::getpid() % 20000;
    const Spawned cmsim = spawnCmsim({kBlinky, "--board", "f407", "--for", "300ms", "-q", "--gdb",
                                      "127.0.0.1:" + std::to_string(port), "--gdb-wait"});
    // Give the server a moment to listen; gdb retries the connection anyway.
    std::string listening;
    for (int i = 0; i < 100 && listening.find("waiting for gdb") == std::string::npos; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        listening = slurp(cmsim.err);
    }
    ASSERT_NE(listening.find("gdb server on 127.0.0.1:" + std::to_string(port)), std::string::npos)
        << listening;
    const std::string gdbOut = (std::filesystem::temp_directory_path() /
                                ("cmsim_gdb_session_" + std::to_string(::getpid())))
                                   .string();
    const std::string cmd =
        "timeout 120 gdb-multiarch -nx -batch " + kBlinky +
        " -ex 'set pagination off' -ex 'target remote 127.0.0.1:" + std::to_string(port) + "'" +
        " -ex 'break PendSV_Handler' -ex 'continue' -ex 'continue' -ex 'continue'" +
        " -ex 'p/x $pc' -ex 'p/x $psp' -ex 'stepi' -ex 'p/x $r0' -ex 'stepi' -ex 'stepi'" +
        " -ex 'p/x $pc' -ex 'p g_current_task->name' -ex 'p/x g_current_task->saved_sp'" +
        " -ex 'p g_tick_count' -ex 'info registers psp' -ex 'delete' -ex 'detach' >" + gdbOut + " 2>&1";
    const int gdbStatus = std::system(cmd.c_str());
    const std::string session = slurp(gdbOut);
    EXPECT_EQ(WEXITSTATUS(gdbStatus), 0) << session;
    // Third PendSV: red's task_delay switches away; red's frame is on PSP at 0x200010a8
    // (the same frame the exception trace reports), and mrs r0, psp is the first step.
    EXPECT_NE(session.find("Breakpoint 1, PendSV_Handler"), std::string::npos) << session;
    EXPECT_NE(session.find("$2 = 0x200010a8"), std::string::npos) << session;   // $psp
    EXPECT_NE(session.find("$3 = 0x200010a8"), std::string::npos) << session;   // r0 after mrs r0, psp
    EXPECT_NE(session.find("$1 = 0x80009bc"), std::string::npos) << session;    // PendSV_Handler
    // Two more steps: past tst lr (Unicorn steps an IT and its conditional instruction
    // as one: it cannot stop inside an IT block).
    EXPECT_NE(session.find("$4 = 0x80009ca"), std::string::npos) << session;
    EXPECT_NE(session.find("$5 = 0x8000b62 \"red\""), std::string::npos) << session;  // outgoing task
    EXPECT_NE(session.find("$7 = 0\n"), std::string::npos) << session;          // still tick 0
    EXPECT_NE(session.find("[Inferior 1 (Remote target) detached]"), std::string::npos) << session;
    // After the detach the firmware runs to its limit and cmsim exits cleanly.
    EXPECT_EQ(waitFor(cmsim.pid, 60), 0) << slurp(cmsim.err);
    std::filesystem::remove(gdbOut);
}

TEST(Gdb, BadGdbAddressIsBadInput) {
    const auto r = runCli(kBlinky + " --board f407 --gdb nonsense:port");
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_NE(r.err.find("--gdb nonsense:port"), std::string::npos) << r.err;
}

TEST(Gdb, GdbWaitWithoutGdbIsBadInput) {
    const auto r = runCli(kBlinky + " --board f407 --gdb-wait");
    EXPECT_EQ(r.exitCode, 2) << r.err;
}

}  // namespace
}  // namespace cmsim::testing
