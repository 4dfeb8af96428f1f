#pragma once
// Evaluates one expectation of a scenario against a RunRecord: pass or fail, with what was
// measured beside what was expected, as deterministic text (integer arithmetic only).
#include <string>
#include <vector>

#include "ChipDescription.h"
#include "RunRecord.h"
#include "ScenarioFile.h"

namespace cmsim::scenario {

struct ExpectationResult {
    bool passed = false;
    // What was checked, e.g. "PD13 (LD3 orange) toggles".
    std::string label;
    // Measured beside expected, e.g. "interval 500.000 ms (7 intervals; expected 500 ms ± 1 ms)".
    std::string measured;
    // On failure: what broke it (each offending interval, the event out of order, ...).
    std::vector<std::string> details;

    // "<label>: <measured> ok" / "<label>: <measured> FAILED".
    std::string line() const { return label + ": " + measured + (passed ? " ok" : " FAILED"); }
};

// `chip` names exceptions and IRQs in the text.
ExpectationResult evaluate(const Expectation& expectation, const RunRecord& record,
                           const ChipDescription& chip);

}  // namespace cmsim::scenario
