#pragma once
// STM32 debug MCU block (RM0090 §38.6 for the F4): IDCODE with the device and revision
// identifiers, and the CR/freeze registers firmware writes when setting up SWO
// (TRACE_IOEN) or debugging in low-power modes (DBG_SLEEP...).
#include <vector>

#include "RegisterPeripheral.h"

namespace cmsim {

struct Stm32DbgmcuTable {
    std::vector<RegisterSpec> table;
};

class Stm32Dbgmcu : private Stm32DbgmcuTable, public RegisterPeripheral {
public:
    Stm32Dbgmcu(PeripheralContext& ctx, std::uint32_t idcode);
};

}  // namespace cmsim
