/*
 * startup_stm32h723.c - vector table and reset handler for the STM32H723/733 (C only).
 *
 * References: RM0468 (STM32H723/733, H725/735, H730), interrupt vector table of the
 * "Interrupts and events" chapter (IRQ 0..162; positions the H723 does not use are
 * reserved and hold 0), ARMv7-M ARM B1.5.2-B1.5.3 (exception numbers, vector table),
 * PM0253 2.3 (Cortex-M7 exception model).
 *
 * Every handler is a weak alias of Default_Handler (an infinite loop): defining a
 * function with the same name anywhere in the firmware overrides it (the kernel port
 * defines SVC_Handler, PendSV_Handler and SysTick_Handler).
 */
#include <stdint.h>

#include "stm32h7_regs.h"

/* Symbols from stm32h723.ld. Declared as arrays: they are addresses, not objects. */
extern uint32_t _estack[];
extern uint32_t _sidata[];
extern uint32_t _sdata[];
extern uint32_t _edata[];
extern uint32_t _sbss[];
extern uint32_t _ebss[];

extern void __libc_init_array(void);
extern int main(void);

void Reset_Handler(void);
void Default_Handler(void);

#define WEAK_DEFAULT __attribute__((weak, alias("Default_Handler")))

/* Cortex-M7 system exceptions */
void NMI_Handler(void) WEAK_DEFAULT;
void HardFault_Handler(void) WEAK_DEFAULT;
void MemManage_Handler(void) WEAK_DEFAULT;
void BusFault_Handler(void) WEAK_DEFAULT;
void UsageFault_Handler(void) WEAK_DEFAULT;
void SVC_Handler(void) WEAK_DEFAULT;
void DebugMon_Handler(void) WEAK_DEFAULT;
void PendSV_Handler(void) WEAK_DEFAULT;
void SysTick_Handler(void) WEAK_DEFAULT;

