#include "ElfImage.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <span>
#include <utility>

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace cmsim {

namespace {

// Firmware ELFs with full debug info run to tens of MiB; anything past this is not one.
constexpr std::uint64_t kMaxFileSize = std::uint64_t{1} << 30;
constexpr std::uint64_t kAddressSpace = std::uint64_t{1} << 32;

// ---- RAII for the two C resources --------------------------------------------------

struct ElfCloser {
    void operator()(Elf* elf) const noexcept { elf_end(elf); }
};
using ElfHandle = std::unique_ptr<Elf, ElfCloser>;

class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }

private:
    int fd_;
};

// ---- messages ------------------------------------------------------------------------

[[noreturn]] void fail(const std::string& file, std::string_view what) {
    throw InputError(fmt::format("{}: {}", file, what));
}

std::string libelfError() {
    const char* message = elf_errmsg(-1);
    return message != nullptr ? message : "unknown error";
}

std::string truncatedMessage(std::string_view what, std::uint64_t offset, std::uint64_t size,
                             std::uint64_t fileSize) {
    return fmt::format(
        "truncated ({} at file offset 0x{:x} + 0x{:x} bytes exceeds file size 0x{:x})", what,
        offset, size, fileSize);
}

bool fitsInFile(std::uint64_t offset, std::uint64_t size, std::uint64_t fileSize) {
    return offset <= fileSize && size <= fileSize - offset;
}

const char* machineName(unsigned machine) {
    switch (machine) {
        case EM_NONE:
            return "no machine";
        case EM_SPARC:
            return "SPARC";
        case EM_386:
            return "i386";
        case EM_68K:
            return "Motorola 68000";
        case EM_MIPS:
            return "MIPS";
        case EM_PPC:
            return "PowerPC";
        case EM_PPC64:
            return "64-bit PowerPC";
        case EM_S390:
            return "IBM S/390";
        case EM_ARM:
            return "ARM";
        case EM_SH:
            return "SuperH";
        case EM_SPARCV9:
            return "SPARC V9";
        case EM_IA_64:
            return "IA-64";
        case EM_X86_64:
            return "x86-64";
        case EM_AVR:
            return "AVR";
        case EM_XTENSA:
            return "Xtensa";
        case EM_MSP430:
            return "MSP430";
        case EM_AARCH64:
            return "AArch64";
        case EM_RISCV:
            return "RISC-V";
        case EM_BPF:
            return "eBPF";
        case EM_LOONGARCH:
            return "LoongArch";
        default:
            return nullptr;
    }
}

std::string machineDescription(unsigned machine) {
    const char* name = machineName(machine);
    if (name == nullptr) return fmt::format("an unknown machine (e_machine {})", machine);
    return fmt::format("{} (e_machine {})", name, machine);
}

std::string fileTypeDescription(unsigned type) {
    switch (type) {
        case ET_NONE:
            return "ET_NONE, no file type";
        case ET_REL:
            return "ET_REL, a relocatable object file";
        case ET_DYN:
            return "ET_DYN, a shared object or position-independent executable";
        case ET_CORE:
            return "ET_CORE, a core dump";
        default:
            return fmt::format("e_type 0x{:x}", type);
    }
}

// Tag_CPU_arch values (ARM ELF ABI addendum).
const char* archName(unsigned arch) {
    static constexpr std::array<const char*, 23> kNames = {"pre-ARMv4",
                                                           "ARMv4",
                                                           "ARMv4T",
                                                           "ARMv5T",
                                                           "ARMv5TE",
                                                           "ARMv5TEJ",
                                                           "ARMv6",
                                                           "ARMv6KZ",
                                                           "ARMv6T2",
                                                           "ARMv6K",
                                                           "ARMv7",
                                                           "ARMv6-M",
                                                           "ARMv6S-M",
                                                           "ARMv7E-M",
                                                           "ARMv8-A",
                                                           "ARMv8-R",
                                                           "ARMv8-M.baseline",
                                                           "ARMv8-M.mainline",
                                                           "ARMv8.1-A",
                                                           "ARMv8.2-A",
                                                           "ARMv8.3-A",
                                                           "ARMv8.1-M.mainline",
                                                           "ARMv9-A"};
    return arch < kNames.size() ? kNames[arch] : "an unknown architecture";
}

