#include "VcdWriter.h"

#include <fmt/format.h>

namespace cmsim::sinks {

namespace {
// VCD names are single tokens: anything but letters, digits and '_' becomes '_'.
std::string vcdName(std::string_view s) {
    std::string out;
    for (char c : s) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        out += keep ? c : '_';
    }
    return out.empty() ? std::string("_") : out;
}
// String values are single tokens too.
std::string vcdString(std::string_view s) {
    std::string out;
    for (char c : s) out += (c > ' ' && c <= '~') ? c : '_';
    return out.empty() ? std::string("_") : out;
}
std::uint64_t toNs(Picoseconds t) { return t / 1000 + (t % 1000 >= 500 ? 1 : 0); }
}  // namespace

std::string VcdWriter::identifier(std::size_t n) {
    // Digits over the 92 printable characters '!'..'~' without '#' and '$'.
    static const std::string kChars = [] {
        std::string s;
        for (char c = '!'; c <= '~'; ++c) {
            if (c != '#' && c != '$') s += c;
        }
        return s;
    }();
    std::string id;
    do {
        id += kChars[n % kChars.size()];
        n /= kChars.size();
    } while (n > 0);
    return id;
}

VcdWriter::VcdWriter(const ActivityStream& stream, VcdHeader header, std::ostream& out)
    : stream_(stream), out_(out) {
    out_ << "$comment\n"
         << "  cmsim: " << header.firmware << " on " << header.board << " (" << header.chip << ")\n"
         << "  Simulated time: 1 ns per unit (rounded from picoseconds; every CPU cycle has its own\n"
         << "  timestamp at core clocks up to 1 GHz).\n"
         << "  leds.*: the board's LED pins, 1 = pin high (the LED is lit when the level equals its\n"
         << "  active level); pins.*: pins chosen with --vcd-pins.\n"
         << "  core.systick toggles at every SysTick wrap; core.handler is 1 in Handler mode;\n"
         << "  core.ipsr is the active exception number (IPSR, 0 in Thread mode; declared real,\n"
         << "  values are whole numbers); core.task names the task that owns Thread mode.\n"
         << "$end\n"
         << "$version cmsim $end\n"
         << "$timescale 1ns $end\n"
         << "$scope module " << vcdName(header.board) << " $end\n";
    auto declare = [&](Type type, const std::string& name, std::string initial) {
        vars_.push_back(Var{identifier(vars_.size()), type, initial, initial, false});
        const char* kind = type == Type::Wire ? "wire 1" : type == Type::Real ? "real 64" : "string 1";
        out_ << "$var " << kind << ' ' << vars_.back().id << ' ' << vcdName(name) << " $end\n";
        return vars_.size() - 1;
    };
    const auto& pins = stream_.pins();
    firstPin_ = vars_.size();
    bool inLeds = false, inPins = false;
    for (const auto& p : pins) {
        if (p.isLed && !inLeds) {
            out_ << "$scope module leds $end\n";
            inLeds = true;
        }
        if (!p.isLed && !inPins) {
            if (inLeds) out_ << "$upscope $end\n";
            inLeds = false;
            out_ << "$scope module pins $end\n";
            inPins = true;
        }
        declare(Type::Wire, p.isLed ? fmt::format("{}_{}_{}", p.name, p.color, p.pinName()) : p.name, "0");
    }
    if (inLeds || inPins) out_ << "$upscope $end\n";
    out_ << "$scope module core $end\n";
    systick_ = declare(Type::Wire, "systick", "0");
    handler_ = declare(Type::Wire, "handler", "0");
    ipsr_ = declare(Type::Real, "ipsr", "0");
    task_ = declare(Type::String, "task", vcdString(stream_.taskName(0)));
    out_ << "$upscope $end\n$upscope $end\n$enddefinitions $end\n#0\n$dumpvars\n";
    for (const auto& v : vars_) writeValue(v, v.written);
    out_ << "$end\n";
}

void VcdWriter::writeValue(const Var& v, const std::string& value) {
    switch (v.type) {
        case Type::Wire: out_ << value << v.id << '\n'; break;
        case Type::Real: out_ << 'r' << value << ' ' << v.id << '\n'; break;
        case Type::String: out_ << 's' << value << ' ' << v.id << '\n'; break;
    }
}

void VcdWriter::set(std::size_t var, Picoseconds t, std::string value) {
    if (ended_) return;
    advanceTo(toNs(t));
    Var& v = vars_[var];
    v.pending = std::move(value);
    if (!v.dirty) {
        v.dirty = true;
        dirtyList_.push_back(var);
    }
}

void VcdWriter::advanceTo(std::uint64_t ns) {
    // Changes at one timestamp are collected, so a value that changes and changes back
    // within it is not written. Time never goes back (ActivityStream sorts events).
    if (ns <= now_) return;
    flush();
    now_ = ns;
}

void VcdWriter::flush() {
    bool stamped = false;
    for (const std::size_t i : dirtyList_) {
        Var& v = vars_[i];
        v.dirty = false;
        if (v.pending == v.written) continue;
        if (!stamped && now_ > written_) {
            out_ << '#' << now_ << '\n';
            written_ = now_;
        }
        stamped = true;
        writeValue(v, v.pending);
        v.written = v.pending;
    }
    dirtyList_.clear();
}

void VcdWriter::onPin(Picoseconds t, std::size_t index, bool level) {
    set(firstPin_ + index, t, level ? "1" : "0");
}

void VcdWriter::onTick(Picoseconds t, std::uint64_t) {
    systickLevel_ = !systickLevel_;
    set(systick_, t, systickLevel_ ? "1" : "0");
}

void VcdWriter::onHandlerEnter(Picoseconds t, unsigned, unsigned ipsr) {
    set(handler_, t, "1");
    set(ipsr_, t, fmt::format("{}", ipsr));
}

void VcdWriter::onHandlerLeave(Picoseconds t, unsigned, unsigned ipsr) {
    set(handler_, t, ipsr != 0 ? "1" : "0");
    set(ipsr_, t, fmt::format("{}", ipsr));
}

void VcdWriter::onTaskSwitch(Picoseconds t, Picoseconds, std::uint32_t, std::uint32_t to) {
    set(task_, t, vcdString(stream_.taskName(to)));
}

void VcdWriter::onEnd(Picoseconds t) {
    if (ended_) return;
    flush();
    // The last timestamp is the end of the run, so viewers show the final levels up to it.
    const std::uint64_t end = toNs(t);
    if (end > written_) out_ << '#' << end << '\n';
    ended_ = true;
    out_.flush();
}

}  // namespace cmsim::sinks
