/*
 * bus_error - reads FSMC bank 1 (0x60000000) without the FSMC configured. On the
 * STM32F407 this is a precise BusFault (RM0090 §36.4: accesses to a disabled bank are
 * rejected on the AHB); cmsim stops the run and names the address and the code.
 * The green LED goes on first so a test can see the firmware got that far.
 */
#include <stdint.h>

#include "bsp.h"
#include "clock.h"

volatile uint32_t g_sink;

static uint32_t read_external_sram(void) {
    return *(volatile uint32_t*)0x60000000u;
}

int main(void) {
    (void)clock_init();
    bsp_init();
    bsp_led_set(BSP_LED_GREEN, true);
    g_sink = read_external_sram();
    for (;;) {
    }
}