// Architectures with no M profile: the classic ARMv4..ARMv6 cores and the A/R-only ones.
bool isNonMArchitecture(unsigned arch) {
    return (arch >= 1 && arch <= 9) || arch == 14 || arch == 15 || arch == 18 || arch == 19 ||
           arch == 20 || arch == 22;
}

// ---- .ARM.attributes ---------------------------------------------------------------------

// Bounds-checked little-endian reader over one byte range; every read reports failure
// instead of going past the end.
class ByteReader {
public:
    explicit ByteReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

    bool atEnd() const { return pos_ >= bytes_.size(); }
    std::size_t position() const { return pos_; }
    std::size_t remaining() const { return bytes_.size() - pos_; }

    bool uleb128(std::uint64_t& value) {
        value = 0;
        for (unsigned shift = 0; pos_ < bytes_.size(); shift += 7) {
            const std::uint8_t byte = bytes_[pos_++];
            if (shift >= 64) return false;  // longer than any sane value
            value |= std::uint64_t{byte & 0x7fu} << shift;
            if ((byte & 0x80u) == 0) return true;
        }
        return false;
    }
    bool u32(std::uint32_t& value) {
        if (remaining() < 4) return false;
        value = std::uint32_t{bytes_[pos_]} | std::uint32_t{bytes_[pos_ + 1]} << 8 |
                std::uint32_t{bytes_[pos_ + 2]} << 16 | std::uint32_t{bytes_[pos_ + 3]} << 24;
        pos_ += 4;
        return true;
    }
    // A NUL-terminated string; the NUL is consumed, not returned.
    bool ntbs(std::string_view& value) {
        const auto rest = bytes_.subspan(pos_);
        const auto nul = std::find(rest.begin(), rest.end(), std::uint8_t{0});
        if (nul == rest.end()) return false;
        const auto length = static_cast<std::size_t>(nul - rest.begin());
        value = std::string_view(reinterpret_cast<const char*>(rest.data()), length);
        pos_ += length + 1;
        return true;
    }
    // The next `count` bytes as their own range.
    bool take(std::size_t count, std::span<const std::uint8_t>& out) {
        if (count > remaining()) return false;
        out = bytes_.subspan(pos_, count);
        pos_ += count;
        return true;
    }

private:
    std::span<const std::uint8_t> bytes_;
    std::size_t pos_ = 0;
};

struct CpuAttributes {
    std::optional<unsigned> arch;     // Tag_CPU_arch (6)
    std::optional<unsigned> profile;  // Tag_CPU_arch_profile (7)
    std::optional<std::string> name;  // Tag_CPU_name (5)
};

// Attributes of a Tag_File sub-subsection. Stops quietly at the first thing that does
// not parse, keeping what came before.
void parseFileAttributes(std::span<const std::uint8_t> bytes, CpuAttributes& out) {
    ByteReader r(bytes);
    while (!r.atEnd()) {
        std::uint64_t tag = 0;
        if (!r.uleb128(tag)) return;
        // Value type: per the ABI addendum for tags below 32, by parity from 32 on
        // (odd: string, even: ULEB128), with Tag_compatibility (32) carrying both.
        const bool isString =
            tag == 4 || tag == 5 || tag == 65 || tag == 67 || (tag > 32 && (tag & 1) != 0);
        if (tag == 32) {
            std::uint64_t flag = 0;
            std::string_view vendor;
            if (!r.uleb128(flag) || !r.ntbs(vendor)) return;
        } else if (isString) {
            std::string_view text;
            if (!r.ntbs(text)) return;
            if (tag == 5) out.name = std::string(text);
        } else {
            std::uint64_t value = 0;
            if (!r.uleb128(value)) return;
            if (value > 0xffffffffu) continue;  // not a value any of our tags takes
            if (tag == 6) out.arch = static_cast<unsigned>(value);
            if (tag == 7) out.profile = static_cast<unsigned>(value);
        }
    }
}

