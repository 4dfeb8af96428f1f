/*
 * cpu_workload.h - the CPU-bound mix of bench_cpu: CRC-32 over a buffer, an integer
 * matrix multiply, a linked-list merge sort and a table-less tokenizer state machine.
 *
 * Plain C99 on fixed-width unsigned types only (no signed overflow, no char signedness,
 * no pointer values in the result): the same file is compiled for the Cortex-M4 firmware
 * and by the host compiler for tests/firmware, which checks that the emulator computes
 * the same checksum as the host does.
 */
#ifndef CMSIM_BENCH_CPU_WORKLOAD_H
#define CMSIM_BENCH_CPU_WORKLOAD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Rounds bench_cpu runs: sized for about a second of wall time in cmsim. */
#define CPU_WORKLOAD_ROUNDS 300u

/* CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), bit by bit; `crc` is the running
 * value (0 to start). cpu_crc32("123456789", 9, 0) == 0xCBF43926. */
uint32_t cpu_crc32(const uint8_t* data, uint32_t length, uint32_t crc);

/* One round of the four kernels on inputs derived from `round`; returns their mix. */
uint32_t cpu_workload_round(uint32_t round);

/* The checksum bench_cpu prints: rounds 0 .. rounds-1 folded together. */
uint32_t cpu_workload_run(uint32_t rounds);

#ifdef __cplusplus
}
#endif

#endif /* CMSIM_BENCH_CPU_WORKLOAD_H */
