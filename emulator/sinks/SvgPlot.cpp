#include "SvgPlot.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace cmsim::sinks {

namespace {
constexpr std::int64_t kWidth = 1200;
constexpr std::int64_t kPlotX = 170;  // left edge of the plot area
constexpr std::int64_t kPlotW = 1000;
constexpr std::int64_t kRowH = 20;
constexpr std::int64_t kLedRowH = 26;

// Hundredths of a pixel, printed with two decimals.
std::string px(std::int64_t h) {
    const char* sign = h < 0 ? "-" : "";
    const std::int64_t a = h < 0 ? -h : h;
    return fmt::format("{}{}.{:02}", sign, a / 100, a % 100);
}

std::string xml(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default: out += c;
        }
    }
    return out;
}

// A colour word as a whole token of a name ("task_red", "LD5 red") gives that colour.
std::optional<std::string> colourWord(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kColours = {{
        {"green", "#2ca02c"}, {"orange", "#f28e1c"}, {"red", "#d62728"},
        {"blue", "#1f6fd1"},  {"yellow", "#d8b800"}, {"white", "#a0a0a0"},
    }};
    std::size_t i = 0;
    while (i < name.size()) {
        std::size_t j = i;
        while (j < name.size() && std::isalnum(static_cast<unsigned char>(name[j]))) ++j;
        std::string word(name.substr(i, j - i));
        for (auto& ch : word) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        for (const auto& [w, c] : kColours) {
            if (word == w) return std::string(c);
        }
        i = j + 1;
    }
    return std::nullopt;
}

std::string taskColour(const std::string& name, std::uint32_t index) {
    if (auto c = colourWord(name)) return *c;
    if (name.find("idle") != std::string::npos || name.find("IDLE") != std::string::npos) return "#a8a8a8";
    if (index == 0) return "#6b6b6b";  // main: the code before the first task
    static constexpr std::array<std::string_view, 8> kPalette = {
        "#4e79a7", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"};
    return std::string(kPalette[index % kPalette.size()]);
}

std::string exceptionColour(unsigned number) {
    switch (number) {
        case 15: return "#444444";  // SysTick
        case 14: return "#8e44ad";  // PendSV
        case 11: return "#16a085";  // SVCall
        default: return number >= 16 ? "#c05a00" : "#c0392b";
    }
}
}  // namespace

Picoseconds SvgPlot::tickStep(Picoseconds span, unsigned target) {
    const Picoseconds raw = std::max<Picoseconds>(1, span / std::max(1u, target));
    Picoseconds decade = 1;
    while (true) {
        for (Picoseconds m : {1u, 2u, 5u}) {
            if (decade * m >= raw) return decade * m;
        }
        if (decade > ~Picoseconds{0} / 100) return decade * 10;
        decade *= 10;
    }
}

SvgPlot::SvgPlot(const ActivityStream& stream, PlotOptions options, std::ostream& out)
    : stream_(stream), opt_(std::move(options)), out_(out) {
    if (opt_.until <= opt_.from) opt_.until = opt_.from + 1;
    const std::size_t n = stream_.pins().size();
    level_.assign(n, false);
    levelAtFrom_.assign(n, false);
    edges_.resize(n);
}

void SvgPlot::onPin(Picoseconds t, std::size_t index, bool level) {
    if (t <= opt_.from) levelAtFrom_[index] = level;
    else if (t <= opt_.until) edges_[index].emplace_back(t, level);
    level_[index] = level;
}

void SvgPlot::onHandlerEnter(Picoseconds t, unsigned number, unsigned) { active_[number] = t; }

void SvgPlot::onHandlerLeave(Picoseconds t, unsigned number, unsigned) {
    const auto it = active_.find(number);
    if (it == active_.end()) return;
    if (overlaps(it->second, t)) {
        handlerRuns_[number].push_back(Interval{it->second, t, 0});
        if (it->second >= opt_.from) ++handlerCount_[number];
    }
    active_.erase(it);
}

void SvgPlot::closeTask(Picoseconds end) {
    const std::uint64_t run = ++runs_[task_];
    if (overlaps(taskSince_, end)) taskRuns_[task_].push_back(Interval{taskSince_, end, run});
}

void SvgPlot::onTaskSwitch(Picoseconds t, Picoseconds stopped, std::uint32_t, std::uint32_t to) {
    closeTask(std::max(stopped, taskSince_));
    task_ = to;
    taskSince_ = t;
}

void SvgPlot::onEnd(Picoseconds t) {
    if (ended_) return;
    ended_ = true;
    closeTask(t);
    while (!active_.empty()) onHandlerLeave(t, active_.begin()->first, 0);
    render(t);
    out_.flush();
}

