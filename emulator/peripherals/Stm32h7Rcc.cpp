#include "Stm32h7Rcc.h"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <stdexcept>
#include <string>

namespace cmsim {

namespace {

using namespace h7rcc_reg;

constexpr std::uint32_t bits(std::initializer_list<unsigned> list) {
    std::uint32_t v = 0;
    for (unsigned b : list) v |= 1u << b;
    return v;
}

// Implemented bits per bus (RM0468 §8.7, xxENR / xxRSTR / xxLPENR of the H72x/73x; the
// CRYP, HASH and OTFDEC bits exist on the H73x only and are reserved here).
constexpr std::uint32_t kAhb3 =
    bits({0, 4, 12, 14, 16, 19, 21});  // MDMA DMA2D FMC OSPI1 SDMMC1 OSPI2 IOMNGR
constexpr std::uint32_t kAhb1 = bits({0, 1, 5, 15, 16, 17, 25, 26});
constexpr std::uint32_t kAhb1Rst = bits({0, 1, 5, 15, 25});
constexpr std::uint32_t kAhb2 = bits({0, 6, 9, 16, 17, 29, 30});
constexpr std::uint32_t kAhb2Rst = bits({0, 6, 9, 16, 17});
constexpr std::uint32_t kAhb4Gpio = bits({0, 1, 2, 3, 4, 5, 6, 7, 9, 10});  // no GPIOI
constexpr std::uint32_t kAhb4 = kAhb4Gpio | bits({19, 21, 24, 25, 28});
constexpr std::uint32_t kAhb4Rst = kAhb4Gpio | bits({19, 21, 24, 25});
constexpr std::uint32_t kAhb4Lp = kAhb4Gpio | bits({19, 21, 24, 28, 29});
constexpr std::uint32_t kApb3 = bits({3, 6});
constexpr std::uint32_t kApb1L = bits(
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 25, 27, 29, 30, 31});
constexpr std::uint32_t kApb1H = bits({1, 2, 4, 5, 8, 24, 25});
constexpr std::uint32_t kApb2 = bits({0, 1, 4, 5, 6, 7, 12, 13, 16, 17, 18, 20, 22, 30});
constexpr std::uint32_t kApb4 = bits({1, 3, 5, 7, 9, 10, 11, 12, 14, 15, 16, 21, 26});
constexpr std::uint32_t kApb4Rst = kApb4 & ~bits({16});  // no reset for RTCAPB
static_assert(kAhb3 == 0x00295011 && kAhb4 == 0x132806FF && kApb1L == 0xEAFFC3FF &&
              kApb2 == 0x405730F3 && kApb4 == 0x0421DEAA);

// Field tables for the mmio trace.
constexpr FieldSpec kCrFields[] = {
    {"HSION", 0},     {"HSIKERON", 1}, {"HSIRDY", 2},   {"HSIDIV", 3, 2}, {"HSIDIVF", 5},
    {"CSION", 7},     {"CSIRDY", 8},   {"CSIKERON", 9}, {"HSI48ON", 12},  {"HSI48RDY", 13},
    {"D1CKRDY", 14},  {"D2CKRDY", 15}, {"HSEON", 16},   {"HSERDY", 17},   {"HSEBYP", 18},
    {"HSECSSON", 19}, {"PLL1ON", 24},  {"PLL1RDY", 25}, {"PLL2ON", 26},   {"PLL2RDY", 27},
    {"PLL3ON", 28},   {"PLL3RDY", 29}};
constexpr FieldSpec kCfgrFields[] = {
    {"SW", 0, 3},   {"SWS", 3, 3},      {"STOPWUCK", 6}, {"STOPKERWUCK", 7}, {"RTCPRE", 8, 6},
    {"TIMPRE", 15}, {"MCO1PRE", 18, 4}, {"MCO1", 22, 3}, {"MCO2PRE", 25, 4}, {"MCO2", 29, 3}};
constexpr FieldSpec kD1cfgrFields[] = {{"HPRE", 0, 4}, {"D1PPRE", 4, 3}, {"D1CPRE", 8, 4}};
constexpr FieldSpec kD2cfgrFields[] = {{"D2PPRE1", 4, 3}, {"D2PPRE2", 8, 3}};
constexpr FieldSpec kD3cfgrFields[] = {{"D3PPRE", 4, 3}};
constexpr FieldSpec kPllckselrFields[] = {
    {"PLLSRC", 0, 2}, {"DIVM1", 4, 6}, {"DIVM2", 12, 6}, {"DIVM3", 20, 6}};
constexpr FieldSpec kPllcfgrFields[] = {
    {"PLL1FRACEN", 0}, {"PLL1VCOSEL", 1}, {"PLL1RGE", 2, 2}, {"PLL2FRACEN", 4},  {"PLL2VCOSEL", 5},
    {"PLL2RGE", 6, 2}, {"PLL3FRACEN", 8}, {"PLL3VCOSEL", 9}, {"PLL3RGE", 10, 2}, {"DIVP1EN", 16},
    {"DIVQ1EN", 17},   {"DIVR1EN", 18},   {"DIVP2EN", 19},   {"DIVQ2EN", 20},    {"DIVR2EN", 21},
    {"DIVP3EN", 22},   {"DIVQ3EN", 23},   {"DIVR3EN", 24}};
constexpr FieldSpec kPlldivrFields[] = {
    {"DIVN", 0, 9}, {"DIVP", 9, 7}, {"DIVQ", 16, 7}, {"DIVR", 24, 7}};
constexpr FieldSpec kPllfracrFields[] = {{"FRACN", 3, 13}};
constexpr FieldSpec kAhb4enrFields[] = {
    {"GPIOAEN", 0}, {"GPIOBEN", 1}, {"GPIOCEN", 2}, {"GPIODEN", 3}, {"GPIOEEN", 4},
    {"GPIOFEN", 5}, {"GPIOGEN", 6}, {"GPIOHEN", 7}, {"GPIOJEN", 9}, {"GPIOKEN", 10},
    {"CRCEN", 19},  {"BDMAEN", 21}, {"ADC3EN", 24}, {"HSEMEN", 25}, {"BKPRAMEN", 28}};
constexpr FieldSpec kApb4enrFields[] = {
    {"SYSCFGEN", 1},  {"LPUART1EN", 3}, {"SPI6EN", 5},    {"I2C4EN", 7},    {"LPTIM2EN", 9},
    {"LPTIM3EN", 10}, {"LPTIM4EN", 11}, {"LPTIM5EN", 12}, {"COMP12EN", 14}, {"VREFEN", 15},
    {"RTCAPBEN", 16}, {"SAI4EN", 21},   {"DTSEN", 26}};

// RM0468 §8.7. Reset values: CR HSION with HSIRDY and HSIDIVF (live bits, derived on
// read; D1CKRDY/D2CKRDY also read 1 since both domains run); HSITRIM = 0x40 and CSITRIM =
// 0x20 with the factory calibration fields (HSICAL, CSICAL, HSI48CAL) reading 0 here;
// PLLCKSELR DIVMx = 32; PLLCFGR every DIVxyEN set; PLLxDIVR N = 129, P = Q = R = 2. The
// low-power enables (xxLPENR) reset with every implemented bit set.
constexpr RegisterSpec kRegisters[] = {
    {CR, "CR", 0x00000025, 0x150D129B, Access::ReadWrite, kCrFields},
    {HSICFGR, "HSICFGR", 0x40000000, 0x7F000000},
    {CRRCR, "CRRCR", 0x00000000, 0x00000000, Access::ReadOnly},
    {CSICFGR, "CSICFGR", 0x20000000, 0x3F000000},
    {CFGR, "CFGR", 0x00000000, 0xFFFFBFC7, Access::ReadWrite, kCfgrFields},  // SWS read-only
    {D1CFGR, "D1CFGR", 0x00000000, 0x00000F7F, Access::ReadWrite, kD1cfgrFields},
    {D2CFGR, "D2CFGR", 0x00000000, 0x00000770, Access::ReadWrite, kD2cfgrFields},
    {D3CFGR, "D3CFGR", 0x00000000, 0x00000070, Access::ReadWrite, kD3cfgrFields},
    {PLLCKSELR, "PLLCKSELR", 0x02020200, 0x03F3F3F3, Access::ReadWrite, kPllckselrFields},
    {PLLCFGR, "PLLCFGR", 0x01FF0000, 0x01FF0FFF, Access::ReadWrite, kPllcfgrFields},
    {PLL1DIVR, "PLL1DIVR", 0x01010280, 0x7F7FFFFF, Access::ReadWrite, kPlldivrFields},
    {PLL1FRACR, "PLL1FRACR", 0x00000000, 0x0000FFF8, Access::ReadWrite, kPllfracrFields},
    {PLL2DIVR, "PLL2DIVR", 0x01010280, 0x7F7FFFFF, Access::ReadWrite, kPlldivrFields},
    {PLL2FRACR, "PLL2FRACR", 0x00000000, 0x0000FFF8, Access::ReadWrite, kPllfracrFields},
    {PLL3DIVR, "PLL3DIVR", 0x01010280, 0x7F7FFFFF, Access::ReadWrite, kPlldivrFields},
    {PLL3FRACR, "PLL3FRACR", 0x00000000, 0x0000FFF8, Access::ReadWrite, kPllfracrFields},
    {D1CCIPR, "D1CCIPR", 0x00000000, 0x30010033},
    {D2CCIP1R, "D2CCIP1R", 0x00000000, 0xB1377007},
    {D2CCIP2R, "D2CCIP2R", 0x00000000, 0x70F0333F},
    {D3CCIPR, "D3CCIPR", 0x00000000, 0x77E3FF07},
    {CIER, "CIER", 0x00000000, 0x000003FF},
    {CIFR, "CIFR", 0x00000000, 0x00000000, Access::ReadOnly},
    {CICR, "CICR", 0x00000000, 0x000007FF, Access::WriteOnly},
    {BDCR, "BDCR", 0x00000000, 0x0001833D},
    {CSR, "CSR", 0x00000000, 0x00000001},
    {AHB3RSTR, "AHB3RSTR", 0x00000000, kAhb3 | bits({31})},  // bit 31: CPURST
    {AHB1RSTR, "AHB1RSTR", 0x00000000, kAhb1Rst},
    {AHB2RSTR, "AHB2RSTR", 0x00000000, kAhb2Rst},
    {AHB4RSTR, "AHB4RSTR", 0x00000000, kAhb4Rst},
    {APB3RSTR, "APB3RSTR", 0x00000000, bits({3})},
    {APB1LRSTR, "APB1LRSTR", 0x00000000, kApb1L},
    {APB1HRSTR, "APB1HRSTR", 0x00000000, kApb1H},
    {APB2RSTR, "APB2RSTR", 0x00000000, kApb2},
    {APB4RSTR, "APB4RSTR", 0x00000000, kApb4Rst},
    {GCR, "GCR", 0x00000000, 0x00000001},
    {D3AMR, "D3AMR", 0x00000000,
     bits({0, 3, 5, 7, 9, 10, 11, 12, 14, 15, 16, 19, 21, 24, 26, 28, 29})},
    {RSR, "RSR", h7rcc_rsr::POWER_ON, h7rcc_rsr::RMVF},
    {AHB3ENR, "AHB3ENR", 0x00000000, kAhb3},
    {AHB1ENR, "AHB1ENR", 0x00000000, kAhb1},
    {AHB2ENR, "AHB2ENR", 0x00000000, kAhb2},
    {AHB4ENR, "AHB4ENR", 0x00000000, kAhb4, Access::ReadWrite, kAhb4enrFields},
    {APB3ENR, "APB3ENR", 0x00000000, kApb3},
    {APB1LENR, "APB1LENR", 0x00000000, kApb1L},
    {APB1HENR, "APB1HENR", 0x00000000, kApb1H},
    {APB2ENR, "APB2ENR", 0x00000000, kApb2},
    {APB4ENR, "APB4ENR", 0x00000000, kApb4, Access::ReadWrite, kApb4enrFields},
    {AHB3LPENR, "AHB3LPENR", kAhb3 | bits({8, 28, 29, 30, 31}), kAhb3 | bits({8, 28, 29, 30, 31})},
    {AHB1LPENR, "AHB1LPENR", kAhb1, kAhb1},
    {AHB2LPENR, "AHB2LPENR", kAhb2, kAhb2},
    {AHB4LPENR, "AHB4LPENR", kAhb4Lp, kAhb4Lp},
    {APB3LPENR, "APB3LPENR", kApb3, kApb3},
    {APB1LLPENR, "APB1LLPENR", kApb1L, kApb1L},
    {APB1HLPENR, "APB1HLPENR", kApb1H, kApb1H},
    {APB2LPENR, "APB2LPENR", kApb2, kApb2},
    {APB4LPENR, "APB4LPENR", kApb4, kApb4},
};

constexpr Cycles kNever = EventQueue::kNever;
constexpr std::uint64_t kMHz = 1'000'000;

constexpr const char* kOscName[] = {"HSI",  "CSI",  "HSI48", "HSE", "PLL1",
                                    "PLL2", "PLL3", "LSI",   "LSE"};
constexpr const char* kSwName[] = {"HSI",    "CSI",    "HSE",    "PLL1",
                                   "SW=100", "SW=101", "SW=110", "SW=111"};
// CIER/CIFR bit per oscillator, in Osc order: HSI CSI HSI48 HSE PLL1 PLL2 PLL3 LSI LSE.
constexpr std::uint32_t kCirBit[] = {h7rcc_cir::HSIRDY,  h7rcc_cir::CSIRDY,  h7rcc_cir::HSI48RDY,
                                     h7rcc_cir::HSERDY,  h7rcc_cir::PLL1RDY, h7rcc_cir::PLL2RDY,
                                     h7rcc_cir::PLL3RDY, h7rcc_cir::LSIRDY,  h7rcc_cir::LSERDY};
constexpr std::uint32_t kPllOn[] = {h7rcc_cr::PLL1ON, h7rcc_cr::PLL2ON, h7rcc_cr::PLL3ON};
constexpr std::uint32_t kPllDivr[] = {PLL1DIVR, PLL2DIVR, PLL3DIVR};
constexpr std::uint32_t kPllFracr[] = {PLL1FRACR, PLL2FRACR, PLL3FRACR};

std::string mhz(std::uint64_t hz) {
    return fmt::format("{:g} MHz", static_cast<double>(hz) / 1e6);
}

std::uint32_t offsetOf(std::string_view registerName) {
    for (const auto& r : kRegisters) {
        if (r.name == registerName) return r.offset;
    }
    throw std::logic_error(fmt::format("RCC: no register named '{}'", registerName));
}

// D1CPRE / HPRE: 0xxx /1, 1000 /2, 1001 /4, 1010 /8, 1011 /16, 1100 /64, 1101 /128,
// 1110 /256, 1111 /512 (RM0468 §8.7 RCC_D1CFGR; there is no /32).
unsigned ahbDivider(std::uint32_t field) {
    static constexpr unsigned kDiv[] = {2, 4, 8, 16, 64, 128, 256, 512};
    return (field & 0x8u) != 0 ? kDiv[field & 0x7u] : 1;
}
// D1PPRE, D2PPRE1/2, D3PPRE: 0xx /1, 100 /2, 101 /4, 110 /8, 111 /16.
unsigned apbDivider(std::uint32_t field) {
    return (field & 0x4u) != 0 ? 2u << (field & 0x3u) : 1;
}
std::uint32_t field(std::uint32_t v, std::uint32_t mask, std::uint32_t shift) {
    return (v & mask) >> shift;
}

}  // namespace

