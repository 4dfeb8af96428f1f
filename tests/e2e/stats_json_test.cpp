// `cmsim --stats-json FILE`: the machine-readable figures tools/bench collects.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <regex>
#include <string>

#include "RunCli.h"

namespace cmsim::testing {
namespace {

const std::string kBenchCpu = CMSIM_FIRMWARE_DIR "/f407/bench_cpu.elf";

TEST(StatsJson, BenchCpuFiguresAgreeWithTheSummary) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("cmsim_stats_" + std::to_string(::getpid()) + ".json");
    const auto r = runCli(kBenchCpu + " --board f407 --for 100s -q --stats-json " + path.string());
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = nlohmann::json::parse(slurp(path));
    std::filesystem::remove(path);

    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, std::regex(R"(simulated, (\d+) cycles)"))) << r.out;
    const std::uint64_t cycles = std::stoull(m[1]);
    EXPECT_EQ(j.at("exit_code").get<int>(), 0);
    EXPECT_EQ(j.at("cycles").get<std::uint64_t>(), cycles);
    // Pure computation on the 16 MHz HSI: one instruction per cycle, 62.5 ns per cycle.
    EXPECT_EQ(j.at("instructions").get<std::uint64_t>(), cycles);
    EXPECT_EQ(j.at("exceptions").get<std::uint64_t>(), 0u);
    EXPECT_EQ(j.at("simulated_ps").get<std::uint64_t>(), cycles * 62'500);
    EXPECT_EQ(j.at("sysclk_hz").get<std::uint64_t>(), 16'000'000u);
    EXPECT_GT(j.at("wall_seconds").get<double>(), 0.0);
    EXPECT_GT(j.at("peak_rss_kib").get<long>(), 0);
}

TEST(StatsJson, UnwritableFileIsBadInput) {
    const auto r = runCli(kBenchCpu + " --board f407 -q --stats-json /nonexistent-dir/stats.json");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("--stats-json /nonexistent-dir/stats.json: cannot open for writing"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace cmsim::testing
