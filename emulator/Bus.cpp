#include "Bus.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace cmsim {

namespace {
constexpr std::uint32_t kMmioGranule = 0x400;  // Unicorn's ARM target page (1 KiB)

std::uint32_t protFor(const MemoryRegion& r) {
    std::uint32_t prot = UC_PROT_READ;
    if (r.kind == RegionKind::Ram) prot |= UC_PROT_WRITE;
    if (r.executable) prot |= UC_PROT_EXEC;
    return prot;
}
}  // namespace

void Bus::mapMemory(const MemoryRegion& region) {
    if (!region.aliasOf.empty()) {
        auto it = std::find_if(storage_.begin(), storage_.end(),
                               [&](const Storage& s) { return s.region->name == region.aliasOf; });
        if (it == storage_.end()) {
            throw std::logic_error(fmt::format("memory alias {} of unknown region {}", region.name,
                                               region.aliasOf));
        }
        Unicorn::check(uc_mem_map_ptr(uc_.get(), region.base, region.size, protFor(region),
                                      it->bytes.get()),
                       fmt::format("map {} at 0x{:08x}", region.name, region.base));
        aliases_.push_back(&region);
        return;
    }
    auto bytes = std::make_unique<std::uint8_t[]>(region.size);
    // Erased flash reads as 0xFF (RM0090 §3.5.3); RAM and ROM start as zero here.
    std::memset(bytes.get(), region.kind == RegionKind::Flash ? 0xFF : 0x00, region.size);
    Unicorn::check(uc_mem_map_ptr(uc_.get(), region.base, region.size, protFor(region), bytes.get()),
                   fmt::format("map {} at 0x{:08x}", region.name, region.base));
    storage_.push_back({&region, std::move(bytes)});
}

void Bus::mapPeripheral(std::uint32_t base, std::uint32_t size, Peripheral& p) {
    const std::uint32_t mapped = (size + kMmioGranule - 1) / kMmioGranule * kMmioGranule;
    mappings_.push_back(std::make_unique<Mapping>(Mapping{this, &p, base}));
    Unicorn::check(uc_mmio_map(uc_.get(), base, mapped, &Bus::mmioRead, mappings_.back().get(),
                               &Bus::mmioWrite, mappings_.back().get()),
                   fmt::format("map {} at 0x{:08x}", p.name(), base));
}

void Bus::mapBitBand(const BitBandRegion& bb) {
    bitBands_.push_back(std::make_unique<BitBand>(BitBand{this, bb}));
    Unicorn::check(uc_mmio_map(uc_.get(), bb.aliasBase, bb.targetSize * 32, &Bus::bitBandRead,
                               bitBands_.back().get(), &Bus::bitBandWrite, bitBands_.back().get()),
                   fmt::format("map bit-band alias at 0x{:08x}", bb.aliasBase));
}

std::uint64_t Bus::mmioRead(uc_engine*, std::uint64_t offset, unsigned size, void* user) {
    auto* m = static_cast<Mapping*>(user);
    const auto off = static_cast<std::uint32_t>(offset);
    const std::uint32_t v = m->peripheral->read(off, size);
    if (!m->bus->observers_.empty()) {
        m->bus->notify({false, m->base + off, size, v, m->peripheral, off});
    }
    return v;
}

void Bus::mmioWrite(uc_engine*, std::uint64_t offset, unsigned size, std::uint64_t value,
                    void* user) {
    auto* m = static_cast<Mapping*>(user);
    const auto off = static_cast<std::uint32_t>(offset);
    const auto v = static_cast<std::uint32_t>(value);
    if (!m->bus->observers_.empty()) {
        m->bus->notify({true, m->base + off, size, v, m->peripheral, off});
    }
    m->peripheral->write(off, size, v);
}

std::uint64_t Bus::bitBandRead(uc_engine*, std::uint64_t offset, unsigned size, void* user) {
    auto* b = static_cast<BitBand*>(user);
    const std::uint32_t byteAddr = b->region.targetBase + static_cast<std::uint32_t>(offset / 32);
    const unsigned bit = static_cast<unsigned>(offset / 4) & 7u;
    (void)size;
    const auto byte = b->bus->readPhysical(byteAddr, 1);
    return byte ? ((*byte >> bit) & 1u) : 0u;
}

void Bus::bitBandWrite(uc_engine*, std::uint64_t offset, unsigned size, std::uint64_t value,
                       void* user) {
    auto* b = static_cast<BitBand*>(user);
    const std::uint32_t byteAddr = b->region.targetBase + static_cast<std::uint32_t>(offset / 32);
    const unsigned bit = static_cast<unsigned>(offset / 4) & 7u;
    (void)size;
    // Cortex-M4 TRM §3.7.1: a write to the alias is an atomic read-modify-write of the
    // target; bit 0 of the written value is the new bit.
    const auto byte = b->bus->readPhysical(byteAddr, 1);
    if (!byte) return;
    const std::uint32_t updated = (value & 1u) ? (*byte | (1u << bit)) : (*byte & ~(1u << bit));
    b->bus->writePhysical(byteAddr, 1, updated);
}

