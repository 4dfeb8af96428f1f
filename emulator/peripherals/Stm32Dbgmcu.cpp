#include "Stm32Dbgmcu.h"

namespace cmsim {

namespace {
constexpr FieldSpec kCrFields[] = {{"DBG_SLEEP", 0}, {"DBG_STOP", 1}, {"DBG_STANDBY", 2},
                                   {"TRACE_IOEN", 5}, {"TRACE_MODE", 6, 2}};
}

Stm32Dbgmcu::Stm32Dbgmcu(PeripheralContext& ctx, std::uint32_t idcode)
    : Stm32DbgmcuTable{{
          {0x00, "IDCODE", idcode, 0, Access::ReadOnly},
          {0x04, "CR", 0, 0x000000E7, Access::ReadWrite, kCrFields},
          {0x08, "APB1_FZ", 0, 0xFFFFFFFF},
          {0x0C, "APB2_FZ", 0, 0xFFFFFFFF},
      }},
      RegisterPeripheral("DBGMCU", 0x400, ctx, table) {}

}  // namespace cmsim