Stm32h7Rcc::Stm32h7Rcc(PeripheralContext& ctx, std::uint64_t hseHz, std::uint64_t lseHz)
    : RegisterPeripheral("RCC", kBlockSize, ctx, kRegisters),
      hseHz_(hseHz),
      lseHz_(lseHz),
      swsEvent_("rcc.sws", [this](Cycles) { completeSwitch(); }),
      readyEvent_("rcc.ready", [this](Cycles) { deliverEvents(); }) {
    std::fill(std::begin(announced_), std::end(announced_), true);
    applied_ = clocks();
}

// ---- clock tree ------------------------------------------------------------------

Cycles Stm32h7Rcc::readyAt(Osc o) const {
    using namespace h7rcc_cr;
    const std::uint32_t cr = value(CR);
    switch (o) {
        case HSI:
            if ((cr & HSION) == 0) return kNever;
            return hsiReadyFromReset_ ? 0 : onAt_[HSI] + kHsiStartupCycles;
        case CSI:
            if ((cr & CSION) == 0) return kNever;
            return onAt_[CSI] + kCsiStartupCycles;
        case HSI48:
            if ((cr & HSI48ON) == 0) return kNever;
            return onAt_[HSI48] + kHsi48StartupCycles;
        case HSE:
            if ((cr & HSEON) == 0 || hseHz_ == 0) return kNever;
            return onAt_[HSE] + ((cr & HSEBYP) != 0 ? kHseBypassStartupCycles : kHseStartupCycles);
        case PLL1:
        case PLL2:
        case PLL3: {
            // A PLL locks a fixed time after it is on and its reference is ready. It has no
            // reference (never locks) with DIVMx = 0 or PLLSRC = none, and no VCO with a
            // DIVNx value RM0468 calls a wrong configuration (below x4).
            const unsigned pll = o - PLL1;
            const std::uint32_t sel = value(PLLCKSELR);
            const std::uint32_t src = sel & h7rcc_pllckselr::PLLSRC_MASK;
            const std::uint32_t m =
                field(sel, h7rcc_pllckselr::divmMask(pll), h7rcc_pllckselr::divmShift(pll));
            const std::uint32_t n = value(kPllDivr[pll]) & h7rcc_plldivr::N_MASK;
            if ((cr & kPllOn[pll]) == 0 || m == 0 || n < 3 || src == h7rcc_pllckselr::PLLSRC_NONE) {
                return kNever;
            }
            const Osc in = src == h7rcc_pllckselr::PLLSRC_HSI   ? HSI
                           : src == h7rcc_pllckselr::PLLSRC_CSI ? CSI
                                                                : HSE;
            const Cycles input = readyAt(in);
            if (input == kNever) return kNever;
            return std::max(onAt_[o], input) + kPllLockCycles;
        }
        case LSI:
            if ((value(CSR) & h7rcc_csr::LSION) == 0) return kNever;
            return onAt_[LSI] + kLsiStartupCycles;
        case LSE: {
            const std::uint32_t bdcr = value(BDCR);
            if ((bdcr & h7rcc_bdcr::LSEON) == 0 || lseHz_ == 0) return kNever;
            return onAt_[LSE] +
                   ((bdcr & h7rcc_bdcr::LSEBYP) != 0 ? kLseBypassStartupCycles : kLseStartupCycles);
        }
        case kOscCount:
            break;
    }
    return kNever;
}

