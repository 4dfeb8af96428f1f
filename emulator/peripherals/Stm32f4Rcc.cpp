#include "Stm32f4Rcc.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace cmsim {

namespace {

using namespace rcc_reg;

// RM0090 §7.3 (F405/407 register descriptions). Writable masks leave out reserved bits,
// read-only flags and the bits that exist only on STM32F42x/43x (SAI, LTDC, GPIOJ/K,
// UART7/8, SPI4-6, DMA2D, PLLSAI, ...). CR.HSICAL is factory calibration: 0 here.
// Field tables for the mmio trace (RM0090 §7.3.1-§7.3.3, §7.3.10, §7.3.13).
constexpr FieldSpec kCrFields[] = {
    {"HSION", 0}, {"HSIRDY", 1}, {"HSEON", 16}, {"HSERDY", 17}, {"HSEBYP", 18}, {"CSSON", 19},
    {"PLLON", 24}, {"PLLRDY", 25}, {"PLLI2SON", 26}, {"PLLI2SRDY", 27}};
constexpr FieldSpec kPllcfgrFields[] = {
    {"PLLM", 0, 6}, {"PLLN", 6, 9}, {"PLLP", 16, 2}, {"PLLSRC", 22}, {"PLLQ", 24, 4}};
constexpr FieldSpec kCfgrFields[] = {{"SW", 0, 2},     {"SWS", 2, 2},     {"HPRE", 4, 4},
                                     {"PPRE1", 10, 3}, {"PPRE2", 13, 3},  {"RTCPRE", 16, 5},
                                     {"MCO1", 21, 2},  {"MCO1PRE", 24, 3}, {"MCO2PRE", 27, 3},
                                     {"MCO2", 30, 2}};
constexpr FieldSpec kAhb1enrFields[] = {
    {"GPIOAEN", 0},  {"GPIOBEN", 1},  {"GPIOCEN", 2},   {"GPIODEN", 3},       {"GPIOEEN", 4},
    {"GPIOFEN", 5},  {"GPIOGEN", 6},  {"GPIOHEN", 7},   {"GPIOIEN", 8},       {"CRCEN", 12},
    {"BKPSRAMEN", 18}, {"CCMDATARAMEN", 20}, {"DMA1EN", 21}, {"DMA2EN", 22}, {"ETHMACEN", 25},
    {"OTGHSEN", 29}};
constexpr FieldSpec kApb1enrFields[] = {
    {"TIM2EN", 0},    {"TIM3EN", 1},    {"TIM4EN", 2},    {"TIM5EN", 3},   {"TIM6EN", 4},
    {"TIM7EN", 5},    {"WWDGEN", 11},   {"SPI2EN", 14},   {"SPI3EN", 15},  {"USART2EN", 17},
    {"USART3EN", 18}, {"UART4EN", 19},  {"UART5EN", 20},  {"I2C1EN", 21},  {"I2C2EN", 22},
    {"I2C3EN", 23},   {"CAN1EN", 25},   {"CAN2EN", 26},   {"PWREN", 28},   {"DACEN", 29}};

constexpr RegisterSpec kRegisters[] = {
    {CR, "CR", 0x00000083, 0x050D00F9, Access::ReadWrite, kCrFields},  // §7.3.1: HSION, HSIRDY, HSITRIM=16
    {PLLCFGR, "PLLCFGR", 0x24003010, 0x0F437FFF, Access::ReadWrite, kPllcfgrFields},  // §7.3.2: M=16 N=192 P=2 Q=4, bit 29 = 1
    {CFGR, "CFGR", 0x00000000, 0xFFFFFCF3, Access::ReadWrite, kCfgrFields},  // §7.3.3: SWS (3:2) is read-only
    {CIR, "CIR", 0x00000000, 0x00BF3F00},                // §7.3.4: enables + clear bits
    {AHB1RSTR, "AHB1RSTR", 0x00000000, 0x226011FF},      // §7.3.5
    {AHB2RSTR, "AHB2RSTR", 0x00000000, 0x000000F1},      // §7.3.6
    {AHB3RSTR, "AHB3RSTR", 0x00000000, 0x00000001},      // §7.3.7
    {APB1RSTR, "APB1RSTR", 0x00000000, 0x36FEC9FF},      // §7.3.8
    {APB2RSTR, "APB2RSTR", 0x00000000, 0x00075933},      // §7.3.9
    {AHB1ENR, "AHB1ENR", 0x00100000, 0x7E7411FF, Access::ReadWrite, kAhb1enrFields},  // §7.3.10: CCMDATARAMEN set
    {AHB2ENR, "AHB2ENR", 0x00000000, 0x000000F1},        // §7.3.11
    {AHB3ENR, "AHB3ENR", 0x00000000, 0x00000001},        // §7.3.12
    {APB1ENR, "APB1ENR", 0x00000000, 0x36FEC9FF, Access::ReadWrite, kApb1enrFields},  // §7.3.13
    {APB2ENR, "APB2ENR", 0x00000000, 0x00075F33},        // §7.3.14
    {AHB1LPENR, "AHB1LPENR", 0x7E6791FF, 0x7E6791FF},    // §7.3.15
    {AHB2LPENR, "AHB2LPENR", 0x000000F1, 0x000000F1},    // §7.3.16
    {AHB3LPENR, "AHB3LPENR", 0x00000001, 0x00000001},    // §7.3.17
    {APB1LPENR, "APB1LPENR", 0x36FEC9FF, 0x36FEC9FF},    // §7.3.18
    {APB2LPENR, "APB2LPENR", 0x00075F33, 0x00075F33},    // §7.3.19
    {BDCR, "BDCR", 0x00000000, 0x00018305},              // §7.3.20
    {CSR, "CSR", 0x0E000000, 0x01000001},                // §7.3.21: POR, PIN, BOR flags
    {SSCGR, "SSCGR", 0x00000000, 0xCFFFFFFF},            // §7.3.22
    {PLLI2SCFGR, "PLLI2SCFGR", 0x20003000, 0x70007FC0},  // §7.3.23: N=192 R=2
};

constexpr Cycles kNever = EventQueue::kNever;
constexpr std::uint64_t kMHz = 1'000'000;
constexpr std::uint64_t kMaxHclk = 168 * kMHz;    // RM0090 §7.2 / DS8626
constexpr std::uint64_t kMaxPclk1 = 42 * kMHz;    // §7.3.3 PPRE1
constexpr std::uint64_t kMaxPclk2 = 84 * kMHz;    // §7.3.3 PPRE2
constexpr std::uint64_t kMaxPllOut = 168 * kMHz;  // §7.3.2 PLLP
constexpr std::uint64_t kMaxI2sClk = 192 * kMHz;  // §7.3.23 PLLI2SR

constexpr const char* kOscName[] = {"HSI", "HSE", "PLL", "PLLI2S", "LSI", "LSE"};
constexpr const char* kSwName[] = {"HSI", "HSE", "PLL", "SW=11"};
// CIR flag bit per oscillator (RM0090 §7.3.4), in Osc order: HSI HSE PLL PLLI2S LSI LSE.
constexpr std::uint32_t kCirFlag[] = {rcc_cir::HSIRDYF,    rcc_cir::HSERDYF, rcc_cir::PLLRDYF,
                                      rcc_cir::PLLI2SRDYF, rcc_cir::LSIRDYF, rcc_cir::LSERDYF};

std::string mhz(std::uint64_t hz) {
    return fmt::format("{:g} MHz", static_cast<double>(hz) / 1e6);
}

std::uint32_t offsetOf(std::string_view registerName) {
    for (const auto& r : kRegisters) {
        if (r.name == registerName) return r.offset;
    }
    throw std::logic_error(fmt::format("RCC: no register named '{}'", registerName));
}

// HPRE / PPREx decoding, RM0090 §7.3.3.
unsigned ahbDivider(std::uint32_t hpre) {
    static constexpr unsigned kDiv[] = {2, 4, 8, 16, 64, 128, 256, 512};
    return (hpre & 0x8u) != 0 ? kDiv[hpre & 0x7u] : 1;
}
unsigned apbDivider(std::uint32_t ppre) {
    return (ppre & 0x4u) != 0 ? 2u << (ppre & 0x3u) : 1;
}

}  // namespace

