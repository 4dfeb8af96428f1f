// bench_bare_unicorn FIRMWARE.elf [--count N]: the engine's ceiling for a firmware.
//
// Runs the ELF on Unicorn 2.0.1 exactly as cmsim's core opens it (Cortex-M4 model,
// emulator/Unicorn.cpp) but with NO hook of any kind: no block hook (so no time base), no
// MMIO, no exception model. Memory is the STM32F407's flash, SRAM and CCM as plain RAM,
// plus the Private Peripheral Bus as plain RAM so a start-up's SCB stores (CPACR, VTOR)
// land somewhere. The run starts at the reset vector with SP from the vector table and ends
// at the first exception Unicorn cannot deliver (it stops with UC_ERR_EXCEPTION): for
// firmware/bench/bench_cpu that is the first semihosting BKPT 0xAB, after all of the
// benchmark's work. `--count N` stops after N instructions instead (Unicorn then adds a
// per-instruction counter, so that mode is slower; only for checking).
//
// Prints one JSON object (wall time of uc_emu_start alone, where it stopped) for
// tools/bench/bench.py. Exit codes: 0 stopped at a BKPT 0xAB (or the count), 2 bad input,
// 3 stopped anywhere else (the image needs something a bare engine lacks).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <string>

#include "ElfImage.h"
#include "Errors.h"
#include "Unicorn.h"

namespace {

// STM32F405/407 memory map (RM0090 2.3 Table 1/2.3.1) and the ARMv7-M PPB (ARMv7-M ARM
// B3.1, 0xE0000000-0xE00FFFFF). The boot alias at 0 is not needed: the vector table holds
// flash addresses.
struct Region {
    std::uint32_t base;
    std::uint32_t size;
};
constexpr Region kFlash{0x08000000, 1024 * 1024};
constexpr Region kRegions[] = {
    kFlash, {0x20000000, 128 * 1024}, {0x10000000, 64 * 1024}, {0xE0000000, 1024 * 1024}};
constexpr std::uint16_t kSemihostingBkpt = 0xBEAB;  // BKPT #0xAB, Thumb encoding T1

int usage(const std::string& message) {
    std::cerr << "bench_bare_unicorn: " << message
              << "\nusage: bench_bare_unicorn FIRMWARE.elf [--count N]\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::string path;
    std::uint64_t count = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--count" && i + 1 < argc) {
            const std::string n = argv[++i];
            if (n.empty() || n.size() > 19 ||
                n.find_first_not_of("0123456789") != std::string::npos) {
                return usage("--count " + n + ": expected a whole number");
            }
            count = std::stoull(n);
        } else if (path.empty() && !arg.starts_with("-")) {
            path = arg;
        } else {
            return usage("unexpected argument " + arg);
        }
    }
    if (path.empty()) return usage("a firmware ELF is required");

    try {
        const cmsim::ElfImage image = cmsim::ElfImage::load(path);
        cmsim::Unicorn uc(UC_CPU_ARM_CORTEX_M4);
        for (const Region& r : kRegions) {
            cmsim::Unicorn::check(uc_mem_map(uc.get(), r.base, r.size, UC_PROT_ALL), "uc_mem_map");
        }
        for (const auto& segment : image.segments()) {
            if (!uc.writeMemory(segment.address, segment.bytes.data(), segment.bytes.size())) {
                return usage(fmt::format("{}: segment at {:#010x} is outside the F407's memory",
                                         path, segment.address));
            }
        }
        std::uint32_t vectors[2] = {0, 0};  // initial SP, reset vector (ARMv7-M ARM B1.5.5)
        uc.readMemory(kFlash.base, vectors, sizeof vectors);
        uc.setReg(UC_ARM_REG_SP, vectors[0]);

        const auto start = std::chrono::steady_clock::now();
        const uc_err err = uc_emu_start(uc.get(), vectors[1] | 1u, 0, 0, count);
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

        const std::uint32_t pc = uc.reg(UC_ARM_REG_PC);
        std::uint16_t insn = 0;
        uc.readMemory(pc & ~1u, &insn, sizeof insn);
        const bool atBkpt = err == UC_ERR_EXCEPTION && insn == kSemihostingBkpt;
        nlohmann::ordered_json j;
        j["firmware"] = path;
        j["wall_seconds"] = wall;
        j["stop_pc"] = fmt::format("{:#010x}", pc);
        j["stopped_at_semihosting_bkpt"] = atBkpt;
        j["unicorn_error"] = uc_strerror(err);
        std::cout << j.dump(2) << '\n';
        return atBkpt || (count != 0 && err == UC_ERR_OK) ? 0 : 3;
    } catch (const cmsim::InputError& e) {
        return usage(e.what());
    } catch (const cmsim::UnicornError& e) {
        std::cerr << "bench_bare_unicorn: " << e.what() << '\n';
        return 70;
    }
}