/* STM32H723 peripheral interrupts */
void WWDG_IRQHandler(void) WEAK_DEFAULT;
void PVD_AVD_IRQHandler(void) WEAK_DEFAULT;
void TAMP_STAMP_IRQHandler(void) WEAK_DEFAULT;
void RTC_WKUP_IRQHandler(void) WEAK_DEFAULT;
void FLASH_IRQHandler(void) WEAK_DEFAULT;
void RCC_IRQHandler(void) WEAK_DEFAULT;
void EXTI0_IRQHandler(void) WEAK_DEFAULT;
void EXTI1_IRQHandler(void) WEAK_DEFAULT;
void EXTI2_IRQHandler(void) WEAK_DEFAULT;
void EXTI3_IRQHandler(void) WEAK_DEFAULT;
void EXTI4_IRQHandler(void) WEAK_DEFAULT;
void DMA1_Stream0_IRQHandler(void) WEAK_DEFAULT;
void DMA1_Stream1_IRQHandler(void) WEAK_DEFAULT;
void DMA1_Stream2_IRQHandler(void) WEAK_DEFAULT;
void DMA1_Stream3_IRQHandler(void) WEAK_DEFAULT;
void DMA1_Stream4_IRQHandler(void) WEAK_DEFAULT;
void DMA1_Stream5_IRQHandler(void) WEAK_DEFAULT;
void DMA1_Stream6_IRQHandler(void) WEAK_DEFAULT;
void ADC1_2_IRQHandler(void) WEAK_DEFAULT;
void FDCAN1_IT0_IRQHandler(void) WEAK_DEFAULT;
void FDCAN2_IT0_IRQHandler(void) WEAK_DEFAULT;
void FDCAN1_IT1_IRQHandler(void) WEAK_DEFAULT;
void FDCAN2_IT1_IRQHandler(void) WEAK_DEFAULT;
void EXTI9_5_IRQHandler(void) WEAK_DEFAULT;
void TIM1_BRK_IRQHandler(void) WEAK_DEFAULT;
void TIM1_UP_IRQHandler(void) WEAK_DEFAULT;
void TIM1_TRG_COM_IRQHandler(void) WEAK_DEFAULT;
void TIM1_CC_IRQHandler(void) WEAK_DEFAULT;
void TIM2_IRQHandler(void) WEAK_DEFAULT;
void TIM3_IRQHandler(void) WEAK_DEFAULT;
void TIM4_IRQHandler(void) WEAK_DEFAULT;
void I2C1_EV_IRQHandler(void) WEAK_DEFAULT;
void I2C1_ER_IRQHandler(void) WEAK_DEFAULT;
void I2C2_EV_IRQHandler(void) WEAK_DEFAULT;
void I2C2_ER_IRQHandler(void) WEAK_DEFAULT;
void SPI1_IRQHandler(void) WEAK_DEFAULT;
void SPI2_IRQHandler(void) WEAK_DEFAULT;
void USART1_IRQHandler(void) WEAK_DEFAULT;
void USART2_IRQHandler(void) WEAK_DEFAULT;
void USART3_IRQHandler(void) WEAK_DEFAULT;
void EXTI15_10_IRQHandler(void) WEAK_DEFAULT;
void RTC_Alarm_IRQHandler(void) WEAK_DEFAULT;
void TIM8_BRK_TIM12_IRQHandler(void) WEAK_DEFAULT;
void TIM8_UP_TIM13_IRQHandler(void) WEAK_DEFAULT;
void TIM8_TRG_COM_TIM14_IRQHandler(void) WEAK_DEFAULT;
void TIM8_CC_IRQHandler(void) WEAK_DEFAULT;
void DMA1_Stream7_IRQHandler(void) WEAK_DEFAULT;
void FMC_IRQHandler(void) WEAK_DEFAULT;
void SDMMC1_IRQHandler(void) WEAK_DEFAULT;
void TIM5_IRQHandler(void) WEAK_DEFAULT;
void SPI3_IRQHandler(void) WEAK_DEFAULT;
void UART4_IRQHandler(void) WEAK_DEFAULT;
void UART5_IRQHandler(void) WEAK_DEFAULT;
void TIM6_DAC_IRQHandler(void) WEAK_DEFAULT;
void TIM7_IRQHandler(void) WEAK_DEFAULT;
void DMA2_Stream0_IRQHandler(void) WEAK_DEFAULT;
void DMA2_Stream1_IRQHandler(void) WEAK_DEFAULT;
void DMA2_Stream2_IRQHandler(void) WEAK_DEFAULT;
void DMA2_Stream3_IRQHandler(void) WEAK_DEFAULT;
void DMA2_Stream4_IRQHandler(void) WEAK_DEFAULT;
void ETH_IRQHandler(void) WEAK_DEFAULT;
void ETH_WKUP_IRQHandler(void) WEAK_DEFAULT;
void FDCAN_CAL_IRQHandler(void) WEAK_DEFAULT;
void DMA2_Stream5_IRQHandler(void) WEAK_DEFAULT;
void DMA2_Stream6_IRQHandler(void) WEAK_DEFAULT;
void DMA2_Stream7_IRQHandler(void) WEAK_DEFAULT;
void USART6_IRQHandler(void) WEAK_DEFAULT;
void I2C3_EV_IRQHandler(void) WEAK_DEFAULT;
void I2C3_ER_IRQHandler(void) WEAK_DEFAULT;
void OTG_HS_EP1_OUT_IRQHandler(void) WEAK_DEFAULT;
void OTG_HS_EP1_IN_IRQHandler(void) WEAK_DEFAULT;
void OTG_HS_WKUP_IRQHandler(void) WEAK_DEFAULT;
void OTG_HS_IRQHandler(void) WEAK_DEFAULT;
void DCMI_PSSI_IRQHandler(void) WEAK_DEFAULT;
void RNG_IRQHandler(void) WEAK_DEFAULT;
void FPU_IRQHandler(void) WEAK_DEFAULT;
void UART7_IRQHandler(void) WEAK_DEFAULT;
void UART8_IRQHandler(void) WEAK_DEFAULT;
void SPI4_IRQHandler(void) WEAK_DEFAULT;
void SPI5_IRQHandler(void) WEAK_DEFAULT;
void SPI6_IRQHandler(void) WEAK_DEFAULT;
void SAI1_IRQHandler(void) WEAK_DEFAULT;
void LTDC_IRQHandler(void) WEAK_DEFAULT;
void LTDC_ER_IRQHandler(void) WEAK_DEFAULT;
void DMA2D_IRQHandler(void) WEAK_DEFAULT;
void OCTOSPI1_IRQHandler(void) WEAK_DEFAULT;
void LPTIM1_IRQHandler(void) WEAK_DEFAULT;
void CEC_IRQHandler(void) WEAK_DEFAULT;
void I2C4_EV_IRQHandler(void) WEAK_DEFAULT;
void I2C4_ER_IRQHandler(void) WEAK_DEFAULT;
void SPDIF_RX_IRQHandler(void) WEAK_DEFAULT;
void DMAMUX1_OVR_IRQHandler(void) WEAK_DEFAULT;
void DFSDM1_FLT0_IRQHandler(void) WEAK_DEFAULT;
void DFSDM1_FLT1_IRQHandler(void) WEAK_DEFAULT;
void DFSDM1_FLT2_IRQHandler(void) WEAK_DEFAULT;
void DFSDM1_FLT3_IRQHandler(void) WEAK_DEFAULT;
void SWPMI1_IRQHandler(void) WEAK_DEFAULT;
void TIM15_IRQHandler(void) WEAK_DEFAULT;
void TIM16_IRQHandler(void) WEAK_DEFAULT;
void TIM17_IRQHandler(void) WEAK_DEFAULT;
void MDIOS_WKUP_IRQHandler(void) WEAK_DEFAULT;
void MDIOS_IRQHandler(void) WEAK_DEFAULT;
void MDMA_IRQHandler(void) WEAK_DEFAULT;
void SDMMC2_IRQHandler(void) WEAK_DEFAULT;
void HSEM1_IRQHandler(void) WEAK_DEFAULT;
void ADC3_IRQHandler(void) WEAK_DEFAULT;
void DMAMUX2_OVR_IRQHandler(void) WEAK_DEFAULT;
void BDMA_Channel0_IRQHandler(void) WEAK_DEFAULT;
void BDMA_Channel1_IRQHandler(void) WEAK_DEFAULT;
void BDMA_Channel2_IRQHandler(void) WEAK_DEFAULT;
void BDMA_Channel3_IRQHandler(void) WEAK_DEFAULT;
void BDMA_Channel4_IRQHandler(void) WEAK_DEFAULT;
void BDMA_Channel5_IRQHandler(void) WEAK_DEFAULT;
void BDMA_Channel6_IRQHandler(void) WEAK_DEFAULT;
void BDMA_Channel7_IRQHandler(void) WEAK_DEFAULT;
void COMP_IRQHandler(void) WEAK_DEFAULT;
void LPTIM2_IRQHandler(void) WEAK_DEFAULT;
void LPTIM3_IRQHandler(void) WEAK_DEFAULT;
void LPTIM4_IRQHandler(void) WEAK_DEFAULT;
void LPTIM5_IRQHandler(void) WEAK_DEFAULT;
void LPUART1_IRQHandler(void) WEAK_DEFAULT;
void CRS_IRQHandler(void) WEAK_DEFAULT;
void ECC_IRQHandler(void) WEAK_DEFAULT;
void SAI4_IRQHandler(void) WEAK_DEFAULT;
void DTS_IRQHandler(void) WEAK_DEFAULT;
void WAKEUP_PIN_IRQHandler(void) WEAK_DEFAULT;
void OCTOSPI2_IRQHandler(void) WEAK_DEFAULT;
void FMAC_IRQHandler(void) WEAK_DEFAULT;
void CORDIC_IRQHandler(void) WEAK_DEFAULT;
void UART9_IRQHandler(void) WEAK_DEFAULT;
void USART10_IRQHandler(void) WEAK_DEFAULT;
void I2C5_EV_IRQHandler(void) WEAK_DEFAULT;
void I2C5_ER_IRQHandler(void) WEAK_DEFAULT;
void FDCAN3_IT0_IRQHandler(void) WEAK_DEFAULT;
void FDCAN3_IT1_IRQHandler(void) WEAK_DEFAULT;
void TIM23_IRQHandler(void) WEAK_DEFAULT;
void TIM24_IRQHandler(void) WEAK_DEFAULT;