void SvgPlot::render(Picoseconds end) {
    // The window shown: as asked, but not past the end of the run.
    const Picoseconds from = opt_.from;
    const Picoseconds until = std::max(from + 1, std::min(opt_.until, end));
    const Picoseconds span = until - from;
    auto x = [&](Picoseconds t) -> std::int64_t {
        const Picoseconds c = std::clamp(t, from, until);
        const unsigned __int128 num = static_cast<unsigned __int128>(c - from) * (kPlotW * 100);
        return kPlotX * 100 + static_cast<std::int64_t>(num / span);
    };

    // Rows: tasks that ran in the window, exceptions taken in it, then the LEDs.
    std::vector<std::uint32_t> tasks;
    for (const auto& [task, runs] : taskRuns_) {
        if (!runs.empty()) tasks.push_back(task);
    }
    std::vector<unsigned> exceptions;
    for (const auto& [n, runs] : handlerRuns_) {
        if (!runs.empty()) exceptions.push_back(n);
    }
    std::vector<std::size_t> leds;
    for (std::size_t i = 0; i < stream_.pins().size(); ++i) {
        if (stream_.pins()[i].isLed) leds.push_back(i);
    }

    const std::int64_t top = 64;
    const std::int64_t taskTop = top + 14;
    const std::int64_t excTop = taskTop + kRowH * static_cast<std::int64_t>(tasks.size()) + 18;
    const std::int64_t ledTop = excTop + kRowH * static_cast<std::int64_t>(exceptions.size()) + 18;
    const std::int64_t axisY = ledTop + kLedRowH * static_cast<std::int64_t>(leds.size()) + 6;
    const std::int64_t height = axisY + 62;

    std::string s;
    s += fmt::format(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
        "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n",
        kWidth, height);
    s += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n", kWidth, height);
    const unsigned decimals = span >= 100'000'000'000ULL ? 0 : span >= 10'000'000'000ULL ? 1
                              : span >= 1'000'000'000ULL ? 2 : span >= 100'000'000ULL ? 3
                              : span >= 10'000'000ULL ? 4 : span >= 1'000'000ULL ? 5 : 6;
    s += fmt::format("<text x=\"12\" y=\"24\" font-size=\"16\" font-weight=\"bold\">{}</text>\n", xml(opt_.title));
    s += fmt::format(
        "<text x=\"12\" y=\"44\" fill=\"#444444\">Simulated time {} to {} ms. Bars: when each task ran "
        "(Thread mode, from its switch-in to the exception that took it off the core) and when each "
        "handler ran.</text>\n",
        formatMsDecimals(from, decimals), formatMsDecimals(until, decimals));

    // Grid and axis ticks.
    const Picoseconds step = tickStep(span);
    unsigned tickDecimals = 0;
    for (Picoseconds unit = 1'000'000'000; unit > step && tickDecimals < 9; unit /= 10) ++tickDecimals;
    s += "<g class=\"grid\" stroke=\"#e4e4e4\" stroke-width=\"1\">\n";
    const Picoseconds firstTick = (from + step - 1) / step * step;
    for (Picoseconds t = firstTick; t <= until; t += step) {
        s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n", px(x(t)), taskTop - 4, axisY);
    }
    s += "</g>\n";

    auto sectionTitle = [&](std::int64_t y, const char* text) {
        s += fmt::format("<text x=\"12\" y=\"{}\" font-size=\"11\" font-weight=\"bold\" fill=\"#777777\">{}</text>\n",
                         y - 4, text);
    };
    auto rowLabel = [&](std::int64_t y, std::int64_t h, const std::string& text) {
        s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", kPlotX - 8, y + h / 2 + 4,
                         xml(text));
        s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#f0f0f0\"/>\n", kPlotX,
                         y + h, kPlotX + kPlotW, y + h);
    };

    // Tasks: one bar per run, at least 1.5 pixels wide so that short runs stay visible.
    sectionTitle(taskTop, "TASKS");
    for (std::size_t r = 0; r < tasks.size(); ++r) {
        const std::uint32_t task = tasks[r];
        const std::string name = stream_.taskName(task);
        const std::int64_t y = taskTop + kRowH * static_cast<std::int64_t>(r);
        rowLabel(y, kRowH, name);
        const auto& runs = taskRuns_[task];
        s += fmt::format("<g class=\"task\" data-task=\"{}\" data-runs=\"{}\" fill=\"{}\">\n", xml(name),
                         runs.size(), taskColour(name, task));
        for (const auto& run : runs) {
            const std::int64_t x1 = x(run.start), x2 = x(run.end);
            s += fmt::format(
                "<rect class=\"run\" data-task=\"{}\" data-run=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" "
                "height=\"{}\"><title>{} run {}: {} to {} ms</title></rect>\n",
                xml(name), run.run, px(x1), y + 4, px(std::max<std::int64_t>(x2 - x1, 150)), kRowH - 8,
                xml(name), run.run, formatMsDecimals(run.start, 6), formatMsDecimals(run.end, 6));
        }
        s += "</g>\n";
    }

    // Exceptions: activations merged where they touch at this scale (a 1 ms SysTick over
    // two seconds is a solid band).
    sectionTitle(excTop, "EXCEPTIONS");
    for (std::size_t r = 0; r < exceptions.size(); ++r) {
        const unsigned n = exceptions[r];
        const std::string name = stream_.exceptionName(n);
        const std::int64_t y = excTop + kRowH * static_cast<std::int64_t>(r);
        rowLabel(y, kRowH, fmt::format("{} \u00d7{}", name, handlerCount_[n]));
        s += fmt::format("<g class=\"exception\" data-exception=\"{}\" data-entries=\"{}\" fill=\"{}\">\n", n,
                         handlerCount_[n], exceptionColour(n));
        s += fmt::format("<title>{}: {} entries in the window</title>\n", xml(name), handlerCount_[n]);
        std::int64_t curA = -1, curB = -1;
        auto put = [&] {
            if (curA >= 0) {
                s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\n", px(curA), y + 6,
                                 px(curB - curA), kRowH - 12);
            }
        };
        for (const auto& iv : handlerRuns_[n]) {
            const std::int64_t a = x(iv.start);
            const std::int64_t b = std::max(x(iv.end), a + 100);
            if (curA >= 0 && a <= curB) {
                curB = std::max(curB, b);
            } else {
                put();
                curA = a;
                curB = b;
            }
        }
        put();
        s += "</g>\n";
    }

    // LEDs: lit time shaded, the pin level as a square wave, in the LED's colour.
    sectionTitle(ledTop, "LEDS");
    for (std::size_t r = 0; r < leds.size(); ++r) {
        const std::size_t i = leds[r];
        const WatchedPin& p = stream_.pins()[i];
        const std::string colour = colourWord(p.color).value_or("#333333");
        const std::int64_t y = ledTop + kLedRowH * static_cast<std::int64_t>(r);
        rowLabel(y, kLedRowH, fmt::format("{} {} {}", p.name, p.color, p.pinName()));
        const std::int64_t yOn = (y + 4) * 100, yOff = (y + kLedRowH - 5) * 100;
        auto yFor = [&](bool level) { return level == p.activeHigh ? yOn : yOff; };
        bool level = levelAtFrom_[i];
        std::int64_t prevX = x(from);
        std::string shade, path = fmt::format("M{},{}", px(prevX), px(yFor(level)));
        auto segment = [&](std::int64_t toX) {
            if (level == p.activeHigh && toX > prevX) {
                shade += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\n", px(prevX),
                                     px(yOn), px(toX - prevX), px(yOff - yOn));
            }
            path += fmt::format(" H{}", px(toX));
        };
        for (const auto& [t, newLevel] : edges_[i]) {
            if (t > until) break;
            const std::int64_t ex = x(t);
            segment(ex);
            level = newLevel;
            path += fmt::format(" V{}", px(yFor(level)));
            prevX = ex;
        }
        segment(x(until));
        s += fmt::format("<g class=\"led-shade\" fill=\"{}\" fill-opacity=\"0.22\">\n{}</g>\n", colour, shade);
        s += fmt::format(
            "<path class=\"led\" data-led=\"{}\" data-edges=\"{}\" d=\"{}\" fill=\"none\" stroke=\"{}\" "
            "stroke-width=\"2\"/>\n",
            xml(p.name), edges_[i].size(), path, colour);
    }

    // Time axis in milliseconds.
    s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#000000\"/>\n", kPlotX, axisY,
                     kPlotX + kPlotW, axisY);
    s += "<g class=\"axis\" text-anchor=\"middle\">\n";
    for (Picoseconds t = firstTick; t <= until; t += step) {
        s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#000000\"/>\n", px(x(t)),
                         axisY, axisY + 5);
        s += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", px(x(t)), axisY + 18,
                         formatMsDecimals(t, tickDecimals));
    }
    s += "</g>\n";
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#444444\">simulated time (ms)</text>\n",
                     kPlotX + kPlotW / 2, axisY + 38);
    s += fmt::format(
        "<text x=\"12\" y=\"{}\" font-size=\"10\" fill=\"#888888\">cmsim: drawn from the run's events (the "
        "same stream as the console log); LED waves are up while the LED is lit.</text>\n",
        axisY + 54);
    s += "</svg>\n";
    out_ << s;
}

}  // namespace cmsim::sinks
