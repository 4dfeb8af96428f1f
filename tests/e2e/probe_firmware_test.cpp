// Firmware that does one thing silicon reacts to: the run stops with a message naming the
// cause, address, PC and symbol, and exit code 3; or a gap in the model is reported.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "ElfImage.h"
#include "Machine.h"
#include "RunCli.h"
#include "boards/Boards.h"

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

// --- faulting firmware (firmware/apps/faults): one fault class each -----------------------

// The address of `symbol` in a bundled F407 image.
std::uint32_t symbolAddress(const char* image, const char* symbol) {
    Machine m(stm32f407DiscoveryBoard());
    m.load(ElfImage::load(probe(image)));
    const auto s = m.symbols().byName(symbol);
    EXPECT_TRUE(s.has_value()) << symbol;
    return s ? s->address : 0;
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// A bundled F407 image run (with --stop-on-fault) until its first fault's frame is stacked.
std::unique_ptr<Machine> stoppedAtFirstFault(const char* image) {
    auto m = std::make_unique<Machine>(stm32f407DiscoveryBoard());
    m->load(ElfImage::load(probe(image)));
    m->core().setStopOnFault(true);
    m->powerOnReset();
    const CoreStop stop = m->runUntilTime(10'000'000'000ULL);  // 10 ms
    EXPECT_EQ(stop.reason, CoreStop::Reason::Fault) << stop.message;
    return m;
}

// The first lines of the report of a branch to 0x00000000 (Thumb bit clear), escalated.
const std::string kInvstateAtZero =
    "): UsageFault, escalated to HardFault (not enabled or not allowed to preempt)\n"
    "  what:    execution with the Thumb bit clear (EPSR.T = 0), after a branch to an address "
    "with bit 0 clear\n"
    "  where:   0x00000000 (no symbol)\n";

TEST(FaultFirmware, NullFunctionCallIsInvstateAtZeroEscalatedToHardFault) {
    const auto r = runCli(probe("null_call") + " --board f407 --for 2ms");
    EXPECT_EQ(r.exitCode, 3);
    EXPECT_TRUE(has(r.err, kInvstateAtZero +
                               "  CFSR:    0x00020000 (INVSTATE)\n"
                               "  HFSR:    0x40000000 (FORCED)\n"
                               "  stacked: frame at 0x2001ffd0, EXC_RETURN 0xfffffff9\n"))
        << r.err;
    // The frame HardFault_Handler sees: PC 0, xPSR with T clear (and Thread mode), LR the
    // return address of the BLX in main (odd: a Thumb return address).
    EXPECT_TRUE(has(r.err, " pc=0x00000000 xpsr=0x00000000\n")) << r.err;
    const std::uint32_t main = symbolAddress("null_call", "main");
    const auto lr = r.err.find(" lr=0x");
    ASSERT_NE(lr, std::string::npos) << r.err;
    const std::uint32_t stackedLr =
        static_cast<std::uint32_t>(std::stoul(r.err.substr(lr + 4, 10), nullptr, 16));
    EXPECT_EQ(stackedLr & 1u, 1u);
    EXPECT_GT(stackedLr, main);
    EXPECT_LT(stackedLr, main + 0x40);
    EXPECT_TRUE(has(r.err, " main+0x")) << r.err;
    EXPECT_TRUE(has(r.err, "(null_call.c:23)")) << r.err;  // g_callback();
    EXPECT_TRUE(has(r.out, "LD4  green   PD12  -> 1 (on)")) << r.out;
}

TEST(FaultFirmware, NullReadReturnsTheInitialMspThroughTheBootAliasWithoutFault) {
    const auto r = runCli(probe("null_read") + " --board f407 --for 2ms");
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.err, "");
    // Green: both words read at 0 and 4 matched _estack and Reset_Handler.
    EXPECT_TRUE(has(r.out, "LD4  green   PD12  -> 1 (on)")) << r.out;
    EXPECT_FALSE(has(r.out, "LD5  red     PD14  -> 1")) << r.out;
}

TEST(FaultFirmware, StoreToLockedFlashSetsPgserrWithoutABusError) {
    const auto r = runCli(probe("flash_write") + " --board f407 --for 2ms");
    EXPECT_EQ(r.exitCode, 0) << r.err;
    const std::uint32_t table = symbolAddress("flash_write", "g_calibration");
    // One firmware-mistake line, naming the store's address, and no fault.
    EXPECT_EQ(
        r.err.rfind(
            fmt::format("cmsim: firmware: FLASH: 4-byte store to flash at 0x{:08x} with FLASH_CR "
                        "locked: nothing programmed, FLASH_SR.PGSERR set (RM0090 §3.9.4); no bus "
                        "error on the STM32F4 [in the block at 0x",
                        table),
            0),
        0u)
        << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    // Green: the firmware read PGSERR set and the word unchanged.
    EXPECT_TRUE(has(r.out, "LD4  green   PD12  -> 1 (on)")) << r.out;
    EXPECT_FALSE(has(r.out, "LD5  red     PD14  -> 1")) << r.out;
}

TEST(FaultFirmware, DivideByZeroWithTheTrapIsAUsageFaultTakenItself) {
    const auto r = runCli(probe("div_zero") + " --board f407 --for 2ms");
    EXPECT_EQ(r.exitCode, 3);
    EXPECT_TRUE(has(r.err,
                    "): UsageFault\n"
                    "  what:    integer divide by zero (r2 = 0) with CCR.DIV_0_TRP set\n"))
        << r.err;
    EXPECT_TRUE(has(r.err,
                    "  CFSR:    0x02000000 (DIVBYZERO)\n"
                    "  HFSR:    0x00000000 (none)\n"
                    "  stacked: frame at 0x2001ffd0, EXC_RETURN 0xfffffff9\n"))
        << r.err;
    // The stacked PC is the UDIV itself (T2 encoding 0xFBB.. 0xF.F.), in main at line 29,
    // and the frame holds its operands: r2 = 0 (the divisor) and r3 = 1000.
    const auto pcAt = r.err.find(" pc=0x");
    ASSERT_NE(pcAt, std::string::npos) << r.err;
    const std::uint32_t pc =
        static_cast<std::uint32_t>(std::stoul(r.err.substr(pcAt + 4, 10), nullptr, 16));
    Machine m(stm32f407DiscoveryBoard());
    m.load(ElfImage::load(probe("div_zero")));
    EXPECT_EQ(m.bus().readPhysical(pc, 2).value_or(0) & 0xFFF0u, 0xFBB0u)
        << "UDIV at 0x" << std::hex << pc;
    EXPECT_TRUE(has(r.err, fmt::format("  where:   0x{:08x} main+0x", pc))) << r.err;
    EXPECT_TRUE(has(r.err, "(div_zero.c:29)\n")) << r.err;
    EXPECT_TRUE(has(r.err, "r2=0x00000000 r3=0x000003e8")) << r.err;
    EXPECT_TRUE(has(r.err, fmt::format("pc=0x{:08x} xpsr=0x01000000", pc))) << r.err;
}

TEST(FaultFirmware, UndefinedInstructionReportIsComplete) {
    const auto r = runCli(probe("undefined_insn") + " --board f407 --for 2ms");
    EXPECT_EQ(r.exitCode, 3);
    EXPECT_TRUE(has(r.err,
                    "  what:    undefined instruction 0xde00\n"
                    "  where:   0x"))
        << r.err;
    EXPECT_TRUE(has(r.err,
                    "(undefined_insn.c:10)\n"
                    "  CFSR:    0x00010000 (UNDEFINSTR)\n"
                    "  HFSR:    0x40000000 (FORCED)\n"))
        << r.err;
    EXPECT_TRUE(has(r.err, "xpsr=0x01000000")) << r.err;  // Thread mode, T set: a Thumb UDF
}

TEST(FaultFirmware, TaskThatReturnsToZeroFaultsOnItsOwnStackAndTheReportNamesIt) {
    const auto r = runCli(probe("task_returns") + " --board f407 --for 2ms");
    EXPECT_EQ(r.exitCode, 3);
    EXPECT_TRUE(has(r.err, kInvstateAtZero + "  task:    task_oneshot\n"
                                             "  CFSR:    0x00020000 (INVSTATE)\n"
                                             "  HFSR:    0x40000000 (FORCED)\n"))
        << r.err;
    // The frame is on the task's stack (PSP: EXC_RETURN 0xFFFFFFFD), inside oneshot's slot
    // of g_task_stacks ([0] idle, [1] blinker, [2] oneshot, 1 KiB each), with LR and PC 0.
    const auto at = r.err.find("  stacked: frame at 0x");
    ASSERT_NE(at, std::string::npos) << r.err;
    const std::uint32_t frame =
        static_cast<std::uint32_t>(std::stoul(r.err.substr(at + 20, 10), nullptr, 16));
    const std::uint32_t stacks = symbolAddress("task_returns", "g_task_stacks");
    EXPECT_GE(frame, stacks + 2 * 1024);
    EXPECT_LE(frame + 32, stacks + 3 * 1024);
    EXPECT_TRUE(has(r.err.substr(at), ", EXC_RETURN 0xfffffffd\n")) << r.err;
    EXPECT_TRUE(has(r.err, " lr=0x00000000 pc=0x00000000 xpsr=0x00000000\n")) << r.err;
    EXPECT_FALSE(has(r.err, "stack guard")) << r.err;
    EXPECT_TRUE(has(r.out, "LD4  green   PD12  -> 1 (on)")) << r.out;
}

TEST(FaultFirmware, InvalidExcReturnIsInvpcTakenWithoutStackingAndLrHoldsTheValue) {
    const auto r = runCli(probe("bad_exc_return") + " --board f407 --for 2ms");
    EXPECT_EQ(r.exitCode, 3);
    EXPECT_TRUE(
        has(r.err,
            "): UsageFault\n"
            "  what:    invalid exception return (INVPC): EXC_RETURN 0xfffffff5 from IRQ 6: not a "
            "valid EXC_RETURN value\n"
            "  where:   0x"))
        << r.err;
    EXPECT_TRUE(has(r.err,
                    " EXTI0_IRQHandler+0x4 (bad_exc_return.c:29)\n"
                    "  CFSR:    0x00040000 (INVPC)\n"
                    "  HFSR:    0x00000000 (none)\n"
                    "  stacked: frame at 0x2001ffd0, EXC_RETURN 0xfffffff5\n"))
        << r.err;
    // The frame is the one stacked when EXTI0 interrupted main (Thread mode, T set).
    EXPECT_TRUE(has(r.err, " xpsr=0x01000000\n")) << r.err;

    // What the UsageFault handler sees (B1.5.8): no new frame (SP still at EXTI0's frame),
    // LR = 0xF0000000 + EXC_RETURN<27:0>, EXTI0 no longer active.
    const auto machine = stoppedAtFirstFault("bad_exc_return");
    Machine& m = *machine;
    EXPECT_EQ(m.unicorn().reg(UC_ARM_REG_IPSR) & 0x1FFu, 6u);  // UsageFault
    EXPECT_EQ(m.unicorn().reg(UC_ARM_REG_LR), 0xFFFFFFF5u);
    EXPECT_EQ(m.unicorn().reg(UC_ARM_REG_MSP), 0x2001FFD0u);
    EXPECT_FALSE(m.nvic().isActive(exc::kFirstIrq + 6));
    const std::uint32_t main = m.symbols().byName("main")->address;
    const std::uint32_t stackedPc = m.bus().readPhysical(0x2001FFD0 + 0x18, 4).value();
    EXPECT_GT(stackedPc, main);
    EXPECT_LT(stackedPc, main + 0x60);
}

TEST(FaultFirmware, StackOverflowCorruptsTheNeighboursSavedContextWhichPendSvPops) {
    const auto r = runCli(probe("stack_overflow") + " --board f407 --for 3ms");
    EXPECT_EQ(r.exitCode, 3);
    EXPECT_TRUE(
        has(r.err,
            "cmsim: fault at 1.296 ms (cycle 173226): MemManage, escalated to HardFault (not "
            "enabled or not allowed to preempt)\n"
            "  what:    instruction fetch from Execute Never address 0xdeadbeee\n"
            "  where:   0xdeadbeee (no symbol)\n"
            "  task:    task_filter\n"
            "  CFSR:    0x00000001 (IACCVIOL)\n"
            "  HFSR:    0x40000000 (FORCED)\n"))
        << r.err;
    // Taken in PendSV (stacked IPSR 14) on the MSP, with an FP frame (EXC_RETURN bit 4 = 0,
    // since PendSV restored s16-s31 for the corrupted EXC_RETURN 0xDEADBEEF).
    EXPECT_TRUE(has(r.err, ", EXC_RETURN 0xffffffe1\n")) << r.err;
    EXPECT_TRUE(has(r.err, " lr=0xdeadbeef pc=0xdeadbeee xpsr=0x4100000e\n")) << r.err;
    EXPECT_FALSE(has(r.err, "    #1 ")) << "LR 0xdeadbeef names no caller\n" << r.err;
    // Before the fault, the stack guard saw filter's SP leave its stack ([2] of
    // g_task_stacks) at the SysTick that came while filter_window's array was live.
    const std::uint32_t stacks = symbolAddress("stack_overflow", "g_task_stacks");
    EXPECT_TRUE(has(
        r.err, fmt::format("cmsim: firmware: stack guard: task filter: PSP 0x{:08x} is 296 bytes "
                           "below its stack 0x{:08x}..0x{:08x} (g_task_stacks[2], 1024 bytes) at "
                           "1.296 ms (cycle 173101), PC 0x",
                           stacks + 2048 - 296, stacks + 2048, stacks + 3072)))
        << r.err;
    EXPECT_TRUE(has(r.err, " (filter_window+0x18), seen on SysTick entry")) << r.err;
    EXPECT_LT(r.err.find("stack guard"), r.err.find("cmsim: fault at")) << r.err;

    // At the fault, logger's saved context (at its TCB's saved_sp, inside its own slot of
    // g_task_stacks) is filter's fill pattern: r4-r11 and EXC_RETURN all 0xDEADBEEF.
    const auto machine = stoppedAtFirstFault("stack_overflow");
    Machine& m = *machine;
    const std::uint32_t tasks = m.symbols().byName("g_tasks")->address;
    const std::uint32_t loggerSp =
        m.bus().readPhysical(tasks + 20 * 1, 4).value();  // g_tasks[1].saved_sp
    EXPECT_GE(loggerSp, stacks + 1024);
    EXPECT_LT(loggerSp, stacks + 2048);
    for (unsigned i = 0; i < 9; ++i) {
        EXPECT_EQ(m.bus().readPhysical(loggerSp + 4 * i, 4).value(), 0xDEADBEEFu) << "word " << i;
    }
    EXPECT_EQ(m.core().faultsTaken(), 1u);
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
