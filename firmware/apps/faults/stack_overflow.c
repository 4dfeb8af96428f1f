/*
 * stack_overflow - a task whose local array is larger than its stack, on the bundled
 * scheduler (1 KiB per task in g_task_stacks, PORT_TASK_STACK_WORDS). Tasks, in g_tasks
 * and g_task_stacks order: [0] idle, [1] "logger", [2] "filter". Stacks grow down, so
 * filter's overflow lands in the top of logger's stack, where logger's saved context is
 * while it sleeps.
 *
 * logger toggles the orange LED and sleeps one tick. filter turns the green LED on, then
 * calls filter_window(), whose 1280-byte history (filled with 0xDEADBEEF, as debug fill
 * patterns are) overwrites logger's saved r4-r11 and EXC_RETURN, and which then waits for
 * the next tick with its SP still below its stack: the SysTick frame goes further down.
 * At that tick logger is due: PendSV pops logger's "saved" context, 0xDEADBEEF as
 * EXC_RETURN, and its BX LR is then an ordinary branch to 0xDEADBEEE (bit 0 set, Thumb):
 * an instruction fetch from the Execute Never device region (ARMv7-M ARM B3.1.1), a
 * MemManage IACCVIOL in PendSV, escalated to HardFault (MemManage not enabled). The task
 * that overflowed keeps running until then; the one that faults is the other one.
 */
#include <stdint.h>

#include "bsp.h"
#include "clock.h"
#include "port_cortex_m.h"

#define HISTORY_WORDS 320u /* 1280 bytes: more than the whole 1 KiB task stack */
#define FILL 0xDEADBEEFu

void task_logger(void);
void task_filter(void);

volatile uint32_t g_filtered;

void task_logger(void) {
    for (;;) {
        bsp_led_toggle(BSP_LED_ORANGE);
        task_delay(1u);
    }
}

/* noinline: its frame (the history) is what overflows. */
static __attribute__((noinline)) void filter_window(void) {
    volatile uint32_t history[HISTORY_WORDS];
    uint32_t i;
    const uint32_t tick = g_tick_count;

    for (i = 0; i < HISTORY_WORDS; ++i) {
        history[i] = FILL;
    }
    /* Still inside the oversized frame when the next tick comes. */
    while (g_tick_count == tick) {
    }
    g_filtered = history[0] ^ history[HISTORY_WORDS - 1u];
}

void task_filter(void) {
    bsp_led_set(BSP_LED_GREEN, true);
    for (;;) {
        filter_window();
        task_delay(5u);
    }
}

int main(void) {
    (void)clock_init();
    bsp_init();
    kernel_init();
    (void)task_create("logger", task_logger);
    (void)task_create("filter", task_filter);
    kernel_start(g_system_core_clock);
}
