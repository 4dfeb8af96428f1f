// Checks the bundled firmware image (CMSIM_FIRMWARE_DIR/f407/blinky.elf) with libelf: ELF
// header, the .isr_vector section at the start of flash, and that its entries match the
// symbol table (initial SP = _estack, Reset/PendSV/SysTick handlers), plus the symbols
// the emulator relies on.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

constexpr const char* kElfPath = CMSIM_FIRMWARE_DIR "/f407/blinky.elf";
constexpr uint32_t kFlashBase = 0x08000000u;
constexpr uint32_t kFlashEnd = 0x08100000u;
constexpr size_t kSystemVectors = 16;
constexpr size_t kIrqVectors = 82;  // STM32F407: IRQ 0 (WWDG) .. IRQ 81 (FPU)
constexpr size_t kVectorCount = kSystemVectors + kIrqVectors;

struct Symbol {
    uint32_t value = 0;
    uint32_t size = 0;
    unsigned type = 0;  // STT_*
    unsigned bind = 0;  // STB_*
};

// Everything the tests need, read once.
struct FirmwareImage {
    bool loaded = false;
    std::string error;
    unsigned char elf_class = 0;
    uint16_t machine = 0;
    uint32_t entry = 0;
    uint32_t isr_addr = 0;
    uint64_t isr_size = 0;
    std::vector<uint32_t> vectors;
    std::map<std::string, Symbol> symbols;  // GLOBAL/WEAK wins over LOCAL duplicates

    const Symbol* find(const std::string& name) const {
        auto it = symbols.find(name);
        return it == symbols.end() ? nullptr : &it->second;
    }
};

FirmwareImage load_image(const char* path) {
    FirmwareImage img;
    if (elf_version(EV_CURRENT) == EV_NONE) {
        img.error = "libelf initialisation failed";
        return img;
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        img.error = std::string("cannot open ") + path + ": " + std::strerror(errno) +
                    " (is the firmware built?)";
        return img;
    }
    Elf* elf = elf_begin(fd, ELF_C_READ, nullptr);
    if (elf == nullptr || elf_kind(elf) != ELF_K_ELF) {
        img.error = std::string("not an ELF file: ") + path;
        if (elf != nullptr) {
            elf_end(elf);
        }
        close(fd);
        return img;
    }

    size_t ident_size = 0;
    const char* ident = elf_getident(elf, &ident_size);
    if (ident != nullptr && ident_size > EI_CLASS) {
        img.elf_class = static_cast<unsigned char>(ident[EI_CLASS]);
    }
    GElf_Ehdr ehdr;
    if (gelf_getehdr(elf, &ehdr) != nullptr) {
        img.machine = ehdr.e_machine;
        img.entry = static_cast<uint32_t>(ehdr.e_entry);
    }

    size_t shstrndx = 0;
    elf_getshdrstrndx(elf, &shstrndx);
    bool found_isr = false;
    bool found_symtab = false;
    for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr shdr;
        if (gelf_getshdr(scn, &shdr) == nullptr) {
            continue;
        }
        const char* name = elf_strptr(elf, shstrndx, shdr.sh_name);
        if (name != nullptr && std::strcmp(name, ".isr_vector") == 0) {
            found_isr = true;
            img.isr_addr = static_cast<uint32_t>(shdr.sh_addr);
            img.isr_size = shdr.sh_size;
            Elf_Data* data = elf_getdata(scn, nullptr);
            if (data != nullptr && data->d_buf != nullptr) {
                const auto* bytes = static_cast<const unsigned char*>(data->d_buf);
                for (size_t off = 0; off + 4 <= data->d_size; off += 4) {
                    // The image is little-endian (ELFDATA2LSB); decode explicitly.
                    img.vectors.push_back(uint32_t{bytes[off]} | (uint32_t{bytes[off + 1]} << 8) |
                                          (uint32_t{bytes[off + 2]} << 16) |
                                          (uint32_t{bytes[off + 3]} << 24));
                }
            }
        } else if (shdr.sh_type == SHT_SYMTAB) {
            found_symtab = true;
            Elf_Data* data = elf_getdata(scn, nullptr);
            size_t count = shdr.sh_entsize == 0 ? 0 : shdr.sh_size / shdr.sh_entsize;
            for (size_t i = 0; data != nullptr && i < count; ++i) {
                GElf_Sym sym;
                if (gelf_getsym(data, static_cast<int>(i), &sym) == nullptr) {
                    continue;
                }
                const char* sym_name = elf_strptr(elf, shdr.sh_link, sym.st_name);
                if (sym_name == nullptr || *sym_name == '\0') {
                    continue;
                }
                Symbol s;
                s.value = static_cast<uint32_t>(sym.st_value);
                s.size = static_cast<uint32_t>(sym.st_size);
                s.type = GELF_ST_TYPE(sym.st_info);
                s.bind = GELF_ST_BIND(sym.st_info);
                auto it = img.symbols.find(sym_name);
                if (it == img.symbols.end() ||
                    (it->second.bind == STB_LOCAL && s.bind != STB_LOCAL)) {
                    img.symbols[sym_name] = s;
                }
            }
        }
    }
    elf_end(elf);
    close(fd);

    if (!found_isr) {
        img.error = "no .isr_vector section";
    } else if (!found_symtab) {
        img.error = "no symbol table (stripped?)";
    } else {
        img.loaded = true;
    }
    return img;
}

