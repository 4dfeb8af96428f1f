#include "Stm32h7Pwr.h"

#include <fmt/format.h>

#include <string>

namespace cmsim {

namespace {

using namespace h7pwr_reg;

constexpr FieldSpec kCr1Fields[] = {{"LPDS", 0}, {"PVDE", 4},     {"PLS", 5, 3}, {"DBP", 8},
                                    {"FLPS", 9}, {"SVOS", 14, 2}, {"AVDEN", 16}, {"ALS", 17, 2}};
constexpr FieldSpec kCsr1Fields[] = {
    {"PVDO", 4}, {"ACTVOSRDY", 13}, {"ACTVOS", 14, 2}, {"AVDO", 16}};
constexpr FieldSpec kCr3Fields[] = {{"BYPASS", 0},    {"LDOEN", 1},    {"SCUEN", 2},
                                    {"VBE", 8},       {"VBRS", 9},     {"USB33DEN", 24},
                                    {"USBREGEN", 25}, {"USB33RDY", 26}};
constexpr FieldSpec kD3crFields[] = {{"VOSRDY", 13}, {"VOS", 14, 2}};

// RM0468 §6.8 (PWR registers), H723/733 variant. CR1: SVOS = 11 (SVOS3) and the reserved
// bits 31:28 set; CR3: SCUEN and LDOEN set (the LDO supplies VCORE out of power-on
// reset); D3CR and CSR1: VOS3. Live bits (ACTVOSRDY, ACTVOS, VOSRDY, BRRDY, USB33RDY) are
// derived on read.
constexpr RegisterSpec kRegisters[] = {
    {CR1, "CR1", 0xF000C000, 0x0007C3F1, Access::ReadWrite, kCr1Fields},
    {CSR1, "CSR1", 0x00004000, 0x00000000, Access::ReadOnly, kCsr1Fields},
    {CR2, "CR2", 0x00000000, 0x00000011},
    {CR3, "CR3", 0x00000006, 0x03000307, Access::ReadWrite, kCr3Fields},
    {CPUCR, "CPUCR", 0x00000000, 0x00000A07},
    {D3CR, "D3CR", 0x00004000, 0x0000C000, Access::ReadWrite, kD3crFields},
    {WKUPCR, "WKUPCR", 0x00000000, 0x0000003F, Access::WriteOnly},
    {WKUPFR, "WKUPFR", 0x00000000, 0x00000000, Access::ReadOnly},
    {WKUPEPR, "WKUPEPR", 0x00000000, 0x0FFF3F3F},
};

std::string mhz(std::uint64_t hz) {
    return fmt::format("{:g} MHz", static_cast<double>(hz) / 1e6);
}

}  // namespace

Stm32h7Pwr::Limits Stm32h7Pwr::limits(unsigned scale, bool boost) {
    switch (scale) {
        case 0:
            return {boost ? 550'000'000u : 520'000'000u, 275'000'000, 137'500'000};
        case 1:
            return {400'000'000, 200'000'000, 100'000'000};
        case 2:
            return {300'000'000, 150'000'000, 75'000'000};
        default:
            return {170'000'000, 85'000'000, 42'500'000};
    }
}

unsigned Stm32h7Pwr::scaleOf(std::uint32_t vosField) {
    // D3CR.VOS / CSR1.ACTVOS: 00 VOS0, 01 VOS3, 10 VOS2, 11 VOS1.
    static constexpr unsigned kScale[] = {0, 3, 2, 1};
    return kScale[(vosField & h7pwr_d3cr::VOS_MASK) >> h7pwr_d3cr::VOS_SHIFT];
}

Stm32h7Pwr::Stm32h7Pwr(PeripheralContext& ctx)
    : RegisterPeripheral("PWR", kBlockSize, ctx, kRegisters),
      vosEvent_("pwr.vos", [this](Cycles) { vosSettledNow(); }) {}

unsigned Stm32h7Pwr::activeVoltageScale() const {
    return scaleOf(activeVosField());
}
unsigned Stm32h7Pwr::requestedVoltageScale() const {
    return scaleOf(value(D3CR));
}

bool Stm32h7Pwr::backupDomainWritable() const {
    return (value(CR1) & h7pwr_cr1::DBP) != 0;
}

std::uint32_t Stm32h7Pwr::activeVosField() const {
    return vosSettled() ? (value(D3CR) & h7pwr_d3cr::VOS_MASK) : previousVos_;
}

// ACTVOSRDY needs a valid supply configuration that has settled. In bypass the core would
// need an external VCORE supply, which the boards cmsim models do not have: never ready.
bool Stm32h7Pwr::supplyReady() const {
    const std::uint32_t supply = value(CR3) & (h7pwr_cr3::LDOEN | h7pwr_cr3::BYPASS);
    if (supply != h7pwr_cr3::LDOEN) return false;
    return ctx().time.now() >= supplyReadyAt_;
}

std::uint32_t Stm32h7Pwr::onRead(const RegisterSpec& reg, std::uint32_t stored) {
    switch (reg.offset) {
        case CSR1: {
            using namespace h7pwr_csr1;
            // PVDO and AVDO stay 0: VDD = 3.3 V is above every PVD/AVD threshold.
            std::uint32_t v = stored & ~(ACTVOSRDY | ACTVOS_MASK | PVDO | AVDO);
            if (supplyReady() && vosSettled()) v |= ACTVOSRDY;
            return v | activeVosField();  // ACTVOS sits where D3CR.VOS does
        }
        case D3CR:
            return stored | (vosSettled() ? h7pwr_d3cr::VOSRDY : 0u);
        case CR2:
            // The backup regulator start-up time is not modelled: BRRDY follows BREN.
            return (stored & h7pwr_cr2::BREN) != 0 ? stored | h7pwr_cr2::BRRDY : stored;
        case CR3:
            // VDD33USB is supplied on the board: the USB regulator is ready once enabled.
            return (stored & h7pwr_cr3::USB33DEN) != 0 ? stored | h7pwr_cr3::USB33RDY : stored;
        default:
            return stored;
    }
}

void Stm32h7Pwr::onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                         std::uint32_t written, std::uint32_t lanes) {
    switch (reg.offset) {
        case CR1:
            if ((newValue & h7pwr_cr1::SVOS_MASK) == 0) {
                setValue(CR1,
                         (newValue & ~h7pwr_cr1::SVOS_MASK) | (oldValue & h7pwr_cr1::SVOS_MASK));
                ctx().diag.firmwareMistakeOnce("PWR:svos", name(),
                                               "PWR_CR1.SVOS=00 is reserved (RM0468 §6.8 PWR_CR1): "
                                               "ignored");
            }
            break;
        case CR3:
            writeCr3(oldValue, newValue, lanes);
            break;
        case CPUCR:
            if ((written & h7pwr_cpucr::CSSF) != 0) {
                using namespace h7pwr_cpucr;
                setValue(CPUCR, newValue & ~(CSSF | STOPF | SBF | SBF_D1 | SBF_D2));
            }
            break;
        case D3CR:
            writeD3cr(oldValue, newValue);
            break;
        case WKUPCR:
            setValue(WKUPFR, value(WKUPFR) & ~(written & 0x3Fu));
            setValue(WKUPCR, 0);
            break;
        default:
            break;
    }
}

