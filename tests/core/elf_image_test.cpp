// ElfImage and SymbolTable: real toolchain output (tests/data/elf, see its README) and
// synthetic ELFs built here byte by byte for each kind of bad input.
#include <gtest/gtest.h>

#include <elf.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ElfImage.h"
#include "Errors.h"
#include "SymbolTable.h"

namespace cmsim {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

// ---- helpers -----------------------------------------------------------------------------

fs::path dataDir() {
    return fs::path(CMSIM_SOURCE_DIR) / "tests" / "data" / "elf";
}

Bytes readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << "cannot open " << path;
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The InputError message of f(), or nullopt (with a test failure) when it does not throw
// one. Every message must be a single line.
std::optional<std::string> inputErrorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        const std::string message = e.what();
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        return message;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected InputError, got another exception: " << e.what();
        return std::nullopt;
    }
    ADD_FAILURE() << "expected InputError, nothing thrown";
    return std::nullopt;
}

#define EXPECT_INPUT_ERROR(expr, ...)                                                            \
    do {                                                                                         \
        const auto message_ = inputErrorOf([&] { (void)(expr); });                               \
        if (message_) {                                                                          \
            for (const std::string& phrase_ : std::initializer_list<std::string>{__VA_ARGS__}) { \
                EXPECT_NE(message_->find(phrase_), std::string::npos)                            \
                    << "message: " << *message_ << "\nmissing: " << phrase_;                     \
            }                                                                                    \
        }                                                                                        \
    } while (0)

std::string hexOf(std::uint64_t v) {
    char text[32];
    std::snprintf(text, sizeof text, "%llx", static_cast<unsigned long long>(v));
    return text;
}

void put16(Bytes& b, std::size_t at, std::uint16_t v) {
    b.at(at) = static_cast<std::uint8_t>(v);
    b.at(at + 1) = static_cast<std::uint8_t>(v >> 8);
}
void put32(Bytes& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b.at(at + i) = static_cast<std::uint8_t>(v >> (8 * i));
}
template <typename T>
void append(Bytes& b, const T& value) {
    const std::size_t at = b.size();
    b.resize(at + sizeof(T));
    std::memcpy(b.data() + at, &value, sizeof(T));
}
void alignTo(Bytes& b, std::size_t alignment) {
    while (b.size() % alignment != 0) b.push_back(0);
}

// ---- a tiny ELF32 little-endian writer --------------------------------------------------

struct TestSegment {
    std::uint32_t type = PT_LOAD;
    std::uint32_t vaddr = 0;
    std::uint32_t paddr = 0;
    Bytes data;
    std::uint32_t memsz = 0;  // 0: data.size()
    std::uint32_t flags = PF_R | PF_X;
};

struct TestSection {
    std::string name;
    std::uint32_t type = SHT_PROGBITS;
    std::uint32_t flags = SHF_ALLOC;
    std::uint32_t addr = 0;
    Bytes data;
    std::optional<std::size_t> segment;  // contents are those of this segment instead
};

struct TestSymbol {
    std::string name;
    std::uint32_t value;
    std::uint32_t size;
    unsigned char type;
    unsigned char bind = STB_GLOBAL;
    std::uint16_t shndx = 1;  // the first user section
};

// Offsets of the fixed ELF32 fields the tests patch.
constexpr std::size_t kPhoff = 28, kShoff = 32, kPhentsize = 42, kPhnum = 44, kShentsize = 46;
constexpr std::size_t phdrAt(std::size_t i) {
    return sizeof(Elf32_Ehdr) + i * sizeof(Elf32_Phdr);
}
constexpr std::size_t kPOffset = 4, kPPaddr = 12, kPFilesz = 16, kPMemsz = 20;

struct TestElf {
    std::uint16_t type = ET_EXEC;
    std::uint16_t machine = EM_ARM;
    std::uint32_t entry = 0x08000009;
    std::vector<TestSegment> segments;
    std::vector<TestSection> sections;
    std::vector<TestSymbol> symbols;
    bool symbolsInDynsym = false;
    std::optional<Bytes> attributes;  // .ARM.attributes contents

