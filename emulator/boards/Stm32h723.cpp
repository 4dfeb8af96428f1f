// STM32H723ZG chip description (RM0468 Rev 3, STM32H723/733, STM32H725/735 and STM32H730):
// memory map (§2.3, memory map figure and "Register boundary addresses" table), interrupt
// vector (the NVIC vector table of the "Interrupts and events" chapter), and the Cortex-M7
// r1p2 with double-precision FPU it contains; and the NUCLEO-H723ZG board (UM2407, MB1364).
//
// The H723 is the crypto-less member of the family: vectors that RM0468 gives to CRYP,
// HASH and OTFDEC (STM32H73x only) are reserved here, and so are their register blocks.
#include "Boards.h"

namespace cmsim {

namespace {

using R = RegionKind;
constexpr std::uint32_t KiB = 1024;

// RM0468 §2.3. The 192 KiB of "shared" RAM (four 64 KiB blocks) go to ITCM or AXI SRAM
// according to the TCM_AXI_SHARED option bits (FLASH_OPTSR2_CUR, §4.9). cmsim models the
// factory setting, TCM_AXI_SHARED = 00: ITCM 64 KiB, AXI SRAM 128 + 192 = 320 KiB.
constexpr MemoryRegion kMemory[] = {
    // Address 0 is the ITCM (not a flash alias): the core boots from BOOT_ADD0 instead.
    {"ITCM-RAM", 0x00000000, 64 * KiB, R::Ram, true},
    // 1 MiB single bank, eight 128 KiB sectors (§4); read through the AXI bus.
    {"Flash", 0x08000000, 1024 * KiB, R::Flash, true},
    // System memory: the ST bootloader, then the unique device ID (0x1FF1E800) and the
    // flash size (0x1FF1E880) ("Device electronic signature" chapter). Contents not provided:
    // reads return 0.
    {"System memory (bootloader ROM, contents not provided)", 0x1FF00000, 128 * KiB, R::Rom, true},
    // DTCM: CPU and MDMA only (no DMA1/DMA2 access, §2). The Cortex-M7 can fetch
    // instructions from it.
    {"DTCM-RAM", 0x20000000, 128 * KiB, R::Ram, true},
    {"AXI SRAM", 0x24000000, 320 * KiB, R::Ram, true},
    {"SRAM1 (D2)", 0x30000000, 16 * KiB, R::Ram, true},
    {"SRAM2 (D2)", 0x30004000, 16 * KiB, R::Ram, true},
    {"SRAM4 (D3)", 0x38000000, 16 * KiB, R::Ram, true},
    // Backup SRAM: silicon also needs AHB4ENR.BKPRAMEN and PWR_CR1.DBP for writes; cmsim
    // maps it as plain RAM (no clock gate or write protection on memory regions).
    {"Backup SRAM", 0x38800000, 4 * KiB, R::Ram, false},
};

constexpr ClockGate ahb4(std::uint8_t bit) {
    return {"AHB4ENR", "AHB4RSTR", bit};
}

constexpr std::string_view U = "unmodelled";
// RM0468 §2.3 "Register boundary addresses", by bus; block sizes are the table's ranges.
constexpr PeripheralBlock kPeripherals[] = {
    // D2 domain, APB1 (0x4000 0000)
    {"TIM2", 0x40000000, 0x400, U},
    {"TIM3", 0x40000400, 0x400, U},
    {"TIM4", 0x40000800, 0x400, U},
    {"TIM5", 0x40000C00, 0x400, U},
    {"TIM6", 0x40001000, 0x400, U},
    {"TIM7", 0x40001400, 0x400, U},
    {"TIM12", 0x40001800, 0x400, U},
    {"TIM13", 0x40001C00, 0x400, U},
    {"TIM14", 0x40002000, 0x400, U},
    {"LPTIM1", 0x40002400, 0x400, U},
    {"SPI2/I2S2", 0x40003800, 0x400, U},
    {"SPI3/I2S3", 0x40003C00, 0x400, U},
    {"SPDIFRX", 0x40004000, 0x400, U},
    {"USART2", 0x40004400, 0x400, U},
    {"USART3", 0x40004800, 0x400, U},
    {"UART4", 0x40004C00, 0x400, U},
    {"UART5", 0x40005000, 0x400, U},
    {"I2C1", 0x40005400, 0x400, U},
    {"I2C2", 0x40005800, 0x400, U},
    {"I2C3", 0x40005C00, 0x400, U},
    {"I2C5", 0x40006400, 0x400, U},
    {"HDMI-CEC", 0x40006C00, 0x400, U},
    {"DAC1", 0x40007400, 0x400, U},
    {"UART7", 0x40007800, 0x400, U},
    {"UART8", 0x40007C00, 0x400, U},
    {"CRS", 0x40008400, 0x400, U},
    {"SWPMI1", 0x40008800, 0x400, U},
    {"OPAMP", 0x40009000, 0x400, U},
    {"MDIOS", 0x40009400, 0x400, U},
    {"FDCAN1", 0x4000A000, 0x400, U},
    {"FDCAN2", 0x4000A400, 0x400, U},
    {"CAN CCU", 0x4000A800, 0x400, U},
    {"CAN message RAM", 0x4000AC00, 0x2800, U},
    {"FDCAN3", 0x4000D400, 0x400, U},
    {"TIM23", 0x4000E000, 0x400, U},
    {"TIM24", 0x4000E400, 0x400, U},
    // D2 domain, APB2 (0x4001 0000)
    {"TIM1", 0x40010000, 0x400, U},
    {"TIM8", 0x40010400, 0x400, U},
    {"USART1", 0x40011000, 0x400, U},
    {"USART6", 0x40011400, 0x400, U},
    {"UART9", 0x40011800, 0x400, U},
    {"USART10", 0x40011C00, 0x400, U},
    {"SPI1/I2S1", 0x40013000, 0x400, U},
    {"SPI4", 0x40013400, 0x400, U},
    {"TIM15", 0x40014000, 0x400, U},
    {"TIM16", 0x40014400, 0x400, U},
    {"TIM17", 0x40014800, 0x400, U},
    {"SPI5", 0x40015000, 0x400, U},
    {"SAI1", 0x40015800, 0x400, U},
    {"DFSDM1", 0x40017800, 0x400, U},
    // D2 domain, AHB1 (0x4002 0000)
    {"DMA1", 0x40020000, 0x400, U},
    {"DMA2", 0x40020400, 0x400, U},
    {"DMAMUX1", 0x40020800, 0x400, U},
    {"ADC1/ADC2", 0x40022000, 0x400, U},
    {"Ethernet MAC", 0x40028000, 0x1400, U},
    {"USB1 OTG HS", 0x40040000, 0x40000, U},
    // D2 domain, AHB2 (0x4802 0000). CRYP (0x48021000) and HASH (0x48021400): H73x only.
    {"DCMI", 0x48020000, 0x400, U},
    {"PSSI", 0x48020400, 0x400, U},
    {"RNG", 0x48021800, 0x400, U},
    {"SDMMC2", 0x48022400, 0x400, U},
    {"DLYB SDMMC2", 0x48022800, 0x400, U},
    {"RAMECC2", 0x48023000, 0x400, U},
    {"FMAC", 0x48024000, 0x400, U},
    {"CORDIC", 0x48024400, 0x400, U},
    // D1 domain, APB3 (0x5000 0000)
    {"LTDC", 0x50001000, 0x1000, U},
    {"WWDG1", 0x50003000, 0x1000, U},
    // D1 domain, AXI interconnect and AHB3 (0x5100 0000, 0x5200 0000). OTFDEC1/2
    // (0x5200B800, 0x5200BC00): H73x only.
    {"AXI interconnect (GPV)", 0x51000000, 0x100000, U},
    {"MDMA", 0x52000000, 0x1000, U},
    {"DMA2D", 0x52001000, 0x1000, U},
    {"FLASH", 0x52002000, 0x1000, "stm32h7.flash"},
    {"FMC control", 0x52004000, 0x1000, U},
    {"OCTOSPI1 control", 0x52005000, 0x1000, U},
    {"DLYB OCTOSPI1", 0x52006000, 0x1000, U},
    {"SDMMC1", 0x52007000, 0x1000, U},
    {"DLYB SDMMC1", 0x52008000, 0x1000, U},
    {"RAMECC1", 0x52009000, 0x1000, U},
    {"OCTOSPI2 control", 0x5200A000, 0x1000, U},
    {"DLYB OCTOSPI2", 0x5200B000, 0x400, U},
    {"OCTOSPIM", 0x5200B400, 0x400, U},
    // D3 domain, APB4 (0x5800 0000)
    {"EXTI", 0x58000000, 0x400, U},
    {"SYSCFG", 0x58000400, 0x400, U},
    {"LPUART1", 0x58000C00, 0x400, U},
    {"SPI6", 0x58001400, 0x400, U},
    {"I2C4", 0x58001C00, 0x400, U},
    {"LPTIM2", 0x58002400, 0x400, U},
    {"LPTIM3", 0x58002800, 0x400, U},
    {"LPTIM4", 0x58002C00, 0x400, U},
    {"LPTIM5", 0x58003000, 0x400, U},
    {"COMP1/COMP2", 0x58003800, 0x400, U},
    {"VREFBUF", 0x58003C00, 0x400, U},
    {"RTC & BKP", 0x58004000, 0x400, U},
    {"IWDG1", 0x58004800, 0x400, U},
    {"SAI4", 0x58005400, 0x400, U},
    {"DTS", 0x58006800, 0x400, U},
    // D3 domain, AHB4 (0x5802 0000). There is no port I on the STM32H72x/73x: AHB4ENR has
    // no GPIOIEN (§8.7 RCC_AHB4ENR) and 0x58022000 is reserved.
    {"GPIOA", 0x58020000, 0x400, "stm32h7.gpio", ahb4(0)},
    {"GPIOB", 0x58020400, 0x400, "stm32h7.gpio", ahb4(1)},
    {"GPIOC", 0x58020800, 0x400, "stm32h7.gpio", ahb4(2)},
    {"GPIOD", 0x58020C00, 0x400, "stm32h7.gpio", ahb4(3)},
    {"GPIOE", 0x58021000, 0x400, "stm32h7.gpio", ahb4(4)},
    {"GPIOF", 0x58021400, 0x400, "stm32h7.gpio", ahb4(5)},
    {"GPIOG", 0x58021800, 0x400, "stm32h7.gpio", ahb4(6)},
    {"GPIOH", 0x58021C00, 0x400, "stm32h7.gpio", ahb4(7)},
    {"GPIOJ", 0x58022400, 0x400, "stm32h7.gpio", ahb4(9)},
    {"GPIOK", 0x58022800, 0x400, "stm32h7.gpio", ahb4(10)},
    {"RCC", 0x58024400, 0x400, "stm32h7.rcc"},
    {"PWR", 0x58024800, 0x400, "stm32h7.pwr"},
    {"CRC", 0x58024C00, 0x400, U},
    {"BDMA", 0x58025400, 0x400, U},
    {"DMAMUX2", 0x58025800, 0x400, U},
    {"ADC3", 0x58026000, 0x400, U},
    {"HSEM", 0x58026400, 0x400, U},
    {"RAMECC3", 0x58027000, 0x400, U},
    // Debug components on the system bus ("Debug support" chapter: the debug APB as seen from
    // the CPU).
    {"System ROM table", 0x5C000000, 0x1000, U},
    {"DBGMCU", 0x5C001000, 0x1000, "stm32h7.dbgmcu"},
    {"TPIU (SWO)", 0x5C003000, 0x1000, U},
    {"SWO", 0x5C004000, 0x1000, U},
    {"SWTF", 0x5C005000, 0x1000, U},
    // Cortex-M7 private peripheral bus. ITM, DWT and the core's TPIU window are built with
    // the core; the SCS at 0xE000E000 is part of every core.
    {"FPB", 0xE0002000, 0x1000, U},
    {"ETM", 0xE0041000, 0x1000, U},
    {"CTI", 0xE0043000, 0x1000, U},
    {"Cortex-M7 ROM table", 0xE00FE000, 0x1000, U},
    {"PPB ROM table", 0xE00FF000, 0x1000, U},
};

// RM0468 NVIC vector table. Positions the H723 does not use are "reserved": 42, 64-67, 79
// (CRYP on H73x), 91, 98-101, 103-109, 114, 121, 123, 126, 143, 148, 151-152 (OTFDEC1/2
// on H73x).
constexpr std::string_view X = "reserved";
constexpr std::string_view kIrqNames[] = {
    // 0-9
    "WWDG",
    "PVD_AVD",
    "TAMP_STAMP",
    "RTC_WKUP",
    "FLASH",
    "RCC",
    "EXTI0",
    "EXTI1",
    "EXTI2",
    "EXTI3",
    // 10-19
    "EXTI4",
    "DMA1_Stream0",
    "DMA1_Stream1",
    "DMA1_Stream2",
    "DMA1_Stream3",
    "DMA1_Stream4",
    "DMA1_Stream5",
    "DMA1_Stream6",
    "ADC1_2",
    "FDCAN1_IT0",
    // 20-29
    "FDCAN2_IT0",
    "FDCAN1_IT1",
    "FDCAN2_IT1",
    "EXTI9_5",
    "TIM1_BRK",
    "TIM1_UP",
    "TIM1_TRG_COM",
    "TIM1_CC",
    "TIM2",
    "TIM3",
    // 30-39
    "TIM4",
    "I2C1_EV",
    "I2C1_ER",
    "I2C2_EV",
    "I2C2_ER",
    "SPI1",
    "SPI2",
    "USART1",
    "USART2",
    "USART3",
    // 40-49
    "EXTI15_10",
    "RTC_Alarm",
    X,
    "TIM8_BRK_TIM12",
    "TIM8_UP_TIM13",
    "TIM8_TRG_COM_TIM14",
    "TIM8_CC",
    "DMA1_Stream7",
    "FMC",
    "SDMMC1",
    // 50-59
    "TIM5",
    "SPI3",
    "UART4",
    "UART5",
    "TIM6_DAC",
    "TIM7",
    "DMA2_Stream0",
    "DMA2_Stream1",
    "DMA2_Stream2",
    "DMA2_Stream3",
    // 60-69
    "DMA2_Stream4",
    "ETH",
    "ETH_WKUP",
    "FDCAN_CAL",
    X,
    X,
    X,
    X,
    "DMA2_Stream5",
    "DMA2_Stream6",
    // 70-79
    "DMA2_Stream7",
    "USART6",
    "I2C3_EV",
    "I2C3_ER",
    "OTG_HS_EP1_OUT",
    "OTG_HS_EP1_IN",
    "OTG_HS_WKUP",
    "OTG_HS",
    "DCMI_PSSI",
    X,
    // 80-89
    "RNG",
    "FPU",
    "UART7",
    "UART8",
    "SPI4",
    "SPI5",
    "SPI6",
    "SAI1",
    "LTDC",
    "LTDC_ER",
    // 90-99
    "DMA2D",
    X,
    "OCTOSPI1",
    "LPTIM1",
    "CEC",
    "I2C4_EV",
    "I2C4_ER",
    "SPDIF_RX",
    X,
    X,
    // 100-109
    X,
    X,
    "DMAMUX1_OVR",
    X,
    X,
    X,
    X,
    X,
    X,
    X,
    // 110-119
    "DFSDM1_FLT0",
    "DFSDM1_FLT1",
    "DFSDM1_FLT2",
    "DFSDM1_FLT3",
    X,
    "SWPMI1",
    "TIM15",
    "TIM16",
    "TIM17",
    "MDIOS_WKUP",
    // 120-129
    "MDIOS",
    X,
    "MDMA",
    X,
    "SDMMC2",
    "HSEM1",
    X,
    "ADC3",
    "DMAMUX2_OVR",
    "BDMA_Channel0",
    // 130-139
    "BDMA_Channel1",
    "BDMA_Channel2",
    "BDMA_Channel3",
    "BDMA_Channel4",
    "BDMA_Channel5",
    "BDMA_Channel6",
    "BDMA_Channel7",
    "COMP",
    "LPTIM2",
    "LPTIM3",
    // 140-149
    "LPTIM4",
    "LPTIM5",
    "LPUART1",
    X,
    "CRS",
    "ECC",
    "SAI4",
    "DTS",
    X,
    "WAKEUP_PIN",
    // 150-159
    "OCTOSPI2",
    X,
    X,
    "FMAC",
    "CORDIC",
    "UART9",
    "USART10",
    "I2C5_EV",
    "I2C5_ER",
    "FDCAN3_IT0",
    // 160-162
    "FDCAN3_IT1",
    "TIM23",
    "TIM24",
};
static_assert(std::size(kIrqNames) == 163, "STM32H723 has IRQ lines 0..162 (RM0468 NVIC vector table)");

}  // namespace

const ChipDescription& stm32h723Chip() {
    static const ChipDescription chip{
        .name = "STM32H723ZG",
        .core =
            CoreConfig{
                .kind = CoreKind::CortexM7,
                .name = "Cortex-M7 r1p2",
                .cpuid = 0x411FC272,  // Cortex-M7 TRM (CPUID, r1p2)
                .priorityBits = 4,    // PM0253 (NVIC_IPRx): 16 priority levels
                .numIrqs = 163,
                .vtorMask = 0xFFFFFF80,  // TBLOFF[31:7] (Cortex-M7 TRM, VTOR)
                // STKALIGN (RAO on the M7) and BP (branch prediction always on, RAO);
                // IC and DC clear: both caches are off at reset (Cortex-M7 TRM, VTOR).
                .ccrReset = 0x00040200,
                // FPv5 with double precision (-mfpu=fpv5-d16), Cortex-M7 TRM (FPU feature registers).
                .mvfr0 = 0x10110221,
                .mvfr1 = 0x12000011,
                .mvfr2 = 0x00000040,
                // RM0468 gives no SysTick calibration value: TENMS reads 0 ("not known"),
                // SKEW 1, NOREF 0 (the CPU clock / 8 reference exists).
                .systickCalib = 0x40000000,
                // RM0468 §8.5: the SysTick reference clock is sys_d1cpre_ck / 8.
                .systickExternalDivider = 8,
            },
        .memory = kMemory,
        .peripherals = kPeripherals,
        .bitBand = {},  // the Cortex-M7 has no bit-band regions
        .irqNames = kIrqNames,
        // BOOT0 = 0 on the Nucleo: the core boots from BOOT_ADD0, factory value 0x0800
        // (address 0x08000000, FLASH_BOOT_CURR, §4.9), and VTOR resets to that address.
        .bootAddress = 0x08000000,
        .vtorReset = 0x08000000,
        .resetCpuHz = 64'000'000,  // HSI, HSIDIV = 1 (RM0468 §8.5)
        // RM0468 DBGMCU_IDC ("Debug support" chapter): DEV_ID 0x483 (STM32H72x/73x), REV_ID 0x1001
        // (revision Z).
        .dbgmcuIdcode = 0x10016483,
    };
    return chip;
}

namespace {
// NUCLEO-H723ZG (UM2407, board MB1364; "LEDs" and "HSE clock" sections): LD1 green PB0,
// LD2 yellow PE1, LD3 red PB14, each driven high to light. HSE: the 8 MHz MCO of the
// ST-LINK (default solder bridges), an external clock: HSE bypass. LSE: the 32.768 kHz
// crystal X2.
constexpr LedDescription kNucleoLeds[] = {
    {"LD1", "green", 'B', 0, true},
    {"LD2", "yellow", 'E', 1, true},
    {"LD3", "red", 'B', 14, true},
};
}  // namespace

const BoardDescription& nucleoH723zgBoard() {
    static const BoardDescription board{
        .id = "h723",
        .fullName = "NUCLEO-H723ZG",
        .chip = stm32h723Chip(),
        .hseHz = 8'000'000,
        .hseBypass = true,
        .leds = kNucleoLeds,
    };
    return board;
}

}  // namespace cmsim
