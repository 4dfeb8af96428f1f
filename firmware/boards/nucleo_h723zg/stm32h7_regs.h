/*
 * stm32h7_regs.h - the project's own register definitions for the STM32H723/733 (only
 * what the cmsim firmware uses; no vendor HAL/CMSIS headers).
 *
 * References:
 *   RM0468 = ST RM0468 Rev 3, STM32H723/733, STM32H725/735 and STM32H730 reference manual
 *   PM0253 = ST PM0253, STM32F7 and STM32H7 Cortex-M7 programming manual
 *   ARMv7-M ARM = ARM DDI 0403E
 *
 * Each block is a struct laid out exactly like the hardware, with offsets checked by
 * static assertions below, plus bit definitions for the fields we touch.
 */
#ifndef CMSIM_STM32H7_REGS_H
#define CMSIM_STM32H7_REGS_H

#include <stddef.h>
#include <stdint.h>

/* clang-format off */
#define REG_RW volatile uint32_t
#define REG_RO volatile const uint32_t

/* ---- memory map (RM0468 2.3, register boundary addresses) ---------------------------- */
#define D1_AHB1PERIPH_BASE 0x52000000u           /* D1 domain AHB3 */
#define D3_AHB1PERIPH_BASE 0x58020000u           /* D3 domain AHB4 */

#define FLASH_R_BASE     (D1_AHB1PERIPH_BASE + 0x2000u)  /* 0x52002000 flash interface */
#define GPIOA_BASE       (D3_AHB1PERIPH_BASE + 0x0000u)  /* 0x58020000 */
#define GPIOB_BASE       (D3_AHB1PERIPH_BASE + 0x0400u)  /* 0x58020400 */
#define GPIOE_BASE       (D3_AHB1PERIPH_BASE + 0x1000u)  /* 0x58021000 */
#define RCC_BASE         (D3_AHB1PERIPH_BASE + 0x4400u)  /* 0x58024400 */
#define PWR_BASE         (D3_AHB1PERIPH_BASE + 0x4800u)  /* 0x58024800 */

#define SCS_BASE         0xE000E000u             /* System Control Space (PM0253 4.1) */
#define SCB_BASE         (SCS_BASE + 0x0D00u)    /* 0xE000ED00 */
#define SCB_CPACR_ADDR   (SCS_BASE + 0x0D88u)    /* 0xE000ED88 */

