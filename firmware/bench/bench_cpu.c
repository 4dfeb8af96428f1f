/*
 * bench_cpu - the CPU-bound benchmark (cmsim issue 10, BENCHMARKS.md): CPU_WORKLOAD_ROUNDS
 * rounds of CRC-32, matrix multiply, list sort and a tokenizer (cpu_workload.c), then one
 * line on the semihosting console and a successful SYS_EXIT:
 *
 *   bench_cpu rounds=300 checksum=0x........
 *
 * All the work happens before the first semihosting call, so an emulator loop that stops
 * at the first BKPT (tools/bench/bare_unicorn.cpp) measures exactly the same instructions.
 * No clock set-up and no peripherals: the core runs on the 16 MHz HSI it resets to, and
 * the image runs unchanged on QEMU's netduinoplus2 (STM32F405).
 */
#include "cpu_workload.h"
#include "semihost.h"
#include "text.h"

int main(void) {
    const uint32_t checksum = cpu_workload_run(CPU_WORKLOAD_ROUNDS);
    text_t line;
    text_init(&line);
    text_str(&line, "bench_cpu rounds=");
    text_u32(&line, CPU_WORKLOAD_ROUNDS);
    text_str(&line, " checksum=");
    text_hex32(&line, checksum);
    text_str(&line, "\n");
    semihost_write0(line.buf);
    semihost_exit_success();
}
