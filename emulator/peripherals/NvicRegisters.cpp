#include "NvicRegisters.h"

#include <fmt/format.h>

namespace cmsim {

NvicRegisters::NvicRegisters(PeripheralContext& ctx, Nvic& nvic)
    : Peripheral("NVIC", 0xE04, ctx), nvic_(nvic) {}

std::string_view NvicRegisters::registerName(std::uint32_t offset) const {
    if (offset < 0x080) return "ISER";
    if (offset < 0x100) return "ICER";
    if (offset < 0x180) return "ISPR";
    if (offset < 0x200) return "ICPR";
    if (offset < 0x280) return "IABR";
    if (offset >= kIpr && offset < kIpr + 0xF0) return "IPR";
    if (offset == kStir) return "STIR";
    return {};
}

std::uint32_t NvicRegisters::read(std::uint32_t offset, unsigned width) {
    const unsigned irqCount = nvic_.numIrqs();
    if (offset >= kIpr && offset < kIpr + 0xF0) {
        // IPR is byte-accessible: one priority byte per IRQ (B3.4.9).
        std::uint32_t v = 0;
        for (unsigned b = 0; b < width; ++b) {
            const unsigned irq = offset - kIpr + b;
            if (irq < irqCount) v |= std::uint32_t{nvic_.priorityByte(exc::kFirstIrq + irq)} << (8 * b);
        }
        return v;
    }
    if (offset == kStir) return 0;  // write-only
    if (offset < 0x280 && (offset & 0x7F) / 4 < words()) {
        const unsigned group = offset / 0x80;  // 0 ISER 1 ICER 2 ISPR 3 ICPR 4 IABR
        const unsigned word = (offset & 0x7F) / 4;
        std::uint32_t v = 0;
        for (unsigned bit = 0; bit < 32; ++bit) {
            const unsigned irq = word * 32 + bit;
            if (irq >= irqCount) break;
            const unsigned e = exc::kFirstIrq + irq;
            bool on = false;
            switch (group) {
                case 0:
                case 1: on = nvic_.isEnabled(e); break;
                case 2:
                case 3: on = nvic_.isPending(e); break;
                case 4: on = nvic_.isActive(e); break;
            }
            if (on) v |= 1u << bit;
        }
        const unsigned shift = (offset & 3u) * 8;
        return width >= 4 ? v : (v >> shift) & ((1u << (8 * width)) - 1);
    }
    // Words beyond the implemented IRQs are RAZ/WI (B3.4.3).
    return 0;
}

void NvicRegisters::write(std::uint32_t offset, unsigned width, std::uint32_t value) {
    const unsigned irqCount = nvic_.numIrqs();
    if (offset >= kIpr && offset < kIpr + 0xF0) {
        for (unsigned b = 0; b < width; ++b) {
            const unsigned irq = offset - kIpr + b;
            if (irq < irqCount) {
                nvic_.setPriorityByte(exc::kFirstIrq + irq, static_cast<std::uint8_t>(value >> (8 * b)));
            }
        }
        return;
    }
    if (offset == kStir) {
        // B3.4.2: STIR.INTID triggers that interrupt (privileged software, or unprivileged
        // with CCR.USERSETMPEND).
        const unsigned irq = value & 0x1FF;
        if (irq < irqCount) {
            nvic_.setPending(exc::kFirstIrq + irq);
        } else {
            ctx().diag.firmwareMistake("NVIC", fmt::format("STIR: IRQ {} does not exist on this chip "
                                                           "({} IRQs)",
                                                           irq, irqCount));
        }
        return;
    }
    if (offset >= kIabr) {
        // IABR is read-only; the rest of the block is reserved.
        if (offset < kIabr + 0x80) {
            ctx().diag.firmwareMistakeOnce("NVIC:IABR", "NVIC", "write to read-only IABR ignored");
        }
        return;
    }
    const unsigned group = offset / 0x80;
    const unsigned word = (offset & 0x7F) / 4;
    const unsigned shift = (offset & 3u) * 8;
    const std::uint32_t bits = width >= 4 ? value : value << shift;
    for (unsigned bit = 0; bit < 32; ++bit) {
        if (((bits >> bit) & 1u) == 0) continue;
        const unsigned irq = word * 32 + bit;
        if (irq >= irqCount) continue;  // RAZ/WI
        const unsigned e = exc::kFirstIrq + irq;
        switch (group) {
            case 0: nvic_.setEnabled(e, true); break;
            case 1: nvic_.setEnabled(e, false); break;
            case 2: nvic_.setPending(e); break;
            case 3: nvic_.clearPending(e); break;
        }
    }
}

}  // namespace cmsim
