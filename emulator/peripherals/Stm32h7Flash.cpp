#include "Stm32h7Flash.h"

#include <fmt/format.h>

namespace cmsim {

namespace {

using namespace h7flash_reg;

constexpr FieldSpec kAcrFields[] = {{"LATENCY", 0, 4}, {"WRHIGHFREQ", 4, 2}};
constexpr FieldSpec kCr1Fields[] = {{"LOCK", 0},     {"PG", 1},    {"SER", 2},   {"BER", 3},
                                    {"PSIZE", 4, 2}, {"FW", 6},    {"START", 7}, {"SNB", 8, 3},
                                    {"CRC_EN", 15},  {"EOPIE", 16}};
constexpr FieldSpec kOptsr2Fields[] = {{"TCM_AXI_SHARED", 0, 2}, {"CPUFREQ_BOOST", 2}};

// RM0468 §4.9 (FLASH registers), single bank. ACR resets to 7 wait states with the
// slowest programming delay (LATENCY = 7, WRHIGHFREQ = 11), safe at any clock; CR1 to
// LOCK = 1 with PSIZE = 11; OPTCR to OPTLOCK = 1. The option byte registers are filled in
// from the option bytes (see OptionBytes).
constexpr RegisterSpec kRegisters[] = {
    {ACR, "ACR", 0x00000037, 0x0000003F, Access::ReadWrite, kAcrFields},
    {KEYR1, "KEYR1", 0x00000000, 0xFFFFFFFF, Access::WriteOnly},
    {OPTKEYR, "OPTKEYR", 0x00000000, 0xFFFFFFFF, Access::WriteOnly},
    {CR1, "CR1", 0x00000031, 0x1FEF87FF, Access::ReadWrite, kCr1Fields},
    {SR1, "SR1", 0x00000000, 0x00000000, Access::ReadOnly},
    {CCR1, "CCR1", 0x00000000, 0x1FEF0000, Access::WriteOnly},
    {OPTCR, "OPTCR", 0x00000001, 0x40000003},
    {OPTSR_CUR, "OPTSR_CUR", 0x00000000, 0x00000000, Access::ReadOnly},
    {OPTSR_PRG, "OPTSR_PRG", 0x00000000, 0x233EFFDC},
    {OPTCCR, "OPTCCR", 0x00000000, 0x40000000, Access::WriteOnly},
    {PRAR_CUR1, "PRAR_CUR1", 0x00000000, 0x00000000, Access::ReadOnly},
    {PRAR_PRG1, "PRAR_PRG1", 0x00000000, 0x8FFF0FFF},
    {SCAR_CUR1, "SCAR_CUR1", 0x00000000, 0x00000000, Access::ReadOnly},
    {SCAR_PRG1, "SCAR_PRG1", 0x00000000, 0x8FFF0FFF},
    {WPSN_CUR1R, "WPSN_CUR1R", 0x00000000, 0x00000000, Access::ReadOnly},
    {WPSN_PRG1R, "WPSN_PRG1R", 0x00000000, 0x000000FF},
    {BOOT_CURR, "BOOT_CURR", 0x00000000, 0x00000000, Access::ReadOnly},
    {BOOT_PRGR, "BOOT_PRGR", 0x00000000, 0xFFFFFFFF},
    {CRCCR1, "CRCCR1", 0x00000000, 0x003F0787},
    {CRCSADD1R, "CRCSADD1R", 0x00000000, 0x000FFFFC},
    {CRCEADD1R, "CRCEADD1R", 0x00000000, 0x000FFFFC},
    {CRCDATAR, "CRCDATAR", 0x00000000, 0x00000000, Access::ReadOnly},
    {ECC_FA1R, "ECC_FA1R", 0x00000000, 0x00000000, Access::ReadOnly},
    {OPTSR2_CUR, "OPTSR2_CUR", 0x00000000, 0x00000000, Access::ReadOnly, kOptsr2Fields},
    {OPTSR2_PRG, "OPTSR2_PRG", 0x00000000, 0x00000007, Access::ReadWrite, kOptsr2Fields},
};

// Key values, RM0468 §4.5 (FLASH_KEYR1) and §4.4 (FLASH_OPTKEYR).
constexpr std::uint32_t kKey1 = 0x45670123;
constexpr std::uint32_t kKey2 = 0xCDEF89AB;
constexpr std::uint32_t kOptKey1 = 0x08192A3B;
constexpr std::uint32_t kOptKey2 = 0x4C5D6E7F;

// RM0468 Table 16, AXI clock upper bound per wait state, VOS0..VOS3. WRHIGHFREQ equals the
// wait states on every row of the H72x/73x table.
constexpr std::uint64_t kMaxHz[4][4] = {
    {70'000'000, 140'000'000, 210'000'000, 275'000'000},  // VOS0
    {67'000'000, 133'000'000, 200'000'000, 0},            // VOS1
    {50'000'000, 100'000'000, 150'000'000, 0},            // VOS2
    {35'000'000, 70'000'000, 85'000'000, 0},              // VOS3
};

}  // namespace

Stm32h7Flash::Stm32h7Flash(PeripheralContext& ctx)
    : RegisterPeripheral("FLASH", kBlockSize, ctx, kRegisters) {
    applyOptionBytes();
}

Stm32h7Flash::Requirement Stm32h7Flash::required(std::uint64_t axiHz, unsigned scale) {
    const auto& row = kMaxHz[scale > 3 ? 3 : scale];
    unsigned ws = 0;
    while (ws < 3 && row[ws + 1] != 0 && axiHz > row[ws]) ++ws;
    return {ws, ws, row[ws]};
}

unsigned Stm32h7Flash::latency() const {
    return value(ACR) & h7flash_acr::LATENCY_MASK;
}
unsigned Stm32h7Flash::wrHighFreq() const {
    return (value(ACR) & h7flash_acr::WRHIGHFREQ_MASK) >> h7flash_acr::WRHIGHFREQ_SHIFT;
}

std::uint64_t Stm32h7Flash::axiHz() const {
    return clocks_ ? clocks_().hclk : ctx().time.cpuHz();
}
unsigned Stm32h7Flash::scale() const {
    return scale_ ? scale_() : 3;
}

void Stm32h7Flash::checkLatency() {
    const std::uint64_t hz = axiHz();
    const unsigned vos = scale();
    const Requirement need = required(hz, vos);
    const unsigned have = latency();
    if (have >= need.latency) return;
    ctx().diag.firmwareMistakeOnce(
        fmt::format("FLASH:latency:{}:{}:{}", have, vos, hz), name(),
        fmt::format("FLASH_ACR.LATENCY={} wait state(s) is too few for the {:g} MHz AXI clock at "
                    "VOS{}: RM0468 Table 16 needs at least {} (with WRHIGHFREQ={:02b}); silicon "
                    "would read corrupt instructions and data from flash",
                    have, static_cast<double>(hz) / 1e6, vos, need.latency, need.wrHighFreq));
}

void Stm32h7Flash::loadOptionBytes(const OptionBytes& ob) {
    options_ = ob;
    applyOptionBytes();
}

void Stm32h7Flash::applyOptionBytes() {
    setValue(OPTSR_CUR, options_.optsr);
    setValue(OPTSR_PRG, options_.optsr);
    setValue(OPTSR2_CUR, options_.optsr2);
    setValue(OPTSR2_PRG, options_.optsr2);
    setValue(BOOT_CURR, options_.boot);
    setValue(BOOT_PRGR, options_.boot);
    setValue(PRAR_CUR1, options_.prar);
    setValue(PRAR_PRG1, options_.prar);
    setValue(SCAR_CUR1, options_.scar);
    setValue(SCAR_PRG1, options_.scar);
    setValue(WPSN_CUR1R, options_.wpsn);
    setValue(WPSN_PRG1R, options_.wpsn);
    if ((options_.optsr2 & h7flash_opt::TCM_AXI_SHARED_MASK) != 0) {
        ctx().diag.modelGapOnce("FLASH:tcm-axi-shared", name(),
                                "FLASH_OPTSR2.TCM_AXI_SHARED != 00: cmsim keeps the factory memory "
                                "map (64 KiB ITCM, 320 KiB AXI SRAM)");
    }
}

void Stm32h7Flash::onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                           std::uint32_t written, std::uint32_t lanes) {
    switch (reg.offset) {
        case ACR:
            checkLatency();
            break;
        case KEYR1:
            setValue(KEYR1, 0);
            writeKey(crLock_, CR1, h7flash_cr::LOCK, kKey1, kKey2, written, lanes, "KEYR1",
                     "FLASH_CR1");
            break;
        case OPTKEYR:
            setValue(OPTKEYR, 0);
            writeKey(optLock_, OPTCR, h7flash_opt::OPTLOCK, kOptKey1, kOptKey2, written, lanes,
                     "OPTKEYR", "FLASH_OPTCR");
            break;
        case CR1:
            writeCr1(oldValue, newValue);
            break;
        case CCR1:
            setValue(SR1, value(SR1) & ~(written & 0x1FEF0000u));
            setValue(CCR1, 0);
            break;
        case OPTCR:
            writeOptcr(oldValue, newValue);
            break;
        case OPTCCR:
            setValue(OPTCCR, 0);
            break;
        case OPTSR_PRG:
        case PRAR_PRG1:
        case SCAR_PRG1:
        case WPSN_PRG1R:
        case BOOT_PRGR:
        case OPTSR2_PRG:
            // The option byte "to program" registers take writes only with FLASH_OPTCR
            // unlocked (RM0468 §4.4).
            if ((value(OPTCR) & h7flash_opt::OPTLOCK) != 0 && newValue != oldValue) {
                setValue(reg.offset, oldValue);
                ctx().diag.firmwareMistakeOnce(
                    fmt::format("FLASH:{}:locked", reg.name), name(),
                    fmt::format("FLASH_{} written while FLASH_OPTCR.OPTLOCK=1: ignored (RM0468 "
                                "§4.4: unlock with the OPTKEYR sequence first)",
                                reg.name));
            }
            break;
        case CRCCR1:
            if ((newValue & (1u << 16)) != 0) {  // START_CRC
                ctx().diag.modelGapOnce("FLASH:crc", name(),
                                        "flash CRC computation (FLASH_CRCCR1.START_CRC) is not "
                                        "modelled: CRCDATAR stays 0");
                setValue(CRCCR1, newValue & ~(1u << 16));
            }
            break;
        default:
            break;
    }
}

