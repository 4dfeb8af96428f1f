/*
 * task_cycles - apps/blinky's four LED tasks (same kernel, periods and order), each
 * activation measured with the DWT cycle counter: CYCCNT is read before and after the
 * task's work (toggle its LED and print its "t=<tick> <color> on|off" line), and the
 * largest difference per task is kept. Once a second (on the green task's activation,
 * after its own measurement) the worst cases so far are printed:
 *
 *   t=1000 max-cycles green=2145 orange=2203 red=2160 blue=2174
 *
 * Everything goes to ITM stimulus port 0 (SWO) like blinky_itm. Cycles, not time: the
 * numbers depend on the core clock's wait states on silicon (cmsim counts 1 cycle per
 * instruction). CYCCNT does not count while the idle task sleeps in WFI.
 */
#include <inttypes.h>
#include <stdio.h>

#include "../common/led_tasks.h"
#include "bsp.h"
#include "clock.h"
#include "port_cortex_m.h"
#include "swo.h"
#include "trace_dwt.h"
#include "trace_itm.h"

/* Worst-case cycles per activation, indexed by led_task_id_t. Read by cmsim's tests. */
volatile uint32_t g_task_max_cycles[LED_TASK_COUNT];

static char s_stdout_buffer[128];

static void report_worst_cases(void) {
    const uint32_t key = console_lock();
    printf("t=%" PRIu32 " max-cycles green=%" PRIu32 " orange=%" PRIu32 " red=%" PRIu32 " blue=%" PRIu32 "\n",
           g_tick_count, g_task_max_cycles[LED_TASK_GREEN], g_task_max_cycles[LED_TASK_ORANGE],
           g_task_max_cycles[LED_TASK_RED], g_task_max_cycles[LED_TASK_BLUE]);
    console_unlock(key);
}

static void measured_activation(led_task_id_t id) {
    const uint32_t start = trace_dwt_cycles();
    led_task_toggle_and_report(id);
    const uint32_t cycles = trace_dwt_cycles() - start;

    if (cycles > g_task_max_cycles[id]) {
        g_task_max_cycles[id] = cycles;
    }
    if (id == LED_TASK_GREEN && g_tick_count != 0u) {
        report_worst_cases();
    }
}

int main(void) {
    (void)clock_init();
    bsp_init();

    (void)swo_init(g_system_core_clock, SWO_DEFAULT_HZ);
    trace_itm_init(0u);
    (void)setvbuf(stdout, s_stdout_buffer, _IOLBF, sizeof s_stdout_buffer);
    trace_dwt_cycles_init();
    printf("task_cycles: 4 LED tasks, worst-case DWT cycles per activation every second\n");

    kernel_init();
    led_tasks_create(measured_activation);
    kernel_start(g_system_core_clock);
}
