#pragma once
// What the rest of the machine needs from a chip's RCC model, whatever the family.
#include <cstdint>

#include "ClockGate.h"

namespace cmsim {

class ClockController {
public:
    virtual ~ClockController() = default;
    virtual std::uint64_t sysclkHz() const = 0;
    virtual std::uint64_t hclkHz() const = 0;
    virtual bool isGateEnabled(const ClockGate& gate) const = 0;
};

}  // namespace cmsim
