/*
 * null_call - calls a function pointer that is NULL. BLX writes the branch target's bit 0
 * to EPSR.T (ARMv7-M ARM A2.3.2 BLXWritePC), so a branch to 0x00000000 clears the Thumb
 * bit and the core faults on the next instruction with the PC already at 0: a UsageFault
 * INVSTATE (B1.4.2) with stacked PC 0x00000000 and stacked LR the return address after
 * the BLX. The UsageFault handler is not enabled (SHCSR.USGFAULTENA = 0), so it
 * escalates to HardFault (HFSR.FORCED, B1.5.15). The green LED goes on first.
 */
#include <stddef.h>

#include "bsp.h"
#include "clock.h"

typedef void (*callback_t)(void);

/* volatile: the compiler must really load the pointer and branch through it. */
static callback_t volatile g_callback = NULL;

int main(void) {
    (void)clock_init();
    bsp_init();
    bsp_led_set(BSP_LED_GREEN, true);
    g_callback();
    for (;;) {
    }
}
