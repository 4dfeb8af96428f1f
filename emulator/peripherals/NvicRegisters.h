#pragma once
// The NVIC register block at 0xE000E100 (ARM ARM B3.4.3, Table B3-8): ISER, ICER, ISPR,
// ICPR, IABR, IPR, and STIR at 0xE000EF00 (offset 0xE00 here). A view onto Nvic.
#include "../Nvic.h"
#include "Peripheral.h"

namespace cmsim {

class NvicRegisters : public Peripheral {
public:
    static constexpr std::uint32_t kIser = 0x000, kIcer = 0x080, kIspr = 0x100, kIcpr = 0x180,
                                   kIabr = 0x200, kIpr = 0x300, kStir = 0xE00;
    NvicRegisters(PeripheralContext& ctx, Nvic& nvic);

    void reset() override {}
    std::uint32_t read(std::uint32_t offset, unsigned width) override;
    void write(std::uint32_t offset, unsigned width, std::uint32_t value) override;
    std::string_view registerName(std::uint32_t offset) const override;

private:
    unsigned words() const { return (nvic_.numIrqs() + 31) / 32; }
    Nvic& nvic_;
};

}  // namespace cmsim