std::uint64_t Stm32h7Rcc::hsiHz() const {
    const std::uint32_t requested = field(value(CR), h7rcc_cr::HSIDIV_MASK, h7rcc_cr::HSIDIV_SHIFT);
    return kHsiHz >> (hsiDividerSettled() ? requested : hsiDivApplied_);
}

std::uint64_t Stm32h7Rcc::pllSourceHz() const {
    switch (value(PLLCKSELR) & h7rcc_pllckselr::PLLSRC_MASK) {
        case h7rcc_pllckselr::PLLSRC_HSI:
            return hsiHz();
        case h7rcc_pllckselr::PLLSRC_CSI:
            return kCsiHz;
        case h7rcc_pllckselr::PLLSRC_HSE:
            return hseHz_;
        default:
            return 0;
    }
}

std::uint64_t Stm32h7Rcc::pllRefHz(unsigned pll) const {
    const std::uint32_t m =
        field(value(PLLCKSELR), h7rcc_pllckselr::divmMask(pll), h7rcc_pllckselr::divmShift(pll));
    return m == 0 ? 0 : pllSourceHz() / m;
}

// VCO = ref x (DIVN + 1 + FRACN / 2^13), the fraction only while PLLxFRACEN = 1 and as
// latched by its last 0 -> 1 transition (RM0468 §8.5, PLL description).
std::uint64_t Stm32h7Rcc::pllVcoHz(unsigned pll) const {
    const std::uint32_t sel = value(PLLCKSELR);
    const std::uint64_t m =
        field(sel, h7rcc_pllckselr::divmMask(pll), h7rcc_pllckselr::divmShift(pll));
    const std::uint64_t n = (value(kPllDivr[pll]) & h7rcc_plldivr::N_MASK) + 1;
    if (m == 0 || n < 4) return 0;
    const bool frac = (value(PLLCFGR) & h7rcc_pllcfgr::fracen(pll)) != 0;
    const std::uint64_t scaled = n * 8192 + (frac ? fracLatched_[pll] : 0);
    return pllSourceHz() * scaled / (m * 8192);
}

