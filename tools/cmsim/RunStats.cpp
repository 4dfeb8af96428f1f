#include "RunStats.h"

#include <sys/resource.h>
#include <nlohmann/json.hpp>

#include <ostream>

namespace cmsim::cli {

std::string runStatsJson(const RunReport& report, double wallSeconds, long peakRssKiB) {
    const double simulated = static_cast<double>(report.simulated) * 1e-12;
    nlohmann::ordered_json j;
    j["exit_code"] = report.exitCode;
    j["cycles"] = report.cycles;
    j["instructions"] = report.instructions;
    j["instructions_emulated"] = report.emulatedInstructions;
    j["exceptions"] = report.exceptions;
    j["simulated_ps"] = report.simulated;
    j["simulated_seconds"] = simulated;
    // Wall time of the run itself (load, reset, emulation, summary), not process start-up.
    j["wall_seconds"] = wallSeconds;
    j["mips"] =
        wallSeconds > 0 ? static_cast<double>(report.instructions) / wallSeconds / 1e6 : 0.0;
    j["simulated_per_wall"] = wallSeconds > 0 ? simulated / wallSeconds : 0.0;
    j["exceptions_per_wall"] =
        wallSeconds > 0 ? static_cast<double>(report.exceptions) / wallSeconds : 0.0;
    j["peak_rss_kib"] = peakRssKiB;
    j["sysclk_hz"] = report.sysclkHz;
    return j.dump(2) + "\n";
}

bool writeRunStats(std::ostream& out, const RunReport& report, double wallSeconds) {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);  // ru_maxrss is in KiB on Linux
    out << runStatsJson(report, wallSeconds, usage.ru_maxrss);
    return static_cast<bool>(out.flush());
}

}  // namespace cmsim::cli