class BlinkyElf : public ::testing::Test {
  protected:
    static const FirmwareImage& image() {
        static const FirmwareImage img = load_image(kElfPath);
        return img;
    }

    void SetUp() override { ASSERT_TRUE(image().loaded) << image().error; }

    // Value of a symbol that must exist.
    static uint32_t sym(const std::string& name) {
        const Symbol* s = image().find(name);
        EXPECT_NE(s, nullptr) << "missing symbol " << name;
        return s == nullptr ? 0 : s->value;
    }

    static uint32_t vec(size_t index) { return image().vectors.at(index); }
};

TEST_F(BlinkyElf, HeaderIsArm32) {
    EXPECT_EQ(image().elf_class, ELFCLASS32);
    EXPECT_EQ(image().machine, EM_ARM);
    // The ELF entry point is the reset handler (ENTRY(Reset_Handler) in the linker script).
    EXPECT_EQ(image().entry, sym("Reset_Handler"));
}

TEST_F(BlinkyElf, VectorTableSectionAtStartOfFlash) {
    EXPECT_EQ(image().isr_addr, kFlashBase);
    EXPECT_EQ(image().isr_size, kVectorCount * 4);
    ASSERT_EQ(image().vectors.size(), kVectorCount);
    EXPECT_EQ(sym("g_vector_table"), kFlashBase);
}

TEST_F(BlinkyElf, InitialStackPointerIsEstack) {
    ASSERT_EQ(image().vectors.size(), kVectorCount);
    EXPECT_EQ(sym("_estack"), 0x20020000u);
    EXPECT_EQ(vec(0), sym("_estack"));
    EXPECT_EQ(vec(0) % 8, 0u);
}

TEST_F(BlinkyElf, ResetVectorIsResetHandlerWithThumbBit) {
    ASSERT_EQ(image().vectors.size(), kVectorCount);
    const Symbol* reset = image().find("Reset_Handler");
    ASSERT_NE(reset, nullptr);
    EXPECT_EQ(reset->type, static_cast<unsigned>(STT_FUNC));
    EXPECT_EQ(vec(1) & 1u, 1u);
    EXPECT_EQ(vec(1), reset->value);  // STT_FUNC values of Thumb code carry bit 0
}

TEST_F(BlinkyElf, PendSvAndSysTickVectorsAreTheKernelHandlers) {
    ASSERT_EQ(image().vectors.size(), kVectorCount);
    EXPECT_EQ(vec(14), sym("PendSV_Handler"));
    EXPECT_EQ(vec(15), sym("SysTick_Handler"));
    // The kernel's strong definitions override the startup file's weak aliases.
    EXPECT_NE(vec(14), sym("Default_Handler"));
    EXPECT_NE(vec(15), sym("Default_Handler"));
    EXPECT_EQ(image().find("PendSV_Handler")->bind, static_cast<unsigned>(STB_GLOBAL));
    EXPECT_EQ(image().find("SysTick_Handler")->bind, static_cast<unsigned>(STB_GLOBAL));
}