// RM0468 §4.5 (FLASH_KEYR1) / §4.4 (FLASH_OPTKEYR): two keys in order clear the lock bit;
// a wrong sequence keeps the register locked until reset (silicon also raises a bus error,
// which cmsim does not).
void Stm32h7Flash::writeKey(KeyLock& lock, std::uint32_t lockRegister, std::uint32_t lockBit,
                            std::uint32_t key1, std::uint32_t key2, std::uint32_t written,
                            std::uint32_t lanes, const char* keyRegister,
                            const char* lockedRegister) {
    if (lock.lockedUntilReset) {
        ctx().diag.firmwareMistakeOnce(
            fmt::format("FLASH:{}:after-error", keyRegister), name(),
            fmt::format("{} written after a wrong key sequence: {} stays locked until reset "
                        "(RM0468 §4.9)",
                        keyRegister, lockedRegister));
        return;
    }
    if ((value(lockRegister) & lockBit) == 0) {
        ctx().diag.firmwareMistakeOnce(
            fmt::format("FLASH:{}:unlocked", keyRegister), name(),
            fmt::format("{} written while {} is already unlocked: ignored", keyRegister,
                        lockedRegister));
        return;
    }
    const std::uint32_t expected = lock.stage == 0 ? key1 : key2;
    if (lanes == 0xFFFFFFFFu && written == expected) {
        if (lock.stage == 0) {
            lock.stage = 1;
        } else {
            lock.stage = 0;
            setValue(lockRegister, value(lockRegister) & ~lockBit);
        }
        return;
    }
    lock.stage = 0;
    lock.lockedUntilReset = true;
    ctx().diag.firmwareMistake(
        name(), fmt::format("wrong key 0x{:08x} written to {} (expected 0x{:08x}{}): {} stays "
                            "locked until reset (RM0468 §4.9; silicon also returns a bus error, "
                            "which cmsim does not raise)",
                            written, keyRegister, expected,
                            lanes == 0xFFFFFFFFu ? "" : " as one 32-bit write", lockedRegister));
}