typedef void (*vector_t)(void);

#define VECTOR_SYSTEM_COUNT 16u
#define VECTOR_IRQ_COUNT 163u /* IRQ 0 (WWDG) .. IRQ 162 (TIM24) */
#define VECTOR_COUNT (VECTOR_SYSTEM_COUNT + VECTOR_IRQ_COUNT)

/*
 * The vector table. The linker script places .isr_vector first in flash at 0x08000000,
 * the factory BOOT_ADD0 (FLASH_BOOT_CURR = 0x1FF00800): with BOOT0 = 0 the Cortex-M7
 * fetches the initial SP (word 0) and the reset vector (word 1) there, and VTOR resets to
 * that address. Address 0 is the ITCM, not an alias of flash. Entry n is exception number
 * n; IRQ k is exception 16 + k. Handler addresses have bit 0 set (Thumb).
 * VTOR.TBLOFF is bits [31:7]: 179 entries (716 bytes) need a 1 KiB-aligned table if it is
 * ever moved; at the start of flash it is.
 */
/* clang-format off */
__attribute__((section(".isr_vector"), used))
const vector_t g_vector_table[VECTOR_COUNT] = {
    /* 0 */  (vector_t)_estack,      /* initial MSP */
    /* 1 */  Reset_Handler,
    /* 2 */  NMI_Handler,
    /* 3 */  HardFault_Handler,
    /* 4 */  MemManage_Handler,
    /* 5 */  BusFault_Handler,
    /* 6 */  UsageFault_Handler,
    /* 7 */  0,                      /* reserved */
    /* 8 */  0,                      /* reserved */
    /* 9 */  0,                      /* reserved */
    /* 10 */ 0,                      /* reserved */
    /* 11 */ SVC_Handler,
    /* 12 */ DebugMon_Handler,
    /* 13 */ 0,                      /* reserved */
    /* 14 */ PendSV_Handler,
    /* 15 */ SysTick_Handler,

    /* IRQ   0 */ WWDG_IRQHandler,                /* window watchdog (wwdg1_it) */
    /* IRQ   1 */ PVD_AVD_IRQHandler,             /* PVD/AVD */
    /* IRQ   2 */ TAMP_STAMP_IRQHandler,          /* tamper and timestamp */
    /* IRQ   3 */ RTC_WKUP_IRQHandler,            /* RTC wakeup */
    /* IRQ   4 */ FLASH_IRQHandler,
    /* IRQ   5 */ RCC_IRQHandler,
    /* IRQ   6 */ EXTI0_IRQHandler,
    /* IRQ   7 */ EXTI1_IRQHandler,
    /* IRQ   8 */ EXTI2_IRQHandler,
    /* IRQ   9 */ EXTI3_IRQHandler,
    /* IRQ  10 */ EXTI4_IRQHandler,
    /* IRQ  11 */ DMA1_Stream0_IRQHandler,
    /* IRQ  12 */ DMA1_Stream1_IRQHandler,
    /* IRQ  13 */ DMA1_Stream2_IRQHandler,
    /* IRQ  14 */ DMA1_Stream3_IRQHandler,
    /* IRQ  15 */ DMA1_Stream4_IRQHandler,
    /* IRQ  16 */ DMA1_Stream5_IRQHandler,
    /* IRQ  17 */ DMA1_Stream6_IRQHandler,
    /* IRQ  18 */ ADC1_2_IRQHandler,              /* ADC1 and ADC2 */
    /* IRQ  19 */ FDCAN1_IT0_IRQHandler,
    /* IRQ  20 */ FDCAN2_IT0_IRQHandler,
    /* IRQ  21 */ FDCAN1_IT1_IRQHandler,
    /* IRQ  22 */ FDCAN2_IT1_IRQHandler,
    /* IRQ  23 */ EXTI9_5_IRQHandler,             /* EXTI lines 9..5 */
    /* IRQ  24 */ TIM1_BRK_IRQHandler,
    /* IRQ  25 */ TIM1_UP_IRQHandler,
    /* IRQ  26 */ TIM1_TRG_COM_IRQHandler,
    /* IRQ  27 */ TIM1_CC_IRQHandler,
    /* IRQ  28 */ TIM2_IRQHandler,
    /* IRQ  29 */ TIM3_IRQHandler,
    /* IRQ  30 */ TIM4_IRQHandler,
    /* IRQ  31 */ I2C1_EV_IRQHandler,
    /* IRQ  32 */ I2C1_ER_IRQHandler,
    /* IRQ  33 */ I2C2_EV_IRQHandler,
    /* IRQ  34 */ I2C2_ER_IRQHandler,
    /* IRQ  35 */ SPI1_IRQHandler,
    /* IRQ  36 */ SPI2_IRQHandler,
    /* IRQ  37 */ USART1_IRQHandler,
    /* IRQ  38 */ USART2_IRQHandler,
    /* IRQ  39 */ USART3_IRQHandler,
    /* IRQ  40 */ EXTI15_10_IRQHandler,           /* EXTI lines 15..10 */
    /* IRQ  41 */ RTC_Alarm_IRQHandler,           /* RTC alarms A and B */
    /* IRQ  42 */ 0,                              /* reserved */
    /* IRQ  43 */ TIM8_BRK_TIM12_IRQHandler,
    /* IRQ  44 */ TIM8_UP_TIM13_IRQHandler,
    /* IRQ  45 */ TIM8_TRG_COM_TIM14_IRQHandler,
    /* IRQ  46 */ TIM8_CC_IRQHandler,
    /* IRQ  47 */ DMA1_Stream7_IRQHandler,
    /* IRQ  48 */ FMC_IRQHandler,
    /* IRQ  49 */ SDMMC1_IRQHandler,
    /* IRQ  50 */ TIM5_IRQHandler,
    /* IRQ  51 */ SPI3_IRQHandler,
    /* IRQ  52 */ UART4_IRQHandler,
    /* IRQ  53 */ UART5_IRQHandler,
    /* IRQ  54 */ TIM6_DAC_IRQHandler,            /* TIM6, DAC1 underrun */
    /* IRQ  55 */ TIM7_IRQHandler,
    /* IRQ  56 */ DMA2_Stream0_IRQHandler,
    /* IRQ  57 */ DMA2_Stream1_IRQHandler,
    /* IRQ  58 */ DMA2_Stream2_IRQHandler,
    /* IRQ  59 */ DMA2_Stream3_IRQHandler,
    /* IRQ  60 */ DMA2_Stream4_IRQHandler,
    /* IRQ  61 */ ETH_IRQHandler,
    /* IRQ  62 */ ETH_WKUP_IRQHandler,            /* Ethernet wakeup */
    /* IRQ  63 */ FDCAN_CAL_IRQHandler,
    /* IRQ  64 */ 0,                              /* reserved */
    /* IRQ  65 */ 0,                              /* reserved */
    /* IRQ  66 */ 0,                              /* reserved */
    /* IRQ  67 */ 0,                              /* reserved */
    /* IRQ  68 */ DMA2_Stream5_IRQHandler,
    /* IRQ  69 */ DMA2_Stream6_IRQHandler,
    /* IRQ  70 */ DMA2_Stream7_IRQHandler,
    /* IRQ  71 */ USART6_IRQHandler,
    /* IRQ  72 */ I2C3_EV_IRQHandler,
    /* IRQ  73 */ I2C3_ER_IRQHandler,
    /* IRQ  74 */ OTG_HS_EP1_OUT_IRQHandler,
    /* IRQ  75 */ OTG_HS_EP1_IN_IRQHandler,
    /* IRQ  76 */ OTG_HS_WKUP_IRQHandler,         /* USB OTG HS wakeup */
    /* IRQ  77 */ OTG_HS_IRQHandler,
    /* IRQ  78 */ DCMI_PSSI_IRQHandler,           /* DCMI and PSSI */
    /* IRQ  79 */ 0,                              /* reserved: CRYP on STM32H73x */
    /* IRQ  80 */ RNG_IRQHandler,
    /* IRQ  81 */ FPU_IRQHandler,                 /* FPU exceptions */
    /* IRQ  82 */ UART7_IRQHandler,
    /* IRQ  83 */ UART8_IRQHandler,
    /* IRQ  84 */ SPI4_IRQHandler,
    /* IRQ  85 */ SPI5_IRQHandler,
    /* IRQ  86 */ SPI6_IRQHandler,
    /* IRQ  87 */ SAI1_IRQHandler,
    /* IRQ  88 */ LTDC_IRQHandler,
    /* IRQ  89 */ LTDC_ER_IRQHandler,
    /* IRQ  90 */ DMA2D_IRQHandler,
    /* IRQ  91 */ 0,                              /* reserved */
    /* IRQ  92 */ OCTOSPI1_IRQHandler,
    /* IRQ  93 */ LPTIM1_IRQHandler,
    /* IRQ  94 */ CEC_IRQHandler,
    /* IRQ  95 */ I2C4_EV_IRQHandler,
    /* IRQ  96 */ I2C4_ER_IRQHandler,
    /* IRQ  97 */ SPDIF_RX_IRQHandler,
    /* IRQ  98 */ 0,                              /* reserved */
    /* IRQ  99 */ 0,                              /* reserved */
    /* IRQ 100 */ 0,                              /* reserved */
    /* IRQ 101 */ 0,                              /* reserved */
    /* IRQ 102 */ DMAMUX1_OVR_IRQHandler,
    /* IRQ 103 */ 0,                              /* reserved */
    /* IRQ 104 */ 0,                              /* reserved */
    /* IRQ 105 */ 0,                              /* reserved */
    /* IRQ 106 */ 0,                              /* reserved */
    /* IRQ 107 */ 0,                              /* reserved */
    /* IRQ 108 */ 0,                              /* reserved */
    /* IRQ 109 */ 0,                              /* reserved */
    /* IRQ 110 */ DFSDM1_FLT0_IRQHandler,
    /* IRQ 111 */ DFSDM1_FLT1_IRQHandler,
    /* IRQ 112 */ DFSDM1_FLT2_IRQHandler,
    /* IRQ 113 */ DFSDM1_FLT3_IRQHandler,
    /* IRQ 114 */ 0,                              /* reserved */
    /* IRQ 115 */ SWPMI1_IRQHandler,
    /* IRQ 116 */ TIM15_IRQHandler,
    /* IRQ 117 */ TIM16_IRQHandler,
    /* IRQ 118 */ TIM17_IRQHandler,
    /* IRQ 119 */ MDIOS_WKUP_IRQHandler,
    /* IRQ 120 */ MDIOS_IRQHandler,
    /* IRQ 121 */ 0,                              /* reserved */
    /* IRQ 122 */ MDMA_IRQHandler,
    /* IRQ 123 */ 0,                              /* reserved */
    /* IRQ 124 */ SDMMC2_IRQHandler,
    /* IRQ 125 */ HSEM1_IRQHandler,               /* HSEM */
    /* IRQ 126 */ 0,                              /* reserved */
    /* IRQ 127 */ ADC3_IRQHandler,
    /* IRQ 128 */ DMAMUX2_OVR_IRQHandler,
    /* IRQ 129 */ BDMA_Channel0_IRQHandler,
    /* IRQ 130 */ BDMA_Channel1_IRQHandler,
    /* IRQ 131 */ BDMA_Channel2_IRQHandler,
    /* IRQ 132 */ BDMA_Channel3_IRQHandler,
    /* IRQ 133 */ BDMA_Channel4_IRQHandler,
    /* IRQ 134 */ BDMA_Channel5_IRQHandler,
    /* IRQ 135 */ BDMA_Channel6_IRQHandler,
    /* IRQ 136 */ BDMA_Channel7_IRQHandler,
    /* IRQ 137 */ COMP_IRQHandler,                /* COMP1 and COMP2 */
    /* IRQ 138 */ LPTIM2_IRQHandler,
    /* IRQ 139 */ LPTIM3_IRQHandler,
    /* IRQ 140 */ LPTIM4_IRQHandler,
    /* IRQ 141 */ LPTIM5_IRQHandler,
    /* IRQ 142 */ LPUART1_IRQHandler,
    /* IRQ 143 */ 0,                              /* reserved */
    /* IRQ 144 */ CRS_IRQHandler,
    /* IRQ 145 */ ECC_IRQHandler,                 /* ECC diagnostic */
    /* IRQ 146 */ SAI4_IRQHandler,
    /* IRQ 147 */ DTS_IRQHandler,
    /* IRQ 148 */ 0,                              /* reserved */
    /* IRQ 149 */ WAKEUP_PIN_IRQHandler,          /* the six wakeup pins */
    /* IRQ 150 */ OCTOSPI2_IRQHandler,
    /* IRQ 151 */ 0,                              /* reserved: OTFDEC1 on STM32H73x */
    /* IRQ 152 */ 0,                              /* reserved: OTFDEC2 on STM32H73x */
    /* IRQ 153 */ FMAC_IRQHandler,
    /* IRQ 154 */ CORDIC_IRQHandler,
    /* IRQ 155 */ UART9_IRQHandler,
    /* IRQ 156 */ USART10_IRQHandler,
    /* IRQ 157 */ I2C5_EV_IRQHandler,
    /* IRQ 158 */ I2C5_ER_IRQHandler,
    /* IRQ 159 */ FDCAN3_IT0_IRQHandler,
    /* IRQ 160 */ FDCAN3_IT1_IRQHandler,
    /* IRQ 161 */ TIM23_IRQHandler,
    /* IRQ 162 */ TIM24_IRQHandler,
};
/* clang-format on */

