#pragma once
// Runs the real cmsim executable and captures its exit code, stdout and stderr.
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace cmsim::testing {

struct CliResult {
    int exitCode;
    std::string out;
    std::string err;
};

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// `args` is appended to the cmsim command line as is (quote it yourself).
inline CliResult runCli(const std::string& args) {
    static int counter = 0;
    const auto dir = std::filesystem::temp_directory_path();
    const std::string tag = std::to_string(::getpid()) + "_" + std::to_string(counter++);
    const auto outPath = dir / ("cmsim_out_" + tag);
    const auto errPath = dir / ("cmsim_err_" + tag);
    const std::string cmd = std::string(CMSIM_CLI) + " " + args + " >" + outPath.string() + " 2>" +
                            errPath.string();
    const int status = std::system(cmd.c_str());
    CliResult r{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(outPath), slurp(errPath)};
    std::filesystem::remove(outPath);
    std::filesystem::remove(errPath);
    return r;
}

}  // namespace cmsim::testing
