#pragma once
// Deterministic text for simulated quantities: integer arithmetic only, so output is
// byte-identical across runs and hosts.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "TimeBase.h"

namespace cmsim {

// "1000.000" — milliseconds with microsecond precision (rounded to the nearest µs).
std::string formatMs(Picoseconds t);
// "3.000000" — seconds with microsecond precision.
std::string formatSeconds(Picoseconds t);
// "168 MHz", "16 MHz", "32.768 kHz", "550 MHz".
std::string formatHz(std::uint64_t hz);
// Parses "5s", "250ms", "100us", "10ns", "1.5s" into picoseconds. nullopt on bad text.
std::optional<Picoseconds> parseDuration(std::string_view text);

}  // namespace cmsim
