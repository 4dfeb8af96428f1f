/*
 * stm32f4_regs.h - the project's own register definitions for the STM32F405/407
 * (only what the cmsim firmware uses; no vendor HAL/CMSIS headers).
 *
 * References:
 *   RM0090 = ST RM0090 Rev 19, STM32F405/415, STM32F407/417, STM32F427/437 and
 *            STM32F429/439 reference manual
 *   PM0214 = ST PM0214, STM32 Cortex-M4 programming manual
 *   ARMv7-M ARM = ARM DDI 0403E
 *
 * Each block is a struct laid out exactly like the hardware, with offsets checked by
 * static assertions below, plus bit definitions for the fields we touch.
 */
#ifndef CMSIM_STM32F4_REGS_H
#define CMSIM_STM32F4_REGS_H

#include <stddef.h>
#include <stdint.h>

/* clang-format off */
#define REG_RW volatile uint32_t
#define REG_RO volatile const uint32_t

/* ---- memory map (RM0090 2.3, Table 1) ----------------------------------------------- */
#define PERIPH_BASE      0x40000000u
#define APB1_BASE        (PERIPH_BASE + 0x00000000u)
#define AHB1_BASE        (PERIPH_BASE + 0x00020000u)

#define PWR_BASE         (APB1_BASE + 0x7000u)   /* 0x40007000 */
#define GPIOA_BASE       (AHB1_BASE + 0x0000u)   /* 0x40020000 */
#define GPIOD_BASE       (AHB1_BASE + 0x0C00u)   /* 0x40020C00 */
#define RCC_BASE         (AHB1_BASE + 0x3800u)   /* 0x40023800 */
#define FLASH_R_BASE     (AHB1_BASE + 0x3C00u)   /* 0x40023C00, flash interface registers */

#define SCS_BASE         0xE000E000u             /* System Control Space (PM0214 4.1) */
#define SYSTICK_BASE     (SCS_BASE + 0x0010u)    /* 0xE000E010 */
#define NVIC_BASE        (SCS_BASE + 0x0100u)    /* 0xE000E100 */
#define SCB_BASE         (SCS_BASE + 0x0D00u)    /* 0xE000ED00 */
#define SCB_CPACR_ADDR   (SCS_BASE + 0x0D88u)    /* 0xE000ED88 */

/* ---- RCC (RM0090 7.3, register map 7.3.24) ------------------------------------------ */
typedef struct {
    REG_RW CR;          /* 0x00 clock control */
    REG_RW PLLCFGR;     /* 0x04 PLL configuration */
    REG_RW CFGR;        /* 0x08 clock configuration */
    REG_RW CIR;         /* 0x0C clock interrupt */
    REG_RW AHB1RSTR;    /* 0x10 */
    REG_RW AHB2RSTR;    /* 0x14 */
    REG_RW AHB3RSTR;    /* 0x18 */
    uint32_t reserved0; /* 0x1C */
    REG_RW APB1RSTR;    /* 0x20 */
    REG_RW APB2RSTR;    /* 0x24 */
    uint32_t reserved1[2]; /* 0x28, 0x2C */
    REG_RW AHB1ENR;     /* 0x30 */
    REG_RW AHB2ENR;     /* 0x34 */
    REG_RW AHB3ENR;     /* 0x38 */
    uint32_t reserved2; /* 0x3C */
    REG_RW APB1ENR;     /* 0x40 */
    REG_RW APB2ENR;     /* 0x44 */
    uint32_t reserved3[2]; /* 0x48, 0x4C */
    REG_RW AHB1LPENR;   /* 0x50 */
    REG_RW AHB2LPENR;   /* 0x54 */
    REG_RW AHB3LPENR;   /* 0x58 */
    uint32_t reserved4; /* 0x5C */
    REG_RW APB1LPENR;   /* 0x60 */
    REG_RW APB2LPENR;   /* 0x64 */
    uint32_t reserved5[2]; /* 0x68, 0x6C */
    REG_RW BDCR;        /* 0x70 */
    REG_RW CSR;         /* 0x74 */
    uint32_t reserved6[2]; /* 0x78, 0x7C */
    REG_RW SSCGR;       /* 0x80 */
    REG_RW PLLI2SCFGR;  /* 0x84 */
} rcc_regs_t;

#define RCC ((rcc_regs_t *)RCC_BASE)