    Bytes build() const {
        Bytes out(sizeof(Elf32_Ehdr) + segments.size() * sizeof(Elf32_Phdr), 0);
        std::vector<std::uint32_t> segmentOffset;
        for (const TestSegment& s : segments) {
            alignTo(out, 4);
            segmentOffset.push_back(static_cast<std::uint32_t>(out.size()));
            out.insert(out.end(), s.data.begin(), s.data.end());
        }

        // Sections: the user's, then attributes, symbols, strings, section names.
        std::vector<Elf32_Shdr> headers(1, Elf32_Shdr{});
        std::string shstrtab(1, '\0');
        auto addSection = [&](const std::string& name, std::uint32_t stype, std::uint32_t flags,
                              std::uint32_t addr, std::uint32_t offset, std::uint32_t size) {
            Elf32_Shdr h{};
            h.sh_name = static_cast<std::uint32_t>(shstrtab.size());
            shstrtab += name + '\0';
            h.sh_type = stype;
            h.sh_flags = flags;
            h.sh_addr = addr;
            h.sh_offset = offset;
            h.sh_size = size;
            h.sh_addralign = 1;
            headers.push_back(h);
            return headers.size() - 1;
        };
        auto addData = [&](const Bytes& data) {
            alignTo(out, 4);
            const auto offset = static_cast<std::uint32_t>(out.size());
            out.insert(out.end(), data.begin(), data.end());
            return offset;
        };
        for (const TestSection& s : sections) {
            if (s.segment) {
                addSection(s.name, s.type, s.flags, s.addr, segmentOffset.at(*s.segment),
                           static_cast<std::uint32_t>(segments.at(*s.segment).data.size()));
            } else {
                addSection(s.name, s.type, s.flags, s.addr, addData(s.data),
                           static_cast<std::uint32_t>(s.data.size()));
            }
        }
        if (attributes) {
            addSection(".ARM.attributes", SHT_ARM_ATTRIBUTES, 0, 0, addData(*attributes),
                       static_cast<std::uint32_t>(attributes->size()));
        }
        if (!symbols.empty()) {
            std::string strtab(1, '\0');
            Bytes symtab(sizeof(Elf32_Sym), 0);
            std::uint32_t firstGlobal = 0;
            // Locals first, as the ELF spec requires.
            for (int pass = 0; pass < 2; ++pass) {
                for (const TestSymbol& s : symbols) {
                    if ((s.bind == STB_LOCAL) != (pass == 0)) continue;
                    if (pass == 1 && firstGlobal == 0) {
                        firstGlobal = static_cast<std::uint32_t>(symtab.size() / sizeof(Elf32_Sym));
                    }
                    Elf32_Sym sym{};
                    sym.st_name = static_cast<std::uint32_t>(strtab.size());
                    strtab += s.name + '\0';
                    sym.st_value = s.value;
                    sym.st_size = s.size;
                    sym.st_info = ELF32_ST_INFO(s.bind, s.type);
                    sym.st_shndx = s.shndx;
                    append(symtab, sym);
                }
            }
            const std::size_t symIndex = addSection(
                symbolsInDynsym ? ".dynsym" : ".symtab", symbolsInDynsym ? SHT_DYNSYM : SHT_SYMTAB,
                0, 0, addData(symtab), static_cast<std::uint32_t>(symtab.size()));
            const std::size_t strIndex =
                addSection(symbolsInDynsym ? ".dynstr" : ".strtab", SHT_STRTAB, 0, 0,
                           addData(Bytes(strtab.begin(), strtab.end())),
                           static_cast<std::uint32_t>(strtab.size()));
            headers[symIndex].sh_link = static_cast<std::uint32_t>(strIndex);
            headers[symIndex].sh_info = firstGlobal;
            headers[symIndex].sh_entsize = sizeof(Elf32_Sym);
            headers[symIndex].sh_addralign = 4;
        }
        const std::size_t shstrIndex = addSection(".shstrtab", SHT_STRTAB, 0, 0, 0, 0);
        shstrtab += '\0';
        headers[shstrIndex].sh_offset = addData(Bytes(shstrtab.begin(), shstrtab.end()));
        headers[shstrIndex].sh_size = static_cast<std::uint32_t>(shstrtab.size());

        alignTo(out, 4);
        const auto shoff = static_cast<std::uint32_t>(out.size());
        for (const Elf32_Shdr& h : headers) append(out, h);

        Elf32_Ehdr eh{};
        std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
        eh.e_ident[EI_CLASS] = ELFCLASS32;
        eh.e_ident[EI_DATA] = ELFDATA2LSB;
        eh.e_ident[EI_VERSION] = EV_CURRENT;
        eh.e_type = type;
        eh.e_machine = machine;
        eh.e_version = EV_CURRENT;
        eh.e_entry = entry;
        eh.e_phoff = segments.empty() ? 0 : sizeof(Elf32_Ehdr);
        eh.e_shoff = shoff;
        eh.e_flags = 0x05000200;
        eh.e_ehsize = sizeof(Elf32_Ehdr);
        eh.e_phentsize = sizeof(Elf32_Phdr);
        eh.e_phnum = static_cast<std::uint16_t>(segments.size());
        eh.e_shentsize = sizeof(Elf32_Shdr);
        eh.e_shnum = static_cast<std::uint16_t>(headers.size());
        eh.e_shstrndx = static_cast<std::uint16_t>(shstrIndex);
        std::memcpy(out.data(), &eh, sizeof eh);

        for (std::size_t i = 0; i < segments.size(); ++i) {
            const TestSegment& s = segments[i];
            Elf32_Phdr ph{};
            ph.p_type = s.type;
            ph.p_offset = segmentOffset[i];
            ph.p_vaddr = s.vaddr;
            ph.p_paddr = s.paddr;
            ph.p_filesz = static_cast<std::uint32_t>(s.data.size());
            ph.p_memsz = s.memsz != 0 ? s.memsz : static_cast<std::uint32_t>(s.data.size());
            ph.p_flags = s.flags;
            ph.p_align = 4;
            std::memcpy(out.data() + phdrAt(i), &ph, sizeof ph);
        }
        return out;
    }
};

// ---- .ARM.attributes contents -------------------------------------------------------------

void uleb(Bytes& b, std::uint64_t v) {
    do {
        std::uint8_t byte = v & 0x7f;
        v >>= 7;
        if (v != 0) byte |= 0x80;
        b.push_back(byte);
    } while (v != 0);
}
void ntbs(Bytes& b, std::string_view s) {
    b.insert(b.end(), s.begin(), s.end());
    b.push_back(0);
}
Bytes le32(std::uint32_t v) {
    return {std::uint8_t(v), std::uint8_t(v >> 8), std::uint8_t(v >> 16), std::uint8_t(v >> 24)};
}

// One vendor subsection holding one sub-subsection (tag 1 = Tag_File).
Bytes subsection(std::string_view vendor, const Bytes& attributes, std::uint8_t subTag = 1) {
    Bytes inner;
    inner.push_back(subTag);
    const Bytes size = le32(static_cast<std::uint32_t>(1 + 4 + attributes.size()));
    inner.insert(inner.end(), size.begin(), size.end());
    inner.insert(inner.end(), attributes.begin(), attributes.end());
    Bytes out = le32(static_cast<std::uint32_t>(4 + vendor.size() + 1 + inner.size()));
    ntbs(out, vendor);
    out.insert(out.end(), inner.begin(), inner.end());
    return out;
}

Bytes attributeSection(std::initializer_list<Bytes> subsections) {
    Bytes out{'A'};
    for (const Bytes& s : subsections) out.insert(out.end(), s.begin(), s.end());
    return out;
}

// Tag_CPU_name, Tag_CPU_arch, Tag_CPU_arch_profile (profile 0: left out).
Bytes cpuAttributes(std::string_view name, unsigned arch, unsigned profile) {
    Bytes a;
    uleb(a, 5);
    ntbs(a, name);
    uleb(a, 6);
    uleb(a, arch);
    if (profile != 0) {
        uleb(a, 7);
        uleb(a, profile);
    }
    uleb(a, 9);  // Tag_THUMB_ISA_use: Thumb-2
    uleb(a, 2);
    return attributeSection({subsection("aeabi", a)});
}

