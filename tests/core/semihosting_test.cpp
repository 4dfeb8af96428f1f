// Semihosting (BKPT 0xAB, "Semihosting for AArch32 and AArch64" v2), one operation at a
// time on a real Machine: parameter blocks in the emulated RAM, results in R0, console
// text as Signals output events. Host files only below a root, never outside it, and
// every bad guest pointer is an error return, never a crash.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "ElfImage.h"
#include "MachineFixture.h"
#include "Semihosting.h"

namespace cmsim::testing {
namespace {

using namespace thumb;

// Operation numbers (semihosting v2, table 5-1).
enum : std::uint32_t {
    kOpen = 0x01, kClose = 0x02, kWriteC = 0x03, kWrite0 = 0x04, kWrite = 0x05, kRead = 0x06,
    kReadC = 0x07, kIsError = 0x08, kIsTty = 0x09, kSeek = 0x0A, kFlen = 0x0C, kClock = 0x10,
    kErrno = 0x13, kGetCmdline = 0x15, kHeapInfo = 0x16, kExit = 0x18, kExitExtended = 0x20,
    kElapsed = 0x30, kTickFreq = 0x31,
};
constexpr std::uint32_t kFail = 0xFFFFFFFFu;
constexpr std::uint32_t kApplicationExit = 0x20026;  // ADP_Stopped_ApplicationExit
constexpr std::uint32_t kRunTimeErrorUnknown = 0x20023;

// Guest memory used by the tests (SRAM, 0x20000000-0x2001FFFF on the F407).
constexpr std::uint32_t kBlock = 0x20001000;  // parameter block
constexpr std::uint32_t kName = 0x20001100;   // file names, strings
constexpr std::uint32_t kBuf = 0x20001200;    // data buffers
constexpr std::uint32_t kRamEnd = 0x20020000;

class SemihostingTest : public MachineFixture {
protected:
    std::vector<OutputText> output;

    SemihostingTest() {
        m.signals().output.subscribe([this](const OutputText& t) { output.push_back(t); });
    }

    Semihosting& host(SemihostingConfig cfg = {}) {
        sh_ = std::make_unique<Semihosting>(m.unicorn(), m.bus(), m.time(), m.signals(), std::move(cfg));
        return *sh_;
    }
    std::uint32_t call(std::uint32_t op, std::uint32_t arg, std::optional<int>* exitCode = nullptr) {
        return sh_->call(op, arg, exitCode);
    }
    void bytes(std::uint32_t addr, const std::string& s) {
        ASSERT_TRUE(m.bus().load(addr, std::vector<std::uint8_t>(s.begin(), s.end())));
    }
    void block(std::initializer_list<std::uint32_t> words) {
        std::uint32_t a = kBlock;
        for (auto w : words) {
            word(a, w);
            a += 4;
        }
    }
    std::string guest(std::uint32_t addr, std::size_t len) {
        const std::uint8_t* p = m.bus().hostPointer(addr, static_cast<std::uint32_t>(len));
        return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), len);
    }
    std::uint32_t open(const std::string& name, std::uint32_t mode) {
        bytes(kName, name + '\0');
        block({kName, mode, static_cast<std::uint32_t>(name.size())});
        return call(kOpen, kBlock);
    }
    std::uint32_t write(std::uint32_t handle, const std::string& text) {
        bytes(kBuf, text);
        block({handle, kBuf, static_cast<std::uint32_t>(text.size())});
        return call(kWrite, kBlock);
    }
    // Returns R0 (bytes NOT read) and what landed in the buffer.
    std::pair<std::uint32_t, std::string> read(std::uint32_t handle, std::uint32_t len) {
        bytes(kBuf, std::string(len, '\xEE'));
        block({handle, kBuf, len});
        const std::uint32_t r = call(kRead, kBlock);
        return {r, r == kFail ? std::string() : guest(kBuf, len - r)};
    }
    std::uint32_t oneWord(std::uint32_t op, std::uint32_t w) {
        block({w});
        return call(op, kBlock);
    }
    std::uint32_t lastErrno() { return call(kErrno, 0); }

