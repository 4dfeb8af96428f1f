#include "StackLayout.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "ElfImage.h"
#include "SymbolTable.h"

namespace cmsim {

namespace {

// Decimal or 0x hex, 32 bits.
std::optional<std::uint32_t> parseNumber(std::string_view text) {
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    if (text.empty() || text.size() > 10) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : text) {
        const int d = std::isdigit(static_cast<unsigned char>(c))
                          ? c - '0'
                          : (base == 16 && std::isxdigit(static_cast<unsigned char>(c))
                                 ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                                 : -1);
        if (d < 0) return std::nullopt;
        v = v * static_cast<unsigned>(base) + static_cast<unsigned>(d);
        if (v > 0xFFFFFFFFu) return std::nullopt;
    }
    return static_cast<std::uint32_t>(v);
}

bool looksLikeNumber(std::string_view text) {
    return !text.empty() && std::isdigit(static_cast<unsigned char>(text[0]));
}

// The bundled scheduler's TCB (firmware/kernel/sched_core.h): 20 bytes, `name` at +12.
constexpr std::uint32_t kTcbSize = 20;
constexpr std::uint32_t kTcbNameOffset = 12;

}  // namespace

std::optional<StackSpec> parseStackTarget(std::string name, std::string_view text,
                                          std::string* error) {
    StackSpec spec{std::move(name), std::string(text), std::nullopt};
    if (const auto colon = text.find(':'); colon != std::string_view::npos) {
        spec.where = std::string(text.substr(0, colon));
        spec.size = parseNumber(text.substr(colon + 1));
        if (!spec.size || *spec.size == 0) {
            *error = fmt::format(
                "bad size '{}': expected a positive number of bytes (decimal "
                "or 0x hex)",
                text.substr(colon + 1));
            return std::nullopt;
        }
    }
    if (spec.where.empty() || spec.where.find_first_of(" \t=") != std::string::npos) {
        *error = fmt::format("'{}': expected SYMBOL, SYMBOL:SIZE or ADDRESS:SIZE", text);
        return std::nullopt;
    }
    if (looksLikeNumber(spec.where)) {
        if (!parseNumber(spec.where)) {
            *error = fmt::format("bad address '{}': expected 0x hex or decimal", spec.where);
            return std::nullopt;
        }
        if (!spec.size) {
            *error = fmt::format("'{}' is an address: give its size, ADDRESS:SIZE", spec.where);
            return std::nullopt;
        }
    }
    return spec;
}

std::optional<StackSpec> parseStackSpec(std::string_view text, std::string* error) {
    const auto eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size()) {
        *error = "expected NAME=SYMBOL[:SIZE] or NAME=ADDRESS:SIZE";
        return std::nullopt;
    }
    return parseStackTarget(std::string(text.substr(0, eq)), text.substr(eq + 1), error);
}

std::optional<StackRegion> resolveStack(const StackSpec& spec, const SymbolTable& symbols,
                                        std::string* error) {
    std::uint32_t low = 0, size = spec.size.value_or(0);
    if (looksLikeNumber(spec.where)) {
        low = parseNumber(spec.where).value_or(0);
    } else {
        const auto sym = symbols.byName(spec.where);
        if (!sym) {
            *error = fmt::format("no symbol '{}'", spec.where);
            return std::nullopt;
        }
        if (sym->isFunction) {
            *error = fmt::format("'{}' is a function, not a stack", spec.where);
            return std::nullopt;
        }
        low = sym->address;
        if (!spec.size) size = sym->size;
        if (size == 0) {
            *error = fmt::format("'{}' has no size in the ELF: give it, {}={}:SIZE", spec.where,
                                 spec.name, spec.where);
            return std::nullopt;
        }
    }
    if (std::uint64_t{low} + size > 0x1'0000'0000ULL) {
        *error = fmt::format("0x{:08x} + {} bytes is past the end of the address space", low, size);
        return std::nullopt;
    }
    return StackRegion{spec.name, low, low + size, spec.where, std::nullopt};
}

std::vector<StackRegion> inferSchedulerStacks(const SymbolTable& symbols) {
    const auto stacks = symbols.byName("g_task_stacks");
    const auto tcbs = symbols.byName("g_tasks");
    if (!stacks || !tcbs || stacks->isFunction || tcbs->isFunction) return {};
    if (tcbs->size == 0 || tcbs->size % kTcbSize != 0) return {};
    const std::uint32_t slots = tcbs->size / kTcbSize;
    if (stacks->size == 0 || stacks->size % slots != 0) return {};
    const std::uint32_t bytes = stacks->size / slots;
    std::vector<StackRegion> out;
    for (std::uint32_t i = 0; i < slots; ++i) {
        const std::uint32_t low = stacks->address + i * bytes;
        out.push_back(StackRegion{fmt::format("g_tasks[{}]", i), low, low + bytes,
                                  fmt::format("g_task_stacks[{}]", i),
                                  tcbs->address + i * kTcbSize + kTcbNameOffset});
    }
    return out;
}

std::optional<MainStackBounds> mainStackBounds(const ElfImage& image, std::uint32_t initialMsp) {
    MainStackBounds b;
    for (const char* name : {"_ebss", "__bss_end__", "end", "_end", "__end__"}) {
        if (auto s = image.symbols().byName(name); s && !s->isFunction && s->address >= b.low) {
            b.low = s->address;
            b.lowOrigin = name;
        }
    }
    if (b.lowOrigin.empty()) {
        for (const char* name : {".bss", ".data", ".heap"}) {
            const auto address = image.sectionAddress(name);
            const auto size = image.sectionSize(name);
            if (!address || !size) continue;
            const std::uint64_t end = std::uint64_t{*address} + *size;
            if (end <= 0xFFFFFFFFu && end >= b.low) {
                b.low = static_cast<std::uint32_t>(end);
                b.lowOrigin = fmt::format("end of {}", name);
            }
        }
    }
    if (auto s = image.symbols().byName("_estack"); s && !s->isFunction) {
        b.high = s->address;
        b.highOrigin = "_estack";
    } else if (initialMsp != 0) {
        b.high = initialMsp;
        b.highOrigin = "initial MSP";
    }
    if (b.lowOrigin.empty() || b.highOrigin.empty() || b.low >= b.high) return std::nullopt;
    return b;
}

}  // namespace cmsim