Stm32f4Rcc::Stm32f4Rcc(PeripheralContext& ctx, std::uint64_t hseHz, std::uint64_t lseHz)
    : RegisterPeripheral("RCC", kBlockSize, ctx, kRegisters),
      hseHz_(hseHz),
      lseHz_(lseHz),
      swsEvent_("rcc.sws", [this](Cycles) { completeSwitch(); }),
      readyEvent_("rcc.ready", [this](Cycles) { deliverReadyInterrupts(); }) {
    std::fill(std::begin(announced_), std::end(announced_), true);
}

// ---- clock tree ------------------------------------------------------------------

Cycles Stm32f4Rcc::readyAt(Osc o) const {
    using namespace rcc_cr;
    const std::uint32_t cr = value(CR);
    switch (o) {
        case HSI:
            if ((cr & HSION) == 0) return kNever;
            return hsiReadyFromReset_ ? 0 : onAt_[HSI] + kHsiStartupCycles;
        case HSE:
            if ((cr & HSEON) == 0 || hseHz_ == 0) return kNever;
            return onAt_[HSE] + ((cr & HSEBYP) != 0 ? kHseBypassStartupCycles : kHseStartupCycles);
        case PLL:
        case PLLI2S: {
            // A PLL locks a fixed time after both it is on and its input clock is ready;
            // it has no output (never locks) with PLLM=0 or PLLN=0.
            const std::uint32_t cfg = value(PLLCFGR);
            const bool main = o == PLL;
            const std::uint32_t n = main ? (cfg & rcc_pllcfgr::PLLN_MASK) >> rcc_pllcfgr::PLLN_SHIFT
                                         : (value(PLLI2SCFGR) & rcc_plli2scfgr::PLLI2SN_MASK) >>
                                               rcc_plli2scfgr::PLLI2SN_SHIFT;
            if ((cr & (main ? PLLON : PLLI2SON)) == 0 || (cfg & rcc_pllcfgr::PLLM_MASK) == 0 ||
                n == 0) {
                return kNever;
            }
            const Cycles input = readyAt((cfg & rcc_pllcfgr::PLLSRC) != 0 ? HSE : HSI);
            if (input == kNever) return kNever;
            return std::max(onAt_[o], input) + (main ? kPllLockCycles : kPllI2sLockCycles);
        }
        case LSI:
            if ((value(CSR) & rcc_csr::LSION) == 0) return kNever;
            return onAt_[LSI] + kLsiStartupCycles;
        case LSE: {
            const std::uint32_t bdcr = value(BDCR);
            if ((bdcr & rcc_bdcr::LSEON) == 0 || lseHz_ == 0) return kNever;
            return onAt_[LSE] +
                   ((bdcr & rcc_bdcr::LSEBYP) != 0 ? kLseBypassStartupCycles : kLseStartupCycles);
        }
        case kOscCount:
            break;
    }
    return kNever;
}

