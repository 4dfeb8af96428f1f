/*
 * sched_workload.h - what bench_sched's tasks compute, shared by the firmware and the host
 * test that predicts its output (tests/firmware/bench_firmware_test.cpp). Plain C99.
 *
 * Six workers run periodically: worker i is nominally activated at ticks 0, d_i, 2 d_i, ...
 * (d = 1, 2, 3, 5, 7, 11 ticks of 100 us). Each activation below SCHED_BENCH_TICKS folds
 * its nominal tick into the worker's hash with sched_workload_step(); so the report depends
 * only on the periods, not on how long anything took.
 */
#ifndef CMSIM_BENCH_SCHED_WORKLOAD_H
#define CMSIM_BENCH_SCHED_WORKLOAD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SCHED_BENCH_TICK_HZ 10000u   /* SysTick rate: 100 us per tick */
#define SCHED_BENCH_TICKS 20000u     /* activations counted at nominal ticks below this: 2 s */
#define SCHED_BENCH_SETTLE_TICKS 10u /* the report waits this long after the last count */
#define SCHED_BENCH_WORKERS 6u

/* Period of worker `id` in ticks. */
uint32_t sched_workload_period(uint32_t id);

/* One activation's work: a few rounds of multiply-xorshift over the nominal tick. */
uint32_t sched_workload_step(uint32_t hash, uint32_t nominal_tick);

/* Fold of every worker's run count and hash, in worker order (what the report prints). */
uint32_t sched_workload_checksum(const uint32_t* runs, const uint32_t* hashes);

#ifdef __cplusplus
}
#endif

#endif /* CMSIM_BENCH_SCHED_WORKLOAD_H */
