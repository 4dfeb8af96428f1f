#include "Tpiu.h"

#include <array>

namespace cmsim {

namespace {
constexpr std::array<RegisterSpec, 8> kRegisters{{
    {0x000, "SSPSR", 0x0000000F, 0, Access::ReadOnly},  // port sizes 1-4 supported
    {0x004, "CSPSR", 0x00000001, 0x0000000F},
    {0x010, "ACPR", 0x00000000, 0x00001FFF},            // SWO prescaler
    {0x0F0, "SPPR", 0x00000001, 0x00000003},            // 1 Manchester, 2 NRZ
    {0x300, "FFSR", 0x00000008, 0, Access::ReadOnly},
    {0x304, "FFCR", 0x00000102, 0x00000102},
    {0x308, "FSCR", 0x00000000, 0, Access::ReadOnly},
    {0xFC8, "DEVID", 0x00000CA1, 0, Access::ReadOnly},
}};
}  // namespace

Tpiu::Tpiu(PeripheralContext& ctx) : RegisterPeripheral("TPIU", 0x1000, ctx, kRegisters) {}

}  // namespace cmsim
