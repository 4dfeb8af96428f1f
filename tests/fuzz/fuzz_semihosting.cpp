// Fuzz target: semihosting (BKPT 0xAB) as hostile firmware drives it. Every guest pointer
// and length comes from the input: parameter blocks, buffers, strings, file names, seek
// positions, handles.
//
// Input: a little-endian u16 length L, then L bytes copied to SRAM at 0x20000000 (the
// parameter blocks and buffers, at most 8 KiB), then calls of 5 bytes each: operation
// (R0), argument (R1, u32 little-endian). At most 64 calls.
//
// Host files are on (SemihostingConfig::root is a fresh temporary directory with a file, a
// subdirectory and a symbolic link to a sibling directory outside the root). Checked after
// every input: flash was never written, and nothing appeared outside the root. A crash, a
// sanitizer report or a failed check is a bug.
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "FuzzCheck.h"
#include "Machine.h"
#include "Semihosting.h"
#include "boards/Boards.h"

namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kSram = 0x20000000;
constexpr std::uint32_t kFlash = 0x08000000;
constexpr std::size_t kMaxImage = 8192;
constexpr std::size_t kMaxCalls = 64;

struct World {
    cmsim::Machine machine{cmsim::stm32f407DiscoveryBoard()};
    fs::path base = fs::temp_directory_path() / ("cmsim_fuzz_semihosting_" + std::to_string(::getpid()));
    fs::path root = base / "root";
    fs::path outside = base / "outside";
    std::array<std::uint8_t, 256> flashPattern{};

    World() {
        for (std::size_t i = 0; i < flashPattern.size(); ++i) flashPattern[i] = static_cast<std::uint8_t>(i * 7 + 1);
        FUZZ_CHECK(machine.bus().load(kFlash, flashPattern));
        std::error_code ec;
        fs::remove_all(base, ec);
        fs::create_directories(outside);
    }
    ~World() {
        std::error_code ec;
        fs::remove_all(base, ec);
    }

    // The root as every input starts with it.
    void resetRoot() {
        std::error_code ec;
        fs::remove_all(root, ec);
        fs::create_directories(root / "sub");
        std::ofstream(root / "hello.txt", std::ios::binary) << "hello from the host\n";
        fs::create_directory_symlink(outside, root / "escape");
    }
};

World& world() {
    static World w;
    return w;
}

std::uint32_t le32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    World& w = world();
    w.resetRoot();
    cmsim::Bus& bus = w.machine.bus();
    bus.clearRam();

    std::size_t imageSize = std::size_t{data[0]} | std::size_t{data[1]} << 8;
    imageSize = std::min({imageSize, kMaxImage, size - 2});
    if (imageSize > 0) FUZZ_CHECK(bus.load(kSram, std::span<const std::uint8_t>(data + 2, imageSize)));

    cmsim::SemihostingConfig config;
    config.root = w.root;
    config.commandLine = "fuzz --args";
    config.stdinText = "typed\n";
    config.heapBase = 0x20001000;
    config.heapLimit = 0x2001f000;
    config.stackBase = 0x20020000;
    config.stackLimit = 0x2001f000;
    cmsim::Semihosting semihosting(w.machine.unicorn(), bus, w.machine.time(), w.machine.signals(), config);

    const std::uint8_t* calls = data + 2 + imageSize;
    const std::size_t callCount = std::min((size - 2 - imageSize) / 5, kMaxCalls);
    for (std::size_t i = 0; i < callCount; ++i) {
        const std::uint8_t* c = calls + 5 * i;
        const std::uint32_t op = c[0];
        const std::uint32_t arg = le32(c + 1);
        if (i % 2 == 0) {
            std::optional<int> exitCode;
            (void)semihosting.call(op, arg, &exitCode);
        } else {
            // The BKPT path: operands in R0/R1, result in R0.
            w.machine.unicorn().setReg(UC_ARM_REG_R0, op);
            w.machine.unicorn().setReg(UC_ARM_REG_R1, arg);
            (void)semihosting.handle();
        }
    }

    // Flash is never written, and nothing escaped the root.
    const std::uint8_t* flash = bus.hostPointer(kFlash, static_cast<std::uint32_t>(w.flashPattern.size()));
    FUZZ_CHECK(flash != nullptr);
    FUZZ_CHECK(std::memcmp(flash, w.flashPattern.data(), w.flashPattern.size()) == 0);
    FUZZ_CHECK(fs::is_empty(w.outside));
    return 0;
}
