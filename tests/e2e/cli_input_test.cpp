// Bad input to the CLI: one clear line on stderr and exit code 2, never a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "RunCli.h"

namespace cmsim::testing {
namespace {

const std::string kBlinky = CMSIM_FIRMWARE_DIR "/f407/blinky.elf";

std::string tempFile(const std::string& name, const std::string& bytes) {
    const auto p = std::filesystem::temp_directory_path() / ("cmsim_input_" + std::to_string(::getpid()) + "_" + name);
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
}

void expectOneLineError(const CliResult& r, int code, const std::string& phrase) {
    EXPECT_EQ(r.exitCode, code) << r.err;
    EXPECT_NE(r.err.find(phrase), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("cmsim: ", 0), 0u) << r.err;
}

TEST(CliInput, MissingFile) {
    expectOneLineError(runCli("/nonexistent/fw.elf --board f407"), 2, "/nonexistent/fw.elf");
}

TEST(CliInput, NotAnElf) {
    expectOneLineError(runCli(tempFile("text.elf", "hello, this is not an ELF file\n") + " --board f407"),
                       2, "not an ELF");
}

TEST(CliInput, HostExecutableIsTheWrongArchitecture) {
    expectOneLineError(runCli(std::string(CMSIM_CLI) + " --board f407"), 2, "x86-64");
}

TEST(CliInput, TruncatedElf) {
    const std::string whole = slurp(kBlinky);
    expectOneLineError(runCli(tempFile("cut.elf", whole.substr(0, 200)) + " --board f407"), 2,
                       "truncated");
}

TEST(CliInput, UnknownBoard) {
    expectOneLineError(runCli(kBlinky + " --board f999"), 2, "unknown board 'f999' (known boards: f407");
}

TEST(CliInput, MissingBoardOption) { expectOneLineError(runCli(kBlinky), 2, "--board"); }

TEST(CliInput, BadDuration) { expectOneLineError(runCli(kBlinky + " --board f407 --for 3 s"), 2, ""); }

TEST(CliInput, BadDurationUnit) {
    expectOneLineError(runCli(kBlinky + " --board f407 --for 3min"), 2, "--for 3min");
}

TEST(CliInput, NegativeCyclesIsRefusedNotWrapped) {
    expectOneLineError(runCli(kBlinky + " --board f407 --cycles -5"), 2, "--cycles -5: expected a positive");
}

TEST(CliInput, HelpShowsAnExampleAndExitsZero) {
    const auto r = runCli("--help");
    EXPECT_EQ(r.exitCode, 0);
    EXPECT_NE(r.out.find("cmsim build/firmware/f407/blinky.elf --board f407 --for 3s"), std::string::npos);
}

}  // namespace
}  // namespace cmsim::testing
