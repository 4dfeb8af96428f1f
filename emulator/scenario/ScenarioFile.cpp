#include "ScenarioFile.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "Errors.h"
#include "FaultReport.h"
#include "Format.h"
#include "Nvic.h"
#include "boards/Boards.h"

namespace cmsim::scenario {

// ---- values -----------------------------------------------------------------------------

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// "12.5 ms" -> ("12.5", "ms"): the number is digits and at most one '.'.
std::pair<std::string_view, std::string_view> splitNumber(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    return {s.substr(0, i), trim(s.substr(i))};
}

// Exact decimal of value / unit, trailing zeros of the fraction dropped.
std::string exactDecimal(std::uint64_t value, std::uint64_t unit) {
    std::string s = fmt::format("{}", value / unit);
    std::uint64_t frac = value % unit;
    if (frac == 0) return s;
    int digits = 0;
    for (std::uint64_t u = unit; u > 1; u /= 10) ++digits;
    std::string f = fmt::format("{:0{}}", frac, digits);
    while (!f.empty() && f.back() == '0') f.pop_back();
    return s + "." + f;
}

}  // namespace

std::optional<Picoseconds> parseTime(std::string_view text) {
    text = trim(text);
    if (text == "0") return Picoseconds{0};
    const auto [number, unit] = splitNumber(text);
    if (number.empty() || unit.empty()) return std::nullopt;
    if (std::count(number.begin(), number.end(), '.') > 1) return std::nullopt;
    return parseDuration(std::string(number) + std::string(unit));
}

std::optional<std::uint32_t> parseAddress(std::string_view text) {
    text = trim(text);
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    if (text.empty() || text.size() > (base == 16 ? 8u : 10u)) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : text) {
        int d;
        if (std::isdigit(static_cast<unsigned char>(c)))
            d = c - '0';
        else if (base == 16 && std::isxdigit(static_cast<unsigned char>(c)))
            d = std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
        else
            return std::nullopt;
        v = v * static_cast<unsigned>(base) + static_cast<unsigned>(d);
    }
    if (v > 0xFFFFFFFFu) return std::nullopt;
    return static_cast<std::uint32_t>(v);
}

std::optional<TimeTolerance> parseTimeTolerance(std::string_view text) {
    std::size_t sep = text.find("\xC2\xB1");  // ±
    std::size_t sepLen = 2;
    if (sep == std::string_view::npos) {
        sep = text.find("+-");
        sepLen = 2;
    }
    if (sep == std::string_view::npos) {
        const auto v = parseTime(text);
        if (!v) return std::nullopt;
        return TimeTolerance{*v, 0};
    }
    const auto v = parseTime(text.substr(0, sep));
    const auto tol = parseTime(text.substr(sep + sepLen));
    if (!v || !tol) return std::nullopt;
    return TimeTolerance{*v, *tol};
}

std::optional<std::uint64_t> parseFrequency(std::string_view text) {
    const auto [number, unit] = splitNumber(trim(text));
    if (number.empty() || number.front() == '.' || number.back() == '.' ||
        std::count(number.begin(), number.end(), '.') > 1) {
        return std::nullopt;
    }
    std::uint64_t scale;
    if (unit.empty() || unit == "Hz")
        scale = 1;
    else if (unit == "kHz")
        scale = 1'000;
    else if (unit == "MHz")
        scale = 1'000'000;
    else if (unit == "GHz")
        scale = 1'000'000'000;
    else
        return std::nullopt;
    unsigned __int128 whole = 0, frac = 0, fracDiv = 1;
    bool inFrac = false;
    for (char c : number) {
        if (c == '.') {
            inFrac = true;
            continue;
        }
        const unsigned d = static_cast<unsigned>(c - '0');
        if (inFrac) {
            if (fracDiv > 1'000'000'000'000ULL)
                return std::nullopt;  // more digits than any unit needs
            frac = frac * 10 + d;
            fracDiv *= 10;
        } else {
            whole = whole * 10 + d;
            if (whole > std::numeric_limits<std::uint64_t>::max()) return std::nullopt;
        }
    }
    if ((frac * scale) % fracDiv != 0) return std::nullopt;  // not a whole number of hertz
    const unsigned __int128 hz = whole * scale + frac * scale / fracDiv;
    if (hz == 0 || hz > std::numeric_limits<std::uint64_t>::max()) return std::nullopt;
    return static_cast<std::uint64_t>(hz);
}

