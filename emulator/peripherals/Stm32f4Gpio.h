#pragma once
// STM32F4 general-purpose I/O port (GPIOA..GPIOI), RM0090 §8. 0x400 bytes per port,
// GPIOA at 0x40020000, each next port 0x400 higher (AHB1).
//
// The STM32H7 port (RM0468 §11, GPIOA at 0x58020000 on AHB4) has the same ten registers
// with the same layout and behaviour; only the reset values (every pin analog), the port
// set (A-H, J, K on the H72x/73x) and the clock enable register (AHB4ENR) differ. The
// same model serves both, selected by GpioFamily.
//
// Modelled: the ten port registers with their per-port reset values, the pad level of
// each pin (push-pull/open-drain output, input with pull-up/down or an external driver,
// analog), BSRR set/reset with set priority, the LCKR configuration lock, and the clock
// gate (RCC AHB1ENR.GPIOxEN): with the clock off the port ignores writes and reads 0.
// PinChange events are published for real level changes of pins that are (or just were)
// general-purpose outputs; alternate-function pins are driven by other peripheral models.
// Not modelled: OSPEEDR (edge rates), the one-AHB-cycle IDR sampling delay.
#include <cstdint>
#include <functional>

#include "RegisterPeripheral.h"

namespace cmsim {

// Register offsets, RM0090 §8.4.11 (GPIO register map).
namespace gpio_reg {
constexpr std::uint32_t MODER = 0x00;
constexpr std::uint32_t OTYPER = 0x04;
constexpr std::uint32_t OSPEEDR = 0x08;
constexpr std::uint32_t PUPDR = 0x0C;
constexpr std::uint32_t IDR = 0x10;
constexpr std::uint32_t ODR = 0x14;
constexpr std::uint32_t BSRR = 0x18;
constexpr std::uint32_t LCKR = 0x1C;
constexpr std::uint32_t AFRL = 0x20;
constexpr std::uint32_t AFRH = 0x24;
}  // namespace gpio_reg

namespace gpio_moder {  // RM0090 §8.4.1, two bits per pin
constexpr std::uint32_t INPUT = 0;
constexpr std::uint32_t OUTPUT = 1;
constexpr std::uint32_t ALTERNATE = 2;
constexpr std::uint32_t ANALOG = 3;
}  // namespace gpio_moder

namespace gpio_pupdr {  // RM0090 §8.4.4, two bits per pin
constexpr std::uint32_t NONE = 0;
constexpr std::uint32_t PULL_UP = 1;
constexpr std::uint32_t PULL_DOWN = 2;
constexpr std::uint32_t RESERVED = 3;
}  // namespace gpio_pupdr

namespace gpio_lckr {  // RM0090 §8.4.8
constexpr std::uint32_t LCK_MASK = 0xFFFFu;
constexpr std::uint32_t LCKK = 1u << 16;
}  // namespace gpio_lckr

// The family a port belongs to: its reset values, ports, clock enable register and the
// reference manual its diagnostics cite.
enum class GpioFamily {
    Stm32f4,  // STM32F405/407, RM0090 §8: ports A-I, RCC AHB1ENR
    Stm32h7,  // STM32H723/733/725/735/730, RM0468 §11: ports A-H, J, K, RCC AHB4ENR
};

class Stm32f4Gpio final : public RegisterPeripheral {
  public:
    static constexpr std::uint32_t kBlockSize = 0x400;
    static constexpr std::uint32_t baseAddress(char port) {
        return 0x40020000u + static_cast<std::uint32_t>(port - 'A') * 0x400u;
    }
    static constexpr std::uint32_t h7BaseAddress(char port) {
        return 0x58020000u + static_cast<std::uint32_t>(port - 'A') * 0x400u;
    }

    // port: 'A'..'I' (F4) or 'A'..'H', 'J', 'K' (H7). clockEnabled: RCC AHB1ENR.GPIOxEN
    // (F4) or AHB4ENR.GPIOxEN (H7); empty = always on.
    Stm32f4Gpio(PeripheralContext& ctx, char port, std::function<bool()> clockEnabled,
                GpioFamily family = GpioFamily::Stm32f4);

    std::uint32_t read(std::uint32_t offset, unsigned width) override;
    void write(std::uint32_t offset, unsigned width, std::uint32_t value) override;

    char port() const { return port_; }
    // The board drives a pin (button, another chip); an output in push-pull mode wins.
    void setInputLevel(unsigned pin, bool level);
    // The board stops driving the pin: it floats to its pull-up/down (none reads 0).
    void releaseInput(unsigned pin);
    // Current pad level of a pin.
    bool pinLevel(unsigned pin) const { return ((levels_ >> pin) & 1u) != 0; }
    bool isLocked(unsigned pin) const;
    // Every pad level change, inputs included (for EXTI); outputs are also published on
    // Signals::pins.
    void onLevelChange(std::function<void(unsigned pin, bool level)> f) {
        levelListener_ = std::move(f);
    }

  protected:
    std::uint32_t onRead(const RegisterSpec& reg, std::uint32_t stored) override;
    void onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                 std::uint32_t written, std::uint32_t lanes) override;
    void onReset() override;

public:
    // "BS12: PD12 high, BR13: PD13 low" for BSRR; pins for ODR/IDR; modes for MODER.
    std::string describeValue(std::uint32_t offset, std::uint32_t value, bool isWrite) const override;

protected:

  private:
    bool clockOn(std::uint32_t offset, bool isWrite);
    std::uint32_t lockedFieldMask(std::uint32_t offset) const;
    void enforceLock(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue);
    void writeLckr(std::uint32_t oldValue, std::uint32_t newValue, std::uint32_t lanes);
    std::uint16_t computeLevels() const;
    std::uint16_t outputPins() const;  // MODER = 01
    void updatePins();                 // recompute pad levels, publish changes

    char port_;
    GpioFamily family_;
    std::function<bool()> clockEnabled_;
    std::function<void(unsigned, bool)> levelListener_;
    std::uint16_t externalDriven_ = 0;  // pins the board drives
    std::uint16_t externalLevel_ = 0;
    std::uint16_t levels_ = 0;   // current pad levels
    std::uint16_t outputs_ = 0;  // pins in output mode at the last update
    // LCKR key sequence (§8.4.8): 0 idle, 1..3 after each write, then a read locks.
    unsigned lockStage_ = 0;
    std::uint32_t lockPattern_ = 0;
    bool locked_ = false;
};

}  // namespace cmsim
