#include "JUnit.h"

#include <fmt/format.h>

#include <algorithm>

namespace cmsim::scenario {

std::string xmlEscape(std::string_view text, bool attribute) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            case '\t':
                out += attribute ? "&#9;" : "\t";
                break;
            case '\n':
                out += attribute ? "&#10;" : "\n";
                break;
            case '\r':
                out += "&#13;";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
                    out += '?';
                else
                    out += c;
        }
    }
    return out;
}

std::string junitXml(const std::vector<const Scenario*>& scenarios,
                     const std::vector<ScenarioResult>& results) {
    std::size_t tests = 0, failures = 0, errors = 0;
    for (const auto& r : results) {
        const bool error = r.inputError || r.interrupted;
        tests += error ? 1 : r.results.size();
        failures += r.failed();
        errors += error ? 1 : 0;
    }
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += fmt::format(
        "<testsuites name=\"cmsim scenarios\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n", tests,
        failures, errors);
    for (std::size_t i = 0; i < results.size() && i < scenarios.size(); ++i) {
        const Scenario& s = *scenarios[i];
        const ScenarioResult& r = results[i];
        const std::string file = xmlEscape(s.file);
        out += fmt::format(
            "  <testsuite name=\"{}\" file=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
            "skipped=\"0\">\n",
            xmlEscape(s.name), file, r.inputError || r.interrupted ? 1 : r.results.size(),
            r.failed(), r.inputError || r.interrupted ? 1 : 0);
        if (r.inputError || r.interrupted) {
            out += fmt::format("    <testcase name=\"run\" classname=\"{}\" file=\"{}\">\n", file,
                               file);
            out += fmt::format("      <error message=\"{}\" type=\"{}\"/>\n",
                               xmlEscape(r.inputError ? *r.inputError : *r.interrupted),
                               r.inputError ? "input" : "interrupted");
            out += "    </testcase>\n";
        }
        for (std::size_t j = 0; j < r.results.size() && j < s.expectations.size(); ++j) {
            const ExpectationResult& x = r.results[j];
            // Names are unique in a suite (CI tools key test cases by name): a label used twice
            // gets its line.
            const bool unique =
                std::count_if(r.results.begin(), r.results.end(),
                              [&](const ExpectationResult& o) { return o.label == x.label; }) == 1;
            const std::string name =
                unique ? x.label : fmt::format("{} [line {}]", x.label, s.expectations[j].pos.line);
            out += fmt::format("    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"",
                               xmlEscape(name), file, file, s.expectations[j].pos.line);
            if (x.passed) {
                out += "/>\n";
                continue;
            }
            out += fmt::format(">\n      <failure message=\"{}\" type=\"expectation\">",
                               xmlEscape(x.measured));
            std::string body;
            for (const auto& d : x.details) body += d + "\n";
            out += xmlEscape(body, false);
            out += "</failure>\n    </testcase>\n";
        }
        out += "  </testsuite>\n";
    }
    out += "</testsuites>\n";
    return out;
}

}  // namespace cmsim::scenario
