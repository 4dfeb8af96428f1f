/*
 * trace_itm.h - ITM stimulus port output (SWO printf) for ARMv7-M cores (Cortex-M3/M4/M7).
 *
 * The Instrumentation Trace Macrocell (ARMv7-M ARM C1.7) turns writes to its stimulus
 * ports into trace packets that a debug probe reads from the SWO pin. Architectural
 * registers only, the same addresses on every ARMv7-M core, so this file serves the F407
 * and a Cortex-M7 board alike; getting the packets out of the chip (the TPIU prescaler
 * and the SWO pin) is board business, see the board's swo.h.
 *
 * Works with and without a debugger having set the ITM up already: trace_itm_init()
 * only ever sets bits (DEMCR.TRCENA, TCR.ITMENA, TER bit), never clears what a debugger
 * configured, and writes wait for the port's FIFOREADY like every SWO driver does.
 */
#ifndef CMSIM_TRACE_ITM_H
#define CMSIM_TRACE_ITM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Enable the ITM and stimulus port `port` (0-31): DEMCR.TRCENA (ARMv7-M ARM C1.6.5),
 * unlock the ITM's software lock (LAR = 0xC5ACCE55, CoreSight), TCR.ITMENA (keeping a
 * debugger's TraceBusID, or 1 when none is set) and TER bit `port`. */
void trace_itm_init(unsigned port);

/* True when writes to stimulus port `port` reach the trace output (TRCENA, ITMENA and
 * the port's TER bit all set). */
int trace_itm_port_enabled(unsigned port);

/* Write one byte to stimulus port `port`, waiting for FIFOREADY first. Dropped (without
 * waiting) when the port is not enabled, so a board without a probe never hangs. */
void trace_itm_putc(unsigned port, char c);

/* trace_itm_putc() for `len` bytes. */
void trace_itm_write(unsigned port, const char* buf, uint32_t len);

#ifdef __cplusplus
}
#endif

#endif /* CMSIM_TRACE_ITM_H */
