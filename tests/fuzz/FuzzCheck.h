#pragma once
// Invariant checks inside fuzz targets. A failed check is a bug in cmsim (not bad input):
// it prints what failed and aborts, which libFuzzer reports as a crash and saves the input
// (tools/fuzz.sh keeps it under tests/fuzz/regressions/<target>/).
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                      \
        }                                                                                      \
    } while (0)

// Same, with a message (a printf format and its arguments).
#define FUZZ_CHECK_MSG(cond, ...)                                                   \
    do {                                                                            \
        if (!(cond)) {                                                              \
            std::fprintf(stderr, "fuzz check failed: %s (%s:%d): ", #cond, __FILE__, \
                         __LINE__);                                                 \
            std::fprintf(stderr, __VA_ARGS__);                                      \
            std::fputc('\n', stderr);                                               \
            std::abort();                                                           \
        }                                                                           \
    } while (0)