// A minimal valid Cortex-M image: one flash segment, .text over it, symbols, attributes.
TestElf minimalElf() {
    TestElf elf;
    TestSegment text;
    text.vaddr = text.paddr = 0x08000000;
    for (int i = 0; i < 0x40; ++i) text.data.push_back(static_cast<std::uint8_t>(i));
    elf.segments.push_back(text);
    elf.sections.push_back(
        TestSection{".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0x08000000, {}, 0});
    elf.symbols = {
        {"main", 0x08000009, 0x30, STT_FUNC},
        {"$t", 0x08000008, 0, STT_NOTYPE, STB_LOCAL},
        {"$d", 0x08000000, 0, STT_NOTYPE, STB_LOCAL},
        {"$t.1", 0x08000010, 0, STT_NOTYPE, STB_LOCAL},
        {"$a", 0x08000010, 0, STT_NOTYPE, STB_LOCAL},
        {"$d.realdata", 0x08000010, 0, STT_NOTYPE, STB_LOCAL},
        {".text", 0x08000000, 0, STT_SECTION, STB_LOCAL},
        {"main.c", 0, 0, STT_FILE, STB_LOCAL, SHN_ABS},
        {"vectors", 0x08000000, 8, STT_OBJECT},
        {"undefined_thing", 0, 0, STT_NOTYPE, STB_GLOBAL, SHN_UNDEF},
        {"_estack", 0x20004000, 0, STT_NOTYPE, STB_GLOBAL, SHN_ABS},
        {"", 0x08000020, 0, STT_NOTYPE, STB_LOCAL},
        {"tls_thing", 0x08000020, 4, STT_TLS},
    };
    elf.attributes = cpuAttributes("cortex-m4", 13, 'M');
    return elf;
}

// ---- the real Cortex-M4 image ------------------------------------------------------------

class RealM4Elf : public ::testing::Test {
protected:
    void SetUp() override { image_.emplace(ElfImage::load(dataDir() / "m4.elf")); }
    const ElfImage& image() const { return *image_; }

private:
    std::optional<ElfImage> image_;
};

TEST_F(RealM4Elf, SegmentsAreTheFlashAndDataLoadRanges) {
    const auto& segs = image().segments();
    ASSERT_EQ(segs.size(), 2u);  // .bss's segment has no file bytes
    EXPECT_EQ(segs[0].address, 0x08000000u);
    EXPECT_EQ(segs[0].vaddr, 0x08000000u);
    EXPECT_EQ(segs[0].bytes.size(), 0x68u);
    EXPECT_EQ(segs[0].memSize, 0x68u);
    EXPECT_TRUE(segs[0].executable);
    EXPECT_FALSE(segs[0].writable);
    // Vector table: initial SP, then the reset handler with its Thumb bit.
    EXPECT_EQ(Bytes(segs[0].bytes.begin(), segs[0].bytes.begin() + 8),
              (Bytes{0x00, 0x40, 0x00, 0x20, 0x11, 0x00, 0x00, 0x08}));

    EXPECT_EQ(segs[1].address, 0x08000068u);  // LMA in flash
    EXPECT_EQ(segs[1].vaddr, 0x20000000u);    // VMA in RAM
    EXPECT_EQ(segs[1].bytes, (Bytes{0x78, 0x56, 0x34, 0x12}));
    EXPECT_EQ(segs[1].memSize, 4u);
    EXPECT_FALSE(segs[1].executable);
    EXPECT_TRUE(segs[1].writable);
}

TEST_F(RealM4Elf, HeaderAndAttributes) {
    EXPECT_EQ(image().entry(), 0x08000011u);
    EXPECT_EQ(image().cpuArch(), 13u);  // ARMv7E-M
    EXPECT_EQ(image().cpuArchProfile(), 'M');
    EXPECT_EQ(image().cpuName(), "Cortex-M4");
    EXPECT_TRUE(image().isArmv7mOrLater());
    EXPECT_EQ(image().displayName(), (dataDir() / "m4.elf").string());
}

TEST_F(RealM4Elf, Sections) {
    EXPECT_EQ(image().sectionAddress(".isr_vector"), 0x08000000u);
    EXPECT_EQ(image().sectionAddress(".text"), 0x08000010u);
    EXPECT_EQ(image().sectionAddress(".data"), 0x20000000u);
    EXPECT_EQ(image().sectionAddress(".bss"), 0x20000004u);
    EXPECT_EQ(image().sectionAddress(".nonexistent"), std::nullopt);

    const auto vectors = image().sectionBytes(".isr_vector");
    ASSERT_TRUE(vectors);
    EXPECT_EQ(*vectors, (Bytes{0x00, 0x40, 0x00, 0x20, 0x11, 0x00, 0x00, 0x08,  //
                               0x65, 0x00, 0x00, 0x08, 0x65, 0x00, 0x00, 0x08}));
    EXPECT_EQ(image().sectionBytes(".data"), (Bytes{0x78, 0x56, 0x34, 0x12}));
    EXPECT_EQ(image().sectionBytes(".bss"), std::nullopt);  // NOBITS
    EXPECT_EQ(image().sectionBytes(".nonexistent"), std::nullopt);
}

TEST_F(RealM4Elf, SymbolsByName) {
    const SymbolTable& syms = image().symbols();
    const auto main = syms.byName("main");
    ASSERT_TRUE(main);
    EXPECT_EQ(main->address, 0x08000038u);  // Thumb bit cleared
    EXPECT_EQ(main->size, 44u);
    EXPECT_TRUE(main->isFunction);

    const auto handler = syms.byName("Default_Handler");  // a local
    ASSERT_TRUE(handler);
    EXPECT_EQ(handler->address, 0x08000064u);

    const auto counter = syms.byName("counter");
    ASSERT_TRUE(counter);
    EXPECT_EQ(counter->address, 0x20000000u);
    EXPECT_EQ(counter->size, 4u);
    EXPECT_FALSE(counter->isFunction);

    EXPECT_EQ(syms.byName("_estack")->address, 0x20004000u);  // absolute, from the script
    EXPECT_EQ(syms.byName("_sidata")->address, 0x08000068u);
    EXPECT_FALSE(syms.byName("mai"));
}

TEST_F(RealM4Elf, MappingSectionAndFileSymbolsAreExcluded) {
    const SymbolTable& syms = image().symbols();
    for (const char* name : {"$t", "$d", "$a", ".text", ".isr_vector", "m4.o", ""}) {
        EXPECT_FALSE(syms.byName(name)) << name;
    }
    for (const Symbol& s : syms.all()) {
        EXPECT_NE(s.name.front(), '$') << s.name;
    }
    // The literal pool of main ($d at 0x0800005c) still belongs to main.
    EXPECT_EQ(syms.describe(0x0800005c), "main+0x24");
}

TEST_F(RealM4Elf, Describe) {
    const SymbolTable& syms = image().symbols();
    const std::uint32_t main = syms.byName("main")->address;
    EXPECT_EQ(syms.describe((main + 0x1c) | 1), "main+0x1c");
    EXPECT_EQ(syms.describe(main + 0x1c), "main+0x1c");
    EXPECT_EQ(syms.describe(main | 1), "main");
    EXPECT_EQ(syms.describe(0x08000010), "Reset_Handler");
    EXPECT_EQ(syms.describe(0x08000065), "Default_Handler");
    // Past the end of Default_Handler (size 2): the nearest function below.
    EXPECT_EQ(syms.describe(0x08000066), "Default_Handler+0x2");
    EXPECT_EQ(syms.describe(0x08000000), "g_vectors");
    EXPECT_EQ(syms.describe(0x08000004), "g_vectors+0x4");
    // Data: the sized object wins over the linker's zero-size _sdata at the same address.
    EXPECT_EQ(syms.describe(0x20000000), "counter");
    EXPECT_EQ(syms.describe(0x20000003), "counter+0x3");
    EXPECT_EQ(syms.describe(0x20000004), "buffer");
    EXPECT_EQ(syms.describe(0x20000043), "buffer+0x3f");
    EXPECT_EQ(syms.describe(0x20000044), "_ebss");
    EXPECT_EQ(syms.describe(0x20000045), "0x20000045");
    EXPECT_EQ(syms.describe(0x10000000), "0x10000000");
    EXPECT_EQ(syms.describe(0x08001234), "0x08001234");  // > 4 KiB past the last function
    ASSERT_NE(syms.containing(main + 4), nullptr);
    EXPECT_EQ(syms.containing(main + 4)->name, "main");
    EXPECT_EQ(syms.containing(0x30000000), nullptr);
}

TEST(ElfImageFile, LoadEqualsFromBytes) {
    const fs::path path = dataDir() / "m4.elf";
    const ElfImage fromFile = ElfImage::load(path);
    const ElfImage fromMemory = ElfImage::fromBytes(readFile(path), "m4 in memory");
    EXPECT_EQ(fromMemory.displayName(), "m4 in memory");
    ASSERT_EQ(fromFile.segments().size(), fromMemory.segments().size());
    for (std::size_t i = 0; i < fromFile.segments().size(); ++i) {
        EXPECT_EQ(fromFile.segments()[i].bytes, fromMemory.segments()[i].bytes);
    }
    EXPECT_EQ(fromFile.symbols().size(), fromMemory.symbols().size());
}

TEST(ElfImageFile, MissingFile) {
    const fs::path path = fs::path(::testing::TempDir()) / "does-not-exist.elf";
    EXPECT_INPUT_ERROR(ElfImage::load(path), path.string() + ": no such file");
}

TEST(ElfImageFile, Directory) {
    EXPECT_INPUT_ERROR(ElfImage::load(dataDir()), dataDir().string() + ": is a directory");
}

TEST(ElfImageFile, EmptyFile) {
    const fs::path path = fs::path(::testing::TempDir()) / "cmsim-empty.elf";
    { std::ofstream(path, std::ios::binary); }
    EXPECT_INPUT_ERROR(ElfImage::load(path), path.string() + ": not an ELF file");
    fs::remove(path);
}

TEST(ElfImageFile, ARProfileImageIsRejected) {
    const fs::path path = dataDir() / "a7.elf";
    EXPECT_INPUT_ERROR(ElfImage::load(path),
                       path.string() +
                           ": built for an A-profile core (Tag_CPU_arch_profile 'A'); cmsim "
                           "runs M-profile firmware");
}

// Every prefix of a real ELF is an InputError, never a crash (run under ASan/UBSan).
TEST(ElfImageFile, EveryTruncationOfTheRealImageIsAnInputError) {
    const Bytes whole = readFile(dataDir() / "m4.elf");
    ASSERT_GT(whole.size(), 1000u);
    for (std::size_t cut = 0; cut < whole.size(); ++cut) {
        SCOPED_TRACE(cut);
        const Bytes prefix(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut));
        if (cut < 4) {
            EXPECT_INPUT_ERROR(ElfImage::fromBytes(prefix, "cut.elf"), "cut.elf: not an ELF file");
        } else {
            EXPECT_INPUT_ERROR(ElfImage::fromBytes(prefix, "cut.elf"), "cut.elf: truncated (");
        }
    }
    EXPECT_NO_THROW(ElfImage::fromBytes(whole, "whole.elf"));
}

// The same for the bundled firmware, when it has been built (fewer cut points: big files).
TEST(ElfImageFile, TruncatedBundledFirmwareIsAnInputError) {
    std::vector<fs::path> elfs;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(CMSIM_FIRMWARE_DIR, ec), end; !ec && it != end;
         it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".elf") elfs.push_back(it->path());
    }
    if (elfs.empty()) GTEST_SKIP() << "no firmware built in " << CMSIM_FIRMWARE_DIR;
    for (const fs::path& path : elfs) {
        SCOPED_TRACE(path.string());
        const Bytes whole = readFile(path);
        EXPECT_NO_THROW(ElfImage::fromBytes(whole, path.string()));
        for (std::size_t k = 0; k < 97; ++k) {
            const std::size_t cut = whole.size() * k / 97;
            const Bytes prefix(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut));
            EXPECT_INPUT_ERROR(ElfImage::fromBytes(prefix, "cut.elf"), "cut.elf: ");
        }
    }
}

