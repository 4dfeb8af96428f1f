/*
 * bsp.c - STM32F407G-DISC1 LEDs (GPIOD pins 12-15), RM0090 section 8 "GPIO".
 */
#include "bsp.h"

#include "stm32f4_regs.h"

#define BSP_LED_PIN_MASK \
    ((1u << BSP_LED_GREEN) | (1u << BSP_LED_ORANGE) | (1u << BSP_LED_RED) | (1u << BSP_LED_BLUE))

void bsp_init(void) {
    uint32_t pin;
    uint32_t moder_mask = 0u;
    uint32_t moder_out = 0u;

    /* GPIOD clock on (RM0090 7.3.10). The read-back delays the first GPIOD access until
     * the clock is actually running: the F407 errata (ES0182, "delay after an RCC
     * peripheral clock enabling") warns that an access right after the enable may be
     * lost. */
    RCC->AHB1ENR |= RCC_AHB1ENR_GPIODEN;
    (void)RCC->AHB1ENR;

    /* LEDs off first, so they don't flash when the pins become outputs. BSRR writes are
     * atomic (RM0090 8.4.7): no read-modify-write of ODR. */
    GPIOD->BSRR = BSP_LED_PIN_MASK << 16;

    for (pin = BSP_LED_GREEN; pin <= BSP_LED_BLUE; ++pin) {
        moder_mask |= 0x3u << (pin * 2u);
        moder_out |= GPIO_MODER_OUTPUT << (pin * 2u);
    }
    GPIOD->OTYPER &= ~BSP_LED_PIN_MASK;                      /* push-pull (8.4.2) */
    GPIOD->OSPEEDR &= ~moder_mask;                           /* low speed (8.4.3) */
    GPIOD->PUPDR &= ~moder_mask;                             /* no pull (8.4.4) */
    GPIOD->MODER = (GPIOD->MODER & ~moder_mask) | moder_out; /* output (8.4.1) */
}

void bsp_led_set(bsp_led_t led, bool on) {
    uint32_t bit = 1u << (uint32_t)led;
    /* BSRR: bits 0-15 set the pin, bits 16-31 reset it, atomically (RM0090 8.4.7). */
    GPIOD->BSRR = on ? bit : (bit << 16);
}

bool bsp_led_is_on(bsp_led_t led) {
    return (GPIOD->ODR & (1u << (uint32_t)led)) != 0u;
}

void bsp_led_toggle(bsp_led_t led) {
    /* Read ODR to decide, write BSRR to act: each LED belongs to exactly one task, so
     * no other context changes this pin between the read and the write, and the BSRR
     * write never disturbs the other pins (a read-modify-write of ODR could undo another
     * task's change if it were preempted in between). */
    bsp_led_set(led, !bsp_led_is_on(led));
}
