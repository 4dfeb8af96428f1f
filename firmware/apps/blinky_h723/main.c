/*
 * blinky (NUCLEO-H723ZG) - three tasks blinking the board's three user LEDs at different
 * rates under the cmsim demo scheduler (the same firmware/kernel as the F407 blinky;
 * 1 tick = 1 ms):
 *
 *   task_green   LD1 PB0   toggles every 1000 ms
 *   task_yellow  LD2 PE1   toggles every  500 ms
 *   task_red     LD3 PB14  toggles every  250 ms
 *
 * plus the kernel's idle_task (WFI) when all three are blocked. Task order in g_tasks:
 * [0] idle, [1] green, [2] yellow, [3] red. The task function names are a stable
 * interface used by cmsim's tests.
 */
#include <stdint.h>

#include "bsp.h"
#include "clock.h"
#include "port_cortex_m.h"

#define GREEN_PERIOD_MS 1000u
#define YELLOW_PERIOD_MS 500u
#define RED_PERIOD_MS 250u

void task_green(void);
void task_yellow(void);
void task_red(void);

void task_green(void) {
    for (;;) {
        bsp_led_toggle(BSP_LED_GREEN);
        task_delay(GREEN_PERIOD_MS);
    }
}

void task_yellow(void) {
    for (;;) {
        bsp_led_toggle(BSP_LED_YELLOW);
        task_delay(YELLOW_PERIOD_MS);
    }
}

void task_red(void) {
    for (;;) {
        bsp_led_toggle(BSP_LED_RED);
        task_delay(RED_PERIOD_MS);
    }
}

int main(void) {
    (void)clock_init();
    bsp_init();

    kernel_init();
    (void)task_create("green", task_green);
    (void)task_create("yellow", task_yellow);
    (void)task_create("red", task_red);

    /* SysTick from the CPU clock actually reached (550 or 520 MHz, 64 MHz on the HSI
     * fallback): on the Cortex-M7 of the H7 the processor clock is sys_d1cpre_ck. */
    kernel_start(g_system_core_clock);
}
