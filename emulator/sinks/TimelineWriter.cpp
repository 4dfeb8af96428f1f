#include "TimelineWriter.h"

#include <fmt/format.h>

namespace cmsim::sinks {

using nlohmann::json;

double TimelineWriter::micros(Picoseconds t) {
    // Exact below 2^53 ps (about 2.5 simulated hours); the division is correctly rounded,
    // so the shortest decimal that reads back (what nlohmann prints) is t / 10^6 itself.
    return static_cast<double>(t) / 1e6;
}

TimelineWriter::TimelineWriter(const ActivityStream& stream, TimelineHeader header, std::ostream& out)
    : stream_(stream), out_(out) {
    const json otherData = {{"generator", "cmsim"},
                            {"board", header.board},
                            {"chip", header.chip},
                            {"firmware", header.firmware},
                            {"clock", "simulated time; ts and dur in microseconds"}};
    // The object format, streamed: the array of events stays open until the run ends.
    out_ << "{\"displayTimeUnit\":\"ns\",\"otherData\":" << otherData.dump() << ",\"traceEvents\":[\n";
    emit({{"ph", "M"}, {"pid", kPid}, {"name", "process_name"},
          {"args", {{"name", fmt::format("{} ({}): {}", header.board, header.chip, header.firmware)}}}});
    emit({{"ph", "M"}, {"pid", kPid}, {"name", "process_labels"},
          {"args", {{"labels", "cmsim, simulated time"}}}});
    nameTrack(1, "task " + stream_.taskName(0), 0);
    nameTrack(kSysTickTid, "SysTick wraps", kSysTickTid);
    // Initial LED levels: every pin is low out of reset.
    for (std::size_t i = 0; i < stream_.pins().size(); ++i) onPin(0, i, false);
}

void TimelineWriter::emit(const json& event) {
    if (ended_) return;
    out_ << (first_ ? "" : ",\n") << event.dump();
    first_ = false;
}

void TimelineWriter::nameTrack(int tid, const std::string& name, int sortIndex) {
    if (!namedTracks_.insert(tid).second) return;
    emit({{"ph", "M"}, {"pid", kPid}, {"tid", tid}, {"name", "thread_name"}, {"args", {{"name", name}}}});
    emit({{"ph", "M"}, {"pid", kPid}, {"tid", tid}, {"name", "thread_sort_index"},
          {"args", {{"sort_index", sortIndex}}}});
}

void TimelineWriter::onPin(Picoseconds t, std::size_t index, bool level) {
    const WatchedPin& p = stream_.pins()[index];
    if (!p.isLed) return;
    emit({{"ph", "C"}, {"pid", kPid}, {"name", fmt::format("{} {} {}", p.name, p.color, p.pinName())},
          {"cat", "led"}, {"ts", micros(t)}, {"args", {{"level", level ? 1 : 0}}}});
}

void TimelineWriter::onTick(Picoseconds t, std::uint64_t count) {
    emit({{"ph", "i"}, {"s", "t"}, {"pid", kPid}, {"tid", kSysTickTid}, {"name", "SysTick wrap"},
          {"cat", "systick"}, {"ts", micros(t)}, {"args", {{"wrap", count}}}});
}

void TimelineWriter::onHandlerEnter(Picoseconds t, unsigned number, unsigned) {
    const int tid = kExceptionTid + static_cast<int>(number);
    nameTrack(tid, fmt::format("{} ({})", stream_.exceptionName(number), number), tid);
    active_[number] = t;
}

void TimelineWriter::onHandlerLeave(Picoseconds t, unsigned number, unsigned) {
    const auto it = active_.find(number);
    if (it == active_.end()) return;
    emit({{"ph", "X"}, {"pid", kPid}, {"tid", kExceptionTid + static_cast<int>(number)},
          {"name", stream_.exceptionName(number)}, {"cat", "exception"}, {"ts", micros(it->second)},
          {"dur", micros(t - it->second)}, {"args", {{"exception", number}}}});
    active_.erase(it);
}

void TimelineWriter::taskSlice(std::uint32_t task, Picoseconds end) {
    const std::uint64_t run = ++runs_[task];
    emit({{"ph", "X"}, {"pid", kPid}, {"tid", 1 + static_cast<int>(task)}, {"name", stream_.taskName(task)},
          {"cat", "task"}, {"ts", micros(taskSince_)}, {"dur", micros(end - std::min(end, taskSince_))},
          {"args", {{"run", run}}}});
}

void TimelineWriter::onTaskSwitch(Picoseconds t, Picoseconds stopped, std::uint32_t from, std::uint32_t to) {
    taskSlice(from, std::max(stopped, taskSince_));
    nameTrack(1 + static_cast<int>(to), "task " + stream_.taskName(to), static_cast<int>(to));
    task_ = to;
    taskSince_ = t;
}

void TimelineWriter::onEnd(Picoseconds t) {
    if (ended_) return;
    // Close what is still open: the running task and any active handlers.
    taskSlice(task_, t);
    while (!active_.empty()) onHandlerLeave(t, active_.begin()->first, 0);
    out_ << "\n]}\n";
    ended_ = true;
    out_.flush();
}

}  // namespace cmsim::sinks
