// Fuzz target: the small value parsers behind command-line options and scenario fields:
// parseDuration (--for, --trace-from), scenario::parseTime / parseTimeTolerance /
// parseFrequency / parseExceptionName / parsePinRef, parseTraceCategories (--trace) and
// parseGdbAddress (--gdb).
//
// parseDuration is checked against an independent reference (exact decimal arithmetic:
// picoseconds rounded down, nullopt past 2^64 - 1), and the formatters are checked to read
// back: formatSeconds/formatMs through parseDuration (to the microsecond they round to),
// formatDurationExact/formatMsExact through parseTime (exactly), formatHz through
// parseFrequency (exactly). The first 8 bytes of the input are also the number formatted.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "Format.h"
#include "FuzzCheck.h"
#include "boards/Boards.h"
#include "debug/GdbServer.h"
#include "scenario/ScenarioFile.h"
#include "trace/Tracer.h"

namespace {

using u128 = unsigned __int128;
constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Reference for parseDuration: DIGITS[.DIGITS] (at least one digit in all) then exactly
// one of s, ms, us, ns; the value in picoseconds, rounded down, if it fits in 64 bits.
std::optional<std::uint64_t> referenceDuration(std::string_view text) {
    std::uint64_t unitDigits;  // log10 of picoseconds per unit
    std::string_view number;
    auto endsWith = [&](std::string_view suffix) {
        return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
    };
    if (endsWith("ms")) unitDigits = 9, number = text.substr(0, text.size() - 2);
    else if (endsWith("us")) unitDigits = 6, number = text.substr(0, text.size() - 2);
    else if (endsWith("ns")) unitDigits = 3, number = text.substr(0, text.size() - 2);
    else if (endsWith("s")) unitDigits = 12, number = text.substr(0, text.size() - 1);
    else return std::nullopt;
    const std::size_t dot = number.find('.');
    const std::string_view whole = number.substr(0, dot);
    const std::string_view frac = dot == std::string_view::npos ? std::string_view() : number.substr(dot + 1);
    if (whole.empty() && frac.empty()) return std::nullopt;
    for (char c : whole) if (!isDigit(c)) return std::nullopt;
    for (char c : frac) if (!isDigit(c)) return std::nullopt;
    // Whole part: leading zeros do not count; more than 20 significant digits is > 2^64.
    std::size_t first = 0;
    while (first < whole.size() && whole[first] == '0') ++first;
    if (whole.size() - first > 20) return std::nullopt;
    u128 value = 0;
    for (std::size_t i = first; i < whole.size(); ++i) value = value * 10 + static_cast<unsigned>(whole[i] - '0');
    for (std::uint64_t i = 0; i < unitDigits; ++i) value *= 10;
    // Fraction: floor(0.d1d2... * 10^unitDigits) is the first unitDigits digits.
    u128 fracValue = 0;
    for (std::uint64_t i = 0; i < unitDigits; ++i) {
        fracValue = fracValue * 10 + (i < frac.size() ? static_cast<unsigned>(frac[i] - '0') : 0);
    }
    value += fracValue;
    if (value > kMax) return std::nullopt;
    return static_cast<std::uint64_t>(value);
}

std::uint64_t roundToUs(std::uint64_t ps) { return ps / 1'000'000 + (ps % 1'000'000 >= 500'000 ? 1 : 0); }

void checkFormatting(std::uint64_t t) {
    using namespace cmsim;
    // formatSeconds / formatMs: microsecond precision, rounded half up.
    const u128 us = static_cast<u128>(roundToUs(t)) * 1'000'000;
    // (Compared field by field: GCC 12 reports a false -Wmaybe-uninitialized on an
    // optional built from a conditional and compared with ==.)
    const bool overflows = us > kMax;
    const auto expected = static_cast<std::uint64_t>(overflows ? 0 : us);
    const auto inSeconds = parseDuration(formatSeconds(t) + "s");
    const auto inMs = parseDuration(formatMs(t) + "ms");
    FUZZ_CHECK(overflows ? !inSeconds.has_value() : inSeconds.value_or(expected + 1) == expected);
    FUZZ_CHECK(overflows ? !inMs.has_value() : inMs.value_or(expected + 1) == expected);
    // Exact formats read back exactly through the scenario parser.
    if (t >= 1000) FUZZ_CHECK(scenario::parseTime(scenario::formatDurationExact(t)) == t);
    FUZZ_CHECK(scenario::parseTime(scenario::formatMsExact(t)) == t);
    // Frequencies.
    if (t > 0) FUZZ_CHECK_MSG(scenario::parseFrequency(formatHz(t)) == t, "%s", formatHz(t).c_str());
}

void checkParsers(std::string_view text) {
    using namespace cmsim;
    const auto d = parseDuration(text);
    FUZZ_CHECK_MSG(d == referenceDuration(text), "'%.*s'", static_cast<int>(text.size()), text.data());

    if (const auto t = scenario::parseTime(text)) (void)scenario::formatDurationExact(*t);
    if (const auto tt = scenario::parseTimeTolerance(text)) (void)scenario::formatMsExact(tt->tolerance);
    if (const auto f = scenario::parseFrequency(text)) {
        FUZZ_CHECK(*f > 0);
        (void)formatHz(*f);
    }
    for (const auto id : boardIds()) {
        const BoardDescription& board = *findBoard(id);
        if (const auto e = scenario::parseExceptionName(text, board.chip)) {
            (void)scenario::describeException(*e, board.chip);
        }
        if (const auto pin = scenario::parsePinRef(text, board)) {
            FUZZ_CHECK(pin->pin <= 15);
            (void)scenario::describePin(*pin);
        }
    }
    std::string error;
    if (!parseTraceCategories(text, &error)) FUZZ_CHECK(!error.empty());
    if (const auto address = parseGdbAddress(text)) {
        FUZZ_CHECK(!address->host.empty());
        FUZZ_CHECK(address->host.find_first_of(" \t\r\n/") == std::string::npos);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    checkParsers(size > 0 ? std::string_view(reinterpret_cast<const char*>(data), size) : std::string_view());
    std::uint64_t t = 0;
    if (size > 0) std::memcpy(&t, data, size < sizeof t ? size : sizeof t);
    checkFormatting(t);
    return 0;
}
