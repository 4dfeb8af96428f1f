#include "Expectation.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "FaultReport.h"
#include "Format.h"

namespace cmsim::scenario {

namespace {

// Lists in failure details are long enough to show any realistic failure and bounded so a
// pin toggling at 100 kHz cannot flood a CI log.
constexpr std::size_t kMaxListedValues = 256;
constexpr std::size_t kMaxDetailLines = 50;
constexpr std::size_t kValuesPerLine = 8;

std::string ms(Picoseconds t) {
    return formatMs(t) + " ms";
}

bool within(Picoseconds measured, const TimeTolerance& tt) {
    const Picoseconds d = measured > tt.value ? measured - tt.value : tt.value - measured;
    return d <= tt.tolerance;
}

std::string expected(const TimeTolerance& tt) {
    if (tt.tolerance == 0) return formatMsExact(tt.value);
    return fmt::format("{} \xC2\xB1 {}", formatMsExact(tt.value),
                       formatDurationExact(tt.tolerance));
}

// A duration to the nearest nanosecond (a cycle is 5.95 ns at 168 MHz); below 1 ns, exact.
std::string durationNs(Picoseconds d) {
    const Picoseconds ns = (d / 1000 + (d % 1000 >= 500 ? 1 : 0)) * 1000;
    return formatDurationExact(ns != 0 ? ns : d);
}

// "+3 ms" / "-0.5 us": how far `measured` is from `reference`.
std::string signedDiff(Picoseconds measured, Picoseconds reference) {
    if (measured >= reference) return "+" + durationNs(measured - reference);
    return "-" + durationNs(reference - measured);
}

std::string windowText(const Window& w) {
    std::string s;
    if (w.from) s += " from " + formatMsExact(*w.from);
    if (w.until) s += " until " + formatMsExact(*w.until);
    return s;
}

std::string pinName(const PinRef& p) {
    return fmt::format("P{}{}", p.port, p.pin);
}

std::string joinParts(const std::vector<std::string>& parts) {
    std::string s;
    for (const auto& p : parts) s += (s.empty() ? "" : ", ") + p;
    return s;
}

// "<title>: v1 v2 ... v8" lines, at most kMaxListedValues values.
void listValues(std::vector<std::string>& details, const std::string& title,
                const std::vector<std::string>& values) {
    const std::size_t shown = std::min(values.size(), kMaxListedValues);
    for (std::size_t i = 0; i < shown; i += kValuesPerLine) {
        std::string line = i == 0 ? title + ":" : std::string(title.size() + 1, ' ');
        for (std::size_t j = i; j < std::min(shown, i + kValuesPerLine); ++j)
            line += " " + values[j];
        details.push_back(line);
    }
    if (values.size() > shown)
        details.push_back(fmt::format("... and {} more", values.size() - shown));
}

// Appends lines, at most kMaxDetailLines of them, then a count of the rest.
void addCapped(std::vector<std::string>& details, const std::vector<std::string>& lines) {
    const std::size_t shown = std::min(lines.size(), kMaxDetailLines);
    details.insert(details.end(), lines.begin(),
                   lines.begin() + static_cast<std::ptrdiff_t>(shown));
    if (lines.size() > shown)
        details.push_back(fmt::format("... and {} more", lines.size() - shown));
}

// The changes of one pin (events whose level differs from the pin's previous level).
struct Edge {
    Picoseconds time;
    Cycles cycle;
    bool level;
};

std::vector<Edge> edgesOf(const RunRecord& record, const PinRef& pin) {
    std::vector<Edge> edges;
    for (const auto& e : record.events) {
        if (e.kind != RecordedEvent::Kind::Pin || e.port != pin.port || e.pin != pin.pin) continue;
        if (!edges.empty() && edges.back().level == e.level) continue;
        edges.push_back({e.time, e.cycle, e.level});
    }
    return edges;
}

const char* levelName(bool level) {
    return level ? "high" : "low";
}

std::string runEnd(const RunRecord& r) {
    return fmt::format("the run ended at {}", ms(r.endTime));
}

// ---- toggles ------------------------------------------------------------------------------

ExpectationResult evalToggles(const TogglesExpectation& x, const RunRecord& record) {
    ExpectationResult r;
    r.label = describePin(x.pin) + " toggles" + windowText(x.window);
    std::vector<Edge> edges;
    for (const auto& e : edgesOf(record, x.pin)) {
        if (x.window.contains(e.time)) edges.push_back(e);
    }
    std::vector<std::string> parts;
    bool ok = true;
    bool listToggles = false;

    if (x.interval) {
        const TimeTolerance& tt = *x.interval;
        std::vector<Picoseconds> intervals;
        for (std::size_t i = 1; i < edges.size(); ++i)
            intervals.push_back(edges[i].time - edges[i - 1].time);
        const std::size_t skipped =
            static_cast<std::size_t>(std::min<std::uint64_t>(x.skip, intervals.size()));
        const std::string skipText = x.skip == 0 ? "" : fmt::format(" after skipping {}", x.skip);
        if (intervals.size() <= skipped) {
            ok = false;
            parts.push_back(fmt::format("interval: none ({} toggles, {} intervals{}; expected {})",
                                        edges.size(), intervals.size() - skipped, skipText,
                                        expected(tt)));
            listToggles = true;
        } else {
            Picoseconds lo = intervals[skipped], hi = intervals[skipped];
            std::vector<std::string> offenders;
            std::vector<std::string> all;
            for (std::size_t i = 0; i < intervals.size(); ++i) {
                const Picoseconds v = intervals[i];
                if (i < skipped) {
                    all.push_back("(" + formatMs(v) + ")");
                    continue;
                }
                lo = std::min(lo, v);
                hi = std::max(hi, v);
                const bool good = within(v, tt);
                all.push_back(formatMs(v) + (good ? "" : "*"));
                if (!good) {
                    offenders.push_back(fmt::format(
                        "interval #{}: {} -> {} = {} ({} from {})", i + 1, formatMs(edges[i].time),
                        ms(edges[i + 1].time), ms(v), signedDiff(v, tt.value), expected(tt)));
                }
            }
            const std::size_t n = intervals.size() - skipped;
            const std::string range =
                lo == hi ? ms(lo) : fmt::format("{}..{}", formatMs(lo), ms(hi));
            parts.push_back(fmt::format("interval {} ({} interval{}{}; expected {})", range, n,
                                        n == 1 ? "" : "s", skipText, expected(tt)));
            if (!offenders.empty()) {
                ok = false;
                r.details.push_back(fmt::format("{} of {} intervals outside {}:", offenders.size(),
                                                n, expected(tt)));
                addCapped(r.details, offenders);
                listValues(r.details,
                           std::string("intervals (ms, * = outside") +
                               (skipped ? ", (skipped)" : "") + ")",
                           all);
            }
        }
    }
    if (x.count) {
        const bool good = edges.size() == *x.count;
        parts.push_back(fmt::format("count {} (expected {})", edges.size(), *x.count));
        if (!good) {
            ok = false;
            listToggles = true;
        }
    }
    if (x.first) {
        if (edges.empty()) {
            ok = false;
            parts.push_back(fmt::format("first: none (expected {})", expected(*x.first)));
        } else {
            const Picoseconds t = edges.front().time;
            parts.push_back(fmt::format("first {} (expected {})", ms(t), expected(*x.first)));
            if (!within(t, *x.first)) {
                ok = false;
                r.details.push_back(fmt::format(
                    "first toggle at {} (cycle {}) is {} from {}", ms(t), edges.front().cycle,
                    signedDiff(t, x.first->value), formatMsExact(x.first->value)));
            }
        }
    }
    if (listToggles) {
        std::vector<std::string> times;
        for (const auto& e : edges) times.push_back(formatMs(e.time));
        if (times.empty()) {
            r.details.push_back(fmt::format(
                "no toggles{}; {}", x.window.any() ? " in the window" : "", runEnd(record)));
        } else {
            listValues(r.details, "toggles at (ms)", times);
        }
    }
    r.passed = ok;
    r.measured = joinParts(parts);
    return r;
}

// ---- stays --------------------------------------------------------------------------------

ExpectationResult evalStays(const StaysExpectation& x, const RunRecord& record) {
    ExpectationResult r;
    r.label = fmt::format("{} stays {}{}", describePin(x.pin), levelName(x.level),
                          x.window.any() ? windowText(x.window) : " for the whole run");
    const std::vector<Edge> edges = edgesOf(record, x.pin);
    const Picoseconds from = x.window.from.value_or(0);
    const Picoseconds until = x.window.until.value_or(record.endTime);
    // Level at `from`: the last change at or before it; before the first change, the
    // opposite of that change; a pin that never changes is low (output data resets to 0).
    bool level = edges.empty() ? false : !edges.front().level;
    const Edge* before = nullptr;
    std::vector<Edge> inside;
    for (const auto& e : edges) {
        if (e.time <= from) {
            level = e.level;
            before = &e;
        } else if (e.time <= until) {
            inside.push_back(e);
        }
    }
    const bool covered = !x.window.until || *x.window.until <= record.endTime;
    r.passed = level == x.level && inside.empty() && covered;
    if (level == x.level && inside.empty()) {
        r.measured = fmt::format("{} throughout", levelName(level));
        if (!covered) {
            // The run did not last the whole window: the pin was not watched to its end.
            r.measured += fmt::format(", but {}, before the window ends at {}", runEnd(record),
                                      formatMsExact(until));
        }
    } else {
        r.measured = fmt::format("{} at {}", levelName(level), formatMsExact(from));
        if (level != x.level) {
            r.details.push_back(
                before ? fmt::format("went {} at {} (cycle {}), before the window",
                                     levelName(level), ms(before->time), before->cycle)
                       : fmt::format("{} from the start of the run", levelName(level)));
        }
        if (!inside.empty()) {
            r.measured += fmt::format(", {} change{} in the window", inside.size(),
                                      inside.size() == 1 ? "" : "s");
        }
        std::vector<std::string> lines;
        for (const auto& e : inside) {
            lines.push_back(
                fmt::format("went {} at {} (cycle {})", levelName(e.level), ms(e.time), e.cycle));
        }
        addCapped(r.details, lines);
    }
    return r;
}

// ---- sequence -----------------------------------------------------------------------------

std::string describeEvent(const SequenceEvent& e, const ChipDescription& chip) {
    switch (e.kind) {
        case SequenceEvent::Kind::Rises:
            return pinName(e.pin) + " rises";
        case SequenceEvent::Kind::Falls:
            return pinName(e.pin) + " falls";
        case SequenceEvent::Kind::Changes:
            return pinName(e.pin) + " changes";
        case SequenceEvent::Kind::Exception:
            return describeException(e.exception, chip) + " entry";
        case SequenceEvent::Kind::Reaches:
            return "reaches " + e.symbol;
    }
    return "?";
}

bool matches(const RecordedEvent& ev, const SequenceEvent& want, const RunRecord& record) {
    switch (want.kind) {
        case SequenceEvent::Kind::Rises:
        case SequenceEvent::Kind::Falls:
        case SequenceEvent::Kind::Changes:
            return ev.kind == RecordedEvent::Kind::Pin && ev.port == want.pin.port &&
                   ev.pin == want.pin.pin &&
                   (want.kind == SequenceEvent::Kind::Changes ||
                    ev.level == (want.kind == SequenceEvent::Kind::Rises));
        case SequenceEvent::Kind::Exception:
            return ev.kind == RecordedEvent::Kind::Exception && ev.number == want.exception;
        case SequenceEvent::Kind::Reaches:
            return record.isHitOf(ev, want.symbol);
    }
    return false;
}

ExpectationResult evalSequence(const SequenceExpectation& x, const RunRecord& record,
                               const ChipDescription& chip) {
    ExpectationResult r;
    std::string names;
    for (const auto& e : x.events) names += (names.empty() ? "" : ", ") + describeEvent(e, chip);
    r.label = "sequence" + windowText(x.window) + ": " + names;

    // The recorded events in the window, in order; pin events that repeat the previous
    // level of their pin are not edges.
    std::vector<const RecordedEvent*> inWindow;
    std::map<std::pair<char, int>, bool> lastLevel;
    for (const auto& ev : record.events) {
        if (ev.kind == RecordedEvent::Kind::Pin) {
            const auto key = std::make_pair(ev.port, static_cast<int>(ev.pin));
            const auto it = lastLevel.find(key);
            const bool edge = it == lastLevel.end() || it->second != ev.level;
            lastLevel[key] = ev.level;
            if (!edge) continue;
        }
        if (x.window.contains(ev.time)) inWindow.push_back(&ev);
    }

    // Greedy: each expected event is the first matching recorded event after the one the
    // previous expected event matched (if any order exists, this finds it). A recorded
    // event counts once (a symbol event as many times as it repeats).
    std::vector<Picoseconds> matched;
    std::size_t next = 0;
    std::size_t lastIndex = 0;  // in inWindow, of the latest match
    for (std::size_t i = 0; i < inWindow.size() && next < x.events.size(); ++i) {
        std::uint64_t uses =
            inWindow[i]->kind == RecordedEvent::Kind::Symbol ? inWindow[i]->repeat : 1;
        while (uses > 0 && next < x.events.size() &&
               matches(*inWindow[i], x.events[next], record)) {
            matched.push_back(inWindow[i]->time);
            lastIndex = i;
            ++next;
            --uses;
        }
    }
    if (next == x.events.size()) {
        std::string times;
        for (auto t : matched) times += (times.empty() ? "" : ", ") + formatMs(t);
        r.passed = true;
        r.measured = fmt::format("in order at {} ms", times);
        return r;
    }
    r.passed = false;
    const std::string missing = describeEvent(x.events[next], chip);
    const std::string where = x.window.any() ? "in the window" : "in the run";
    if (next == 0) {
        r.measured = fmt::format("{} did not happen {}", missing, where);
    } else {
        r.measured = fmt::format("{} not found after {} at {}", missing,
                                 describeEvent(x.events[next - 1], chip), ms(matched.back()));
    }
    for (std::size_t i = 0; i < matched.size(); ++i) {
        r.details.push_back(
            fmt::format("matched: {} at {}", describeEvent(x.events[i], chip), ms(matched[i])));
    }
    // Where the missing event did happen (necessarily not after the previous match).
    std::optional<std::size_t> seen;
    for (std::size_t i = 0; i < inWindow.size() && !seen; ++i) {
        if (matches(*inWindow[i], x.events[next], record)) seen = i;
    }
    if (!seen) {
        r.details.push_back(
            fmt::format("{} did not happen {} ({})", missing, where, runEnd(record)));
    } else if (*seen < lastIndex) {
        r.details.push_back(fmt::format(
            "out of order: {} happened at {}, before {} at {}", missing, ms(inWindow[*seen]->time),
            describeEvent(x.events[next - 1], chip), ms(matched.back())));
    } else {
        r.details.push_back(
            fmt::format("{} happened at {} only as the event already matched for {}", missing,
                        ms(inWindow[*seen]->time), describeEvent(x.events[next - 1], chip)));
    }
    // The recorded events that are one of the expected ones, as they happened.
    std::vector<std::string> lines;
    for (const RecordedEvent* ev : inWindow) {
        for (const auto& want : x.events) {
            if (!matches(*ev, want, record)) continue;
            const std::string times = ev->repeat > 1 ? fmt::format(" (x{})", ev->repeat) : "";
            lines.push_back(
                fmt::format("  {} {}{}", ms(ev->time), describeEvent(want, chip), times));
            break;
        }
    }
    if (!lines.empty()) {
        r.details.push_back(fmt::format("the expected events as they happened {}:", where));
        addCapped(r.details, lines);
    }
    return r;
}

// ---- symbols ------------------------------------------------------------------------------

// The first time `symbol` was reached, and how many times in all (counts only what was
// watched: symbols named only by reaches / never_reaches are watched to their first hit).
struct Hits {
    const RecordedEvent* first = nullptr;
    std::uint64_t count = 0;
};

Hits hitsOf(const RunRecord& record, const std::string& symbol) {
    Hits h;
    for (const auto& e : record.events) {
        if (!record.isHitOf(e, symbol)) continue;
        if (h.first == nullptr) h.first = &e;
        h.count += e.repeat;
    }
    return h;
}

ExpectationResult evalReaches(const ReachesExpectation& x, const RunRecord& record) {
    ExpectationResult r;
    r.label = "reaches " + x.symbol + (x.by ? " by " + formatMsExact(*x.by) : "");
    const Hits hits = hitsOf(record, x.symbol);
    if (hits.first == nullptr) {
        r.passed = false;
        r.measured = fmt::format("not reached; {}", runEnd(record));
        return r;
    }
    const RecordedEvent& first = *hits.first;
    r.measured = fmt::format("at {}", ms(first.time));
    r.passed = !x.by || first.time <= *x.by;
    if (!r.passed) {
        r.measured += fmt::format(", {} late", durationNs(first.time - *x.by));
        r.details.push_back(
            fmt::format("first reached at {} (cycle {})", ms(first.time), first.cycle));
    }
    return r;
}

ExpectationResult evalNeverReaches(const NeverReachesExpectation& x, const RunRecord& record) {
    ExpectationResult r;
    r.label = "never reaches " + x.symbol;
    const Hits hits = hitsOf(record, x.symbol);
    r.passed = hits.first == nullptr;
    if (r.passed) {
        r.measured = fmt::format("not reached; {}", runEnd(record));
    } else {
        r.measured =
            fmt::format("reached at {} (cycle {})", ms(hits.first->time), hits.first->cycle);
    }
    return r;
}

// ---- exceptions ---------------------------------------------------------------------------

ExpectationResult evalException(const ExceptionExpectation& x, const RunRecord& record,
                                const ChipDescription& chip) {
    ExpectationResult r;
    r.label = "exception " + describeException(x.number, chip) + windowText(x.window);
    std::vector<const RecordedEvent*> entries;
    for (const auto& e : record.events) {
        if (e.kind == RecordedEvent::Kind::Exception && e.number == x.number &&
            x.window.contains(e.time)) {
            entries.push_back(&e);
        }
    }
    std::vector<std::string> parts;
    bool ok = true;
    if (x.first) {
        if (entries.empty()) {
            ok = false;
            parts.push_back(fmt::format("first entry: none (expected {})", expected(*x.first)));
        } else {
            const RecordedEvent& f = *entries.front();
            parts.push_back(
                fmt::format("first entry {} (expected {})", ms(f.time), expected(*x.first)));
            if (!within(f.time, *x.first)) {
                ok = false;
                r.details.push_back(
                    fmt::format("first entry at {} (cycle {}) is {} from {}", ms(f.time), f.cycle,
                                signedDiff(f.time, x.first->value), formatMsExact(x.first->value)));
            }
        }
    }
    if (x.count) {
        parts.push_back(fmt::format("count {} (expected {})", entries.size(), *x.count));
        if (entries.size() != *x.count) {
            ok = false;
            if (entries.empty()) {
                r.details.push_back(fmt::format(
                    "no entries{}; {}", x.window.any() ? " in the window" : "", runEnd(record)));
            } else {
                r.details.push_back(fmt::format("first entry at {}, last at {}; {}",
                                                ms(entries.front()->time), ms(entries.back()->time),
                                                runEnd(record)));
            }
        }
    }
    r.passed = ok;
    r.measured = joinParts(parts);
    return r;
}

// ---- clocks -------------------------------------------------------------------------------

ExpectationResult evalClock(const ClockExpectation& x, const RunRecord& record) {
    ExpectationResult r;
    r.label = "clock";
    std::vector<std::string> parts;
    bool ok = true;
    auto matches = [&](const ClockSample& s) {
        return (!x.sysclkHz || s.sysclkHz == *x.sysclkHz) && (!x.hclkHz || s.hclkHz == *x.hclkHz);
    };
    if (x.sysclkHz) {
        parts.push_back(fmt::format("SYSCLK {} (expected {})", formatHz(record.sysclkHz()),
                                    formatHz(*x.sysclkHz)));
        ok = ok && record.sysclkHz() == *x.sysclkHz;
    }
    if (x.hclkHz) {
        parts.push_back(
            fmt::format("HCLK {} (expected {})", formatHz(record.hclkHz()), formatHz(*x.hclkHz)));
        ok = ok && record.hclkHz() == *x.hclkHz;
    }
    if (x.by) {
        // The earliest time from which every sample to the end matches.
        std::optional<Picoseconds> since;
        for (auto it = record.clocks.rbegin(); it != record.clocks.rend() && matches(*it); ++it)
            since = it->time;
        if (!since) {
            ok = false;
            parts.push_back(
                fmt::format("not set by the end (expected by {})", formatMsExact(*x.by)));
        } else {
            parts.push_back(
                fmt::format("since {} (expected by {})", ms(*since), formatMsExact(*x.by)));
            if (*since > *x.by) ok = false;
        }
    }
    r.passed = ok;
    r.measured = joinParts(parts);
    if (!ok) {
        std::vector<std::string> lines;
        for (const auto& s : record.clocks) {
            lines.push_back(fmt::format("from {}: SYSCLK {}, HCLK {}", ms(s.time),
                                        formatHz(s.sysclkHz), formatHz(s.hclkHz)));
        }
        addCapped(r.details, lines);
    }
    return r;
}

// ---- how the run ended --------------------------------------------------------------------

// How the run ended: its faults (the first one in full) and its stop.
std::string endText(const RunRecord& record) {
    std::string s;
    if (!record.faults.empty()) {
        const RecordedFault& f = record.faults.front();
        s = fmt::format("faulted at {}: {}", ms(f.time), f.message);
        if (record.faults.size() > 1)
            s += fmt::format(" ({} faults in the run)", record.faults.size());
    }
    const char* what = "stopped";
    switch (record.stop.reason) {
        case CoreStop::Reason::TimeLimit:
            if (s.empty())
                return fmt::format("no fault; the run reached its limit at {}", ms(record.endTime));
            return s + fmt::format("; the run went on to its limit at {}", ms(record.endTime));
        case CoreStop::Reason::Exited:
            return fmt::format("{}the firmware exited with code {} at {}",
                               s.empty() ? (record.faulted() ? "" : "no fault; ") : s + "; ",
                               record.stop.exitCode, ms(record.endTime));
        case CoreStop::Reason::Fault:
            what = "faulted";
            break;
        case CoreStop::Reason::Lockup:
            what = "locked up";
            break;
        case CoreStop::Reason::Breakpoint:
            what = "stopped at a breakpoint";
            break;
        case CoreStop::Reason::SystemReset:
            what = "reset";
            break;
        default:
            what = "stopped";
            break;
    }
    // A stop-on-fault stop repeats the fault: say it once.
    if (!record.faults.empty() && record.stop.reason == CoreStop::Reason::Fault &&
        record.stop.message == record.faults.back().message) {
        return s + fmt::format("; the run stopped there");
    }
    return fmt::format("{}{}{} at {}: {}", s, s.empty() ? "" : "; ", what, ms(record.endTime),
                       record.stop.message);
}

// Every fault, one line each.
void listFaults(std::vector<std::string>& details, const RunRecord& record) {
    if (record.faults.size() < 2) return;
    std::vector<std::string> lines;
    for (const auto& f : record.faults) {
        lines.push_back(fmt::format("fault at {} (cycle {}): {}", ms(f.time), f.cycle, f.message));
    }
    addCapped(details, lines);
}

ExpectationResult evalNoFault(const Expectation& x, const RunRecord& record) {
    ExpectationResult r;
    r.label = x.implied ? "no fault (implied: the scenario expects no fault)" : "no fault";
    r.passed = !record.faulted();
    r.measured = endText(record);
    if (!r.passed) listFaults(r.details, record);
    return r;
}

std::string hex(std::uint32_t v) {
    return fmt::format("0x{:08x}", v);
}

// A fault the core took, by the fields a structured `fault` expectation names.
std::string faultFields(const RecordedFault& f, const ChipDescription& chip) {
    std::string s = describeException(f.exception, chip);
    if (f.lockup)
        s += " (lockup)";
    else if (f.taken != f.exception)
        s += " taken as " + describeException(f.taken, chip);
    s += fmt::format(", CFSR {} ({}), HFSR {} ({})", hex(f.cfsr), decodeCfsr(f.cfsr), hex(f.hfsr),
                     decodeHfsr(f.hfsr));
    if (f.address) s += ", fault address " + hex(*f.address);
    return s + fmt::format(", pc {} ({})", hex(f.pc), f.where);
}

bool pcMatches(const FaultExpectation& x, const RecordedFault& f) {
    if (x.pcAddress) return f.pc == *x.pcAddress;
    if (x.pcSymbol.empty()) return true;
    if (x.pcSymbol.find('+') != std::string::npos) return f.where == x.pcSymbol;
    return f.where == x.pcSymbol || f.where.rfind(x.pcSymbol + "+", 0) == 0;
}

bool matches(const FaultExpectation& x, const RecordedFault& f) {
    return f.message.find(x.contains) != std::string::npos &&
           (!x.exception || f.exception == *x.exception) &&
           (!x.taken || (!f.lockup && f.taken == *x.taken)) && (!x.cfsr || f.cfsr == *x.cfsr) &&
           (!x.hfsr || f.hfsr == *x.hfsr) && (!x.address || f.address == x.address) &&
           pcMatches(x, f);
}

std::string faultLabel(const FaultExpectation& x, const ChipDescription& chip) {
    if (!x.structured()) return fmt::format("fault containing \"{}\"", x.contains);
    std::vector<std::string> parts;
    if (x.exception) parts.push_back(describeException(*x.exception, chip));
    if (x.taken) parts.push_back("taken as " + describeException(*x.taken, chip));
    if (x.cfsr) parts.push_back(fmt::format("CFSR {} ({})", hex(*x.cfsr), decodeCfsr(*x.cfsr)));
    if (x.hfsr) parts.push_back(fmt::format("HFSR {} ({})", hex(*x.hfsr), decodeHfsr(*x.hfsr)));
    if (x.address) parts.push_back("fault address " + hex(*x.address));
    if (x.pcAddress) parts.push_back("pc " + hex(*x.pcAddress));
    if (!x.pcSymbol.empty()) parts.push_back("pc in " + x.pcSymbol);
    if (!x.contains.empty()) parts.push_back(fmt::format("message containing \"{}\"", x.contains));
    std::string s = "fault:";
    for (std::size_t i = 0; i < parts.size(); ++i) s += (i == 0 ? " " : ", ") + parts[i];
    return s;
}

ExpectationResult evalFault(const FaultExpectation& x, const RunRecord& record,
                            const ChipDescription& chip) {
    ExpectationResult r;
    r.label = faultLabel(x, chip);
    // A stop (lockup, breakpoint, ...) has only a message: it can match the text form only.
    r.passed = !x.structured() && record.stoppedEarly() &&
               record.stop.message.find(x.contains) != std::string::npos;
    for (const auto& f : record.faults) r.passed = r.passed || matches(x, f);
    r.measured = endText(record);
    if (!r.passed && x.structured()) {
        std::vector<std::string> lines;
        for (const auto& f : record.faults) {
            lines.push_back(fmt::format("fault at {}: {}", ms(f.time), faultFields(f, chip)));
        }
        if (lines.empty()) lines.push_back("the core took no fault");
        addCapped(r.details, lines);
    } else if (!r.passed) {
        listFaults(r.details, record);
    }
    return r;
}

// ---- the stack guard ----------------------------------------------------------------------

void listStackOverflows(std::vector<std::string>& details, const RunRecord& record) {
    std::vector<std::string> lines;
    for (const auto& o : record.stackOverflows) lines.push_back(o.message);
    addCapped(details, lines);
}

ExpectationResult evalStackOk(const RunRecord& record) {
    ExpectationResult r;
    r.label = "stack ok";
    r.passed = record.stackOverflows.empty();
    if (r.passed) {
        r.measured = "no stack pointer left its stack";
    } else {
        const auto& first = record.stackOverflows.front();
        r.measured =
            fmt::format("{} stack overflow{}, the first at {}: {}", record.stackOverflows.size(),
                        record.stackOverflows.size() == 1 ? "" : "s", ms(first.time), first.task);
        listStackOverflows(r.details, record);
    }
    return r;
}

ExpectationResult evalStackOverflow(const StackOverflowExpectation& x, const RunRecord& record) {
    ExpectationResult r;
    r.label = x.task ? fmt::format("stack overflow of {}", *x.task) : "stack overflow";
    const RecordedStackOverflow* hit = nullptr;
    for (const auto& o : record.stackOverflows) {
        if (!x.task || o.task == *x.task) {
            hit = &o;
            break;
        }
    }
    r.passed = hit != nullptr;
    if (hit) {
        r.measured = fmt::format("at {}: {}", ms(hit->time), hit->message);
    } else {
        r.measured =
            record.stackOverflows.empty()
                ? std::string("no stack pointer left its stack")
                : fmt::format("{} stack overflow{} of other stacks", record.stackOverflows.size(),
                              record.stackOverflows.size() == 1 ? "" : "s");
        listStackOverflows(r.details, record);
    }
    return r;
}

}  // namespace

ExpectationResult evaluate(const Expectation& x, const RunRecord& record,
                           const ChipDescription& chip) {
    return std::visit(
        [&](const auto& spec) -> ExpectationResult {
            using T = std::decay_t<decltype(spec)>;
            if constexpr (std::is_same_v<T, TogglesExpectation>)
                return evalToggles(spec, record);
            else if constexpr (std::is_same_v<T, StaysExpectation>)
                return evalStays(spec, record);
            else if constexpr (std::is_same_v<T, SequenceExpectation>)
                return evalSequence(spec, record, chip);
            else if constexpr (std::is_same_v<T, ReachesExpectation>)
                return evalReaches(spec, record);
            else if constexpr (std::is_same_v<T, NeverReachesExpectation>)
                return evalNeverReaches(spec, record);
            else if constexpr (std::is_same_v<T, ExceptionExpectation>)
                return evalException(spec, record, chip);
            else if constexpr (std::is_same_v<T, ClockExpectation>)
                return evalClock(spec, record);
            else if constexpr (std::is_same_v<T, NoFaultExpectation>)
                return evalNoFault(x, record);
            else if constexpr (std::is_same_v<T, StackOkExpectation>)
                return evalStackOk(record);
            else if constexpr (std::is_same_v<T, StackOverflowExpectation>)
                return evalStackOverflow(spec, record);
            else
                return evalFault(spec, record, chip);
        },
        x.spec);
}

}  // namespace cmsim::scenario
