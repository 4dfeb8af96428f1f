/*
 * startup_stm32f407.c - vector table and reset handler for the STM32F405/407 (C only).
 *
 * References: RM0090 10.2 Table 61 (vector table of the STM32F405xx/07xx and
 * STM32F415xx/17xx), ARMv7-M ARM B1.5.2-B1.5.3 (exception numbers, vector table), PM0214
 * 2.3.4.
 *
 * Every handler is a weak alias of Default_Handler (an infinite loop): defining a
 * function with the same name anywhere in the firmware overrides it (the kernel port
 * defines PendSV_Handler and SysTick_Handler).
 */
#include <stdint.h>

#include "stm32f4_regs.h"

/* Symbols from stm32f407.ld. Declared as arrays: they are addresses, not objects. */
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

/* Cortex-M4 system exceptions */
void NMI_Handler(void) WEAK_DEFAULT;
void HardFault_Handler(void) WEAK_DEFAULT;
void MemManage_Handler(void) WEAK_DEFAULT;
void BusFault_Handler(void) WEAK_DEFAULT;
void UsageFault_Handler(void) WEAK_DEFAULT;
void SVC_Handler(void) WEAK_DEFAULT;
void DebugMon_Handler(void) WEAK_DEFAULT;
void PendSV_Handler(void) WEAK_DEFAULT;
void SysTick_Handler(void) WEAK_DEFAULT;

/* STM32F405/407 peripheral interrupts, IRQ 0..81 (RM0090 Table 61) */
void WWDG_IRQHandler(void) WEAK_DEFAULT;
void PVD_IRQHandler(void) WEAK_DEFAULT;
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
void ADC_IRQHandler(void) WEAK_DEFAULT;
void CAN1_TX_IRQHandler(void) WEAK_DEFAULT;
void CAN1_RX0_IRQHandler(void) WEAK_DEFAULT;
void CAN1_RX1_IRQHandler(void) WEAK_DEFAULT;
void CAN1_SCE_IRQHandler(void) WEAK_DEFAULT;
void EXTI9_5_IRQHandler(void) WEAK_DEFAULT;
void TIM1_BRK_TIM9_IRQHandler(void) WEAK_DEFAULT;
void TIM1_UP_TIM10_IRQHandler(void) WEAK_DEFAULT;
void TIM1_TRG_COM_TIM11_IRQHandler(void) WEAK_DEFAULT;
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
void OTG_FS_WKUP_IRQHandler(void) WEAK_DEFAULT;
void TIM8_BRK_TIM12_IRQHandler(void) WEAK_DEFAULT;
void TIM8_UP_TIM13_IRQHandler(void) WEAK_DEFAULT;
void TIM8_TRG_COM_TIM14_IRQHandler(void) WEAK_DEFAULT;
void TIM8_CC_IRQHandler(void) WEAK_DEFAULT;
void DMA1_Stream7_IRQHandler(void) WEAK_DEFAULT;
void FSMC_IRQHandler(void) WEAK_DEFAULT;
void SDIO_IRQHandler(void) WEAK_DEFAULT;
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
void CAN2_TX_IRQHandler(void) WEAK_DEFAULT;
void CAN2_RX0_IRQHandler(void) WEAK_DEFAULT;
void CAN2_RX1_IRQHandler(void) WEAK_DEFAULT;
void CAN2_SCE_IRQHandler(void) WEAK_DEFAULT;
void OTG_FS_IRQHandler(void) WEAK_DEFAULT;
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
void DCMI_IRQHandler(void) WEAK_DEFAULT;
void CRYP_IRQHandler(void) WEAK_DEFAULT;
void HASH_RNG_IRQHandler(void) WEAK_DEFAULT;
void FPU_IRQHandler(void) WEAK_DEFAULT;

typedef void (*vector_t)(void);

#define VECTOR_SYSTEM_COUNT 16u
#define VECTOR_IRQ_COUNT 82u
#define VECTOR_COUNT (VECTOR_SYSTEM_COUNT + VECTOR_IRQ_COUNT)

