#pragma once
// JUnit XML for CI tools: <testsuites> with one <testsuite> per scenario and one
// <testcase> per expectation; a failed expectation has a <failure> whose message is the
// measured-beside-expected text and whose body lists the details. No timestamps, host
// names or durations: the same results give the same bytes.
#include <string>
#include <string_view>
#include <vector>

#include "ScenarioRunner.h"

namespace cmsim::scenario {

// results[i] is the result of *scenarios[i].
std::string junitXml(const std::vector<const Scenario*>& scenarios,
                     const std::vector<ScenarioResult>& results);

// XML 1.0 escaping; in attribute values tabs and newlines become character references
// so parsers keep them. Characters XML 1.0 cannot carry (other control characters)
// become '?'.
std::string xmlEscape(std::string_view text, bool attribute = true);

}  // namespace cmsim::scenario
