/*
 * swo.h - the SWO trace pin of the STM32F407 (PB3, TRACESWO) for ITM output.
 *
 * ITM packets leave the chip through the TPIU in asynchronous (SWO) mode. Usually the
 * debugger programs this when the user enables SWV/SWO; swo_init() does it from the
 * firmware for a probe that only listens, and leaves a debugger's set-up alone.
 */
#ifndef CMSIM_SWO_H
#define CMSIM_SWO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* SWO bit rate swo_init() programs unless a debugger already set one (2 MHz: an exact
 * divisor of 168 MHz, and the ST-LINK's default SWO clock). */
#define SWO_DEFAULT_HZ 2000000u

/* If the TPIU still has its reset configuration: DBGMCU_CR.TRACE_IOEN with asynchronous
 * trace (RM0090 38.16.3), TPIU NRZ (UART) protocol, formatter bypassed, prescaler for
 * `swo_hz` from the trace clock `hclk_hz` (Cortex-M4 TRM 11.2). Returns 1 if it
 * programmed the TPIU, 0 if a debugger had done so already. */
int swo_init(uint32_t hclk_hz, uint32_t swo_hz);

#ifdef __cplusplus
}
#endif

#endif /* CMSIM_SWO_H */
