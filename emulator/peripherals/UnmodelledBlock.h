#pragma once
// A block that exists on the chip but has no model (QEMU's "unimplemented device"):
// reads return 0, writes are dropped, and each register offset touched is reported once
// as a model gap naming the block, the offset and where the core was. The machine can
// make such an access fatal (--strict).
#include <functional>
#include <set>

#include "Peripheral.h"

namespace cmsim {

class UnmodelledBlock : public Peripheral {
public:
    // onAccess(is_write, offset, value) is called for every access (the machine uses it
    // for --strict); reporting is done here.
    UnmodelledBlock(std::string name, std::uint32_t sizeBytes, PeripheralContext& ctx,
                    std::function<void(bool, std::uint32_t, std::uint32_t)> onAccess = {});

    void reset() override {}
    std::uint32_t read(std::uint32_t offset, unsigned width) override;
    void write(std::uint32_t offset, unsigned width, std::uint32_t value) override;
    std::uint64_t accessCount() const { return accesses_; }

private:
    void report(bool isWrite, std::uint32_t offset, unsigned width, std::uint32_t value);
    std::function<void(bool, std::uint32_t, std::uint32_t)> onAccess_;
    std::uint64_t accesses_ = 0;
};

}  // namespace cmsim
