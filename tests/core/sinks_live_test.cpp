// Pictures of time: the live view's status line and pacing slices (sinks/LiveView.h).
#include <gtest/gtest.h>

#include <sstream>

#include "Machine.h"
#include "boards/Boards.h"
#include "sinks/LiveView.h"

namespace cmsim::sinks {
namespace {

TEST(LiveView, StatusLineShowsEachLedInItsColourAndTheTime) {
    Machine m(stm32f407DiscoveryBoard());
    std::ostringstream out;
    LiveView live(m, nullptr, LiveOptions{true, 1.0, true}, out);
    m.signals().pins.publish(PinChange{0, 0, 'D', 12, true});  // LD4 green on
    const std::string s = live.statusLine();
    EXPECT_NE(s.find("LD4 \x1b[1;32m\u25cf\x1b[0m"), std::string::npos) << s;   // lit: bright disc
    EXPECT_NE(s.find("LD3 \x1b[2;38;5;208m\u25cb\x1b[0m"), std::string::npos) << s;  // dark: dim ring
    EXPECT_NE(s.find("LD5 \x1b[2;31m"), std::string::npos) << s;
    EXPECT_NE(s.find("LD6 \x1b[2;34m"), std::string::npos) << s;
    EXPECT_NE(s.find("0.000 ms"), std::string::npos) << s;
}

TEST(LiveView, SlicesAreTwentyMillisecondsOfWallTime) {
    EXPECT_EQ(LiveView::sliceFor(1.0), 20'000'000'000u);
    EXPECT_EQ(LiveView::sliceFor(100.0), 2'000'000'000'000u);
    EXPECT_EQ(LiveView::sliceFor(0.5), 10'000'000'000u);
    EXPECT_EQ(LiveView::sliceFor(1e-9), 1'000'000u);  // at least 1 us of simulated time
}

}  // namespace
}  // namespace cmsim::sinks
