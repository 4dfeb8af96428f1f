/*
 * clock.c - system clock setup for the NUCLEO-H723ZG (RM0468 section 6 "PWR", section 8
 * "RCC", section 4 "FLASH").
 *
 * Target clock tree:
 *
 *   HSE 8 MHz (ST-LINK MCO, bypass)
 *     -> PLLSRC = HSE, DIVM1 = 4        ref1_ck  = 2 MHz      (PLL1RGE = 01: 2-4 MHz)
 *     -> DIVN1 = 275 (or 260), FRACN1 = 0, wide VCO (PLL1VCOSEL = 0: 192-836 MHz)
 *                                       vco1_ck  = 550 (520) MHz
 *     -> DIVP1 = 1                      pll1_p_ck = 550 (520) MHz = sys_ck  (SW = PLL1)
 *        DIVQ1 = 4, DIVR1 = 2           outputs disabled (DIVQ1EN = DIVR1EN = 0): unused
 *   D1CPRE /1  -> sys_d1cpre_ck = 550 (520) MHz: Cortex-M7, SysTick
 *   HPRE   /2  -> rcc_hclk3     = 275 (260) MHz: AXI, AHB1-4
 *   D1PPRE /2, D2PPRE1 /2, D2PPRE2 /2, D3PPRE /2 -> APB1-4 = 137.5 (130) MHz
 *
 * 550 MHz needs the regulator in VOS0 and the CPUFREQ_BOOST option bit
 * (FLASH_OPTSR2_CUR); parts leave the factory with it cleared, and then VOS0 allows a
 * 520 MHz CPU clock (STM32H723 datasheet, general operating conditions). clock_init()
 * reads the option bit and picks DIVN1 = 275 or 260; everything else is the same (rcc_hclk3
 * 275 or 260 MHz, both <= 275 MHz: 3 flash wait states, WRHIGHFREQ = 11, RM0468 Table 16).
 *
 * Order (RM0468 6.4 / 8.5 / 4.3): supply (PWR_CR3, once after power-on) and ACTVOSRDY,
 * then VOS0 and VOSRDY, then HSE, PLL1, prescalers, flash wait states, and only then the
 * switch to PLL1. Every wait on a hardware flag is bounded (CLOCK_READY_TIMEOUT polls);
 * if one times out the system stays on (or returns to) the 64 MHz HSI and
 * g_system_core_clock reports what was really reached.
 */
#include "clock.h"

#include <stdbool.h>

#include "stm32h7_regs.h"

#define CLOCK_PLL1_DIVM 4u         /* 8 MHz / 4 = 2 MHz reference */
#define CLOCK_PLL1_DIVN_BOOST 275u /* x275: 550 MHz VCO */
#define CLOCK_PLL1_DIVN 260u       /* x260: 520 MHz VCO */
#define CLOCK_PLL1_DIVP 1u
#define CLOCK_PLL1_DIVQ 4u
#define CLOCK_PLL1_DIVR 2u

/* RM0468 Table 16 (VOS0): 3 wait states and programming delay 11 for a 210-275 MHz AXI
 * clock; 1 wait state / 01 covers the 64 MHz HSI at any voltage scale. */
#define CLOCK_FLASH_ACR_PLL (FLASH_ACR_LATENCY(3u) | FLASH_ACR_WRHIGHFREQ(3u))
#define CLOCK_FLASH_ACR_HSI (FLASH_ACR_LATENCY(1u) | FLASH_ACR_WRHIGHFREQ(1u))

/* Reset values: HSI 64 MHz, all prescalers /1. */
uint32_t g_system_core_clock = CLOCK_HSI_HZ;
uint32_t g_hclk = CLOCK_HSI_HZ;