// FLASH_CR1: ignored while LOCK = 1; programming and erase are not modelled, but their
// programming delay is checked when they start (RM0468 Table 16).
void Stm32h7Flash::writeCr1(std::uint32_t oldValue, std::uint32_t newValue) {
    using namespace h7flash_cr;
    if ((oldValue & LOCK) != 0) {
        if (newValue != oldValue) {
            setValue(CR1, oldValue);
            ctx().diag.firmwareMistakeOnce(
                "FLASH:cr1-locked", name(),
                "FLASH_CR1 written while locked (LOCK=1): ignored (RM0468 §4.5: unlock with the "
                "KEYR1 sequence first)");
        }
        return;
    }
    if ((newValue & LOCK) != 0) crLock_.stage = 0;  // software re-locked
    const bool operation =
        ((newValue & ~oldValue) & (PG | SER | BER)) != 0 || (newValue & START) != 0;
    if (operation) {
        const Requirement need = required(axiHz(), scale());
        if (wrHighFreq() < need.wrHighFreq) {
            ctx().diag.firmwareMistakeOnce(
                "FLASH:wrhighfreq", name(),
                fmt::format("flash program/erase started with FLASH_ACR.WRHIGHFREQ={:02b}: RM0468 "
                            "Table 16 needs {:02b} for the {:g} MHz AXI clock at VOS{}",
                            wrHighFreq(), need.wrHighFreq, static_cast<double>(axiHz()) / 1e6,
                            scale()));
        }
        ctx().diag.modelGapOnce("FLASH:program", name(),
                                "flash programming/erase (FLASH_CR1 PG/SER/BER/START) is not "
                                "modelled: flash contents stay unchanged");
    }
    if ((newValue & START) != 0) setValue(CR1, newValue & ~START);
}

// FLASH_OPTCR: ignored while OPTLOCK = 1; option byte programming is not modelled.
void Stm32h7Flash::writeOptcr(std::uint32_t oldValue, std::uint32_t newValue) {
    using namespace h7flash_opt;
    if ((oldValue & OPTLOCK) != 0) {
        if (newValue != oldValue) {
            setValue(OPTCR, oldValue);
            ctx().diag.firmwareMistakeOnce(
                "FLASH:optcr-locked", name(),
                "FLASH_OPTCR written while locked (OPTLOCK=1): ignored (RM0468 §4.4: unlock with "
                "the OPTKEYR sequence first)");
        }
        return;
    }
    if ((newValue & OPTLOCK) != 0) optLock_.stage = 0;
    if ((newValue & OPTSTART) != 0) {
        ctx().diag.modelGapOnce("FLASH:optstart", name(),
                                "option byte programming (FLASH_OPTCR.OPTSTART) is not modelled: "
                                "the _CUR option registers keep their values");
        setValue(OPTCR, newValue & ~OPTSTART);
    }
}

void Stm32h7Flash::onReset() {
    crLock_ = {};
    optLock_ = {};
    applyOptionBytes();  // the option bytes are non-volatile
}

}  // namespace cmsim
