#pragma once
// A machine with a fault handler (`b .`) at a known address for each fault, NMI and
// SysTick, and every FaultEvent recorded: for tests of what the fault model did.
#include <vector>

#include "MachineFixture.h"
#include "ScbRegisters.h"

namespace cmsim::testing {

class FaultFixture : public MachineFixture {
  protected:
    static constexpr std::uint32_t kThread = 0x08000100;
    static constexpr std::uint32_t kHardFault = 0x08000200;
    static constexpr std::uint32_t kBusFault = 0x08000240;
    static constexpr std::uint32_t kUsageFault = 0x08000280;
    static constexpr std::uint32_t kSysTick = 0x080002C0;
    static constexpr std::uint32_t kPendSv = 0x08000300;
    static constexpr std::uint32_t kNmi = 0x08000340;

    std::vector<FaultEvent> faults;

    FaultFixture() {
        m.signals().faults.subscribe([this](const FaultEvent& f) { faults.push_back(f); });
    }
    // `b .` at every handler and in Thread mode, with their vectors.
    void installHandlers() {
        for (std::uint32_t h :
             {kThread, kHardFault, kBusFault, kUsageFault, kSysTick, kPendSv, kNmi}) {
            code(h, {thumb::kBSelf});
        }
        vector(2, kNmi);
        vector(3, kHardFault);
        vector(5, kBusFault);
        vector(6, kUsageFault);
        vector(14, kPendSv);
        vector(15, kSysTick);
    }
};

}  // namespace cmsim::testing