    std::unique_ptr<Semihosting> sh_;
};

TEST_F(SemihostingTest, OpenTtReadWriteAppendGivesThreeConsoleHandles) {
    host();
    const std::uint32_t in = open(":tt", 0);   // "r"
    const std::uint32_t out = open(":tt", 4);  // "w"
    const std::uint32_t err = open(":tt", 8);  // "a"
    EXPECT_NE(in, kFail);
    EXPECT_NE(out, kFail);
    EXPECT_NE(err, kFail);
    EXPECT_NE(in, out);
    EXPECT_NE(out, err);
    EXPECT_NE(in, err);
    for (auto h : {in, out, err}) EXPECT_EQ(oneWord(kIsTty, h), 1u);
    // v2 5.1.1: reading :tt is stdin, writing is stdout, appending is stderr.
    EXPECT_EQ(write(out, "to stdout"), 0u);
    EXPECT_EQ(write(err, "to stderr"), 0u);
    ASSERT_EQ(output.size(), 2u);
    EXPECT_EQ(output[0].channel, "semihosting:stdout");
    EXPECT_EQ(output[0].text, "to stdout");
    EXPECT_EQ(output[1].channel, "semihosting:stderr");
    EXPECT_EQ(output[1].text, "to stderr");
    EXPECT_EQ(oneWord(kClose, out), 0u);
    EXPECT_EQ(oneWord(kIsTty, out), kFail);  // closed
    EXPECT_EQ(lastErrno(), static_cast<std::uint32_t>(EBADF));
}

TEST_F(SemihostingTest, WriteToStdoutIsOneOutputEventWithTheTimeOfTheCall) {
    host();
    const std::uint32_t out = open(":tt", 4);
    EXPECT_EQ(write(out, "t=0 green on\n"), 0u);  // 0: every byte written
    ASSERT_EQ(output.size(), 1u);
    EXPECT_EQ(output[0].channel, "semihosting:stdout");
    EXPECT_EQ(output[0].text, "t=0 green on\n");
    EXPECT_EQ(output[0].cycle, m.time().now());
    // Writing the stdin handle writes nothing: all bytes are reported unwritten.
    EXPECT_EQ(write(open(":tt", 0), "abc"), 3u);
    EXPECT_EQ(output.size(), 1u);
}

TEST_F(SemihostingTest, Write0PrintsUpToTheTerminatorAndWriteCOneCharacter) {
    host();
    bytes(kName, std::string("hello\0ignored", 13));
    EXPECT_EQ(call(kWrite0, kName), 0u);
    bytes(kName, "Z");
    EXPECT_EQ(call(kWriteC, kName), 0u);  // R1 points to the character
    ASSERT_EQ(output.size(), 2u);
    EXPECT_EQ(output[0].channel, "semihosting:stdout");
    EXPECT_EQ(output[0].text, "hello");
    EXPECT_EQ(output[1].channel, "semihosting:stdout");
    EXPECT_EQ(output[1].text, "Z");
}

TEST_F(SemihostingTest, ReadAndReadCTakeTheConfiguredStdinText) {
    SemihostingConfig cfg;
    cfg.stdinText = "ab\ncdef";
    host(cfg);
    EXPECT_EQ(call(kReadC, 0), static_cast<std::uint32_t>('a'));
    const std::uint32_t in = open(":tt", 0);
    auto [r1, s1] = read(in, 2);
    EXPECT_EQ(r1, 0u);  // all 2 bytes read
    EXPECT_EQ(s1, "b\n");
    auto [r2, s2] = read(in, 10);
    EXPECT_EQ(r2, 6u);  // 4 of 10 read: 6 not read
    EXPECT_EQ(s2, "cdef");
    auto [r3, s3] = read(in, 4);
    EXPECT_EQ(r3, 4u);  // end of input: nothing read
    EXPECT_EQ(call(kReadC, 0), kFail);
    EXPECT_EQ(lastErrno(), static_cast<std::uint32_t>(EIO));
}