/* RCC_CR (RM0090 7.3.1) */
#define RCC_CR_HSION        (1u << 0)
#define RCC_CR_HSIRDY       (1u << 1)
#define RCC_CR_HSEON        (1u << 16)
#define RCC_CR_HSERDY       (1u << 17)
#define RCC_CR_HSEBYP       (1u << 18)
#define RCC_CR_CSSON        (1u << 19)
#define RCC_CR_PLLON        (1u << 24)
#define RCC_CR_PLLRDY       (1u << 25)

/* RCC_PLLCFGR (RM0090 7.3.2). f_VCO = f_in * PLLN / PLLM, SYSCLK = f_VCO / PLLP,
 * USB/SDIO = f_VCO / PLLQ. PLLP field: 00 = /2, 01 = /4, 10 = /6, 11 = /8. */
#define RCC_PLLCFGR_PLLM_Pos    0u
#define RCC_PLLCFGR_PLLM_Msk    (0x3Fu << RCC_PLLCFGR_PLLM_Pos)
#define RCC_PLLCFGR_PLLN_Pos    6u
#define RCC_PLLCFGR_PLLN_Msk    (0x1FFu << RCC_PLLCFGR_PLLN_Pos)
#define RCC_PLLCFGR_PLLP_Pos    16u
#define RCC_PLLCFGR_PLLP_Msk    (0x3u << RCC_PLLCFGR_PLLP_Pos)
#define RCC_PLLCFGR_PLLSRC_HSE  (1u << 22)
#define RCC_PLLCFGR_PLLQ_Pos    24u
#define RCC_PLLCFGR_PLLQ_Msk    (0xFu << RCC_PLLCFGR_PLLQ_Pos)
#define RCC_PLLCFGR_FIELDS_Msk  (RCC_PLLCFGR_PLLM_Msk | RCC_PLLCFGR_PLLN_Msk | \
                                 RCC_PLLCFGR_PLLP_Msk | RCC_PLLCFGR_PLLSRC_HSE | \
                                 RCC_PLLCFGR_PLLQ_Msk)

/* RCC_CFGR (RM0090 7.3.3) */
#define RCC_CFGR_SW_Pos         0u
#define RCC_CFGR_SW_Msk         (0x3u << RCC_CFGR_SW_Pos)
#define RCC_CFGR_SW_HSI         (0x0u << RCC_CFGR_SW_Pos)
#define RCC_CFGR_SW_HSE         (0x1u << RCC_CFGR_SW_Pos)
#define RCC_CFGR_SW_PLL         (0x2u << RCC_CFGR_SW_Pos)
#define RCC_CFGR_SWS_Pos        2u
#define RCC_CFGR_SWS_Msk        (0x3u << RCC_CFGR_SWS_Pos)
#define RCC_CFGR_SWS_HSI        (0x0u << RCC_CFGR_SWS_Pos)
#define RCC_CFGR_SWS_HSE        (0x1u << RCC_CFGR_SWS_Pos)
#define RCC_CFGR_SWS_PLL        (0x2u << RCC_CFGR_SWS_Pos)
#define RCC_CFGR_HPRE_Pos       4u   /* AHB prescaler: 0xxx = /1, 1000 = /2 ... 1111 = /512 */
#define RCC_CFGR_HPRE_Msk       (0xFu << RCC_CFGR_HPRE_Pos)
#define RCC_CFGR_HPRE_DIV1      (0x0u << RCC_CFGR_HPRE_Pos)
#define RCC_CFGR_PPRE1_Pos      10u  /* APB1 prescaler: 0xx = /1, 100 = /2, 101 = /4 ... */
#define RCC_CFGR_PPRE1_Msk      (0x7u << RCC_CFGR_PPRE1_Pos)
#define RCC_CFGR_PPRE1_DIV1     (0x0u << RCC_CFGR_PPRE1_Pos)
#define RCC_CFGR_PPRE1_DIV4     (0x5u << RCC_CFGR_PPRE1_Pos)
#define RCC_CFGR_PPRE2_Pos      13u  /* APB2 prescaler, same encoding */
#define RCC_CFGR_PPRE2_Msk      (0x7u << RCC_CFGR_PPRE2_Pos)
#define RCC_CFGR_PPRE2_DIV1     (0x0u << RCC_CFGR_PPRE2_Pos)
#define RCC_CFGR_PPRE2_DIV2     (0x4u << RCC_CFGR_PPRE2_Pos)

/* RCC_AHB1ENR (RM0090 7.3.10) */
#define RCC_AHB1ENR_GPIOAEN     (1u << 0)
#define RCC_AHB1ENR_GPIODEN     (1u << 3)

