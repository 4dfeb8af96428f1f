// STM32F405/407 chip description (RM0090 Rev 19): memory map (§2.3, Table 1), IRQ
// vector (§12.2, Table 61), and the Cortex-M4 r0p1 with FPU that the chip contains.
#include "Boards.h"

namespace cmsim {

namespace {

using R = RegionKind;
constexpr MemoryRegion kMemory[] = {
    {"Flash", 0x08000000, 1024 * 1024, R::Flash, true},
    // BOOT0 = 0 on the Discovery board: main flash is aliased at 0 (RM0090 §2.4).
    {"Boot alias (flash)", 0x00000000, 1024 * 1024, R::Flash, true, "Flash"},
    // CCM data RAM sits on the D-bus only: the core cannot execute from it (§2.3.1).
    {"CCM", 0x10000000, 64 * 1024, R::Ram, false},
    {"System memory (bootloader ROM, contents not provided)", 0x1FFF0000, 0x7800, R::Rom, true},
    {"OTP and device ID", 0x1FFF7800, 0x400, R::Rom, false},
    {"Option bytes", 0x1FFFC000, 0x400, R::Rom, false},
    // SRAM1 (112 KiB) and SRAM2 (16 KiB) are contiguous.
    {"SRAM", 0x20000000, 128 * 1024, R::Ram, true},
    {"Backup SRAM", 0x40024000, 4 * 1024, R::Ram, false},
};

constexpr ClockGate ahb1(std::uint8_t bit) { return {"AHB1ENR", "AHB1RSTR", bit}; }
constexpr ClockGate apb1(std::uint8_t bit) { return {"APB1ENR", "APB1RSTR", bit}; }

constexpr std::string_view U = "unmodelled";
constexpr PeripheralBlock kPeripherals[] = {
    // APB1
    {"TIM2", 0x40000000, 0x400, U}, {"TIM3", 0x40000400, 0x400, U},
    {"TIM4", 0x40000800, 0x400, U}, {"TIM5", 0x40000C00, 0x400, U},
    {"TIM6", 0x40001000, 0x400, U}, {"TIM7", 0x40001400, 0x400, U},
    {"TIM12", 0x40001800, 0x400, U}, {"TIM13", 0x40001C00, 0x400, U},
    {"TIM14", 0x40002000, 0x400, U}, {"RTC & BKP", 0x40002800, 0x400, U},
    {"WWDG", 0x40002C00, 0x400, U}, {"IWDG", 0x40003000, 0x400, U},
    {"I2S2ext", 0x40003400, 0x400, U}, {"SPI2/I2S2", 0x40003800, 0x400, U},
    {"SPI3/I2S3", 0x40003C00, 0x400, U}, {"I2S3ext", 0x40004000, 0x400, U},
    {"USART2", 0x40004400, 0x400, U}, {"USART3", 0x40004800, 0x400, U},
    {"UART4", 0x40004C00, 0x400, U}, {"UART5", 0x40005000, 0x400, U},
    {"I2C1", 0x40005400, 0x400, U}, {"I2C2", 0x40005800, 0x400, U},
    {"I2C3", 0x40005C00, 0x400, U}, {"CAN1", 0x40006400, 0x400, U},
    {"CAN2", 0x40006800, 0x400, U}, {"PWR", 0x40007000, 0x400, "stm32f4.pwr", apb1(28)},
    {"DAC", 0x40007400, 0x400, U}, {"UART7", 0x40007800, 0x400, U},
    {"UART8", 0x40007C00, 0x400, U},
    // APB2
    {"TIM1", 0x40010000, 0x400, U}, {"TIM8", 0x40010400, 0x400, U},
    {"USART1", 0x40011000, 0x400, U}, {"USART6", 0x40011400, 0x400, U},
    {"ADC1/2/3", 0x40012000, 0x400, U}, {"SDIO", 0x40012C00, 0x400, U},
    {"SPI1", 0x40013000, 0x400, U}, {"SPI4", 0x40013400, 0x400, U},
    {"SYSCFG", 0x40013800, 0x400, U}, {"EXTI", 0x40013C00, 0x400, U},
    {"TIM9", 0x40014000, 0x400, U}, {"TIM10", 0x40014400, 0x400, U},
    {"TIM11", 0x40014800, 0x400, U}, {"SPI5", 0x40015000, 0x400, U},
    {"SPI6", 0x40015400, 0x400, U}, {"SAI1", 0x40015800, 0x400, U},
    {"LCD-TFT", 0x40016800, 0x400, U},
    // AHB1. GPIOJ/GPIOK (0x40022400, 0x40022800) exist on STM32F42x/43x only; on the
    // F405/407 that range is reserved.
    {"GPIOA", 0x40020000, 0x400, "stm32f4.gpio", ahb1(0)},
    {"GPIOB", 0x40020400, 0x400, "stm32f4.gpio", ahb1(1)},
    {"GPIOC", 0x40020800, 0x400, "stm32f4.gpio", ahb1(2)},
    {"GPIOD", 0x40020C00, 0x400, "stm32f4.gpio", ahb1(3)},
    {"GPIOE", 0x40021000, 0x400, "stm32f4.gpio", ahb1(4)},
    {"GPIOF", 0x40021400, 0x400, "stm32f4.gpio", ahb1(5)},
    {"GPIOG", 0x40021800, 0x400, "stm32f4.gpio", ahb1(6)},
    {"GPIOH", 0x40021C00, 0x400, "stm32f4.gpio", ahb1(7)},
    {"GPIOI", 0x40022000, 0x400, "stm32f4.gpio", ahb1(8)},
    {"CRC", 0x40023000, 0x400, U},
    {"RCC", 0x40023800, 0x400, "stm32f4.rcc"},
    {"FLASH", 0x40023C00, 0x400, "stm32f4.flash"},
    {"DMA1", 0x40026000, 0x400, U}, {"DMA2", 0x40026400, 0x400, U},
    {"ETHERNET MAC", 0x40028000, 0x1400, U}, {"DMA2D", 0x4002B000, 0xC00, U},
    {"USB OTG HS", 0x40040000, 0x40000, U},
    // AHB2
    {"USB OTG FS", 0x50000000, 0x40000, U}, {"DCMI", 0x50050000, 0x400, U},
    {"CRYP", 0x50060000, 0x400, U}, {"HASH", 0x50060400, 0x400, U},
    {"RNG", 0x50060800, 0x400, U},
    // AHB3
    {"FSMC control", 0xA0000000, 0x1000, U},
    // Cortex-M4 private peripheral bus (the SCS at 0xE000E000 is part of every core).
    // ITM, DWT and TPIU are part of the core and built with it.
    {"FPB", 0xE0002000, 0x1000, U},
    {"ETM", 0xE0041000, 0x1000, U}, {"DBGMCU", 0xE0042000, 0x400, "stm32.dbgmcu"},
    {"PPB ROM table", 0xE00FF000, 0x1000, U},
};

constexpr BitBandRegion kBitBand[] = {
    {0x22000000, 0x20000000, 0x100000},  // SRAM bit-band
    {0x42000000, 0x40000000, 0x100000},  // peripheral bit-band
};

constexpr std::string_view kIrqNames[] = {
    "WWDG", "PVD", "TAMP_STAMP", "RTC_WKUP", "FLASH", "RCC", "EXTI0", "EXTI1", "EXTI2", "EXTI3",
    "EXTI4", "DMA1_Stream0", "DMA1_Stream1", "DMA1_Stream2", "DMA1_Stream3", "DMA1_Stream4",
    "DMA1_Stream5", "DMA1_Stream6", "ADC", "CAN1_TX", "CAN1_RX0", "CAN1_RX1", "CAN1_SCE",
    "EXTI9_5", "TIM1_BRK_TIM9", "TIM1_UP_TIM10", "TIM1_TRG_COM_TIM11", "TIM1_CC", "TIM2", "TIM3",
    "TIM4", "I2C1_EV", "I2C1_ER", "I2C2_EV", "I2C2_ER", "SPI1", "SPI2", "USART1", "USART2",
    "USART3", "EXTI15_10", "RTC_Alarm", "OTG_FS_WKUP", "TIM8_BRK_TIM12", "TIM8_UP_TIM13",
    "TIM8_TRG_COM_TIM14", "TIM8_CC", "DMA1_Stream7", "FSMC", "SDIO", "TIM5", "SPI3", "UART4",
    "UART5", "TIM6_DAC", "TIM7", "DMA2_Stream0", "DMA2_Stream1", "DMA2_Stream2", "DMA2_Stream3",
    "DMA2_Stream4", "ETH", "ETH_WKUP", "CAN2_TX", "CAN2_RX0", "CAN2_RX1", "CAN2_SCE", "OTG_FS",
    "DMA2_Stream5", "DMA2_Stream6", "DMA2_Stream7", "USART6", "I2C3_EV", "I2C3_ER",
    "OTG_HS_EP1_OUT", "OTG_HS_EP1_IN", "OTG_HS_WKUP", "OTG_HS", "DCMI", "CRYP", "HASH_RNG", "FPU",
};
static_assert(std::size(kIrqNames) == 82, "STM32F407 has 82 IRQ lines (RM0090 Table 61)");

}  // namespace

const ChipDescription& stm32f407Chip() {
    static const ChipDescription chip{
        .name = "STM32F407VG",
        .core =
            CoreConfig{
                .kind = CoreKind::CortexM4,
                .name = "Cortex-M4 r0p1",
                .cpuid = 0x410FC241,  // Cortex-M4 TRM §4.3.1: r0p1
                .priorityBits = 4,    // PM0214 §4.3.7: 16 priority levels
                .numIrqs = 82,
                .vtorMask = 0x3FFFFF80,  // TBLOFF[29:7]
                .ccrReset = 0x00000200,  // STKALIGN
                .mvfr0 = 0x10110021,     // FPv4-SP (Cortex-M4 TRM §7.3.6)
                .mvfr1 = 0x11000011,
                .mvfr2 = 0,
                // RM0090 §10.1.2: TENMS = 21000 gives 1 ms (not 10 ms) at HCLK_max/8 = 21 MHz,
                // so PM0214 §4.5.4 has SKEW (bit 30) read as one; NOREF reads as zero.
                .systickCalib = 0x40000000 | 21000,
                .systickExternalDivider = 8,
            },
        .memory = kMemory,
        .peripherals = kPeripherals,
        .bitBand = kBitBand,
        .irqNames = kIrqNames,
        .bootAddress = 0x00000000,
        .vtorReset = 0x00000000,
        .resetCpuHz = 16'000'000,  // HSI
        // RM0090 §38.6.1: DEV_ID 0x413, REV_ID 0x1007 (revision 1, the DISC1's silicon).
        .dbgmcuIdcode = 0x10076413,
    };
    return chip;
}

namespace {
// STM32F407G-DISC1 (UM1472): user LEDs on PD12-PD15, active high; 8 MHz crystal (X2).
constexpr LedDescription kDiscoveryLeds[] = {
    {"LD4", "green", 'D', 12, true},
    {"LD3", "orange", 'D', 13, true},
    {"LD5", "red", 'D', 14, true},
    {"LD6", "blue", 'D', 15, true},
};
}  // namespace

const BoardDescription& stm32f407DiscoveryBoard() {
    static const BoardDescription board{
        .id = "f407",
        .fullName = "STM32F407G-DISC1",
        .chip = stm32f407Chip(),
        .hseHz = 8'000'000,
        .hseBypass = false,
        .leds = kDiscoveryLeds,
    };
    return board;
}

}  // namespace cmsim
