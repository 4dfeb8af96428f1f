/*
 * bsp.c - NUCLEO-H723ZG LEDs (PB0, PE1, PB14), RM0468 section 11 "GPIO".
 */
#include "bsp.h"

#include <stddef.h>

#include "stm32h7_regs.h"

typedef struct {
    gpio_regs_t* port;
    uint32_t pin;
} bsp_led_pin_t;

static const bsp_led_pin_t k_leds[BSP_LED_COUNT] = {
    [BSP_LED_GREEN] = {GPIOB, 0u},
    [BSP_LED_YELLOW] = {GPIOE, 1u},
    [BSP_LED_RED] = {GPIOB, 14u},
};

void bsp_init(void) {
    uint32_t i;

    /* GPIOB and GPIOE clocks on (RM0468 8.7 RCC_AHB4ENR). The read-back makes sure the
     * enable has reached the bus before the first GPIO access. */
    RCC->AHB4ENR |= RCC_AHB4ENR_GPIOBEN | RCC_AHB4ENR_GPIOEEN;
    (void)RCC->AHB4ENR;

    for (i = 0u; i < BSP_LED_COUNT; ++i) {
        gpio_regs_t* gpio = k_leds[i].port;
        uint32_t pin = k_leds[i].pin;
        uint32_t two_bits = 0x3u << (pin * 2u);

        /* LED off first, so it does not flash when the pin becomes an output. BSRR writes
         * are atomic (RM0468 11.4.7): no read-modify-write of ODR. */
        gpio->BSRR = (1u << pin) << 16;
        gpio->OTYPER &= ~(1u << pin); /* push-pull (11.4.2) */
        gpio->OSPEEDR &= ~two_bits;   /* low speed (11.4.3) */
        gpio->PUPDR &= ~two_bits;     /* no pull (11.4.4) */
        /* Output (11.4.1). H7 pins leave reset in analog mode (MODER = 11). */
        gpio->MODER = (gpio->MODER & ~two_bits) | (GPIO_MODER_OUTPUT << (pin * 2u));
    }
}

void bsp_led_set(bsp_led_t led, bool on) {
    const bsp_led_pin_t* l = &k_leds[led];
    uint32_t bit = 1u << l->pin;
    /* BSRR: bits 0-15 set the pin, bits 16-31 reset it, atomically (RM0468 11.4.7). */
    l->port->BSRR = on ? bit : (bit << 16);
}

bool bsp_led_is_on(bsp_led_t led) {
    const bsp_led_pin_t* l = &k_leds[led];
    return (l->port->ODR & (1u << l->pin)) != 0u;
}

void bsp_led_toggle(bsp_led_t led) {
    /* Read ODR to decide, write BSRR to act: each LED belongs to exactly one task, and the
     * BSRR write never disturbs the other pins of the port (PB0 and PB14 share GPIOB). */
    bsp_led_set(led, !bsp_led_is_on(led));
}
