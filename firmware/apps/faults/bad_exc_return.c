/*
 * bad_exc_return - an interrupt handler that returns with an invalid EXC_RETURN,
 * 0xFFFFFFF5 (bits [3:0] = 0b0101 is reserved, ARMv7-M ARM B1.5.8 Table B1-8), as a
 * hand-written handler that corrupts LR would. The exception return checks EXC_RETURN
 * before popping anything: UsageFault INVPC (UFSR bit 2, CFSR bit 18), taken without new
 * stacking, with LR = 0xF0000000 + EXC_RETURN<27:0> = 0xFFFFFFF5 (B1.5.8 ExceptionReturn
 * pseudocode: its argument is the 28-bit EXC_RETURN), so the UsageFault handler sees the
 * interrupted code's frame.
 *
 * The handler is EXTI0's (IRQ 6, pended by software through NVIC_ISPR0, B3.4.5; the
 * kernel owns SVCall and PendSV). UsageFault is enabled (SHCSR.USGFAULTENA, B3.2.13) and
 * EXTI0 gets priority 0x80, lower than UsageFault's 0, so the fault preempts the handler
 * instead of escalating to HardFault (B1.5.15). The green LED goes on first.
 */
#include <stdint.h>

#include "bsp.h"
#include "clock.h"

#define SCB_SHCSR (*(volatile uint32_t*)0xE000ED24u)
#define SCB_SHCSR_USGFAULTENA (1u << 18)
#define NVIC_ISER0 (*(volatile uint32_t*)0xE000E100u)
#define NVIC_ISPR0 (*(volatile uint32_t*)0xE000E200u)
#define NVIC_IPR_BYTE(irq) (*(volatile uint8_t*)(0xE000E400u + (irq)))
#define EXTI0_IRQ 6u /* RM0090 Table 61 */

/* Naked: the handler is exactly these two instructions. MVN LR, #10 = 0xFFFFFFF5. */
__attribute__((naked)) void EXTI0_IRQHandler(void) {
    __asm volatile(
        "   mvn     lr, #10   \n"
        "   bx      lr        \n");
}

int main(void) {
    (void)clock_init();
    bsp_init();
    SCB_SHCSR |= SCB_SHCSR_USGFAULTENA;
    NVIC_IPR_BYTE(EXTI0_IRQ) = 0x80u;
    NVIC_ISER0 = 1u << EXTI0_IRQ;
    bsp_led_set(BSP_LED_GREEN, true);
    NVIC_ISPR0 = 1u << EXTI0_IRQ;
    __asm volatile("dsb\n\tisb" : : : "memory");
    for (;;) {
    }
}
