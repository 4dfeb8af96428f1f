// Pictures of time: the VCD writer (sinks/VcdWriter.h) on hand-made events, byte for byte.
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

#include "sinks/VcdWriter.h"

namespace cmsim::sinks {
namespace {

struct VcdBench {
    Signals signals;
    TimeBase time{1'000'000'000};
    ActivityStream stream{signals, time,
                          std::vector<WatchedPin>{{"LD4", "green", 'D', 12, true, true},
                                                  {"PB0", "", 'B', 0, true, false}},
                          [](std::uint32_t t) { return t == 0 ? std::string("main") : "task " + std::to_string(t); },
                          nullptr};
    std::ostringstream out;
    VcdWriter vcd{stream, VcdHeader{"Test Board", "CHIP", "fw.elf"}, out};
    VcdBench() { stream.addListener(vcd); }

    std::string body() const {
        const std::string s = out.str();
        return s.substr(s.find("$enddefinitions $end\n") + 21);
    }
};

TEST(VcdWriter, HeaderDeclaresLedsPinsAndCoreSignals) {
    VcdBench b;
    const std::string s = b.out.str();
    EXPECT_EQ(s.rfind("$comment\n  cmsim: fw.elf on Test Board (CHIP)\n", 0), 0u) << s;
    EXPECT_NE(s.find("$timescale 1ns $end\n"), std::string::npos);
    EXPECT_NE(s.find("$scope module Test_Board $end\n"
                     "$scope module leds $end\n"
                     "$var wire 1 ! LD4_green_PD12 $end\n"
                     "$upscope $end\n"
                     "$scope module pins $end\n"
                     "$var wire 1 \" PB0 $end\n"
                     "$upscope $end\n"
                     "$scope module core $end\n"
                     "$var wire 1 % systick $end\n"
                     "$var wire 1 & handler $end\n"
                     "$var real 64 ' ipsr $end\n"
                     "$var string 1 ( task $end\n"
                     "$upscope $end\n"
                     "$upscope $end\n"
                     "$enddefinitions $end\n"),
              std::string::npos)
        << s;
    EXPECT_EQ(b.body(), "#0\n$dumpvars\n0!\n0\"\n0%\n0&\nr0 '\nsmain (\n$end\n");
}

TEST(VcdWriter, ChangesInNanosecondsSortedAndCoalesced) {
    VcdBench b;
    using K = ExceptionEvent::Kind;
    // 1 GHz: cycle c is c ns.
    b.signals.pins.publish(PinChange{1000, 1'000'400, 'D', 12, true});  // 1000.4 ns -> 1000
    b.signals.ticks.publish(TickEvent{990, 990'000, 1});                 // late: sorted first
    b.signals.exceptions.publish(ExceptionEvent{K::Entry, 1010, 1'010'000, 15, 0, 0xFFFFFFFD, 0});
    b.signals.exceptions.publish(ExceptionEvent{K::TailChain, 1016, 1'016'000, 14, 0, 0xFFFFFFFD, 0});
    b.signals.switches.publish(ContextSwitch{1030, 1'030'000, 0, 1, 998, 15});
    b.signals.exceptions.publish(ExceptionEvent{K::Return, 1030, 1'030'000, 14, 0, 0xFFFFFFFD, 0});
    // A pulse shorter than the timescale unit is not written at all.
    b.signals.pins.publish(PinChange{1100, 1'100'000, 'B', 0, true});
    b.signals.pins.publish(PinChange{1100, 1'100'200, 'B', 0, false});
    b.stream.finish(2'000'000);
    EXPECT_EQ(b.body(),
              "#0\n$dumpvars\n0!\n0\"\n0%\n0&\nr0 '\nsmain (\n$end\n"
              "#990\n1%\n"
              "#1000\n1!\n"
              "#1010\n1&\nr15 '\n"
              "#1016\nr14 '\n"
              "#1030\nstask_1 (\n0&\nr0 '\n"
              "#2000\n");
}

TEST(VcdWriter, EndsWithTheEndOfTheRunEvenWithoutChanges) {
    VcdBench b;
    b.stream.finish(5'000'000'499);  // rounds down to 5000000 ns
    EXPECT_EQ(b.body(), "#0\n$dumpvars\n0!\n0\"\n0%\n0&\nr0 '\nsmain (\n$end\n#5000000\n");
}

TEST(VcdWriter, IdentifiersAreUniquePrintableAndAvoidHashAndDollar) {
    std::set<std::string> seen;
    for (std::size_t n = 0; n < 20000; ++n) {
        const std::string id = VcdWriter::identifier(n);
        EXPECT_TRUE(seen.insert(id).second) << id;
        for (char c : id) {
            EXPECT_TRUE(c >= '!' && c <= '~' && c != '#' && c != '$') << n;
        }
    }
    EXPECT_EQ(VcdWriter::identifier(0), "!");
    EXPECT_EQ(VcdWriter::identifier(2), "%");
}

}  // namespace
}  // namespace cmsim::sinks
