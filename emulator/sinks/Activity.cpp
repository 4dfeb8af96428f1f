#include "Activity.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "../Nvic.h"

namespace cmsim::sinks {

std::string WatchedPin::pinName() const { return fmt::format("P{}{}", port, pin); }

std::vector<WatchedPin> boardLeds(const BoardDescription& board) {
    std::vector<WatchedPin> out;
    for (const auto& led : board.leds) {
        out.push_back(WatchedPin{std::string(led.name), std::string(led.color), led.port, led.pin,
                                 led.activeHigh, true});
    }
    return out;
}

namespace {
bool hasGpioPort(const ChipDescription& chip, char port) {
    const std::string block = fmt::format("GPIO{}", port);
    return std::any_of(chip.peripherals.begin(), chip.peripherals.end(), [&](const PeripheralBlock& b) {
        return b.name == block && b.model != "unmodelled";
    });
}
}  // namespace

std::optional<std::vector<WatchedPin>> parsePinList(const std::vector<std::string>& names,
                                                    const ChipDescription& chip, std::string* error) {
    std::vector<WatchedPin> out;
    for (const auto& list : names) {
        std::size_t start = 0;
        while (start <= list.size()) {
            const std::size_t comma = std::min(list.find(',', start), list.size());
            const std::string name = list.substr(start, comma - start);
            start = comma + 1;
            if (name.empty()) {
                if (comma == list.size()) break;
                continue;
            }
            // P<port letter><pin number>, e.g. PD12.
            bool ok = name.size() >= 3 && name.size() <= 4 && (name[0] == 'P' || name[0] == 'p') &&
                      std::isalpha(static_cast<unsigned char>(name[1]));
            unsigned pin = 0;
            for (std::size_t i = 2; ok && i < name.size(); ++i) {
                ok = std::isdigit(static_cast<unsigned char>(name[i])) != 0;
                pin = pin * 10 + static_cast<unsigned>(name[i] - '0');
            }
            if (!ok) {
                *error = fmt::format("{}: expected a pin name such as PD12 (port letter, pin 0-15)", name);
                return std::nullopt;
            }
            const char port = static_cast<char>(std::toupper(static_cast<unsigned char>(name[1])));
            if (!hasGpioPort(chip, port) || pin > 15) {
                *error = fmt::format("{}: no pin P{}{} on {} (GPIO ports {}, pins 0-15)", name, port, pin,
                                     chip.name, [&] {
                                         std::string ports;
                                         for (char p = 'A'; p <= 'K'; ++p) {
                                             if (hasGpioPort(chip, p)) ports += p;
                                         }
                                         return ports;
                                     }());
                return std::nullopt;
            }
            out.push_back(WatchedPin{fmt::format("P{}{}", port, pin), "", port,
                                     static_cast<std::uint8_t>(pin), true, false});
        }
    }
    return out;
}

std::vector<WatchedPin> mergePins(std::vector<WatchedPin> leds, const std::vector<WatchedPin>& extra) {
    for (const auto& p : extra) {
        const bool known = std::any_of(leds.begin(), leds.end(), [&](const WatchedPin& q) {
            return q.port == p.port && q.pin == p.pin;
        });
        if (!known) leds.push_back(p);
    }
    return leds;
}

std::string exceptionName(unsigned number, const ChipDescription* chip) {
    if (chip != nullptr && number >= exc::kFirstIrq) {
        const unsigned irq = number - exc::kFirstIrq;
        if (irq < chip->irqNames.size()) return fmt::format("IRQ {} {}", irq, chip->irqNames[irq]);
    }
    return Nvic::exceptionName(number);
}

std::string formatMsDecimals(Picoseconds t, unsigned decimals) {
    std::uint64_t scale = 1'000'000'000;  // picoseconds per ms
    std::uint64_t unit = 1;
    for (unsigned i = 0; i < decimals && scale > 1; ++i) {
        scale /= 10;
        unit *= 10;
    }
    const std::uint64_t v = t / scale + (t % scale >= (scale + 1) / 2 ? 1 : 0);
    if (unit == 1) return fmt::format("{}", v);
    return fmt::format("{}.{:0{}}", v / unit, v % unit, decimals);
}

ActivityStream::ActivityStream(Signals& signals, const TimeBase& time, std::vector<WatchedPin> pins,
                               std::function<std::string(std::uint32_t)> taskName,
                               const ChipDescription* chip)
    : pins_(std::move(pins)), taskName_(std::move(taskName)), chip_(chip), time_(time) {
    signals.pins.subscribe([this](const PinChange& c) {
        for (std::size_t i = 0; i < pins_.size(); ++i) {
            if (pins_[i].port == c.port && pins_[i].pin == c.pin) {
                push(Item{Item::Kind::Pin, c.cycle, c.time, i, c.level ? 1u : 0u});
            }
        }
    });
    signals.ticks.subscribe([this](const TickEvent& e) {
        push(Item{Item::Kind::Tick, e.cycle, e.time, e.count, 0});
    });
    signals.exceptions.subscribe([this](const ExceptionEvent& e) { onException(e); });
    signals.switches.subscribe([this](const ContextSwitch& s) {
        push(Item{Item::Kind::Switch, s.cycle, s.time, s.fromTask, s.toTask,
                  std::min(s.time, time_.toPicoseconds(s.triggerCycle))});
    });
}

void ActivityStream::onException(const ExceptionEvent& e) {
    // Exceptions are published in the order they happen: keep the stack here and hand on
    // the IPSR each change leaves.
    auto leave = [&](unsigned number, unsigned after) {
        push(Item{Item::Kind::Leave, e.cycle, e.time, number, after});
    };
    switch (e.kind) {
        case ExceptionEvent::Kind::Entry:
            if ((e.excReturn & 0x8u) != 0) {
                // Taken from Thread mode: nothing can be active (a system reset drops the
                // handlers without returns).
                while (!stack_.empty()) {
                    const unsigned n = stack_.back();
                    stack_.pop_back();
                    leave(n, stack_.empty() ? 0 : stack_.back());
                }
            }
            stack_.push_back(e.number);
            push(Item{Item::Kind::Enter, e.cycle, e.time, e.number, e.number});
            break;
        case ExceptionEvent::Kind::TailChain:
            if (!stack_.empty()) {
                leave(stack_.back(), e.number);
                stack_.back() = e.number;
            } else {
                stack_.push_back(e.number);
            }
            push(Item{Item::Kind::Enter, e.cycle, e.time, e.number, e.number});
            break;
        case ExceptionEvent::Kind::Return: {
            auto it = std::find(stack_.rbegin(), stack_.rend(), e.number);
            if (it == stack_.rend()) break;  // not seen entering (cannot happen in a run)
            stack_.erase(std::next(it).base());
            leave(e.number, stack_.empty() ? 0 : stack_.back());
            break;
        }
    }
}

void ActivityStream::push(Item item) {
    if (finished_) return;
    // Almost always in order: insert from the back.
    auto pos = held_.end();
    while (pos != held_.begin() && std::prev(pos)->cycle > item.cycle) --pos;
    held_.insert(pos, item);
    newest_ = std::max(newest_, item.cycle);
    if (newest_ >= kHorizon) release(newest_ - kHorizon, false);
}

void ActivityStream::release(Cycles upTo, bool all) {
    while (!held_.empty() && (all || held_.front().cycle <= upTo)) {
        const Item item = held_.front();
        held_.pop_front();
        dispatch(item);
    }
}

void ActivityStream::dispatch(const Item& i) {
    for (auto* l : listeners_) {
        switch (i.kind) {
            case Item::Kind::Pin: l->onPin(i.time, i.a, i.b != 0); break;
            case Item::Kind::Tick: l->onTick(i.time, i.a); break;
            case Item::Kind::Enter:
                l->onHandlerEnter(i.time, static_cast<unsigned>(i.a), static_cast<unsigned>(i.b));
                break;
            case Item::Kind::Leave:
                l->onHandlerLeave(i.time, static_cast<unsigned>(i.a), static_cast<unsigned>(i.b));
                break;
            case Item::Kind::Switch:
                l->onTaskSwitch(i.time, i.c, static_cast<std::uint32_t>(i.a), static_cast<std::uint32_t>(i.b));
                break;
        }
    }
}

void ActivityStream::finish(Picoseconds end) {
    if (finished_) return;
    release(0, true);
    finished_ = true;
    for (auto* l : listeners_) l->onEnd(end);
}

}  // namespace cmsim::sinks
