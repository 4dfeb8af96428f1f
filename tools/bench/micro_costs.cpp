// bench_micro_costs: Google Benchmark micro-costs of cmsim's core (BENCHMARKS.md).
//
// Each benchmark boots the F407 machine into a few hand-placed Thumb instructions that
// repeat one costly thing, runs it for a fixed number of simulated cycles per benchmark
// iteration and reports host time per occurrence (the `per_*` counters, in seconds):
//
//   BlockHook         `adds; b` loop: one block, so one block-hook call, per 2 instructions
//   RamStore          4 stores to SRAM per block: Unicorn's own store path (baseline)
//   MmioStore         4 stores to GPIOD_ODR per block: the uc_mmio_map path into a model
//   SvcEntryReturn    `svc #0; b` with a `bx lr` handler: one exception entry + return
//   PendSvEntryReturn a store to ICSR.PENDSVSET, then PendSV entry + return at the next
//                     block boundary (MMIO write + exception pair)
//
// The target for exception entry + return is <= 1.5 us of host time each.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "Machine.h"
#include "boards/Boards.h"

namespace {

using cmsim::Cycles;
using cmsim::Machine;

constexpr std::uint32_t kFlash = 0x08000000;
constexpr std::uint32_t kLoop = kFlash + 0x400;     // past the vector table
constexpr std::uint32_t kHandler = kFlash + 0x800;  // shared by SVCall and PendSV
constexpr std::uint32_t kStackTop = 0x20020000;
constexpr std::uint32_t kSram = 0x20000000;
constexpr std::uint32_t kGpiodOdr = 0x40020C14;    // RM0090 8.4.6
constexpr std::uint32_t kRccAhb1enr = 0x40023830;  // RM0090 7.3.10
constexpr std::uint32_t kIcsr = 0xE000ED04;        // ARMv7-M ARM B3.2.4
constexpr std::uint32_t kPendSvSet = 1u << 28;

// Thumb encodings (ARMv7-M ARM A7.7): ADDS r0,#1 (T2), STR r1,[r0] (T1), SVC #0, BX LR,
// and B (T2) back by 2, 4 or 8 bytes to the start of the loop.
constexpr std::uint16_t kAddsR0One = 0x3001;
constexpr std::uint16_t kStrR1AtR0 = 0x6001;
constexpr std::uint16_t kSvc0 = 0xDF00;
constexpr std::uint16_t kBxLr = 0x4770;
constexpr std::uint16_t kBackTo2 = 0xE7FD;  // b <this - 2>: offset -6 from PC+4
constexpr std::uint16_t kBackTo8 = 0xE7FA;  // b <this - 8>: offset -12 from PC+4

// A Machine on the STM32F407 Discovery, booted into `loop` at kLoop with R0 = r0, R1 = r1.
class Rig {
  public:
    Rig(std::initializer_list<std::uint16_t> loop, std::uint32_t r0, std::uint32_t r1)
        : m_(cmsim::stm32f407DiscoveryBoard()) {
        word(kFlash + 0 * 4, kStackTop);
        word(kFlash + 1 * 4, kLoop | 1u);      // reset
        word(kFlash + 11 * 4, kHandler | 1u);  // SVCall
        word(kFlash + 14 * 4, kHandler | 1u);  // PendSV
        code(kHandler, {kBxLr});
        code(kLoop, loop);
        m_.powerOnReset();
        // GPIOD's clock on, so the MMIO benchmark measures stores, not diagnostics.
        m_.bus().writePhysical(kRccAhb1enr, 4, 1u << 3);
        m_.unicorn().setReg(UC_ARM_REG_R0, r0);
        m_.unicorn().setReg(UC_ARM_REG_R1, r1);
    }

    // Runs `cycles` more simulated cycles; returns the exceptions taken meanwhile.
    std::uint64_t run(Cycles cycles) {
        const std::uint64_t before = m_.core().exceptionsTaken();
        m_.run(m_.time().now() + cycles);
        return m_.core().exceptionsTaken() - before;
    }
    std::size_t diagnostics() { return m_.diagnostics().all().size(); }

  private:
    void word(std::uint32_t address, std::uint32_t value) {
        const std::uint8_t b[4] = {
            static_cast<std::uint8_t>(value), static_cast<std::uint8_t>(value >> 8),
            static_cast<std::uint8_t>(value >> 16), static_cast<std::uint8_t>(value >> 24)};
        m_.bus().load(address, b);
    }
    void code(std::uint32_t address, std::initializer_list<std::uint16_t> halfwords) {
        std::vector<std::uint8_t> bytes;
        for (const std::uint16_t h : halfwords) {
            bytes.push_back(static_cast<std::uint8_t>(h));
            bytes.push_back(static_cast<std::uint8_t>(h >> 8));
        }
        m_.bus().load(address, bytes);
    }

    Machine m_;
};

constexpr Cycles kCyclesPerIteration = 1'000'000;

// Host seconds per occurrence, for `count` occurrences over the whole benchmark.
benchmark::Counter perOccurrence(double count) {
    return benchmark::Counter(count, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BlockHook(benchmark::State& state) {
    Rig rig({kAddsR0One, kBackTo2}, 0, 0);
    for (auto _ : state) rig.run(kCyclesPerIteration);
    // 2 instructions of 1 cycle per block (emulator/CycleModel.h).
    state.counters["per_block"] =
        perOccurrence(static_cast<double>(state.iterations() * kCyclesPerIteration / 2));
}

void storeLoop(benchmark::State& state, std::uint32_t address, const char* counter) {
    Rig rig({kStrR1AtR0, kStrR1AtR0, kStrR1AtR0, kStrR1AtR0, kBackTo8}, address, 0x1000);
    for (auto _ : state) rig.run(kCyclesPerIteration);
    // 4 stores per 5-instruction block.
    state.counters[counter] =
        perOccurrence(static_cast<double>(state.iterations() * kCyclesPerIteration / 5 * 4));
    if (rig.diagnostics() != 0) state.SkipWithError("the store loop produced diagnostics");
}

void RamStore(benchmark::State& state) {
    storeLoop(state, kSram, "per_store");
}
void MmioStore(benchmark::State& state) {
    storeLoop(state, kGpiodOdr, "per_store");
}

void exceptionLoop(benchmark::State& state, std::initializer_list<std::uint16_t> loop) {
    Rig rig(loop, kIcsr, kPendSvSet);
    std::uint64_t pairs = 0;
    for (auto _ : state) pairs += rig.run(kCyclesPerIteration);
    if (pairs == 0) state.SkipWithError("no exception was taken");
    state.counters["per_entry_return"] = perOccurrence(static_cast<double>(pairs));
}

void SvcEntryReturn(benchmark::State& state) {
    exceptionLoop(state, {kSvc0, kBackTo2});
}
void PendSvEntryReturn(benchmark::State& state) {
    exceptionLoop(state, {kStrR1AtR0, kBackTo2});
}

BENCHMARK(BlockHook)->Unit(benchmark::kMillisecond);
BENCHMARK(RamStore)->Unit(benchmark::kMillisecond);
BENCHMARK(MmioStore)->Unit(benchmark::kMillisecond);
BENCHMARK(SvcEntryReturn)->Unit(benchmark::kMillisecond);
BENCHMARK(PendSvEntryReturn)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