_Static_assert(sizeof(g_vector_table) == VECTOR_COUNT * 4u, "179 vectors, 4 bytes each");

void Default_Handler(void) {
    /* Unexpected exception or interrupt: stop here so a debugger (or cmsim) shows where.
     * IPSR tells which exception it was. */
    for (;;) {
    }
}

void Reset_Handler(void) {
    /* 1. FPU access first (ARMv7-M ARM B3.2.20, PM0253 4.6.1): CPACR CP10 and CP11 full
     *    access. With -mfloat-abi=hard the compiler may emit FP instructions anywhere in
     *    the C code that follows (and libc); an FP instruction executed while the
     *    coprocessor is disabled raises a NOCP UsageFault. DSB completes the write, ISB
     *    flushes the pipeline so the following instructions see the new setting. Done
     *    before touching RAM: it does not depend on .data or .bss. */
    SCB_CPACR |= SCB_CPACR_CP10_CP11_FULL;
    __asm volatile("dsb\n\tisb" : : : "memory");

    /* 2. Copy initialised data from its load address in flash to the DTCM. */
    {
        const uint32_t* src = _sidata;
        uint32_t* dst = _sdata;
        while (dst < _edata) {
            *dst++ = *src++;
        }
    }

    /* 3. Zero .bss (includes the task stacks and the scheduler state). */
    {
        uint32_t* dst = _sbss;
        while (dst < _ebss) {
            *dst++ = 0u;
        }
    }

    /* 4. Point VTOR at our table explicitly. It resets to BOOT_ADD0 (0x08000000), so this
     *    changes nothing on a plain boot, but keeps the table valid if the image is
     *    started by a bootloader or a debugger. */
    SCB->VTOR = (uint32_t)(uintptr_t)g_vector_table;
    __asm volatile("dsb\n\tisb" : : : "memory");

    /* 5. C runtime: static constructors / init_array (newlib), then the application. The
     *    caches stay off (their reset state): the TCMs need none, and this keeps the image
     *    free of cache maintenance. */
    __libc_init_array();
    (void)main();

    /* main() must not return; if it does, stay here. */
    for (;;) {
    }
}
