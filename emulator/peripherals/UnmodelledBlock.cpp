#include "UnmodelledBlock.h"

#include <fmt/format.h>

namespace cmsim {

UnmodelledBlock::UnmodelledBlock(std::string name, std::uint32_t sizeBytes, PeripheralContext& ctx,
                                 std::function<void(bool, std::uint32_t, std::uint32_t)> onAccess)
    : Peripheral(std::move(name), sizeBytes, ctx), onAccess_(std::move(onAccess)) {}

void UnmodelledBlock::report(bool isWrite, std::uint32_t offset, unsigned width,
                             std::uint32_t value) {
    ++accesses_;
    const std::string key = fmt::format("unmodelled:{}:{:x}:{}", name(), offset, isWrite);
    const std::string what =
        isWrite ? fmt::format("{}-bit write 0x{:x} to offset 0x{:03x}", width * 8, value, offset)
                : fmt::format("{}-bit read of offset 0x{:03x} (returns 0)", width * 8, offset);
    ctx().diag.modelGapOnce(key, name(), fmt::format("{}: block not modelled", what));
    if (onAccess_) onAccess_(isWrite, offset, value);
}

std::uint32_t UnmodelledBlock::read(std::uint32_t offset, unsigned width) {
    report(false, offset, width, 0);
    return 0;
}

void UnmodelledBlock::write(std::uint32_t offset, unsigned width, std::uint32_t value) {
    report(true, offset, width, value);
}

}  // namespace cmsim
