#pragma once
// The System Control Space page at 0xE000E000 (ARM ARM B3.2, Table B3-3): one 4 KiB MMIO
// page shared by several units. This router hands each access to the unit whose range
// contains it: SCnSCB (ICTR, ACTLR), SysTick, NVIC, SCB (+FPU, cache maintenance), MPU
// and CoreDebug.
#include <memory>
#include <vector>

#include "Peripheral.h"

namespace cmsim {

class SystemControlSpace : public Peripheral {
public:
    explicit SystemControlSpace(PeripheralContext& ctx) : Peripheral("SCS", 0x1000, ctx) {}

    // Units are looked up in the order added, so a narrow range (STIR) can be added
    // before a wide one that overlaps it (SCB).
    void addUnit(std::uint32_t start, std::uint32_t size, Peripheral& unit, std::uint32_t unitOffset);

    void reset() override;
    std::uint32_t read(std::uint32_t offset, unsigned width) override;
    void write(std::uint32_t offset, unsigned width, std::uint32_t value) override;
    std::string_view registerName(std::uint32_t offset) const override;
    std::string qualifiedRegisterName(std::uint32_t offset) const override;
    std::string describeValue(std::uint32_t offset, std::uint32_t value, bool isWrite) const override;
    // Unit and offset inside it, for traces ("SCB", "ICSR").
    std::pair<const Peripheral*, std::uint32_t> resolve(std::uint32_t offset) const;

private:
    struct Unit {
        std::uint32_t start, size;
        Peripheral* unit;
        std::uint32_t unitOffset;
    };
    const Unit* find(std::uint32_t offset) const;
    std::vector<Unit> units_;
};

}  // namespace cmsim
