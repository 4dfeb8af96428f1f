#pragma once
// A peripheral's bus clock enable and reset bits in the RCC (e.g. GPIOD: AHB1ENR bit 3,
// AHB1RSTR bit 3). Chip descriptions name them as data; the RCC model answers for them.
#include <cstdint>
#include <string_view>

namespace cmsim {

struct ClockGate {
    std::string_view enableRegister;  // RCC register name, e.g. "AHB1ENR"
    std::string_view resetRegister;   // e.g. "AHB1RSTR" (empty if none)
    std::uint8_t bit;
};

}  // namespace cmsim
