#include "Tracer.h"

#include <capstone/capstone.h>
#include <fmt/format.h>

#include <array>
#include <vector>

#include "../ContextSwitchDetector.h"
#include "../Format.h"
#include "../Machine.h"

namespace cmsim {

std::optional<unsigned> parseTraceCategories(std::string_view list, std::string* error) {
    unsigned bits = 0;
    std::size_t pos = 0;
    while (pos <= list.size()) {
        const std::size_t comma = list.find(',', pos);
        const std::string_view name =
            list.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        if (name == "exc") bits |= trace::kExc;
        else if (name == "switch") bits |= trace::kSwitch;
        else if (name == "tick") bits |= trace::kTick;
        else if (name == "mmio") bits |= trace::kMmio;
        else if (name == "insn") bits |= trace::kInsn;
        else if (name == "all") bits |= trace::kExc | trace::kSwitch | trace::kTick | trace::kMmio | trace::kInsn;
        else {
            *error = fmt::format("unknown trace category '{}' (known: exc, switch, tick, mmio, insn, all)",
                                 name);
            return std::nullopt;
        }
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    return bits;
}

std::string formatTraceTime(Picoseconds t) {
    const std::uint64_t ns = (t + 500) / 1000;
    return fmt::format("{}.{:06}", ns / 1'000'000, ns % 1'000'000);
}

namespace {
constexpr int kTracedRegs[] = {UC_ARM_REG_R0,  UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3,
                               UC_ARM_REG_R4,  UC_ARM_REG_R5, UC_ARM_REG_R6, UC_ARM_REG_R7,
                               UC_ARM_REG_R8,  UC_ARM_REG_R9, UC_ARM_REG_R10, UC_ARM_REG_R11,
                               UC_ARM_REG_R12, UC_ARM_REG_SP, UC_ARM_REG_LR, UC_ARM_REG_XPSR};
constexpr const char* kTracedRegNames[] = {"r0", "r1", "r2",  "r3",  "r4",  "r5", "r6", "r7",
                                           "r8", "r9", "r10", "r11", "r12", "sp", "lr", "xpsr"};
using RegSnapshot = std::array<std::uint32_t, std::size(kTracedRegs)>;
}  // namespace

struct Tracer::Impl {
    Machine& m;
    const ContextSwitchDetector* switches;
    TraceOptions opt;
    std::ostream& out;
    csh capstone = 0;
    bool capstoneOk = false;
    // Instruction trace state: the line for an instruction is printed when the next one
    // starts, with the registers it changed.
    bool insnOn = false;
    bool havePending = false;
    std::uint32_t pendingAddr = 0;
    std::uint32_t pendingSize = 0;
    Cycles pendingCycle = 0;
    RegSnapshot before{};
    std::unique_ptr<TimedEvent> windowStart, windowEnd;

    Impl(Machine& machine, const ContextSwitchDetector* sw, TraceOptions o, std::ostream& os)
        : m(machine), switches(sw), opt(o), out(os) {}

    bool inWindow(Picoseconds t) const { return t >= opt.from && t <= opt.until; }

    void line(Cycles cycle, Picoseconds t, std::string_view cat, const std::string& text) {
        out << fmt::format("{:>16} {:>12}  {:<6} {}\n", formatTraceTime(t), cycle, cat, text);
    }

    std::string exceptionName(unsigned n) const {
        if (n >= exc::kFirstIrq) {
            const unsigned irq = n - exc::kFirstIrq;
            const auto& names = m.board().chip.irqNames;
            if (irq < names.size()) return fmt::format("IRQ {} {}", irq, names[irq]);
        }
        return Nvic::exceptionName(n);
    }
    std::string where(std::uint32_t pc) const { return m.core().describePc(pc); }

    void onException(const ExceptionEvent& e) {
        if (!inWindow(e.time)) return;
        flushInsn();
        const char* stack = (e.excReturn & 0x4u) != 0 ? "PSP" : "MSP";
        switch (e.kind) {
            case ExceptionEvent::Kind::Entry:
                line(e.cycle, e.time, "exc",
                     fmt::format("entry  {:<16} preempted {} frame {} 0x{:08x} EXC_RETURN 0x{:08x} "
                                 "latency {}",
                                 exceptionName(e.number), where(e.pc), stack, e.frameAddress,
                                 e.excReturn, e.latency));
                break;
            case ExceptionEvent::Kind::TailChain:
                line(e.cycle, e.time, "exc",
                     fmt::format("chain  {:<16} tail-chained, frame {} 0x{:08x} kept, EXC_RETURN "
                                 "0x{:08x} latency {}",
                                 exceptionName(e.number), stack, e.frameAddress, e.excReturn,
                                 e.latency));
                break;
            case ExceptionEvent::Kind::Return:
                line(e.cycle, e.time, "exc",
                     fmt::format("return {:<16} to {} frame {} 0x{:08x} EXC_RETURN 0x{:08x}",
                                 exceptionName(e.number), where(e.pc), stack, e.frameAddress,
                                 e.excReturn));
                break;
        }
    }

    void onSwitch(const ContextSwitch& s) {
        if (!inWindow(s.time)) return;
        flushInsn();
        const auto& tasks = switches->tasks();
        line(s.cycle, s.time, "switch",
             fmt::format("{} -> {}  via {}, {} cycles from trigger to first instruction",
                         tasks[s.fromTask].name, tasks[s.toTask].name,
                         exceptionName(s.triggerException), s.cycle - s.triggerCycle));
    }

    void onTick(const TickEvent& t) {
        if (!inWindow(t.time)) return;
        flushInsn();
        line(t.cycle, t.time, "tick", fmt::format("SysTick wrap #{}", t.count));
    }

    void onMmio(const MmioAccess& a) {
        const Picoseconds t = m.time().nowPicoseconds();
        if (!inWindow(t)) return;
        flushInsn();
        const std::string target = a.peripheral->qualifiedRegisterName(a.offset);
        const std::string fields = a.peripheral->describeValue(a.offset & ~3u, a.value, a.isWrite);
        line(m.time().now(), t, "mmio",
             fmt::format("{:<14} {} 0x{:0{}x}{}  [{}]", target, a.isWrite ? "<=" : "->", a.value,
                         a.width * 2, fields.empty() ? "" : " (" + fields + ")",
                         where(m.core().blockAddress())));
    }

    RegSnapshot snapshot() {
        RegSnapshot r{};
        for (std::size_t i = 0; i < r.size(); ++i) r[i] = m.unicorn().reg(kTracedRegs[i]);
        return r;
    }

    void printPending(const RegSnapshot& after) {
        // The hook is installed and removed at block boundaries: filter by the exact time.
        if (!inWindow(m.time().toPicoseconds(pendingCycle))) return;
        std::array<std::uint8_t, 4> bytes{};
        (void)m.unicorn().readMemory(pendingAddr, bytes.data(), pendingSize);
        std::string hex;
        for (std::uint32_t i = 0; i < pendingSize; i += 2) {
            hex += fmt::format("{:02x}{:02x}", bytes[i + 1], bytes[i]);  // halfwords as in listings
        }
        std::string text = "?";
        if (capstoneOk) {
            cs_insn* insn = nullptr;
            if (cs_disasm(capstone, bytes.data(), pendingSize, pendingAddr, 1, &insn) == 1) {
                text = fmt::format("{} {}", insn->mnemonic, insn->op_str);
                cs_free(insn, 1);
            }
        }
        std::string changed;
        for (std::size_t i = 0; i < after.size(); ++i) {
            if (after[i] != before[i]) changed += fmt::format(" {}=0x{:08x}", kTracedRegNames[i], after[i]);
        }
        const auto& sym = m.symbols();
        line(pendingCycle, m.time().toPicoseconds(pendingCycle), "insn",
             fmt::format("0x{:08x} {:<24} {:<9} {:<30}{}", pendingAddr, sym.describe(pendingAddr), hex,
                         text, changed));
    }

    void onInstruction(std::uint32_t addr, std::uint32_t size, Cycles cycle) {
        const RegSnapshot now = snapshot();
        if (havePending) printPending(now);
        havePending = true;
        pendingAddr = addr;
        pendingSize = std::min<std::uint32_t>(size, 4);
        pendingCycle = cycle;
        before = now;
    }

    void flushInsn() {
        if (!havePending) return;
        printPending(snapshot());
        havePending = false;
    }

    void setInsn(bool on) {
        if (on == insnOn) return;
        insnOn = on;
        if (on) {
            m.core().setInstructionHook(
                [this](std::uint32_t a, std::uint32_t s, Cycles c) { onInstruction(a, s, c); });
        } else {
            flushInsn();
            m.core().setInstructionHook({});
        }
    }

    // The instruction hook follows the time window: installed at `from`, removed after
    // `until`. Window edges are re-aimed when the firmware changes the clock.
    void armWindow() {
        auto aim = [this](TimedEvent& ev, Picoseconds at) {
            m.events().schedule(ev, std::max(m.time().now(), m.time().cyclesAt(at)));
        };
        windowStart = std::make_unique<TimedEvent>("trace.insn.start", [this, aim](Cycles) {
            if (m.time().nowPicoseconds() < opt.from) aim(*windowStart, opt.from);
            else setInsn(true);
        });
        windowEnd = std::make_unique<TimedEvent>("trace.insn.end", [this, aim](Cycles) {
            if (m.time().nowPicoseconds() < opt.until) aim(*windowEnd, opt.until);
            else setInsn(false);
        });
        if (opt.from == 0) setInsn(true);
        else aim(*windowStart, opt.from);
        if (opt.until != std::numeric_limits<Picoseconds>::max()) aim(*windowEnd, opt.until);
        m.signals().clocks.subscribe([this, aim](const ClockChange&) {
            if (windowStart->isScheduled()) aim(*windowStart, opt.from);
            if (windowEnd->isScheduled()) aim(*windowEnd, opt.until);
        });
    }
};

Tracer::Tracer(Machine& machine, const ContextSwitchDetector* switches, TraceOptions options,
               std::ostream& out)
    : impl_(std::make_unique<Impl>(machine, switches, options, out)) {
    Impl& i = *impl_;
    const unsigned c = options.categories;
    if (c & trace::kExc) {
        machine.signals().exceptions.subscribe([&i](const ExceptionEvent& e) { i.onException(e); });
    }
    if ((c & trace::kSwitch) && switches != nullptr) {
        machine.signals().switches.subscribe([&i](const ContextSwitch& s) { i.onSwitch(s); });
    }
    if (c & trace::kTick) machine.signals().ticks.subscribe([&i](const TickEvent& t) { i.onTick(t); });
    if (c & trace::kMmio) machine.bus().addMmioObserver([&i](const MmioAccess& a) { i.onMmio(a); });
    if (c & trace::kInsn) {
        i.capstoneOk = cs_open(CS_ARCH_ARM, static_cast<cs_mode>(CS_MODE_THUMB | CS_MODE_MCLASS),
                               &i.capstone) == CS_ERR_OK;
        i.armWindow();
    }
}

Tracer::~Tracer() {
    flush();
    if (impl_->capstoneOk) cs_close(&impl_->capstone);
}

void Tracer::flush() {
    impl_->flushInsn();
    impl_->out.flush();
}

}  // namespace cmsim
