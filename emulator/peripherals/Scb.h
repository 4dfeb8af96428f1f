#pragma once
// System Control Block registers at 0xE000ED00 (ARM ARM B3.2.2, Table B3-4), plus the
// FPU registers at 0xE000EF34.. that sit in the same part of the SCS. Exception state
// lives in Nvic; this model is its register view (ICSR, SHPRn, SHCSR, AIRCR.PRIGROUP).
#include <functional>
#include <vector>

#include "../CoreConfig.h"
#include "../Nvic.h"
#include "RegisterPeripheral.h"

namespace cmsim {

// The SCB's register table depends on the core (CPUID, FPU, M7 cache registers), so each
// SCB owns its table; this base is initialised first so the table outlives the span that
// RegisterPeripheral keeps on it.
struct ScbRegisterTable {
    std::vector<RegisterSpec> table;
    static std::vector<RegisterSpec> build(const CoreConfig& core);
};

class Scb : private ScbRegisterTable, public RegisterPeripheral {
public:
    struct Hooks {
        std::function<std::uint32_t()> currentIpsr;  // VECTACTIVE
        std::function<void()> requestSystemReset;    // AIRCR.SYSRESETREQ
    };
    // Offsets inside this block (base 0xE000ED00).
    static constexpr std::uint32_t kCpuid = 0x00, kIcsr = 0x04, kVtor = 0x08, kAircr = 0x0C,
                                   kScr = 0x10, kCcr = 0x14, kShpr1 = 0x18, kShpr2 = 0x1C,
                                   kShpr3 = 0x20, kShcsr = 0x24, kCfsr = 0x28, kHfsr = 0x2C,
                                   kDfsr = 0x30, kMmfar = 0x34, kBfar = 0x38, kAfsr = 0x3C,
                                   kCpacr = 0x88, kFpccr = 0x234, kFpcar = 0x238,
                                   kFpdscr = 0x23C;
    static constexpr std::uint32_t kSize = 0x290;

    Scb(PeripheralContext& ctx, const CoreConfig& core, Nvic& nvic, Hooks hooks);

    // Read on every exception entry and return (and CCR before every block): straight
    // from the register's storage, no lookup.
    std::uint32_t vtor() const { return *vtor_; }
    std::uint32_t scr() const { return *scr_; }
    std::uint32_t ccr() const { return *ccr_; }
    std::uint32_t fpccr() const { return value(kFpccr); }
    void setFpccr(std::uint32_t v) { setValue(kFpccr, v); }
    void setFpcar(std::uint32_t v) { setValue(kFpcar, v); }
    std::uint32_t fpdscr() const { return value(kFpdscr); }

protected:
    std::uint32_t onRead(const RegisterSpec& reg, std::uint32_t stored) override;
    void onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                 std::uint32_t written, std::uint32_t lanes) override;
    void onReset() override;

private:
    static unsigned shprException(std::uint32_t offset, unsigned byte) {
        return 4 + (offset - kShpr1) + byte;  // SHPR1 byte 0 is MemManage (4)
    }
    Nvic& nvic_;
    Hooks hooks_;
    const std::uint32_t* vtor_ = &storage(kVtor);
    const std::uint32_t* scr_ = &storage(kScr);
    const std::uint32_t* ccr_ = &storage(kCcr);
};

}  // namespace cmsim
