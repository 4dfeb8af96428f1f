#pragma once
// Runs scenarios: prepare (load the firmware, check the symbols the scenario names), run
// each on its own Machine, record the run, evaluate every expectation, and render the
// results as text. Scenarios can run on several threads; the results and the text are the
// same for any number of threads.
#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ElfImage.h"
#include "Expectation.h"
#include "RunRecord.h"
#include "ScenarioFile.h"

namespace cmsim::scenario {

struct PreparedScenario {
    Scenario scenario;
    ElfImage image;
    std::vector<StackRegion> stacks;  // the scenario's `stacks`, resolved in the ELF
};

// Loads the scenario's firmware and checks that every symbol it names is in the ELF.
// Throws InputError ("x.yaml:4:11: firmware: ...", "x.yaml:20:18: no symbol 'mian' in
// blinky.elf", "x.yaml:8:10: stack 'red': no symbol 'red_stak' in blinky.elf").
PreparedScenario prepareScenario(Scenario scenario);

struct ScenarioResult {
    // Set when the run itself rejected the input (an image that does not fit the board, no
    // usable vector table): "x.yaml:4:11: ..." ; the expectations are then not evaluated.
    std::optional<std::string> inputError;
    // Set when the host interrupted the run (SIGINT/SIGTERM), or stopped it before it
    // started: "interrupted by SIGINT at 1.5 s simulated"; expectations are not evaluated.
    std::optional<std::string> interrupted;
    RunRecord record;
    std::vector<ExpectationResult> results;

    std::size_t passed() const;
    std::size_t failed() const;
    bool ok() const { return !inputError && !interrupted && failed() == 0; }
};

// One run on a fresh Machine. Never throws InputError (see ScenarioResult::inputError).
// `interrupted` (HostInterrupt::pending in the CLI) is polled between slices of simulated
// cycles; a non-zero signal ends the run (ScenarioResult::interrupted).
using InterruptPoll = std::function<int()>;
ScenarioResult runScenario(const PreparedScenario& prepared, const InterruptPoll& interrupted = {});

// Runs every scenario (once interrupted, the ones not started are marked interrupted too),
// on up to `jobs` threads, each on its own Machine, and calls
// `done(index, result)` on the calling thread in input order as soon as the results of
// scenarios 0..index are all known. A non-input exception on a worker is rethrown here.
std::vector<ScenarioResult> runScenarios(
    const std::vector<PreparedScenario>& scenarios, unsigned jobs,
    const std::function<void(std::size_t, const ScenarioResult&)>& done = {},
    const InterruptPoll& interrupted = {});

// The text block of one scenario: a header ("PASS file: name" / "FAIL file: name"), the
// run, the diagnostics, then one line per expectation, failures followed by their details.
std::string formatScenarioResult(const Scenario& scenario, const ScenarioResult& result);
// For --list: the header and the expectations, without running.
std::string formatScenarioList(const Scenario& scenario);
// "N passed, M failed" (expectations).
std::string formatSummary(const std::vector<ScenarioResult>& results);

// What an expectation checks, as a label ("PD13 (LD3 orange) toggles").
std::string describeExpectation(const Expectation& expectation, const ChipDescription& chip);

}  // namespace cmsim::scenario
