#pragma once
// Pictures of time, part 1: the run's activity in time order. A sink on the same event
// stream as the console log and the scenario checker (pin changes, exceptions, SysTick
// wraps, and the context switches ContextSwitchDetector derives from the exceptions),
// turned into what a picture draws: pin levels, the exception stack (IPSR), the task
// owning Thread mode, SysTick strobes.
//
// Events are published in execution order, but a SysTick wrap is published at the block
// boundary after the exact cycle it carries, so it can arrive after a pin change that
// happened later in simulated time. ActivityStream holds events for a short horizon (in
// cycles, longer than any basic block) and hands them on sorted by cycle, so every
// listener sees time that never goes back.
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../ChipDescription.h"
#include "../Signals.h"
#include "../TimeBase.h"

namespace cmsim::sinks {

// A 1-bit signal a picture shows: one of the board's LEDs or a pin chosen by the user.
struct WatchedPin {
    std::string name;   // "LD4" for an LED, "PB0" for a plain pin
    std::string color;  // the LED's colour ("green"); empty for a plain pin
    char port = 'A';
    std::uint8_t pin = 0;
    bool activeHigh = true;  // an LED is lit when its level equals activeHigh
    bool isLed = false;

    std::string pinName() const;  // "PD12"
};

// The board's LEDs, in the board description's order.
std::vector<WatchedPin> boardLeds(const BoardDescription& board);
// "PD12,PB0" (or one name per element) -> pins; nullopt and *error ("PZ99: ...") when a
// name is malformed or the chip has no such GPIO port or pin.
std::optional<std::vector<WatchedPin>> parsePinList(const std::vector<std::string>& names,
                                                    const ChipDescription& chip, std::string* error);
// The LEDs, then the chosen pins that are not LEDs, without duplicates.
std::vector<WatchedPin> mergePins(std::vector<WatchedPin> leds, const std::vector<WatchedPin>& extra);

// "SysTick", "PendSV", "SVCall", "IRQ 6 EXTI0" (the chip's IRQ name when it has one).
std::string exceptionName(unsigned number, const ChipDescription* chip);

// Receives the activity in time order. All times are simulated picoseconds. At the start
// of a run every pin is low, Thread mode runs task 0 ("main") and IPSR is 0.
class ActivityListener {
public:
    virtual ~ActivityListener() = default;
    // Watched pin `index` (into ActivityStream::pins()) changed level.
    virtual void onPin(Picoseconds /*t*/, std::size_t /*index*/, bool /*level*/) {}
    // SysTick counted down to 0 (wrap number `count`, from 1).
    virtual void onTick(Picoseconds /*t*/, std::uint64_t /*count*/) {}
    // A handler starts (entry or tail-chain) or ends (return, or tail-chained away);
    // `ipsr` is the active exception number after the change (0: Thread mode).
    virtual void onHandlerEnter(Picoseconds /*t*/, unsigned /*number*/, unsigned /*ipsr*/) {}
    virtual void onHandlerLeave(Picoseconds /*t*/, unsigned /*number*/, unsigned /*ipsr*/) {}
    // Thread mode resumed on task `to` at `t`; task `from` stopped running at `stopped`
    // (when the exception that took it off the core began).
    virtual void onTaskSwitch(Picoseconds /*t*/, Picoseconds /*stopped*/, std::uint32_t /*from*/,
                              std::uint32_t /*to*/) {}
    // The run ended at `t`; nothing follows.
    virtual void onEnd(Picoseconds /*t*/) {}
};

class ActivityStream {
public:
    // Task names come from `taskName` (ContextSwitchDetector's tasks), called when a
    // listener asks; `time` converts the cycle a switch was triggered at to picoseconds.
    ActivityStream(Signals& signals, const TimeBase& time, std::vector<WatchedPin> pins,
                   std::function<std::string(std::uint32_t)> taskName, const ChipDescription* chip);
    ActivityStream(const ActivityStream&) = delete;
    ActivityStream& operator=(const ActivityStream&) = delete;

    // Listeners must outlive the stream's last event (finish()).
    void addListener(ActivityListener& l) { listeners_.push_back(&l); }
    // Hands on everything still held, then onEnd(end).
    void finish(Picoseconds end);

    const std::vector<WatchedPin>& pins() const { return pins_; }
    std::string taskName(std::uint32_t task) const { return taskName_(task); }
    std::string exceptionName(unsigned number) const { return sinks::exceptionName(number, chip_); }

    // Events are held until a later one is this many cycles newer (a basic block is at
    // most 512 instructions; exception entry and return add a few dozen cycles).
    static constexpr Cycles kHorizon = 1u << 16;

private:
    struct Item {
        enum class Kind { Pin, Tick, Enter, Leave, Switch } kind;
        Cycles cycle;
        Picoseconds time;
        std::uint64_t a = 0;  // pin index, tick count, exception number, from task
        std::uint64_t b = 0;  // level, -, ipsr after, to task
        Picoseconds c = 0;    // Switch: when the outgoing task stopped
    };
    void push(Item item);
    void release(Cycles upTo, bool all);
    void dispatch(const Item& item);
    void onException(const ExceptionEvent& e);

    std::vector<WatchedPin> pins_;
    std::function<std::string(std::uint32_t)> taskName_;
    const ChipDescription* chip_;
    const TimeBase& time_;
    std::vector<ActivityListener*> listeners_;
    std::deque<Item> held_;  // sorted by cycle, then arrival
    Cycles newest_ = 0;
    std::vector<unsigned> stack_;  // active exceptions, innermost last
    bool finished_ = false;
};

// Shared by the pictures: simulated picoseconds as milliseconds with `decimals` digits
// (exact integer arithmetic, rounded half up).
std::string formatMsDecimals(Picoseconds t, unsigned decimals);

}  // namespace cmsim::sinks
