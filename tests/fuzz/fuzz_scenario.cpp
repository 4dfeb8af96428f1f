// Fuzz target: the scenario file parser (scenario::parseScenarioText, the text behind
// `cmsim test FILE.yaml`), yaml-cpp included, then the helpers that run on a parsed
// scenario (referencedSymbols, describePin, describeException).
//
// Contract checked: arbitrary text gives either a Scenario that satisfies ScenarioFile.h's
// guarantees or an InputError whose message is "file:line:column: ...". Any other exception
// (a yaml-cpp one escaping the parser included), a crash or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "Errors.h"
#include "FuzzCheck.h"
#include "scenario/ScenarioFile.h"

namespace {

constexpr std::string_view kFile = "fuzz/scenario.yaml";

// "fuzz/scenario.yaml:12:7: ..." with line and column >= 1.
bool hasPosition(std::string_view message) {
    if (message.substr(0, kFile.size() + 1) != std::string(kFile) + ":") return false;
    std::size_t i = kFile.size() + 1;
    for (int field = 0; field < 2; ++field) {
        const std::size_t start = i;
        while (i < message.size() && message[i] >= '0' && message[i] <= '9') ++i;
        if (i == start || i >= message.size() || message[i] != ':') return false;
        if (message.substr(start, i - start) == "0") return false;
        ++i;
    }
    return true;
}

void checkScenario(const cmsim::scenario::Scenario& s) {
    using namespace cmsim::scenario;
    FUZZ_CHECK(s.file == kFile);
    FUZZ_CHECK(s.board != nullptr);
    FUZZ_CHECK(!s.name.empty());
    FUZZ_CHECK(s.run.duration.has_value() != s.run.cycles.has_value());
    FUZZ_CHECK(s.run.duration.value_or(1) > 0 && s.run.cycles.value_or(1) > 0);
    FUZZ_CHECK(!s.expectations.empty());
    int faultKinds = 0;
    for (const auto& x : s.expectations) {
        FUZZ_CHECK(x.pos.line >= 1 && x.pos.column >= 1);
        if (std::holds_alternative<NoFaultExpectation>(x.spec) || std::holds_alternative<FaultExpectation>(x.spec)) {
            ++faultKinds;
        }
        if (const auto* t = std::get_if<TogglesExpectation>(&x.spec)) {
            FUZZ_CHECK(t->pin.pin <= 15);
            (void)describePin(t->pin);
        }
        if (const auto* st = std::get_if<StaysExpectation>(&x.spec)) (void)describePin(st->pin);
        if (const auto* e = std::get_if<ExceptionExpectation>(&x.spec)) {
            (void)describeException(e->number, s.board->chip);
        }
        if (const auto* q = std::get_if<SequenceExpectation>(&x.spec)) {
            FUZZ_CHECK(!q->events.empty());
            for (const auto& ev : q->events) {
                if (ev.kind == SequenceEvent::Kind::Exception) (void)describeException(ev.exception, s.board->chip);
                if (ev.kind == SequenceEvent::Kind::Reaches) FUZZ_CHECK(!ev.symbol.empty());
            }
        }
    }
    FUZZ_CHECK(faultKinds == 1);  // exactly one of no_fault (maybe implied) and fault
    for (const auto& [symbol, pos] : referencedSymbols(s)) {
        FUZZ_CHECK(!symbol.empty());
        FUZZ_CHECK(pos.line >= 1 && pos.column >= 1);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    cmsim::scenario::ParseOptions options;
    // ${CMSIM_FIRMWARE_DIR} and ${FW} expand; any other variable is "not set". The
    // environment is not consulted, so runs are reproducible.
    options.variable = [](const std::string& name) -> std::optional<std::string> {
        if (name == "CMSIM_FIRMWARE_DIR") return std::string("/fw");
        if (name == "FW") return std::string("blinky.elf");
        return std::nullopt;
    };
    try {
        const auto scenario = cmsim::scenario::parseScenarioText(text, std::string(kFile), options);
        checkScenario(scenario);
    } catch (const cmsim::InputError& e) {
        FUZZ_CHECK_MSG(hasPosition(e.what()), "message: %s", e.what());
    }
    return 0;
}
