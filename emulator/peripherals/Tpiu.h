#pragma once
// Trace Port Interface Unit (ARMv7-M ARM C1.10; Cortex-M4 TRM 11.2): accepts the set-up
// writes SWO code makes (port size, prescaler, protocol, formatter). The trace stream
// itself is not serialised: ITM output reaches cmsim's sinks directly.
#include "RegisterPeripheral.h"

namespace cmsim {

class Tpiu : public RegisterPeripheral {
public:
    explicit Tpiu(PeripheralContext& ctx);
};

}  // namespace cmsim
