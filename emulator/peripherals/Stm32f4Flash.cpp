#include "Stm32f4Flash.h"

#include <fmt/format.h>

namespace cmsim {

namespace {

using namespace flash_reg;

// RM0090 §3.9 (F405/407). OPTCR's reset value is what the factory option bytes load:
// OPTLOCK=1, BOR off (BOR_LEV=11), all USER bits 1, RDP=0xAA (level 0), no write
// protection (nWRP all 1).
constexpr RegisterSpec kRegisters[] = {
    {ACR, "ACR", 0x00000000, 0x00001F07},                             // §3.9.1
    {KEYR, "KEYR", 0x00000000, 0xFFFFFFFF, Access::WriteOnly},        // §3.9.2
    {OPTKEYR, "OPTKEYR", 0x00000000, 0xFFFFFFFF, Access::WriteOnly},  // §3.9.3
    {SR, "SR", 0x00000000, 0x000000F3, Access::WriteOneToClear},      // §3.9.4 (BSY read-only)
    {CR, "CR", 0x80000000, 0x8301037F},                               // §3.9.5: LOCK=1
    {OPTCR, "OPTCR", 0x0FFFAAED, 0x0FFFFFEF},                         // §3.9.6
};

}  // namespace

Stm32f4Flash::Stm32f4Flash(PeripheralContext& ctx)
    : RegisterPeripheral("FLASH", kBlockSize, ctx, kRegisters) {
    ctx.time.onClockChange([this](std::uint64_t hz) { checkLatency(hz); });
}

unsigned Stm32f4Flash::latency() const {
    return value(ACR) & flash_acr::LATENCY_MASK;
}

// RM0090 Table 10, VDD 2.7-3.6 V: 0 WS up to 30 MHz, then one more per 30 MHz
// (1 WS <= 60, 2 <= 90, 3 <= 120, 4 <= 150, 5 <= 168).
unsigned Stm32f4Flash::requiredLatency(std::uint64_t hclkHz) {
    return hclkHz == 0 ? 0 : static_cast<unsigned>((hclkHz - 1) / kHzPerWaitState);
}

void Stm32f4Flash::checkLatency(std::uint64_t hclkHz) {
    const unsigned need = requiredLatency(hclkHz);
    const unsigned have = latency();
    if (have >= need) return;
    ctx().diag.firmwareMistakeOnce(
        fmt::format("FLASH:latency:{}:{}", have, hclkHz), name(),
        fmt::format("FLASH_ACR.LATENCY={} wait state(s) is too few for HCLK {:g} MHz: RM0090 "
                    "§3.5.1 Table 10 (VDD 2.7-3.6 V) needs at least {}; silicon would read "
                    "corrupt instructions and data from flash",
                    have, static_cast<double>(hclkHz) / 1e6, need));
}

void Stm32f4Flash::onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                           std::uint32_t written, std::uint32_t lanes) {
    switch (reg.offset) {
        case ACR:
            writeAcr(oldValue, newValue);
            break;
        case KEYR:
            setValue(KEYR, 0);
            writeKey(crLock_, CR, flash_cr::LOCK, flash_key::KEY1, flash_key::KEY2, written, lanes,
                     "KEYR", "FLASH_CR");
            break;
        case OPTKEYR:
            setValue(OPTKEYR, 0);
            writeKey(optLock_, OPTCR, flash_optcr::OPTLOCK, flash_key::OPTKEY1, flash_key::OPTKEY2,
                     written, lanes, "OPTKEYR", "FLASH_OPTCR");
            break;
        case CR:
            writeCr(oldValue, newValue);
            break;
        case OPTCR:
            writeOptcr(oldValue, newValue);
            break;
        default:
            break;  // SR: write-1-to-clear flags, handled by the base class
    }
}

// §3.9.1: ICRST/DCRST may be set only while the matching cache is disabled.
void Stm32f4Flash::writeAcr(std::uint32_t oldValue, std::uint32_t newValue) {
    using namespace flash_acr;
    std::uint32_t v = newValue;
    auto cacheReset = [&](std::uint32_t rst, std::uint32_t en, const char* what) {
        if ((v & rst & ~oldValue) == 0 || (v & en) == 0) return;
        v &= ~rst;
        ctx().diag.firmwareMistakeOnce(
            fmt::format("FLASH:{}", what), name(),
            fmt::format("FLASH_ACR.{0}RST set while {0}EN=1: ignored (RM0090 §3.9.1: reset a "
                        "cache only while it is disabled)",
                        what));
    };
    cacheReset(ICRST, ICEN, "IC");
    cacheReset(DCRST, DCEN, "DC");
    if (v != newValue) setValue(ACR, v);
    checkLatency(ctx().time.cpuHz());
}

