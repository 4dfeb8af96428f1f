/*
 * bsp.h - board support for the NUCLEO-H723ZG: the three user LEDs (UM2407 "User LEDs"):
 * LD1 green on PB0, LD2 yellow on PE1, LD3 red on PB14, each lit by driving its pin high.
 */
#ifndef CMSIM_BSP_H
#define CMSIM_BSP_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* LED identifiers: an index into the board's LED table (bsp.c). */
typedef enum {
    BSP_LED_GREEN = 0,  /* LD1, PB0 */
    BSP_LED_YELLOW = 1, /* LD2, PE1 */
    BSP_LED_RED = 2     /* LD3, PB14 */
} bsp_led_t;

#define BSP_LED_COUNT 3u

/* Enable the GPIOB and GPIOE clocks and make PB0, PE1 and PB14 push-pull outputs, all
 * LEDs off. */
void bsp_init(void);

void bsp_led_set(bsp_led_t led, bool on);
void bsp_led_toggle(bsp_led_t led);
bool bsp_led_is_on(bsp_led_t led);

#ifdef __cplusplus
}
#endif

#endif /* CMSIM_BSP_H */