/* ---- RCC (RM0468 8.7, register map at the end of the section) ------------------------ */
typedef struct {
    REG_RW CR;           /* 0x000 source control */
    REG_RW HSICFGR;      /* 0x004 */
    REG_RO CRRCR;        /* 0x008 */
    REG_RW CSICFGR;      /* 0x00C */
    REG_RW CFGR;         /* 0x010 clock configuration */
    uint32_t reserved0;  /* 0x014 */
    REG_RW D1CFGR;       /* 0x018 D1 domain clock configuration (D1CPRE, HPRE, D1PPRE) */
    REG_RW D2CFGR;       /* 0x01C D2 domain (D2PPRE1, D2PPRE2) */
    REG_RW D3CFGR;       /* 0x020 D3 domain (D3PPRE) */
    uint32_t reserved1;  /* 0x024 */
    REG_RW PLLCKSELR;    /* 0x028 PLL clock source selection (PLLSRC, DIVM1..3) */
    REG_RW PLLCFGR;      /* 0x02C PLL configuration (FRACEN, VCOSEL, RGE, DIVxyEN) */
    REG_RW PLL1DIVR;     /* 0x030 PLL1 dividers (N, P, Q, R) */
    REG_RW PLL1FRACR;    /* 0x034 PLL1 fractional divider */
    REG_RW PLL2DIVR;     /* 0x038 */
    REG_RW PLL2FRACR;    /* 0x03C */
    REG_RW PLL3DIVR;     /* 0x040 */
    REG_RW PLL3FRACR;    /* 0x044 */
    uint32_t reserved2;  /* 0x048 */
    REG_RW D1CCIPR;      /* 0x04C */
    REG_RW D2CCIP1R;     /* 0x050 */
    REG_RW D2CCIP2R;     /* 0x054 */
    REG_RW D3CCIPR;      /* 0x058 */
    uint32_t reserved3;  /* 0x05C */
    REG_RW CIER;         /* 0x060 */
    REG_RO CIFR;         /* 0x064 */
    REG_RW CICR;         /* 0x068 */
    uint32_t reserved4;  /* 0x06C */
    REG_RW BDCR;         /* 0x070 */
    REG_RW CSR;          /* 0x074 */
    uint32_t reserved5;  /* 0x078 */
    REG_RW AHB3RSTR;     /* 0x07C */
    REG_RW AHB1RSTR;     /* 0x080 */
    REG_RW AHB2RSTR;     /* 0x084 */
    REG_RW AHB4RSTR;     /* 0x088 */
    REG_RW APB3RSTR;     /* 0x08C */
    REG_RW APB1LRSTR;    /* 0x090 */
    REG_RW APB1HRSTR;    /* 0x094 */
    REG_RW APB2RSTR;     /* 0x098 */
    REG_RW APB4RSTR;     /* 0x09C */
    REG_RW GCR;          /* 0x0A0 */
    uint32_t reserved6;  /* 0x0A4 */
    REG_RW D3AMR;        /* 0x0A8 */
    uint32_t reserved7[9]; /* 0x0AC - 0x0CC */
    REG_RW RSR;          /* 0x0D0 reset status */
    REG_RW AHB3ENR;      /* 0x0D4 */
    REG_RW AHB1ENR;      /* 0x0D8 */
    REG_RW AHB2ENR;      /* 0x0DC */
    REG_RW AHB4ENR;      /* 0x0E0 GPIOAEN..GPIOKEN, ... */
    REG_RW APB3ENR;      /* 0x0E4 */
    REG_RW APB1LENR;     /* 0x0E8 */
    REG_RW APB1HENR;     /* 0x0EC */
    REG_RW APB2ENR;      /* 0x0F0 */
    REG_RW APB4ENR;      /* 0x0F4 */
} rcc_regs_t;

#define RCC ((rcc_regs_t *)RCC_BASE)

/* RCC_CR */
#define RCC_CR_HSION        (1u << 0)
#define RCC_CR_HSIRDY       (1u << 2)
#define RCC_CR_HSIDIV_Msk   (3u << 3)
#define RCC_CR_HSIDIVF      (1u << 5)
#define RCC_CR_HSEON        (1u << 16)
#define RCC_CR_HSERDY       (1u << 17)
#define RCC_CR_HSEBYP       (1u << 18)
#define RCC_CR_PLL1ON       (1u << 24)
#define RCC_CR_PLL1RDY      (1u << 25)

/* RCC_CFGR: SW[2:0] and SWS[5:3], 000 HSI, 001 CSI, 010 HSE, 011 PLL1 */
#define RCC_CFGR_SW_Msk     (7u << 0)
#define RCC_CFGR_SWS_Msk    (7u << 3)
#define RCC_CFGR_SW_HSI     (0u << 0)
#define RCC_CFGR_SW_PLL1    (3u << 0)
#define RCC_CFGR_SWS_HSI    (0u << 3)
#define RCC_CFGR_SWS_HSE    (2u << 3)
#define RCC_CFGR_SWS_CSI    (1u << 3)
#define RCC_CFGR_SWS_PLL1   (3u << 3)

/* RCC_D1CFGR / D2CFGR / D3CFGR. AHB-type prescalers (D1CPRE, HPRE): 0xxx /1, 1000 /2,
 * 1001 /4 ...; APB-type (D1PPRE, D2PPRE1/2, D3PPRE): 0xx /1, 100 /2, 101 /4 ... */
