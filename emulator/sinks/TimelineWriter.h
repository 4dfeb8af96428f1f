#pragma once
// Pictures of time, part 3: a Chrome trace-event file (the JSON Object Format of the
// Trace Event Format), for ui.perfetto.dev and chrome://tracing. Written while the run
// goes: each event is one nlohmann::json object on its own line, written when it is
// complete (a slice when it ends).
//
// One process (pid 1) named after the board and firmware. Tracks (tid):
//   1 + task index       one complete slice ("X") per run of the task, from the first
//                        instruction after the switch in to the exception that took it off
//   1000 + exception     one slice per handler activation, entry to return (or to the
//                        tail-chain that replaced it); slices of different exceptions nest
//                        as the handlers preempt each other
//   2000                 "SysTick wraps": an instant event per wrap
// and one counter ("C") per LED, its pin level. Timestamps are microseconds with six
// decimals, exactly the simulated picoseconds / 10^6.
#include <cstdint>
#include <map>
#include <ostream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "Activity.h"

namespace cmsim::sinks {

struct TimelineHeader {
    std::string board;     // "STM32F407G-DISC1"
    std::string chip;      // "STM32F407VG"
    std::string firmware;  // "blinky.elf"
};

class TimelineWriter : public ActivityListener {
public:
    static constexpr int kPid = 1;
    static constexpr int kExceptionTid = 1000;
    static constexpr int kSysTickTid = 2000;

    TimelineWriter(const ActivityStream& stream, TimelineHeader header, std::ostream& out);

    void onPin(Picoseconds t, std::size_t index, bool level) override;
    void onTick(Picoseconds t, std::uint64_t count) override;
    void onHandlerEnter(Picoseconds t, unsigned number, unsigned ipsr) override;
    void onHandlerLeave(Picoseconds t, unsigned number, unsigned ipsr) override;
    void onTaskSwitch(Picoseconds t, Picoseconds stopped, std::uint32_t from, std::uint32_t to) override;
    void onEnd(Picoseconds t) override;

    // Picoseconds as trace-event microseconds (a double that prints as the exact
    // decimal, e.g. 1000297.283499).
    static double micros(Picoseconds t);

private:
    void emit(const nlohmann::json& event);
    void nameTrack(int tid, const std::string& name, int sortIndex);
    void taskSlice(std::uint32_t task, Picoseconds end);

    const ActivityStream& stream_;
    std::ostream& out_;
    bool first_ = true;
    bool ended_ = false;
    std::set<int> namedTracks_;
    std::uint32_t task_ = 0;    // the task owning Thread mode
    Picoseconds taskSince_ = 0;
    std::map<std::uint32_t, std::uint64_t> runs_;  // runs so far per task
    std::map<unsigned, Picoseconds> active_;       // exception -> handler start
};

}  // namespace cmsim::sinks
