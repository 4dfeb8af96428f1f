/*
 * clock.h - system clock setup for the NUCLEO-H723ZG (STM32H723ZG).
 */
#ifndef CMSIM_CLOCK_H
#define CMSIM_CLOCK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* CPU clock (sys_d1cpre_ck: the Cortex-M7 and its SysTick) in Hz actually reached:
 * 550000000 or 520000000 after a successful clock_init() (see clock.c), 64000000 on the
 * HSI fallback (also the value before clock_init()). SysTick is programmed from it. */
extern uint32_t g_system_core_clock;

/* AXI/AHB clock (rcc_hclk3) in Hz: the CPU clock / HPRE. */
extern uint32_t g_hclk;

/* Oscillators: the board's HSE is the 8 MHz MCO output of the on-board ST-LINK, an
 * external clock (HSE bypass; UM2407 "HSE clock"); the HSI is 64 MHz (RM0468 8.5). */
#define CLOCK_HSE_HZ 8000000u
#define CLOCK_HSI_HZ 64000000u

/* Bound on every wait for a ready/status flag (polling iterations): roughly 10 ms at the
 * 64 MHz HSI the code runs on while waiting; the slowest step (PLL lock) takes < 200 µs. */
#define CLOCK_READY_TIMEOUT 200000u

/* Bring the CPU to 550 MHz (520 MHz without the CPUFREQ_BOOST option bit) from the 8 MHz
 * HSE through PLL1, or stay on the 64 MHz HSI if the supply, the HSE or PLL1 does not
 * become ready in time. Sets g_system_core_clock and g_hclk and returns the CPU clock. */
uint32_t clock_init(void);

/* Recompute the CPU clock and the AXI/AHB clock from the RCC registers. */
uint32_t clock_cpu_hz_from_registers(uint32_t* hclk_out);

#ifdef __cplusplus
}
#endif

#endif /* CMSIM_CLOCK_H */