std::uint64_t Stm32h7Rcc::pllPHz(unsigned pll) const {
    return pllVcoHz(pll) /
           (field(value(kPllDivr[pll]), h7rcc_plldivr::P_MASK, h7rcc_plldivr::P_SHIFT) + 1);
}
std::uint64_t Stm32h7Rcc::pllQHz(unsigned pll) const {
    return pllVcoHz(pll) /
           (field(value(kPllDivr[pll]), h7rcc_plldivr::Q_MASK, h7rcc_plldivr::Q_SHIFT) + 1);
}
std::uint64_t Stm32h7Rcc::pllRHz(unsigned pll) const {
    return pllVcoHz(pll) /
           (field(value(kPllDivr[pll]), h7rcc_plldivr::R_MASK, h7rcc_plldivr::R_SHIFT) + 1);
}

std::uint64_t Stm32h7Rcc::clockOf(std::uint32_t sws) const {
    switch (sws) {
        case h7rcc_cfgr::SW_HSI:
            return hsiHz();
        case h7rcc_cfgr::SW_CSI:
            return kCsiHz;
        case h7rcc_cfgr::SW_HSE:
            return hseHz_;
        case h7rcc_cfgr::SW_PLL1:
            return (value(PLLCFGR) & h7rcc_pllcfgr::divpen(0)) != 0 ? pllPHz(0) : 0;
        default:
            return 0;
    }
}

Stm32h7Clocks Stm32h7Rcc::clocks() const {
    using namespace h7rcc_dcfgr;
    Stm32h7Clocks c;
    c.sys = clockOf(field(value(CFGR), h7rcc_cfgr::SWS_MASK, h7rcc_cfgr::SWS_SHIFT));
    const std::uint32_t d1 = value(D1CFGR);
    const std::uint32_t d2 = value(D2CFGR);
    c.cpu = c.sys / ahbDivider(field(d1, D1CPRE_MASK, D1CPRE_SHIFT));
    c.hclk = c.cpu / ahbDivider(field(d1, HPRE_MASK, HPRE_SHIFT));
    c.pclk3 = c.hclk / apbDivider(field(d1, D1PPRE_MASK, D1PPRE_SHIFT));
    c.pclk1 = c.hclk / apbDivider(field(d2, D2PPRE1_MASK, D2PPRE1_SHIFT));
    c.pclk2 = c.hclk / apbDivider(field(d2, D2PPRE2_MASK, D2PPRE2_SHIFT));
    c.pclk4 = c.hclk / apbDivider(field(value(D3CFGR), D3PPRE_MASK, D3PPRE_SHIFT));
    return c;
}

std::uint64_t Stm32h7Rcc::sysclkHz() const {
    return clocks().sys;
}
std::uint64_t Stm32h7Rcc::cpuClockHz() const {
    return clocks().cpu;
}
std::uint64_t Stm32h7Rcc::axiClockHz() const {
    return clocks().hclk;
}

bool Stm32h7Rcc::isGateEnabled(const ClockGate& gate) const {
    return ((value(offsetOf(gate.enableRegister)) >> gate.bit) & 1u) != 0;
}

bool Stm32h7Rcc::isHeldInReset(const ClockGate& gate) const {
    if (gate.resetRegister.empty()) return false;
    return ((value(offsetOf(gate.resetRegister)) >> gate.bit) & 1u) != 0;
}

// ---- register access -------------------------------------------------------------

std::uint32_t Stm32h7Rcc::onRead(const RegisterSpec& reg, std::uint32_t stored) {
    auto flag = [&](std::uint32_t bit, Osc o) { return isReady(o) ? bit : 0u; };
    switch (reg.offset) {
        case CR: {
            using namespace h7rcc_cr;
            const std::uint32_t live = HSIRDY | HSIDIVF | CSIRDY | HSI48RDY | D1CKRDY | D2CKRDY |
                                       HSERDY | PLL1RDY | PLL2RDY | PLL3RDY;
            // D1CKRDY/D2CKRDY: both domains always run here (no DStop/DStandby).
            return (stored & ~live) | flag(HSIRDY, HSI) | (hsiDividerSettled() ? HSIDIVF : 0u) |
                   flag(CSIRDY, CSI) | flag(HSI48RDY, HSI48) | D1CKRDY | D2CKRDY |
                   flag(HSERDY, HSE) | flag(PLL1RDY, PLL1) | flag(PLL2RDY, PLL2) |
                   flag(PLL3RDY, PLL3);
        }
        case CSR:
            return (stored & ~h7rcc_csr::LSIRDY) | flag(h7rcc_csr::LSIRDY, LSI);
        case BDCR:
            return (stored & ~h7rcc_bdcr::LSERDY) | flag(h7rcc_bdcr::LSERDY, LSE);
        case RSR:
            // RMVF = 1 holds the reset flags cleared (RM0468 §8.7 RCC_RSR).
            return (stored & h7rcc_rsr::RMVF) != 0 ? h7rcc_rsr::RMVF : stored;
        default:
            return stored;
    }
}