#define RCC_D1CFGR_HPRE_Pos     0u
#define RCC_D1CFGR_HPRE_Msk     (0xFu << RCC_D1CFGR_HPRE_Pos)
#define RCC_D1CFGR_D1PPRE_Pos   4u
#define RCC_D1CFGR_D1PPRE_Msk   (0x7u << RCC_D1CFGR_D1PPRE_Pos)
#define RCC_D1CFGR_D1CPRE_Pos   8u
#define RCC_D1CFGR_D1CPRE_Msk   (0xFu << RCC_D1CFGR_D1CPRE_Pos)
#define RCC_D2CFGR_D2PPRE1_Pos  4u
#define RCC_D2CFGR_D2PPRE1_Msk  (0x7u << RCC_D2CFGR_D2PPRE1_Pos)
#define RCC_D2CFGR_D2PPRE2_Pos  8u
#define RCC_D2CFGR_D2PPRE2_Msk  (0x7u << RCC_D2CFGR_D2PPRE2_Pos)
#define RCC_D3CFGR_D3PPRE_Pos   4u
#define RCC_D3CFGR_D3PPRE_Msk   (0x7u << RCC_D3CFGR_D3PPRE_Pos)
#define RCC_AHBPRE_DIV1         0x0u
#define RCC_AHBPRE_DIV2         0x8u
#define RCC_APBPRE_DIV1         0x0u
#define RCC_APBPRE_DIV2         0x4u

/* RCC_PLLCKSELR */
#define RCC_PLLCKSELR_PLLSRC_Msk  (3u << 0)
#define RCC_PLLCKSELR_PLLSRC_HSI  (0u << 0)
#define RCC_PLLCKSELR_PLLSRC_CSI  (1u << 0)
#define RCC_PLLCKSELR_PLLSRC_HSE  (2u << 0)
#define RCC_PLLCKSELR_DIVM1_Pos   4u
#define RCC_PLLCKSELR_DIVM1_Msk   (0x3Fu << RCC_PLLCKSELR_DIVM1_Pos)

/* RCC_PLLCFGR (PLL1 fields) */
#define RCC_PLLCFGR_PLL1FRACEN    (1u << 0)
#define RCC_PLLCFGR_PLL1VCOSEL    (1u << 1)   /* 0: wide VCO 192-836 MHz, 1: medium 150-420 */
#define RCC_PLLCFGR_PLL1RGE_Pos   2u
#define RCC_PLLCFGR_PLL1RGE_Msk   (3u << RCC_PLLCFGR_PLL1RGE_Pos)
#define RCC_PLLCFGR_PLL1RGE_2_4   (1u << RCC_PLLCFGR_PLL1RGE_Pos)  /* ref1_ck 2-4 MHz */
#define RCC_PLLCFGR_DIVP1EN       (1u << 16)
#define RCC_PLLCFGR_DIVQ1EN       (1u << 17)
#define RCC_PLLCFGR_DIVR1EN       (1u << 18)

/* RCC_PLL1DIVR: each field holds (divider - 1) */
#define RCC_PLL1DIVR_N1_Pos   0u
#define RCC_PLL1DIVR_N1_Msk   (0x1FFu << RCC_PLL1DIVR_N1_Pos)
#define RCC_PLL1DIVR_P1_Pos   9u
#define RCC_PLL1DIVR_P1_Msk   (0x7Fu << RCC_PLL1DIVR_P1_Pos)
#define RCC_PLL1DIVR_Q1_Pos   16u
#define RCC_PLL1DIVR_R1_Pos   24u

/* RCC_PLL1FRACR */
#define RCC_PLL1FRACR_FRACN1_Pos 3u
#define RCC_PLL1FRACR_FRACN1_Msk (0x1FFFu << RCC_PLL1FRACR_FRACN1_Pos)

/* RCC_AHB4ENR */
#define RCC_AHB4ENR_GPIOBEN (1u << 1)
#define RCC_AHB4ENR_GPIOEEN (1u << 4)