std::uint64_t Stm32f4Rcc::pllInputHz() const {
    return (value(PLLCFGR) & rcc_pllcfgr::PLLSRC) != 0 ? hseHz_ : kHsiHz;
}

std::uint64_t Stm32f4Rcc::pllOutputHz() const {
    using namespace rcc_pllcfgr;
    const std::uint32_t cfg = value(PLLCFGR);
    const std::uint64_t m = cfg & PLLM_MASK;
    const std::uint64_t n = (cfg & PLLN_MASK) >> PLLN_SHIFT;
    const std::uint64_t p = 2 * (((cfg & PLLP_MASK) >> PLLP_SHIFT) + 1);  // 2, 4, 6, 8
    return m == 0 ? 0 : pllInputHz() * n / (m * p);
}

std::uint64_t Stm32f4Rcc::pll48Hz() const {
    using namespace rcc_pllcfgr;
    const std::uint32_t cfg = value(PLLCFGR);
    const std::uint64_t m = cfg & PLLM_MASK;
    const std::uint64_t n = (cfg & PLLN_MASK) >> PLLN_SHIFT;
    const std::uint64_t q = (cfg & PLLQ_MASK) >> PLLQ_SHIFT;
    return m == 0 || q == 0 ? 0 : pllInputHz() * n / (m * q);
}

std::uint64_t Stm32f4Rcc::plli2sHz() const {
    using namespace rcc_plli2scfgr;
    const std::uint32_t cfg = value(PLLI2SCFGR);
    const std::uint64_t m = value(PLLCFGR) & rcc_pllcfgr::PLLM_MASK;  // shared with the PLL
    const std::uint64_t n = (cfg & PLLI2SN_MASK) >> PLLI2SN_SHIFT;
    const std::uint64_t r = (cfg & PLLI2SR_MASK) >> PLLI2SR_SHIFT;
    return m == 0 || r == 0 ? 0 : pllInputHz() * n / (m * r);
}

std::uint64_t Stm32f4Rcc::clockOf(std::uint32_t sws) const {
    switch (sws) {
        case rcc_cfgr::SW_HSI:
            return kHsiHz;
        case rcc_cfgr::SW_HSE:
            return hseHz_;
        case rcc_cfgr::SW_PLL:
            return pllOutputHz();
        default:
            return 0;
    }
}

std::uint64_t Stm32f4Rcc::sysclkHz() const {
    return clockOf((value(CFGR) & rcc_cfgr::SWS_MASK) >> rcc_cfgr::SWS_SHIFT);
}

std::uint64_t Stm32f4Rcc::hclkHz() const {
    return sysclkHz() / ahbDivider((value(CFGR) & rcc_cfgr::HPRE_MASK) >> rcc_cfgr::HPRE_SHIFT);
}

std::uint64_t Stm32f4Rcc::pclk1Hz() const {
    return hclkHz() / apbDivider((value(CFGR) & rcc_cfgr::PPRE1_MASK) >> rcc_cfgr::PPRE1_SHIFT);
}

std::uint64_t Stm32f4Rcc::pclk2Hz() const {
    return hclkHz() / apbDivider((value(CFGR) & rcc_cfgr::PPRE2_MASK) >> rcc_cfgr::PPRE2_SHIFT);
}

std::uint64_t Stm32f4Rcc::timerClock1Hz() const {
    const bool divided = (value(CFGR) & (0x4u << rcc_cfgr::PPRE1_SHIFT)) != 0;
    return divided ? 2 * pclk1Hz() : pclk1Hz();
}