void Stm32h7Rcc::onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                         std::uint32_t written, std::uint32_t /*lanes*/) {
    switch (reg.offset) {
        case CR:
            writeCr(oldValue, newValue);
            break;
        case CFGR:
            writeCfgr(oldValue, newValue);
            break;
        case D1CFGR:
        case D2CFGR:
        case D3CFGR:
            // RM0468 §8.7: a new prescaler takes effect within a few cycles of the clock it
            // divides; cmsim applies it at once.
            applyClocks();
            break;
        case PLLCKSELR:
            writePllckselr(oldValue, newValue);
            break;
        case PLLCFGR:
            writePllcfgr(oldValue, newValue);
            break;
        case PLL1DIVR:
        case PLL2DIVR:
        case PLL3DIVR:
            writePlldivr((reg.offset - PLL1DIVR) / 8, reg.offset, oldValue, newValue);
            break;
        case PLL1FRACR:
        case PLL2FRACR:
        case PLL3FRACR:
            break;  // any time; used when PLLxFRACEN next goes 0 -> 1
        case CIER: {
            // Enabling a source that is already ready sets no flag (the flag marks the edge);
            // a flag still pending when its enable is set pends the interrupt again.
            const std::uint32_t newlyEnabled = newValue & ~oldValue;
            for (unsigned o = 0; o < kOscCount; ++o) {
                if ((newlyEnabled & kCirBit[o]) != 0 && isReady(static_cast<Osc>(o)))
                    announced_[o] = true;
            }
            if ((newlyEnabled & value(CIFR)) != 0) ctx().raiseIrq(kIrq);
            armEvents();
            break;
        }
        case CICR:
            writeCicr(written);
            break;
        case BDCR:
            writeBdcr(oldValue, newValue);
            break;
        case CSR:
            if ((newValue & ~oldValue & h7rcc_csr::LSION) != 0) onAt_[LSI] = ctx().time.now();
            armEvents();
            break;
        case RSR:
            writeRsr(newValue);
            break;
        case GCR:
            // WW1RSC: set by software, cleared only by a system reset.
            if ((oldValue & 1u) != 0) setValue(GCR, 1u);
            break;
        case AHB3RSTR:
        case AHB1RSTR:
        case AHB2RSTR:
        case AHB4RSTR:
        case APB3RSTR:
        case APB1LRSTR:
        case APB1HRSTR:
        case APB2RSTR:
        case APB4RSTR: {
            // Setting a bit resets the peripheral; it stays in reset until the bit is
            // cleared again (RM0468 §8.7, xxRSTR registers).
            const std::uint32_t rising = newValue & ~oldValue;
            if (reg.offset == AHB3RSTR && (rising & (1u << 31)) != 0) {
                ctx().diag.modelGapOnce("RCC:cpurst", name(),
                                        "AHB3RSTR.CPURST (CPU reset) is not modelled");
            }
            for (unsigned bit = 0; bit < 32; ++bit) {
                if ((rising >> bit & 1u) != 0 && peripheralReset_) peripheralReset_(reg.name, bit);
            }
            break;
        }
        default:
            break;  // ENR / LPENR / kernel clock selections: plain storage
    }
}

// RCC_CR (RM0468 §8.7).
void Stm32h7Rcc::writeCr(std::uint32_t oldValue, std::uint32_t newValue) {
    using namespace h7rcc_cr;
    std::uint32_t v = newValue;
    if ((oldValue & HSEON) != 0 && ((oldValue ^ v) & HSEBYP) != 0) {
        v = (v & ~HSEBYP) | (oldValue & HSEBYP);
        mistakeOnce("RCC:hsebyp",
                    "CR.HSEBYP changed while HSEON=1: ignored (RM0468 §8.7 RCC_CR: HSEBYP can be "
                    "written only when the HSE oscillator is disabled)");
    }
    // HSECSSON: set by software, cleared only by reset.
    v |= oldValue & HSECSSON;
    // HSIDIV cannot change while the HSI is the reference of an enabled PLL: the new value
    // is ignored (RM0468 §8.7 RCC_CR, HSIDIV).
    const bool hsiFeedsPll =
        (value(PLLCKSELR) & h7rcc_pllckselr::PLLSRC_MASK) == h7rcc_pllckselr::PLLSRC_HSI &&
        (oldValue & (PLL1ON | PLL2ON | PLL3ON)) != 0;
    if (((oldValue ^ v) & HSIDIV_MASK) != 0 && hsiFeedsPll) {
        v = (v & ~HSIDIV_MASK) | (oldValue & HSIDIV_MASK);
        mistakeOnce("RCC:hsidiv-pll",
                    "CR.HSIDIV changed while the HSI is the reference of an enabled PLL: ignored "
                    "(RM0468 §8.7 RCC_CR)");
    }
    // A clock used directly or through PLL1 as the system clock cannot be stopped.
    const std::uint32_t sws = field(value(CFGR), h7rcc_cfgr::SWS_MASK, h7rcc_cfgr::SWS_SHIFT);
    const bool viaPll = sws == h7rcc_cfgr::SW_PLL1;
    const std::uint32_t src = value(PLLCKSELR) & h7rcc_pllckselr::PLLSRC_MASK;
    auto keepOn = [&](std::uint32_t bit, bool inUse, const char* name, const char* osc) {
        if (!inUse || (v & bit) != 0) return;
        v |= bit;
        mistakeOnce(fmt::format("RCC:keep:{}", name),
                    fmt::format("CR.{} cleared while {} drives the system clock (SWS={}): "
                                "ignored, as on silicon (RM0468 §8.7 RCC_CR)",
                                name, osc, kSwName[sws]));
    };
    keepOn(HSION, sws == h7rcc_cfgr::SW_HSI || (viaPll && src == h7rcc_pllckselr::PLLSRC_HSI),
           "HSION", "the HSI");
    keepOn(CSION, sws == h7rcc_cfgr::SW_CSI || (viaPll && src == h7rcc_pllckselr::PLLSRC_CSI),
           "CSION", "the CSI");
    keepOn(HSEON, sws == h7rcc_cfgr::SW_HSE || (viaPll && src == h7rcc_pllckselr::PLLSRC_HSE),
           "HSEON", "the HSE");
    keepOn(PLL1ON, viaPll, "PLL1ON", "PLL1");
    setValue(CR, v);

    const Cycles now = ctx().time.now();
    const std::uint32_t rising = v & ~oldValue;
    if (((oldValue ^ v) & HSIDIV_MASK) != 0) {
        // HSIDIVF drops until the new ratio is in effect.
        if (hsiDividerSettled()) hsiDivApplied_ = field(oldValue, HSIDIV_MASK, HSIDIV_SHIFT);
        hsiDivReadyAt_ = now + kHsiDivCycles;
    }
    if ((rising & HSION) != 0) {
        onAt_[HSI] = now;
        hsiReadyFromReset_ = false;
    }
    if ((rising & CSION) != 0) onAt_[CSI] = now;
    if ((rising & HSI48ON) != 0) onAt_[HSI48] = now;
    if ((rising & HSEON) != 0) {
        onAt_[HSE] = now;
        checkHse();
    }
    for (unsigned pll = 0; pll < 3; ++pll) {
        if ((rising & kPllOn[pll]) != 0) {
            onAt_[pllOsc(pll)] = now;
            checkPll(pll);
        }
    }
    scheduleSwitch(false);
    applyClocks();  // HSIDIV may have moved the HSI-based clocks
    armEvents();
}

