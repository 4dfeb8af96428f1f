// Deterministic text for simulated quantities (Format.h): exact integer rounding, and the
// duration syntax of --duration / scenario files.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "Format.h"

namespace cmsim {
namespace {

constexpr Picoseconds kUs = 1'000'000;
constexpr Picoseconds kMs = 1'000'000'000;
constexpr Picoseconds kS = 1'000'000'000'000;
constexpr Picoseconds kMax = std::numeric_limits<Picoseconds>::max();

// --- formatMs ----------------------------------------------------------------------

TEST(FormatMs, WholeMilliseconds) {
    EXPECT_EQ(formatMs(0), "0.000");
    EXPECT_EQ(formatMs(kMs), "1.000");
    EXPECT_EQ(formatMs(3 * kS), "3000.000");
}

TEST(FormatMs, RoundsToTheNearestMicrosecondHalfUp) {
    EXPECT_EQ(formatMs(1'499'999), "0.001");
    EXPECT_EQ(formatMs(1'500'000), "0.002");
    EXPECT_EQ(formatMs(62'500), "0.000");  // one cycle at 16 MHz
}

TEST(FormatMs, RoundingCarriesIntoTheMilliseconds) {
    EXPECT_EQ(formatMs(999'999'499'999), "999.999");
    EXPECT_EQ(formatMs(999'999'500'000), "1000.000");  // 999.9995 ms
}

TEST(FormatMs, KeepsLeadingZerosOfTheFraction) {
    EXPECT_EQ(formatMs(12 * kMs + 7 * kUs), "12.007");
}

TEST(FormatMs, LargestTimeDoesNotWrapAround) {
    // 18446744073709551615 ps = 18446744073.709551615 ms.
    EXPECT_EQ(formatMs(kMax), "18446744073.710");
}

// --- formatSeconds -----------------------------------------------------------------

TEST(FormatSeconds, SixDecimals) {
    EXPECT_EQ(formatSeconds(3 * kS), "3.000000");
    EXPECT_EQ(formatSeconds(kS + kUs), "1.000001");  // 1 s + 168 cycles at 168 MHz
    EXPECT_EQ(formatSeconds(2 * kS + kS / 2), "2.500000");
}

TEST(FormatSeconds, RoundsToTheNearestMicrosecond) {
    EXPECT_EQ(formatSeconds(499'999), "0.000000");
    EXPECT_EQ(formatSeconds(500'000), "0.000001");
    EXPECT_EQ(formatSeconds(kS - 1), "1.000000");
}

TEST(FormatSeconds, LargestTimeDoesNotWrapAround) {
    EXPECT_EQ(formatSeconds(kMax), "18446744.073710");
}

// --- formatHz ----------------------------------------------------------------------

TEST(FormatHz, WholeMegahertz) {
    EXPECT_EQ(formatHz(168'000'000), "168 MHz");
    EXPECT_EQ(formatHz(16'000'000), "16 MHz");
    EXPECT_EQ(formatHz(550'000'000), "550 MHz");
    EXPECT_EQ(formatHz(25'000'000), "25 MHz");
}

TEST(FormatHz, FractionsWithoutTrailingZeros) {
    EXPECT_EQ(formatHz(32'768), "32.768 kHz");  // LSE
    EXPECT_EQ(formatHz(12'288'000), "12.288 MHz");
    EXPECT_EQ(formatHz(1'500'000), "1.5 MHz");
    EXPECT_EQ(formatHz(1'000'001), "1.000001 MHz");
    EXPECT_EQ(formatHz(32'000), "32 kHz");  // LSI
}

TEST(FormatHz, BelowOneKilohertz) {
    EXPECT_EQ(formatHz(999), "999 Hz");
    EXPECT_EQ(formatHz(0), "0 Hz");
}

// --- parseDuration -----------------------------------------------------------------

TEST(ParseDuration, EachUnit) {
    EXPECT_EQ(parseDuration("3s"), 3 * kS);
    EXPECT_EQ(parseDuration("250ms"), 250 * kMs);
    EXPECT_EQ(parseDuration("100us"), 100 * kUs);
    EXPECT_EQ(parseDuration("10ns"), Picoseconds{10'000});
    EXPECT_EQ(parseDuration("0s"), Picoseconds{0});
}

TEST(ParseDuration, DecimalFractions) {
    EXPECT_EQ(parseDuration("1.5s"), 1'500'000'000'000u);
    EXPECT_EQ(parseDuration("0.5ns"), Picoseconds{500});
    EXPECT_EQ(parseDuration("2.25ms"), 2'250'000'000u);
    EXPECT_EQ(parseDuration("1.000000000001s"), kS + 1);  // picosecond resolution
}

TEST(ParseDuration, RejectsMalformedText) {
    for (const char* bad : {"", "5", "s", "ms", "-1s", "+1s", "1.2.3s", "5 s", " 5s", "5s ",
                            "5min", "5m", "5sec", "1e3s", "."}) {
        EXPECT_EQ(parseDuration(bad), std::nullopt) << '"' << bad << '"';
    }
}

TEST(ParseDuration, RejectsValuesBeyondUint64Picoseconds) {
    EXPECT_EQ(parseDuration("99999999999999999999s"), std::nullopt);
    EXPECT_EQ(parseDuration("18446744073709551615ns"), std::nullopt);
    EXPECT_EQ(parseDuration("18446745s"), std::nullopt);
}

TEST(ParseDuration, RejectsADigitStringThatWrapsWhileAccumulating) {
    // 18446744073709551619 = UINT64_MAX + 4: must not wrap to 3 ns.
    EXPECT_EQ(parseDuration("18446744073709551619ns"), std::nullopt);
}

TEST(ParseDuration, RejectsAFractionThatOverflowsTheWholePart) {
    // 18446744 s fits in 64-bit picoseconds, 18446744.1 s does not.
    EXPECT_EQ(parseDuration("18446744s"), 18'446'744'000'000'000'000u);
    EXPECT_EQ(parseDuration("18446744.1s"), std::nullopt);
}

TEST(ParseDuration, AcceptsTheLargestRepresentableTime) {
    EXPECT_EQ(parseDuration("18446744.073709551615s"), kMax);
    EXPECT_EQ(parseDuration("18446744073709551ns"), 18'446'744'073'709'551'000u);
}

}  // namespace
}  // namespace cmsim
