/*
 * blinky - four tasks blinking the four STM32F407G-DISC1 LEDs at different rates under
 * the cmsim demo scheduler (1 tick = 1 ms):
 *
 *   task_green   PD12  toggles every 1000 ms
 *   task_orange  PD13  toggles every  500 ms
 *   task_red     PD14  toggles every  125 ms
 *   task_blue    PD15  toggles every  250 ms
 *
 * plus the kernel's idle_task (WFI) when all four are blocked. Task order in g_tasks:
 * [0] idle, [1] green, [2] orange, [3] red, [4] blue. The first task to run is
 * task_green. The task function names are a stable interface used by cmsim's tests.
 */
#include <stdint.h>

#include "bsp.h"
#include "clock.h"
#include "port_cortex_m.h"

#define GREEN_PERIOD_MS 1000u
#define ORANGE_PERIOD_MS 500u
#define RED_PERIOD_MS 125u
#define BLUE_PERIOD_MS 250u

void task_green(void);
void task_orange(void);
void task_red(void);
void task_blue(void);

void task_green(void) {
    for (;;) {
        bsp_led_toggle(BSP_LED_GREEN);
        task_delay(GREEN_PERIOD_MS);
    }
}

void task_orange(void) {
    for (;;) {
        bsp_led_toggle(BSP_LED_ORANGE);
        task_delay(ORANGE_PERIOD_MS);
    }
}

void task_red(void) {
    for (;;) {
        bsp_led_toggle(BSP_LED_RED);
        task_delay(RED_PERIOD_MS);
    }
}

void task_blue(void) {
    for (;;) {
        bsp_led_toggle(BSP_LED_BLUE);
        task_delay(BLUE_PERIOD_MS);
    }
}

int main(void) {
    (void)clock_init();
    bsp_init();

    kernel_init();
    (void)task_create("green", task_green);
    (void)task_create("orange", task_orange);
    (void)task_create("red", task_red);
    (void)task_create("blue", task_blue);

    /* SysTick from the HCLK actually reached (168 MHz, or 16 MHz on the HSI fallback). */
    kernel_start(g_system_core_clock);
}