// RCC_PLLCKSELR: PLLSRC only while every PLL is off, DIVMx only while PLLx is off.
void Stm32h7Rcc::writePllckselr(std::uint32_t oldValue, std::uint32_t newValue) {
    using namespace h7rcc_pllckselr;
    const std::uint32_t cr = value(CR);
    std::uint32_t frozen = 0;
    if ((cr & (kPllOn[0] | kPllOn[1] | kPllOn[2])) != 0) frozen |= PLLSRC_MASK;
    for (unsigned pll = 0; pll < 3; ++pll) {
        if ((cr & kPllOn[pll]) != 0) frozen |= divmMask(pll);
    }
    if (((oldValue ^ newValue) & frozen) == 0) return;
    setValue(PLLCKSELR, (newValue & ~frozen) | (oldValue & frozen));
    mistakeOnce("RCC:pllckselr-on",
                "PLLCKSELR written while a PLL it configures is on: change ignored (RM0468 §8.7 "
                "RCC_PLLCKSELR: PLLSRC only with all PLLs disabled, DIVMx only with PLLx "
                "disabled)");
}

// RCC_PLLCFGR: PLLxVCOSEL and PLLxRGE only while PLLx is off; PLLxFRACEN 0 -> 1 latches
// FRACNx into the sigma-delta modulator.
void Stm32h7Rcc::writePllcfgr(std::uint32_t oldValue, std::uint32_t newValue) {
    using namespace h7rcc_pllcfgr;
    const std::uint32_t cr = value(CR);
    std::uint32_t frozen = 0;
    for (unsigned pll = 0; pll < 3; ++pll) {
        if ((cr & kPllOn[pll]) != 0) frozen |= vcosel(pll) | rgeMask(pll);
    }
    std::uint32_t v = newValue;
    if (((oldValue ^ v) & frozen) != 0) {
        v = (v & ~frozen) | (oldValue & frozen);
        setValue(PLLCFGR, v);
        mistakeOnce("RCC:pllcfgr-on",
                    "PLLCFGR.PLLxVCOSEL/PLLxRGE written while PLLx is on: change ignored (RM0468 "
                    "§8.7 RCC_PLLCFGR)");
    }
    bool changed = false;
    for (unsigned pll = 0; pll < 3; ++pll) {
        if ((v & ~oldValue & fracen(pll)) != 0) {
            fracLatched_[pll] =
                field(value(kPllFracr[pll]), h7rcc_plldivr::FRACN_MASK, h7rcc_plldivr::FRACN_SHIFT);
            changed = true;
        }
        if (((v ^ oldValue) & fracen(pll)) != 0) changed = true;
    }
    if ((oldValue ^ v) & divpen(0)) changed = true;
    if (changed) applyClocks();
}

// RCC_PLLxDIVR: only while PLLx is off.
void Stm32h7Rcc::writePlldivr(unsigned pll, std::uint32_t offset, std::uint32_t oldValue,
                              std::uint32_t newValue) {
    if ((value(CR) & kPllOn[pll]) == 0 || oldValue == newValue) return;
    setValue(offset, oldValue);
    mistakeOnce(fmt::format("RCC:plldivr-on:{}", pll + 1),
                fmt::format("PLL{}DIVR written while PLL{}ON=1: ignored (RM0468 §8.7 "
                            "RCC_PLL{}DIVR: configure the dividers only while the PLL is disabled)",
                            pll + 1, pll + 1, pll + 1));
}

// RCC_CFGR.
void Stm32h7Rcc::writeCfgr(std::uint32_t oldValue, std::uint32_t newValue) {
    const std::uint32_t sw = newValue & h7rcc_cfgr::SW_MASK;
    const bool swChanged = ((oldValue ^ newValue) & h7rcc_cfgr::SW_MASK) != 0;
    if (swChanged && sw == h7rcc_cfgr::SW_PLL1) checkPll(0);
    scheduleSwitch(swChanged);
}

void Stm32h7Rcc::writeCicr(std::uint32_t written) {
    setValue(CICR, 0);
    setValue(CIFR, value(CIFR) & ~(written & 0x7FFu));
}

// RCC_BDCR (backup domain: kept across system resets, DBP-protected).
void Stm32h7Rcc::writeBdcr(std::uint32_t oldValue, std::uint32_t newValue) {
    using namespace h7rcc_bdcr;
    if (backupWritable_ && !backupWritable_()) {
        setValue(BDCR, oldValue);
        if (oldValue != newValue) {
            mistakeOnce("RCC:bdcr-dbp",
                        "BDCR write ignored: the backup domain is write-protected (set "
                        "PWR_CR1.DBP first, RM0468 §6.8 PWR_CR1)");
        }
        return;
    }
    std::uint32_t v = newValue;
    if ((oldValue & LSEON) != 0 && ((oldValue ^ v) & LSEBYP) != 0) {
        v = (v & ~LSEBYP) | (oldValue & LSEBYP);
        mistakeOnce("RCC:lsebyp",
                    "BDCR.LSEBYP changed while LSEON=1: ignored (RM0468 §8.7 RCC_BDCR: LSEBYP can "
                    "be written only when the LSE is disabled)");
    }
    if ((oldValue & RTCSEL_MASK) != 0 && ((oldValue ^ v) & RTCSEL_MASK) != 0) {
        v = (v & ~RTCSEL_MASK) | (oldValue & RTCSEL_MASK);
        mistakeOnce("RCC:rtcsel",
                    "BDCR.RTCSEL changed after the RTC clock was selected: ignored (RM0468 §8.7 "
                    "RCC_BDCR: only a backup domain reset (BDRST) allows a new selection)");
    }
    if ((v & BDRST) != 0) {
        v = BDRST;  // the whole backup domain is held in reset while BDRST=1
        if ((oldValue & BDRST) == 0 && peripheralReset_) peripheralReset_("BDCR", 16);
    }
    setValue(BDCR, v);
    backupDomain_ = v;
    if ((v & ~oldValue & LSEON) != 0) {
        onAt_[LSE] = ctx().time.now();
        if (lseHz_ == 0) {
            mistakeOnce("RCC:lse-none",
                        "BDCR.LSEON=1 but the board has no LSE crystal: LSERDY will never set");
        }
    }
    armEvents();
}