// Format version 'A', then subsections [u32 length][vendor NUL][sub-subsections], each
// sub-subsection [ULEB128 tag][u32 length][content]. Only "aeabi" Tag_File (1) is read.
CpuAttributes parseArmAttributes(std::span<const std::uint8_t> bytes) {
    CpuAttributes out;
    ByteReader r(bytes);
    std::span<const std::uint8_t> version;
    if (!r.take(1, version) || version[0] != 'A') return out;
    while (!r.atEnd()) {
        std::uint32_t length = 0;
        std::span<const std::uint8_t> subsection;
        if (!r.u32(length) || length < 4 || !r.take(length - 4, subsection)) return out;
        ByteReader sub(subsection);
        std::string_view vendor;
        if (!sub.ntbs(vendor) || vendor != "aeabi") continue;
        while (!sub.atEnd()) {
            const std::size_t start = sub.position();
            std::uint64_t tag = 0;
            std::uint32_t size = 0;
            if (!sub.uleb128(tag) || !sub.u32(size)) break;
            const std::size_t header = sub.position() - start;  // tag + size field
            std::span<const std::uint8_t> content;
            if (size < header || !sub.take(size - header, content)) break;
            if (tag == 1) parseFileAttributes(content, out);
        }
    }
    return out;
}

// ---- the file ------------------------------------------------------------------------

std::vector<std::uint8_t> readWholeFile(const std::filesystem::path& path,
                                        const std::string& name) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int error = errno;
        if (error == ENOENT) fail(name, "no such file");
        if (error == ENOTDIR) fail(name, "no such file (a parent is not a directory)");
        if (error == EACCES) fail(name, "cannot open (permission denied)");
        fail(name, fmt::format("cannot open ({})", std::strerror(error)));
    }
    FileDescriptor file(fd);
    struct stat info {};
    if (::fstat(file.get(), &info) != 0) {
        fail(name, fmt::format("cannot read ({})", std::strerror(errno)));
    }
    if (S_ISDIR(info.st_mode)) fail(name, "is a directory, not an ELF file");

    std::vector<std::uint8_t> bytes;
    if (S_ISREG(info.st_mode) && info.st_size > 0) {
        if (static_cast<std::uint64_t>(info.st_size) > kMaxFileSize) {
            fail(name, fmt::format("too large for a firmware ELF ({} bytes)", info.st_size));
        }
        bytes.reserve(static_cast<std::size_t>(info.st_size));
    }
    std::array<std::uint8_t, 64 * 1024> chunk{};
    for (;;) {
        const ssize_t n = ::read(file.get(), chunk.data(), chunk.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EISDIR) fail(name, "is a directory, not an ELF file");
            fail(name, fmt::format("cannot read ({})", std::strerror(errno)));
        }
        if (n == 0) break;
        if (bytes.size() + static_cast<std::size_t>(n) > kMaxFileSize) {
            fail(name, "too large for a firmware ELF (over 1 GiB)");
        }
        bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + n);
    }
    return bytes;
}

void initLibelf() {
    static const bool ok = elf_version(EV_CURRENT) != EV_NONE;
    if (!ok) throw InputError("libelf: library is too old for this program (elf_version failed)");
}

}  // namespace

// ---- ElfImage ------------------------------------------------------------------------

ElfImage ElfImage::load(const std::filesystem::path& path) {
    std::string name = path.string();
    std::vector<std::uint8_t> bytes = readWholeFile(path, name);
    return fromBytes(std::move(bytes), std::move(name));
}