TEST_F(SemihostingTest, IsErrorTellsNegativeStatusesApart) {
    host();
    EXPECT_EQ(oneWord(kIsError, kFail), 1u);
    EXPECT_EQ(oneWord(kIsError, 0x80000000u), 1u);
    EXPECT_EQ(oneWord(kIsError, 0), 0u);
    EXPECT_EQ(oneWord(kIsError, 42), 0u);
}

TEST_F(SemihostingTest, SemihostingFeaturesFileHoldsTheMagicAndBothExtensionBits) {
    host();
    const std::uint32_t h = open(":semihosting-features", 0);
    ASSERT_NE(h, kFail);
    EXPECT_EQ(oneWord(kIsTty, h), 0u);
    EXPECT_EQ(oneWord(kFlen, h), 5u);
    auto [r, bytes5] = read(h, 5);
    EXPECT_EQ(r, 0u);
    EXPECT_EQ(bytes5, std::string("SHFB\x03", 5));  // EXIT_EXTENDED | STDOUT_STDERR
    block({h, 4});
    EXPECT_EQ(call(kSeek, kBlock), 0u);
    auto [r1, last] = read(h, 1);
    EXPECT_EQ(r1, 0u);
    EXPECT_EQ(last, "\x03");
    block({h, 1000});  // past the end: reads nothing, never out of bounds
    EXPECT_EQ(call(kSeek, kBlock), 0u);
    EXPECT_EQ(read(h, 5).first, 5u);
    // Read-only.
    EXPECT_EQ(open(":semihosting-features", 4), kFail);
    EXPECT_EQ(lastErrno(), static_cast<std::uint32_t>(EACCES));
}

