/*
 * usart_poke - enables USART2's clock and writes its data register, a block cmsim names
 * but does not model: reported as "not modelled", fatal with --strict. Then blinks the
 * green LED from a busy loop (no scheduler).
 */
#include <stdint.h>

#include "bsp.h"
#include "clock.h"

#define RCC_APB1ENR (*(volatile uint32_t*)0x40023840u)
#define USART2_DR (*(volatile uint32_t*)0x40004404u)

int main(void) {
    (void)clock_init();
    bsp_init();
    RCC_APB1ENR |= 1u << 17; /* USART2EN (RM0090 §7.3.13) */
    (void)RCC_APB1ENR;       /* read back: two-cycle delay before the clock is usable */
    USART2_DR = 'A';
    bsp_led_set(BSP_LED_GREEN, true);
    for (;;) {
    }
}
