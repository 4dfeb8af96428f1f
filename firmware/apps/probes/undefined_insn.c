/*
 * undefined_insn - executes a permanently undefined instruction (UDF #0, ARMv7-M ARM
 * A7.7.194). Silicon takes a UsageFault (UNDEFINSTR), escalated to HardFault since the
 * UsageFault handler is not enabled; cmsim stops and names the PC and symbol.
 */
#include "bsp.h"
#include "clock.h"

static void hit_undefined(void) {
    __asm volatile("udf #0");
}

int main(void) {
    (void)clock_init();
    bsp_init();
    bsp_led_set(BSP_LED_GREEN, true);
    hit_undefined();
    for (;;) {
    }
}
