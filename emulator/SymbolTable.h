#pragma once
// The firmware's symbols, for turning addresses into names in diagnostics
// ("PC 0x08000214 (main+0x1c)") and names into addresses (scenarios, tests).
//
// Filled by ElfImage from .symtab (or .dynsym); usable on its own for tests. Lookups are
// binary searches over tables built once by finalize(), because describe() runs for
// every diagnostic.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cmsim {

struct Symbol {
    std::string name;
    std::uint32_t address;  // st_value, with the Thumb bit cleared for functions
    std::uint32_t size;     // st_size; 0 when unknown
    bool isFunction;        // STT_FUNC
    // STB_WEAK: startup code makes every vector a weak alias of Default_Handler; the
    // strong name is the one to show for that address.
    bool isWeak = false;
};

class SymbolTable {
public:
    // Collect symbols, then call finalize() once after the last add(): queries see the
    // symbols present at the most recent finalize(). When several symbols share a name,
    // byName() returns the one added first.
    void add(Symbol symbol);
    void finalize();

    // Exact name match.
    std::optional<Symbol> byName(std::string_view name) const;

    // The symbol whose [address, address + max(size, 1)) contains `addr`, functions
    // preferred over data; failing that, the nearest function starting at most 4 KiB
    // below. The Thumb bit (bit 0) of `addr` is ignored when matching functions; data
    // symbols are matched at the exact byte address. nullptr when nothing fits. The
    // pointer stays valid until the next add()/finalize().
    const Symbol* containing(std::uint32_t addr) const;

    // "main+0x1c", "main" (at its first byte), or "0x08001234" when no symbol fits.
    // Offsets into functions are counted from the address with the Thumb bit cleared.
    std::string describe(std::uint32_t addr) const;

    // Finalized symbols, sorted by address.
    const std::vector<Symbol>& all() const { return symbols_; }
    std::size_t size() const { return symbols_.size(); }
    bool empty() const { return symbols_.empty(); }

private:
    // An address range [start, end) throughout which `symbol` is the best cover.
    struct Span {
        std::uint64_t start;
        std::uint64_t end;
        std::uint32_t symbol;  // index into symbols_
    };

    const Symbol* cover(std::uint32_t addr) const;

    std::vector<Symbol> pending_;           // added, not yet finalized (insertion order)
    std::vector<Symbol> symbols_;           // sorted by address
    std::vector<std::uint32_t> order_;      // insertion rank of symbols_[i]
    std::vector<std::uint32_t> byName_;     // indices into symbols_, by (name, rank)
    std::vector<std::uint32_t> functions_;  // indices of functions, by address
    std::vector<Span> spans_;               // disjoint, sorted by start
};

}  // namespace cmsim
