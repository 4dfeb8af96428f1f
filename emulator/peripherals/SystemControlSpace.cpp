#include "SystemControlSpace.h"

#include <fmt/format.h>

namespace cmsim {

void SystemControlSpace::addUnit(std::uint32_t start, std::uint32_t size, Peripheral& unit,
                                 std::uint32_t unitOffset) {
    units_.push_back({start, size, &unit, unitOffset});
}

const SystemControlSpace::Unit* SystemControlSpace::find(std::uint32_t offset) const {
    for (const auto& u : units_) {
        if (offset >= u.start && offset - u.start < u.size) return &u;
    }
    return nullptr;
}

std::pair<const Peripheral*, std::uint32_t> SystemControlSpace::resolve(std::uint32_t offset) const {
    const Unit* u = find(offset);
    if (u == nullptr) return {nullptr, 0};
    return {u->unit, offset - u->start + u->unitOffset};
}

void SystemControlSpace::reset() {
    for (auto& u : units_) u.unit->reset();
}

std::uint32_t SystemControlSpace::read(std::uint32_t offset, unsigned width) {
    if (const Unit* u = find(offset)) return u->unit->read(offset - u->start + u->unitOffset, width);
    ctx().diag.firmwareMistakeOnce(fmt::format("SCS:r:{:x}", offset), "SCS",
                                   fmt::format("read of reserved SCS address 0x{:08x}",
                                               0xE000E000u + offset));
    return 0;
}

void SystemControlSpace::write(std::uint32_t offset, unsigned width, std::uint32_t value) {
    if (const Unit* u = find(offset)) {
        u->unit->write(offset - u->start + u->unitOffset, width, value);
        return;
    }
    ctx().diag.firmwareMistakeOnce(fmt::format("SCS:w:{:x}", offset), "SCS",
                                   fmt::format("write 0x{:x} to reserved SCS address 0x{:08x}",
                                               value, 0xE000E000u + offset));
}

std::string_view SystemControlSpace::registerName(std::uint32_t offset) const {
    const Unit* u = find(offset);
    return u != nullptr ? u->unit->registerName(offset - u->start + u->unitOffset) : std::string_view{};
}

std::string SystemControlSpace::qualifiedRegisterName(std::uint32_t offset) const {
    const Unit* u = find(offset);
    return u != nullptr ? u->unit->qualifiedRegisterName(offset - u->start + u->unitOffset)
                        : Peripheral::qualifiedRegisterName(offset);
}

std::string SystemControlSpace::describeValue(std::uint32_t offset, std::uint32_t value,
                                              bool isWrite) const {
    const Unit* u = find(offset);
    return u != nullptr ? u->unit->describeValue(offset - u->start + u->unitOffset, value, isWrite)
                        : std::string{};
}

}  // namespace cmsim