// Random corruption: an image or an InputError, nothing else (a poor man's fuzzer; the
// real one is libFuzzer).
TEST(ElfImageFile, CorruptedBytesNeverCrash) {
    const Bytes whole = readFile(dataDir() / "m4.elf");
    std::mt19937 rng(12345);
    int loaded = 0;
    for (int round = 0; round < 3000; ++round) {
        Bytes b = whole;
        const int flips = 1 + static_cast<int>(rng() % 8);
        for (int i = 0; i < flips; ++i) {
            const std::size_t at = rng() % b.size();
            switch (rng() % 3) {
                case 0:
                    b[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
                    break;
                case 1:
                    b[at] = static_cast<std::uint8_t>(rng());
                    break;
                default:
                    b[at] = (rng() % 2) != 0 ? 0xff : 0x00;
                    break;
            }
        }
        try {
            const ElfImage image = ElfImage::fromBytes(std::move(b), "fuzz.elf");
            (void)image.symbols().describe(0x08000041);
            (void)image.sectionBytes(".isr_vector");
            ++loaded;
        } catch (const InputError& e) {
            EXPECT_EQ(std::string(e.what()).rfind("fuzz.elf: ", 0), 0u) << e.what();
        }
    }
    EXPECT_GT(loaded, 0);
}

// ---- synthetic images: one per kind of bad input -----------------------------------------

TEST(ElfImageSynthetic, MinimalImageLoads) {
    const ElfImage image = ElfImage::fromBytes(minimalElf().build(), "min.elf");
    ASSERT_EQ(image.segments().size(), 1u);
    EXPECT_EQ(image.segments()[0].address, 0x08000000u);
    EXPECT_EQ(image.segments()[0].bytes.size(), 0x40u);
    EXPECT_EQ(image.segments()[0].bytes[0x3f], 0x3f);
    EXPECT_EQ(image.entry(), 0x08000009u);
    EXPECT_EQ(image.cpuName(), "cortex-m4");

    const SymbolTable& syms = image.symbols();
    EXPECT_EQ(syms.size(), 3u);  // main, vectors, _estack
    EXPECT_EQ(syms.byName("main")->address, 0x08000008u);
    EXPECT_EQ(syms.describe((0x08000008 + 0x1c) | 1), "main+0x1c");
    EXPECT_EQ(syms.describe(0x08000004), "vectors+0x4");
    EXPECT_EQ(syms.byName("_estack")->address, 0x20004000u);
    for (const char* name : {"$t", "$d", "$t.1", "$a", "$d.realdata", ".text", "main.c",
                             "undefined_thing", "tls_thing"}) {
        EXPECT_FALSE(syms.byName(name)) << name;
    }
}

TEST(ElfImageSynthetic, BadMagic) {
    const std::string text = "This is not an ELF file, it is text.";
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(Bytes(text.begin(), text.end()), "notes.txt"),
                       "notes.txt: not an ELF file (starts with 54 68 69 73");
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(Bytes{0x7f, 'E', 'L'}, "short.elf"),
                       "short.elf: not an ELF file");
    const std::string ar = "!<arch>\n/               0           0     0     0       4         `\n";
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(Bytes(ar.begin(), ar.end()), "libfoo.a"),
                       "libfoo.a: not an ELF file (an ar archive");
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(Bytes{}, "empty.elf"),
                       "empty.elf: not an ELF file (the file is empty)");
}

