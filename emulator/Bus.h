#pragma once
// The memory map as the core sees it: RAM, flash and ROM regions backed by host buffers
// (mapped with uc_mem_map_ptr, aliases sharing storage), peripheral blocks and the SCS
// through uc_mmio_map only (never UC_HOOK_MEM_READ/WRITE, which would slow every load and
// store), and bit-band aliases. Addresses with nothing mapped stay unmapped: the core
// reports an access to them as a bus error.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ChipDescription.h"
#include "Unicorn.h"
#include "peripherals/Peripheral.h"

namespace cmsim {

struct MmioAccess {
    bool isWrite;
    std::uint32_t address;
    unsigned width;
    std::uint32_t value;
    const Peripheral* peripheral;
    std::uint32_t offset;
};

class Bus {
public:
    explicit Bus(Unicorn& uc) : uc_(uc) {}
    Bus(const Bus&) = delete;
    Bus& operator=(const Bus&) = delete;

    void mapMemory(const MemoryRegion& region);
    void mapPeripheral(std::uint32_t base, std::uint32_t size, Peripheral& p);
    void mapBitBand(const BitBandRegion& bb);

    // The region (not alias) holding `address`, or nullptr.
    const MemoryRegion* regionAt(std::uint32_t address) const;
    // The region or alias holding `address` (an alias has the kind of what it aliases).
    const MemoryRegion* regionOrAliasAt(std::uint32_t address) const;
    // Host pointer to `len` bytes of backing storage at `address`, or nullptr when the
    // range is not entirely inside one memory region.
    std::uint8_t* hostPointer(std::uint32_t address, std::uint32_t len);
    // Same, but only inside one RAM region (writable, no alias): exception stacking writes
    // frames here directly. uc_mem_write would also work but costs a TB-invalidation page
    // walk (malloc + tree) per call, the largest cost of an exception entry. Frames are
    // never executed, so skipping that invalidation is safe.
    std::uint8_t* ramPointer(std::uint32_t address, std::uint32_t len) {
        for (auto& s : storage_) {
            const MemoryRegion& r = *s.region;
            if (r.kind == RegionKind::Ram && address >= r.base && address - r.base <= r.size &&
                len <= r.size - (address - r.base)) {
                return s.bytes.get() + (address - r.base);
            }
        }
        return nullptr;
    }
    // Peripheral mapped at `address` and the offset inside it, or {nullptr, 0}.
    std::pair<Peripheral*, std::uint32_t> peripheralAt(std::uint32_t address) const;
    // True when a core data write of `len` bytes at `address` succeeds: RAM, a peripheral
    // block or a bit-band alias. Host writes (uc_mem_write) ignore Unicorn's protection, so
    // the core asks this before writing an exception frame (flash or nothing: a bus error).
    bool writableByCore(std::uint32_t address, std::uint32_t len) const;
    // Writes into memory regions regardless of their protection (the ELF loader).
    bool load(std::uint32_t address, std::span<const std::uint8_t> bytes);
    // Zeroes RAM (a fresh power-on; SYSRESETREQ keeps RAM as silicon does).
    void clearRam();

    // (base, size) of every executable memory region and alias.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> executableRanges() const;

    // "GPIOD.BSRR", "SRAM+0x120", or "" when nothing is mapped.
    std::string describe(std::uint32_t address) const;

    // Observers of every MMIO access (the mmio trace later); none by default.
    void addMmioObserver(std::function<void(const MmioAccess&)> f) {
        observers_.push_back(std::move(f));
    }

    // Data accesses used by the bit-band alias and by tools (gdb, traces): memory or MMIO.
    std::optional<std::uint32_t> readPhysical(std::uint32_t address, unsigned width);
    bool writePhysical(std::uint32_t address, unsigned width, std::uint32_t value);

private:
    struct Storage {
        const MemoryRegion* region;
        std::unique_ptr<std::uint8_t[]> bytes;
    };
    struct Mapping {
        Bus* bus;
        Peripheral* peripheral;
        std::uint32_t base;
    };
    struct BitBand {
        Bus* bus;
        BitBandRegion region;
    };
    static std::uint64_t mmioRead(uc_engine*, std::uint64_t offset, unsigned size, void* user);
    static void mmioWrite(uc_engine*, std::uint64_t offset, unsigned size, std::uint64_t value,
                          void* user);
    static std::uint64_t bitBandRead(uc_engine*, std::uint64_t offset, unsigned size, void* user);
    static void bitBandWrite(uc_engine*, std::uint64_t offset, unsigned size, std::uint64_t value,
                             void* user);
    void notify(const MmioAccess& a) const {
        for (const auto& o : observers_) o(a);
    }

    Unicorn& uc_;
    std::vector<Storage> storage_;
    std::vector<const MemoryRegion*> aliases_;
    std::vector<std::unique_ptr<Mapping>> mappings_;
    std::vector<std::unique_ptr<BitBand>> bitBands_;
    std::vector<std::function<void(const MmioAccess&)>> observers_;
};

}  // namespace cmsim
