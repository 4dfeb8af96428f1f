/*
 * trace_dwt.c - DWT cycle counter; see trace_dwt.h.
 *
 * References: ARMv7-M ARM (DDI 0403E) C1.6.5 DEMCR, C1.8.7 DWT_CTRL, C1.8.8 DWT_CYCCNT;
 * Cortex-M7 TRM (DDI 0489) 3.4 (DWT software lock).
 */
#include "trace_dwt.h"

/* clang-format off */
#define TRACE_REG32(addr)   (*(volatile uint32_t *)(addr))

#define DEMCR               TRACE_REG32(0xE000EDFCu)
#define DEMCR_TRCENA        (1u << 24)

#define DWT_BASE            0xE0001000u
#define DWT_CTRL            TRACE_REG32(DWT_BASE + 0x000u)
#define DWT_CTRL_CYCCNTENA  (1u << 0)
#define DWT_CYCCNT          TRACE_REG32(DWT_BASE + 0x004u)
#define DWT_LAR             TRACE_REG32(DWT_BASE + 0xFB0u)
#define DWT_LAR_KEY         0xC5ACCE55u
#define DWT_LSR             TRACE_REG32(DWT_BASE + 0xFB4u)
#define DWT_LSR_SLI         (1u << 0)                   /* a software lock exists */
#define DWT_LSR_SLK         (1u << 1)                   /* ... and is locked */
/* clang-format on */

void trace_dwt_cycles_init(void) {
    DEMCR |= DEMCR_TRCENA;
    /* CoreSight software lock: present (and locked at reset) on the Cortex-M7's DWT; the
     * Cortex-M4's DWT has none and LSR reads 0 there. */
    if ((DWT_LSR & (DWT_LSR_SLI | DWT_LSR_SLK)) == (DWT_LSR_SLI | DWT_LSR_SLK)) {
        DWT_LAR = DWT_LAR_KEY;
    }
    DWT_CYCCNT = 0u;
    DWT_CTRL |= DWT_CTRL_CYCCNTENA;
}

__attribute__((noinline)) uint32_t trace_dwt_cycles(void) {
    return DWT_CYCCNT;
}