std::uint64_t Stm32f4Rcc::timerClock2Hz() const {
    const bool divided = (value(CFGR) & (0x4u << rcc_cfgr::PPRE2_SHIFT)) != 0;
    return divided ? 2 * pclk2Hz() : pclk2Hz();
}

bool Stm32f4Rcc::isGateEnabled(const ClockGate& gate) const {
    return ((value(offsetOf(gate.enableRegister)) >> gate.bit) & 1u) != 0;
}

bool Stm32f4Rcc::isHeldInReset(const ClockGate& gate) const {
    if (gate.resetRegister.empty()) return false;
    return ((value(offsetOf(gate.resetRegister)) >> gate.bit) & 1u) != 0;
}

// ---- register access -------------------------------------------------------------

std::uint32_t Stm32f4Rcc::onRead(const RegisterSpec& reg, std::uint32_t stored) {
    auto flag = [&](std::uint32_t bit, Osc o) { return isReady(o) ? bit : 0u; };
    switch (reg.offset) {
        case CR: {
            using namespace rcc_cr;
            const std::uint32_t live = HSIRDY | HSERDY | PLLRDY | PLLI2SRDY;
            return (stored & ~live) | flag(HSIRDY, HSI) | flag(HSERDY, HSE) | flag(PLLRDY, PLL) |
                   flag(PLLI2SRDY, PLLI2S);
        }
        case CSR:
            return (stored & ~rcc_csr::LSIRDY) | flag(rcc_csr::LSIRDY, LSI);
        case BDCR:
            return (stored & ~rcc_bdcr::LSERDY) | flag(rcc_bdcr::LSERDY, LSE);
        default:
            return stored;
    }
}

void Stm32f4Rcc::onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                         std::uint32_t written, std::uint32_t /*lanes*/) {
    switch (reg.offset) {
        case CR:
            writeCr(oldValue, newValue);
            break;
        case PLLCFGR:
            writePllcfgr(oldValue, newValue);
            break;
        case CFGR:
            writeCfgr(oldValue, newValue);
            break;
        case CIR:
            writeCir(oldValue, newValue, written);
            break;
        case BDCR:
            writeBdcr(oldValue, newValue);
            break;
        case CSR:
            writeCsr(oldValue, newValue);
            break;
        case AHB1RSTR:
        case AHB2RSTR:
        case AHB3RSTR:
        case APB1RSTR:
        case APB2RSTR: {
            // §7.3.5-7.3.9: setting a bit resets the peripheral; it stays in reset until
            // the firmware clears the bit again.
            const std::uint32_t rising = newValue & ~oldValue;
            for (unsigned bit = 0; bit < 32; ++bit) {
                if ((rising >> bit & 1u) != 0 && peripheralReset_) peripheralReset_(reg.name, bit);
            }
            break;
        }
        case SSCGR:
            // §7.3.22: write SSCGR before enabling the main PLL or after disabling it.
            if ((value(CR) & rcc_cr::PLLON) != 0 && oldValue != newValue) {
                mistakeOnce("RCC:sscgr-pllon",
                            "SSCGR written while PLLON=1 (RM0090 §7.3.22: program spread "
                            "spectrum only while the main PLL is off)");
            }
            if ((newValue & ~oldValue & rcc_sscgr::SSCGEN) != 0) {
                ctx().diag.modelGapOnce("RCC:sscg", name(),
                                        "SSCGR.SSCGEN=1: spread-spectrum modulation is not "
                                        "modelled (the PLL runs at its nominal frequency)");
            }
            break;
        case PLLI2SCFGR:
            // §7.3.23: configure PLLI2S only while it is disabled.
            if ((value(CR) & rcc_cr::PLLI2SON) != 0 && oldValue != newValue) {
                setValue(PLLI2SCFGR, oldValue);
                mistakeOnce("RCC:plli2scfgr-on",
                            "PLLI2SCFGR written while PLLI2SON=1: ignored (RM0090 §7.3.23: "
                            "configure PLLI2S only while it is disabled)");
            }
            break;
        default:
            break;  // ENR / LPENR: plain storage, read by isGateEnabled()
    }
}