TEST(ElfImageSynthetic, TruncatedHeader) {
    const Bytes whole = minimalElf().build();
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(Bytes(whole.begin(), whole.begin() + 30), "t.elf"),
                       "t.elf: truncated (the ELF header needs 0x34 bytes, file size 0x1e)");
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(Bytes(whole.begin(), whole.begin() + 10), "t.elf"),
                       "t.elf: truncated (the ELF header needs 0x34 bytes, file size 0xa)");
}

Bytes elf64Header(std::uint16_t machine) {
    Elf64_Ehdr eh{};
    std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_EXEC;
    eh.e_machine = machine;
    eh.e_version = EV_CURRENT;
    eh.e_ehsize = sizeof(Elf64_Ehdr);
    Bytes out;
    append(out, eh);
    return out;
}

TEST(ElfImageSynthetic, Class64) {
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(elf64Header(EM_X86_64), "host.elf"),
                       "host.elf: 64-bit ELF (ELFCLASS64) for x86-64 (e_machine 62), expected "
                       "32-bit ARM (ELFCLASS32)");
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(elf64Header(EM_AARCH64), "a64.elf"),
                       "a64.elf: 64-bit ELF (ELFCLASS64) for AArch64 (e_machine 183)");
    // Too short for libelf to read the 64-bit header: the class alone is reported.
    Bytes cut = elf64Header(EM_X86_64);
    cut.resize(40);
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(cut, "host.elf"),
                       "host.elf: 64-bit ELF (ELFCLASS64), expected 32-bit ARM (ELFCLASS32)");
}

TEST(ElfImageSynthetic, BadIdentification) {
    Bytes b = minimalElf().build();
    b[EI_CLASS] = 7;
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(b, "c.elf"), "c.elf: invalid ELF class (EI_CLASS 7)");
    b = minimalElf().build();
    b[EI_DATA] = 0;
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(b, "d.elf"),
                       "d.elf: invalid ELF data encoding (EI_DATA 0)");
    b = minimalElf().build();
    b[EI_VERSION] = 2;
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(b, "v.elf"),
                       "v.elf: unsupported ELF version (EI_VERSION 2)");
}

TEST(ElfImageSynthetic, BigEndian) {
    Bytes b = minimalElf().build();
    b[EI_DATA] = ELFDATA2MSB;
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(b, "be.elf"),
                       "be.elf: big-endian ELF (ELFDATA2MSB), expected little-endian");
}

TEST(ElfImageSynthetic, WrongMachine) {
    const std::pair<std::uint16_t, std::string> cases[] = {
        {EM_X86_64, "ELF for x86-64 (e_machine 62), expected 32-bit ARM"},
        {EM_386, "ELF for i386 (e_machine 3), expected 32-bit ARM"},
        {EM_AARCH64, "ELF for AArch64 (e_machine 183), expected 32-bit ARM"},
        {EM_RISCV, "ELF for RISC-V (e_machine 243), expected 32-bit ARM"},
        {EM_XTENSA, "ELF for Xtensa (e_machine 94), expected 32-bit ARM"},
        {0x1234, "ELF for an unknown machine (e_machine 4660), expected 32-bit ARM"},
    };
    for (const auto& [machine, message] : cases) {
        TestElf elf = minimalElf();
        elf.machine = machine;
        EXPECT_INPUT_ERROR(ElfImage::fromBytes(elf.build(), "m.elf"), "m.elf: " + message);
    }
}

TEST(ElfImageSynthetic, NotAnExecutable) {
    TestElf elf = minimalElf();
    elf.type = ET_REL;
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(elf.build(), "main.o"),
                       "main.o: not an executable (ET_REL, a relocatable object file");
    elf.type = ET_DYN;
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(elf.build(), "lib.so"),
                       "lib.so: not an executable (ET_DYN, a shared object");
    elf.type = ET_CORE;
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(elf.build(), "core"),
                       "core: not an executable (ET_CORE");
}

TEST(ElfImageSynthetic, ProfilesOtherThanMAreRejected) {
    TestElf elf = minimalElf();
    elf.attributes = cpuAttributes("cortex-r5", 10, 'R');
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(elf.build(), "r5.elf"),
                       "r5.elf: built for an R-profile core (Tag_CPU_arch_profile 'R'); cmsim "
                       "runs M-profile firmware");
    elf.attributes = cpuAttributes("cortex-a53", 14, 'A');
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(elf.build(), "a53.elf"),
                       "a53.elf: built for an A-profile core (Tag_CPU_arch_profile 'A')");
    elf.attributes = cpuAttributes("", 10, 'S');
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(elf.build(), "s.elf"),
                       "s.elf: built for an A- or R-profile core (Tag_CPU_arch_profile 'S')");
    // No profile recorded, but a classic architecture: ARM7TDMI firmware.
    elf.attributes = cpuAttributes("arm7tdmi", 2, 0);
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(elf.build(), "arm7.elf"),
                       "arm7.elf: built for ARMv4T (Tag_CPU_arch 2), which has no M profile; "
                       "cmsim runs M-profile firmware");
    // Plain ARMv7 without a profile is the common subset: accepted.
    elf.attributes = cpuAttributes("", 10, 0);
    EXPECT_NO_THROW(ElfImage::fromBytes(elf.build(), "v7.elf"));
}

