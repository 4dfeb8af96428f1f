#pragma once
// Addresses and bits of the System Control Block registers the fault tests read and write
// (ARMv7-M ARM B3.2.2, table B3-4).
#include <cstdint>

namespace cmsim::testing::scb {
constexpr std::uint32_t kIcsr = 0xE000ED04, kVtor = 0xE000ED08, kCcr = 0xE000ED14,
                        kShpr1 = 0xE000ED18, kShpr3 = 0xE000ED20, kShcsr = 0xE000ED24,
                        kCfsr = 0xE000ED28, kHfsr = 0xE000ED2C, kMmfar = 0xE000ED34,
                        kBfar = 0xE000ED38;
// SHCSR enables (B3.2.13).
constexpr std::uint32_t kMemFaultEna = 1u << 16, kBusFaultEna = 1u << 17, kUsgFaultEna = 1u << 18;
// ICSR set-pending bits (B3.2.4).
constexpr std::uint32_t kPendStSet = 1u << 26, kNmiPendSet = 1u << 31;
}  // namespace cmsim::testing::scb