// §3.5.2 (FLASH_CR) and §3.6.2 (FLASH_OPTCR): two keys in order clear the lock bit; any
// wrong sequence keeps the register locked until the next reset (and, on silicon, returns
// a bus error, which cmsim does not raise).
void Stm32f4Flash::writeKey(KeyLock& lock, std::uint32_t lockRegister, std::uint32_t lockBit,
                            std::uint32_t key1, std::uint32_t key2, std::uint32_t written,
                            std::uint32_t lanes, const char* keyRegister,
                            const char* lockedRegister) {
    if (lock.lockedUntilReset) {
        ctx().diag.firmwareMistakeOnce(
            fmt::format("FLASH:{}:after-error", keyRegister), name(),
            fmt::format("{} written after a wrong key sequence: {} stays locked until reset "
                        "(RM0090 §3.5.2)",
                        keyRegister, lockedRegister));
        return;
    }
    if ((value(lockRegister) & lockBit) == 0) {
        ctx().diag.firmwareMistakeOnce(
            fmt::format("FLASH:{}:unlocked", keyRegister), name(),
            fmt::format("{} written while {} is already unlocked: ignored (RM0090 §3.5.2 "
                        "defines the key sequence only from the locked state)",
                        keyRegister, lockedRegister));
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
                            "locked until reset (RM0090 §3.5.2; silicon also returns a bus "
                            "error, which cmsim does not raise)",
                            written, keyRegister, expected,
                            lanes == 0xFFFFFFFFu ? "" : " as one 32-bit write", lockedRegister));
}

// §3.9.5 FLASH_CR: ignored while LOCK=1; programming and erase are not modelled.
void Stm32f4Flash::writeCr(std::uint32_t oldValue, std::uint32_t newValue) {
    using namespace flash_cr;
    if ((oldValue & LOCK) != 0) {
        if (newValue != oldValue) {
            setValue(CR, oldValue);
            ctx().diag.firmwareMistakeOnce(
                "FLASH:cr-locked", name(),
                "FLASH_CR written while locked (LOCK=1): ignored (RM0090 §3.5.2: unlock with "
                "the KEYR sequence first)");
        }
        return;
    }
    if ((newValue & LOCK) != 0) crLock_.stage = 0;  // software re-locked
    if (((newValue & ~oldValue) & (PG | SER | MER)) != 0 || (newValue & STRT) != 0) {
        ctx().diag.modelGapOnce("FLASH:program", name(),
                                "flash programming/erase (FLASH_CR PG/SER/MER/STRT) is not "
                                "modelled: flash contents stay unchanged");
    }
    // STRT clears when the (here instantaneous, not performed) operation completes.
    if ((newValue & STRT) != 0) setValue(CR, newValue & ~STRT);
}

// §3.9.6 FLASH_OPTCR: ignored while OPTLOCK=1; option byte programming not modelled.
void Stm32f4Flash::writeOptcr(std::uint32_t oldValue, std::uint32_t newValue) {
    using namespace flash_optcr;
    if ((oldValue & OPTLOCK) != 0) {
        if (newValue != oldValue) {
            setValue(OPTCR, oldValue);
            ctx().diag.firmwareMistakeOnce(
                "FLASH:optcr-locked", name(),
                "FLASH_OPTCR written while locked (OPTLOCK=1): ignored (RM0090 §3.6.2: unlock "
                "with the OPTKEYR sequence first)");
        }
        return;
    }
    if ((newValue & OPTLOCK) != 0) optLock_.stage = 0;
    if ((newValue & OPTSTRT) != 0) {
        ctx().diag.modelGapOnce("FLASH:optstrt", name(),
                                "option byte programming (FLASH_OPTCR.OPTSTRT) is not modelled");
        setValue(OPTCR, newValue & ~OPTSTRT);
    }
}

bool Stm32f4Flash::storeToFlash(std::uint32_t address, unsigned bytes) {
    using namespace flash_cr;
    const std::uint32_t cr = value(CR);
    if ((cr & LOCK) == 0 && (cr & PG) != 0) {
        ctx().diag.modelGapOnce("FLASH:program", name(),
                                "flash programming/erase (FLASH_CR PG/SER/MER/STRT) is not "
                                "modelled: flash contents stay unchanged");
        return true;
    }
    // §3.9.4 PGSERR: "set by hardware when a write access to the Flash memory is performed
    // by the code while the control register has not been correctly configured". No bus
    // error: the store completes and the core runs on. (PGPERR is defined for a size that
    // does not match PSIZE "during the program sequence"; cmsim leaves it clear here.)
    setValue(SR, value(SR) | flash_sr::PGSERR);
    ctx().diag.firmwareMistakeOnce(
        "FLASH:store", name(),
        fmt::format("{}-byte store to flash at 0x{:08x} with {}: nothing programmed, "
                    "FLASH_SR.PGSERR set (RM0090 §3.9.4); no bus error on the STM32F4",
                    bytes, address, (cr & LOCK) != 0 ? "FLASH_CR locked" : "FLASH_CR.PG = 0"));
    return true;
}

void Stm32f4Flash::onReset() {
    crLock_ = {};
    optLock_ = {};
}

}  // namespace cmsim
