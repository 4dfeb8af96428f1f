#pragma once
// STM32H72x/73x debug MCU block (DBGMCU), RM0468 §63 (Debug support), at 0x5C001000 on the
// CPU's system bus: DBGMCU_IDC with the device and revision identifiers, the CR that debug
// probes program (debug in Sleep/Stop/Standby, trace clock, D1/D3 debug clocks) and the
// freeze registers of each APB. The CoreSight identification registers (0xFD0-0xFFC) are
// not modelled (reads return 0 and are reported).
#include <cstdint>
#include <vector>

#include "RegisterPeripheral.h"

namespace cmsim {

namespace h7dbgmcu_reg {
constexpr std::uint32_t IDC = 0x000;
constexpr std::uint32_t CR = 0x004;
constexpr std::uint32_t APB3FZ1 = 0x034;
constexpr std::uint32_t APB1LFZ1 = 0x03C;
constexpr std::uint32_t APB1HFZ1 = 0x044;
constexpr std::uint32_t APB2FZ1 = 0x04C;
constexpr std::uint32_t APB4FZ1 = 0x054;
}  // namespace h7dbgmcu_reg

struct Stm32h7DbgmcuTable {
    std::vector<RegisterSpec> table;
};

class Stm32h7Dbgmcu : private Stm32h7DbgmcuTable, public RegisterPeripheral {
  public:
    static constexpr std::uint32_t kBaseAddress = 0x5C001000;
    static constexpr std::uint32_t kBlockSize = 0x1000;

    // idc: DBGMCU_IDC as the chip reports it (REV_ID << 16 | DEV_ID).
    Stm32h7Dbgmcu(PeripheralContext& ctx, std::uint32_t idc);

    std::uint32_t read(std::uint32_t offset, unsigned width) override;
};

}  // namespace cmsim
