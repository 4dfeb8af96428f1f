#include "Stm32f4Gpio.h"

#include <fmt/format.h>

#include <array>
#include <stdexcept>

namespace cmsim {

namespace {

using namespace gpio_reg;

// RM0090 §8.4. Only MODER, OSPEEDR and PUPDR reset values differ per port: port A comes
// out of reset with the JTAG/SWD pins PA13-15 in alternate function (PA13 pull-up and very
// high speed, PA14 pull-down, PA15 pull-up), port B with PB3/PB4 (JTDO, NJTRST pull-up).
constexpr std::array<RegisterSpec, 10> table(std::uint32_t moder, std::uint32_t ospeedr,
                                             std::uint32_t pupdr) {
    return {{
        {MODER, "MODER", moder, 0xFFFFFFFF},                        // §8.4.1
        {OTYPER, "OTYPER", 0x00000000, 0x0000FFFF},                 // §8.4.2
        {OSPEEDR, "OSPEEDR", ospeedr, 0xFFFFFFFF},                  // §8.4.3
        {PUPDR, "PUPDR", pupdr, 0xFFFFFFFF},                        // §8.4.4
        {IDR, "IDR", 0x00000000, 0x00000000, Access::ReadOnly},     // §8.4.5 (live pad levels)
        {ODR, "ODR", 0x00000000, 0x0000FFFF},                       // §8.4.6
        {BSRR, "BSRR", 0x00000000, 0xFFFFFFFF, Access::WriteOnly},  // §8.4.7
        {LCKR, "LCKR", 0x00000000, 0x0001FFFF},                     // §8.4.8
        {AFRL, "AFRL", 0x00000000, 0xFFFFFFFF},                     // §8.4.9
        {AFRH, "AFRH", 0x00000000, 0xFFFFFFFF},                     // §8.4.10
    }};
}
constexpr auto kPortA = table(0xA8000000, 0x0C000000, 0x64000000);
constexpr auto kPortB = table(0x00000280, 0x000000C0, 0x00000100);
constexpr auto kOtherPorts = table(0x00000000, 0x00000000, 0x00000000);

// RM0468 §11.4.1-§11.4.4: on the H7 every pin leaves reset in analog mode (MODER 11)
// except the debug pins: PA13 (SWDIO), PA14 (SWCLK), PA15 (JTDI), PB3 (JTDO/SWO) and PB4
// (NJTRST) in alternate function, with the same speeds and pulls as on the F4.
constexpr auto kH7PortA = table(0xABFFFFFF, 0x0C000000, 0x64000000);
constexpr auto kH7PortB = table(0xFFFFFEBF, 0x000000C0, 0x00000100);
constexpr auto kH7OtherPorts = table(0xFFFFFFFF, 0x00000000, 0x00000000);

struct FamilyInfo {
    const char* chip;            // for "no port" errors
    const char* registers;       // manual section of the register descriptions
    const char* enableRegister;  // RCC register holding GPIOxEN
};

FamilyInfo info(GpioFamily family) {
    if (family == GpioFamily::Stm32h7) return {"STM32H72x/73x", "RM0468 §11.4", "AHB4ENR"};
    return {"STM32F405/407", "RM0090 §8.4", "AHB1ENR"};
}

std::span<const RegisterSpec> tableFor(char port, GpioFamily family) {
    if (family == GpioFamily::Stm32h7) {
        // GPIOI does not exist on the H72x/73x (RM0468 §8.7.43 AHB4ENR has no GPIOIEN).
        if (port < 'A' || port > 'K' || port == 'I') {
            throw std::logic_error(fmt::format("GPIO: no port '{}' on the {}", port, info(family).chip));
        }
        return port == 'A' ? kH7PortA : port == 'B' ? kH7PortB : kH7OtherPorts;
    }
    if (port < 'A' || port > 'I') {
        throw std::logic_error(fmt::format("GPIO: no port '{}' on the {}", port, info(family).chip));
    }
    return port == 'A' ? kPortA : port == 'B' ? kPortB : kOtherPorts;
}

unsigned field2(std::uint32_t reg, unsigned pin) {
    return (reg >> (2 * pin)) & 3u;
}

}  // namespace

Stm32f4Gpio::Stm32f4Gpio(PeripheralContext& ctx, char port, std::function<bool()> clockEnabled,
                         GpioFamily family)
    : RegisterPeripheral(fmt::format("GPIO{}", port), kBlockSize, ctx, tableFor(port, family)),
      port_(port),
      family_(family),
      clockEnabled_(std::move(clockEnabled)) {
    levels_ = computeLevels();
    outputs_ = outputPins();
}

// ---- clock gate (RCC AHB1ENR.GPIOxEN, RM0090 §7.3.10; AHB4ENR, RM0468 §8.7.43) -----

bool Stm32f4Gpio::clockOn(std::uint32_t offset, bool isWrite) {
    if (!clockEnabled_ || clockEnabled_()) return true;
    const std::string_view reg = registerName(offset);
    const std::string where =
        reg.empty() ? fmt::format("offset 0x{:03x}", offset) : std::string(reg);
    ctx().diag.firmwareMistakeOnce(
        fmt::format("{}:clock-off", name()), name(),
        fmt::format("{} {} while its clock is off (RCC {}.GPIO{}EN=0): {}, as on silicon",
                    isWrite ? "write to" : "read of", where, info(family_).enableRegister, port_,
                    isWrite ? "ignored" : "reads 0"));
    return false;
}

std::uint32_t Stm32f4Gpio::read(std::uint32_t offset, unsigned width) {
    if (!clockOn(offset, false)) return 0;
    return RegisterPeripheral::read(offset, width);
}

void Stm32f4Gpio::write(std::uint32_t offset, unsigned width, std::uint32_t value) {
    if (!clockOn(offset, true)) return;
    RegisterPeripheral::write(offset, width, value);
}

// ---- pads ------------------------------------------------------------------------

void Stm32f4Gpio::setInputLevel(unsigned pin, bool level) {
    if (pin > 15) throw std::out_of_range(fmt::format("{}: no pin {}", name(), pin));
    const auto bit = static_cast<std::uint16_t>(1u << pin);
    externalDriven_ |= bit;
    externalLevel_ = level ? (externalLevel_ | bit) : (externalLevel_ & ~bit);
    updatePins();
}

void Stm32f4Gpio::releaseInput(unsigned pin) {
    if (pin > 15) throw std::out_of_range(fmt::format("{}: no pin {}", name(), pin));
    externalDriven_ &= static_cast<std::uint16_t>(~(1u << pin));
    updatePins();
}

std::uint16_t Stm32f4Gpio::outputPins() const {
    const std::uint32_t moder = value(MODER);
    std::uint16_t out = 0;
    for (unsigned pin = 0; pin < 16; ++pin) {
        if (field2(moder, pin) == gpio_moder::OUTPUT) out |= static_cast<std::uint16_t>(1u << pin);
    }
    return out;
}

// RM0090 §8.3: output push-pull drives ODR; open-drain drives 0 and releases on 1; input
// and alternate function pins show the external driver or the pull (none reads 0 here);
// analog pins have their pulls disconnected (§8.3.12).
std::uint16_t Stm32f4Gpio::computeLevels() const {
    const std::uint32_t moder = value(MODER);
    const std::uint32_t otyper = value(OTYPER);
    const std::uint32_t pupdr = value(PUPDR);
    const std::uint32_t odr = value(ODR);
    std::uint16_t levels = 0;
    for (unsigned pin = 0; pin < 16; ++pin) {
        const bool driven = ((externalDriven_ >> pin) & 1u) != 0;
        const bool external = ((externalLevel_ >> pin) & 1u) != 0;
        const bool released = driven ? external : field2(pupdr, pin) == gpio_pupdr::PULL_UP;
        const bool out = ((odr >> pin) & 1u) != 0;
        bool level = released;
        switch (field2(moder, pin)) {
            case gpio_moder::OUTPUT:
                level = ((otyper >> pin) & 1u) != 0 ? (out && released) : out;
                break;
            case gpio_moder::ANALOG:
                level = driven && external;
                break;
            default:
                break;
        }
        if (level) levels |= static_cast<std::uint16_t>(1u << pin);
    }
    return levels;
}

void Stm32f4Gpio::updatePins() {
    const std::uint16_t levels = computeLevels();
    const std::uint16_t outputs = outputPins();
    const std::uint16_t changed = levels ^ levels_;
    const std::uint16_t published = changed & (outputs | outputs_);
    levels_ = levels;
    outputs_ = outputs;
    if (changed == 0) return;
    const auto& time = ctx().time;
    for (unsigned pin = 0; pin < 16; ++pin) {
        if (((changed >> pin) & 1u) == 0) continue;
        const bool level = ((levels >> pin) & 1u) != 0;
        if (((published >> pin) & 1u) != 0) {
            ctx().signals.pins.publish(PinChange{time.now(), time.nowPicoseconds(), port_,
                                                 static_cast<std::uint8_t>(pin), level});
        }
        if (levelListener_) levelListener_(pin, level);
    }
}

// ---- registers -------------------------------------------------------------------

std::uint32_t Stm32f4Gpio::onRead(const RegisterSpec& reg, std::uint32_t stored) {
    switch (reg.offset) {
        case IDR: {
            // §8.4.5 / §8.3.12: analog pins read 0 (Schmitt trigger disabled).
            std::uint32_t analog = 0;
            const std::uint32_t moder = value(MODER);
            for (unsigned pin = 0; pin < 16; ++pin) {
                if (field2(moder, pin) == gpio_moder::ANALOG) analog |= 1u << pin;
            }
            return levels_ & ~analog;
        }
        case LCKR:
            // §8.4.8: the read after the third key write activates the lock.
            if (lockStage_ == 3) {
                locked_ = true;
                lockStage_ = 0;
            }
            return (stored & gpio_lckr::LCK_MASK) | (locked_ ? gpio_lckr::LCKK : 0);
        default:
            return stored;
    }
}

void Stm32f4Gpio::onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                          std::uint32_t written, std::uint32_t lanes) {
    switch (reg.offset) {
        case MODER:
        case OTYPER:
        case PUPDR:
            enforceLock(reg, oldValue, newValue);
            if (reg.offset == PUPDR) {
                const std::uint32_t v = value(PUPDR);
                for (unsigned pin = 0; pin < 16; ++pin) {
                    if (field2(v, pin) != gpio_pupdr::RESERVED) continue;
                    ctx().diag.firmwareMistakeOnce(
                        fmt::format("{}:pupdr-reserved", name()), name(),
                        fmt::format("PUPDR{} = 11 is reserved ({}.4); modelled as no pull",
                                    pin, info(family_).registers));
                    break;
                }
            }
            updatePins();
            break;
        case OSPEEDR:
        case AFRL:
        case AFRH:
            enforceLock(reg, oldValue, newValue);
            break;
        case ODR:
            updatePins();
            break;  // §8.4.6 (any access width: lanes done by the base)
        case BSRR: {
            // §8.4.7: BSy sets, BRy resets, BSy wins when both are 1. Halfword/byte writes
            // reach only their lanes (`written` is already positioned).
            const std::uint32_t set = written & 0xFFFFu;
            const std::uint32_t reset = written >> 16;
            setValue(ODR, (value(ODR) & ~reset) | set);
            setValue(BSRR, 0);
            updatePins();
            break;
        }
        case LCKR:
            writeLckr(oldValue, newValue, lanes);
            break;
        default:
            break;
    }
}

