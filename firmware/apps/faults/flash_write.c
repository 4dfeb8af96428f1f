/*
 * flash_write - stores a word into flash (a `const` table in .rodata) with the flash
 * interface locked, as a stray pointer or a missing `const` cast would. On the
 * STM32F407 this is NOT a bus error: the flash interface accepts the write, does not
 * program anything (FLASH_CR.PG = 0) and sets FLASH_SR.PGSERR, "programming sequence
 * error: a write access to the Flash memory performed while the control register has not
 * been correctly configured" (RM0090 §3.9.4). The green LED goes on when the word still
 * reads its old value and PGSERR is set, the red LED otherwise.
 */
#include <stdint.h>

#include "bsp.h"
#include "clock.h"

#define FLASH_SR (*(volatile uint32_t*)0x40023C0Cu)
#define FLASH_SR_PGSERR (1u << 7)

const uint32_t g_calibration = 0x12345678u;

int main(void) {
    (void)clock_init();
    bsp_init();
    *(volatile uint32_t*)(uintptr_t)&g_calibration = 0u;
    const uint32_t sr = FLASH_SR;
    const int faithful =
        (sr & FLASH_SR_PGSERR) != 0u && *(const volatile uint32_t*)&g_calibration == 0x12345678u;
    bsp_led_set(faithful ? BSP_LED_GREEN : BSP_LED_RED, true);
    for (;;) {
    }
}
