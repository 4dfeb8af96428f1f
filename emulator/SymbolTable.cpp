#include "SymbolTable.h"

#include <algorithm>
#include <numeric>
#include <set>

#include <fmt/format.h>

namespace cmsim {

namespace {

constexpr std::uint32_t kNearestFunctionReach = 0x1000;  // 4 KiB

std::uint64_t endOf(const Symbol& s) {
    return std::uint64_t{s.address} + std::max<std::uint32_t>(s.size, 1);
}

}  // namespace

void SymbolTable::add(Symbol symbol) {
    pending_.push_back(std::move(symbol));
}

void SymbolTable::finalize() {
    // Merge the new symbols in, ranked after everything added before.
    std::uint32_t nextRank = static_cast<std::uint32_t>(order_.size());
    for (Symbol& s : pending_) {
        symbols_.push_back(std::move(s));
        order_.push_back(nextRank++);
    }
    pending_.clear();

    // Sort by address; at one address functions first, sized before unsized, strong before
    // weak, then in insertion order. Sorting a permutation keeps symbols_ and order_ in step.
    std::vector<std::uint32_t> perm(symbols_.size());
    std::iota(perm.begin(), perm.end(), 0u);
    std::sort(perm.begin(), perm.end(), [&](std::uint32_t a, std::uint32_t b) {
        const Symbol& x = symbols_[a];
        const Symbol& y = symbols_[b];
        if (x.address != y.address) return x.address < y.address;
        if (x.isFunction != y.isFunction) return x.isFunction;
        if ((x.size == 0) != (y.size == 0)) return x.size != 0;
        if (x.isWeak != y.isWeak) return !x.isWeak;
        return order_[a] < order_[b];
    });
    std::vector<Symbol> sorted;
    std::vector<std::uint32_t> sortedOrder;
    sorted.reserve(perm.size());
    sortedOrder.reserve(perm.size());
    for (std::uint32_t i : perm) {
        sorted.push_back(std::move(symbols_[i]));
        sortedOrder.push_back(order_[i]);
    }
    symbols_ = std::move(sorted);
    order_ = std::move(sortedOrder);
    const auto count = static_cast<std::uint32_t>(symbols_.size());

    // Name index: by name, then insertion rank (byName() returns the earliest added).
    byName_.resize(count);
    std::iota(byName_.begin(), byName_.end(), 0u);
    std::sort(byName_.begin(), byName_.end(), [&](std::uint32_t a, std::uint32_t b) {
        if (symbols_[a].name != symbols_[b].name) return symbols_[a].name < symbols_[b].name;
        return order_[a] < order_[b];
    });

    // Functions, by address (already in symbols_ order).
    functions_.clear();
    for (std::uint32_t i = 0; i < count; ++i) {
        if (symbols_[i].isFunction) functions_.push_back(i);
    }

    // Covering spans: sweep over every start and end, keeping the symbols that cover the
    // current elementary range in a set ordered best-first (functions, then sized
    // symbols, then the innermost = latest start, then the smallest, then strong before
    // weak, then the earliest added).
    std::vector<std::uint64_t> points;
    points.reserve(2 * std::size_t{count});
    for (const Symbol& s : symbols_) {
        points.push_back(s.address);
        points.push_back(endOf(s));
    }
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());

    std::vector<std::uint32_t> byEnd(count);
    std::iota(byEnd.begin(), byEnd.end(), 0u);
    std::sort(byEnd.begin(), byEnd.end(), [&](std::uint32_t a, std::uint32_t b) {
        return endOf(symbols_[a]) < endOf(symbols_[b]);
    });

    auto better = [this](std::uint32_t a, std::uint32_t b) {
        const Symbol& x = symbols_[a];
        const Symbol& y = symbols_[b];
        if (x.isFunction != y.isFunction) return x.isFunction;
        if ((x.size == 0) != (y.size == 0)) return x.size != 0;
        if (x.address != y.address) return x.address > y.address;
        if (endOf(x) != endOf(y)) return endOf(x) < endOf(y);
        if (x.isWeak != y.isWeak) return !x.isWeak;
        return order_[a] < order_[b];
    };
    std::set<std::uint32_t, decltype(better)> active(better);

    spans_.clear();
    std::size_t nextStart = 0;
    std::size_t nextEnd = 0;
    for (std::size_t k = 0; k + 1 < points.size(); ++k) {
        const std::uint64_t p = points[k];
        while (nextEnd < byEnd.size() && endOf(symbols_[byEnd[nextEnd]]) <= p) {
            active.erase(byEnd[nextEnd++]);
        }
        while (nextStart < symbols_.size() && symbols_[nextStart].address <= p) {
            active.insert(static_cast<std::uint32_t>(nextStart++));
        }
        if (active.empty()) continue;
        const std::uint32_t best = *active.begin();
        if (!spans_.empty() && spans_.back().end == p && spans_.back().symbol == best) {
            spans_.back().end = points[k + 1];
        } else {
            spans_.push_back(Span{p, points[k + 1], best});
        }
    }
}

std::optional<Symbol> SymbolTable::byName(std::string_view name) const {
    auto it = std::lower_bound(
        byName_.begin(), byName_.end(), name,
        [this](std::uint32_t i, std::string_view n) { return symbols_[i].name < n; });
    if (it == byName_.end() || symbols_[*it].name != name) return std::nullopt;
    return symbols_[*it];
}

const Symbol* SymbolTable::cover(std::uint32_t addr) const {
    // The last span starting at or below addr, if it reaches addr.
    auto it = std::upper_bound(spans_.begin(), spans_.end(), std::uint64_t{addr},
                               [](std::uint64_t a, const Span& s) { return a < s.start; });
    if (it == spans_.begin()) return nullptr;
    --it;
    if (addr >= it->end) return nullptr;
    return &symbols_[it->symbol];
}

const Symbol* SymbolTable::containing(std::uint32_t addr) const {
    const std::uint32_t codeAddr = addr & ~std::uint32_t{1};
    if (codeAddr != addr) {
        const Symbol* f = cover(codeAddr);
        if (f != nullptr && f->isFunction) return f;
    }
    if (const Symbol* s = cover(addr)) return s;

    // Nearest function starting at or below, within reach.
    auto it = std::upper_bound(
        functions_.begin(), functions_.end(), codeAddr,
        [this](std::uint32_t a, std::uint32_t i) { return a < symbols_[i].address; });
    if (it == functions_.begin()) return nullptr;
    const std::uint32_t start = symbols_[*std::prev(it)].address;
    if (codeAddr - start >= kNearestFunctionReach) return nullptr;
    // The first (preferred) function at that address.
    auto first = std::lower_bound(
        functions_.begin(), it, start,
        [this](std::uint32_t i, std::uint32_t a) { return symbols_[i].address < a; });
    return &symbols_[*first];
}

std::string SymbolTable::describe(std::uint32_t addr) const {
    const Symbol* s = containing(addr);
    if (s == nullptr) return fmt::format("0x{:08x}", addr);
    const std::uint32_t base = s->isFunction ? (addr & ~std::uint32_t{1}) : addr;
    const std::uint32_t offset = base >= s->address ? base - s->address : 0;
    if (offset == 0) return s->name;
    return fmt::format("{}+0x{:x}", s->name, offset);
}

}  // namespace cmsim