// ---- configuration lock (§8.3.6, §8.4.8) ------------------------------------------

bool Stm32f4Gpio::isLocked(unsigned pin) const {
    return locked_ && ((value(LCKR) >> pin) & 1u) != 0;
}

std::uint32_t Stm32f4Gpio::lockedFieldMask(std::uint32_t offset) const {
    if (!locked_) return 0;
    const std::uint32_t pins = value(LCKR) & gpio_lckr::LCK_MASK;
    std::uint32_t mask = 0;
    for (unsigned pin = 0; pin < 16; ++pin) {
        if (((pins >> pin) & 1u) == 0) continue;
        switch (offset) {
            case MODER:
            case OSPEEDR:
            case PUPDR:
                mask |= 3u << (2 * pin);
                break;
            case OTYPER:
                mask |= 1u << pin;
                break;
            case AFRL:
                mask |= pin < 8 ? 0xFu << (4 * pin) : 0;
                break;
            case AFRH:
                mask |= pin >= 8 ? 0xFu << (4 * (pin - 8)) : 0;
                break;
            default:
                break;
        }
    }
    return mask;
}

void Stm32f4Gpio::enforceLock(const RegisterSpec& reg, std::uint32_t oldValue,
                              std::uint32_t newValue) {
    const std::uint32_t locked = lockedFieldMask(reg.offset);
    if (((oldValue ^ newValue) & locked) == 0) return;
    setValue(reg.offset, (newValue & ~locked) | (oldValue & locked));
    ctx().diag.firmwareMistakeOnce(
        fmt::format("{}:locked:{}", name(), reg.name), name(),
        fmt::format("write to {} changes pins locked by LCKR (0x{:04x}): those bits are kept until "
                    "reset, as on silicon ({}.8)",
                    reg.name, value(LCKR) & gpio_lckr::LCK_MASK, info(family_).registers));
}

