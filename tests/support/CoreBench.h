#pragma once
// The Cortex-M core's own units without Unicorn: the exception state (Nvic) and its
// register views in the System Control Space (SCB, NVIC, SysTick), wired as the Machine
// wires them, on a clock the test moves. Register accesses go by offset inside each
// block, as firmware's do (SCB at 0xE000ED00, NVIC at 0xE000E100, SysTick at 0xE000E010).
#include <cstdint>
#include <string_view>
#include <vector>

#include "CoreConfig.h"
#include "Diagnostics.h"
#include "EventQueue.h"
#include "Nvic.h"
#include "Signals.h"
#include "TimeBase.h"
#include "boards/Boards.h"
#include "peripherals/NvicRegisters.h"
#include "peripherals/Peripheral.h"
#include "peripherals/Scb.h"
#include "peripherals/SysTick.h"

namespace cmsim::test {

struct CoreBench {
    explicit CoreBench(const CoreConfig& coreConfig = stm32f407Chip().core,
                       std::uint64_t cpuHz = 16'000'000)
        : core(coreConfig), time(cpuHz) {}

    // Moves time forward by n cycles, running every event at its own due cycle (as the
    // core does at block boundaries), so callbacks see the cycle they were scheduled for.
    void advance(Cycles n) {
        const Cycles target = time.now() + n;
        while (events.nextDue() <= target) {
            time.advanceTo(events.nextDue());
            events.runDue(time.now());
        }
        time.advanceTo(target);
    }

    std::size_t mistakes(std::string_view text = {}) const {
        std::size_t n = 0;
        for (const auto& d : diag.all()) {
            if (d.kind == DiagnosticKind::FirmwareMistake &&
                d.message.find(text) != std::string::npos) {
                ++n;
            }
        }
        return n;
    }

    const CoreConfig& core;
    TimeBase time;
    EventQueue events;
    Diagnostics diag;
    Signals signals;
    Nvic nvic{core.numIrqs, core.priorityBits};
    PeripheralContext ctx{time, events, diag, signals,
                          [this](unsigned irq) { nvic.setPending(exc::kFirstIrq + irq); }};

    // What the core would report through the SCB hooks.
    std::uint32_t ipsr = 0;
    unsigned systemResetRequests = 0;
    // Cycle of every SysTick exception request, in order.
    std::vector<Cycles> sysTickPends;

    Scb scb{ctx, core, nvic,
            Scb::Hooks{[this] { return ipsr; }, [this] { ++systemResetRequests; }}};
    NvicRegisters nvicRegs{ctx, nvic};
    SysTick sysTick{ctx, SysTick::Config{core.systickCalib, core.systickExternalDivider}, [this] {
                        sysTickPends.push_back(time.now());
                        nvic.setPending(exc::kSysTick);
                    }};
};

}  // namespace cmsim::test
