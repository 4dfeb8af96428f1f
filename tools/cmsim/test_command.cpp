// `cmsim test PATH... [--junit FILE] [-j N] [--firmware FILE] [--list]`: run scenario files
// (scenarios/README.md) and check their expectations.
//
// Every file is parsed and its firmware loaded before anything runs: bad input anywhere
// (a malformed file, a missing firmware, an unknown board or symbol) is reported, one line
// each, and nothing runs (exit 2). Then the scenarios run, each on its own Machine, on up
// to -j threads; each scenario's block is printed in input order, then "N passed, M failed".
// Exit 0 all expectations passed, 1 one failed, 2 bad input, 130/143 SIGINT/SIGTERM.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "Commands.h"
#include "Errors.h"
#include "HostInterrupt.h"
#include "Session.h"
#include "scenario/JUnit.h"
#include "scenario/ScenarioRunner.h"

namespace cmsim::cli {

namespace {

namespace fs = std::filesystem;

struct TestOptions {
    std::vector<std::string> paths;
    std::string junit;
    unsigned jobs = 1;
    std::string firmware;
    bool list = false;
};

// The scenario files named by `paths`, in order; a directory gives its *.yaml and *.yml
// files (not recursively), sorted by name.
std::vector<std::string> scenarioFiles(const std::vector<std::string>& paths) {
    std::vector<std::string> files;
    for (const auto& p : paths) {
        std::error_code ec;
        const auto status = fs::status(p, ec);
        if (ec || !fs::exists(status))
            throw InputError(fmt::format("{}: no such file or directory", p));
        if (!fs::is_directory(status)) {
            files.push_back(p);
            continue;
        }
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(p, ec)) {
            const auto ext = entry.path().extension();
            if ((ext == ".yaml" || ext == ".yml") && entry.is_regular_file(ec)) {
                names.push_back(entry.path().filename().string());
            }
        }
        if (ec) throw InputError(fmt::format("{}: cannot list the directory: {}", p, ec.message()));
        if (names.empty())
            throw InputError(
                fmt::format("{}: no scenario files (*.yaml, *.yml) in the directory", p));
        std::sort(names.begin(), names.end());
        for (const auto& n : names) files.push_back((fs::path(p) / n).string());
    }
    return files;
}

// ${CMSIM_FIRMWARE_DIR}: the environment's, else the `firmware` directory next to the cmsim
// executable (build/cmsim -> build/firmware). Other variables: the environment's.
std::optional<std::string> variable(const std::string& name) {
    if (const char* v = std::getenv(name.c_str()); v != nullptr && *v != '\0')
        return std::string(v);
    if (name == "CMSIM_FIRMWARE_DIR") {
        std::error_code ec;
        const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
        if (!ec) return (exe.parent_path() / "firmware").string();
    }
    return std::nullopt;
}

int test(const TestOptions& o) {
    using namespace cmsim::scenario;
    std::vector<std::string> files;
    try {
        files = scenarioFiles(o.paths);
    } catch (const InputError& e) {
        return badUsage(e.what());
    }
    ParseOptions parse;
    parse.variable = variable;
    if (!o.firmware.empty()) parse.firmwareOverride = fs::path(o.firmware);

    // Parse and prepare everything first; report every bad file.
    std::vector<PreparedScenario> scenarios;
    bool bad = false;
    for (const auto& f : files) {
        try {
            scenarios.push_back(prepareScenario(parseScenarioFile(f, parse)));
        } catch (const InputError& e) {
            std::cerr << "cmsim: " << e.what() << '\n';
            bad = true;
        }
    }
    if (bad) return exit_code::kBadInput;

    if (o.list) {
        for (const auto& s : scenarios) std::cout << formatScenarioList(s.scenario);
        return exit_code::kOk;
    }

    std::ofstream junit;
    if (!o.junit.empty()) {
        junit.open(o.junit, std::ios::binary | std::ios::trunc);
        if (!junit) return badUsage(fmt::format("--junit {}: cannot open for writing", o.junit));
    }

    const unsigned jobs = o.jobs == 0 ? std::max(1u, std::thread::hardware_concurrency()) : o.jobs;
    const auto results = runScenarios(
        scenarios, jobs,
        [&](std::size_t i, const ScenarioResult& r) {
            std::cout << (i == 0 ? "" : "\n") << formatScenarioResult(scenarios[i].scenario, r)
                      << std::flush;
        },
        &HostInterrupt::pending);
    std::cout << '\n' << formatSummary(results) << '\n' << std::flush;

    if (junit.is_open()) {
        std::vector<const Scenario*> ran;
        for (const auto& s : scenarios) ran.push_back(&s.scenario);
        junit << junitXml(ran, results);
        junit.close();
        if (!junit) return badUsage(fmt::format("--junit {}: write failed", o.junit));
    }
    bool inputError = false, failed = false;
    for (const auto& r : results) {
        if (r.inputError) {
            std::cerr << "cmsim: " << *r.inputError << '\n';
            inputError = true;
        }
        if (r.failed() > 0) failed = true;
    }
    if (const int signal = HostInterrupt::pending()) return HostInterrupt::exitCodeFor(signal);
    if (inputError) return exit_code::kBadInput;
    return failed ? exit_code::kExpectationFailed : exit_code::kOk;
}

}  // namespace

std::pair<CLI::App*, Action> setupTestCommand(CLI::App& app) {
    auto o = std::make_shared<TestOptions>();
    CLI::App* sub = app.add_subcommand(
        "test", "Run scenario files (YAML; see scenarios/README.md) and check their expectations");
    sub->add_option("paths", o->paths, "Scenario files, or directories of *.yaml / *.yml files")
        ->required()
        ->take_all();
    sub->add_option("--junit", o->junit, "Also write the results as JUnit XML to FILE");
    sub->add_option("--jobs,-j", o->jobs,
                    "Run up to N scenarios at once (0: one per CPU); output is the same")
        ->check(CLI::NonNegativeNumber);
    sub->add_option("--firmware", o->firmware, "Run this ELF instead of each scenario's firmware");
    sub->add_flag("--list", o->list,
                  "List the scenarios and their expectations without running them");
    sub->footer(
        "Exit codes: 0 every expectation passed, 1 an expectation failed,\n"
        "            2 bad input (malformed scenario, missing firmware, unknown board or symbol),\n"
        "            130/143 interrupted by SIGINT/SIGTERM (results so far and JUnit written).");
    return {sub, [o] { return test(*o); }};
}

}  // namespace cmsim::cli