/* ---- PWR (RM0468 6.8) ------------------------------------------------------------- */
typedef struct {
    REG_RW CR1;         /* 0x00 */
    REG_RO CSR1;        /* 0x04 ACTVOSRDY, ACTVOS */
    REG_RW CR2;         /* 0x08 */
    REG_RW CR3;         /* 0x0C supply configuration (write once after power-on) */
    REG_RW CPUCR;       /* 0x10 */
    uint32_t reserved0; /* 0x14 */
    REG_RW D3CR;        /* 0x18 VOS, VOSRDY */
} pwr_regs_t;

#define PWR ((pwr_regs_t *)PWR_BASE)

#define PWR_CSR1_ACTVOSRDY  (1u << 13)
#define PWR_CR3_BYPASS      (1u << 0)
#define PWR_CR3_LDOEN       (1u << 1)
#define PWR_CR3_SCUEN       (1u << 2)
#define PWR_CR3_SUPPLY_Msk  (PWR_CR3_BYPASS | PWR_CR3_LDOEN | PWR_CR3_SCUEN)
#define PWR_D3CR_VOSRDY     (1u << 13)
#define PWR_D3CR_VOS_Pos    14u
#define PWR_D3CR_VOS_Msk    (3u << PWR_D3CR_VOS_Pos)
/* VOS encodings on the STM32H72x/73x: VOS0 is selected directly (no SYSCFG over-drive). */
#define PWR_D3CR_VOS0       (0u << PWR_D3CR_VOS_Pos)
#define PWR_D3CR_VOS1       (3u << PWR_D3CR_VOS_Pos)
#define PWR_D3CR_VOS2       (2u << PWR_D3CR_VOS_Pos)
#define PWR_D3CR_VOS3       (1u << PWR_D3CR_VOS_Pos)

/* ---- FLASH (RM0468 4.9) ----------------------------------------------------------- */
typedef struct {
    REG_RW ACR;          /* 0x00 LATENCY[3:0], WRHIGHFREQ[5:4] */
    REG_RW KEYR1;        /* 0x04 */
    REG_RW OPTKEYR;      /* 0x08 */
    REG_RW CR1;          /* 0x0C */
    REG_RO SR1;          /* 0x10 */
    REG_RW CCR1;         /* 0x14 */
    REG_RW OPTCR;        /* 0x18 */
    REG_RO OPTSR_CUR;    /* 0x1C */
    REG_RW OPTSR_PRG;    /* 0x20 */
    REG_RW OPTCCR;       /* 0x24 */
    REG_RO PRAR_CUR1;    /* 0x28 */
    REG_RW PRAR_PRG1;    /* 0x2C */
    REG_RO SCAR_CUR1;    /* 0x30 */
    REG_RW SCAR_PRG1;    /* 0x34 */
    REG_RO WPSN_CUR1R;   /* 0x38 */
    REG_RW WPSN_PRG1R;   /* 0x3C */
    REG_RO BOOT_CURR;    /* 0x40 */
    REG_RW BOOT_PRGR;    /* 0x44 */
    uint32_t reserved0[2]; /* 0x48, 0x4C */
    REG_RW CRCCR1;       /* 0x50 */
    REG_RW CRCSADD1R;    /* 0x54 */
    REG_RW CRCEADD1R;    /* 0x58 */
    REG_RO CRCDATAR;     /* 0x5C */
    REG_RO ECC_FA1R;     /* 0x60 */
    uint32_t reserved1[3]; /* 0x64 - 0x6C */
    REG_RO OPTSR2_CUR;   /* 0x70 TCM_AXI_SHARED, CPUFREQ_BOOST */
    REG_RW OPTSR2_PRG;   /* 0x74 */
} flash_regs_t;

#define FLASH ((flash_regs_t *)FLASH_R_BASE)

#define FLASH_ACR_LATENCY_Msk        (0xFu << 0)
#define FLASH_ACR_LATENCY(ws)        ((uint32_t)(ws) << 0)
#define FLASH_ACR_WRHIGHFREQ_Msk     (3u << 4)
#define FLASH_ACR_WRHIGHFREQ(d)      ((uint32_t)(d) << 4)
#define FLASH_OPTSR2_CPUFREQ_BOOST   (1u << 2)