/*
 * The vector table. The linker script places .isr_vector first in flash at 0x08000000,
 * which is aliased at 0x00000000 when booting from main flash (BOOT0 = 0, RM0090 2.4),
 * where the core fetches the initial SP (word 0) and the reset vector (word 1).
 * Entry n is exception number n; IRQ k is exception 16 + k. Function addresses have
 * bit 0 set (Thumb), as the architecture requires (ARMv7-M ARM B1.5.3).
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

    /* IRQ  0 */ WWDG_IRQHandler,               /* window watchdog */
    /* IRQ  1 */ PVD_IRQHandler,                /* PVD through EXTI line 16 */
    /* IRQ  2 */ TAMP_STAMP_IRQHandler,         /* tamper and timestamp, EXTI line 21 */
    /* IRQ  3 */ RTC_WKUP_IRQHandler,           /* RTC wakeup, EXTI line 22 */
    /* IRQ  4 */ FLASH_IRQHandler,
    /* IRQ  5 */ RCC_IRQHandler,
    /* IRQ  6 */ EXTI0_IRQHandler,
    /* IRQ  7 */ EXTI1_IRQHandler,
    /* IRQ  8 */ EXTI2_IRQHandler,
    /* IRQ  9 */ EXTI3_IRQHandler,
    /* IRQ 10 */ EXTI4_IRQHandler,
    /* IRQ 11 */ DMA1_Stream0_IRQHandler,
    /* IRQ 12 */ DMA1_Stream1_IRQHandler,
    /* IRQ 13 */ DMA1_Stream2_IRQHandler,
    /* IRQ 14 */ DMA1_Stream3_IRQHandler,
    /* IRQ 15 */ DMA1_Stream4_IRQHandler,
    /* IRQ 16 */ DMA1_Stream5_IRQHandler,
    /* IRQ 17 */ DMA1_Stream6_IRQHandler,
    /* IRQ 18 */ ADC_IRQHandler,                /* ADC1, ADC2, ADC3 */
    /* IRQ 19 */ CAN1_TX_IRQHandler,
    /* IRQ 20 */ CAN1_RX0_IRQHandler,
    /* IRQ 21 */ CAN1_RX1_IRQHandler,
    /* IRQ 22 */ CAN1_SCE_IRQHandler,
    /* IRQ 23 */ EXTI9_5_IRQHandler,
    /* IRQ 24 */ TIM1_BRK_TIM9_IRQHandler,
    /* IRQ 25 */ TIM1_UP_TIM10_IRQHandler,
    /* IRQ 26 */ TIM1_TRG_COM_TIM11_IRQHandler,
    /* IRQ 27 */ TIM1_CC_IRQHandler,
    /* IRQ 28 */ TIM2_IRQHandler,
    /* IRQ 29 */ TIM3_IRQHandler,
    /* IRQ 30 */ TIM4_IRQHandler,
    /* IRQ 31 */ I2C1_EV_IRQHandler,
    /* IRQ 32 */ I2C1_ER_IRQHandler,
    /* IRQ 33 */ I2C2_EV_IRQHandler,
    /* IRQ 34 */ I2C2_ER_IRQHandler,
    /* IRQ 35 */ SPI1_IRQHandler,
    /* IRQ 36 */ SPI2_IRQHandler,
    /* IRQ 37 */ USART1_IRQHandler,
    /* IRQ 38 */ USART2_IRQHandler,
    /* IRQ 39 */ USART3_IRQHandler,
    /* IRQ 40 */ EXTI15_10_IRQHandler,
    /* IRQ 41 */ RTC_Alarm_IRQHandler,          /* RTC alarms A and B, EXTI line 17 */
    /* IRQ 42 */ OTG_FS_WKUP_IRQHandler,        /* USB OTG FS wakeup, EXTI line 18 */
    /* IRQ 43 */ TIM8_BRK_TIM12_IRQHandler,
    /* IRQ 44 */ TIM8_UP_TIM13_IRQHandler,
    /* IRQ 45 */ TIM8_TRG_COM_TIM14_IRQHandler,
    /* IRQ 46 */ TIM8_CC_IRQHandler,
    /* IRQ 47 */ DMA1_Stream7_IRQHandler,
    /* IRQ 48 */ FSMC_IRQHandler,
    /* IRQ 49 */ SDIO_IRQHandler,
    /* IRQ 50 */ TIM5_IRQHandler,
    /* IRQ 51 */ SPI3_IRQHandler,
    /* IRQ 52 */ UART4_IRQHandler,
    /* IRQ 53 */ UART5_IRQHandler,
    /* IRQ 54 */ TIM6_DAC_IRQHandler,           /* TIM6, DAC1/DAC2 underrun */
    /* IRQ 55 */ TIM7_IRQHandler,
    /* IRQ 56 */ DMA2_Stream0_IRQHandler,
    /* IRQ 57 */ DMA2_Stream1_IRQHandler,
    /* IRQ 58 */ DMA2_Stream2_IRQHandler,
    /* IRQ 59 */ DMA2_Stream3_IRQHandler,
    /* IRQ 60 */ DMA2_Stream4_IRQHandler,
    /* IRQ 61 */ ETH_IRQHandler,
    /* IRQ 62 */ ETH_WKUP_IRQHandler,           /* Ethernet wakeup, EXTI line 19 */
    /* IRQ 63 */ CAN2_TX_IRQHandler,
    /* IRQ 64 */ CAN2_RX0_IRQHandler,
    /* IRQ 65 */ CAN2_RX1_IRQHandler,
    /* IRQ 66 */ CAN2_SCE_IRQHandler,
    /* IRQ 67 */ OTG_FS_IRQHandler,
    /* IRQ 68 */ DMA2_Stream5_IRQHandler,
    /* IRQ 69 */ DMA2_Stream6_IRQHandler,
    /* IRQ 70 */ DMA2_Stream7_IRQHandler,
    /* IRQ 71 */ USART6_IRQHandler,
    /* IRQ 72 */ I2C3_EV_IRQHandler,
    /* IRQ 73 */ I2C3_ER_IRQHandler,
    /* IRQ 74 */ OTG_HS_EP1_OUT_IRQHandler,
    /* IRQ 75 */ OTG_HS_EP1_IN_IRQHandler,
    /* IRQ 76 */ OTG_HS_WKUP_IRQHandler,        /* USB OTG HS wakeup, EXTI line 20 */
    /* IRQ 77 */ OTG_HS_IRQHandler,
    /* IRQ 78 */ DCMI_IRQHandler,
    /* IRQ 79 */ CRYP_IRQHandler,               /* crypto (STM32F415/417 only) */
    /* IRQ 80 */ HASH_RNG_IRQHandler,           /* hash (F415/417) and RNG */
    /* IRQ 81 */ FPU_IRQHandler,
};
/* clang-format on */