TEST(ElfImageSynthetic, ArchitectureVersion) {
    TestElf elf = minimalElf();
    elf.attributes = cpuAttributes("cortex-m0", 11, 'M');
    ElfImage m0 = ElfImage::fromBytes(elf.build(), "m0.elf");
    EXPECT_EQ(m0.cpuArch(), 11u);
    EXPECT_EQ(m0.cpuArchProfile(), 'M');
    EXPECT_FALSE(m0.isArmv7mOrLater());
    elf.attributes = cpuAttributes("cortex-m23", 16, 'M');
    EXPECT_FALSE(ElfImage::fromBytes(elf.build(), "m23.elf").isArmv7mOrLater());
    elf.attributes = cpuAttributes("cortex-m33", 17, 'M');
    EXPECT_TRUE(ElfImage::fromBytes(elf.build(), "m33.elf").isArmv7mOrLater());
    elf.attributes = cpuAttributes("cortex-m3", 10, 'M');
    EXPECT_TRUE(ElfImage::fromBytes(elf.build(), "m3.elf").isArmv7mOrLater());
}

TEST(ElfImageSynthetic, NoAttributesUsesTheEntryPoint) {
    TestElf elf = minimalElf();
    elf.attributes.reset();
    const ElfImage thumb = ElfImage::fromBytes(elf.build(), "thumb.elf");
    EXPECT_FALSE(thumb.cpuArch());
    EXPECT_FALSE(thumb.cpuArchProfile());
    EXPECT_TRUE(thumb.isArmv7mOrLater());

    elf.entry = 0x08000008;
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(elf.build(), "arm.elf"),
                       "arm.elf: entry point 0x08000008 is an ARM-state address (bit 0 clear) "
                       "and there is no .ARM.attributes section");
}

TEST(ElfImageSynthetic, AttributesAmongOtherVendorsAndTags) {
    // A vendor subsection before aeabi, a Tag_Section sub-subsection (skipped), and every
    // kind of value before the profile: strings, Tag_compatibility, parity-typed tags.
    Bytes file;
    uleb(file, 4);  // Tag_CPU_raw_name
    ntbs(file, "ARM v7EM");
    uleb(file, 32);  // Tag_compatibility: flag + vendor
    uleb(file, 1);
    ntbs(file, "gnu");
    uleb(file, 67);  // Tag_conformance
    ntbs(file, "2.09");
    uleb(file, 65);  // Tag_also_compatible_with
    ntbs(file, "\x06\x0b");
    uleb(file, 99);  // unknown odd: string
    ntbs(file, "whatever");
    uleb(file, 100);  // unknown even: ULEB128
    uleb(file, 300);
    uleb(file, 6);  // Tag_CPU_arch v7E-M
    uleb(file, 13);
    uleb(file, 7);  // Tag_CPU_arch_profile 'M'
    uleb(file, 'M');
    Bytes sectionAttrs{1, 0};  // section 1, end of list, then Tag_CPU_arch_profile 'A'
    uleb(sectionAttrs, 7);
    uleb(sectionAttrs, 'A');

    TestElf elf = minimalElf();
    Bytes aeabi = subsection("aeabi", sectionAttrs, 2);
    const Bytes fileSub = subsection("aeabi", file);
    aeabi.insert(aeabi.end(), fileSub.begin() + 4 + 6, fileSub.end());  // append its body
    put32(aeabi, 0, static_cast<std::uint32_t>(aeabi.size()));
    Bytes other;
    uleb(other, 7);
    uleb(other, 'A');
    elf.attributes = attributeSection({subsection("gnu", other), aeabi});
    const ElfImage image = ElfImage::fromBytes(elf.build(), "attrs.elf");
    EXPECT_EQ(image.cpuArch(), 13u);
    EXPECT_EQ(image.cpuArchProfile(), 'M');
    EXPECT_FALSE(image.cpuName());
}

TEST(ElfImageSynthetic, MalformedAttributesAreIgnoredQuietly) {
    const Bytes good = cpuAttributes("cortex-m4", 13, 'M');
    // Every prefix and some garbage: the image loads (entry is odd) and never crashes.
    std::vector<Bytes> variants;
    for (std::size_t cut = 0; cut <= good.size(); ++cut)
        variants.emplace_back(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut));
    variants.push_back({'A', 0xff, 0xff, 0xff, 0xff, 'a', 'e'});
    variants.push_back({'A', 0x02, 0x00, 0x00, 0x00});
    variants.push_back({'B', 0x00});
    Bytes longUleb{'A'};
    Bytes body;
    body.push_back(6);
    for (int i = 0; i < 20; ++i) body.push_back(0xff);
    body.push_back(0x01);
    const Bytes sub = subsection("aeabi", body);
    longUleb.insert(longUleb.end(), sub.begin(), sub.end());
    variants.push_back(longUleb);
    Bytes badSubSize = attributeSection({subsection("aeabi", {7, 'M'})});
    put32(badSubSize, 1 + 4 + 6 + 1, 0xfffffff0);  // sub-subsection size
    variants.push_back(badSubSize);

    for (const Bytes& attrs : variants) {
        TestElf elf = minimalElf();
        elf.attributes = attrs;
        EXPECT_NO_THROW(ElfImage::fromBytes(elf.build(), "attr.elf"));
    }
    // The complete one is read.
    TestElf elf = minimalElf();
    elf.attributes = good;
    EXPECT_EQ(ElfImage::fromBytes(elf.build(), "attr.elf").cpuArch(), 13u);
}

TEST(ElfImageSynthetic, NothingToLoad) {
    TestElf elf = minimalElf();
    elf.segments[0].type = PT_NOTE;
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(elf.build(), "empty.elf"),
                       "empty.elf: nothing to load (no PT_LOAD segment with file contents)");

    elf = minimalElf();
    elf.sections.clear();
    elf.symbols.clear();
    elf.segments[0].data.clear();
    elf.segments[0].memsz = 0x100;  // .bss only
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(elf.build(), "bss.elf"), "bss.elf: nothing to load");

    elf = minimalElf();
    elf.segments.clear();
    elf.sections.clear();
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(elf.build(), "none.elf"), "none.elf: nothing to load");
}