// §8.4.8 lock key sequence, 32-bit writes with the same LCK[15:0]:
//   LCKK=1, LCKK=0, LCKK=1, then read LCKR (the lock is active; LCKK reads 1 until reset).
// LCK[15:0] can be written only while the lock is not active.
void Stm32f4Gpio::writeLckr(std::uint32_t oldValue, std::uint32_t newValue, std::uint32_t lanes) {
    using namespace gpio_lckr;
    if (locked_) {
        setValue(LCKR, oldValue);
        ctx().diag.firmwareMistakeOnce(
            fmt::format("{}:lckr-locked", name()), name(),
            fmt::format("LCKR written after the port configuration was locked: ignored until "
                        "reset ({}.8)",
                        info(family_).registers));
        return;
    }
    const std::uint32_t lck = newValue & LCK_MASK;
    const bool key = (newValue & LCKK) != 0;
    const bool word = lanes == 0xFFFFFFFFu;
    setValue(LCKR, lck);  // LCKK reads 1 only once the lock is active
    bool step = false;
    if (word) {
        switch (lockStage_) {
            case 0:
                step = key;
                break;
            case 1:
                step = !key && lck == lockPattern_;
                break;
            case 2:
                step = key && lck == lockPattern_;
                break;
            default:
                break;  // stage 3 waits for the read
        }
    }
    if (step) {
        if (lockStage_ == 0) lockPattern_ = lck;
        ++lockStage_;
        return;
    }
    const bool aborted = lockStage_ != 0 || (!word && (lanes & LCKK) != 0);
    lockStage_ = 0;
    if (word && key) {  // this write may begin a new sequence
        lockStage_ = 1;
        lockPattern_ = lck;
    }
    if (aborted) {
        ctx().diag.firmwareMistakeOnce(
            fmt::format("{}:lckr-sequence", name()), name(),
            fmt::format("LCKR lock key sequence aborted: the port is not locked ({}.8: write "
                        "LCKK=1, 0, 1 with the same LCK[15:0] as 32-bit words, then read LCKR)",
                        info(family_).registers));
    }
}