// PWR_CR3 (RM0468 §6.8, §6.4 "Power supply configuration"): the supply configuration can
// be written once after a power-on reset.
void Stm32h7Pwr::writeCr3(std::uint32_t oldValue, std::uint32_t newValue, std::uint32_t lanes) {
    using namespace h7pwr_cr3;
    const std::uint32_t others = newValue & ~SUPPLY_MASK;
    if (!supplyLocked_ && (lanes & 0xFFu) != 0) {
        supplyLocked_ = true;
        lockedSupply_ = newValue & (LDOEN | BYPASS);  // SCUEN reads 0 from now on
        supplyReadyAt_ = ctx().time.now() + kSupplyCycles;
        setValue(CR3, others | lockedSupply_);
        if (lockedSupply_ == BYPASS) {
            ctx().diag.firmwareMistake(
                name(),
                "PWR_CR3 supply configuration locked in bypass (LDOEN=0, BYPASS=1): "
                "VCORE must then come from an external supply on the VCAP pins, which "
                "this board does not have; ACTVOSRDY will not set");
        } else if (lockedSupply_ != LDOEN) {
            ctx().diag.firmwareMistake(
                name(), fmt::format("PWR_CR3 supply configuration locked with LDOEN={} BYPASS={}: "
                                    "not a valid configuration of the STM32H723 (RM0468 §6.4: LDO "
                                    "supply or bypass); ACTVOSRDY will not set",
                                    (lockedSupply_ & LDOEN) != 0 ? 1 : 0,
                                    (lockedSupply_ & BYPASS) != 0 ? 1 : 0));
        }
        return;
    }
    const std::uint32_t keep = supplyLocked_ ? lockedSupply_ : (oldValue & SUPPLY_MASK);
    if (supplyLocked_ && ((newValue ^ oldValue) & SUPPLY_MASK) != 0) {
        ctx().diag.firmwareMistakeOnce(
            "PWR:cr3-locked", name(),
            "PWR_CR3 supply bits (LDOEN, BYPASS, SCUEN) written after the supply configuration "
            "was locked: ignored until the next power-on reset (RM0468 §6.4, §6.8 PWR_CR3)");
    }
    setValue(CR3, others | keep);
}