// §7.3.1 RCC_CR.
void Stm32f4Rcc::writeCr(std::uint32_t oldValue, std::uint32_t newValue) {
    using namespace rcc_cr;
    std::uint32_t v = newValue;
    if ((oldValue & HSEON) != 0 && ((oldValue ^ v) & HSEBYP) != 0) {
        v = (v & ~HSEBYP) | (oldValue & HSEBYP);
        mistakeOnce("RCC:hsebyp",
                    "CR.HSEBYP changed while HSEON=1: ignored (RM0090 §7.3.1: HSEBYP can be "
                    "written only when the HSE oscillator is disabled)");
    }
    // A clock used directly or through the PLL as SYSCLK cannot be stopped (§7.3.1, §7.2.6).
    const std::uint32_t sws = (value(CFGR) & rcc_cfgr::SWS_MASK) >> rcc_cfgr::SWS_SHIFT;
    const bool viaPll = sws == rcc_cfgr::SW_PLL;
    const bool pllFromHse = (value(PLLCFGR) & rcc_pllcfgr::PLLSRC) != 0;
    auto keepOn = [&](std::uint32_t bit, bool inUse, const char* field, const char* osc) {
        if (!inUse || (v & bit) != 0) return;
        v |= bit;
        mistakeOnce(fmt::format("RCC:keep:{}", field),
                    fmt::format("CR.{} cleared while {} drives SYSCLK (SWS={}): ignored, as on "
                                "silicon (RM0090 §7.3.1)",
                                field, osc, kSwName[sws]));
    };
    keepOn(HSION, sws == rcc_cfgr::SW_HSI || (viaPll && !pllFromHse), "HSION", "HSI");
    keepOn(HSEON, sws == rcc_cfgr::SW_HSE || (viaPll && pllFromHse), "HSEON", "HSE");
    keepOn(PLLON, viaPll, "PLLON", "the PLL");
    setValue(CR, v);

    const Cycles now = ctx().time.now();
    const std::uint32_t rising = v & ~oldValue;
    if ((rising & HSION) != 0) {
        onAt_[HSI] = now;
        hsiReadyFromReset_ = false;
    }
    if ((rising & HSEON) != 0) {
        onAt_[HSE] = now;
        checkHse();
    }
    if ((rising & PLLON) != 0) {
        onAt_[PLL] = now;
        checkPll();
    }
    if ((rising & PLLI2SON) != 0) {
        onAt_[PLLI2S] = now;
        checkPllI2s();
    }
    scheduleSwitch(false);
    armReadyEvent();
}

// §7.3.2 RCC_PLLCFGR: write only while the PLL is off; PLLM and PLLSRC are shared with
// PLLI2S and so also need PLLI2S off.
void Stm32f4Rcc::writePllcfgr(std::uint32_t oldValue, std::uint32_t newValue) {
    const std::uint32_t cr = value(CR);
    std::uint32_t frozen = 0;
    if ((cr & rcc_cr::PLLON) != 0) frozen = 0xFFFFFFFFu;
    if ((cr & rcc_cr::PLLI2SON) != 0) frozen |= rcc_pllcfgr::PLLM_MASK | rcc_pllcfgr::PLLSRC;
    if (((oldValue ^ newValue) & frozen) == 0) return;
    setValue(PLLCFGR, (newValue & ~frozen) | (oldValue & frozen));
    mistakeOnce("RCC:pllcfgr-on",
                fmt::format("PLLCFGR written while {}: change ignored (RM0090 §7.3.2: configure "
                            "the PLL only while it is disabled)",
                            (cr & rcc_cr::PLLON) != 0 ? "PLLON=1" : "PLLI2SON=1 (PLLM/PLLSRC)"));
}

// §7.3.3 RCC_CFGR.
void Stm32f4Rcc::writeCfgr(std::uint32_t oldValue, std::uint32_t newValue) {
    using namespace rcc_cfgr;
    const std::uint32_t sw = newValue & SW_MASK;
    const bool swChanged = ((oldValue ^ newValue) & SW_MASK) != 0;
    if (swChanged && sw == SW_PLL) checkPll();
    // §7.3.3: the new AHB/APB prescalers apply within 1-16 AHB cycles; cmsim applies them
    // at once (HCLK only changes here if SYSCLK does not: SWS drives the rest).
    if (((oldValue ^ newValue) & (HPRE_MASK | PPRE1_MASK | PPRE2_MASK)) != 0) applyClocks();
    scheduleSwitch(swChanged);
}

// §7.3.4 RCC_CIR.
void Stm32f4Rcc::writeCir(std::uint32_t oldValue, std::uint32_t newValue, std::uint32_t written) {
    using namespace rcc_cir;
    std::uint32_t v = newValue & ~CLR_MASK;  // clear bits always read 0
    v &= ~((written & CLR_MASK) >> CLR_SHIFT);
    setValue(CIR, v);
    // A flag marks the ready edge while its enable is set: enabling after the oscillator is
    // already ready sets no flag.
    const std::uint32_t newlyEnabled = (v & ~oldValue & IE_MASK) >> IE_SHIFT;
    for (unsigned o = 0; o < kOscCount; ++o) {
        if ((newlyEnabled & kCirFlag[o]) != 0 && isReady(static_cast<Osc>(o))) announced_[o] = true;
    }
    // A flag still set when its enable is set again pends the interrupt (level source).
    if ((newlyEnabled & v) != 0) ctx().raiseIrq(kIrq);
    armReadyEvent();
}

