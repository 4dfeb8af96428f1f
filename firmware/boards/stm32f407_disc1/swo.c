/*
 * swo.c - SWO pin set-up on the STM32F407; see swo.h.
 *
 * References: RM0090 38.16.3 DBGMCU_CR (TRACE_IOEN, TRACE_MODE), 38.14 (TPIU);
 * Cortex-M4 TRM (DDI 0439) 11.2 TPIU registers; ARMv7-M ARM C1.10.
 */
#include "swo.h"

/* clang-format off */
#define SWO_REG32(addr)        (*(volatile uint32_t *)(addr))

#define DBGMCU_CR              SWO_REG32(0xE0042004u)
#define DBGMCU_CR_TRACE_IOEN   (1u << 5)
#define DBGMCU_CR_TRACE_MODE   (3u << 6)   /* 00: asynchronous, TRACESWO on PB3 only */

#define TPIU_BASE              0xE0040000u
#define TPIU_CSPSR             SWO_REG32(TPIU_BASE + 0x004u)  /* current port size */
#define TPIU_ACPR              SWO_REG32(TPIU_BASE + 0x010u)  /* SWO = TRACECLKIN / (ACPR + 1) */
#define TPIU_SPPR              SWO_REG32(TPIU_BASE + 0x0F0u)  /* 1 Manchester (reset), 2 NRZ */
#define TPIU_FFCR              SWO_REG32(TPIU_BASE + 0x304u)
#define TPIU_SPPR_MANCHESTER   1u
#define TPIU_SPPR_NRZ          2u
#define TPIU_FFCR_TRIGIN       (1u << 8)   /* formatter off (EnFCont = 0): ITM bytes as is */
/* clang-format on */

int swo_init(uint32_t hclk_hz, uint32_t swo_hz) {
    uint32_t prescaler;

    /* A debugger that set up SWO chose a protocol and a prescaler: keep its choice, or it
     * would no longer decode the stream. */
    if (TPIU_SPPR != TPIU_SPPR_MANCHESTER || TPIU_ACPR != 0u || swo_hz == 0u) {
        return 0;
    }
    prescaler = hclk_hz / swo_hz;
    if (prescaler == 0u) {
        prescaler = 1u;
    }
    /* Trace pins on, asynchronous mode: PB3 becomes TRACESWO. */
    DBGMCU_CR = (DBGMCU_CR & ~DBGMCU_CR_TRACE_MODE) | DBGMCU_CR_TRACE_IOEN;
    TPIU_CSPSR = 1u; /* port size 1 (required value in SWO mode) */
    TPIU_ACPR = prescaler - 1u;
    TPIU_SPPR = TPIU_SPPR_NRZ;
    TPIU_FFCR = TPIU_FFCR_TRIGIN;
    return 1;
}
