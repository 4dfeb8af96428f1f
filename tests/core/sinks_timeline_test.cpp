// Pictures of time: the Chrome trace-event timeline (sinks/TimelineWriter.h) and the SVG
// plot (sinks/SvgPlot.h) on hand-made events.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <regex>
#include <sstream>
#include <string>

#include "sinks/SvgPlot.h"
#include "sinks/TimelineWriter.h"

namespace cmsim::sinks {
namespace {

using nlohmann::json;
using K = ExceptionEvent::Kind;

struct Bench {
    Signals signals;
    TimeBase time{1'000'000'000};
    ActivityStream stream{signals, time, std::vector<WatchedPin>{{"LD4", "green", 'D', 12, true, true}},
                          [](std::uint32_t t) { return t == 0 ? std::string("main") : "task_" + std::to_string(t); },
                          nullptr};

    // main runs until a PendSV at 1 us switches to task 1; task 1 is preempted by SysTick,
    // which an IRQ preempts in turn; the LED goes on at 1.5 us.
    void scenario() {
        signals.exceptions.publish(ExceptionEvent{K::Entry, 1000, 1'000'000, 14, 0, 0xFFFFFFF9, 0});
        signals.switches.publish(ContextSwitch{1100, 1'100'000, 0, 1, 988, 14});
        signals.exceptions.publish(ExceptionEvent{K::Return, 1100, 1'100'000, 14, 0, 0xFFFFFFFD, 0});
        signals.pins.publish(PinChange{1500, 1'500'000, 'D', 12, true});
        signals.exceptions.publish(ExceptionEvent{K::Entry, 2000, 2'000'000, 15, 0, 0xFFFFFFFD, 0});
        signals.exceptions.publish(ExceptionEvent{K::Entry, 2100, 2'100'000, 16 + 6, 0, 0xFFFFFFF1, 0});
        signals.exceptions.publish(ExceptionEvent{K::Return, 2200, 2'200'000, 16 + 6, 0, 0xFFFFFFF1, 0});
        signals.exceptions.publish(ExceptionEvent{K::Return, 2300, 2'300'000, 15, 0, 0xFFFFFFFD, 0});
        signals.ticks.publish(TickEvent{1990, 1'990'000, 1});
        stream.finish(3'000'000);
    }
};

TEST(TimelineWriter, MicrosecondsAreTheExactDecimalOfThePicoseconds) {
    EXPECT_EQ(json(TimelineWriter::micros(1'000'297'283'499)).dump(), "1000297.283499");
    EXPECT_EQ(json(TimelineWriter::micros(5'952)).dump(), "0.005952");
    EXPECT_EQ(json(TimelineWriter::micros(0)).dump(), "0.0");
    EXPECT_EQ(json(TimelineWriter::micros(2'000'000'002'976)).dump(), "2000000.002976");
}

TEST(TimelineWriter, TasksExceptionsLedsAndMetadata) {
    Bench b;
    std::ostringstream out;
    TimelineWriter w(b.stream, TimelineHeader{"Board", "CHIP", "fw.elf"}, out);
    b.stream.addListener(w);
    b.scenario();
    const json doc = json::parse(out.str());
    EXPECT_EQ(doc["otherData"]["firmware"], "fw.elf");
    std::vector<json> x, counters, instants;
    std::map<int, std::string> names;
    std::string process;
    for (const auto& e : doc["traceEvents"]) {
        if (e["ph"] == "X") x.push_back(e);
        if (e["ph"] == "C") counters.push_back(e);
        if (e["ph"] == "i") instants.push_back(e);
        if (e["ph"] == "M" && e["name"] == "thread_name") names[e["tid"]] = e["args"]["name"];
        if (e["ph"] == "M" && e["name"] == "process_name") process = e["args"]["name"];
    }
    EXPECT_EQ(process, "Board (CHIP): fw.elf");
    EXPECT_EQ(names[1], "task main");
    EXPECT_EQ(names[2], "task task_1");
    EXPECT_EQ(names[1014], "PendSV (14)");
    EXPECT_EQ(names[1015], "SysTick (15)");
    EXPECT_EQ(names[1022], "IRQ 6 (22)");
    // Slices in the order they close.
    ASSERT_EQ(x.size(), 5u) << out.str();
    auto slice = [](const json& e) {
        return e["name"].get<std::string>() + " " + std::to_string(e["tid"].get<int>()) + " " +
               json(e["ts"]).dump() + "+" + json(e["dur"]).dump();
    };
    EXPECT_EQ(slice(x[0]), "main 1 0.0+0.988");          // until the PendSV entry began
    EXPECT_EQ(slice(x[1]), "PendSV 1014 1.0+0.1");
    EXPECT_EQ(slice(x[2]), "IRQ 6 1022 2.1+0.1");        // nested inside SysTick
    EXPECT_EQ(slice(x[3]), "SysTick 1015 2.0+0.3");
    EXPECT_EQ(slice(x[4]), "task_1 2 1.1+1.9");          // still running at the end
    ASSERT_EQ(counters.size(), 2u);                       // initial level and the edge
    EXPECT_EQ(counters[1]["name"], "LD4 green PD12");
    EXPECT_EQ(counters[1]["args"]["level"], 1);
    EXPECT_EQ(json(counters[1]["ts"]).dump(), "1.5");
    ASSERT_EQ(instants.size(), 1u);
    EXPECT_EQ(instants[0]["tid"], TimelineWriter::kSysTickTid);
}

TEST(SvgPlot, TickStepsAreOneTwoOrFiveTimesAPowerOfTen) {
    EXPECT_EQ(SvgPlot::tickStep(2'000'000'000'000), 200'000'000'000u);  // 2 s -> 200 ms
    EXPECT_EQ(SvgPlot::tickStep(300'000'000'000), 50'000'000'000u);     // 300 ms -> 50 ms
    EXPECT_EQ(SvgPlot::tickStep(20'000'000), 2'000'000u);               // 20 us -> 2 us
    EXPECT_EQ(SvgPlot::tickStep(7), 1u);
}

TEST(SvgPlot, OneBarPerRunInTheWindowAndTheLedWave) {
    Bench b;
    std::ostringstream out;
    SvgPlot plot(b.stream, PlotOptions{1'050'000, 3'000'000, "fw.elf on Board"}, out);
    b.stream.addListener(plot);
    b.scenario();
    const std::string svg = out.str();
    EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
    EXPECT_NE(svg.find("</svg>\n"), std::string::npos);
    // main ran before the window: no bar; task_1 ran from 1.1 us to the end.
    EXPECT_EQ(svg.find("data-task=\"main\""), std::string::npos);
    EXPECT_NE(svg.find("<rect class=\"run\" data-task=\"task_1\" data-run=\"1\" x=\"195.64\""), std::string::npos)
        << svg;
    EXPECT_NE(svg.find("data-exception=\"15\" data-entries=\"1\""), std::string::npos);
    EXPECT_NE(svg.find("data-exception=\"14\" data-entries=\"0\""), std::string::npos)
        << "PendSV began before the window: drawn, not counted";
    EXPECT_NE(svg.find("<path class=\"led\" data-led=\"LD4\" data-edges=\"1\""), std::string::npos);
    // Deterministic text: every coordinate has two decimals.
    const std::regex coord(R"(x="(-?\d+\.\d\d)\")");
    EXPECT_TRUE(std::regex_search(svg, coord));
    EXPECT_FALSE(std::regex_search(svg, std::regex(R"(x="\d+\.\d{3,})")));
}

}  // namespace
}  // namespace cmsim::sinks