ElfImage ElfImage::fromBytes(std::vector<std::uint8_t> bytes, std::string displayName) {
    ElfImage image;
    image.displayName_ = std::move(displayName);
    image.file_ = std::move(bytes);
    image.parse();
    return image;
}

bool ElfImage::isArmv7mOrLater() const {
    if (!cpuArch_) return true;
    const unsigned arch = *cpuArch_;
    // ARMv6-M, ARMv6S-M, ARMv8-M.baseline, and the classic cores (which load() rejects
    // unless the profile says 'M').
    return !(arch == 11 || arch == 12 || arch == 16 || (arch >= 1 && arch <= 9));
}

const ElfImage::Section* ElfImage::findSection(std::string_view name) const {
    for (const Section& s : sections_) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

std::optional<std::vector<std::uint8_t>> ElfImage::sectionBytes(std::string_view name) const {
    const Section* s = findSection(name);
    if (s == nullptr || s->type == SHT_NOBITS) return std::nullopt;
    // Bounds were checked in parse(); checked again so this can never read outside.
    if (!fitsInFile(s->offset, s->size, file_.size())) return std::nullopt;
    const auto first = file_.begin() + static_cast<std::ptrdiff_t>(s->offset);
    return std::vector<std::uint8_t>(first, first + static_cast<std::ptrdiff_t>(s->size));
}

std::optional<std::uint32_t> ElfImage::sectionAddress(std::string_view name) const {
    const Section* s = findSection(name);
    if (s == nullptr) return std::nullopt;
    return s->address;
}

std::optional<std::uint32_t> ElfImage::sectionSize(std::string_view name) const {
    const Section* s = findSection(name);
    if (s == nullptr) return std::nullopt;
    return s->size;
}

void ElfImage::parse() {
    const std::string& name = displayName_;
    const std::uint64_t fileSize = file_.size();
    if (file_.empty()) fail(name, "not an ELF file (the file is empty)");
    if (fileSize > kMaxFileSize) fail(name, "too large for a firmware ELF (over 1 GiB)");

    initLibelf();
    ElfHandle elf(elf_memory(reinterpret_cast<char*>(file_.data()), file_.size()));

    // ---- identification and header ----
    if (!elf || elf_kind(elf.get()) != ELF_K_ELF) {
        // libelf only says "not ELF"; look at e_ident to say why.
        static constexpr std::array<std::uint8_t, 4> kMagic = {0x7f, 'E', 'L', 'F'};
        if (fileSize < kMagic.size() || !std::equal(kMagic.begin(), kMagic.end(), file_.begin())) {
            if (fileSize >= 8 && std::memcmp(file_.data(), "!<arch>\n", 8) == 0) {
                fail(name, "not an ELF file (an ar archive, such as a static library)");
            }
            std::string start;
            for (std::size_t i = 0; i < std::min<std::size_t>(4, file_.size()); ++i) {
                start += fmt::format("{}{:02x}", i == 0 ? "" : " ", file_[i]);
            }
            fail(name,
                 fmt::format("not an ELF file (starts with {}, expected 7f 45 4c 46)", start));
        }
        if (fileSize >= EI_NIDENT) {
            const unsigned cls = file_[EI_CLASS];
            const unsigned data = file_[EI_DATA];
            const unsigned version = file_[EI_VERSION];
            if (cls == ELFCLASS64) {
                fail(name, "64-bit ELF (ELFCLASS64), expected 32-bit ARM (ELFCLASS32)");
            }
            if (cls != ELFCLASS32) {
                fail(name, fmt::format("invalid ELF class (EI_CLASS {}), expected 32-bit ARM "
                                       "(ELFCLASS32)",
                                       cls));
            }
            if (data != ELFDATA2LSB && data != ELFDATA2MSB) {
                fail(name, fmt::format("invalid ELF data encoding (EI_DATA {}), expected "
                                       "little-endian (ELFDATA2LSB)",
                                       data));
            }
            if (version != EV_CURRENT) {
                fail(name,
                     fmt::format("unsupported ELF version (EI_VERSION {}), expected 1", version));
            }
            if (fileSize >= sizeof(Elf32_Ehdr)) {
                fail(name, fmt::format("malformed ELF file (libelf: {})", libelfError()));
            }
        }
        fail(name, fmt::format("truncated (the ELF header needs 0x{:x} bytes, file size 0x{:x})",
                               sizeof(Elf32_Ehdr), fileSize));
    }

    std::size_t identSize = 0;
    const char* ident = elf_getident(elf.get(), &identSize);
    if (ident == nullptr || identSize < EI_NIDENT) {
        fail(name, fmt::format("malformed ELF identification (libelf: {})", libelfError()));
    }
    if (ident[EI_CLASS] != ELFCLASS32) {
        GElf_Ehdr header;
        if (ident[EI_CLASS] == ELFCLASS64 && gelf_getehdr(elf.get(), &header) != nullptr) {
            fail(name, fmt::format("64-bit ELF (ELFCLASS64) for {}, expected 32-bit ARM "
                                   "(ELFCLASS32)",
                                   machineDescription(header.e_machine)));
        }
        fail(name, fmt::format("not a 32-bit ELF (EI_CLASS {}), expected 32-bit ARM (ELFCLASS32)",
                               static_cast<unsigned char>(ident[EI_CLASS])));
    }
    if (ident[EI_DATA] != ELFDATA2LSB) {
        fail(name,
             "big-endian ELF (ELFDATA2MSB), expected little-endian (ELFDATA2LSB); cmsim "
             "runs little-endian Cortex-M firmware");
    }
    const Elf32_Ehdr* header = elf32_getehdr(elf.get());
    if (header == nullptr) {
        if (fileSize < sizeof(Elf32_Ehdr)) {
            fail(name, fmt::format("truncated (the ELF header needs 0x{:x} bytes, file size "
                                   "0x{:x})",
                                   sizeof(Elf32_Ehdr), fileSize));
        }
        fail(name, fmt::format("malformed ELF header (libelf: {})", libelfError()));
    }
    if (header->e_machine != EM_ARM) {
        fail(name,
             fmt::format("ELF for {}, expected 32-bit ARM", machineDescription(header->e_machine)));
    }
    if (header->e_type != ET_EXEC) {
        fail(name, fmt::format("not an executable ({}); cmsim loads linked firmware (ET_EXEC)",
                               fileTypeDescription(header->e_type)));
    }
    entry_ = header->e_entry;

    // ---- program headers and segments ----
    // The counts come from the header: libelf quietly shortens tables that run past the end
    // of the file, and such a file is truncated. Only the extended counts (e_phnum
    // PN_XNUM, e_shnum 0), kept in section 0, are taken from libelf.
    std::size_t phnum = header->e_phnum;
    if (phnum == PN_XNUM && elf_getphdrnum(elf.get(), &phnum) != 0) {
        fail(name, fmt::format("malformed program header count (libelf: {})", libelfError()));
    }
    if (phnum > 0) {
        if (header->e_phentsize != sizeof(Elf32_Phdr)) {
            fail(name, fmt::format("malformed program header table (e_phentsize {}, expected {})",
                                   header->e_phentsize, sizeof(Elf32_Phdr)));
        }
        const std::uint64_t tableSize = std::uint64_t{phnum} * sizeof(Elf32_Phdr);
        if (!fitsInFile(header->e_phoff, tableSize, fileSize)) {
            fail(name,
                 truncatedMessage("program header table", header->e_phoff, tableSize, fileSize));
        }
    }

    std::vector<std::size_t> segmentIndex;  // program header index of segments_[i]
    for (std::size_t i = 0; i < phnum; ++i) {
        GElf_Phdr ph;
        if (gelf_getphdr(elf.get(), static_cast<int>(i), &ph) == nullptr) {
            fail(name, fmt::format("malformed program header {} (libelf: {})", i, libelfError()));
        }
        if (ph.p_type != PT_LOAD) continue;
        if (ph.p_filesz > ph.p_memsz) {
            fail(name, fmt::format("malformed segment {} (p_filesz 0x{:x} exceeds p_memsz 0x{:x})",
                                   i, ph.p_filesz, ph.p_memsz));
        }
        if (ph.p_vaddr + ph.p_memsz > kAddressSpace) {
            fail(name, fmt::format("segment {} at address 0x{:08x} + 0x{:x} bytes runs past the "
                                   "end of the 32-bit address space",
                                   i, ph.p_vaddr, ph.p_memsz));
        }
        if (ph.p_filesz == 0) continue;
        if (!fitsInFile(ph.p_offset, ph.p_filesz, fileSize)) {
            fail(name, truncatedMessage(fmt::format("segment {}", i), ph.p_offset, ph.p_filesz,
                                        fileSize));
        }
        if (ph.p_paddr + ph.p_filesz > kAddressSpace) {
            fail(name, fmt::format("segment {} at load address 0x{:08x} + 0x{:x} bytes runs past "
                                   "the end of the 32-bit address space",
                                   i, ph.p_paddr, ph.p_filesz));
        }
        LoadSegment segment;
        segment.address = static_cast<std::uint32_t>(ph.p_paddr);
        segment.vaddr = static_cast<std::uint32_t>(ph.p_vaddr);
        const auto first = file_.begin() + static_cast<std::ptrdiff_t>(ph.p_offset);
        segment.bytes.assign(first, first + static_cast<std::ptrdiff_t>(ph.p_filesz));
        segment.memSize = static_cast<std::uint32_t>(ph.p_memsz);
        segment.executable = (ph.p_flags & PF_X) != 0;
        segment.writable = (ph.p_flags & PF_W) != 0;
        segments_.push_back(std::move(segment));
        segmentIndex.push_back(i);
    }
    if (segments_.empty()) {
        fail(name, "nothing to load (no PT_LOAD segment with file contents)");
    }
    {
        // What gets written to memory must not overlap: compare load ranges in address
        // order, each with its successor.
        std::vector<std::size_t> byAddress(segments_.size());
        for (std::size_t i = 0; i < byAddress.size(); ++i) byAddress[i] = i;
        std::sort(byAddress.begin(), byAddress.end(), [this](std::size_t a, std::size_t b) {
            return segments_[a].address < segments_[b].address;
        });
        for (std::size_t k = 1; k < byAddress.size(); ++k) {
            const LoadSegment& lower = segments_[byAddress[k - 1]];
            const LoadSegment& upper = segments_[byAddress[k]];
            const std::uint64_t lowerEnd = std::uint64_t{lower.address} + lower.bytes.size();
            if (upper.address < lowerEnd) {
                std::size_t a = segmentIndex[byAddress[k - 1]];
                std::size_t b = segmentIndex[byAddress[k]];
                if (a > b) std::swap(a, b);
                fail(name, fmt::format("segments {} and {} overlap (load addresses "
                                       "0x{:08x}-0x{:08x} and 0x{:08x}-0x{:08x})",
                                       a, b, lower.address, lowerEnd - 1, upper.address,
                                       std::uint64_t{upper.address} + upper.bytes.size() - 1));
            }
        }
    }

    // ---- section headers ----
    std::size_t shnum = header->e_shnum;
    if (header->e_shoff == 0 && shnum != 0) {
        fail(name,
             fmt::format("malformed section header table ({} sections at file offset 0)", shnum));
    }
    if (header->e_shoff != 0 && shnum == 0 && elf_getshdrnum(elf.get(), &shnum) != 0) {
        fail(name, fmt::format("malformed section header count (libelf: {})", libelfError()));
    }
    if (shnum > 0) {
        if (header->e_shentsize != sizeof(Elf32_Shdr)) {
            fail(name, fmt::format("malformed section header table (e_shentsize {}, expected {})",
                                   header->e_shentsize, sizeof(Elf32_Shdr)));
        }
        const std::uint64_t tableSize = std::uint64_t{shnum} * sizeof(Elf32_Shdr);
        if (!fitsInFile(header->e_shoff, tableSize, fileSize)) {
            fail(name,
                 truncatedMessage("section header table", header->e_shoff, tableSize, fileSize));
        }
        // With the table inside the file libelf must see the same number of sections.
        std::size_t libelfCount = 0;
        if (elf_getshdrnum(elf.get(), &libelfCount) != 0 || libelfCount != shnum) {
            fail(name, fmt::format("malformed section header table ({} sections, libelf sees {})",
                                   shnum, libelfCount));
        }
    }
    std::size_t shstrndx = 0;
    if (shnum > 0 && elf_getshdrstrndx(elf.get(), &shstrndx) != 0) {
        fail(name, fmt::format("malformed section header string table index (libelf: {})",
                               libelfError()));
    }
    if (shnum > 0 && shstrndx >= shnum) {
        fail(name, fmt::format("malformed section header string table index ({} of {} sections)",
                               shstrndx, shnum));
    }

    // Every section with file contents must lie inside the file. The name table is checked
    // first so that names can be read for the messages about the others.
    auto sectionHeader = [&](std::size_t index, GElf_Shdr& sh) -> Elf_Scn* {
        Elf_Scn* scn = elf_getscn(elf.get(), index);
        if (scn == nullptr || gelf_getshdr(scn, &sh) == nullptr) {
            fail(name,
                 fmt::format("malformed section header {} (libelf: {})", index, libelfError()));
        }
        return scn;
    };
    auto checkInFile = [&](const GElf_Shdr& sh, std::string_view what) {
        if (sh.sh_type != SHT_NOBITS && !fitsInFile(sh.sh_offset, sh.sh_size, fileSize)) {
            fail(name, truncatedMessage(what, sh.sh_offset, sh.sh_size, fileSize));
        }
    };
    if (shstrndx != SHN_UNDEF) {
        GElf_Shdr sh;
        sectionHeader(shstrndx, sh);
        checkInFile(sh, fmt::format("section {} (section name table)", shstrndx));
    }
    Elf_Scn* symtab = nullptr;
    Elf_Scn* dynsym = nullptr;
    std::optional<std::size_t> attributes;  // index into sections_
    for (std::size_t i = 1; i < shnum; ++i) {
        GElf_Shdr sh;
        Elf_Scn* scn = sectionHeader(i, sh);
        const char* sectionName =
            shstrndx != SHN_UNDEF ? elf_strptr(elf.get(), shstrndx, sh.sh_name) : nullptr;
        Section section;
        section.name = sectionName != nullptr ? sectionName : "";
        checkInFile(sh, fmt::format("section {} '{}'", i, section.name));
        section.type = sh.sh_type;
        section.address = static_cast<std::uint32_t>(sh.sh_addr);
        section.offset = static_cast<std::uint32_t>(sh.sh_offset);
        section.size = static_cast<std::uint32_t>(sh.sh_size);
        if (sh.sh_type == SHT_SYMTAB && symtab == nullptr) symtab = scn;
        if (sh.sh_type == SHT_DYNSYM && dynsym == nullptr) dynsym = scn;
        if (!attributes &&
            (sh.sh_type == SHT_ARM_ATTRIBUTES || section.name == ".ARM.attributes") &&
            sh.sh_type != SHT_NOBITS) {
            attributes = sections_.size();
        }
        sections_.push_back(std::move(section));
    }

    // ---- the target core ----
    if (attributes) {
        const Section& s = sections_[*attributes];
        const CpuAttributes cpu =
            parseArmAttributes(std::span<const std::uint8_t>(file_).subspan(s.offset, s.size));
        cpuArch_ = cpu.arch;
        cpuName_ = cpu.name;
        if (cpu.profile && *cpu.profile != 0) {
            const unsigned profile = *cpu.profile;
            const bool printable = profile >= 0x20 && profile < 0x7f;
            if (printable) cpuArchProfile_ = static_cast<char>(profile);
            const char* core = profile == 'A'   ? "an A-profile core"
                               : profile == 'R' ? "an R-profile core"
                               : profile == 'S' ? "an A- or R-profile core"
                                                : nullptr;
            if (core != nullptr) {
                fail(name, fmt::format("built for {} (Tag_CPU_arch_profile '{}'); cmsim runs "
                                       "M-profile firmware",
                                       core, static_cast<char>(profile)));
            }
            if (profile != 'M') {
                fail(name, printable ? fmt::format("built for an unknown profile "
                                                   "(Tag_CPU_arch_profile '{}'); cmsim runs "
                                                   "M-profile firmware",
                                                   static_cast<char>(profile))
                                     : fmt::format("built for an unknown profile "
                                                   "(Tag_CPU_arch_profile {}); cmsim runs "
                                                   "M-profile firmware",
                                                   profile));
            }
        } else if (cpu.arch && isNonMArchitecture(*cpu.arch)) {
            fail(name, fmt::format("built for {} (Tag_CPU_arch {}), which has no M profile; "
                                   "cmsim runs M-profile firmware",
                                   archName(*cpu.arch), *cpu.arch));
        }
    } else if ((entry_ & 1u) == 0) {
        fail(name, fmt::format("entry point 0x{:08x} is an ARM-state address (bit 0 clear) and "
                               "there is no .ARM.attributes section to say otherwise; cmsim runs "
                               "Thumb-only M-profile firmware",
                               entry_));
    }

    // ---- symbols ----
    Elf_Scn* symbolSection = symtab != nullptr ? symtab : dynsym;
    if (symbolSection == nullptr) {
        symbols_.finalize();
        return;
    }
    GElf_Shdr symHeader;
    Elf_Data* data = nullptr;
    if (gelf_getshdr(symbolSection, &symHeader) != nullptr) {
        data = elf_getdata(symbolSection, nullptr);
    }
    // A symbol table libelf cannot read costs names in diagnostics, not the run.
    if (data != nullptr && data->d_type == ELF_T_SYM) {
        const std::size_t count = data->d_size / sizeof(Elf32_Sym);
        std::vector<Symbol> locals;
        for (std::size_t i = 1; i < count; ++i) {
            GElf_Sym sym;
            if (gelf_getsym(data, static_cast<int>(i), &sym) == nullptr) break;
            const unsigned type = GELF_ST_TYPE(sym.st_info);
            if (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE) continue;
            if (sym.st_shndx == SHN_UNDEF || sym.st_shndx == SHN_COMMON) continue;
            const char* symName = elf_strptr(elf.get(), symHeader.sh_link, sym.st_name);
            if (symName == nullptr || *symName == '\0') continue;
            const std::string_view n(symName);
            // ARM mapping symbols: $a, $t, $d and $a.<anything>, ...
            if (n.size() >= 2 && n[0] == '$' && (n[1] == 'a' || n[1] == 't' || n[1] == 'd') &&
                (n.size() == 2 || n[2] == '.')) {
                continue;
            }
            const bool isFunction = type == STT_FUNC;
            auto address = static_cast<std::uint32_t>(sym.st_value);
            if (isFunction) address &= ~std::uint32_t{1};
            Symbol symbol{std::string(n), address, static_cast<std::uint32_t>(sym.st_size),
                          isFunction, GELF_ST_BIND(sym.st_info) == STB_WEAK};
            // Global definitions first, so byName() prefers them over same-named statics.
            if (GELF_ST_BIND(sym.st_info) == STB_LOCAL) {
                locals.push_back(std::move(symbol));
            } else {
                symbols_.add(std::move(symbol));
            }
        }
        for (Symbol& s : locals) symbols_.add(std::move(s));
    }
    symbols_.finalize();
}

}  // namespace cmsim