_Static_assert(sizeof(g_vector_table) == VECTOR_COUNT * 4u, "98 vectors, 4 bytes each");

void Default_Handler(void) {
    /* Unexpected exception or interrupt: stop here so a debugger (or cmsim) shows where.
     * IPSR tells which exception it was. */
    for (;;) {
    }
}

void Reset_Handler(void) {
    /* 1. FPU access first (ARMv7-M ARM B3.2.20, PM0214 4.6.1): CPACR CP10 and CP11 full
     *    access. With -mfloat-abi=hard the compiler may emit FP instructions anywhere in
     *    the C code that follows (and libc), and any FP instruction executed while the
     *    coprocessor is disabled raises a NOCP UsageFault. DSB completes the write, ISB
     *    flushes the pipeline so the following instructions see the new setting
     *    (ARMv7-M ARM B3.2.20 note, PM0214 4.6.6). Done before touching RAM: it does not
     *    depend on .data or .bss. */
    SCB_CPACR |= SCB_CPACR_CP10_CP11_FULL;
    __asm volatile("dsb\n\tisb" : : : "memory");

    /* 2. Copy initialised data from its load address in flash to SRAM. */
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

    /* 4. Point VTOR at our table explicitly. At reset it is 0 and flash is aliased there,
     *    so this changes nothing on a plain boot, but it keeps the table valid if the image
     *    is started by a bootloader or a debugger with a different mapping. */
    SCB->VTOR = (uint32_t)(uintptr_t)g_vector_table;

    /* 5. C runtime: static constructors / init_array (newlib), then the application. */
    __libc_init_array();
    (void)main();

    /* main() must not return; if it does, stay here. */
    for (;;) {
    }
}
