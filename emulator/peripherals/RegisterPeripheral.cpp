#include "RegisterPeripheral.h"

#include <fmt/format.h>

#include <stdexcept>

namespace cmsim {

RegisterPeripheral::RegisterPeripheral(std::string name, std::uint32_t sizeBytes,
                                       PeripheralContext& ctx,
                                       std::span<const RegisterSpec> registers)
    : Peripheral(std::move(name), sizeBytes, ctx),
      specs_(registers),
      values_(registers.size()),
      index_(sizeBytes / 4, -1) {
    for (std::size_t i = 0; i < specs_.size(); ++i) {
        const auto& r = specs_[i];
        if (r.offset % 4 != 0 || r.offset / 4 >= index_.size() || index_[r.offset / 4] != -1) {
            throw std::logic_error(fmt::format("{}: bad register table entry {} at 0x{:x}",
                                               this->name(), r.name, r.offset));
        }
        index_[r.offset / 4] = static_cast<std::int16_t>(i);
    }
    for (std::size_t i = 0; i < specs_.size(); ++i) values_[i] = specs_[i].resetValue;
}

const RegisterSpec* RegisterPeripheral::find(std::uint32_t offset) const {
    const std::uint32_t w = offset / 4;
    if (w >= index_.size() || index_[w] < 0) return nullptr;
    return &specs_[static_cast<std::size_t>(index_[w])];
}

void RegisterPeripheral::reset() {
    for (std::size_t i = 0; i < specs_.size(); ++i) values_[i] = specs_[i].resetValue;
    onReset();
}

std::uint32_t RegisterPeripheral::value(std::uint32_t offset) const {
    const auto* r = find(offset);
    if (r == nullptr) throw std::logic_error(fmt::format("{}: no register at 0x{:x}", name(), offset));
    return values_[static_cast<std::size_t>(r - specs_.data())];
}

void RegisterPeripheral::setValue(std::uint32_t offset, std::uint32_t v) {
    const auto* r = find(offset);
    if (r == nullptr) throw std::logic_error(fmt::format("{}: no register at 0x{:x}", name(), offset));
    values_[static_cast<std::size_t>(r - specs_.data())] = v;
}

std::string_view RegisterPeripheral::registerName(std::uint32_t offset) const {
    const auto* r = find(offset);
    return r != nullptr ? r->name : std::string_view{};
}

std::string RegisterPeripheral::describeValue(std::uint32_t offset, std::uint32_t value,
                                             bool /*isWrite*/) const {
    const RegisterSpec* r = find(offset);
    if (r == nullptr) return {};
    std::string out;
    for (const auto& f : r->fields) {
        const std::uint32_t mask = f.width >= 32 ? 0xFFFFFFFFu : ((1u << f.width) - 1);
        const std::uint32_t v = (value >> f.lsb) & mask;
        if (v == 0) continue;
        if (!out.empty()) out += ' ';
        out += f.width == 1 ? std::string(f.name) : fmt::format("{}={}", f.name, v);
    }
    return out;
}

std::uint32_t RegisterPeripheral::read(std::uint32_t offset, unsigned width) {
    const RegisterSpec* r = find(offset);
    if (r == nullptr) {
        ctx().diag.firmwareMistakeOnce(fmt::format("{}:r:{:x}", name(), offset & ~3u), name(),
                                       fmt::format("read of reserved offset 0x{:03x}", offset));
        return 0;
    }
    std::uint32_t v = 0;
    if (r->access != Access::WriteOnly) {
        v = onRead(*r, values_[static_cast<std::size_t>(r - specs_.data())]);
    }
    const unsigned shift = (offset & 3u) * 8;
    const std::uint32_t mask = width >= 4 ? 0xFFFFFFFFu : ((1u << (width * 8)) - 1);
    return (v >> shift) & mask;
}

void RegisterPeripheral::write(std::uint32_t offset, unsigned width, std::uint32_t value) {
    const RegisterSpec* r = find(offset);
    if (r == nullptr) {
        ctx().diag.firmwareMistakeOnce(
            fmt::format("{}:w:{:x}", name(), offset & ~3u), name(),
            fmt::format("write 0x{:x} to reserved offset 0x{:03x} ignored", value, offset));
        return;
    }
    const unsigned shift = (offset & 3u) * 8;
    const std::uint32_t widthMask = width >= 4 ? 0xFFFFFFFFu : ((1u << (width * 8)) - 1);
    const std::uint32_t lanes = widthMask << shift;
    const std::uint32_t written = (value << shift) & lanes;
    auto& stored = values_[static_cast<std::size_t>(r - specs_.data())];
    const std::uint32_t old = stored;
    switch (r->access) {
        case Access::ReadOnly:
            ctx().diag.firmwareMistakeOnce(fmt::format("{}:ro:{}", name(), r->name), name(),
                                           fmt::format("write 0x{:08x} to read-only register {}",
                                                       written, r->name));
            return;
        case Access::WriteOneToClear:
            stored = old & ~(written & r->writableMask);
            break;
        case Access::ReadWrite:
        case Access::WriteOnly:
            stored = (old & ~(r->writableMask & lanes)) | (written & r->writableMask);
            break;
    }
    onWrite(*r, old, stored, written, lanes);
}

}  // namespace cmsim
