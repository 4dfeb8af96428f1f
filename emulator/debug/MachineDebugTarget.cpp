#include "MachineDebugTarget.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "../Format.h"

namespace cmsim {

namespace {
// Register numbering, as in the target description below: r0-r12, sp, lr, pc (0-15),
// xpsr (16), msp, psp, primask, basepri, faultmask, control (17-22), then with an FPU
// d0-d15 (23-38) and fpscr (39).
constexpr unsigned kXpsr = 16, kMsp = 17, kControl = 22, kD0 = 23, kFpscr = 39;
constexpr int kSystemRegs[] = {UC_ARM_REG_MSP, UC_ARM_REG_PSP, UC_ARM_REG_PRIMASK,
                               UC_ARM_REG_BASEPRI, UC_ARM_REG_FAULTMASK, UC_ARM_REG_CONTROL};
constexpr const char* kSystemNames[] = {"msp", "psp", "primask", "basepri", "faultmask", "control"};
constexpr unsigned kStepChunkCycles = 1;
}  // namespace

MachineDebugTarget::MachineDebugTarget(Machine& machine, Cycles runUntil)
    : m_(machine), runUntil_(runUntil), hasFpu_(machine.board().chip.core.mvfr0 != 0) {}

MachineDebugTarget::MachineDebugTarget(Machine& machine, SimulatedTime runUntil)
    : m_(machine), runUntil_(0), runUntilTime_(runUntil.value), hasFpu_(machine.board().chip.core.mvfr0 != 0) {}

Cycles MachineDebugTarget::runLimit() const {
    return runUntilTime_ ? m_.time().cyclesAt(*runUntilTime_) : runUntil_;
}

MachineDebugTarget::~MachineDebugTarget() {
    for (auto& [addr, id] : breakpoints_) m_.core().unwatchExecution(id);
    for (auto& w : watchpoints_) uc_hook_del(m_.unicorn().get(), w->hook);
}

std::string MachineDebugTarget::targetXml() const {
    // GDB's standard ARM M-profile features (gdb/features/arm/arm-m-profile.xml,
    // arm-m-system.xml, arm-vfpv2.xml), written out here with explicit regnums.
    std::string x =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target>\n"
        "<architecture>arm</architecture>\n<feature name=\"org.gnu.gdb.arm.m-profile\">\n";
    for (unsigned i = 0; i < 13; ++i) {
        x += fmt::format("<reg name=\"r{}\" bitsize=\"32\" regnum=\"{}\"/>\n", i, i);
    }
    x += "<reg name=\"sp\" bitsize=\"32\" type=\"data_ptr\" regnum=\"13\"/>\n"
         "<reg name=\"lr\" bitsize=\"32\" regnum=\"14\"/>\n"
         "<reg name=\"pc\" bitsize=\"32\" type=\"code_ptr\" regnum=\"15\"/>\n"
         "<reg name=\"xpsr\" bitsize=\"32\" regnum=\"16\"/>\n</feature>\n"
         "<feature name=\"org.gnu.gdb.arm.m-system\">\n";
    for (unsigned i = 0; i < std::size(kSystemNames); ++i) {
        x += fmt::format("<reg name=\"{}\" bitsize=\"32\" regnum=\"{}\" group=\"system\"/>\n",
                         kSystemNames[i], kMsp + i);
    }
    x += "</feature>\n";
    if (hasFpu_) {
        x += "<feature name=\"org.gnu.gdb.arm.vfp\">\n";
        for (unsigned i = 0; i < 16; ++i) {
            x += fmt::format("<reg name=\"d{}\" bitsize=\"64\" type=\"ieee_double\" regnum=\"{}\"/>\n", i,
                             kD0 + i);
        }
        x += fmt::format("<reg name=\"fpscr\" bitsize=\"32\" type=\"int\" group=\"float\" regnum=\"{}\"/>\n",
                         kFpscr);
        x += "</feature>\n";
    }
    x += "</target>\n";
    return x;
}

unsigned MachineDebugTarget::registerCount() const { return hasFpu_ ? kFpscr + 1 : kControl + 1; }

unsigned MachineDebugTarget::registerSize(unsigned regno) const {
    return hasFpu_ && regno >= kD0 && regno < kFpscr ? 8 : 4;
}

bool MachineDebugTarget::readRegister(unsigned regno, std::vector<std::uint8_t>& out) {
    if (regno >= registerCount()) return false;
    Unicorn& uc = m_.unicorn();
    std::uint64_t v = 0;
    if (regno < 13) v = uc.reg(UC_ARM_REG_R0 + static_cast<int>(regno));
    else if (regno == 13) v = uc.reg(UC_ARM_REG_SP);
    else if (regno == 14) v = uc.reg(UC_ARM_REG_LR);
    else if (regno == 15) v = m_.core().pc();
    else if (regno == kXpsr) v = uc.reg(UC_ARM_REG_XPSR);
    else if (regno <= kControl) v = uc.reg(kSystemRegs[regno - kMsp]);
    else if (regno < kFpscr) uc_reg_read(uc.get(), UC_ARM_REG_D0 + static_cast<int>(regno - kD0), &v);
    else v = uc.reg(UC_ARM_REG_FPSCR);
    const unsigned size = registerSize(regno);
    out.resize(size);
    std::memcpy(out.data(), &v, size);  // little-endian host and target
    return true;
}

bool MachineDebugTarget::writeRegister(unsigned regno, std::span<const std::uint8_t> value) {
    if (regno >= registerCount() || value.size() != registerSize(regno)) return false;
    std::uint64_t v = 0;
    std::memcpy(&v, value.data(), value.size());
    Unicorn& uc = m_.unicorn();
    const auto v32 = static_cast<std::uint32_t>(v);
    if (regno < 13) uc.setReg(UC_ARM_REG_R0 + static_cast<int>(regno), v32);
    else if (regno == 13) uc.setReg(UC_ARM_REG_SP, v32);
    else if (regno == 14) uc.setReg(UC_ARM_REG_LR, v32);
    else if (regno == 15) m_.core().setPc(v32);
    else if (regno == kXpsr) uc.setReg(UC_ARM_REG_XPSR_NZCVQG, v32);
    else if (regno <= kControl) uc.setReg(kSystemRegs[regno - kMsp], v32);
    else if (regno < kFpscr) uc_reg_write(uc.get(), UC_ARM_REG_D0 + static_cast<int>(regno - kD0), &v);
    else uc.setReg(UC_ARM_REG_FPSCR, v32);
    return true;
}

bool MachineDebugTarget::readMemory(std::uint32_t address, std::span<std::uint8_t> out) {
    Bus& bus = m_.bus();
    std::size_t i = 0;
    while (i < out.size()) {
        const std::uint32_t a = address + static_cast<std::uint32_t>(i);
        const std::size_t left = out.size() - i;
        // Memory: straight from the backing store. Peripherals: aligned words through the
        // models where possible (registers are word-sized), else bytes.
        if (const std::uint8_t* p = bus.hostPointer(a, 1)) {
            std::size_t n = 1;
            while (n < left && bus.hostPointer(a + static_cast<std::uint32_t>(n), 1) == p + n) ++n;
            std::memcpy(out.data() + i, p, n);
            i += n;
            continue;
        }
        const unsigned width = (a % 4 == 0 && left >= 4) ? 4 : 1;
        const auto v = bus.readPhysical(a, width);
        if (!v) return false;
        std::memcpy(out.data() + i, &*v, width);
        i += width;
    }
    return true;
}

bool MachineDebugTarget::writeMemory(std::uint32_t address, std::span<const std::uint8_t> data) {
    Bus& bus = m_.bus();
    std::size_t i = 0;
    while (i < data.size()) {
        const std::uint32_t a = address + static_cast<std::uint32_t>(i);
        const std::size_t left = data.size() - i;
        const unsigned width = (a % 4 == 0 && left >= 4) ? 4 : 1;
        std::uint32_t v = 0;
        std::memcpy(&v, data.data() + i, width);
        if (!bus.writePhysical(a, width, v)) return false;
        i += width;
    }
    // Code may have changed (a debugger loading or patching): retranslate it.
    uc_ctl_remove_cache(m_.unicorn().get(), address, std::uint64_t{address} + data.size());
    return true;
}

bool MachineDebugTarget::insertBreakpoint(std::uint32_t address) {
    address &= ~1u;
    if (breakpoints_.count(address) != 0) return true;
    if (m_.bus().hostPointer(address, 2) == nullptr) return false;
    breakpoints_[address] = m_.core().watchExecution(address, [this](std::uint32_t a, Cycles c) {
        if (skipBreakpointAt_ && *skipBreakpointAt_ == a && c == resumeCycle_) {
            skipBreakpointAt_.reset();  // the instruction we were halted on: execute it
            return;
        }
        hit_ = DebugStop{DebugStop::Kind::Breakpoint, 5, std::nullopt, WatchKind::Write, ""};
        m_.core().haltBefore(a, "breakpoint");
    });
    return true;
}

bool MachineDebugTarget::removeBreakpoint(std::uint32_t address) {
    auto it = breakpoints_.find(address & ~1u);
    if (it == breakpoints_.end()) return false;
    m_.core().unwatchExecution(it->second);
    breakpoints_.erase(it);
    return true;
}

void MachineDebugTarget::onWatchedAccess(uc_engine*, uc_mem_type type, std::uint64_t address,
                                         int /*size*/, std::int64_t /*value*/, void* user) {
    auto* self = static_cast<MachineDebugTarget*>(user);
    for (const auto& w : self->watchpoints_) {
        const auto a = static_cast<std::uint32_t>(address);
        if (a + 4 <= w->address || a >= w->address + w->length) continue;
        const bool isWrite = type == UC_MEM_WRITE;
        if ((w->kind == WatchKind::Write && !isWrite) || (w->kind == WatchKind::Read && isWrite)) continue;
        if (!self->hit_) {
            self->hit_ = DebugStop{DebugStop::Kind::Watchpoint, 5, w->address, w->kind, ""};
        }
        // Unicorn must not be stopped from a memory hook (the block would re-run): the
        // core halts at the next block boundary.
        self->m_.core().requestStop(CoreStop{CoreStop::Reason::Halted, "watchpoint", 0});
        return;
    }
}

bool MachineDebugTarget::insertWatchpoint(std::uint32_t address, std::uint32_t length, WatchKind kind) {
    if (length == 0 || length > 0x10000) return false;
    auto w = std::make_unique<Watchpoint>(Watchpoint{address, length, kind, 0});
    const int type = kind == WatchKind::Write  ? UC_HOOK_MEM_WRITE
                     : kind == WatchKind::Read ? UC_HOOK_MEM_READ
                                               : UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE;
    // Memory hooks slow every load and store down (Unicorn's slow path); they exist only
    // while a watchpoint is set.
    if (uc_hook_add(m_.unicorn().get(), &w->hook, type,
                    reinterpret_cast<void*>(&MachineDebugTarget::onWatchedAccess), this, address,
                    std::uint64_t{address} + length - 1) != UC_ERR_OK) {
        return false;
    }
    watchpoints_.push_back(std::move(w));
    return true;
}

bool MachineDebugTarget::removeWatchpoint(std::uint32_t address, std::uint32_t length, WatchKind kind) {
    for (auto it = watchpoints_.begin(); it != watchpoints_.end(); ++it) {
        if ((*it)->address == address && (*it)->length == length && (*it)->kind == kind) {
            uc_hook_del(m_.unicorn().get(), (*it)->hook);
            watchpoints_.erase(it);
            return true;
        }
    }
    return false;
}

DebugStop MachineDebugTarget::runSlices(const std::function<bool()>& interruptRequested) {
    // Slices of about a millisecond of simulated time: between them the debugger's
    // interrupt is polled. Simulated time does not depend on the slicing.
    while (true) {
        const Cycles sliceCycles = std::max<Cycles>(m_.time().cpuHz() / 1000, 1);
        const Cycles limit = runLimit();
        const Cycles until = std::min(limit, m_.time().now() + sliceCycles);
        const CoreStop stop = m_.run(until);
        if (hit_) {
            DebugStop s = *hit_;
            hit_.reset();
            return s;
        }
        switch (stop.reason) {
            case CoreStop::Reason::TimeLimit:
                if (m_.time().now() >= runLimit()) {
                    finished_ = true;
                    lastStop_ = stop;
                    return DebugStop{DebugStop::Kind::Finished, 0, std::nullopt, WatchKind::Write,
                                     "the run reached its time limit"};
                }
                if (interruptRequested && interruptRequested()) {
                    return DebugStop{DebugStop::Kind::Interrupted, 2, std::nullopt, WatchKind::Write, ""};
                }
                continue;
            case CoreStop::Reason::Breakpoint:
                return DebugStop{DebugStop::Kind::Breakpoint, 5, std::nullopt, WatchKind::Write, stop.message};
            case CoreStop::Reason::Halted:
                return DebugStop{DebugStop::Kind::Step, 5, std::nullopt, WatchKind::Write, stop.message};
            default: {
                finished_ = true;
                lastStop_ = stop;
                const bool undef = stop.message.find("UNDEFINSTR") != std::string::npos ||
                                   stop.message.find("INVSTATE") != std::string::npos;
                const bool bus = stop.message.find("BusFault") != std::string::npos;
                return DebugStop{DebugStop::Kind::Fault, undef ? 4 : bus ? 7 : 11, std::nullopt,
                                 WatchKind::Write, stop.message};
            }
        }
    }
}

DebugStop MachineDebugTarget::resume(bool step, const std::function<bool()>& interruptRequested) {
    if (finished_) {
        return DebugStop{DebugStop::Kind::Finished, 0, std::nullopt, WatchKind::Write, "the run is over"};
    }
    CortexM& core = m_.core();
    resumeCycle_ = m_.time().now();
    skipBreakpointAt_ = core.pc();
    hit_.reset();
    if (!step) return runSlices(interruptRequested);

    // A step with an exception pending ends on the handler's first instruction, not yet
    // executed, as a halted Cortex-M steps (C1.5, DHCSR.C_STEP).
    if (core.takePendingException()) {
        return DebugStop{DebugStop::Kind::Step, 5, std::nullopt, WatchKind::Write, ""};
    }
    // Execute one instruction: halt before the second one the core starts.
    unsigned seen = 0;
    core.setInstructionHook([this, &seen](std::uint32_t address, std::uint32_t, Cycles) {
        if (++seen == 2) m_.core().haltBefore(address, "step");
    });
    DebugStop s = runSlices(interruptRequested);
    core.setInstructionHook({});
    if (s.kind == DebugStop::Kind::Breakpoint && seen >= 2) s.kind = DebugStop::Kind::Step;
    (void)kStepChunkCycles;
    return s;
}

void MachineDebugTarget::reset() {
    m_.systemReset();
    finished_ = false;
}

std::string MachineDebugTarget::monitor(const std::string& command) {
    if (command == "help") {
        return "cmsim monitor commands:\n  reset   system reset, halt at the reset vector\n"
               "  time    simulated time and cycle count\n  help    this text\n";
    }
    if (command == "time" || command == "cycles") {
        return fmt::format("{} s simulated, cycle {}, core clock {}\n",
                           formatSeconds(m_.time().nowPicoseconds()), m_.time().now(),
                           formatHz(m_.time().cpuHz()));
    }
    return {};
}

}  // namespace cmsim
