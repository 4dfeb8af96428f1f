#pragma once
// What distinguishes one Cortex-M implementation from another, as a chip description
// states it (Cortex-M4 r0p1 on the STM32F407, Cortex-M7 r1p2 on the STM32H723).
#include <cstdint>
#include <string_view>

namespace cmsim {

enum class CoreKind { CortexM4, CortexM7 };

struct CoreConfig {
    CoreKind kind;
    std::string_view name;          // "Cortex-M4 r0p1"
    std::uint32_t cpuid;            // SCB CPUID as read by firmware
    unsigned priorityBits;          // implemented NVIC priority bits (4 on STM32)
    unsigned numIrqs;               // external interrupt lines of the chip
    std::uint32_t vtorMask;         // implemented TBLOFF bits of VTOR
    std::uint32_t ccrReset;         // CCR reset value (STKALIGN etc.)
    std::uint32_t mvfr0, mvfr1, mvfr2;  // FPU feature registers (0 if no FPU)
    std::uint32_t systickCalib;     // SYST_CALIB as the chip reports it
    unsigned systickExternalDivider;  // CLKSOURCE=0: HCLK / this (8 on STM32)
};

}  // namespace cmsim
