#pragma once
// The trace log: one line per event, fixed columns, greppable, identical for identical
// runs. A sink on the machine's event stream (exceptions, context switches, SysTick,
// MMIO), plus the instruction trace, the only category that costs a per-instruction
// hook, installed only while it is on and inside the time window.
//
//   <time ms, ns precision> <cycle> <category> <event text>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "../EventQueue.h"
#include "../TimeBase.h"

namespace cmsim {

class Machine;
class ContextSwitchDetector;

namespace trace {
constexpr unsigned kExc = 1u << 0;
constexpr unsigned kSwitch = 1u << 1;
constexpr unsigned kTick = 1u << 2;
constexpr unsigned kMmio = 1u << 3;
constexpr unsigned kInsn = 1u << 4;
}  // namespace trace

// "exc,switch,tick,mmio,insn" (or "all") -> category bits; nullopt with *error set on an
// unknown name.
std::optional<unsigned> parseTraceCategories(std::string_view list, std::string* error);

struct TraceOptions {
    unsigned categories = 0;
    Picoseconds from = 0;
    Picoseconds until = std::numeric_limits<Picoseconds>::max();
};

class Tracer {
public:
    // `switches` may be null when the switch category is off.
    Tracer(Machine& machine, const ContextSwitchDetector* switches, TraceOptions options,
           std::ostream& out);
    ~Tracer();
    Tracer(const Tracer&) = delete;
    Tracer& operator=(const Tracer&) = delete;

    // Prints the last pending instruction line.
    void flush();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// "1.293071234" — milliseconds with nanosecond precision.
std::string formatTraceTime(Picoseconds t);

}  // namespace cmsim
