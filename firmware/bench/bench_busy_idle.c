/*
 * bench_busy_idle - apps/blinky (the same four LED tasks, periods and main, compiled from
 * the same source) with a busy idle task: `for (;;) {}`, a branch to itself, instead of
 * the kernel's WFI loop, as many hobby kernels have. This strong idle_task replaces the
 * kernel's weak one. An emulator that skips time only on WFI executes this loop for every
 * idle cycle; BENCHMARKS.md compares its speed with the WFI blinker's.
 */
#include "../apps/blinky/main.c"

void idle_task(void) {
    for (;;) {
    }
}