// RCC_RSR: RMVF = 1 clears the reset flags (and holds them cleared until RMVF = 0).
void Stm32h7Rcc::writeRsr(std::uint32_t newValue) {
    if ((newValue & h7rcc_rsr::RMVF) != 0) setValue(RSR, h7rcc_rsr::RMVF);
}

// ---- checks ----------------------------------------------------------------------

void Stm32h7Rcc::mistakeOnce(std::string key, std::string message) {
    ctx().diag.firmwareMistakeOnce(key, name(), std::move(message));
}

// HSE: crystal or external clock 4-50 MHz (RM0468 §8.5; STM32H723 datasheet).
void Stm32h7Rcc::checkHse() {
    if (hseHz_ == 0) {
        mistakeOnce("RCC:hse-none",
                    "CR.HSEON=1 but the board has no HSE clock: HSERDY will never set");
        return;
    }
    if (hseHz_ < 4 * kMHz || hseHz_ > 50 * kMHz) {
        mistakeOnce(
            "RCC:hse-range",
            fmt::format("board HSE {} is outside the 4..50 MHz range (RM0468 §8.5)", mhz(hseHz_)));
    }
}

// RM0468 §8.5 (PLLs) and §8.7 (RCC_PLLCKSELR, RCC_PLLCFGR, RCC_PLLxDIVR):
//   DIVMx 1..63 (0 disables the reference); the reference ref = source / DIVMx must lie in
//   1..16 MHz and in the band PLLxRGE declares (1-2, 2-4, 4-8, 8-16 MHz); DIVNx x4..x512;
//   the wide VCO (PLLxVCOSEL = 0, 192..836 MHz) needs ref >= 2 MHz, the medium VCO
//   (PLLxVCOSEL = 1) runs at 150..420 MHz; DIVP1 may divide by 1 or by an even number only.
void Stm32h7Rcc::checkPll(unsigned pll) {
    using namespace h7rcc_pllcfgr;
    const unsigned n1 = pll + 1;
    auto bad = [&](const std::string& msg) { mistakeOnce(fmt::format("RCC:pll:{}", msg), msg); };
    const std::uint32_t sel = value(PLLCKSELR);
    const std::uint32_t cfg = value(PLLCFGR);
    const std::uint32_t divr = value(kPllDivr[pll]);
    const std::uint32_t m =
        field(sel, h7rcc_pllckselr::divmMask(pll), h7rcc_pllckselr::divmShift(pll));
    const std::uint32_t nReg = divr & h7rcc_plldivr::N_MASK;
    const std::uint32_t pReg = field(divr, h7rcc_plldivr::P_MASK, h7rcc_plldivr::P_SHIFT);
    if ((sel & h7rcc_pllckselr::PLLSRC_MASK) == h7rcc_pllckselr::PLLSRC_NONE) {
        bad(fmt::format("PLL{} enabled with PLLCKSELR.PLLSRC=11 (no clock): it will never lock",
                        n1));
        return;
    }
    if (m == 0) {
        bad(
            fmt::format("PLL{} enabled with PLLCKSELR.DIVM{}=0 (prescaler disabled): it will never "
                        "lock (RM0468 §8.7 RCC_PLLCKSELR)",
                        n1, n1));
        return;
    }
    if (nReg < 3) {
        bad(
            fmt::format("PLL{}DIVR.DIVN{}={} is a wrong configuration (x4..x512, RM0468 §8.7 "
                        "RCC_PLL{}DIVR): the PLL will not lock",
                        n1, n1, nReg, n1));
    }
    if (pll == 0 && pReg != 0 && (pReg & 1u) == 0) {
        bad(fmt::format(
            "PLL1DIVR.DIVP1={} (divide by {}) is not allowed: PLL1 P divides by 1 or by "
            "an even number (RM0468 §8.7 RCC_PLL1DIVR)",
            pReg, pReg + 1));
    }
    const std::uint64_t ref = pllRefHz(pll);
    if (ref == 0) return;
    if (ref < 1 * kMHz || ref > 16 * kMHz) {
        bad(fmt::format("PLL{} reference {} / DIVM{}={} = {} is outside 1..16 MHz (RM0468 §8.5)",
                        n1, mhz(pllSourceHz()), n1, m, mhz(ref)));
    } else {
        static constexpr std::uint64_t kLo[] = {1, 2, 4, 8};
        const std::uint32_t rge = field(cfg, rgeMask(pll), rgeShift(pll));
        if (ref < kLo[rge] * kMHz || ref > 2 * kLo[rge] * kMHz) {
            bad(fmt::format(
                "PLL{} reference {} does not match PLLCFGR.PLL{}RGE={} ({}..{} MHz, RM0468 "
                "§8.7 RCC_PLLCFGR)",
                n1, mhz(ref), n1, rge, kLo[rge], 2 * kLo[rge]));
        }
    }
    const bool medium = (cfg & vcosel(pll)) != 0;
    if (!medium && ref < 2 * kMHz) {
        bad(fmt::format(
            "PLL{} wide VCO (PLL{}VCOSEL=0) with a {} reference: it needs at least 2 MHz "
            "(RM0468 §8.7 RCC_PLLCFGR)",
            n1, n1, mhz(ref)));
    }
    const std::uint64_t vco = pllVcoHz(pll);
    const std::uint64_t lo = medium ? 150 * kMHz : 192 * kMHz;
    const std::uint64_t hi = medium ? 420 * kMHz : 836 * kMHz;
    if (vco != 0 && (vco < lo || vco > hi)) {
        bad(fmt::format("PLL{} VCO {} is outside the {} range {}..{} (RM0468 §8.7 RCC_PLLCFGR)", n1,
                        mhz(vco), medium ? "medium VCO" : "wide VCO", mhz(lo), mhz(hi)));
    }
}

