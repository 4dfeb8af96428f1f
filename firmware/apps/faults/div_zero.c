/*
 * div_zero - an integer division by zero with the trap on. By default ARMv7-M returns 0
 * for SDIV/UDIV by zero; with CCR.DIV_0_TRP set (ARMv7-M ARM B3.2.8) it is a UsageFault
 * DIVBYZERO (UFSR bit 9, CFSR bit 25, B3.2.15) with the stacked PC at the divide. Here
 * the UsageFault handler is enabled (SHCSR.USGFAULTENA, B3.2.13), so no escalation:
 * HFSR stays 0 and UsageFault_Handler (Default_Handler) runs. The green LED goes on first.
 */
#include <stdint.h>

#include "bsp.h"
#include "clock.h"

#define SCB_CCR (*(volatile uint32_t*)0xE000ED14u)
#define SCB_SHCSR (*(volatile uint32_t*)0xE000ED24u)
#define SCB_CCR_DIV_0_TRP (1u << 4)
#define SCB_SHCSR_USGFAULTENA (1u << 18)

volatile uint32_t g_dividend = 1000u;
volatile uint32_t g_divisor = 0u;
volatile uint32_t g_quotient;

int main(void) {
    (void)clock_init();
    bsp_init();
    SCB_SHCSR |= SCB_SHCSR_USGFAULTENA;
    SCB_CCR |= SCB_CCR_DIV_0_TRP;
    __asm volatile("dsb\n\tisb" : : : "memory");
    bsp_led_set(BSP_LED_GREEN, true);
    g_quotient = g_dividend / g_divisor;
    for (;;) {
    }
}
