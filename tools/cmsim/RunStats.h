#pragma once
// `--stats-json FILE`: one run's figures in machine-readable form for tools/bench
// (BENCHMARKS.md): cycles, instructions, simulated and wall seconds, exceptions, peak RSS.
#include <ostream>
#include <string>

#include "Session.h"

namespace cmsim::cli {

// The JSON object as text (exposed for the format test).
std::string runStatsJson(const RunReport& report, double wallSeconds, long peakRssKiB);

// Writes runStatsJson with this process's peak RSS so far; false if the write failed.
bool writeRunStats(std::ostream& out, const RunReport& report, double wallSeconds);

}  // namespace cmsim::cli