// §7.3.20 RCC_BDCR (backup domain: kept across system resets, DBP-protected).
void Stm32f4Rcc::writeBdcr(std::uint32_t oldValue, std::uint32_t newValue) {
    using namespace rcc_bdcr;
    if (backupWritable_ && !backupWritable_()) {
        setValue(BDCR, oldValue);
        if (oldValue != newValue) {
            mistakeOnce("RCC:bdcr-dbp",
                        "BDCR write ignored: the backup domain is write-protected (set "
                        "PWR_CR.DBP first, RM0090 §5.1.2)");
        }
        return;
    }
    std::uint32_t v = newValue;
    if ((oldValue & LSEON) != 0 && ((oldValue ^ v) & LSEBYP) != 0) {
        v = (v & ~LSEBYP) | (oldValue & LSEBYP);
        mistakeOnce("RCC:lsebyp",
                    "BDCR.LSEBYP changed while LSEON=1: ignored (RM0090 §7.3.20: LSEBYP can be "
                    "written only when the LSE oscillator is disabled)");
    }
    if ((oldValue & RTCSEL_MASK) != 0 && ((oldValue ^ v) & RTCSEL_MASK) != 0) {
        v = (v & ~RTCSEL_MASK) | (oldValue & RTCSEL_MASK);
        mistakeOnce("RCC:rtcsel",
                    "BDCR.RTCSEL changed after the RTC clock was selected: ignored (RM0090 "
                    "§7.3.20: only a backup domain reset (BDRST) allows a new selection)");
    }
    if ((v & BDRST) != 0) {
        v = BDRST;  // the whole backup domain is held in reset while BDRST=1
        if ((oldValue & BDRST) == 0 && peripheralReset_) peripheralReset_("BDCR", 16);
    }
    setValue(BDCR, v);
    backupDomain_ = v;
    const std::uint32_t rising = v & ~oldValue;
    if ((rising & LSEON) != 0) {
        onAt_[LSE] = ctx().time.now();
        if (lseHz_ == 0) {
            mistakeOnce("RCC:lse-none",
                        "BDCR.LSEON=1 but the board has no LSE crystal: LSERDY will never set");
        }
    }
    if ((v & RTCSEL_MASK) == RTCSEL_MASK && (rising & (RTCSEL_MASK | RTCEN)) != 0) {
        // §7.3.3 RTCPRE: HSE / RTCPRE must give the RTC 1 MHz; 0 and 1 give no clock.
        const std::uint32_t pre = (value(CFGR) & rcc_cfgr::RTCPRE_MASK) >> rcc_cfgr::RTCPRE_SHIFT;
        if (pre < 2 || hseHz_ / pre != kMHz || hseHz_ % pre != 0) {
            mistakeOnce("RCC:rtcpre",
                        fmt::format("RTC clocked from HSE / RTCPRE={} = {}: RM0090 §7.3.3 "
                                    "requires exactly 1 MHz",
                                    pre, pre < 2 ? std::string("no clock") : mhz(hseHz_ / pre)));
        }
    }
    armReadyEvent();
}

// §7.3.21 RCC_CSR.
void Stm32f4Rcc::writeCsr(std::uint32_t oldValue, std::uint32_t newValue) {
    using namespace rcc_csr;
    std::uint32_t v = newValue;
    if ((v & RMVF) != 0) v &= ~(RESET_FLAGS | RMVF);  // RMVF clears the reset flags
    setValue(CSR, v);
    if ((v & ~oldValue & LSION) != 0) onAt_[LSI] = ctx().time.now();
    armReadyEvent();
}

// ---- checks ----------------------------------------------------------------------

void Stm32f4Rcc::mistakeOnce(std::string key, std::string message) {
    ctx().diag.firmwareMistakeOnce(key, name(), std::move(message));
}

// §7.2.1: crystal/ceramic resonator 4-26 MHz; external clock (bypass) up to 50 MHz.
void Stm32f4Rcc::checkHse() {
    if (hseHz_ == 0) {
        mistakeOnce("RCC:hse-none",
                    "CR.HSEON=1 but the board has no HSE clock: HSERDY will never set");
        return;
    }
    const bool bypass = (value(CR) & rcc_cr::HSEBYP) != 0;
    const std::uint64_t lo = bypass ? 1 * kMHz : 4 * kMHz;
    const std::uint64_t hi = bypass ? 50 * kMHz : 26 * kMHz;
    if (hseHz_ < lo || hseHz_ > hi) {
        mistakeOnce(
            "RCC:hse-range",
            fmt::format("board HSE {} is outside the {} range {}..{} (RM0090 §7.2.1)", mhz(hseHz_),
                        bypass ? "external clock (HSEBYP)" : "crystal", mhz(lo), mhz(hi)));
    }
}

