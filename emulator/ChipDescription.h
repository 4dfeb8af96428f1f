#pragma once
// Boards are data: a chip description (memory map, peripheral blocks at their base
// addresses, IRQ names, core) under a board description (clocks on the board, LEDs,
// buttons). Nothing in the emulator asks which board it runs; it reads these tables.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "ClockGate.h"
#include "CoreConfig.h"

namespace cmsim {

enum class RegionKind {
    Flash,  // read-only to the core (writes fault); holds the firmware image
    Ram,
    Rom,    // read-only, contents not provided (system memory, OTP): reads return 0
};

struct MemoryRegion {
    std::string_view name;
    std::uint32_t base;
    std::uint32_t size;
    RegionKind kind;
    bool executable;
    // Non-empty: this range is an alias of the named region (same storage), e.g. the
    // boot alias of flash at 0x00000000.
    std::string_view aliasOf = {};
};

// A peripheral block. `model` names the model that implements it; "unmodelled" blocks
// are still named so that accesses to them are reported with the block's name.
struct PeripheralBlock {
    std::string_view name;
    std::uint32_t base;
    std::uint32_t size;
    std::string_view model;
    std::optional<ClockGate> gate = std::nullopt;
};

// Bit-band alias (ARM ARM B3.1.3 is optional; Cortex-M4 TRM §3.7): each word of the
// alias maps one bit of the target.
struct BitBandRegion {
    std::uint32_t aliasBase;
    std::uint32_t targetBase;
    std::uint32_t targetSize;
};

struct ChipDescription {
    std::string_view name;  // "STM32F407VG"
    CoreConfig core;
    std::span<const MemoryRegion> memory;
    std::span<const PeripheralBlock> peripherals;
    std::span<const BitBandRegion> bitBand;
    std::span<const std::string_view> irqNames;  // index = IRQ number
    // Where the core reads its initial SP and reset vector, and VTOR's reset value.
    std::uint32_t bootAddress;
    std::uint32_t vtorReset;
    std::uint64_t resetCpuHz;  // core clock out of reset (HSI)
    std::uint32_t dbgmcuIdcode = 0;  // DBGMCU_IDCODE (DEV_ID, REV_ID) for "stm32.dbgmcu"
};

struct LedDescription {
    std::string_view name;   // "LD4"
    std::string_view color;  // "green"
    char port;
    std::uint8_t pin;
    bool activeHigh;
};

struct BoardDescription {
    std::string_view id;        // "f407"
    std::string_view fullName;  // "STM32F407G-DISC1"
    const ChipDescription& chip;
    std::uint64_t hseHz;  // oscillator on the board (0 = none)
    bool hseBypass;       // external clock (e.g. ST-LINK MCO) instead of a crystal
    std::span<const LedDescription> leds;
};

}  // namespace cmsim