/* RCC_APB1ENR (RM0090 7.3.13) */
#define RCC_APB1ENR_PWREN       (1u << 28)

/* ---- PWR (RM0090 5.4) ---------------------------------------------------------------- */
typedef struct {
    REG_RW CR;  /* 0x00 */
    REG_RW CSR; /* 0x04 */
} pwr_regs_t;

#define PWR ((pwr_regs_t *)PWR_BASE)

/* PWR_CR VOS (RM0090 5.4.1, STM32F405/407: one bit): 1 = Scale 1 (needed for 168 MHz),
 * 0 = Scale 2. Reset value is 1. Program it while the PLL is still off (on the F42x/43x
 * the field is only writable then, and the new scale takes effect when the PLL starts). */
#define PWR_CR_VOS              (1u << 14)
#define PWR_CSR_VOSRDY          (1u << 14)

/* ---- FLASH interface (RM0090 3.8) ---------------------------------------------------- */
typedef struct {
    REG_RW ACR;     /* 0x00 access control */
    REG_RW KEYR;    /* 0x04 */
    REG_RW OPTKEYR; /* 0x08 */
    REG_RW SR;      /* 0x0C */
    REG_RW CR;      /* 0x10 */
    REG_RW OPTCR;   /* 0x14 */
} flash_regs_t;

#define FLASH ((flash_regs_t *)FLASH_R_BASE)

/* FLASH_ACR (RM0090 3.9.1) */
#define FLASH_ACR_LATENCY_Pos   0u
#define FLASH_ACR_LATENCY_Msk   (0x7u << FLASH_ACR_LATENCY_Pos)
#define FLASH_ACR_LATENCY(ws)   ((uint32_t)(ws) << FLASH_ACR_LATENCY_Pos)
#define FLASH_ACR_PRFTEN        (1u << 8)
#define FLASH_ACR_ICEN          (1u << 9)
#define FLASH_ACR_DCEN          (1u << 10)
#define FLASH_ACR_ICRST         (1u << 11)
#define FLASH_ACR_DCRST         (1u << 12)

/* ---- GPIO (RM0090 8.4) ---------------------------------------------------------------- */
typedef struct {
    REG_RW MODER;   /* 0x00 mode: 00 input, 01 output, 10 AF, 11 analog (2 bits/pin) */
    REG_RW OTYPER;  /* 0x04 output type: 0 push-pull, 1 open-drain */
    REG_RW OSPEEDR; /* 0x08 */
    REG_RW PUPDR;   /* 0x0C */
    REG_RO IDR;     /* 0x10 */
    REG_RW ODR;     /* 0x14 */
    REG_RW BSRR;    /* 0x18 write-only: bits 0-15 set, bits 16-31 reset (set wins) */
    REG_RW LCKR;    /* 0x1C */
    REG_RW AFR[2];  /* 0x20 AFRL, 0x24 AFRH */
} gpio_regs_t;

#define GPIOA ((gpio_regs_t *)GPIOA_BASE)
#define GPIOD ((gpio_regs_t *)GPIOD_BASE)

#define GPIO_MODER_INPUT        0x0u
#define GPIO_MODER_OUTPUT       0x1u
#define GPIO_MODER_AF           0x2u
#define GPIO_MODER_ANALOG       0x3u

/* ---- SysTick (ARMv7-M ARM B3.3, PM0214 4.5) --------------------------------------- */
typedef struct {
    REG_RW CSR;   /* 0x00 control and status (STK_CTRL) */
    REG_RW RVR;   /* 0x04 reload value (STK_LOAD), 24 bits */
    REG_RW CVR;   /* 0x08 current value (STK_VAL) */
    REG_RO CALIB; /* 0x0C calibration */
} systick_regs_t;

#define SYSTICK ((systick_regs_t *)SYSTICK_BASE)

#define SYSTICK_CSR_ENABLE      (1u << 0)
#define SYSTICK_CSR_TICKINT     (1u << 1)
#define SYSTICK_CSR_CLKSOURCE   (1u << 2)
#define SYSTICK_CSR_COUNTFLAG   (1u << 16)

