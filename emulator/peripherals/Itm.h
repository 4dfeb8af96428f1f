#pragma once
// Instrumentation Trace Macrocell (ARMv7-M ARM C1.7; CoreSight ITM): 32 stimulus ports
// whose writes become trace output (ITM_SendChar / SWO printf). A stimulus port reads
// FIFOREADY (1) while the ITM is enabled, so firmware that polls it never hangs; writes
// emit 1, 2 or 4 bytes when DEMCR.TRCENA, TCR.ITMENA and the port's TER bit are set.
// The software lock (LAR/LSR) is modelled: TER/TPR/TCR ignore writes while locked.
#include <functional>

#include "RegisterPeripheral.h"

namespace cmsim {

class Itm : public RegisterPeripheral {
public:
    static constexpr std::uint32_t kTer = 0xE00, kTpr = 0xE40, kTcr = 0xE80, kLar = 0xFB0, kLsr = 0xFB4;
    static constexpr std::uint32_t kUnlockKey = 0xC5ACCE55;
    // `enableTrace` sets DEMCR.TRCENA, as a debugger does when it sets up SWO.
    Itm(PeripheralContext& ctx, std::function<bool()> traceEnabled, std::function<void()> enableTrace = {});

    std::uint32_t read(std::uint32_t offset, unsigned width) override;
    void write(std::uint32_t offset, unsigned width, std::uint32_t value) override;
    // What a debugger does when it sets up SWO (e.g. OpenOCD's `itm ports on`): set
    // DEMCR.TRCENA, enable the ITM and every port, bypassing the software lock. Like a
    // debugger that re-applies its trace set-up after each reset, it stays in effect
    // across resets (so it may be called before the power-on reset).
    void enableAsDebugger();
    std::uint64_t bytesEmitted() const { return bytes_; }

protected:
    void onReset() override;

private:
    bool enabled() const;
    void applyDebuggerSetUp();
    std::function<bool()> traceEnabled_;
    std::function<void()> enableTrace_;
    bool debuggerSwo_ = false;
    bool locked_ = true;
    std::uint64_t bytes_ = 0;
};

}  // namespace cmsim
