#pragma once
// STM32F405/407 embedded flash interface registers, RM0090 §3.9. Base 0x40023C00, 0x400.
//
// Modelled: ACR and the wait-state check against HCLK (RM0090 §3.5.1, Table 10), the
// FLASH_CR and FLASH_OPTCR lock/unlock key sequences. The supply is assumed to be in the
// 2.7-3.6 V range (STM32F4DISCOVERY: 3.0 V), which gives the loosest wait-state table.
// Not modelled (reported as model gaps): programming, erase and option-byte programming;
// the cache/prefetch timing itself (the core does not charge wait states).
#include <cstdint>

#include "RegisterPeripheral.h"

namespace cmsim {

namespace flash_reg {
constexpr std::uint32_t ACR = 0x00;
constexpr std::uint32_t KEYR = 0x04;
constexpr std::uint32_t OPTKEYR = 0x08;
constexpr std::uint32_t SR = 0x0C;
constexpr std::uint32_t CR = 0x10;
constexpr std::uint32_t OPTCR = 0x14;
}  // namespace flash_reg

// FLASH_ACR, RM0090 §3.9.1 (F405/407: LATENCY is 3 bits).
namespace flash_acr {
constexpr std::uint32_t LATENCY_MASK = 0x7u;
constexpr std::uint32_t PRFTEN = 1u << 8;
constexpr std::uint32_t ICEN = 1u << 9;
constexpr std::uint32_t DCEN = 1u << 10;
constexpr std::uint32_t ICRST = 1u << 11;
constexpr std::uint32_t DCRST = 1u << 12;
}  // namespace flash_acr

// FLASH_SR, RM0090 §3.9.4.
namespace flash_sr {
constexpr std::uint32_t EOP = 1u << 0;
constexpr std::uint32_t OPERR = 1u << 1;
constexpr std::uint32_t WRPERR = 1u << 4;
constexpr std::uint32_t PGAERR = 1u << 5;
constexpr std::uint32_t PGPERR = 1u << 6;
constexpr std::uint32_t PGSERR = 1u << 7;
constexpr std::uint32_t BSY = 1u << 16;
}  // namespace flash_sr

// FLASH_CR, RM0090 §3.9.5.
namespace flash_cr {
constexpr std::uint32_t PG = 1u << 0;
constexpr std::uint32_t SER = 1u << 1;
constexpr std::uint32_t MER = 1u << 2;
constexpr std::uint32_t SNB_MASK = 0xFu << 3;
constexpr std::uint32_t PSIZE_MASK = 0x3u << 8;
constexpr std::uint32_t STRT = 1u << 16;
constexpr std::uint32_t EOPIE = 1u << 24;
constexpr std::uint32_t ERRIE = 1u << 25;
constexpr std::uint32_t LOCK = 1u << 31;
}  // namespace flash_cr

// FLASH_OPTCR, RM0090 §3.9.6.
namespace flash_optcr {
constexpr std::uint32_t OPTLOCK = 1u << 0;
constexpr std::uint32_t OPTSTRT = 1u << 1;
constexpr std::uint32_t BOR_LEV_MASK = 0x3u << 2;
constexpr std::uint32_t USER_MASK = 0x7u << 5;  // WDG_SW, nRST_STOP, nRST_STDBY
constexpr std::uint32_t RDP_MASK = 0xFFu << 8;
constexpr std::uint32_t NWRP_MASK = 0xFFFu << 16;
}  // namespace flash_optcr

// Key values, RM0090 §3.5.2 and §3.6.2.
namespace flash_key {
constexpr std::uint32_t KEY1 = 0x45670123;
constexpr std::uint32_t KEY2 = 0xCDEF89AB;
constexpr std::uint32_t OPTKEY1 = 0x08192A3B;
constexpr std::uint32_t OPTKEY2 = 0x4C5D6E7F;
}  // namespace flash_key

class Stm32f4Flash final : public RegisterPeripheral {
  public:
    static constexpr std::uint32_t kBaseAddress = 0x40023C00;
    static constexpr std::uint32_t kBlockSize = 0x400;
    static constexpr std::uint64_t kHzPerWaitState = 30'000'000;  // Table 10, 2.7-3.6 V

    // Subscribes to the time base's clock changes (same lifetime rule as Stm32f4Pwr).
    explicit Stm32f4Flash(PeripheralContext& ctx);

    unsigned latency() const;  // FLASH_ACR.LATENCY, in wait states

    // A store of `bytes` bytes by the core to the flash memory (or its boot alias). The
    // flash interface takes it without a bus error; with FLASH_CR.PG = 0 (or locked) it
    // programs nothing and sets FLASH_SR.PGSERR (RM0090 §3.9.4). Programming itself
    // (PG = 1) is not modelled. Returns true: the store is absorbed, never performed.
    bool storeToFlash(std::uint32_t address, unsigned bytes);
    // Fewest wait states RM0090 Table 10 allows at this HCLK (2.7-3.6 V).
    static unsigned requiredLatency(std::uint64_t hclkHz);

  protected:
    void onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                 std::uint32_t written, std::uint32_t lanes) override;
    void onReset() override;

  private:
    // One key sequence (KEYR for FLASH_CR, OPTKEYR for FLASH_OPTCR).
    struct KeyLock {
        unsigned stage = 0;  // 0: expect key 1, 1: expect key 2
        bool lockedUntilReset = false;
    };
    void writeKey(KeyLock& lock, std::uint32_t lockRegister, std::uint32_t lockBit,
                  std::uint32_t key1, std::uint32_t key2, std::uint32_t written,
                  std::uint32_t lanes, const char* keyRegister, const char* lockedRegister);
    void writeAcr(std::uint32_t oldValue, std::uint32_t newValue);
    void writeCr(std::uint32_t oldValue, std::uint32_t newValue);
    void writeOptcr(std::uint32_t oldValue, std::uint32_t newValue);
    void checkLatency(std::uint64_t hclkHz);

    KeyLock crLock_;
    KeyLock optLock_;
};

}  // namespace cmsim
