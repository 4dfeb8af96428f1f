/*
 * null_read - reads through a NULL pointer. On the STM32F407 this is NOT a fault: with
 * BOOT0 = 0 (the DISC1 board ties it low) the main flash is aliased at 0x00000000
 * (RM0090 §2.4 "Boot configuration", Table 2), so address 0 reads the first word of the
 * vector table, the initial MSP (_estack = 0x20020000), and address 4 the reset vector.
 * The green LED goes on when both words read through the alias match the vector table;
 * the red LED would go on if they did not. A fidelity test: no fault, as on silicon.
 */
#include <stdint.h>

#include "bsp.h"
#include "clock.h"

extern uint32_t _estack[];
void Reset_Handler(void);

/* volatile: a real load from address 0, not something the compiler may assume about NULL. */
static const volatile uint32_t* volatile g_null = 0;

int main(void) {
    (void)clock_init();
    bsp_init();
    const uint32_t msp = g_null[0];
    const uint32_t reset = g_null[1];
    const int same =
        msp == (uint32_t)(uintptr_t)_estack && reset == (uint32_t)(uintptr_t)Reset_Handler;
    bsp_led_set(same ? BSP_LED_GREEN : BSP_LED_RED, true);
    for (;;) {
    }
}