// PWR_D3CR: a new VOS takes kVosCycles; VOSRDY reads 0 meanwhile and ACTVOS still shows the
// scale in effect.
void Stm32h7Pwr::writeD3cr(std::uint32_t oldValue, std::uint32_t newValue) {
    using namespace h7pwr_d3cr;
    if (((oldValue ^ newValue) & VOS_MASK) == 0) return;
    if (vosSettled()) previousVos_ = oldValue & VOS_MASK;
    vosReadyAt_ = ctx().time.now() + kVosCycles;
    ctx().events.schedule(vosEvent_, vosReadyAt_);
}

void Stm32h7Pwr::vosSettledNow() {
    previousVos_ = value(D3CR) & h7pwr_d3cr::VOS_MASK;
    for (const auto& l : vosListeners_) l();
    checkClocks();
}

void Stm32h7Pwr::checkClocks() {
    if (!clocks_) return;
    const Stm32h7Clocks c = clocks_();
    const unsigned scale = activeVoltageScale();
    const bool boost = boost_ && boost_();
    const Limits lim = limits(scale, boost);
    auto check = [&](std::uint64_t hz, std::uint64_t max, const char* what, bool cpu = false) {
        if (hz <= max) return;
        std::string why =
            fmt::format("{} {} exceeds the {} allowed at VOS{}", what, mhz(hz), mhz(max), scale);
        if (cpu && scale == 0 && !boost && hz <= limits(0, true).cpu) {
            why += " without the FLASH_OPTSR2.CPUFREQ_BOOST option bit";
        } else if (scale != 0) {
            why += " (raise PWR_D3CR.VOS and wait for VOSRDY before raising the clocks)";
        }
        ctx().diag.firmwareMistakeOnce(
            fmt::format("PWR:limit:{}:{}:{}", what, scale, hz), name(),
            why + " (STM32H723 datasheet, general operating conditions)");
    };
    check(c.cpu, lim.cpu, "CPU clock (sys_d1cpre_ck)", true);
    check(c.hclk, lim.hclk, "AXI/AHB clock (rcc_hclk3)");
    check(c.pclk1, lim.pclk, "APB1 clock (rcc_pclk1)");
    check(c.pclk2, lim.pclk, "APB2 clock (rcc_pclk2)");
    check(c.pclk3, lim.pclk, "APB3 clock (rcc_pclk3)");
    check(c.pclk4, lim.pclk, "APB4 clock (rcc_pclk4)");
}

void Stm32h7Pwr::onReset() {
    // A system reset keeps the locked supply configuration (only a power-on reset unlocks
    // it) and returns to VOS3 at once.
    if (supplyLocked_) setValue(CR3, (value(CR3) & ~h7pwr_cr3::SUPPLY_MASK) | lockedSupply_);
    previousVos_ = h7pwr_d3cr::VOS3;
    vosReadyAt_ = 0;
    ctx().events.deschedule(vosEvent_);
}

void Stm32h7Pwr::powerOnReset() {
    supplyLocked_ = false;
    lockedSupply_ = 0;
    supplyReadyAt_ = 0;
    reset();
}

}  // namespace cmsim
