/*
 * clock.c - system clock setup for the STM32F407G-DISC1 (RM0090 section 6 "RCC", 3.5
 * "Read interface", 5.4 "PWR").
 *
 * Target: 8 MHz HSE crystal -> main PLL: PLLM = 8 (1 MHz PLL input, RM0090 recommends
 * 2 MHz but requires 1-2 MHz), PLLN = 336 (VCO 336 MHz, within 100-432 MHz), PLLP = 2
 * (SYSCLK 168 MHz, the F407 maximum), PLLQ = 7 (48 MHz for USB OTG FS/SDIO/RNG).
 * AHB /1 (HCLK 168 MHz), APB1 /4 (42 MHz, max 42), APB2 /2 (84 MHz, max 84).
 *
 * Every wait on a hardware flag is bounded (CLOCK_READY_TIMEOUT polls); if the HSE or
 * the PLL never becomes ready the system stays on the 16 MHz HSI, and g_system_core_clock
 * reports what was really reached.
 */
#include "clock.h"

#include <stdbool.h>

#include "stm32f4_regs.h"

/* Flash wait states for 168 MHz at 2.7-3.6 V (RM0090 3.5.1 Table 10: 150 < HCLK <= 168
 * MHz needs 5 WS). 0 WS is enough for the 16 MHz HSI (HCLK <= 30 MHz). */
#define CLOCK_FLASH_WS_168MHZ 5u
#define CLOCK_FLASH_WS_HSI 0u

#define CLOCK_PLLM 8u
#define CLOCK_PLLN 336u
#define CLOCK_PLLP 2u
#define CLOCK_PLLQ 7u

/* Reset value of HCLK (HSI, AHB /1): what the core runs at before clock_init(). */
uint32_t g_system_core_clock = CLOCK_HSI_HZ;

/* Poll until (*reg & mask) == value, at most CLOCK_READY_TIMEOUT reads. */
static bool wait_for(volatile uint32_t* reg, uint32_t mask, uint32_t value) {
    uint32_t i;
    for (i = 0; i < CLOCK_READY_TIMEOUT; ++i) {
        if ((*reg & mask) == value) {
            return true;
        }
    }
    return false;
}

static void set_sysclk_source(uint32_t sw) {
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_SW_Msk) | sw;
}

/* Set the flash latency and caches, then read ACR back: RM0090 3.5.1 says to check the
 * new latency is taken into account by reading FLASH_ACR before changing the clock. */
static bool set_flash_latency(uint32_t ws) {
    FLASH->ACR = FLASH_ACR_LATENCY(ws) | FLASH_ACR_PRFTEN | FLASH_ACR_ICEN | FLASH_ACR_DCEN;
    return wait_for(&FLASH->ACR, FLASH_ACR_LATENCY_Msk, FLASH_ACR_LATENCY(ws));
}

/* Fall back to (or stay on) the 16 MHz HSI: switch SYSCLK to HSI, stop the PLL and the
 * HSE, prescalers /1 (16 MHz is within every bus limit), and only then lower the flash
 * latency (RM0090 3.5.1: when decreasing the frequency, change the clock first, the
 * latency after). */
static void fall_back_to_hsi(void) {
    set_sysclk_source(RCC_CFGR_SW_HSI);
    (void)wait_for(&RCC->CFGR, RCC_CFGR_SWS_Msk, RCC_CFGR_SWS_HSI);
    RCC->CR &= ~RCC_CR_PLLON;
    RCC->CR &= ~(RCC_CR_HSEON | RCC_CR_CSSON);
    RCC->CFGR = (RCC->CFGR & ~(RCC_CFGR_HPRE_Msk | RCC_CFGR_PPRE1_Msk | RCC_CFGR_PPRE2_Msk)) |
                RCC_CFGR_HPRE_DIV1 | RCC_CFGR_PPRE1_DIV1 | RCC_CFGR_PPRE2_DIV1;
    (void)set_flash_latency(CLOCK_FLASH_WS_HSI);
}

static bool start_pll_from_hse(void) {
    /* 1. HSE on, crystal mode: HSEBYP = 0 (it may only be written while the HSE is off,
     *    RM0090 7.3.1), then wait for HSERDY (RM0090 6.2.1). */
    RCC->CR &= ~RCC_CR_HSEBYP;
    RCC->CR |= RCC_CR_HSEON;
    if (!wait_for(&RCC->CR, RCC_CR_HSERDY, RCC_CR_HSERDY)) {
        return false;
    }

    /* 2. Regulator in Scale 1, required above 144 MHz (RM0090 5.1.3). PWR registers need
     *    the PWR interface clock; the read-back makes sure the clock is on before the PWR
     *    access (enable-to-access delay, ES0182 "delay after an RCC peripheral clock
     *    enabling"). Done while the PLL is off. */
    RCC->APB1ENR |= RCC_APB1ENR_PWREN;
    (void)RCC->APB1ENR;
    PWR->CR |= PWR_CR_VOS;

    /* 3. PLL configuration, only while the PLL is off (RM0090 7.3.2). Reserved bits of
     *    PLLCFGR keep their reset value. */
    RCC->PLLCFGR = (RCC->PLLCFGR & ~RCC_PLLCFGR_FIELDS_Msk) | (CLOCK_PLLM << RCC_PLLCFGR_PLLM_Pos) |
                   (CLOCK_PLLN << RCC_PLLCFGR_PLLN_Pos) |
                   (((CLOCK_PLLP / 2u) - 1u) << RCC_PLLCFGR_PLLP_Pos) | RCC_PLLCFGR_PLLSRC_HSE |
                   (CLOCK_PLLQ << RCC_PLLCFGR_PLLQ_Pos);

    /* 4. PLL on, wait for lock (RM0090 6.2.3). */
    RCC->CR |= RCC_CR_PLLON;
    return wait_for(&RCC->CR, RCC_CR_PLLRDY, RCC_CR_PLLRDY);
}

