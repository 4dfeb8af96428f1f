/*
 * blinky_semihost - apps/blinky (same kernel, same four LED tasks and periods) printing
 * each task activation through semihosting: built with --specs=rdimon.specs, so printf
 * ends in SYS_WRITE on the ":tt" console handle that newlib's semihosting start-up
 * opened (see rdimon_start.c for how that start-up runs on the board's reset path).
 *
 *   blinky_semihost: semihosting console, argc=0
 *   t=0 green on
 *   t=0 orange on
 *   ...
 *
 * Optional command line (SYS_GET_CMDLINE; cmsim's --args, OpenOCD's `arm semihosting_cmdline`):
 *
 *   blinky_semihost [STOP_MS [EXIT_CODE]]
 *
 * With STOP_MS a fifth task wakes at tick STOP_MS, prints "t=<tick> exit <code>" and calls
 * exit(EXIT_CODE) (0 by default), which newlib's rdimon turns into SYS_EXIT_EXTENDED
 * (or SYS_EXIT if the debugger lacks that extension): the debugger, or cmsim, ends the
 * session with that exit code.
 *
 * Semihosting needs a debugger attached: on a real board without one, the first BKPT
 * 0xAB (in the start-up) escalates to HardFault.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "../common/led_tasks.h"
#include "bsp.h"
#include "clock.h"
#include "port_cortex_m.h"

static uint32_t s_stop_ms;
static int s_exit_code;

void task_stop(void);

void task_stop(void) {
    task_delay(s_stop_ms);
    /* Interrupts stay masked: no task switch while exit() flushes and reports. */
    (void)console_lock();
    printf("t=%" PRIu32 " exit %d\n", g_tick_count, s_exit_code);
    exit(s_exit_code);
}

int main(int argc, char** argv) {
    (void)clock_init();
    bsp_init();

    printf("blinky_semihost: semihosting console, argc=%d\n", argc);
    if (argc >= 2) {
        s_stop_ms = (uint32_t)strtoul(argv[1], NULL, 10);
        s_exit_code = argc >= 3 ? (int)strtol(argv[2], NULL, 10) : 0;
        printf("blinky_semihost: exit(%d) at t=%" PRIu32 "\n", s_exit_code, s_stop_ms);
    }

    kernel_init();
    led_tasks_create(NULL);
    if (s_stop_ms != 0u) {
        (void)task_create("stop", task_stop);
    }
    kernel_start(g_system_core_clock);
}