/* ---- NVIC (ARMv7-M ARM B3.4, PM0214 4.3) ------------------------------------------ */
typedef struct {
    REG_RW ISER[8];          /* 0x000 set-enable */
    uint32_t reserved0[24];
    REG_RW ICER[8];          /* 0x080 clear-enable */
    uint32_t reserved1[24];
    REG_RW ISPR[8];          /* 0x100 set-pending */
    uint32_t reserved2[24];
    REG_RW ICPR[8];          /* 0x180 clear-pending */
    uint32_t reserved3[24];
    REG_RW IABR[8];          /* 0x200 active bit */
    uint32_t reserved4[56];
    volatile uint8_t IPR[240]; /* 0x300 priority, one byte per IRQ (top 4 bits implemented) */
} nvic_regs_t;

#define NVIC ((nvic_regs_t *)NVIC_BASE)
#define NVIC_STIR (*(REG_RW *)(SCS_BASE + 0x0F00u)) /* software trigger, 0xE000EF00 */

/* STM32F4 implements 4 priority bits (PM0214 4.3.7). */
#define NVIC_PRIO_BITS 4u

/* ---- SCB (ARMv7-M ARM B3.2, PM0214 4.4) ------------------------------------------- */
typedef struct {
    REG_RO CPUID; /* 0x00 */
    REG_RW ICSR;  /* 0x04 interrupt control and state */
    REG_RW VTOR;  /* 0x08 vector table offset */
    REG_RW AIRCR; /* 0x0C */
    REG_RW SCR;   /* 0x10 */
    REG_RW CCR;   /* 0x14 */
    REG_RW SHPR[3]; /* 0x18 SHPR1, 0x1C SHPR2, 0x20 SHPR3 */
    REG_RW SHCSR; /* 0x24 */
    REG_RW CFSR;  /* 0x28 */
    REG_RW HFSR;  /* 0x2C */
    REG_RW DFSR;  /* 0x30 */
    REG_RW MMFAR; /* 0x34 */
    REG_RW BFAR;  /* 0x38 */
    REG_RW AFSR;  /* 0x3C */
} scb_regs_t;

#define SCB ((scb_regs_t *)SCB_BASE)
#define SCB_CPACR (*(REG_RW *)SCB_CPACR_ADDR)

#define SCB_ICSR_PENDSVSET      (1u << 28)
#define SCB_ICSR_PENDSVCLR      (1u << 27)
#define SCB_ICSR_PENDSTSET      (1u << 26)
#define SCB_CCR_STKALIGN        (1u << 9)

/* CPACR (ARMv7-M ARM B3.2.20, PM0214 4.6.1): CP10 bits [21:20], CP11 bits [23:22];
 * 0b11 = full access. Both must be set the same to use the FPU. */
#define SCB_CPACR_CP10_CP11_FULL (0xFu << 20)

/* SHPR3 fields (PM0214 4.4.8) */
#define SCB_SHPR3_PRI_PENDSV_Pos  16u
#define SCB_SHPR3_PRI_SYSTICK_Pos 24u

/* clang-format on */

/* ---- layout checks ------------------------------------------------------------------ */
_Static_assert(offsetof(rcc_regs_t, PLLCFGR) == 0x04u, "RCC_PLLCFGR offset");
_Static_assert(offsetof(rcc_regs_t, CFGR) == 0x08u, "RCC_CFGR offset");
_Static_assert(offsetof(rcc_regs_t, AHB1ENR) == 0x30u, "RCC_AHB1ENR offset");
_Static_assert(offsetof(rcc_regs_t, APB1ENR) == 0x40u, "RCC_APB1ENR offset");
_Static_assert(offsetof(rcc_regs_t, BDCR) == 0x70u, "RCC_BDCR offset");
_Static_assert(offsetof(rcc_regs_t, PLLI2SCFGR) == 0x84u, "RCC_PLLI2SCFGR offset");
_Static_assert(offsetof(gpio_regs_t, BSRR) == 0x18u, "GPIO_BSRR offset");
_Static_assert(offsetof(gpio_regs_t, AFR) == 0x20u, "GPIO_AFRL offset");
_Static_assert(offsetof(flash_regs_t, OPTCR) == 0x14u, "FLASH_OPTCR offset");
_Static_assert(offsetof(nvic_regs_t, ICER) == 0x80u, "NVIC_ICER offset");
_Static_assert(offsetof(nvic_regs_t, IABR) == 0x200u, "NVIC_IABR offset");
_Static_assert(offsetof(nvic_regs_t, IPR) == 0x300u, "NVIC_IPR offset");
_Static_assert(offsetof(scb_regs_t, SHPR) == 0x18u, "SCB_SHPR1 offset");
_Static_assert(offsetof(scb_regs_t, AFSR) == 0x3Cu, "SCB_AFSR offset");

#endif /* CMSIM_STM32F4_REGS_H */