uint32_t clock_init(void) {
    bool ok;

    /* Known starting point: HSI on and selected, PLL off (reset state, but a debugger
     * or bootloader may have left something else running). */
    RCC->CR |= RCC_CR_HSION;
    (void)wait_for(&RCC->CR, RCC_CR_HSIRDY, RCC_CR_HSIRDY);
    if ((RCC->CFGR & RCC_CFGR_SWS_Msk) != RCC_CFGR_SWS_HSI) {
        set_sysclk_source(RCC_CFGR_SW_HSI);
        (void)wait_for(&RCC->CFGR, RCC_CFGR_SWS_Msk, RCC_CFGR_SWS_HSI);
    }
    RCC->CR &= ~RCC_CR_PLLON;
    (void)wait_for(&RCC->CR, RCC_CR_PLLRDY, 0u);

    ok = start_pll_from_hse();

    if (ok) {
        /* 5. Bus prescalers before the switch, so APB1/APB2 never exceed 42/84 MHz:
         *    AHB /1, APB1 /4, APB2 /2 (RM0090 7.3.3). */
        RCC->CFGR = (RCC->CFGR & ~(RCC_CFGR_HPRE_Msk | RCC_CFGR_PPRE1_Msk | RCC_CFGR_PPRE2_Msk)) |
                    RCC_CFGR_HPRE_DIV1 | RCC_CFGR_PPRE1_DIV4 | RCC_CFGR_PPRE2_DIV2;

        /* 6. Increase the flash latency BEFORE raising the clock (RM0090 3.5.1
         *    "Increasing the CPU frequency": program LATENCY, check it by reading ACR,
         *    then change the clock source), with prefetch and both caches on. */
        ok = set_flash_latency(CLOCK_FLASH_WS_168MHZ);
    }

    if (ok) {
        /* 7. Switch SYSCLK to the PLL and wait until SWS confirms it (RM0090 7.3.3). */
        set_sysclk_source(RCC_CFGR_SW_PLL);
        ok = wait_for(&RCC->CFGR, RCC_CFGR_SWS_Msk, RCC_CFGR_SWS_PLL);
    }

    if (!ok) {
        fall_back_to_hsi();
    }

    g_system_core_clock = clock_hclk_from_registers();
    return g_system_core_clock;
}

uint32_t clock_hclk_from_registers(void) {
    /* AHB prescaler shifts for HPRE = 1000b .. 1111b: /2 /4 /8 /16 /64 /128 /256 /512
     * (RM0090 7.3.3; there is no /32). */
    static const uint8_t hpre_shift[8] = {1u, 2u, 3u, 4u, 6u, 7u, 8u, 9u};
    uint32_t cfgr = RCC->CFGR;
    uint32_t sysclk;
    uint32_t hpre;

    switch (cfgr & RCC_CFGR_SWS_Msk) {
        case RCC_CFGR_SWS_HSE:
            sysclk = CLOCK_HSE_HZ;
            break;
        case RCC_CFGR_SWS_PLL: {
            uint32_t pllcfgr = RCC->PLLCFGR;
            uint32_t m = (pllcfgr & RCC_PLLCFGR_PLLM_Msk) >> RCC_PLLCFGR_PLLM_Pos;
            uint32_t n = (pllcfgr & RCC_PLLCFGR_PLLN_Msk) >> RCC_PLLCFGR_PLLN_Pos;
            uint32_t p = ((((pllcfgr & RCC_PLLCFGR_PLLP_Msk) >> RCC_PLLCFGR_PLLP_Pos) + 1u) * 2u);
            uint32_t in = (pllcfgr & RCC_PLLCFGR_PLLSRC_HSE) ? CLOCK_HSE_HZ : CLOCK_HSI_HZ;
            if (m == 0u) {
                sysclk = CLOCK_HSI_HZ; /* PLLM = 0 is invalid; should not happen */
            } else {
                /* Divide first to stay within 32 bits: f_in / PLLM is 1 MHz here. */
                sysclk = (in / m) * n / p;
            }
            break;
        }
        case RCC_CFGR_SWS_HSI:
        default:
            sysclk = CLOCK_HSI_HZ;
            break;
    }

    hpre = (cfgr & RCC_CFGR_HPRE_Msk) >> RCC_CFGR_HPRE_Pos;
    if (hpre & 0x8u) {
        sysclk >>= hpre_shift[hpre & 0x7u];
    }
    return sysclk;
}
