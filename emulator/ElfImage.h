#pragma once
// A Cortex-M firmware ELF, read with libelf and checked before anything runs it: what to
// load where (PT_LOAD segments), the entry point, the symbols, and what the toolchain
// recorded about the target core (.ARM.attributes).
//
// Anything wrong with the file is an InputError whose message is one line starting with
// the file's name, e.g. "blinky.elf: ELF for x86-64 (e_machine 62), expected 32-bit ARM".
// Every offset and size in the file is checked before use, so arbitrary bytes give either
// an image or an InputError (the loader is fuzzed).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "Errors.h"
#include "SymbolTable.h"

namespace cmsim {

struct LoadSegment {
    std::uint32_t address;            // p_paddr: the load address (LMA), where `bytes` go
    std::uint32_t vaddr;              // p_vaddr: the run address (VMA), e.g. .data in RAM
    std::vector<std::uint8_t> bytes;  // the file bytes only (p_filesz of them)
    std::uint32_t memSize;            // p_memsz
    bool executable;                  // PF_X
    bool writable;                    // PF_W
};

class ElfImage {
public:
    // Reads and checks the file; the message of any InputError starts with path.string().
    static ElfImage load(const std::filesystem::path& path);
    // Same checks on bytes already in memory (tests, fuzzing); messages start with
    // displayName.
    static ElfImage fromBytes(std::vector<std::uint8_t> bytes, std::string displayName);

    // PT_LOAD segments with file contents (p_filesz > 0), in program header order. Their
    // load ranges [address, address + bytes.size()) do not overlap.
    const std::vector<LoadSegment>& segments() const { return segments_; }
    // e_entry as written (Thumb bit set for Thumb code).
    std::uint32_t entry() const { return entry_; }
    const SymbolTable& symbols() const { return symbols_; }
    const std::string& displayName() const { return displayName_; }

    // From the "aeabi" attributes of .ARM.attributes, when recorded:
    // Tag_CPU_arch (e.g. 11 = ARMv6-M, 13 = ARMv7E-M, 17 = ARMv8-M.mainline),
    std::optional<unsigned> cpuArch() const { return cpuArch_; }
    // Tag_CPU_arch_profile ('M' for the images that pass load()), and
    std::optional<char> cpuArchProfile() const { return cpuArchProfile_; }
    // Tag_CPU_name (e.g. "cortex-m4"; the toolchain's spelling).
    const std::optional<std::string>& cpuName() const { return cpuName_; }
    // Whether the firmware may use the ARMv7-M instruction set (Thumb-2, hardware divide,
    // LDREX/STREX, ...): Tag_CPU_arch ARMv7 / ARMv7E-M / ARMv8-M.mainline /
    // ARMv8.1-M.mainline. False for ARMv6-M and ARMv8-M.baseline. True when the file does
    // not say (no attributes), since that is what most firmware targets.
    bool isArmv7mOrLater() const;

    // Contents of the first section with this name (e.g. ".isr_vector"); nullopt when there
    // is no such section or it has no file contents (SHT_NOBITS such as .bss).
    std::optional<std::vector<std::uint8_t>> sectionBytes(std::string_view name) const;
    // sh_addr of the first section with this name (SHT_NOBITS included).
    std::optional<std::uint32_t> sectionAddress(std::string_view name) const;
    // sh_size of the first section with this name (SHT_NOBITS included).
    std::optional<std::uint32_t> sectionSize(std::string_view name) const;

  private:
    struct Section {
        std::string name;
        std::uint32_t type;
        std::uint32_t address;
        std::uint32_t offset;  // checked: [offset, offset + size) lies in file_ unless NOBITS
        std::uint32_t size;
    };

    ElfImage() = default;
    void parse();  // fills everything from file_; throws InputError
    const Section* findSection(std::string_view name) const;

    std::string displayName_;
    std::vector<std::uint8_t> file_;
    std::vector<LoadSegment> segments_;
    std::vector<Section> sections_;
    std::uint32_t entry_ = 0;
    SymbolTable symbols_;
    std::optional<unsigned> cpuArch_;
    std::optional<char> cpuArchProfile_;
    std::optional<std::string> cpuName_;
};

}  // namespace cmsim
