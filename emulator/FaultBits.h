#pragma once
// Bits of the fault status registers the core sets (ARMv7-M ARM B3.2.15 CFSR = MMFSR |
// BFSR << 8 | UFSR << 16, B3.2.16 HFSR).
#include <cstdint>

namespace cmsim {

namespace cfsr {
constexpr std::uint32_t kIaccviol = 1u << 0, kMmarvalid = 1u << 7;
constexpr std::uint32_t kIbuserr = 1u << 8, kPreciserr = 1u << 9, kUnstkerr = 1u << 11,
                        kStkerr = 1u << 12, kBfarvalid = 1u << 15;
constexpr std::uint32_t kUndefinstr = 1u << 16, kInvstate = 1u << 17, kInvpc = 1u << 18,
                        kNocp = 1u << 19, kUnaligned = 1u << 24, kDivbyzero = 1u << 25;
}  // namespace cfsr

namespace hfsr {
constexpr std::uint32_t kVecttbl = 1u << 1, kForced = 1u << 30;
}  // namespace hfsr

}  // namespace cmsim
