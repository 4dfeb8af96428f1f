/*
 * trace_dwt.h - the DWT cycle counter (CYCCNT) for ARMv7-M cores (Cortex-M3/M4/M7).
 *
 * CYCCNT (ARMv7-M ARM C1.8) counts processor clock cycles while DEMCR.TRCENA and
 * DWT_CTRL.CYCCNTENA are set. It is 32 bits wide and wraps (25.6 s at 168 MHz); the
 * difference of two readings taken as uint32_t is correct across one wrap.
 */
#ifndef CMSIM_TRACE_DWT_H
#define CMSIM_TRACE_DWT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Set DEMCR.TRCENA, unlock the DWT if it has a software lock (Cortex-M7), zero CYCCNT
 * and start it (CTRL.CYCCNTENA). Other DWT_CTRL bits are kept. */
void trace_dwt_cycles_init(void);

/* Current CYCCNT. Deliberately an out-of-line function: every reading then runs the
 * same instructions around the load, so the difference of two readings is exactly the
 * cycles between the two calls, without depending on how the compiler schedules an
 * inlined load into the surrounding code. */
uint32_t trace_dwt_cycles(void);

#ifdef __cplusplus
}
#endif

#endif /* CMSIM_TRACE_DWT_H */
