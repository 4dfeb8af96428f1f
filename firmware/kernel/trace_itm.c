/*
 * trace_itm.c - ITM stimulus port output; see trace_itm.h.
 *
 * References: ARMv7-M ARM (DDI 0403E) C1.6.5 DEMCR, C1.7 ITM; Cortex-M4 TRM (DDI 0439)
 * 11.3 ITM registers (TER, TPR, TCR, LAR, LSR).
 */
#include "trace_itm.h"

/* clang-format off */
#define TRACE_REG32(addr)   (*(volatile uint32_t *)(addr))
#define TRACE_REG8(addr)    (*(volatile uint8_t *)(addr))

#define DEMCR               TRACE_REG32(0xE000EDFCu)
#define DEMCR_TRCENA        (1u << 24)

#define ITM_BASE            0xE0000000u
#define ITM_STIM_ADDR(port) (ITM_BASE + 4u * (port))    /* stimulus port 0-31 */
#define ITM_STIM_FIFOREADY  (1u << 0)                   /* read: can take a write */
#define ITM_TER             TRACE_REG32(ITM_BASE + 0xE00u)
#define ITM_TCR             TRACE_REG32(ITM_BASE + 0xE80u)
#define ITM_TCR_ITMENA      (1u << 0)
#define ITM_TCR_TRACEBUSID  (0x7Fu << 16)
#define ITM_TCR_BUSID_1     (1u << 16)
#define ITM_LAR             TRACE_REG32(ITM_BASE + 0xFB0u)
#define ITM_LAR_KEY         0xC5ACCE55u                 /* CoreSight unlock key */
/* clang-format on */

void trace_itm_init(unsigned port) {
    uint32_t tcr;

    /* TRCENA powers the DWT and ITM; without it their registers do nothing. */
    DEMCR |= DEMCR_TRCENA;
    /* Software writes to TER/TPR/TCR are ignored while the ITM is locked (reset state on
     * Cortex-M3/M4); a debugger's accesses bypass the lock, ours do not. */
    ITM_LAR = ITM_LAR_KEY;
    tcr = ITM_TCR | ITM_TCR_ITMENA;
    if ((tcr & ITM_TCR_TRACEBUSID) == 0u) {
        tcr |= ITM_TCR_BUSID_1; /* ATB ID 0 is reserved: use 1 unless a debugger chose one */
    }
    ITM_TCR = tcr;
    ITM_TER |= 1u << (port & 31u);
}

int trace_itm_port_enabled(unsigned port) {
    return (DEMCR & DEMCR_TRCENA) != 0u && (ITM_TCR & ITM_TCR_ITMENA) != 0u &&
           (ITM_TER & (1u << (port & 31u))) != 0u;
}

/* FIFOREADY: the port can take another write (C1.7.2). A byte-wide write sends a
 * one-byte packet. */
static void itm_send_byte(uint32_t stim, char c) {
    while ((TRACE_REG32(stim) & ITM_STIM_FIFOREADY) == 0u) {
    }
    TRACE_REG8(stim) = (uint8_t)c;
}

void trace_itm_putc(unsigned port, char c) {
    if (trace_itm_port_enabled(port)) {
        itm_send_byte(ITM_STIM_ADDR(port & 31u), c);
    }
}

void trace_itm_write(unsigned port, const char* buf, uint32_t len) {
    const uint32_t stim = ITM_STIM_ADDR(port & 31u);
    uint32_t i;

    if (!trace_itm_port_enabled(port)) {
        return;
    }
    for (i = 0; i < len; ++i) {
        itm_send_byte(stim, buf[i]);
    }
}
