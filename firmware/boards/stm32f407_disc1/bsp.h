/*
 * bsp.h - board support for the STM32F407G-DISC1: the four user LEDs on GPIOD
 * (UM1472 "Discovery kit with STM32F407VG MCU", 6.4 LEDs): LD4 green PD12, LD3 orange
 * PD13, LD5 red PD14, LD6 blue PD15. Active high.
 */
#ifndef CMSIM_BSP_H
#define CMSIM_BSP_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* LED identifiers: the value is the GPIOD pin number. */
typedef enum {
    BSP_LED_GREEN = 12,
    BSP_LED_ORANGE = 13,
    BSP_LED_RED = 14,
    BSP_LED_BLUE = 15
} bsp_led_t;

/* Enable the GPIOD clock and make PD12-PD15 push-pull outputs, all LEDs off. */
void bsp_init(void);

void bsp_led_set(bsp_led_t led, bool on);
void bsp_led_toggle(bsp_led_t led);
bool bsp_led_is_on(bsp_led_t led);

#ifdef __cplusplus
}
#endif

#endif /* CMSIM_BSP_H */
