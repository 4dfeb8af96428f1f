#include "FaultReport.h"

#include <fmt/format.h>

#include "Bus.h"
#include "Format.h"
#include "Nvic.h"
#include "SourceLines.h"
#include "SymbolTable.h"

namespace cmsim {

namespace {
struct Bit {
    unsigned bit;
    const char* name;
};
// ARM ARM B3.2.15 (MMFSR, BFSR, UFSR) and B3.2.16 (HFSR).
constexpr Bit kCfsrBits[] = {{0, "IACCVIOL"},    {1, "DACCVIOL"},  {3, "MUNSTKERR"}, {4, "MSTKERR"},
                             {5, "MLSPERR"},     {7, "MMARVALID"}, {8, "IBUSERR"},   {9, "PRECISERR"},
                             {10, "IMPRECISERR"}, {11, "UNSTKERR"}, {12, "STKERR"},   {13, "LSPERR"},
                             {15, "BFARVALID"},  {16, "UNDEFINSTR"}, {17, "INVSTATE"}, {18, "INVPC"},
                             {19, "NOCP"},       {24, "UNALIGNED"}, {25, "DIVBYZERO"}};
constexpr Bit kHfsrBits[] = {{1, "VECTTBL"}, {30, "FORCED"}, {31, "DEBUGEVT"}};

template <std::size_t N>
std::string decode(std::uint32_t v, const Bit (&bits)[N]) {
    std::string s;
    for (const auto& b : bits) {
        if (v & (1u << b.bit)) s += (s.empty() ? "" : " ") + std::string(b.name);
    }
    return s.empty() ? "none" : s;
}

template <std::size_t N>
std::optional<std::uint32_t> bitNamed(std::string_view name, const Bit (&bits)[N]) {
    for (const auto& b : bits) {
        if (name == b.name) return 1u << b.bit;
    }
    return std::nullopt;
}

std::string place(std::uint32_t pc, const SymbolTable& symbols, const SourceLines* sources) {
    const std::string symbol = symbols.describe(pc);
    // No symbol, no source line: DWARF keeps the line tables of functions the linker
    // discarded (--gc-sections) at address 0, where they would name a wrong line.
    if (symbol.rfind("0x", 0) == 0) return fmt::format("0x{:08x} (no symbol)", pc);
    std::string s = fmt::format("0x{:08x} {}", pc, symbol);
    if (sources != nullptr) {
        const std::string line = sources->lookup(pc);
        if (!line.empty()) s += " (" + line + ")";
    }
    return s;
}
}  // namespace

std::string decodeCfsr(std::uint32_t cfsr) { return decode(cfsr, kCfsrBits); }
std::string decodeHfsr(std::uint32_t hfsr) { return decode(hfsr, kHfsrBits); }
std::optional<std::uint32_t> cfsrBit(std::string_view name) {
    return bitNamed(name, kCfsrBits);
}
std::optional<std::uint32_t> hfsrBit(std::string_view name) {
    return bitNamed(name, kHfsrBits);
}

std::string formatFaultReport(const FaultEvent& f, Bus& bus, const SymbolTable& symbols,
                              const SourceLines* sources, const std::string& task) {
    std::string r;
    const std::string name = Nvic::exceptionName(f.fault);
    if (f.lockup) {
        r += fmt::format("cmsim: LOCKUP at {} ms (cycle {}): {} could not be taken\n", formatMs(f.time),
                         f.cycle, name);
    } else {
        r += fmt::format("cmsim: fault at {} ms (cycle {}): {}{}\n", formatMs(f.time), f.cycle, name,
                         f.taken == exc::kHardFault ? ", escalated to HardFault (not enabled or not "
                                                      "allowed to preempt)"
                                                    : "");
    }
    r += fmt::format("  what:    {}\n", f.what);
    r += fmt::format("  where:   {}\n", place(f.pc, symbols, sources));
    if (!task.empty()) r += fmt::format("  task:    {}\n", task);
    r += fmt::format("  CFSR:    0x{:08x} ({})\n  HFSR:    0x{:08x} ({})\n", f.cfsr, decodeCfsr(f.cfsr),
                     f.hfsr, decodeHfsr(f.hfsr));
    if (f.faultAddress) {
        r += fmt::format("  {:<9}0x{:08x}\n", f.fault == exc::kMemManage ? "MMFAR:" : "BFAR:", *f.faultAddress);
    }
    if (f.lockup) return r;
    // The frame the handler sees (PushStack order, B1.5.6), on the stack EXC_RETURN names.
    const std::uint32_t frame = f.frameAddress;
    static const char* const kNames[] = {"r0", "r1", "r2", "r3", "r12", "lr", "pc", "xpsr"};
    std::uint32_t words[8] = {};
    bool ok = true;
    for (unsigned i = 0; i < 8; ++i) {
        const auto w = bus.readPhysical(frame + 4 * i, 4);
        ok = ok && w.has_value();
        words[i] = w.value_or(0);
    }
    if (ok) {
        r += fmt::format("  stacked: frame at 0x{:08x}, EXC_RETURN 0x{:08x}\n          ", frame, f.excReturn);
        for (unsigned i = 0; i < 8; ++i) {
            r += fmt::format(" {}=0x{:08x}", kNames[i], words[i]);
            if (i == 3) r += "\n          ";
        }
        r += "\n";
        r += fmt::format("  backtrace:\n    #0 {}\n", place(f.pc, symbols, sources));
        // LR at the fault: the caller of the faulting function (when it has not saved LR
        // and called something else since). Good enough to orient; not a DWARF unwind.
        // Not when LR points at no code (a corrupted LR such as 0xdeadbeef): nothing to name.
        const std::uint32_t caller = (words[5] & ~1u) - 4;
        if ((words[5] & 1u) != 0 && (words[5] & 0xFFFFFFE0u) != 0xFFFFFFE0u &&
            symbols.describe(caller).rfind("0x", 0) != 0) {
            r += fmt::format(
                "    #1 {}  (the call before the stacked LR; LR may be stale in a "
                "function that called others)\n",
                place(caller, symbols, sources));
        }
    }
    return r;
}

}  // namespace cmsim