TEST(ElfImageSynthetic, OverlappingSegments) {
    TestElf elf = minimalElf();
    TestSegment second;
    second.vaddr = 0x20000000;
    second.paddr = 0x08000030;  // inside the first segment's 0x40 bytes
    second.data = Bytes(0x20, 0xaa);
    second.flags = PF_R | PF_W;
    elf.segments.push_back(second);
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(elf.build(), "ov.elf"),
                       "ov.elf: segments 0 and 1 overlap (load addresses 0x08000000-0x0800003f "
                       "and 0x08000030-0x0800004f)");

    // Adjacent is fine; only the VMA differs from the LMA.
    elf.segments[1].paddr = 0x08000040;
    const ElfImage image = ElfImage::fromBytes(elf.build(), "adj.elf");
    ASSERT_EQ(image.segments().size(), 2u);
    EXPECT_EQ(image.segments()[1].address, 0x08000040u);
    EXPECT_EQ(image.segments()[1].vaddr, 0x20000000u);
    EXPECT_TRUE(image.segments()[1].writable);
    EXPECT_FALSE(image.segments()[1].executable);
}

TEST(ElfImageSynthetic, TruncatedSegment) {
    Bytes b = minimalElf().build();
    const std::uint32_t offset = 0x54;  // after the header and one program header
    ASSERT_EQ(b[phdrAt(0) + kPOffset], offset);
    put32(b, phdrAt(0) + kPFilesz, 0x10000);
    put32(b, phdrAt(0) + kPMemsz, 0x10000);
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(b, "t.elf"),
                       "t.elf: truncated (segment 0 at file offset 0x54 + 0x10000 bytes exceeds "
                       "file size 0x" +
                           hexOf(b.size()) + ")");
}

TEST(ElfImageSynthetic, TruncatedTables) {
    Bytes b = minimalElf().build();
    put32(b, kPhoff, static_cast<std::uint32_t>(b.size() - 8));
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(b, "ph.elf"),
                       "ph.elf: truncated (program header table at file offset 0x" +
                           hexOf(b.size() - 8) + " + 0x20 bytes exceeds file size 0x" +
                           hexOf(b.size()) + ")");
    b = minimalElf().build();
    put32(b, kShoff, 0xfffffff0);
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(b, "sh.elf"),
                       "sh.elf: truncated (section header table at file offset 0xfffffff0");
    // A section whose contents lie past the end.
    TestElf elf = minimalElf();
    elf.symbols.clear();
    elf.attributes.reset();
    elf.entry = 0x08000009;
    b = elf.build();
    const std::uint32_t shoff = b[kShoff] | b[kShoff + 1] << 8 | b[kShoff + 2] << 16;
    put32(b, shoff + sizeof(Elf32_Shdr) + 16, 0x7fff0000);  // .text sh_offset
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(b, "sec.elf"),
                       "sec.elf: truncated (section 1 '.text' at file offset 0x7fff0000 + 0x40");
}

TEST(ElfImageSynthetic, MalformedSegments) {
    Bytes b = minimalElf().build();
    put32(b, phdrAt(0) + kPMemsz, 0x10);
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(b, "m.elf"),
                       "m.elf: malformed segment 0 (p_filesz 0x40 exceeds p_memsz 0x10)");
    b = minimalElf().build();
    put32(b, phdrAt(0) + kPPaddr, 0xfffffff0);
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(b, "w.elf"),
                       "w.elf: segment 0 at load address 0xfffffff0 + 0x40 bytes runs past the "
                       "end of the 32-bit address space");
    b = minimalElf().build();
    put16(b, kPhentsize, 20);
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(b, "pe.elf"),
                       "pe.elf: malformed program header table (e_phentsize 20, expected 32)");
    b = minimalElf().build();
    put16(b, kShentsize, 64);
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(b, "se.elf"),
                       "se.elf: malformed section header table (e_shentsize 64, expected 40)");
    b = minimalElf().build();
    put16(b, kPhnum, 0xfff0);
    EXPECT_INPUT_ERROR(ElfImage::fromBytes(b, "pn.elf"), "pn.elf: truncated (program header table");
}

TEST(ElfImageSynthetic, NoSectionHeadersAtAll) {
    // Stripped to the program headers: loads, with no symbols and no sections.
    TestElf elf = minimalElf();
    elf.attributes.reset();
    Bytes b = elf.build();
    put32(b, kShoff, 0);
    put16(b, 48, 0);  // e_shnum
    put16(b, 50, 0);  // e_shstrndx
    const ElfImage image = ElfImage::fromBytes(b, "bare.elf");
    EXPECT_EQ(image.segments().size(), 1u);
    EXPECT_TRUE(image.symbols().empty());
    EXPECT_EQ(image.sectionAddress(".text"), std::nullopt);
}

TEST(ElfImageSynthetic, DynsymFallbackAndGlobalsFirst) {
    TestElf elf = minimalElf();
    elf.symbolsInDynsym = true;
    const ElfImage dyn = ElfImage::fromBytes(elf.build(), "dyn.elf");
    EXPECT_EQ(dyn.symbols().byName("main")->address, 0x08000008u);

    elf = minimalElf();
    elf.symbols = {{"helper", 0x08000021, 4, STT_FUNC, STB_LOCAL},
                   {"helper", 0x08000031, 4, STT_FUNC, STB_GLOBAL},
                   {"helper", 0x08000011, 4, STT_FUNC, STB_LOCAL}};
    const ElfImage dup = ElfImage::fromBytes(elf.build(), "dup.elf");
    EXPECT_EQ(dup.symbols().size(), 3u);
    EXPECT_EQ(dup.symbols().byName("helper")->address, 0x08000030u);  // the global one
    EXPECT_EQ(dup.symbols().describe(0x08000023), "helper+0x2");
}

// ---- SymbolTable on its own ----------------------------------------------------------------

TEST(SymbolTable, EmptyTable) {
    SymbolTable t;
    t.finalize();
    EXPECT_EQ(t.describe(0x08001234), "0x08001234");
    EXPECT_EQ(t.describe(0), "0x00000000");
    EXPECT_EQ(t.containing(0x08001234), nullptr);
    EXPECT_FALSE(t.byName("main"));
}