std::optional<unsigned> parseExceptionName(std::string_view text, const ChipDescription& chip) {
    text = trim(text);
    static constexpr std::pair<std::string_view, unsigned> kSystem[] = {
        {"NMI", exc::kNmi},
        {"HardFault", exc::kHardFault},
        {"MemManage", exc::kMemManage},
        {"BusFault", exc::kBusFault},
        {"UsageFault", exc::kUsageFault},
        {"SVCall", exc::kSvCall},
        {"SVC", exc::kSvCall},
        {"DebugMonitor", exc::kDebugMonitor},
        {"PendSV", exc::kPendSv},
        {"SysTick", exc::kSysTick},
    };
    for (const auto& [name, number] : kSystem) {
        if (iequals(text, name)) return number;
    }
    if (text.size() > 3 && iequals(text.substr(0, 3), "IRQ")) {
        const std::string_view digits = trim(text.substr(3));
        if (!digits.empty() && digits.size() <= 4 &&
            std::all_of(digits.begin(), digits.end(),
                        [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
            const unsigned irq = static_cast<unsigned>(std::stoul(std::string(digits)));
            if (irq < chip.core.numIrqs) return exc::kFirstIrq + irq;
            return std::nullopt;
        }
    }
    for (std::size_t i = 0; i < chip.irqNames.size(); ++i) {
        if (iequals(text, chip.irqNames[i])) return exc::kFirstIrq + static_cast<unsigned>(i);
    }
    return std::nullopt;
}

std::optional<PinRef> parsePinRef(std::string_view text, const BoardDescription& board) {
    text = trim(text);
    auto ledOn = [&](char port, std::uint8_t pin) -> const LedDescription* {
        for (const auto& led : board.leds) {
            if (led.port == port && led.pin == pin) return &led;
        }
        return nullptr;
    };
    if (text.size() >= 3 && text.size() <= 4 && (text[0] == 'P' || text[0] == 'p') &&
        std::isalpha(static_cast<unsigned char>(text[1]))) {
        const std::string_view digits = text.substr(2);
        if (std::all_of(digits.begin(), digits.end(),
                        [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
            const char port = static_cast<char>(std::toupper(static_cast<unsigned char>(text[1])));
            const unsigned pin = static_cast<unsigned>(std::stoul(std::string(digits)));
            const std::string block = fmt::format("GPIO{}", port);
            const bool portExists =
                std::any_of(board.chip.peripherals.begin(), board.chip.peripherals.end(),
                            [&](const PeripheralBlock& b) { return b.name == block; });
            if (pin > 15 || !portExists) return std::nullopt;
            return PinRef{port, static_cast<std::uint8_t>(pin),
                          ledOn(port, static_cast<std::uint8_t>(pin))};
        }
    }
    for (const auto& led : board.leds) {
        if (iequals(text, led.name)) return PinRef{led.port, led.pin, &led};
    }
    const LedDescription* byColor = nullptr;
    for (const auto& led : board.leds) {
        if (iequals(text, led.color)) {
            if (byColor != nullptr) return std::nullopt;  // ambiguous
            byColor = &led;
        }
    }
    if (byColor != nullptr) return PinRef{byColor->port, byColor->pin, byColor};
    return std::nullopt;
}

std::string describePin(const PinRef& pin) {
    if (pin.led != nullptr)
        return fmt::format("P{}{} ({} {})", pin.port, pin.pin, pin.led->name, pin.led->color);
    return fmt::format("P{}{}", pin.port, pin.pin);
}

std::string describeException(unsigned number, const ChipDescription& chip) {
    if (number >= exc::kFirstIrq) {
        const unsigned irq = number - exc::kFirstIrq;
        if (irq < chip.irqNames.size()) return fmt::format("IRQ {} ({})", irq, chip.irqNames[irq]);
    }
    return Nvic::exceptionName(number);
}

std::string formatMsExact(Picoseconds t) {
    return exactDecimal(t, 1'000'000'000ULL) + " ms";
}

std::string formatDurationExact(Picoseconds t) {
    if (t >= 1'000'000'000'000ULL) return exactDecimal(t, 1'000'000'000'000ULL) + " s";
    if (t >= 1'000'000'000ULL) return exactDecimal(t, 1'000'000'000ULL) + " ms";
    if (t >= 1'000'000ULL) return exactDecimal(t, 1'000'000ULL) + " us";
    if (t >= 1'000ULL) return exactDecimal(t, 1'000ULL) + " ns";
    return fmt::format("{} ps", t);
}

// ---- the file ---------------------------------------------------------------------------

namespace {

// yaml-cpp 0.7 (Debian 12) never returns from YAML::LoadAll on some malformed streams, e.g.
// a lone ',': it appends null documents until memory runs out (yaml-cpp issue #1040, fixed
// upstream in 2024; found by tests/fuzz/fuzz_scenario.cpp). So the documents are counted by
// an event handler that stops at the second, and only the first is loaded (YAML::Load).
// Returns the position of the second document's first node, if there is a second document.
class DocumentCounter : public YAML::EventHandler {
  public:
    int documents = 0;
    std::optional<YAML::Mark> secondNode;
    void OnDocumentStart(const YAML::Mark&) override { ++documents; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
    void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { node(m); }
    void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  const std::string&) override {
        node(m);
    }
    void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        node(m);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {
        node(m);
    }
    void OnMapEnd() override {}

  private:
    void node(const YAML::Mark& m) {
        if (documents == 2 && !secondNode) secondNode = m;
    }
};

std::optional<YAML::Mark> secondDocument(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentCounter counter;
    for (int i = 0; i < 2 && parser.HandleNextDocument(counter); ++i) {
    }
    if (counter.documents < 2) return std::nullopt;
    return counter.secondNode.value_or(YAML::Mark::null_mark());
}

constexpr const char* kDurationHint = "a number and a unit (ns, us, ms or s), e.g. 250ms";
constexpr const char* kToleranceHint =
    "a time and an optional tolerance, e.g. 500ms ± 1ms or 500ms +- 1ms";

std::size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

// " (did you mean 'interval'?)" or "".
std::string didYouMean(std::string_view word, const std::vector<std::string_view>& candidates) {
    std::string_view best;
    std::size_t bestDistance = std::numeric_limits<std::size_t>::max();
    for (auto c : candidates) {
        const std::size_t d = editDistance(word, c);
        if (d < bestDistance) {
            bestDistance = d;
            best = c;
        }
    }
    if (best.empty() || bestDistance > 2 || bestDistance >= best.size()) return "";
    return fmt::format(" (did you mean '{}'?)", best);
}

std::string listOf(const std::vector<std::string_view>& words) {
    std::string s;
    for (auto w : words) s += (s.empty() ? "" : ", ") + std::string(w);
    return s;
}

SourcePos posOf(const YAML::Mark& m) {
    if (m.is_null() || m.line < 0) return {1, 1};
    return {m.line + 1, m.column + 1};
}

std::string nodeKind(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Map:
            return "a mapping";
        case YAML::NodeType::Null:
            return "empty";
        case YAML::NodeType::Scalar:
            return fmt::format("'{}'", n.Scalar());
        default:
            return "nothing";
    }
}

struct Entry {
    std::string key;
    SourcePos keyPos;
    YAML::Node value;
    // Where an error about the value points: the value itself, or the key when empty.
    SourcePos valuePos() const { return value.IsNull() ? keyPos : posOf(value.Mark()); }
};

class Parser {
  public:
    Parser(std::string file, std::filesystem::path baseDir, const ParseOptions& options)
        : file_(std::move(file)), baseDir_(std::move(baseDir)), options_(options) {}

    Scenario parse(std::string_view source);

  private:
    [[noreturn]] void fail(SourcePos pos, const std::string& message) const {
        throw InputError(fmt::format("{}:{}:{}: {}", file_, pos.line, pos.column, message));
    }

    // The fields of a mapping, checked against the keys `what` allows.
    class Fields {
      public:
        Fields(const Parser& p, const YAML::Node& map, SourcePos pos, std::string what,
               std::vector<std::string_view> allowed)
            : p_(p), pos_(pos), what_(std::move(what)) {
            if (!map.IsMap())
                p.fail(pos, fmt::format("{} must be a mapping, not {}", what_, nodeKind(map)));
            for (const auto& kv : map) {
                const SourcePos keyPos = posOf(kv.first.Mark());
                if (!kv.first.IsScalar())
                    p.fail(keyPos, fmt::format("keys in {} must be names, not {}", what_,
                                               nodeKind(kv.first)));
                const std::string key = kv.first.Scalar();
                if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
                    p.fail(keyPos, fmt::format("unknown key '{}' in {}{}; expected {}", key, what_,
                                               didYouMean(key, allowed), listOf(allowed)));
                }
                for (const auto& e : entries_) {
                    if (e.key == key) {
                        p.fail(keyPos, fmt::format("duplicate key '{}' in {} (first at line {})",
                                                   key, what_, e.keyPos.line));
                    }
                }
                entries_.push_back(Entry{key, keyPos, kv.second});
            }
        }
        const Entry* find(std::string_view key) const {
            for (const auto& e : entries_) {
                if (e.key == key) return &e;
            }
            return nullptr;
        }
        const Entry& require(std::string_view key) const {
            if (const Entry* e = find(key)) return *e;
            p_.fail(pos_, fmt::format("missing '{}' in {}", key, what_));
        }
        SourcePos pos() const { return pos_; }
        const std::string& what() const { return what_; }

      private:
        const Parser& p_;
        SourcePos pos_;
        std::string what_;
        std::vector<Entry> entries_;
    };

    // ---- scalar values ----
    std::string scalar(const Entry& e, std::string_view expected) const {
        if (!e.value.IsScalar())
            fail(e.valuePos(),
                 fmt::format("'{}' must be {}, not {}", e.key, expected, nodeKind(e.value)));
        return e.value.Scalar();
    }
    std::string text(const Entry& e) const {
        std::string s = scalar(e, "a text");
        if (trim(s).empty()) fail(e.valuePos(), fmt::format("'{}' must not be empty", e.key));
        return s;
    }
    Picoseconds time(const Entry& e) const {
        const std::string s = scalar(e, fmt::format("a duration: {}", kDurationHint));
        const auto t = parseTime(s);
        if (!t)
            fail(e.valuePos(),
                 fmt::format("bad duration '{}' for '{}': expected {}", s, e.key, kDurationHint));
        return *t;
    }
    TimeTolerance timeTolerance(const Entry& e) const {
        const std::string s = scalar(e, kToleranceHint);
        const auto t = parseTimeTolerance(s);
        if (!t)
            fail(e.valuePos(),
                 fmt::format("bad duration '{}' for '{}': expected {}", s, e.key, kToleranceHint));
        return *t;
    }
    std::uint64_t frequency(const Entry& e) const {
        const char* hint = "a frequency in Hz, kHz or MHz, e.g. 168MHz or 16 MHz";
        const std::string s = scalar(e, hint);
        const auto f = parseFrequency(s);
        if (!f)
            fail(e.valuePos(),
                 fmt::format("bad frequency '{}' for '{}': expected {}", s, e.key, hint));
        return *f;
    }
    std::uint64_t count(const Entry& e) const {
        const std::string s = scalar(e, "a whole number");
        const std::string_view t = trim(s);
        if (t.empty() || t.size() > 19 || !std::all_of(t.begin(), t.end(), [](char c) {
                return std::isdigit(static_cast<unsigned char>(c));
            })) {
            fail(e.valuePos(), fmt::format("'{}' must be a whole number, not '{}'", e.key, s));
        }
        return std::stoull(std::string(t));
    }
    bool boolean(const Entry& e) const {
        const std::string s = scalar(e, "true or false");
        if (s == "true") return true;
        if (s == "false") return false;
        fail(e.valuePos(), fmt::format("'{}' must be true or false, not '{}'", e.key, s));
    }
    PinRef pin(const Entry& e) const {
        const std::string s = scalar(e, "a pin such as PD12, or an LED name or color");
        if (auto p = parsePinRef(s, *board_)) return *p;
        std::string leds;
        for (const auto& led : board_->leds) {
            leds += fmt::format("{}{} {} P{}{}", leds.empty() ? "" : ", ", led.name, led.color,
                                led.port, led.pin);
        }
        fail(e.valuePos(),
             fmt::format("unknown pin or LED '{}' on board {}: expected a pin such as PD12 or an "
                         "LED ({})",
                         s, board_->id, leds));
    }
    unsigned exception(const Entry& e) const {
        const std::string s = scalar(e, "an exception name such as SysTick, PendSV or IRQ 38");
        if (auto n = parseExceptionName(s, board_->chip)) return *n;
        fail(e.valuePos(),
             fmt::format("unknown exception '{}': expected NMI, HardFault, MemManage, BusFault, "
                         "UsageFault, SVCall, DebugMonitor, PendSV, SysTick, IRQ n (0..{}) "
                         "or an IRQ name of {} such as {}",
                         s, board_->chip.core.numIrqs - 1, board_->chip.name,
                         board_->chip.irqNames.empty() ? "TIM2" : board_->chip.irqNames[0]));
    }
    std::uint32_t address(const Entry& e) const {
        const std::string s = scalar(e, "an address such as 0x60000000");
        if (auto a = parseAddress(s)) return *a;
        fail(e.valuePos(),
             fmt::format("'{}' must be a 32-bit address such as 0x60000000, not '{}'", e.key, s));
    }
    // CFSR/HFSR: a number (0x00020000), or the bits set by name: "INVSTATE", "PRECISERR
    // BFARVALID", a list of names, or none (0), as the fault report prints them.
    std::uint32_t faultRegister(const Entry& e,
                                std::optional<std::uint32_t> (*bit)(std::string_view),
                                const char* example) const {
        std::vector<std::string> names;
        if (e.value.IsSequence()) {
            for (const auto& n : e.value) {
                if (!n.IsScalar())
                    fail(posOf(n.Mark()),
                         fmt::format("'{}' lists bit names, not {}", e.key, nodeKind(n)));
                names.push_back(n.Scalar());
            }
        } else {
            const std::string s = scalar(
                e, fmt::format("a value such as 0x40000000 or bit names such as {}", example));
            if (auto v = parseAddress(s)) return *v;
            std::istringstream words(s);
            for (std::string w; words >> w;) names.push_back(w);
        }
        std::uint32_t value = 0;
        for (const auto& n : names) {
            if (n == "none" && names.size() == 1) break;
            const auto b = bit(n);
            if (!b) {
                fail(e.valuePos(),
                     fmt::format("unknown {} bit '{}': expected a value such as 0x{:08x} "
                                 "or bit names as the fault report prints them, e.g. {}",
                                 e.key == "cfsr" ? "CFSR" : "HFSR", n, *bit(example), example));
            }
            value |= *b;
        }
        return value;
    }
    std::string symbol(const Entry& e) const {
        const std::string s = scalar(e, "a symbol name");
        const std::string_view t = trim(s);
        if (t.empty() || t.find_first_of(" \t") != std::string_view::npos) {
            fail(e.valuePos(), fmt::format("'{}' must be one symbol name, not '{}'", e.key, s));
        }
        return std::string(t);
    }

    // ---- shared field groups ----
    PinRef pinOrLed(const Fields& f) const {
        const Entry* pin = f.find("pin");
        const Entry* led = f.find("led");
        if (pin && led)
            fail(led->keyPos, fmt::format("{} takes 'pin' or 'led', not both", f.what()));
        if (!pin && !led)
            fail(f.pos(),
                 fmt::format("missing 'pin' (e.g. PD12) or 'led' (e.g. LD4 or green) in {}",
                             f.what()));
        const PinRef ref = this->pin(pin ? *pin : *led);
        if (led && ref.led == nullptr) {
            fail(led->valuePos(),
                 fmt::format("'{}' is not an LED of board {}: use 'pin' for a plain pin",
                             led->value.Scalar(), board_->id));
        }
        return ref;
    }
    Window window(const Fields& f) const {
        Window w;
        if (const Entry* e = f.find("from")) w.from = time(*e);
        if (const Entry* e = f.find("until")) {
            w.until = time(*e);
            if (w.from && *w.until < *w.from) {
                fail(e->valuePos(), fmt::format("'until' ({}) is before 'from' ({})",
                                                formatMsExact(*w.until), formatMsExact(*w.from)));
            }
        }
        return w;
    }

    void expectations(const Entry& e, std::vector<Expectation>& out) const;
    void stacks(const Entry& e, std::vector<ScenarioStack>& out) const;
    void expectation(const YAML::Node& item, std::vector<Expectation>& out) const;
    SequenceEvent sequenceEvent(const YAML::Node& item) const;
    std::filesystem::path firmware(const Entry& e) const;
    std::string expand(const Entry& e, const std::string& text) const;

    std::string file_;
    std::filesystem::path baseDir_;
    const ParseOptions& options_;
    const BoardDescription* board_ = nullptr;
};

const std::vector<std::string_view> kKinds = {
    "toggles", "stays",    "sequence", "reaches",  "never_reaches", "exception",
    "clock",   "no_fault", "fault",    "stack_ok", "stack_overflow"};

Scenario Parser::parse(std::string_view source) {
    std::vector<YAML::Node> docs;
    std::optional<YAML::Mark> second;
    try {
        second = secondDocument(std::string(source));  // not YAML::LoadAll: see secondDocument
        docs.push_back(YAML::Load(std::string(source)));
    } catch (const YAML::ParserException& e) {
        fail(posOf(e.mark), fmt::format("YAML syntax error: {}", e.msg));
    }
    if (docs.empty() || docs[0].IsNull()) fail({1, 1}, "empty scenario file");
    if (second) {
        fail(posOf(*second), "a second YAML document: a scenario file holds one scenario");
    }
    const YAML::Node& root = docs[0];
    if (!root.IsMap()) {
        fail(posOf(root.Mark()),
             fmt::format("a scenario must be a mapping with name, firmware, board, run and "
                         "expect, not {}",
                         nodeKind(root)));
    }
    const Fields f(*this, root, posOf(root.Mark()), "the scenario",
                   {"name", "description", "firmware", "board", "run", "stacks", "expect"});
    Scenario s;
    s.file = file_;
    s.name = text(f.require("name"));
    if (const Entry* d = f.find("description")) s.description = scalar(*d, "a text");

    const Entry& board = f.require("board");
    const std::string boardId = scalar(board, "a board id such as f407");
    board_ = findBoard(boardId);
    if (board_ == nullptr) {
        std::vector<std::string_view> ids = boardIds();
        fail(board.valuePos(), fmt::format("unknown board '{}'{}; known boards: {}", boardId,
                                           didYouMean(boardId, ids), listOf(ids)));
    }
    s.board = board_;

    const Entry& fw = f.require("firmware");
    s.firmwarePos = fw.valuePos();
    s.firmware = firmware(fw);

    const Entry& run = f.require("run");
    const Fields r(*this, run.value, run.valuePos(), "'run'",
                   {"for", "cycles", "strict", "stop_on_fault"});
    const Entry* forE = r.find("for");
    const Entry* cyclesE = r.find("cycles");
    if (forE && cyclesE) fail(cyclesE->keyPos, "'run' takes 'for' or 'cycles', not both");
    if (!forE && !cyclesE) fail(r.pos(), "missing 'for' (e.g. 4s) or 'cycles' in 'run'");
    if (forE) {
        s.run.duration = time(*forE);
        if (*s.run.duration == 0) fail(forE->valuePos(), "'for' must be a positive duration");
    } else {
        s.run.cycles = count(*cyclesE);
        if (*s.run.cycles == 0) fail(cyclesE->valuePos(), "'cycles' must be positive");
    }
    if (const Entry* st = r.find("strict")) s.run.strict = boolean(*st);
    if (const Entry* st = r.find("stop_on_fault")) s.run.stopOnFault = boolean(*st);

    if (const Entry* st = f.find("stacks")) stacks(*st, s.stacks);
    expectations(f.require("expect"), s.expectations);

    const Expectation* noFault = nullptr;
    const Expectation* fault = nullptr;
    for (const auto& x : s.expectations) {
        if (std::holds_alternative<NoFaultExpectation>(x.spec)) noFault = &x;
        if (std::holds_alternative<FaultExpectation>(x.spec)) {
            if (fault != nullptr)
                fail(x.pos, fmt::format("a second 'fault' expectation (first at line {})",
                                        fault->pos.line));
            fault = &x;
        }
    }
    if (noFault && fault) {
        const Expectation* later = noFault->pos.line > fault->pos.line ? noFault : fault;
        fail(later->pos, "'no_fault' and 'fault' contradict each other");
    }
    const Expectation* stackOk = nullptr;
    const Expectation* stackOverflow = nullptr;
    for (const auto& x : s.expectations) {
        if (std::holds_alternative<StackOkExpectation>(x.spec)) stackOk = &x;
        if (std::holds_alternative<StackOverflowExpectation>(x.spec)) stackOverflow = &x;
        if (stackOk && stackOverflow)
            fail(x.pos, "'stack_ok' and 'stack_overflow' contradict each other");
    }
    if (!noFault && !fault)
        s.expectations.push_back(Expectation{NoFaultExpectation{}, f.pos(), true});
    return s;
}

std::string Parser::expand(const Entry& e, const std::string& text) const {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        if (text.compare(i, 2, "${") != 0) {
            out += text[i++];
            continue;
        }
        const std::size_t end = text.find('}', i + 2);
        if (end == std::string::npos)
            fail(e.valuePos(), fmt::format("unterminated '${{' in firmware '{}'", text));
        const std::string name = text.substr(i + 2, end - i - 2);
        std::optional<std::string> value;
        if (options_.variable) {
            value = options_.variable(name);
        } else if (const char* env = std::getenv(name.c_str()); env != nullptr && *env != '\0') {
            value = env;
        }
        if (!value)
            fail(e.valuePos(),
                 fmt::format("firmware '{}': environment variable {} is not set", text, name));
        out += *value;
        i = end + 1;
    }
    return out;
}

std::filesystem::path Parser::firmware(const Entry& e) const {
    const std::string written = text(e);
    if (options_.firmwareOverride) return *options_.firmwareOverride;
    std::filesystem::path p(expand(e, written));
    if (p.is_relative()) p = baseDir_ / p;
    return p.lexically_normal();
}

void Parser::stacks(const Entry& e, std::vector<ScenarioStack>& out) const {
    if (!e.value.IsMap() || e.value.size() == 0) {
        fail(e.valuePos(),
             fmt::format("'stacks' must be a mapping of task names to SYMBOL[:SIZE] or "
                         "ADDRESS:SIZE (e.g. red: g_red_stack), not {}",
                         nodeKind(e.value)));
    }
    for (const auto& kv : e.value) {
        const SourcePos keyPos = posOf(kv.first.Mark());
        if (!kv.first.IsScalar() || trim(kv.first.Scalar()).empty())
            fail(keyPos,
                 fmt::format("keys in 'stacks' must be task names, not {}", nodeKind(kv.first)));
        const Entry entry{kv.first.Scalar(), keyPos, kv.second};
        for (const auto& other : out) {
            if (other.spec.name == entry.key)
                fail(keyPos, fmt::format("duplicate stack '{}' in 'stacks'", entry.key));
        }
        const std::string text = scalar(entry, "SYMBOL, SYMBOL:SIZE or ADDRESS:SIZE");
        std::string error;
        auto spec = parseStackTarget(entry.key, trim(text), &error);
        if (!spec) fail(entry.valuePos(), fmt::format("stack '{}': {}", entry.key, error));
        out.push_back(ScenarioStack{std::move(*spec), entry.valuePos()});
    }
}

void Parser::expectations(const Entry& e, std::vector<Expectation>& out) const {
    if (!e.value.IsSequence()) {
        fail(e.valuePos(),
             fmt::format(
                 "'expect' must be a list of expectations (- toggles: ..., - no_fault: true), "
                 "not {}",
                 nodeKind(e.value)));
    }
    if (e.value.size() == 0)
        fail(e.valuePos(), "'expect' is empty: a scenario needs at least one expectation");
    for (const auto& item : e.value) expectation(item, out);
}

void Parser::expectation(const YAML::Node& item, std::vector<Expectation>& out) const {
    const SourcePos pos = posOf(item.Mark());
    if (!item.IsMap()) {
        fail(pos, fmt::format("an expectation must be a mapping of one kind to its fields (e.g. "
                              "'no_fault: true'), "
                              "not {}; kinds: {}",
                              nodeKind(item), listOf(kKinds)));
    }
    if (item.size() != 1) {
        auto it = item.begin();
        ++it;
        const std::string second = it->first.IsScalar() ? it->first.Scalar() : "?";
        fail(posOf(it->first.Mark()),
             fmt::format("an expectation has one kind, but this one also has '{}': is it "
                         "indented under the kind's name?",
                         second));
    }
    const auto kv = *item.begin();
    const SourcePos keyPos = posOf(kv.first.Mark());
    const std::string kind = kv.first.IsScalar() ? kv.first.Scalar() : "";
    const Entry entry{kind, keyPos, kv.second};
    const YAML::Node& v = kv.second;
    auto fields = [&](std::vector<std::string_view> allowed) {
        return Fields(*this, v, entry.valuePos(), kind + " expectation", std::move(allowed));
    };

    if (kind == "toggles") {
        const Fields f =
            fields({"pin", "led", "interval", "skip", "count", "first", "from", "until"});
        TogglesExpectation x;
        x.pin = pinOrLed(f);
        x.window = window(f);
        if (const Entry* e = f.find("interval")) x.interval = timeTolerance(*e);
        if (const Entry* e = f.find("skip")) {
            if (!x.interval)
                fail(e->keyPos, "'skip' needs 'interval' (it skips intervals at the start)");
            x.skip = count(*e);
        }
        if (const Entry* e = f.find("count")) x.count = count(*e);
        if (const Entry* e = f.find("first")) x.first = timeTolerance(*e);
        if (!x.interval && !x.count && !x.first) {
            fail(f.pos(),
                 "toggles expectation needs at least one of 'interval', 'count' and 'first'");
        }
        out.push_back({x, keyPos});
    } else if (kind == "stays") {
        const Fields f = fields({"pin", "led", "level", "from", "until"});
        StaysExpectation x;
        x.pin = pinOrLed(f);
        x.window = window(f);
        const Entry& lv = f.require("level");
        const std::string s = scalar(lv, "high, low, 1, 0, on or off");
        if (s == "high" || s == "1")
            x.level = true;
        else if (s == "low" || s == "0")
            x.level = false;
        else if (s == "on" || s == "off") {
            if (x.pin.led == nullptr)
                fail(lv.valuePos(),
                     fmt::format("'{}' needs an LED; P{}{} is a plain pin: use high or low", s,
                                 x.pin.port, x.pin.pin));
            x.level = (s == "on") == x.pin.led->activeHigh;
        } else {
            fail(lv.valuePos(),
                 fmt::format("'level' must be high, low, 1, 0, on or off, not '{}'", s));
        }
        out.push_back({x, keyPos});
    } else if (kind == "sequence") {
        const Fields f = fields({"events", "from", "until"});
        SequenceExpectation x;
        x.window = window(f);
        const Entry& ev = f.require("events");
        if (!ev.value.IsSequence() || ev.value.size() == 0) {
            fail(ev.valuePos(),
                 fmt::format(
                     "'events' must be a non-empty list (- falls: PD12, - exception: PendSV, "
                     "- reaches: main), not {}",
                     nodeKind(ev.value)));
        }
        for (const auto& e : ev.value) x.events.push_back(sequenceEvent(e));
        out.push_back({x, keyPos});
    } else if (kind == "reaches") {
        ReachesExpectation x;
        if (v.IsMap()) {
            const Fields f = fields({"symbol", "by"});
            const Entry& sym = f.require("symbol");
            x.symbol = symbol(sym);
            x.symbolPos = sym.valuePos();
            if (const Entry* e = f.find("by")) x.by = time(*e);
        } else {
            x.symbol = symbol(entry);
            x.symbolPos = entry.valuePos();
        }
        out.push_back({x, keyPos});
    } else if (kind == "never_reaches") {
        if (v.IsSequence()) {
            if (v.size() == 0) fail(entry.valuePos(), "'never_reaches' is an empty list");
            for (const auto& s : v) {
                const Entry one{kind, posOf(s.Mark()), s};
                out.push_back(
                    {NeverReachesExpectation{symbol(one), one.valuePos()}, one.valuePos()});
            }
        } else {
            out.push_back({NeverReachesExpectation{symbol(entry), entry.valuePos()}, keyPos});
        }
    } else if (kind == "exception") {
        const Fields f = fields({"name", "first", "count", "from", "until"});
        ExceptionExpectation x;
        x.number = exception(f.require("name"));
        x.window = window(f);
        if (const Entry* e = f.find("first")) x.first = timeTolerance(*e);
        if (const Entry* e = f.find("count")) x.count = count(*e);
        if (!x.first && !x.count)
            fail(f.pos(), "exception expectation needs 'first' or 'count' (or both)");
        out.push_back({x, keyPos});
    } else if (kind == "clock") {
        const Fields f = fields({"sysclk", "hclk", "by"});
        ClockExpectation x;
        if (const Entry* e = f.find("sysclk")) x.sysclkHz = frequency(*e);
        if (const Entry* e = f.find("hclk")) x.hclkHz = frequency(*e);
        if (const Entry* e = f.find("by")) x.by = time(*e);
        if (!x.sysclkHz && !x.hclkHz)
            fail(f.pos(), "clock expectation needs 'sysclk' or 'hclk' (or both)");
        out.push_back({x, keyPos});
    } else if (kind == "no_fault") {
        if (!boolean(entry)) {
            fail(entry.valuePos(),
                 "'no_fault: false' is not an expectation: leave it out, or expect the fault "
                 "with 'fault: TEXT'");
        }
        out.push_back({NoFaultExpectation{}, keyPos});
    } else if (kind == "fault") {
        if (!v.IsMap()) {
            FaultExpectation x;
            x.contains = text(entry);
            out.push_back({x, keyPos});
            return;
        }
        const Fields f = fields({"message", "exception", "taken", "cfsr", "hfsr", "address", "pc"});
        FaultExpectation x;
        if (const Entry* e = f.find("message")) x.contains = text(*e);
        if (const Entry* e = f.find("exception")) x.exception = exception(*e);
        if (const Entry* e = f.find("taken")) x.taken = exception(*e);
        if (const Entry* e = f.find("cfsr")) x.cfsr = faultRegister(*e, cfsrBit, "INVSTATE");
        if (const Entry* e = f.find("hfsr")) x.hfsr = faultRegister(*e, hfsrBit, "FORCED");
        if (const Entry* e = f.find("address")) x.address = address(*e);
        if (const Entry* e = f.find("pc")) {
            const std::string s =
                scalar(*e, "an address (0x08000822) or a symbol (main, main+0x16)");
            x.pcPos = e->valuePos();
            if (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) {
                x.pcAddress = address(*e);
            } else {
                x.pcSymbol = symbol(*e);
                const std::size_t plus = x.pcSymbol.find('+');
                if (plus != std::string::npos && !parseAddress(x.pcSymbol.substr(plus + 1))) {
                    fail(e->valuePos(),
                         fmt::format("bad offset in 'pc: {}': expected a symbol and a hex "
                                     "offset such as main+0x16",
                                     s));
                }
            }
        }
        if (f.find("message") == nullptr && !x.structured()) {
            fail(f.pos(),
                 "fault expectation needs at least one of message, exception, taken, "
                 "cfsr, hfsr, address and pc");
        }
        out.push_back({x, keyPos});
    } else if (kind == "stack_ok") {
        if (!boolean(entry)) {
            fail(entry.valuePos(),
                 "'stack_ok: false' is not an expectation: expect the overflow with "
                 "'stack_overflow: true' or 'stack_overflow: {task: NAME}'");
        }
        out.push_back({StackOkExpectation{}, keyPos});
    } else if (kind == "stack_overflow") {
        StackOverflowExpectation x;
        if (v.IsMap()) {
            const Fields f = fields({"task"});
            x.task = text(f.require("task"));
        } else if (!boolean(entry)) {
            fail(entry.valuePos(),
                 "'stack_overflow: false' is not an expectation: use 'stack_ok: true'");
        }
        out.push_back({x, keyPos});
    } else {
        fail(keyPos, fmt::format("unknown expectation '{}'{}; expected one of {}", kind,
                                 didYouMean(kind, kKinds), listOf(kKinds)));
    }
}

SequenceEvent Parser::sequenceEvent(const YAML::Node& item) const {
    const std::vector<std::string_view> kinds = {"rises", "falls", "changes", "exception",
                                                 "reaches"};
    const SourcePos pos = posOf(item.Mark());
    if (!item.IsMap() || item.size() != 1) {
        fail(pos,
             fmt::format("a sequence event is one of '{}' with its pin, exception or symbol (e.g. "
                         "'- falls: PD12'), not {}",
                         listOf(kinds),
                         item.IsMap() ? "a mapping with several keys" : nodeKind(item)));
    }
    const auto kv = *item.begin();
    const Entry e{kv.first.IsScalar() ? kv.first.Scalar() : "", posOf(kv.first.Mark()), kv.second};
    SequenceEvent ev;
    ev.pos = e.valuePos();
    if (e.key == "rises" || e.key == "falls" || e.key == "changes") {
        ev.kind = e.key == "rises"   ? SequenceEvent::Kind::Rises
                  : e.key == "falls" ? SequenceEvent::Kind::Falls
                                     : SequenceEvent::Kind::Changes;
        ev.pin = pin(e);
    } else if (e.key == "exception") {
        ev.kind = SequenceEvent::Kind::Exception;
        ev.exception = exception(e);
    } else if (e.key == "reaches") {
        ev.kind = SequenceEvent::Kind::Reaches;
        ev.symbol = symbol(e);
    } else {
        fail(e.keyPos, fmt::format("unknown sequence event '{}'{}; expected one of {}", e.key,
                                   didYouMean(e.key, kinds), listOf(kinds)));
    }
    return ev;
}

}  // namespace

Scenario parseScenarioText(std::string_view text, const std::string& file,
                           const ParseOptions& options) {
    std::filesystem::path base = std::filesystem::path(file).parent_path();
    if (base.empty()) base = ".";
    Parser p(file, base, options);
    return p.parse(text);
}

Scenario parseScenarioFile(const std::filesystem::path& file, const ParseOptions& options) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
        throw InputError(fmt::format("{}: is a directory", file.string()));
    std::ifstream in(file, std::ios::binary);
    if (!in) throw InputError(fmt::format("{}: cannot open the scenario file", file.string()));
    std::stringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw InputError(fmt::format("{}: cannot read the scenario file", file.string()));
    return parseScenarioText(ss.str(), file.string(), options);
}

std::vector<std::pair<std::string, SourcePos>> referencedSymbols(const Scenario& scenario) {
    std::vector<std::pair<std::string, SourcePos>> out;
    auto add = [&](const std::string& name, SourcePos pos) {
        for (const auto& [n, p] : out) {
            if (n == name) return;
        }
        out.emplace_back(name, pos);
    };
    for (const auto& x : scenario.expectations) {
        if (const auto* r = std::get_if<ReachesExpectation>(&x.spec)) add(r->symbol, r->symbolPos);
        if (const auto* n = std::get_if<NeverReachesExpectation>(&x.spec))
            add(n->symbol, n->symbolPos);
        if (const auto* f = std::get_if<FaultExpectation>(&x.spec); f && !f->pcSymbol.empty())
            add(f->pcSymbol.substr(0, f->pcSymbol.find('+')), f->pcPos);
        if (const auto* s = std::get_if<SequenceExpectation>(&x.spec)) {
            for (const auto& e : s->events) {
                if (e.kind == SequenceEvent::Kind::Reaches) add(e.symbol, e.pos);
            }
        }
    }
    return out;
}

}  // namespace cmsim::scenario