const MemoryRegion* Bus::regionAt(std::uint32_t address) const {
    for (const auto& s : storage_) {
        if (address >= s.region->base && address - s.region->base < s.region->size) return s.region;
    }
    return nullptr;
}

const MemoryRegion* Bus::regionOrAliasAt(std::uint32_t address) const {
    if (const auto* r = regionAt(address)) return r;
    for (const auto* a : aliases_) {
        if (address >= a->base && address - a->base < a->size) return a;
    }
    return nullptr;
}

std::uint8_t* Bus::hostPointer(std::uint32_t address, std::uint32_t len) {
    auto within = [&](const MemoryRegion& r) {
        return address >= r.base && address - r.base <= r.size && len <= r.size - (address - r.base);
    };
    for (auto& s : storage_) {
        if (within(*s.region)) return s.bytes.get() + (address - s.region->base);
    }
    for (const auto* a : aliases_) {
        if (!within(*a)) continue;
        for (auto& s : storage_) {
            if (s.region->name == a->aliasOf) return s.bytes.get() + (address - a->base);
        }
    }
    return nullptr;
}

std::pair<Peripheral*, std::uint32_t> Bus::peripheralAt(std::uint32_t address) const {
    for (const auto& m : mappings_) {
        const std::uint32_t size = (m->peripheral->sizeBytes() + kMmioGranule - 1) / kMmioGranule *
                                   kMmioGranule;
        if (address >= m->base && address - m->base < size) return {m->peripheral, address - m->base};
    }
    return {nullptr, 0};
}

bool Bus::writableByCore(std::uint32_t address, std::uint32_t len) const {
    auto within = [&](std::uint32_t base, std::uint32_t size) {
        return address >= base && address - base <= size && len <= size - (address - base);
    };
    for (const auto& st : storage_) {
        if (within(st.region->base, st.region->size)) return st.region->kind == RegionKind::Ram;
    }
    for (const auto* a : aliases_) {
        if (within(a->base, a->size)) return a->kind == RegionKind::Ram;
    }
    for (const auto& b : bitBands_) {
        if (within(b->region.aliasBase, b->region.targetSize * 32)) return true;
    }
    return peripheralAt(address).first != nullptr;
}

bool Bus::load(std::uint32_t address, std::span<const std::uint8_t> bytes) {
    std::uint8_t* p = hostPointer(address, static_cast<std::uint32_t>(bytes.size()));
    if (p == nullptr) return false;
    std::memcpy(p, bytes.data(), bytes.size());
    return true;
}

void Bus::clearRam() {
    for (auto& s : storage_) {
        if (s.region->kind == RegionKind::Ram) std::memset(s.bytes.get(), 0, s.region->size);
    }
}

std::optional<std::uint32_t> Bus::readPhysical(std::uint32_t address, unsigned width) {
    if (const std::uint8_t* p = hostPointer(address, width)) {
        std::uint32_t v = 0;
        std::memcpy(&v, p, width);  // little-endian host and target
        return v;
    }
    if (auto [per, off] = peripheralAt(address); per != nullptr) return per->read(off, width);
    return std::nullopt;
}

bool Bus::writePhysical(std::uint32_t address, unsigned width, std::uint32_t value) {
    if (std::uint8_t* p = hostPointer(address, width)) {
        std::memcpy(p, &value, width);
        return true;
    }
    if (auto [per, off] = peripheralAt(address); per != nullptr) {
        per->write(off, width, value);
        return true;
    }
    return false;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> Bus::executableRanges() const {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
    for (const auto& s : storage_) {
        if (s.region->executable) out.emplace_back(s.region->base, s.region->size);
    }
    for (const auto* a : aliases_) {
        if (a->executable) out.emplace_back(a->base, a->size);
    }
    return out;
}

std::string Bus::describe(std::uint32_t address) const {
    if (auto [per, off] = peripheralAt(address); per != nullptr) {
        const auto reg = per->registerName(off & ~3u);
        if (!reg.empty()) return fmt::format("{}.{}", per->name(), reg);
        return fmt::format("{}+0x{:03x}", per->name(), off);
    }
    if (const auto* r = regionAt(address)) return fmt::format("{}+0x{:x}", r->name, address - r->base);
    for (const auto* a : aliases_) {
        if (address >= a->base && address - a->base < a->size) {
            return fmt::format("{}+0x{:x}", a->name, address - a->base);
        }
    }
    return {};
}

}  // namespace cmsim