TEST(SymbolTable, FunctionsPreferredAndInnermostWins) {
    SymbolTable t;
    t.add({"blob", 0x1000, 0x1000, false});
    t.add({"inner", 0x1100, 0x10, false});
    t.add({"fn", 0x1800, 0x20, true});
    t.add({"marker", 0x1800, 0, false});
    t.finalize();
    EXPECT_EQ(t.describe(0x1000), "blob");
    EXPECT_EQ(t.describe(0x1104), "inner+0x4");
    EXPECT_EQ(t.describe(0x1110), "blob+0x110");
    EXPECT_EQ(t.describe(0x1800), "fn");
    EXPECT_EQ(t.describe(0x1811), "fn+0x10");
    EXPECT_EQ(t.describe(0x1820), "blob+0x820");  // past fn, still inside blob
    EXPECT_EQ(t.describe(0x2000), "fn+0x800");    // nearest function below, within 4 KiB
    EXPECT_EQ(t.describe(0x27ff), "fn+0xffe");    // (Thumb bit ignored for functions)
    EXPECT_EQ(t.describe(0x2800), "0x00002800");  // 4 KiB away: unknown
}

TEST(SymbolTable, StrongNameWinsOverWeakAliasesAtOneAddress) {
    // Startup code: every vector a weak alias of Default_Handler, aliases listed first.
    SymbolTable t;
    t.add({"ADC_IRQHandler", 0x438, 4, true, true});
    t.add({"BusFault_Handler", 0x438, 4, true, true});
    t.add({"Default_Handler", 0x438, 4, true, false});
    t.finalize();
    EXPECT_EQ(t.describe(0x438), "Default_Handler");
    EXPECT_EQ(t.describe(0x43a), "Default_Handler+0x2");
    EXPECT_EQ(t.byName("ADC_IRQHandler")->address, 0x438u);  // aliases still found by name
}

TEST(SymbolTable, ZeroSizeAndOddDataAddresses) {
    SymbolTable t;
    t.add({"flag", 0x20000001, 1, false});
    t.add({"label", 0x20000010, 0, false});
    t.finalize();
    EXPECT_EQ(t.describe(0x20000001), "flag");  // data matched at the exact byte
    EXPECT_EQ(t.describe(0x20000000), "0x20000000");
    EXPECT_EQ(t.describe(0x20000010), "label");
    EXPECT_EQ(t.describe(0x20000011), "0x20000011");
}

TEST(SymbolTable, SymbolsAtTheTopOfTheAddressSpace) {
    SymbolTable t;
    t.add({"top", 0xfffffff0, 0x10, true});
    t.add({"huge", 0xffff0000, 0xffffffff, false});
    t.finalize();
    EXPECT_EQ(t.describe(0xffffffff), "top+0xe");
    EXPECT_EQ(t.describe(0xffff0004), "huge+0x4");
}

TEST(SymbolTable, AddAfterFinalize) {
    SymbolTable t;
    t.add({"a", 0x100, 4, true});
    t.finalize();
    t.add({"b", 0x200, 4, true});
    EXPECT_FALSE(t.byName("b"));  // not until finalize()
    t.finalize();
    EXPECT_EQ(t.byName("b")->address, 0x200u);
    EXPECT_EQ(t.describe(0x202), "b+0x2");
    EXPECT_EQ(t.size(), 2u);
    t.add({"a", 0x300, 4, true});
    t.finalize();
    EXPECT_EQ(t.byName("a")->address, 0x100u);  // the first added wins
}

// containing() against a straightforward linear implementation of the same rules.
TEST(SymbolTable, MatchesALinearReference) {
    std::mt19937 rng(7);
    for (int round = 0; round < 20; ++round) {
        std::vector<Symbol> syms;
        SymbolTable t;
        const int n = 1 + static_cast<int>(rng() % 60);
        for (int i = 0; i < n; ++i) {
            Symbol s{"s" + std::to_string(i), static_cast<std::uint32_t>(rng() % 0x4000) & ~1u,
                     (rng() % 4 == 0) ? 0u : static_cast<std::uint32_t>(rng() % 0x300),
                     rng() % 2 == 0};
            syms.push_back(s);
            t.add(s);
        }
        t.finalize();
        auto end = [](const Symbol& s) { return std::uint64_t{s.address} + std::max(s.size, 1u); };
        auto better = [&](std::size_t a, std::size_t b) {  // a preferred over b
            const Symbol& x = syms[a];
            const Symbol& y = syms[b];
            if (x.isFunction != y.isFunction) return x.isFunction;
            if ((x.size == 0) != (y.size == 0)) return x.size != 0;
            if (x.address != y.address) return x.address > y.address;
            if (end(x) != end(y)) return end(x) < end(y);
            return a < b;
        };
        auto best = [&](std::uint32_t addr, bool functionsOnly) -> const Symbol* {
            std::optional<std::size_t> found;
            for (std::size_t i = 0; i < syms.size(); ++i) {
                if (functionsOnly && !syms[i].isFunction) continue;
                if (addr < syms[i].address || addr >= end(syms[i])) continue;
                if (!found || better(i, *found)) found = i;
            }
            return found ? &syms[*found] : nullptr;
        };
        auto reference = [&](std::uint32_t addr) -> const Symbol* {
            const std::uint32_t code = addr & ~1u;
            if (code != addr) {
                if (const Symbol* f = best(code, true)) return f;
            }
            if (const Symbol* s = best(addr, false)) return s;
            std::optional<std::size_t> near;
            for (std::size_t i = 0; i < syms.size(); ++i) {
                const Symbol& s = syms[i];
                if (!s.isFunction || s.address > code || code - s.address >= 0x1000) continue;
                if (!near || s.address > syms[*near].address ||
                    (s.address == syms[*near].address &&
                     ((s.size != 0) > (syms[*near].size != 0) ||
                      ((s.size != 0) == (syms[*near].size != 0) && i < *near)))) {
                    near = i;
                }
            }
            return near ? &syms[*near] : nullptr;
        };
        for (std::uint32_t addr = 0; addr < 0x5400; ++addr) {
            const Symbol* got = t.containing(addr);
            const Symbol* want = reference(addr);
            ASSERT_EQ(got == nullptr, want == nullptr) << "round " << round << " addr " << addr;
            if (got != nullptr) {
                ASSERT_EQ(got->name, want->name) << "round " << round << " addr " << addr;
            }
        }
    }
}

TEST(SymbolTable, ManySymbolsStayFast) {
    SymbolTable t;
    for (std::uint32_t i = 0; i < 50000; ++i) {
        t.add({"f" + std::to_string(i), 0x08000000 + i * 16, 12, true});
    }
    t.finalize();
    std::size_t named = 0;
    for (std::uint32_t i = 0; i < 500000; ++i) {
        named += t.containing(0x08000000 + (i * 7919u) % (50000u * 16u)) != nullptr;
    }
    EXPECT_EQ(named, 500000u);
    EXPECT_EQ(t.describe(0x08000000 + 1234 * 16 + 5), "f1234+0x4");
}

}  // namespace
}  // namespace cmsim
