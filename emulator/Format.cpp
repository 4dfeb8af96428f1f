#include "Format.h"

#include <fmt/format.h>

#include <cctype>
#include <limits>

namespace cmsim {

namespace {
// Picoseconds to the nearest microsecond (half up), without overflowing near UINT64_MAX.
std::uint64_t roundToUs(Picoseconds t) {
    return t / 1'000'000 + (t % 1'000'000 >= 500'000 ? 1 : 0);
}
}  // namespace

std::string formatMs(Picoseconds t) {
    const std::uint64_t us = roundToUs(t);
    return fmt::format("{}.{:03}", us / 1000, us % 1000);
}

std::string formatSeconds(Picoseconds t) {
    const std::uint64_t us = roundToUs(t);
    return fmt::format("{}.{:06}", us / 1'000'000, us % 1'000'000);
}

std::string formatHz(std::uint64_t hz) {
    auto scaled = [](std::uint64_t v, std::uint64_t unit, const char* suffix) {
        const std::uint64_t whole = v / unit, frac = v % unit;
        if (frac == 0) return fmt::format("{} {}", whole, suffix);
        std::string f = fmt::format("{:0{}}", frac, unit == 1'000'000 ? 6 : 3);
        while (!f.empty() && f.back() == '0') f.pop_back();
        return fmt::format("{}.{} {}", whole, f, suffix);
    };
    if (hz >= 1'000'000) return scaled(hz, 1'000'000, "MHz");
    if (hz >= 1'000) return scaled(hz, 1'000, "kHz");
    return fmt::format("{} Hz", hz);
}

std::optional<Picoseconds> parseDuration(std::string_view text) {
    std::size_t i = 0;
    std::uint64_t whole = 0;
    bool digits = false;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        const auto digit = static_cast<std::uint64_t>(text[i] - '0');
        if (whole > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
        whole = whole * 10 + digit;
        digits = true;
        ++i;
    }
    std::uint64_t frac = 0, fracScale = 1;
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            if (fracScale < 1'000'000'000'000ULL) {
                frac = frac * 10 + static_cast<std::uint64_t>(text[i] - '0');
                fracScale *= 10;
            }
            digits = true;
            ++i;
        }
    }
    if (!digits) return std::nullopt;
    const std::string_view unit = text.substr(i);
    std::uint64_t psPerUnit;
    if (unit == "s") psPerUnit = 1'000'000'000'000ULL;
    else if (unit == "ms") psPerUnit = 1'000'000'000ULL;
    else if (unit == "us") psPerUnit = 1'000'000ULL;
    else if (unit == "ns") psPerUnit = 1'000ULL;
    else return std::nullopt;
    const unsigned __int128 total = static_cast<unsigned __int128>(whole) * psPerUnit +
                                    static_cast<unsigned __int128>(frac) * psPerUnit / fracScale;
    if (total > std::numeric_limits<std::uint64_t>::max()) return std::nullopt;
    return static_cast<std::uint64_t>(total);
}

}  // namespace cmsim
