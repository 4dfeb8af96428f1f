#pragma once
// Wraps a model whose bus clock the RCC gates: while the clock is off, silicon ignores
// writes and reads return 0 (RM0090 §7.3.10 ff.: "when the peripheral clock is not active,
// the peripheral registers read or write access is not supported"). The first such access
// is reported as a firmware mistake; later ones are counted silently.
#include <functional>
#include <memory>

#include "../ClockGate.h"
#include "Peripheral.h"

namespace cmsim {

class ClockGatedPeripheral : public Peripheral {
public:
    ClockGatedPeripheral(std::unique_ptr<Peripheral> inner, ClockGate gate,
                         std::function<bool()> clockEnabled, PeripheralContext& ctx);

    void reset() override { inner_->reset(); }
    std::uint32_t read(std::uint32_t offset, unsigned width) override;
    void write(std::uint32_t offset, unsigned width, std::uint32_t value) override;
    std::string_view registerName(std::uint32_t offset) const override {
        return inner_->registerName(offset);
    }
    std::string describeValue(std::uint32_t offset, std::uint32_t value, bool isWrite) const override {
        return inner_->describeValue(offset, value, isWrite);
    }
    Peripheral& inner() { return *inner_; }

private:
    void complain(const char* what, std::uint32_t offset);
    std::unique_ptr<Peripheral> inner_;
    ClockGate gate_;
    std::function<bool()> clockEnabled_;
};

}  // namespace cmsim
