#include "Stm32h7Dbgmcu.h"

#include <initializer_list>

namespace cmsim {

namespace {
using namespace h7dbgmcu_reg;

constexpr std::uint32_t bits(std::initializer_list<unsigned> list) {
    std::uint32_t v = 0;
    for (unsigned b : list) v |= 1u << b;
    return v;
}

constexpr FieldSpec kIdcFields[] = {{"DEV_ID", 0, 12}, {"REV_ID", 16, 16}};
constexpr FieldSpec kCrFields[] = {{"DBG_SLEEPD1", 0}, {"DBG_STOPD1", 1},    {"DBG_STANDBYD1", 2},
                                   {"DBG_STOPD3", 7},  {"DBG_STANDBYD3", 8}, {"DBG_TRACECKEN", 20},
                                   {"DBG_CKD1EN", 21}, {"DBG_CKD3EN", 22},   {"DBG_TRGOEN", 28}};
constexpr std::uint32_t kCoreSightIds = 0xFD0;
}  // namespace

// RM0468 §63 DBGMCU registers, reset values 0 (IDC read-only).
Stm32h7Dbgmcu::Stm32h7Dbgmcu(PeripheralContext& ctx, std::uint32_t idc)
    : Stm32h7DbgmcuTable{{
          {IDC, "IDC", idc, 0, Access::ReadOnly, kIdcFields},
          {CR, "CR", 0, bits({0, 1, 2, 7, 8, 20, 21, 22, 28}), Access::ReadWrite, kCrFields},
          {APB3FZ1, "APB3FZ1", 0, bits({6})},  // WWDG1
          {APB1LFZ1, "APB1LFZ1", 0, bits({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 21, 22, 23, 25})},
          {APB1HFZ1, "APB1HFZ1", 0, bits({24, 25})},                  // TIM23, TIM24
          {APB2FZ1, "APB2FZ1", 0, bits({0, 1, 16, 17, 18})},          // TIM1/8/15-17
          {APB4FZ1, "APB4FZ1", 0, bits({7, 9, 10, 11, 12, 16, 18})},  // I2C4 .. IWDG1
      }},
      RegisterPeripheral("DBGMCU", kBlockSize, ctx, table) {}

std::uint32_t Stm32h7Dbgmcu::read(std::uint32_t offset, unsigned width) {
    if (offset >= kCoreSightIds) {
        ctx().diag.modelGapOnce("DBGMCU:ids", name(),
                                "DBGMCU CoreSight identification registers (PIDR/CIDR) are not "
                                "modelled: read as 0");
        return 0;
    }
    return RegisterPeripheral::read(offset, width);
}

}  // namespace cmsim