// ---- system clock switch ---------------------------------------------------------
// "The system clock switch occurs only when the target clock source is ready": SWS follows
// SW kSwitchCycles after SW was written and the target is ready. A target that is off
// never becomes ready: reported, the system clock stays.

void Stm32h7Rcc::scheduleSwitch(bool restart) {
    using namespace h7rcc_cfgr;
    const std::uint32_t cfgr = value(CFGR);
    const std::uint32_t sw = cfgr & SW_MASK;
    const std::uint32_t sws = field(cfgr, SWS_MASK, SWS_SHIFT);
    if (sw == sws) {
        ctx().events.deschedule(swsEvent_);
        return;
    }
    if (sw > SW_PLL1) {
        ctx().events.deschedule(swsEvent_);
        mistakeOnce(
            fmt::format("RCC:sw{}", sw),
            fmt::format("CFGR.SW={:03b} is reserved (RM0468 §8.7 RCC_CFGR): the system clock "
                        "stays on {}",
                        sw, kSwName[sws]));
        return;
    }
    if (sw == SW_PLL1 && (value(PLLCFGR) & h7rcc_pllcfgr::divpen(0)) == 0) {
        ctx().events.deschedule(swsEvent_);
        mistakeOnce("RCC:sw-divp1en",
                    fmt::format("CFGR.SW selects PLL1 but PLLCFGR.DIVP1EN=0 (pll1_p_ck disabled): "
                                "the system clock stays on {}",
                                kSwName[sws]));
        return;
    }
    static constexpr Osc kTarget[] = {HSI, CSI, HSE, PLL1};
    const Osc target = kTarget[sw];
    const Cycles ready = readyAt(target);
    if (ready == kNever) {
        ctx().events.deschedule(swsEvent_);
        mistakeOnce(
            fmt::format("RCC:sw-off:{}", kOscName[target]),
            fmt::format("CFGR.SW selects {} but it is off or cannot start: the system clock "
                        "stays on {} (RM0468 §8.5: the switch waits until the source is "
                        "ready)",
                        kOscName[target], kSwName[sws]));
        return;
    }
    if (swsEvent_.isScheduled() && !restart) return;  // completeSwitch() re-checks readiness
    ctx().events.schedule(swsEvent_, std::max(ctx().time.now(), ready) + kSwitchCycles);
}

void Stm32h7Rcc::completeSwitch() {
    using namespace h7rcc_cfgr;
    static constexpr Osc kTarget[] = {HSI, CSI, HSE, PLL1};
    const std::uint32_t cfgr = value(CFGR);
    const std::uint32_t sw = cfgr & SW_MASK;
    if (sw > SW_PLL1 || sw == field(cfgr, SWS_MASK, SWS_SHIFT)) return;
    if (!isReady(kTarget[sw])) {
        scheduleSwitch(true);
        return;
    }
    setValue(CFGR, (cfgr & ~SWS_MASK) | (sw << SWS_SHIFT));
    applyClocks();
}

void Stm32h7Rcc::applyClocks() {
    const Stm32h7Clocks c = clocks();
    auto& time = ctx().time;
    if (c.cpu != 0 && c.cpu != time.cpuHz()) {
        time.setCpuHz(c.cpu);
        ctx().signals.clocks.publish(ClockChange{time.now(), time.nowPicoseconds(), c.cpu});
    }
    if (c == applied_) return;
    applied_ = c;
    for (const auto& l : clockListeners_) l(c);
}

// ---- ready interrupts and the HSIDIV settling ------------------------------------

void Stm32h7Rcc::armEvents() {
    const std::uint32_t enabled = value(CIER);
    Cycles next = kNever;
    for (unsigned i = 0; i < kOscCount; ++i) {
        const auto o = static_cast<Osc>(i);
        if (!isReady(o)) announced_[i] = false;  // its next ready edge is still to come
        if (!announced_[i] && (enabled & kCirBit[i]) != 0) next = std::min(next, readyAt(o));
    }
    const std::uint32_t requested = field(value(CR), h7rcc_cr::HSIDIV_MASK, h7rcc_cr::HSIDIV_SHIFT);
    if (!hsiDividerSettled() && requested != hsiDivApplied_) {
        next = std::min(next, hsiDivReadyAt_);
    }
    if (next == kNever) {
        ctx().events.deschedule(readyEvent_);
    } else if (!readyEvent_.isScheduled() || readyEvent_.due() != next) {
        ctx().events.schedule(readyEvent_, next);
    }
}

void Stm32h7Rcc::deliverEvents() {
    std::uint32_t cifr = value(CIFR);
    const std::uint32_t enabled = value(CIER);
    bool raise = false;
    for (unsigned i = 0; i < kOscCount; ++i) {
        if (announced_[i] || !isReady(static_cast<Osc>(i))) continue;
        announced_[i] = true;
        if ((enabled & kCirBit[i]) != 0) {
            cifr |= kCirBit[i];
            raise = true;
        }
    }
    setValue(CIFR, cifr);
    if (raise) ctx().raiseIrq(kIrq);
    const std::uint32_t requested = field(value(CR), h7rcc_cr::HSIDIV_MASK, h7rcc_cr::HSIDIV_SHIFT);
    if (hsiDividerSettled() && requested != hsiDivApplied_) {
        hsiDivApplied_ = requested;
        applyClocks();
    }
    armEvents();
}

// ---- reset -----------------------------------------------------------------------

void Stm32h7Rcc::onReset() {
    // A system reset restarts the clock tree on the HSI (already running: HSIRDY = 1) but
    // leaves the backup domain (BDCR, the LSE) alone (RM0468 §8.4). RSR goes back to its
    // power-on value: cmsim does not tell reset causes apart.
    setValue(BDCR, backupDomain_);
    for (unsigned i = 0; i < kOscCount; ++i) {
        if (i != LSE) {
            onAt_[i] = 0;
            announced_[i] = true;
        }
    }
    hsiReadyFromReset_ = true;
    hsiDivApplied_ = 0;
    hsiDivReadyAt_ = 0;
    std::fill(std::begin(fracLatched_), std::end(fracLatched_), 0u);
    ctx().events.deschedule(swsEvent_);
    ctx().events.deschedule(readyEvent_);
    applyClocks();
    armEvents();
}

}  // namespace cmsim