TEST_F(BlinkyElf, ReservedVectorsAreZeroAndOthersAreThumbCodeInFlash) {
    ASSERT_EQ(image().vectors.size(), kVectorCount);
    for (size_t i : {7u, 8u, 9u, 10u, 13u}) {
        EXPECT_EQ(vec(i), 0u) << "reserved vector " << i;
    }
    for (size_t i = 1; i < kVectorCount; ++i) {
        if (i == 7 || i == 8 || i == 9 || i == 10 || i == 13) {
            continue;
        }
        EXPECT_EQ(vec(i) & 1u, 1u) << "vector " << i << " lacks the Thumb bit";
        EXPECT_GE(vec(i), kFlashBase) << "vector " << i;
        EXPECT_LT(vec(i), kFlashEnd) << "vector " << i;
    }
    // Unused handlers are weak aliases of Default_Handler.
    EXPECT_EQ(vec(2), sym("Default_Handler"));                   // NMI
    EXPECT_EQ(vec(3), sym("Default_Handler"));                   // HardFault
    EXPECT_EQ(vec(kSystemVectors + 0), sym("WWDG_IRQHandler"));  // IRQ 0
    EXPECT_EQ(vec(kSystemVectors + 81), sym("FPU_IRQHandler"));  // IRQ 81
}

TEST_F(BlinkyElf, EmulatorContractSymbolsExist) {
    for (const char* fn : {"task_green", "task_orange", "task_red", "task_blue", "idle_task",
                           "task_exit_trap", "task_delay", "PendSV_Handler", "SysTick_Handler",
                           "Reset_Handler", "Default_Handler", "main"}) {
        const Symbol* s = image().find(fn);
        ASSERT_NE(s, nullptr) << fn;
        EXPECT_EQ(s->type, static_cast<unsigned>(STT_FUNC)) << fn;
        EXPECT_EQ(s->value & 1u, 1u) << fn;
        EXPECT_GE(s->value, kFlashBase) << fn;
        EXPECT_LT(s->value, kFlashEnd) << fn;
    }
    for (const char* obj : {"g_tick_count", "g_tasks", "g_task_count", "g_current_task",
                            "g_idle_task", "g_system_core_clock", "g_task_stacks"}) {
        const Symbol* s = image().find(obj);
        ASSERT_NE(s, nullptr) << obj;
        EXPECT_EQ(s->type, static_cast<unsigned>(STT_OBJECT)) << obj;
        EXPECT_GE(s->value, 0x20000000u) << obj;
        EXPECT_LT(s->value, 0x20020000u) << obj;
    }
    EXPECT_EQ(image().find("g_tick_count")->size, 4u);
    EXPECT_EQ(image().find("g_current_task")->size, 4u);
    EXPECT_EQ(image().find("g_system_core_clock")->size, 4u);
    EXPECT_EQ(image().find("g_tasks")->size % 20u, 0u);  // sizeof(sched_tcb_t) == 20 on target
    EXPECT_EQ(image().find("g_task_stacks")->value % 8u, 0u);
}

TEST_F(BlinkyElf, DataAndBssSymbolsAreConsistent) {
    EXPECT_EQ(sym("_sdata"), 0x20000000u);
    EXPECT_LE(sym("_sdata"), sym("_edata"));
    EXPECT_LE(sym("_edata"), sym("_sbss"));
    EXPECT_LE(sym("_sbss"), sym("_ebss"));
    EXPECT_GE(sym("_sidata"), kFlashBase);
    EXPECT_LT(sym("_sidata"), kFlashEnd);
    EXPECT_LE(sym("_ebss"), sym("end"));
}

}  // namespace