void Stm32f4Gpio::onReset() {
    locked_ = false;
    lockStage_ = 0;
    lockPattern_ = 0;
    updatePins();  // outputs return to inputs: their pads may change
}

std::string Stm32f4Gpio::describeValue(std::uint32_t offset, std::uint32_t value,
                                       bool /*isWrite*/) const {
    std::string out;
    auto add = [&out](const std::string& item) { out += (out.empty() ? "" : ", ") + item; };
    switch (offset) {
        case BSRR:
            for (unsigned pin = 0; pin < 16; ++pin) {
                // Set wins when both bits are written (RM0090 §8.4.7).
                if (value & (1u << pin)) add(fmt::format("BS{}: P{}{} high", pin, port_, pin));
                else if (value & (1u << (pin + 16))) add(fmt::format("BR{}: P{}{} low", pin, port_, pin));
            }
            break;
        case ODR:
        case IDR:
            for (unsigned pin = 0; pin < 16; ++pin) {
                if (value & (1u << pin)) add(fmt::format("P{}{}", port_, pin));
            }
            if (out.empty()) out = "all low";
            else out += " high";
            break;
        case MODER: {
            static constexpr const char* kModes[] = {"input", "output", "alternate", "analog"};
            for (unsigned pin = 0; pin < 16; ++pin) {
                const unsigned mode = (value >> (2 * pin)) & 3u;
                if (mode != 0) add(fmt::format("P{}{} {}", port_, pin, kModes[mode]));
            }
            break;
        }
        default: return RegisterPeripheral::describeValue(offset, value, false);
    }
    return out;
}

}  // namespace cmsim
