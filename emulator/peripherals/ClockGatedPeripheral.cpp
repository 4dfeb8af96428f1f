#include "ClockGatedPeripheral.h"

#include <fmt/format.h>

namespace cmsim {

ClockGatedPeripheral::ClockGatedPeripheral(std::unique_ptr<Peripheral> inner, ClockGate gate,
                                           std::function<bool()> clockEnabled,
                                           PeripheralContext& ctx)
    : Peripheral(inner->name(), inner->sizeBytes(), ctx),
      inner_(std::move(inner)),
      gate_(gate),
      clockEnabled_(std::move(clockEnabled)) {}

void ClockGatedPeripheral::complain(const char* what, std::uint32_t offset) {
    const auto reg = inner_->registerName(offset & ~3u);
    ctx().diag.firmwareMistakeOnce(
        fmt::format("clock-off:{}", name()), name(),
        fmt::format("{} {} while its clock is off (RCC {} bit {} = 0): {}, as on silicon", what,
                    reg.empty() ? fmt::format("offset 0x{:03x}", offset) : std::string(reg),
                    gate_.enableRegister, gate_.bit,
                    what[0] == 'w' ? "ignored" : "reads 0"));
}

std::uint32_t ClockGatedPeripheral::read(std::uint32_t offset, unsigned width) {
    if (!clockEnabled_()) {
        complain("read of", offset);
        return 0;
    }
    return inner_->read(offset, width);
}

void ClockGatedPeripheral::write(std::uint32_t offset, unsigned width, std::uint32_t value) {
    if (!clockEnabled_()) {
        complain("write to", offset);
        return;
    }
    inner_->write(offset, width, value);
}

}  // namespace cmsim