TEST_F(SemihostingTest, ClockElapsedAndTickFreqFollowSimulatedTime) {
    code(0x08000100, {kBSelf});
    boot(0x20001000, 0x08000100);
    host();
    // 160000 cycles of the 16 MHz reset clock (HSI) = 10 ms.
    runCycles(160000);
    ASSERT_EQ(m.time().nowPicoseconds(), 10'000'000'000ULL);
    EXPECT_EQ(call(kClock, 0), 1u);  // centiseconds
    EXPECT_EQ(call(kElapsed, kBuf), 0u);
    const auto lo = read32(kBuf), hi = read32(kBuf + 4);
    EXPECT_EQ((std::uint64_t{hi} << 32) | lo, 10'000'000u);  // ticks
    EXPECT_EQ(call(kTickFreq, 0), 1'000'000'000u);          // ticks per second: ns
    runCycles(160000 * 3);
    EXPECT_EQ(call(kClock, 0), 4u);
    EXPECT_EQ(call(kElapsed, kBuf), 0u);
    EXPECT_EQ(read32(kBuf), 40'000'000u);
}

TEST_F(SemihostingTest, HeapInfoWritesTheFourWordsOfTheConfiguration) {
    SemihostingConfig cfg;
    cfg.heapBase = 0x20002000;
    cfg.heapLimit = 0x2001F800;
    cfg.stackBase = 0x20020000;
    cfg.stackLimit = 0x2001F800;
    host(cfg);
    block({kBuf});  // R1 -> a word holding the address of the 4-word block
    EXPECT_EQ(call(kHeapInfo, kBlock), 0u);
    EXPECT_EQ(read32(kBuf), 0x20002000u);
    EXPECT_EQ(read32(kBuf + 4), 0x2001F800u);
    EXPECT_EQ(read32(kBuf + 8), 0x20020000u);
    EXPECT_EQ(read32(kBuf + 12), 0x2001F800u);
}

TEST_F(SemihostingTest, HeapInfoComesFromTheElfEndSymbolAndTheInitialMsp) {
    const ElfImage image = ElfImage::load(CMSIM_FIRMWARE_DIR "/f407/blinky_semihost.elf");
    m.load(image);
    const std::uint32_t end = m.symbols().byName("end")->address;
    // Through the real BKPT path: movs r0, #0x16; bkpt 0xab; b .
    code(0x08000100, {movs(0, kHeapInfo), 0xBEAB, kBSelf});
    boot(0x20020000, 0x08000100);
    setReg(UC_ARM_REG_R1, kBlock);
    block({kBuf});
    runCycles(10);
    EXPECT_EQ(reg(UC_ARM_REG_R0), 0u);
    EXPECT_EQ(read32(kBuf), end);
    EXPECT_EQ(read32(kBuf + 8), 0x20020000u);                  // initial MSP
    EXPECT_EQ(read32(kBuf + 12), 0x20020000u - 0x800u);        // minus _Min_Stack_Size
    EXPECT_EQ(read32(kBuf + 4), read32(kBuf + 12));            // heap up to the stack
}

TEST_F(SemihostingTest, GetCmdlineCopiesTheTextAndItsLengthOrRefusesATooSmallBuffer) {
    SemihostingConfig cfg;
    cfg.commandLine = "blinky_semihost 1500 7";
    host(cfg);
    block({kBuf, 8});  // 8 bytes cannot take 22 + NUL
    EXPECT_EQ(call(kGetCmdline, kBlock), kFail);
    EXPECT_EQ(lastErrno(), static_cast<std::uint32_t>(EINVAL));
    EXPECT_EQ(read32(kBlock + 4), 8u);  // untouched
    block({kBuf, 23});                  // exactly enough
    EXPECT_EQ(call(kGetCmdline, kBlock), 0u);
    EXPECT_EQ(guest(kBuf, 23), std::string("blinky_semihost 1500 7\0", 23));
    EXPECT_EQ(read32(kBlock + 4), 22u);  // length without the terminator
}

TEST_F(SemihostingTest, ErrnoReportsTheLastFailure) {
    host();
    EXPECT_EQ(oneWord(kIsTty, 99), kFail);
    EXPECT_EQ(lastErrno(), static_cast<std::uint32_t>(EBADF));
    EXPECT_EQ(call(0x7F, 0), kFail);  // no such operation
    EXPECT_EQ(lastErrno(), static_cast<std::uint32_t>(ENOSYS));
}

TEST_F(SemihostingTest, ExitIsCleanOnlyForApplicationExit) {
    host();
    std::optional<int> code;
    EXPECT_EQ(call(kExit, kApplicationExit, &code), 0u);  // AArch32: R1 is the reason
    EXPECT_EQ(code, 0);
    code.reset();
    call(kExit, kRunTimeErrorUnknown, &code);
    EXPECT_EQ(code, 1);
}

TEST_F(SemihostingTest, ExitExtendedPassesTheFirmwaresCode) {
    host();
    std::optional<int> code;
    block({kApplicationExit, 7});
    EXPECT_EQ(call(kExitExtended, kBlock, &code), 0u);
    EXPECT_EQ(code, 7);
    code.reset();
    block({kRunTimeErrorUnknown, 7});
    call(kExitExtended, kBlock, &code);
    EXPECT_EQ(code, 1);
}

TEST_F(SemihostingTest, ExitExtendedThroughBkptStopsTheRunWithTheCode) {
    m.load(ElfImage::load(CMSIM_FIRMWARE_DIR "/f407/blinky_semihost.elf"));
    // movs r0, #0x20; bkpt 0xab; b .   with R1 -> {ApplicationExit, 7}
    code(0x08000100, {movs(0, kExitExtended), 0xBEAB, kBSelf});
    boot(0x20020000, 0x08000100);
    block({kApplicationExit, 7});
    setReg(UC_ARM_REG_R1, kBlock);
    const CoreStop stop = runUntilStop(100);
    EXPECT_EQ(stop.reason, CoreStop::Reason::Exited) << stop.message;
    EXPECT_EQ(stop.exitCode, 7);
    EXPECT_NE(stop.message.find("exited with code 7"), std::string::npos) << stop.message;
}

TEST_F(SemihostingTest, Write0ThroughBkptContinuesAfterTheBreakpoint) {
    m.load(ElfImage::load(CMSIM_FIRMWARE_DIR "/f407/blinky_semihost.elf"));
    // movs r0, #4; bkpt 0xab; movs r2, #0x55; b .
    code(0x08000100, {movs(0, kWrite0), 0xBEAB, movs(2, 0x55), kBSelf});
    boot(0x20020000, 0x08000100);
    bytes(kName, std::string("via bkpt\n\0", 10));
    setReg(UC_ARM_REG_R1, kName);
    runCycles(20);
    EXPECT_EQ(reg(UC_ARM_REG_R0), 0u);
    EXPECT_EQ(reg(UC_ARM_REG_R2), 0x55u);
    ASSERT_EQ(output.size(), 1u);
    EXPECT_EQ(output[0].text, "via bkpt\n");
}

// --- host files ---------------------------------------------------------------------

class SemihostingFileTest : public SemihostingTest {
protected:
    std::filesystem::path root, outside;
    void SetUp() override {
        const auto base = std::filesystem::temp_directory_path() /
                          ("cmsim_semihosting_" + std::to_string(::getpid()) + "_" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(base);
        root = base / "root";
        outside = base / "outside";
        std::filesystem::create_directories(root);
        std::filesystem::create_directories(outside);
        std::ofstream(outside / "secret.txt") << "secret";
    }
    void TearDown() override { std::filesystem::remove_all(root.parent_path()); }
    static std::string fileText(const std::filesystem::path& p) {
        std::ifstream f(p, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(f), {});
    }
    SemihostingConfig rooted() {
        SemihostingConfig cfg;
        cfg.root = root;
        return cfg;
    }
};

TEST_F(SemihostingFileTest, HostFilesAreRefusedWithoutARoot) {
    host();  // no --semihosting-root
    EXPECT_EQ(open("log.txt", 4), kFail);
    EXPECT_EQ(lastErrno(), static_cast<std::uint32_t>(EACCES));
    EXPECT_EQ(open((outside / "secret.txt").string(), 0), kFail);
    EXPECT_EQ(lastErrno(), static_cast<std::uint32_t>(EACCES));
}

TEST_F(SemihostingFileTest, AFileBelowTheRootIsWrittenThenReadBack) {
    host(rooted());
    const std::uint32_t w = open("log.txt", 4);  // "w"
    ASSERT_NE(w, kFail);
    EXPECT_EQ(oneWord(kIsTty, w), 0u);
    EXPECT_EQ(write(w, "hello, host"), 0u);
    EXPECT_EQ(oneWord(kClose, w), 0u);
    EXPECT_EQ(fileText(root / "log.txt"), "hello, host");
    EXPECT_TRUE(output.empty());  // files are not console output

    const std::uint32_t r = open("log.txt", 0);  // "r"
    ASSERT_NE(r, kFail);
    EXPECT_EQ(oneWord(kFlen, r), 11u);
    auto [notRead, text] = read(r, 32);
    EXPECT_EQ(notRead, 21u);
    EXPECT_EQ(text, "hello, host");
    block({r, 7});
    EXPECT_EQ(call(kSeek, kBlock), 0u);
    EXPECT_EQ(read(r, 4).second, "host");
    EXPECT_EQ(open("missing.txt", 0), kFail);
    EXPECT_EQ(lastErrno(), static_cast<std::uint32_t>(ENOENT));
}

TEST_F(SemihostingFileTest, DotDotAndAbsolutePathsAreRefused) {
    host(rooted());
    EXPECT_EQ(open("../outside/secret.txt", 0), kFail);
    EXPECT_EQ(lastErrno(), static_cast<std::uint32_t>(EACCES));
    EXPECT_EQ(open("sub/../../x", 4), kFail);
    EXPECT_EQ(open((outside / "secret.txt").string(), 0), kFail);
    EXPECT_EQ(lastErrno(), static_cast<std::uint32_t>(EACCES));
    EXPECT_EQ(open("/etc/passwd", 0), kFail);
    EXPECT_FALSE(std::filesystem::exists(root.parent_path() / "x"));
}

TEST_F(SemihostingFileTest, ASymlinkPointingOutOfTheRootIsRefused) {
    std::filesystem::create_symlink(outside / "secret.txt", root / "link.txt");
    std::filesystem::create_directory_symlink(outside, root / "dir");
    host(rooted());
    EXPECT_EQ(open("link.txt", 0), kFail);
    EXPECT_EQ(lastErrno(), static_cast<std::uint32_t>(EACCES));
    EXPECT_EQ(open("dir/secret.txt", 0), kFail);
    EXPECT_EQ(open("dir/new.txt", 4), kFail);  // nor created through it
    EXPECT_FALSE(std::filesystem::exists(outside / "new.txt"));
    // A symlink that stays inside the root is fine.
    std::ofstream(root / "inside.txt") << "ok";
    std::filesystem::create_symlink(root / "inside.txt", root / "alias.txt");
    EXPECT_NE(open("alias.txt", 0), kFail);
}

// --- bad guest pointers -------------------------------------------------------------

TEST_F(SemihostingTest, BadGuestPointersAreErrorsNeverCrashes) {
    host();
    const std::uint32_t out = open(":tt", 4);
    const std::uint32_t in = open(":tt", 0);
    const std::uint32_t unmapped = 0x30000000;  // nothing there on the F407

    // Parameter block itself unmapped, or running off the end of RAM.
    EXPECT_EQ(call(kWrite, unmapped), kFail);
    EXPECT_EQ(call(kWrite, kRamEnd - 8), kFail);
    EXPECT_EQ(call(kOpen, 0xFFFFFFFC), kFail);
    EXPECT_EQ(call(kHeapInfo, unmapped), kFail);
    EXPECT_EQ(call(kElapsed, unmapped), kFail);
    EXPECT_EQ(call(kGetCmdline, kRamEnd - 4), kFail);
    EXPECT_EQ(call(kExitExtended, unmapped), kFail);

    // Buffers: unmapped, a length running off the end of RAM, a peripheral, flash.
    block({out, unmapped, 4});
    EXPECT_EQ(call(kWrite, kBlock), kFail);
    EXPECT_EQ(lastErrno(), static_cast<std::uint32_t>(EFAULT));
    block({out, kRamEnd - 16, 64});
    EXPECT_EQ(call(kWrite, kBlock), kFail);
    block({out, 0x40020C00, 4});  // GPIOD registers: never read as a side effect
    EXPECT_EQ(call(kWrite, kBlock), kFail);
    block({out, 0x20000000, 0xFFFFFFFF});
    EXPECT_EQ(call(kWrite, kBlock), kFail);
    block({in, kRamEnd - 2, 16});
    EXPECT_EQ(call(kRead, kBlock), kFail);
    SemihostingConfig cfg;
    cfg.stdinText = "abcd";
    host(cfg);
    const std::uint32_t in2 = open(":tt", 0);
    block({in2, 0x08000000, 4});  // into flash: refused
    EXPECT_EQ(call(kRead, kBlock), kFail);
    EXPECT_EQ(lastErrno(), static_cast<std::uint32_t>(EFAULT));
    EXPECT_EQ(call(kReadC, 0), static_cast<std::uint32_t>('a'));  // nothing was consumed

    // Strings: unmapped, unterminated up to the end of RAM.
    EXPECT_EQ(call(kWrite0, unmapped), kFail);
    bytes(kRamEnd - 4, "abcd");
    EXPECT_EQ(call(kWrite0, kRamEnd - 4), kFail);
    EXPECT_EQ(call(kWriteC, unmapped), kFail);
    block({unmapped, 0, 3});  // file name pointer
    EXPECT_EQ(call(kOpen, kBlock), kFail);
    block({kName, 0, 0x7FFFFFFF});  // absurd name length
    EXPECT_EQ(call(kOpen, kBlock), kFail);
    block({kName, 99, 3});  // no such mode
    EXPECT_EQ(call(kOpen, kBlock), kFail);

    EXPECT_TRUE(output.empty());
}

}  // namespace
}  // namespace cmsim::testing