/* ---- GPIO (RM0468 11.4; same layout as the STM32F4 ports) ------------------------- */
typedef struct {
    REG_RW MODER;   /* 0x00 */
    REG_RW OTYPER;  /* 0x04 */
    REG_RW OSPEEDR; /* 0x08 */
    REG_RW PUPDR;   /* 0x0C */
    REG_RO IDR;     /* 0x10 */
    REG_RW ODR;     /* 0x14 */
    REG_RW BSRR;    /* 0x18 */
    REG_RW LCKR;    /* 0x1C */
    REG_RW AFRL;    /* 0x20 */
    REG_RW AFRH;    /* 0x24 */
} gpio_regs_t;

#define GPIOB ((gpio_regs_t *)GPIOB_BASE)
#define GPIOE ((gpio_regs_t *)GPIOE_BASE)

#define GPIO_MODER_OUTPUT 1u

/* ---- Cortex-M7 core registers used by the startup code (PM0253) ------------------- */
typedef struct {
    REG_RO CPUID;  /* 0x00 */
    REG_RW ICSR;   /* 0x04 */
    REG_RW VTOR;   /* 0x08 */
} scb_regs_t;

#define SCB ((scb_regs_t *)SCB_BASE)
#define SCB_CPACR (*(volatile uint32_t *)SCB_CPACR_ADDR)
/* CP10 and CP11 full access (bits 23:20 = 1111): the FPU (PM0253 4.6.1) */
#define SCB_CPACR_CP10_CP11_FULL (0xFu << 20)
/* clang-format on */

/* Layout checks: offsets straight from the RM0468 register maps. */
_Static_assert(offsetof(rcc_regs_t, CFGR) == 0x010, "RCC_CFGR offset");
_Static_assert(offsetof(rcc_regs_t, D1CFGR) == 0x018, "RCC_D1CFGR offset");
_Static_assert(offsetof(rcc_regs_t, PLLCKSELR) == 0x028, "RCC_PLLCKSELR offset");
_Static_assert(offsetof(rcc_regs_t, PLL1DIVR) == 0x030, "RCC_PLL1DIVR offset");
_Static_assert(offsetof(rcc_regs_t, PLL1FRACR) == 0x034, "RCC_PLL1FRACR offset");
_Static_assert(offsetof(rcc_regs_t, CIER) == 0x060, "RCC_CIER offset");
_Static_assert(offsetof(rcc_regs_t, BDCR) == 0x070, "RCC_BDCR offset");
_Static_assert(offsetof(rcc_regs_t, AHB3RSTR) == 0x07C, "RCC_AHB3RSTR offset");
_Static_assert(offsetof(rcc_regs_t, RSR) == 0x0D0, "RCC_RSR offset");
_Static_assert(offsetof(rcc_regs_t, AHB4ENR) == 0x0E0, "RCC_AHB4ENR offset");
_Static_assert(offsetof(rcc_regs_t, APB4ENR) == 0x0F4, "RCC_APB4ENR offset");
_Static_assert(offsetof(pwr_regs_t, CR3) == 0x0C, "PWR_CR3 offset");
_Static_assert(offsetof(pwr_regs_t, D3CR) == 0x18, "PWR_D3CR offset");
_Static_assert(offsetof(flash_regs_t, OPTCR) == 0x18, "FLASH_OPTCR offset");
_Static_assert(offsetof(flash_regs_t, BOOT_CURR) == 0x40, "FLASH_BOOT_CURR offset");
_Static_assert(offsetof(flash_regs_t, CRCCR1) == 0x50, "FLASH_CRCCR1 offset");
_Static_assert(offsetof(flash_regs_t, OPTSR2_CUR) == 0x70, "FLASH_OPTSR2_CUR offset");
_Static_assert(offsetof(gpio_regs_t, BSRR) == 0x18, "GPIO_BSRR offset");
_Static_assert(offsetof(gpio_regs_t, AFRH) == 0x24, "GPIO_AFRH offset");

#endif /* CMSIM_STM32H7_REGS_H */
