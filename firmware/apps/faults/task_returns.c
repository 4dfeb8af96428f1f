/*
 * task_returns - the bundled scheduler built as many hobby kernels are: the initial
 * stacked LR of every task is 0 (kernel option PORT_TASK_RETURN_TO_ZERO, see
 * port_cortex_m.c) instead of task_exit_trap. Task "oneshot" turns the green LED on and
 * returns: its final BX LR branches to 0x00000000 with bit 0 clear, which clears EPSR.T
 * (A2.3.2 BXWritePC), and the next instruction faults: UsageFault INVSTATE with the
 * stacked PC 0x00000000, on the task's stack (PSP). UsageFault is not enabled, so it
 * escalates to HardFault. Task "blinker" toggles the orange LED every 2 ms meanwhile
 * (it runs first, so the fault happens after one full round of the scheduler).
 */
#include <stdint.h>

#include "bsp.h"
#include "clock.h"
#include "port_cortex_m.h"

#if !PORT_TASK_RETURN_TO_ZERO
#error "task_returns is built with PORT_TASK_RETURN_TO_ZERO=1 (firmware/CMakeLists.txt)"
#endif

void task_blinker(void);
void task_oneshot(void);

void task_blinker(void) {
    for (;;) {
        bsp_led_toggle(BSP_LED_ORANGE);
        task_delay(2u);
    }
}

/* Returns: there is nothing to return to. */
void task_oneshot(void) {
    bsp_led_set(BSP_LED_GREEN, true);
}

int main(void) {
    (void)clock_init();
    bsp_init();
    kernel_init();
    (void)task_create("blinker", task_blinker);
    (void)task_create("oneshot", task_oneshot);
    kernel_start(g_system_core_clock);
}
