#pragma once
// The one shape every peripheral model has: read/write by offset inside its block,
// reset(), and the context it runs in (time, events, complaints, interrupt lines).
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "../Diagnostics.h"
#include "../EventQueue.h"
#include "../Signals.h"
#include "../TimeBase.h"

namespace cmsim {

// What a peripheral may use of the machine around it. Owned by the machine; a test builds
// one with a controllable clock.
struct PeripheralContext {
    TimeBase& time;
    EventQueue& events;
    Diagnostics& diag;
    Signals& signals;
    // Raises (pends) the given IRQ number (0-based, NVIC numbering) on the interrupt controller.
    std::function<void(unsigned irq)> raiseIrq;
};

class Peripheral {
public:
    Peripheral(std::string name, std::uint32_t sizeBytes, PeripheralContext& ctx)
        : name_(std::move(name)), size_(sizeBytes), ctx_(ctx) {}
    virtual ~Peripheral() = default;
    Peripheral(const Peripheral&) = delete;
    Peripheral& operator=(const Peripheral&) = delete;

    const std::string& name() const { return name_; }
    std::uint32_t sizeBytes() const { return size_; }

    virtual void reset() = 0;
    // width is 1, 2 or 4 bytes; offset is inside [0, sizeBytes()).
    virtual std::uint32_t read(std::uint32_t offset, unsigned width) = 0;
    virtual void write(std::uint32_t offset, unsigned width, std::uint32_t value) = 0;
    // Register name at an offset, for traces and complaints ("" if none).
    virtual std::string_view registerName(std::uint32_t /*offset*/) const { return {}; }
    // "GPIOD.BSRR": the block and register an offset names (a router names its unit).
    virtual std::string qualifiedRegisterName(std::uint32_t offset) const {
        const auto reg = registerName(offset & ~3u);
        return reg.empty() ? name() + "+0x" + hex3(offset) : name() + "." + std::string(reg);
    }
    // The fields of a value read from or written to the register at `offset`, in words,
    // for the mmio trace ("BS12: PD12 high", "HSERDY PLLRDY"); "" when not described.
    virtual std::string describeValue(std::uint32_t /*offset*/, std::uint32_t /*value*/,
                                      bool /*isWrite*/) const {
        return {};
    }

protected:
    PeripheralContext& ctx() const { return ctx_; }
    static std::string hex3(std::uint32_t v) {
        static constexpr char kDigits[] = "0123456789abcdef";
        return {kDigits[(v >> 8) & 0xF], kDigits[(v >> 4) & 0xF], kDigits[v & 0xF]};
    }

private:
    std::string name_;
    std::uint32_t size_;
    PeripheralContext& ctx_;
};

}  // namespace cmsim
