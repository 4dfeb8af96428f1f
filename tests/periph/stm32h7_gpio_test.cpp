// STM32H723 GPIO ports (RM0468 §11): the F4 port model with the H7 reset values (every pin
// analog except the debug pins), the H72x/73x port set (no GPIOI) and the AHB4ENR gate.
#include <gtest/gtest.h>

#include <stdexcept>

#include "PeripheralTestBench.h"
#include "peripherals/Stm32f4Gpio.h"

namespace cmsim {
namespace {

using test::PeripheralTestBench;
using namespace gpio_reg;

constexpr auto H7 = GpioFamily::Stm32h7;

TEST(Stm32h7Gpio, ResetValuesPerPortMatchRm0468) {
    PeripheralTestBench b(64'000'000);
    Stm32f4Gpio a(b.ctx, 'A', {}, H7);
    Stm32f4Gpio pb(b.ctx, 'B', {}, H7);
    Stm32f4Gpio e(b.ctx, 'E', {}, H7);
    Stm32f4Gpio k(b.ctx, 'K', {}, H7);
    EXPECT_EQ(a.read(MODER, 4), 0xABFFFFFFu);  // PA13-15 alternate, the rest analog
    EXPECT_EQ(a.read(OSPEEDR, 4), 0x0C000000u);
    EXPECT_EQ(a.read(PUPDR, 4), 0x64000000u);
    EXPECT_EQ(pb.read(MODER, 4), 0xFFFFFEBFu);  // PB3, PB4 alternate
    EXPECT_EQ(pb.read(OSPEEDR, 4), 0x000000C0u);
    EXPECT_EQ(pb.read(PUPDR, 4), 0x00000100u);
    EXPECT_EQ(e.read(MODER, 4), 0xFFFFFFFFu);
    EXPECT_EQ(k.read(MODER, 4), 0xFFFFFFFFu);
    for (std::uint32_t off : {OTYPER, OSPEEDR, PUPDR, IDR, ODR, LCKR, AFRL, AFRH}) {
        EXPECT_EQ(e.read(off, 4), 0u) << e.registerName(off);
    }
    // Analog pins read 0; PA13/PA15 pull-ups and the PB4 pull-up on alternate pins show.
    EXPECT_EQ(a.read(IDR, 4), 0xA000u);
    EXPECT_EQ(pb.read(IDR, 4), 0x0010u);
    EXPECT_EQ(Stm32f4Gpio::h7BaseAddress('E'), 0x58021000u);
    EXPECT_TRUE(b.diag.all().empty());
    EXPECT_TRUE(b.pins.empty());
}

TEST(Stm32h7Gpio, ThereIsNoPortIOnTheH72x) {
    PeripheralTestBench b(64'000'000);
    EXPECT_THROW(Stm32f4Gpio(b.ctx, 'I', {}, H7), std::logic_error);
    EXPECT_THROW(Stm32f4Gpio(b.ctx, 'L', {}, H7), std::logic_error);
    EXPECT_NO_THROW(Stm32f4Gpio(b.ctx, 'J', {}, H7));
}

TEST(Stm32h7Gpio, ClockOffNamesAhb4enr) {
    PeripheralTestBench b(64'000'000);
    bool clock = false;
    Stm32f4Gpio pb(
        b.ctx, 'B', [&] { return clock; }, H7);
    pb.write(MODER, 4, 0xFFFFFEBD);
    EXPECT_EQ(pb.read(MODER, 4), 0u);
    ASSERT_EQ(b.diag.all().size(), 1u);
    EXPECT_EQ(b.diag.all()[0].message,
              "write to MODER while its clock is off (RCC AHB4ENR.GPIOBEN=0): ignored, as on "
              "silicon");
    clock = true;
    EXPECT_EQ(pb.read(MODER, 4), 0xFFFFFEBFu);
}

TEST(Stm32h7Gpio, AnalogPinBecomingAnOutputDrivesTheLed) {
    PeripheralTestBench b(64'000'000);
    Stm32f4Gpio pb(b.ctx, 'B', {}, H7);
    // The NUCLEO-H723ZG's LD1 on PB0: LED off, then PB0 to output (MODER 00 -> 01).
    pb.write(BSRR, 4, 1u << 16);
    pb.write(MODER, 4, (pb.read(MODER, 4) & ~0x3u) | 0x1u);
    EXPECT_TRUE(b.pins.empty());  // analog (reads 0) -> output low: no level change
    pb.write(BSRR, 4, 1u << 0);
    ASSERT_EQ(b.pins.size(), 1u);
    EXPECT_EQ(b.pins[0].port, 'B');
    EXPECT_EQ(b.pins[0].pin, 0u);
    EXPECT_TRUE(b.pins[0].level);
    EXPECT_EQ(pb.read(IDR, 4) & 1u, 1u);
}

TEST(Stm32h7Gpio, ReservedPullAndLockMessagesCiteRm0468) {
    PeripheralTestBench b(64'000'000);
    Stm32f4Gpio e(b.ctx, 'E', {}, H7);
    e.write(PUPDR, 4, 0x3u << 2);
    EXPECT_EQ(b.mistakes("PUPDR1 = 11 is reserved (RM0468 §11.4.4)"), 1u);
}

}  // namespace
}  // namespace cmsim
