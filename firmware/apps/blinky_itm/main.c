/*
 * blinky_itm - apps/blinky (same kernel, same four LED tasks and periods) printing each
 * task activation with printf on ITM stimulus port 0, i.e. over SWO:
 *
 *   t=0 green on
 *   t=0 orange on
 *   ...
 *
 * The firmware sets the ITM up itself (DEMCR.TRCENA, ITM unlock, TCR.ITMENA, TER bit 0)
 * and waits for FIFOREADY before each byte, as SWO drivers do; it also programs the
 * STM32's SWO pin and TPIU unless a debugger did (boards/stm32f407_disc1/swo.h). On the
 * Discovery board read it with e.g. `st-trace` or OpenOCD's `itm port 0 on` / SWV in
 * STM32CubeIDE at 2 MHz; in cmsim port 0 goes to stdout (or `--itm 0=FILE`).
 */
#include <stdio.h>

#include "../common/led_tasks.h"
#include "bsp.h"
#include "clock.h"
#include "port_cortex_m.h"
#include "swo.h"
#include "trace_itm.h"

static char s_stdout_buffer[128];

int main(void) {
    (void)clock_init();
    bsp_init();

    /* SWO out of the chip (after clock_init: the prescaler depends on HCLK), then the ITM.
     * stdout line-buffered on a static buffer: one ITM burst per line, no malloc. */
    (void)swo_init(g_system_core_clock, SWO_DEFAULT_HZ);
    trace_itm_init(0u);
    (void)setvbuf(stdout, s_stdout_buffer, _IOLBF, sizeof s_stdout_buffer);
    printf("blinky_itm: 4 LED tasks, console on ITM port 0\n");

    kernel_init();
    led_tasks_create(NULL);
    kernel_start(g_system_core_clock);
}