/* Poll until (*reg & mask) == value, at most CLOCK_READY_TIMEOUT reads. */
static bool wait_for(volatile const uint32_t* reg, uint32_t mask, uint32_t value) {
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

/* Program FLASH_ACR and read it back until the new latency is in effect (RM0468 4.3: check
 * LATENCY by reading FLASH_ACR before changing the clock). */
static bool set_flash_acr(uint32_t acr) {
    FLASH->ACR = (FLASH->ACR & ~(FLASH_ACR_LATENCY_Msk | FLASH_ACR_WRHIGHFREQ_Msk)) | acr;
    return wait_for(&FLASH->ACR, FLASH_ACR_LATENCY_Msk | FLASH_ACR_WRHIGHFREQ_Msk, acr);
}

/* PWR_CR3 selects the VCORE supply once per power-on (SCUEN = 1 until the first write):
 * the NUCLEO-H723ZG supplies VCORE from the internal LDO (VCAP capacitors only). If some
 * earlier code already locked another configuration, it stays until the next power-on
 * and the voltage scale is not raised. */
static bool configure_supply_ldo(void) {
    uint32_t cr3 = PWR->CR3;
    if ((cr3 & PWR_CR3_SCUEN) != 0u) {
        PWR->CR3 = (cr3 & ~PWR_CR3_SUPPLY_Msk) | PWR_CR3_LDOEN;
    } else if ((cr3 & (PWR_CR3_LDOEN | PWR_CR3_BYPASS)) != PWR_CR3_LDOEN) {
        return false;
    }
    /* ACTVOSRDY: the regulator output matches the configuration (RM0468 6.8 PWR_CSR1). */
    return wait_for(&PWR->CSR1, PWR_CSR1_ACTVOSRDY, PWR_CSR1_ACTVOSRDY);
}

/* VOS0 (RM0468 6.8 PWR_D3CR): written directly on the H72x/73x, then wait until the
 * regulator has reached it (VOSRDY). Must precede any clock above the VOS3 limits. */
static bool set_voltage_scale0(void) {
    PWR->D3CR = (PWR->D3CR & ~PWR_D3CR_VOS_Msk) | PWR_D3CR_VOS0;
    if (!wait_for(&PWR->D3CR, PWR_D3CR_VOSRDY, PWR_D3CR_VOSRDY)) {
        return false;
    }
    return wait_for(&PWR->CSR1, PWR_CSR1_ACTVOSRDY, PWR_CSR1_ACTVOSRDY);
}

/* Return to the 64 MHz HSI: switch the system clock first, stop PLL1 and the HSE,
 * prescalers to /1 (64 MHz is within every limit at any voltage scale), and only then
 * lower the flash latency (RM0468 4.3: when decreasing the frequency, change the clock
 * first and the latency after). */
static void fall_back_to_hsi(void) {
    RCC->CR |= RCC_CR_HSION;
    (void)wait_for(&RCC->CR, RCC_CR_HSIRDY, RCC_CR_HSIRDY);
    set_sysclk_source(RCC_CFGR_SW_HSI);
    (void)wait_for(&RCC->CFGR, RCC_CFGR_SWS_Msk, RCC_CFGR_SWS_HSI);
    RCC->CR &= ~RCC_CR_PLL1ON;
    (void)wait_for(&RCC->CR, RCC_CR_PLL1RDY, 0u);
    RCC->CR &= ~RCC_CR_HSEON;
    RCC->D1CFGR =
        (RCC->D1CFGR & ~(RCC_D1CFGR_D1CPRE_Msk | RCC_D1CFGR_HPRE_Msk | RCC_D1CFGR_D1PPRE_Msk));
    RCC->D2CFGR = (RCC->D2CFGR & ~(RCC_D2CFGR_D2PPRE1_Msk | RCC_D2CFGR_D2PPRE2_Msk));
    RCC->D3CFGR = (RCC->D3CFGR & ~RCC_D3CFGR_D3PPRE_Msk);
    (void)set_flash_acr(CLOCK_FLASH_ACR_HSI);
}

static bool start_pll1_from_hse(uint32_t divn) {
    uint32_t cfg;

    /* 1. HSE in bypass: the ST-LINK's MCO is an external clock, not a crystal. HSEBYP may
     *    be written only while the HSE is off (RM0468 8.7 RCC_CR). */
    RCC->CR &= ~RCC_CR_HSEON;
    (void)wait_for(&RCC->CR, RCC_CR_HSERDY, 0u);
    RCC->CR |= RCC_CR_HSEBYP;
    RCC->CR |= RCC_CR_HSEON;
    if (!wait_for(&RCC->CR, RCC_CR_HSERDY, RCC_CR_HSERDY)) {
        return false;
    }

    /* 2. PLL1 configuration, only while PLL1 is off (RM0468 8.7: PLLCKSELR, PLLCFGR and
     *    PLL1DIVR are written with PLL1ON = 0). Source HSE, DIVM1 = 4: 2 MHz reference. */
    RCC->PLLCKSELR = (RCC->PLLCKSELR & ~(RCC_PLLCKSELR_PLLSRC_Msk | RCC_PLLCKSELR_DIVM1_Msk)) |
                     RCC_PLLCKSELR_PLLSRC_HSE | (CLOCK_PLL1_DIVM << RCC_PLLCKSELR_DIVM1_Pos);

    /*    Integer mode (FRACEN = 0, FRACN1 = 0), wide VCO, 2-4 MHz input range; only the P
     *    output is used. */
    cfg = RCC->PLLCFGR;
    cfg &= ~(RCC_PLLCFGR_PLL1FRACEN | RCC_PLLCFGR_PLL1VCOSEL | RCC_PLLCFGR_PLL1RGE_Msk |
             RCC_PLLCFGR_DIVQ1EN | RCC_PLLCFGR_DIVR1EN);
    cfg |= RCC_PLLCFGR_PLL1RGE_2_4 | RCC_PLLCFGR_DIVP1EN;
    RCC->PLLCFGR = cfg;
    RCC->PLL1FRACR = 0u;
    RCC->PLL1DIVR = ((divn - 1u) << RCC_PLL1DIVR_N1_Pos) |
                    ((CLOCK_PLL1_DIVP - 1u) << RCC_PLL1DIVR_P1_Pos) |
                    ((CLOCK_PLL1_DIVQ - 1u) << RCC_PLL1DIVR_Q1_Pos) |
                    ((CLOCK_PLL1_DIVR - 1u) << RCC_PLL1DIVR_R1_Pos);

    /* 3. PLL1 on, wait for lock. */
    RCC->CR |= RCC_CR_PLL1ON;
    return wait_for(&RCC->CR, RCC_CR_PLL1RDY, RCC_CR_PLL1RDY);
}

uint32_t clock_init(void) {
    bool ok;
    uint32_t divn;

    /* Known starting point: HSI on and the system clock (the reset state; a debugger or
     * bootloader may have left something else), PLL1 off. */
    RCC->CR |= RCC_CR_HSION;
    (void)wait_for(&RCC->CR, RCC_CR_HSIRDY, RCC_CR_HSIRDY);
    if ((RCC->CFGR & RCC_CFGR_SWS_Msk) != RCC_CFGR_SWS_HSI) {
        set_sysclk_source(RCC_CFGR_SW_HSI);
        (void)wait_for(&RCC->CFGR, RCC_CFGR_SWS_Msk, RCC_CFGR_SWS_HSI);
    }
    RCC->CR &= ~RCC_CR_PLL1ON;
    (void)wait_for(&RCC->CR, RCC_CR_PLL1RDY, 0u);

    /* 550 MHz only with the CPUFREQ_BOOST option bit, 520 MHz otherwise. */
    divn = (FLASH->OPTSR2_CUR & FLASH_OPTSR2_CPUFREQ_BOOST) != 0u ? CLOCK_PLL1_DIVN_BOOST
                                                                  : CLOCK_PLL1_DIVN;

    ok = configure_supply_ldo() && set_voltage_scale0() && start_pll1_from_hse(divn);

    if (ok) {
        /* Prescalers before the switch, so no bus ever exceeds its limit: D1CPRE /1,
         * HPRE /2, D1PPRE /2 (RM0468 8.7 RCC_D1CFGR); D2PPRE1 /2, D2PPRE2 /2 (RCC_D2CFGR);
         * D3PPRE /2 (RCC_D3CFGR). On the HSI that gives 64 / 32 / 16 MHz meanwhile. */
        RCC->D1CFGR =
            (RCC->D1CFGR & ~(RCC_D1CFGR_D1CPRE_Msk | RCC_D1CFGR_HPRE_Msk | RCC_D1CFGR_D1PPRE_Msk)) |
            (RCC_AHBPRE_DIV1 << RCC_D1CFGR_D1CPRE_Pos) | (RCC_AHBPRE_DIV2 << RCC_D1CFGR_HPRE_Pos) |
            (RCC_APBPRE_DIV2 << RCC_D1CFGR_D1PPRE_Pos);
        RCC->D2CFGR = (RCC->D2CFGR & ~(RCC_D2CFGR_D2PPRE1_Msk | RCC_D2CFGR_D2PPRE2_Msk)) |
                      (RCC_APBPRE_DIV2 << RCC_D2CFGR_D2PPRE1_Pos) |
                      (RCC_APBPRE_DIV2 << RCC_D2CFGR_D2PPRE2_Pos);
        RCC->D3CFGR =
            (RCC->D3CFGR & ~RCC_D3CFGR_D3PPRE_Msk) | (RCC_APBPRE_DIV2 << RCC_D3CFGR_D3PPRE_Pos);

        /* Flash wait states for the final AXI clock BEFORE raising it (RM0468 4.3, Table 16:
         * 3 WS and WRHIGHFREQ = 11 up to 275 MHz at VOS0). */
        ok = set_flash_acr(CLOCK_FLASH_ACR_PLL);
    }

    if (ok) {
        /* Switch the system clock to PLL1 and wait until SWS confirms it (RM0468 8.7
         * RCC_CFGR). */
        set_sysclk_source(RCC_CFGR_SW_PLL1);
        ok = wait_for(&RCC->CFGR, RCC_CFGR_SWS_Msk, RCC_CFGR_SWS_PLL1);
    }

    if (!ok) {
        fall_back_to_hsi();
    }

    g_system_core_clock = clock_cpu_hz_from_registers(&g_hclk);
    return g_system_core_clock;
}

/* D1CPRE/HPRE 1xxx: /2 /4 /8 /16 /64 /128 /256 /512 (there is no /32). */
static uint32_t ahb_prescaler_shift(uint32_t field) {
    static const uint8_t shift[8] = {1u, 2u, 3u, 4u, 6u, 7u, 8u, 9u};
    return (field & 0x8u) != 0u ? shift[field & 0x7u] : 0u;
}

uint32_t clock_cpu_hz_from_registers(uint32_t* hclk_out) {
    uint32_t cfgr = RCC->CFGR;
    uint32_t d1cfgr = RCC->D1CFGR;
    uint32_t sysclk;
    uint32_t cpu;

    switch (cfgr & RCC_CFGR_SWS_Msk) {
        case RCC_CFGR_SWS_CSI:
            sysclk = 4000000u;
            break;
        case RCC_CFGR_SWS_HSE:
            sysclk = CLOCK_HSE_HZ;
            break;
        case RCC_CFGR_SWS_PLL1: {
            uint32_t sel = RCC->PLLCKSELR;
            uint32_t divr = RCC->PLL1DIVR;
            uint32_t m = (sel & RCC_PLLCKSELR_DIVM1_Msk) >> RCC_PLLCKSELR_DIVM1_Pos;
            uint32_t n = ((divr & RCC_PLL1DIVR_N1_Msk) >> RCC_PLL1DIVR_N1_Pos) + 1u;
            uint32_t p = ((divr & RCC_PLL1DIVR_P1_Msk) >> RCC_PLL1DIVR_P1_Pos) + 1u;
            uint32_t frac =
                (RCC->PLLCFGR & RCC_PLLCFGR_PLL1FRACEN) != 0u
                    ? (RCC->PLL1FRACR & RCC_PLL1FRACR_FRACN1_Msk) >> RCC_PLL1FRACR_FRACN1_Pos
                    : 0u;
            uint32_t in;
            switch (sel & RCC_PLLCKSELR_PLLSRC_Msk) {
                case RCC_PLLCKSELR_PLLSRC_HSE:
                    in = CLOCK_HSE_HZ;
                    break;
                case RCC_PLLCKSELR_PLLSRC_CSI:
                    in = 4000000u;
                    break;
                default:
                    in = CLOCK_HSI_HZ >> ((RCC->CR & RCC_CR_HSIDIV_Msk) >> 3);
                    break;
            }
            if (m == 0u) {
                sysclk = CLOCK_HSI_HZ; /* DIVM1 = 0 gives no clock; should not happen */
            } else {
                /* vco = in / m * (n + frac / 8192), in 64 bits for the fractional part. */
                uint64_t vco =
                    ((uint64_t)in * ((uint64_t)n * 8192u + frac)) / ((uint64_t)m * 8192u);
                sysclk = (uint32_t)(vco / p);
            }
            break;
        }
        case RCC_CFGR_SWS_HSI:
        default:
            sysclk = CLOCK_HSI_HZ >> ((RCC->CR & RCC_CR_HSIDIV_Msk) >> 3);
            break;
    }

    cpu = sysclk >> ahb_prescaler_shift((d1cfgr & RCC_D1CFGR_D1CPRE_Msk) >> RCC_D1CFGR_D1CPRE_Pos);
    if (hclk_out != 0) {
        *hclk_out =
            cpu >> ahb_prescaler_shift((d1cfgr & RCC_D1CFGR_HPRE_Msk) >> RCC_D1CFGR_HPRE_Pos);
    }
    return cpu;
}
