// Firmware that does one thing silicon reacts to: the run stops with a message naming the
// cause, address, PC and symbol, and exit code 3; or a gap in the model is reported.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "RunCli.h"

namespace cmsim::testing {
namespace {

std::string probe(const char* name) { return std::string(CMSIM_FIRMWARE_DIR "/f407/") + name + ".elf"; }

TEST(ProbeFirmware, ReadOfUnconfiguredFsmcBankIsABusErrorWithAddressPcAndSymbol) {
    const auto r = runCli(probe("bus_error") + " --board f407 --for 10ms");
    EXPECT_EQ(r.exitCode, 3);
    // The firmware's HardFault handler (Default_Handler) runs; cmsim reports the fault.
    EXPECT_NE(r.err.find("BusFault, escalated to HardFault"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("  what:    precise data bus error: read at 0x60000000 (nothing mapped there) "
                         "by \"ldr"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("  CFSR:    0x00008200 (PRECISERR BFARVALID)"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("  HFSR:    0x40000000 (FORCED)"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("  BFAR:    0x60000000"), std::string::npos) << r.err;
    // The stacked frame the HardFault handler sees: r3 held the address.
    EXPECT_NE(r.err.find("r3=0x60000000"), std::string::npos) << r.err;
    // The faulting LDR, by symbol and, from DWARF, by source line.
    EXPECT_NE(r.err.find("  where:   0x08000822 main+0x16 (bus_error.c:15)"), std::string::npos) << r.err;
    // The green LED went on before the fault: the run got that far.
    EXPECT_NE(r.out.find("LD4  green   PD12  -> 1 (on)"), std::string::npos) << r.out;
}

TEST(ProbeFirmware, UndefinedInstructionStopsWithUndefinstrAndTheEncoding) {
    const auto r = runCli(probe("undefined_insn") + " --board f407 --for 10ms");
    EXPECT_EQ(r.exitCode, 3);
    EXPECT_NE(r.err.find("UsageFault, escalated to HardFault"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("  what:    undefined instruction 0xde00"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("  CFSR:    0x00010000 (UNDEFINSTR)"), std::string::npos) << r.err;
}

TEST(ProbeFirmware, UnmodelledBlockIsReportedOnceWithPcAndRunGoesOn) {
    const auto r = runCli(probe("usart_poke") + " --board f407 --for 10ms");
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.err.find("cmsim: not modelled: USART2: 32-bit write 0x41 to offset 0x004: block not "
                         "modelled [in the block at 0x"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(ProbeFirmware, StrictMakesAnUnmodelledAccessFatal) {
    const auto r = runCli(probe("usart_poke") + " --board f407 --for 10ms --strict");
    EXPECT_EQ(r.exitCode, 3);
    EXPECT_NE(r.err.find("--strict: write to 0x40004404 (USART2+0x004), a block cmsim does not model"),
              std::string::npos)
        << r.err;
}

// blinky.elf with its first PT_LOAD segment moved to 0x30000000, where the F407 has nothing.
std::string elfWithSegmentAt(std::uint32_t address) {
    std::string bytes = slurp(CMSIM_FIRMWARE_DIR "/f407/blinky.elf");
    auto rd32 = [&](std::size_t off) {
        std::uint32_t v;
        std::memcpy(&v, bytes.data() + off, 4);
        return v;
    };
    auto rd16 = [&](std::size_t off) {
        std::uint16_t v;
        std::memcpy(&v, bytes.data() + off, 2);
        return v;
    };
    const std::uint32_t phoff = rd32(0x1C);
    const std::uint16_t phentsize = rd16(0x2A), phnum = rd16(0x2C);
    for (std::uint16_t i = 0; i < phnum; ++i) {
        const std::size_t ph = phoff + std::size_t{i} * phentsize;
        if (rd32(ph) == 1 /* PT_LOAD */) {
            std::memcpy(bytes.data() + ph + 8, &address, 4);   // p_vaddr
            std::memcpy(bytes.data() + ph + 12, &address, 4);  // p_paddr
            break;
        }
    }
    const auto p = std::filesystem::temp_directory_path() / ("cmsim_moved_" + std::to_string(::getpid()) + ".elf");
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
}

TEST(ProbeFirmware, SegmentOutsideTheBoardsMemoryIsBadInput) {
    const auto r = runCli(elfWithSegmentAt(0x30000000) + " --board f407");
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("segment 0 (0x30000000..0x"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("is outside the memory of board f407 (STM32F407G-DISC1, STM32F407VG)"),
              std::string::npos)
        << r.err;
}

}  // namespace
}  // namespace cmsim::testing
