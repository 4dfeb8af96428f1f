// STM32F4 GPIO port model (RM0090 §8): reset values, clock gating, BSRR, pad levels and
// the PinChange events they publish, the LCKR configuration lock.
#include <gtest/gtest.h>

#include "PeripheralTestBench.h"
#include "peripherals/Stm32f4Gpio.h"

namespace cmsim {
namespace {

using test::PeripheralTestBench;
using namespace gpio_reg;

std::uint32_t moderOutput(unsigned pin) {
    return gpio_moder::OUTPUT << (2 * pin);
}

TEST(Stm32f4Gpio, ResetValuesPerPort) {
    PeripheralTestBench b;
    Stm32f4Gpio a(b.ctx, 'A', {});
    Stm32f4Gpio pb(b.ctx, 'B', {});
    Stm32f4Gpio d(b.ctx, 'D', {});
    EXPECT_EQ(a.name(), "GPIOA");
    EXPECT_EQ(a.read(MODER, 4), 0xA8000000u);
    EXPECT_EQ(a.read(OSPEEDR, 4), 0x0C000000u);
    EXPECT_EQ(a.read(PUPDR, 4), 0x64000000u);
    EXPECT_EQ(pb.read(MODER, 4), 0x00000280u);
    EXPECT_EQ(pb.read(OSPEEDR, 4), 0x000000C0u);
    EXPECT_EQ(pb.read(PUPDR, 4), 0x00000100u);
    for (std::uint32_t off : {MODER, OTYPER, OSPEEDR, PUPDR, IDR, ODR, BSRR, LCKR, AFRL, AFRH}) {
        EXPECT_EQ(d.read(off, 4), 0u) << d.registerName(off);
    }
    for (std::uint32_t off : {OTYPER, ODR, BSRR, LCKR, AFRL, AFRH}) {
        EXPECT_EQ(a.read(off, 4), 0u) << a.registerName(off);
        EXPECT_EQ(pb.read(off, 4), 0u) << pb.registerName(off);
    }
    // PA13 (SWDIO) and PA15 (JTDI) have pull-ups; PA14 (SWCLK) a pull-down. PB4 pull-up.
    EXPECT_EQ(a.read(IDR, 4), 0xA000u);
    EXPECT_EQ(pb.read(IDR, 4), 0x0010u);
    EXPECT_EQ(Stm32f4Gpio::baseAddress('D'), 0x40020C00u);
    EXPECT_TRUE(b.diag.all().empty());
    EXPECT_TRUE(b.pins.empty());
}

TEST(Stm32f4Gpio, ClockOffIgnoresWritesReadsZeroAndWarnsOnce) {
    PeripheralTestBench b;
    bool clock = false;
    Stm32f4Gpio d(b.ctx, 'D', [&] { return clock; });
    d.write(MODER, 4, moderOutput(12));
    d.write(ODR, 4, 1u << 12);
    d.write(BSRR, 4, 1u << 13);
    EXPECT_EQ(d.read(MODER, 4), 0u);
    EXPECT_EQ(d.read(ODR, 4), 0u);
    EXPECT_FALSE(d.pinLevel(12));
    ASSERT_EQ(b.diag.all().size(), 1u);
    const auto& diag = b.diag.all()[0];
    EXPECT_EQ(diag.kind, DiagnosticKind::FirmwareMistake);
    EXPECT_EQ(diag.source, "GPIOD");
    EXPECT_EQ(diag.message,
              "write to MODER while its clock is off (RCC AHB1ENR.GPIODEN=0): ignored, as on "
              "silicon");
    EXPECT_TRUE(b.pins.empty());

    clock = true;
    d.write(MODER, 4, moderOutput(12));
    EXPECT_EQ(d.read(MODER, 4), moderOutput(12));
    EXPECT_EQ(b.diag.all().size(), 1u);
}

TEST(Stm32f4Gpio, BsrrSetWinsOverReset) {
    PeripheralTestBench b;
    Stm32f4Gpio d(b.ctx, 'D', {});
    d.write(ODR, 4, 0x0010);
    d.write(BSRR, 4, (1u << 5) | (1u << (16 + 5)) | (1u << (16 + 4)));
    EXPECT_EQ(d.read(ODR, 4), 0x0020u);
    EXPECT_EQ(d.read(BSRR, 4), 0u);  // write-only
}

TEST(Stm32f4Gpio, HalfwordAndByteBsrrWrites) {
    PeripheralTestBench b;
    Stm32f4Gpio d(b.ctx, 'D', {});
    d.write(BSRR, 2, 0x0203);  // BS0, BS1, BS9
    EXPECT_EQ(d.read(ODR, 4), 0x0203u);
    d.write(BSRR + 2, 2, 0x0001);  // BR0 (offset 0x1A)
    EXPECT_EQ(d.read(ODR, 4), 0x0202u);
    d.write(BSRR + 3, 1, 0x02);  // BR9 (byte 3 = BR15..8)
    EXPECT_EQ(d.read(ODR, 4), 0x0002u);
    d.write(BSRR + 1, 1, 0x80);  // BS15
    EXPECT_EQ(d.read(ODR, 4), 0x8002u);
}

TEST(Stm32f4Gpio, ByteAndHalfwordOdrWrites) {
    PeripheralTestBench b;
    Stm32f4Gpio d(b.ctx, 'D', {});
    d.write(ODR + 1, 1, 0xAB);
    EXPECT_EQ(d.read(ODR, 4), 0xAB00u);
    d.write(ODR, 1, 0xCD);
    EXPECT_EQ(d.read(ODR, 4), 0xABCDu);
    EXPECT_EQ(d.read(ODR + 1, 1), 0xABu);
    d.write(ODR, 2, 0x1234);
    EXPECT_EQ(d.read(ODR, 4), 0x1234u);
}

TEST(Stm32f4Gpio, PinChangesArePublishedOnlyForOutputs) {
    PeripheralTestBench b;  // 16 MHz: one cycle = 62.5 ns
    Stm32f4Gpio d(b.ctx, 'D', {});
    b.advance(10);
    d.write(ODR, 4, 1u << 12);  // input pin: ODR has no effect on the pad
    EXPECT_FALSE(d.pinLevel(12));
    EXPECT_TRUE(b.pins.empty());

    b.advance(90);                       // cycle 100
    d.write(MODER, 4, moderOutput(12));  // becomes an output with ODR already 1
    ASSERT_EQ(b.pins.size(), 1u);
    EXPECT_EQ(b.pins[0].cycle, 100u);
    EXPECT_EQ(b.pins[0].time, 6'250'000u);  // 100 cycles at 16 MHz in ps
    EXPECT_EQ(b.pins[0].port, 'D');
    EXPECT_EQ(b.pins[0].pin, 12u);
    EXPECT_TRUE(b.pins[0].level);
    EXPECT_TRUE(d.pinLevel(12));
    EXPECT_EQ(d.read(IDR, 4), 1u << 12);

    d.write(ODR, 4, 1u << 12);  // no real change: nothing published
    EXPECT_EQ(b.pins.size(), 1u);

    b.advance(50);  // cycle 150
    d.write(BSRR + 2, 2, 1u << 12);
    ASSERT_EQ(b.pins.size(), 2u);
    EXPECT_EQ(b.pins[1].cycle, 150u);
    EXPECT_EQ(b.pins[1].pin, 12u);
    EXPECT_FALSE(b.pins[1].level);

    d.setInputLevel(0, true);  // an input driven by the board: visible, not published
    EXPECT_TRUE(d.pinLevel(0));
    EXPECT_EQ(d.read(IDR, 4), 1u);
    EXPECT_EQ(b.pins.size(), 2u);
    EXPECT_TRUE(b.diag.all().empty());
}

TEST(Stm32f4Gpio, LeavingOutputModePublishesTheRealLevel) {
    PeripheralTestBench b;
    Stm32f4Gpio d(b.ctx, 'D', {});
    d.write(PUPDR, 4, gpio_pupdr::PULL_DOWN << (2 * 3));
    d.write(ODR, 4, 1u << 3);
    d.write(MODER, 4, moderOutput(3));
    d.write(MODER, 4, 0);  // back to input: the pull-down takes the pad low
    ASSERT_EQ(b.pins.size(), 2u);
    EXPECT_TRUE(b.pins[0].level);
    EXPECT_FALSE(b.pins[1].level);
}

TEST(Stm32f4Gpio, InputDefaultsFollowPulls) {
    PeripheralTestBench b;
    Stm32f4Gpio c(b.ctx, 'C', {});
    c.write(PUPDR, 4, (gpio_pupdr::PULL_UP << 0) | (gpio_pupdr::PULL_DOWN << 2));
    EXPECT_TRUE(c.pinLevel(0));
    EXPECT_FALSE(c.pinLevel(1));
    EXPECT_FALSE(c.pinLevel(2));  // floating reads 0
    c.setInputLevel(0, false);    // a button pulls it low
    EXPECT_EQ(c.read(IDR, 4) & 1u, 0u);
    c.releaseInput(0);
    EXPECT_EQ(c.read(IDR, 4) & 1u, 1u);
    EXPECT_TRUE(b.pins.empty());
}

TEST(Stm32f4Gpio, OpenDrainReleasesOnOne) {
    PeripheralTestBench b;
    Stm32f4Gpio c(b.ctx, 'C', {});
    c.write(OTYPER, 4, 1u << 1);
    c.write(MODER, 4, moderOutput(1));
    c.write(ODR, 4, 1u << 1);
    EXPECT_FALSE(c.pinLevel(1));  // released, no pull: floats (reads 0)
    c.write(PUPDR, 4, gpio_pupdr::PULL_UP << 2);
    EXPECT_TRUE(c.pinLevel(1));
    c.setInputLevel(1, false);  // another device holds the line low
    EXPECT_FALSE(c.pinLevel(1));
    ASSERT_EQ(b.pins.size(), 2u);
    EXPECT_TRUE(b.pins[0].level);
    EXPECT_FALSE(b.pins[1].level);
}

TEST(Stm32f4Gpio, AnalogPinsReadZero) {
    PeripheralTestBench b;
    Stm32f4Gpio c(b.ctx, 'C', {});
    c.setInputLevel(4, true);
    EXPECT_EQ(c.read(IDR, 4), 1u << 4);
    c.write(MODER, 4, gpio_moder::ANALOG << (2 * 4));
    EXPECT_EQ(c.read(IDR, 4), 0u);
}

TEST(Stm32f4Gpio, IdrIsReadOnly) {
    PeripheralTestBench b;
    Stm32f4Gpio c(b.ctx, 'C', {});
    c.write(IDR, 4, 0xFFFF);
    EXPECT_EQ(c.read(IDR, 4), 0u);
    EXPECT_EQ(b.mistakes("read-only register IDR"), 1u);
}

TEST(Stm32f4Gpio, LockSequenceFreezesLockedPinsUntilReset) {
    PeripheralTestBench b;
    Stm32f4Gpio d(b.ctx, 'D', {});
    d.write(MODER, 4, moderOutput(0));
    d.write(LCKR, 4, gpio_lckr::LCKK | 0x0001);
    d.write(LCKR, 4, 0x0001);
    d.write(LCKR, 4, gpio_lckr::LCKK | 0x0001);
    EXPECT_EQ(d.read(LCKR, 4), gpio_lckr::LCKK | 0x0001);  // the read activates the lock
    EXPECT_EQ(d.read(LCKR, 4) & gpio_lckr::LCKK, gpio_lckr::LCKK);
    EXPECT_TRUE(d.isLocked(0));
    EXPECT_FALSE(d.isLocked(1));

    d.write(MODER, 4, moderOutput(1));  // pin 0 back to input (locked), pin 1 output (free)
    EXPECT_EQ(d.read(MODER, 4), moderOutput(0) | moderOutput(1));
    d.write(AFRL, 4, 0x77);
    EXPECT_EQ(d.read(AFRL, 4), 0x70u);
    EXPECT_EQ(b.mistakes("write to MODER changes pins locked by LCKR (0x0001)"), 1u);
    EXPECT_EQ(b.mistakes("write to AFRL changes pins locked"), 1u);
    d.write(ODR, 4, 1u);  // data is not locked
    EXPECT_TRUE(d.pinLevel(0));

    d.write(LCKR, 4, 0);  // the lock register itself is frozen
    EXPECT_EQ(d.read(LCKR, 4), gpio_lckr::LCKK | 0x0001);
    EXPECT_EQ(b.mistakes("LCKR written after the port configuration was locked"), 1u);

    d.reset();
    EXPECT_FALSE(d.isLocked(0));
    EXPECT_EQ(d.read(LCKR, 4), 0u);
    d.write(MODER, 4, moderOutput(2));
    EXPECT_EQ(d.read(MODER, 4), moderOutput(2));
}

TEST(Stm32f4Gpio, BrokenLockSequenceDoesNotLock) {
    PeripheralTestBench b;
    Stm32f4Gpio d(b.ctx, 'D', {});
    d.write(LCKR, 4, gpio_lckr::LCKK | 0x0001);
    d.write(LCKR, 4, 0x0003);  // LCK[15:0] changed mid-sequence
    d.write(LCKR, 4, gpio_lckr::LCKK | 0x0003);
    EXPECT_EQ(d.read(LCKR, 4) & gpio_lckr::LCKK, 0u);
    EXPECT_FALSE(d.isLocked(0));
    EXPECT_EQ(b.mistakes("lock key sequence aborted"), 1u);
    d.write(MODER, 4, moderOutput(0));
    EXPECT_EQ(d.read(MODER, 4), moderOutput(0));
}

TEST(Stm32f4Gpio, ResetReturnsOutputsToInputsAndPublishes) {
    PeripheralTestBench b;
    Stm32f4Gpio d(b.ctx, 'D', {});
    d.write(MODER, 4, moderOutput(15));
    d.write(BSRR, 4, 1u << 15);
    ASSERT_EQ(b.pins.size(), 1u);
    d.reset();
    ASSERT_EQ(b.pins.size(), 2u);
    EXPECT_FALSE(b.pins[1].level);
    EXPECT_EQ(d.read(ODR, 4), 0u);
}

}  // namespace
}  // namespace cmsim
