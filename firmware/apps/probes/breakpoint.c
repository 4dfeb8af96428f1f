/*
 * breakpoint - a BKPT left in the code (a debugger's breakpoint instruction, not the
 * semihosting BKPT 0xAB). Without a debugger, silicon escalates it to HardFault; cmsim
 * stops the run, names the instruction and exits 3. The green LED goes on first so a
 * test can see the firmware got that far.
 */
#include "bsp.h"
#include "clock.h"

int main(void) {
    (void)clock_init();
    bsp_init();
    bsp_led_set(BSP_LED_GREEN, true);
    __asm volatile("bkpt #0x01");
    for (;;) {
    }
}
