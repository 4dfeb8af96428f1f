/*
 * sched_workload.c - see sched_workload.h.
 */
#include "sched_workload.h"

static const uint32_t k_periods[SCHED_BENCH_WORKERS] = {1u, 2u, 3u, 5u, 7u, 11u};

uint32_t sched_workload_period(uint32_t id) {
    return k_periods[id];
}

uint32_t sched_workload_step(uint32_t hash, uint32_t nominal_tick) {
    uint32_t i;
    for (i = 0u; i < 8u; ++i) {
        hash ^= nominal_tick + i;
        hash *= 16777619u; /* FNV prime */
        hash ^= hash >> 15;
    }
    return hash;
}

uint32_t sched_workload_checksum(const uint32_t* runs, const uint32_t* hashes) {
    uint32_t acc = 2166136261u;
    uint32_t id;
    for (id = 0u; id < SCHED_BENCH_WORKERS; ++id) {
        acc = (acc ^ runs[id]) * 16777619u;
        acc = (acc ^ hashes[id]) * 16777619u;
    }
    return acc;
}