// §7.3.2: 2 <= PLLM <= 63, 50 <= PLLN <= 432, PLLP in {2,4,6,8}, 2 <= PLLQ <= 15; VCO input
// 1-2 MHz, VCO output 100-432 MHz, PLL output <= 168 MHz.
void Stm32f4Rcc::checkPll() {
    using namespace rcc_pllcfgr;
    const std::uint32_t cfg = value(PLLCFGR);
    const std::uint64_t m = cfg & PLLM_MASK;
    const std::uint64_t n = (cfg & PLLN_MASK) >> PLLN_SHIFT;
    const std::uint64_t p = 2 * (((cfg & PLLP_MASK) >> PLLP_SHIFT) + 1);
    const std::uint64_t q = (cfg & PLLQ_MASK) >> PLLQ_SHIFT;
    auto bad = [&](const std::string& msg) { mistakeOnce("RCC:pll:" + msg, msg); };
    if (m < 2)
        bad(fmt::format("PLLCFGR.PLLM={} is a wrong configuration (2..63, RM0090 §7.3.2)", m));
    if (n < 50 || n > 432) {
        bad(fmt::format("PLLCFGR.PLLN={} is a wrong configuration (50..432, RM0090 §7.3.2)", n));
    }
    if (q < 2)
        bad(fmt::format("PLLCFGR.PLLQ={} is a wrong configuration (2..15, RM0090 §7.3.2)", q));
    const std::uint64_t in = pllInputHz();
    if (m == 0 || in == 0) return;
    if (in < 1 * kMHz * m || in > 2 * kMHz * m) {
        bad(fmt::format("PLL VCO input {} / PLLM={} = {} is outside 1..2 MHz (RM0090 §7.3.2)",
                        mhz(in), m, mhz(in / m)));
    }
    const std::uint64_t vco = in * n / m;
    if (vco < 100 * kMHz || vco > 432 * kMHz) {
        bad(fmt::format("PLL VCO output {} (PLLN={}) is outside 100..432 MHz (RM0090 §7.3.2)",
                        mhz(vco), n));
    }
    if (vco / p > kMaxPllOut) {
        bad(fmt::format("PLL output {} (PLLP={}) exceeds 168 MHz (RM0090 §7.3.2)", mhz(vco / p),
                        p));
    }
}

// §7.3.23: 50 <= PLLI2SN <= 432, 2 <= PLLI2SR <= 7, VCO 100-432 MHz, I2S clock <= 192 MHz.
void Stm32f4Rcc::checkPllI2s() {
    using namespace rcc_plli2scfgr;
    const std::uint32_t cfg = value(PLLI2SCFGR);
    const std::uint64_t m = value(PLLCFGR) & rcc_pllcfgr::PLLM_MASK;
    const std::uint64_t n = (cfg & PLLI2SN_MASK) >> PLLI2SN_SHIFT;
    const std::uint64_t r = (cfg & PLLI2SR_MASK) >> PLLI2SR_SHIFT;
    auto bad = [&](const std::string& msg) { mistakeOnce("RCC:plli2s:" + msg, msg); };
    if (n < 50 || n > 432) {
        bad(fmt::format("PLLI2SCFGR.PLLI2SN={} is a wrong configuration (50..432, RM0090 §7.3.23)",
                        n));
    }
    if (r < 2) {
        bad(fmt::format("PLLI2SCFGR.PLLI2SR={} is a wrong configuration (2..7, RM0090 §7.3.23)",
                        r));
    }
    if (m < 2)
        bad(fmt::format("PLLCFGR.PLLM={} is a wrong configuration (2..63, RM0090 §7.3.2)", m));
    const std::uint64_t in = pllInputHz();
    if (m == 0 || in == 0) return;
    const std::uint64_t vco = in * n / m;
    if (vco < 100 * kMHz || vco > 432 * kMHz) {
        bad(
            fmt::format("PLLI2S VCO output {} (PLLI2SN={}) is outside 100..432 MHz "
                        "(RM0090 §7.3.23)",
                        mhz(vco), n));
    }
    if (r != 0 && vco / r > kMaxI2sClk) {
        bad(fmt::format("PLLI2S output {} (PLLI2SR={}) exceeds 192 MHz (RM0090 §7.3.23)",
                        mhz(vco / r), r));
    }
}

// ---- SYSCLK switch (§7.2.6) ------------------------------------------------------
// "A switch from one clock source to another occurs only if the target clock source is
// ready. If a clock source that is not yet ready is selected, the switch occurs when the
// clock source is ready." So: SWS follows SW kSwitchCycles after SW was written and the
// target is ready. A target that is off never becomes ready: reported, SYSCLK stays.

