/*
 * clock.h - system clock setup for the STM32F407G-DISC1.
 */
#ifndef CMSIM_CLOCK_H
#define CMSIM_CLOCK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* HCLK (core / AHB clock) in Hz actually reached: 168000000 after a successful
 * clock_init(), 16000000 if it fell back to the HSI (also the value before clock_init()).
 * SysTick is programmed from this value. */
extern uint32_t g_system_core_clock;

/* Crystal and internal oscillator frequencies on this board (RM0090 6.2.1, 6.2.2;
 * the Discovery board has an 8 MHz crystal on OSC_IN/OSC_OUT, UM1472). */
#define CLOCK_HSE_HZ 8000000u
#define CLOCK_HSI_HZ 16000000u

/* Bound on every wait for a clock ready/status flag (polling iterations). About 30 ms
 * at the 16 MHz HSI the code runs on while waiting: HSE start-up is typically 2 ms. */
#define CLOCK_READY_TIMEOUT 100000u

/* Bring the system to 168 MHz from the 8 MHz HSE through the main PLL (see clock.c), or
 * stay on the 16 MHz HSI if the HSE or the PLL does not become ready in time. Sets
 * g_system_core_clock and returns it. */
uint32_t clock_init(void);

/* Recompute HCLK from the RCC registers (SWS, PLLCFGR, HPRE). */
uint32_t clock_hclk_from_registers(void);

#ifdef __cplusplus
}
#endif

#endif /* CMSIM_CLOCK_H */
