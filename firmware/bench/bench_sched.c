/*
 * bench_sched - the scheduler stress benchmark (cmsim issue 10, BENCHMARKS.md): the
 * bundled kernel with 8 tasks (idle, six periodic workers, one reporter), SysTick at
 * 10 kHz, a task_delay and a GPIO BSRR write per activation, and after 2 s of simulated
 * time one line on the semihosting console and a successful SYS_EXIT:
 *
 *   bench_sched ticks=20000 runs=20000,10000,6667,4000,2858,1819 late=0 checksum=0x........
 *
 * Worker i toggles PD<i> and is nominally activated every d_i ticks (sched_workload.h).
 * It blocks until its next nominal tick (delay = next - now, a "delay until"), so a late
 * activation is caught up rather than shifting the schedule, and the run counts and
 * hashes depend only on the periods; `late` counts activations that started after their
 * nominal tick (0 when every tick's work fits in the tick, as it does at 16 MHz).
 *
 * No clock set-up: the core stays on the 16 MHz HSI it resets to (1600 cycles per tick),
 * so nothing waits for an RCC ready flag and the image runs unchanged on QEMU's
 * netduinoplus2 (its RCC and GPIO are unimplemented-device space there: writes ignored).
 */
#include <stdint.h>

#include "port_cortex_m.h"
#include "sched_workload.h"
#include "semihost.h"
#include "stm32f4_regs.h"
#include "text.h"

#define HSI_HZ 16000000u

static uint32_t s_runs[SCHED_BENCH_WORKERS];
static uint32_t s_hashes[SCHED_BENCH_WORKERS];
static uint32_t s_late;

static void worker_loop(uint32_t id) __attribute__((noreturn));
static void worker_loop(uint32_t id) {
    const uint32_t period = sched_workload_period(id);
    const uint32_t pin = 1u << id;
    uint32_t nominal = 0u;
    for (;;) {
        const uint32_t now = g_tick_count;
        if (nominal < SCHED_BENCH_TICKS) {
            if (now != nominal) {
                ++s_late;
            }
            ++s_runs[id];
            s_hashes[id] = sched_workload_step(s_hashes[id], nominal);
            /* BSRR: set on odd runs, reset on even ones, atomic (RM0090 8.4.7). */
            GPIOD->BSRR = (s_runs[id] & 1u) ? pin : (pin << 16);
        }
        nominal += period;
        /* Delay until the next nominal tick; 0 (already due) just yields. */
        task_delay((int32_t)(nominal - g_tick_count) > 0 ? nominal - g_tick_count : 0u);
    }
}

void bench_worker0(void);
void bench_worker1(void);
void bench_worker2(void);
void bench_worker3(void);
void bench_worker4(void);
void bench_worker5(void);
void bench_reporter(void);

void bench_worker0(void) {
    worker_loop(0u);
}
void bench_worker1(void) {
    worker_loop(1u);
}
void bench_worker2(void) {
    worker_loop(2u);
}
void bench_worker3(void) {
    worker_loop(3u);
}
void bench_worker4(void) {
    worker_loop(4u);
}
void bench_worker5(void) {
    worker_loop(5u);
}

void bench_reporter(void) {
    text_t line;
    uint32_t id;
    task_delay(SCHED_BENCH_TICKS + SCHED_BENCH_SETTLE_TICKS);
    text_init(&line);
    text_str(&line, "bench_sched ticks=");
    text_u32(&line, SCHED_BENCH_TICKS);
    text_str(&line, " runs=");
    for (id = 0u; id < SCHED_BENCH_WORKERS; ++id) {
        if (id != 0u) {
            text_str(&line, ",");
        }
        text_u32(&line, s_runs[id]);
    }
    text_str(&line, " late=");
    text_u32(&line, s_late);
    text_str(&line, " checksum=");
    text_hex32(&line, sched_workload_checksum(s_runs, s_hashes));
    text_str(&line, "\n");
    semihost_write0(line.buf);
    semihost_exit_success();
}

/* PD0-PD5 as push-pull outputs (RM0090 8.4.1), GPIOD clock on first (7.3.10); the
 * read-back orders the enable before the first GPIOD access (ES0182). */
static void gpio_init(void) {
    uint32_t id;
    uint32_t mask = 0u;
    uint32_t out = 0u;
    RCC->AHB1ENR |= RCC_AHB1ENR_GPIODEN;
    (void)RCC->AHB1ENR;
    for (id = 0u; id < SCHED_BENCH_WORKERS; ++id) {
        mask |= 0x3u << (id * 2u);
        out |= GPIO_MODER_OUTPUT << (id * 2u);
    }
    GPIOD->MODER = (GPIOD->MODER & ~mask) | out;
}

int main(void) {
    static const task_entry_t workers[SCHED_BENCH_WORKERS] = {
        bench_worker0, bench_worker1, bench_worker2, bench_worker3, bench_worker4, bench_worker5};
    uint32_t id;

    gpio_init();
    kernel_init();
    for (id = 0u; id < SCHED_BENCH_WORKERS; ++id) {
        (void)task_create("worker", workers[id]);
    }
    (void)task_create("reporter", bench_reporter);
    /* kernel_start() programs SysTick for PORT_TICK_HZ ticks of the clock it is given, so
     * passing HSI / (tick rate / PORT_TICK_HZ) gives SCHED_BENCH_TICK_HZ ticks: a reload of
     * 1600 cycles at 16 MHz. (The kernel itself stays as the blinky's exact-timing tests
     * pin it.) */
    kernel_start(HSI_HZ / (SCHED_BENCH_TICK_HZ / PORT_TICK_HZ));
}