void Stm32f4Rcc::scheduleSwitch(bool restart) {
    using namespace rcc_cfgr;
    const std::uint32_t cfgr = value(CFGR);
    const std::uint32_t sw = cfgr & SW_MASK;
    const std::uint32_t sws = (cfgr & SWS_MASK) >> SWS_SHIFT;
    if (sw == sws) {
        ctx().events.deschedule(swsEvent_);
        return;
    }
    if (sw == 3) {
        ctx().events.deschedule(swsEvent_);
        mistakeOnce("RCC:sw3", fmt::format("CFGR.SW=11 is not allowed (RM0090 §7.3.3): SYSCLK "
                                           "stays on {}",
                                           kSwName[sws]));
        return;
    }
    const Osc target = oscForSw(sw);
    const Cycles ready = readyAt(target);
    if (ready == kNever) {
        ctx().events.deschedule(swsEvent_);
        mistakeOnce(fmt::format("RCC:sw-off:{}", kOscName[target]),
                    fmt::format("CFGR.SW selects {} but it is off or cannot start: SYSCLK stays on "
                                "{} (RM0090 §7.2.6: the switch waits until the source is ready)",
                                kOscName[target], kSwName[sws]));
        return;
    }
    if (swsEvent_.isScheduled() && !restart) return;  // completeSwitch() re-checks readiness
    ctx().events.schedule(swsEvent_, std::max(ctx().time.now(), ready) + kSwitchCycles);
}

void Stm32f4Rcc::completeSwitch() {
    using namespace rcc_cfgr;
    const std::uint32_t cfgr = value(CFGR);
    const std::uint32_t sw = cfgr & SW_MASK;
    if (sw == 3 || sw == (cfgr & SWS_MASK) >> SWS_SHIFT) return;
    if (!isReady(oscForSw(sw))) {
        scheduleSwitch(true);
        return;
    }
    setValue(CFGR, (cfgr & ~SWS_MASK) | (sw << SWS_SHIFT));
    applyClocks();
}

void Stm32f4Rcc::applyClocks() {
    const std::uint64_t hclk = hclkHz();
    if (hclk > kMaxHclk) {
        mistakeOnce(
            fmt::format("RCC:hclk:{}", hclk),
            fmt::format("HCLK {} exceeds the 168 MHz maximum of the STM32F405/407", mhz(hclk)));
    }
    if (pclk1Hz() > kMaxPclk1) {
        mistakeOnce(fmt::format("RCC:pclk1:{}", pclk1Hz()),
                    fmt::format("PCLK1 {} exceeds 42 MHz (RM0090 §7.3.3 PPRE1)", mhz(pclk1Hz())));
    }
    if (pclk2Hz() > kMaxPclk2) {
        mistakeOnce(fmt::format("RCC:pclk2:{}", pclk2Hz()),
                    fmt::format("PCLK2 {} exceeds 84 MHz (RM0090 §7.3.3 PPRE2)", mhz(pclk2Hz())));
    }
    auto& time = ctx().time;
    if (hclk == 0 || hclk == time.cpuHz()) return;
    time.setCpuHz(hclk);
    ctx().signals.clocks.publish(ClockChange{time.now(), time.nowPicoseconds(), hclk});
}

// ---- ready interrupts (§7.3.4) ---------------------------------------------------

void Stm32f4Rcc::armReadyEvent() {
    const std::uint32_t enabled = (value(CIR) & rcc_cir::IE_MASK) >> rcc_cir::IE_SHIFT;
    Cycles next = kNever;
    for (unsigned i = 0; i < kOscCount; ++i) {
        const auto o = static_cast<Osc>(i);
        if (!isReady(o)) announced_[i] = false;  // its next ready edge is still to come
        if (!announced_[i] && (enabled & kCirFlag[i]) != 0) next = std::min(next, readyAt(o));
    }
    if (next == kNever) {
        ctx().events.deschedule(readyEvent_);
    } else if (!readyEvent_.isScheduled() || readyEvent_.due() != next) {
        ctx().events.schedule(readyEvent_, next);
    }
}

void Stm32f4Rcc::deliverReadyInterrupts() {
    std::uint32_t cir = value(CIR);
    bool raise = false;
    for (unsigned i = 0; i < kOscCount; ++i) {
        if (announced_[i] || !isReady(static_cast<Osc>(i))) continue;
        announced_[i] = true;
        if ((cir & (kCirFlag[i] << rcc_cir::IE_SHIFT)) != 0) {
            cir |= kCirFlag[i];
            raise = true;
        }
    }
    setValue(CIR, cir);
    if (raise) ctx().raiseIrq(kIrq);
    armReadyEvent();
}

// ---- reset -----------------------------------------------------------------------

void Stm32f4Rcc::onReset() {
    // A system reset restarts the clock tree on HSI (already running: HSIRDY=1) but leaves
    // the backup domain (BDCR, the LSE) alone (RM0090 §5.1.2, §7.3.20). CSR goes back to
    // its power-on value: cmsim does not tell reset causes apart.
    setValue(BDCR, backupDomain_);
    for (unsigned i = 0; i < kOscCount; ++i) {
        if (i != LSE) {
            onAt_[i] = 0;
            announced_[i] = true;
        }
    }
    hsiReadyFromReset_ = true;
    ctx().events.deschedule(swsEvent_);
    ctx().events.deschedule(readyEvent_);
    applyClocks();
    armReadyEvent();
}

}  // namespace cmsim
