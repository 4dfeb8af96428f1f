#pragma once
// The first cycle model: every instruction costs one cycle (counted per executed basic
// block), plus fixed costs for exception handling taken from the Cortex-M3/M4 technical
// reference manuals for zero-wait-state memory. Flash wait states, pipeline refills and
// multi-cycle instructions (LDM, divide, multiply-accumulate) are not modelled yet.
#include <cstdint>

namespace cmsim::cycle_model {

constexpr std::uint32_t kPerInstruction = 1;
// Cortex-M4 TRM §3.? "interrupt latency": 12 cycles from the exception being recognised
// to the first instruction of the handler (stacking 8 words, vector fetch).
constexpr std::uint32_t kExceptionEntry = 12;
// Tail-chaining skips unstacking and restacking: 6 cycles between handlers.
constexpr std::uint32_t kTailChain = 6;
// Exception return with unstacking (the return half of the 12/10 cycle round trip).
constexpr std::uint32_t kExceptionReturn = 10;

}  // namespace cmsim::cycle_model
