#pragma once
// One cycle-keyed queue of named, device-owned events (the mGBA/melonDS pattern).
//
// A device owns its TimedEvent objects; the queue only links them. Events due at the same
// cycle run in the order they were scheduled, so runs are deterministic. A periodic device
// re-arms from the previous deadline (event.due() + period), never from "now", so it does
// not drift when the callback runs late (callbacks run at block boundaries).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "TimeBase.h"

namespace cmsim {

class EventQueue;

class TimedEvent {
public:
    // The callback receives how many cycles late it runs.
    TimedEvent(std::string name, std::function<void(Cycles late)> callback)
        : name_(std::move(name)), callback_(std::move(callback)) {}
    TimedEvent(const TimedEvent&) = delete;
    TimedEvent& operator=(const TimedEvent&) = delete;

    const std::string& name() const { return name_; }
    Cycles due() const { return due_; }
    bool isScheduled() const { return scheduled_; }

private:
    friend class EventQueue;
    std::string name_;
    std::function<void(Cycles)> callback_;
    Cycles due_ = 0;
    std::uint64_t sequence_ = 0;
    bool scheduled_ = false;
};

class EventQueue {
public:
    static constexpr Cycles kNever = ~Cycles{0};

    void schedule(TimedEvent& ev, Cycles due);
    void deschedule(TimedEvent& ev);
    // Due cycle of the earliest event, or kNever.
    Cycles nextDue() const { return queue_.empty() ? kNever : queue_.front()->due_; }
    // Runs every event due at or before `now`, earliest first (callbacks may re-schedule).
    // Returns how many ran.
    unsigned runDue(Cycles now);
    bool empty() const { return queue_.empty(); }
    void clear();
    // Called whenever the head of the queue may have changed (the core caches nextDue()).
    void onHeadChanged(std::function<void()> f) { headChanged_ = std::move(f); }

private:
    void insert(TimedEvent& ev);
    std::vector<TimedEvent*> queue_;  // sorted by (due, sequence); a handful of entries
    std::uint64_t nextSequence_ = 0;
    std::function<void()> headChanged_;
};

}  // namespace cmsim
