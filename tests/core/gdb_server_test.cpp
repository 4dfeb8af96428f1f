// The gdb server (GdbServer.h) against a fake DebugTarget: the pure command handler packet
// by packet, the byte-level session (acks, no-ack mode, interrupts while running), one
// real TCP connection, and — when gdb-multiarch is installed — the real gdb in batch mode.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "Errors.h"
#include "debug/DebugTarget.h"
#include "debug/GdbServer.h"
#include "debug/RspPacket.h"

namespace cmsim {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

// --- a fake machine ------------------------------------------------------------------

DebugStop stopOf(DebugStop::Kind kind, int signal = 5) {
    DebugStop stop{};
    stop.kind = kind;
    stop.signal = signal;
    return stop;
}

struct Watch {
    std::uint32_t address;
    std::uint32_t length;
    WatchKind kind;
    bool operator==(const Watch&) const = default;
};

class FakeTarget : public DebugTarget {
public:
    struct Region {
        std::uint32_t base;
        Bytes bytes;
    };

    FakeTarget(std::string xml, std::vector<unsigned> sizes) : xml_(std::move(xml)), sizes_(std::move(sizes)) {
        for (unsigned s : sizes_) regs.emplace_back(s, 0);
    }

    std::string targetXml() const override { return xml_; }
    unsigned registerCount() const override { return static_cast<unsigned>(sizes_.size()); }
    unsigned registerSize(unsigned r) const override { return r < sizes_.size() ? sizes_[r] : 0; }
    bool readRegister(unsigned r, Bytes& out) override {
        if (r >= regs.size() || unreadable.count(r)) return false;
        out = regs[r];
        return true;
    }
    bool writeRegister(unsigned r, std::span<const std::uint8_t> value) override {
        if (r >= regs.size() || value.size() != sizes_[r]) return false;
        regs[r].assign(value.begin(), value.end());
        return true;
    }
    void setRegister32(unsigned r, std::uint32_t v) {
        for (unsigned i = 0; i < 4; ++i) regs[r][i] = static_cast<std::uint8_t>(v >> (8 * i));
    }
    std::uint32_t register32(unsigned r) const {
        std::uint32_t v = 0;
        for (unsigned i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(regs[r][i]) << (8 * i);
        return v;
    }

    Region* region(std::uint32_t address, std::size_t length) {
        for (Region& r : regions) {
            if (address >= r.base && address - r.base + length <= r.bytes.size()) return &r;
        }
        return nullptr;
    }
    bool readMemory(std::uint32_t address, std::span<std::uint8_t> out) override {
        ++memoryReads;
        largestRead = std::max(largestRead, out.size());
        Region* r = region(address, out.size());
        if (!r) return false;
        std::copy_n(r->bytes.begin() + (address - r->base), out.size(), out.begin());
        return true;
    }
    bool writeMemory(std::uint32_t address, std::span<const std::uint8_t> data) override {
        Region* r = region(address, data.size());
        if (!r) return false;
        std::copy(data.begin(), data.end(), r->bytes.begin() + (address - r->base));
        return true;
    }
    Bytes memory(std::uint32_t address, std::size_t length) {
        Region* r = region(address, length);
        if (!r) return {};
        auto begin = r->bytes.begin() + (address - r->base);
        return Bytes(begin, begin + static_cast<std::ptrdiff_t>(length));
    }

    bool insertBreakpoint(std::uint32_t address) override {
        if (refuseBreakpoints) return false;
        breakpoints.insert(address);
        return true;
    }
    bool removeBreakpoint(std::uint32_t address) override { return breakpoints.erase(address) > 0; }
    bool insertWatchpoint(std::uint32_t address, std::uint32_t length, WatchKind kind) override {
        watches.push_back({address, length, kind});
        return true;
    }
    bool removeWatchpoint(std::uint32_t address, std::uint32_t length, WatchKind kind) override {
        const auto it = std::find(watches.begin(), watches.end(), Watch{address, length, kind});
        if (it == watches.end()) return false;
        watches.erase(it);
        return true;
    }

    DebugStop resume(bool step, const std::function<bool()>& interruptRequested) override {
        ++resumes;
        steps.push_back(step);
        if (onResume) return onResume(step, interruptRequested);
        if (simulateArm) return armResume(step);
        return stopOf(step ? DebugStop::Kind::Step : DebugStop::Kind::Finished);
    }
    // step: one Thumb instruction; continue: to the next breakpoint above pc, else the end.
    DebugStop armResume(bool step) {
        constexpr unsigned kPcIndex = 15;
        const std::uint32_t pc = register32(kPcIndex);
        if (step) {
            setRegister32(kPcIndex, pc + 2);
            return stopOf(DebugStop::Kind::Step);
        }
        for (std::uint32_t bp : breakpoints) {
            if (bp > pc) {
                setRegister32(kPcIndex, bp);
                return stopOf(DebugStop::Kind::Breakpoint);
            }
        }
        return stopOf(DebugStop::Kind::Finished);
    }
    void reset() override { ++resets; }
    std::string monitor(const std::string& command) override {
        monitorCommands.push_back(command);
        if (command == "help") return "monitor commands: help, cycles, reset\n";
        if (command == "cycles") return "cycles: 1234";
        return "";
    }

    std::vector<Bytes> regs;
    std::set<unsigned> unreadable;
    std::vector<Region> regions;
    std::set<std::uint32_t> breakpoints;
    std::vector<Watch> watches;
    bool refuseBreakpoints = false;
    bool simulateArm = false;
    std::function<DebugStop(bool, const std::function<bool()>&)> onResume;
    std::vector<bool> steps;
    int resumes = 0;
    int resets = 0;
    int memoryReads = 0;
    std::size_t largestRead = 0;
    std::vector<std::string> monitorCommands;

private:
    std::string xml_;
    std::vector<unsigned> sizes_;
};

// Three registers of 4, 4 and 8 bytes, 256 bytes of RAM at 0x20000000.
constexpr const char* kSmallXml =
    "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target version=\"1.0\">\n  <feature name=\"org.example.fake\">\n"
    "    <reg name=\"a\" bitsize=\"32\"/>\n    <reg name=\"b\" bitsize=\"32\"/>\n"
    "    <reg name=\"d\" bitsize=\"64\" type=\"ieee_double\"/>\n  </feature>\n</target>\n";

FakeTarget smallTarget() {
    FakeTarget t(kSmallXml, {4, 4, 8});
    t.regs[0] = {0x44, 0x33, 0x22, 0x11};                            // 0x11223344
    t.regs[1] = {0xef, 0xbe, 0xad, 0xde};                            // 0xdeadbeef
    t.regs[2] = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};    // 0x0102030405060708
    Bytes ram(256);
    for (std::size_t i = 0; i < ram.size(); ++i) ram[i] = static_cast<std::uint8_t>(i);
    t.regions.push_back({0x20000000, ram});
    return t;
}

// A Cortex-M as gdb knows it: the org.gnu.gdb.arm.m-profile feature, r0-r12 sp lr pc xpsr.
std::string armXml() {
    std::string xml =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
        "<target version=\"1.0\">\n  <architecture>arm</architecture>\n"
        "  <feature name=\"org.gnu.gdb.arm.m-profile\">\n";
    for (int i = 0; i <= 12; ++i) xml += "    <reg name=\"r" + std::to_string(i) + "\" bitsize=\"32\"/>\n";
    xml += "    <reg name=\"sp\" bitsize=\"32\" type=\"data_ptr\"/>\n"
           "    <reg name=\"lr\" bitsize=\"32\"/>\n"
           "    <reg name=\"pc\" bitsize=\"32\" type=\"code_ptr\"/>\n"
           "    <reg name=\"xpsr\" bitsize=\"32\"/>\n"
           "  </feature>\n</target>\n";
    return xml;
}

constexpr unsigned kSp = 13, kLr = 14, kPc = 15, kXpsr = 16;

FakeTarget armTarget() {
    FakeTarget t(armXml(), std::vector<unsigned>(17, 4));
    for (unsigned r = 0; r <= 12; ++r) t.setRegister32(r, r * 0x11111111u);
    t.setRegister32(kSp, 0x20001000);
    t.setRegister32(kLr, 0x08000201);
    t.setRegister32(kPc, 0x08000100);
    t.setRegister32(kXpsr, 0x01000000);
    Bytes flash(0x1000);
    for (std::size_t i = 0; i < flash.size(); i += 2) {  // Thumb NOP (bf00)
        flash[i] = 0x00;
        flash[i + 1] = 0xbf;
    }
    t.regions.push_back({0x08000000, flash});
    t.regions.push_back({0x20000000, Bytes(0x2000, 0)});
    t.simulateArm = true;
    return t;
}

std::string hexOf(std::string_view text) {
    return rsp::toHex(text);
}

// All packet payloads in a byte stream written by the server (acks skipped).
std::vector<std::string> packetsIn(std::string_view wire) {
    rsp::Parser parser;
    std::vector<std::string> out;
    for (const rsp::Event& e : parser.feed(wire)) {
        if (e.kind == rsp::Event::Kind::Packet) {
            EXPECT_TRUE(e.checksumOk);
            out.push_back(e.payload);
        }
    }
    return out;
}

// A session whose writer collects the output and whose reader plays a script.
struct Harness {
    explicit Harness(FakeTarget t) : target(std::move(t)) {}
    FakeTarget target;
    std::string wire;
    std::deque<std::optional<std::string>> script;  // nullopt entry: connection closed
    int reads = 0;
    GdbSession session{target, [this](std::string_view b) { wire += b; },
                       [this]() -> std::optional<std::string> {
                           ++reads;
                           if (script.empty()) return std::string{};
                           auto next = script.front();
                           script.pop_front();
                           return next;
                       }};

    std::vector<std::string> handle(std::string_view payload) { return session.handle(payload); }
    std::string one(std::string_view payload) {
        auto replies = session.handle(payload);
        EXPECT_EQ(replies.size(), 1u) << payload;
        return replies.empty() ? "<none>" : replies.back();
    }
};

// --- queries -----------------------------------------------------------------------

TEST(GdbSession, QSupportedAdvertisesFeatures) {
    Harness h(smallTarget());
    EXPECT_EQ(h.one("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386"),
              "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;vContSupported+;"
              "swbreak+;hwbreak+");
    EXPECT_EQ(h.one("qSupported"),
              "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;vContSupported+;"
              "swbreak+;hwbreak+");
}

TEST(GdbSession, TargetXmlInChunks) {
    Harness h(smallTarget());
    const std::string xml = kSmallXml;
    std::string assembled;
    std::size_t offset = 0;
    int packets = 0;
    while (true) {
        const std::string reply = h.one("qXfer:features:read:target.xml:" +
                                        fmt::format("{:x},{:x}", offset, 0x40));
        ASSERT_FALSE(reply.empty());
        ASSERT_TRUE(reply[0] == 'm' || reply[0] == 'l') << reply;
        const auto data = rsp::unescapeBinary(std::string_view(reply).substr(1));
        ASSERT_TRUE(data);
        assembled.append(data->begin(), data->end());
        offset += data->size();
        ++packets;
        if (reply[0] == 'l') break;
        ASSERT_EQ(data->size(), 0x40u);
        ASSERT_LT(packets, 100);
    }
    EXPECT_EQ(assembled, xml);
    EXPECT_EQ(packets, static_cast<int>((xml.size() + 0x3f) / 0x40));
    // Whole document at once, past the end, bad annex, bad numbers.
    EXPECT_EQ(h.one("qXfer:features:read:target.xml:0,ffb"), "l" + xml);
    EXPECT_EQ(h.one("qXfer:features:read:target.xml:" + fmt::format("{:x}", xml.size()) + ",10"), "l");
    EXPECT_EQ(h.one("qXfer:features:read:target.xml:ffffffff,10"), "l");
    EXPECT_EQ(h.one("qXfer:features:read:arm-core.xml:0,10"), "E00");
    EXPECT_EQ(h.one("qXfer:features:read:target.xml:zz,10"), "E00");
    EXPECT_EQ(h.one("qXfer:features:read:target.xml:0"), "E00");
    EXPECT_EQ(h.one("qXfer:features:read:target.xml:0,0"), "E00");
    EXPECT_EQ(h.one("qXfer:features:read:target.xml:100000000,1"), "E00");
    EXPECT_EQ(h.one("qXfer:memory-map:read::0,100"), "");  // not offered
}

TEST(GdbSession, TargetXmlSpecialCharactersAreEscaped) {
    FakeTarget t("<target><!-- #$}* --></target>", {});
    Harness h(std::move(t));
    const std::string reply = h.one("qXfer:features:read:target.xml:0,100");
    EXPECT_EQ(reply, "l<target><!-- }\x03}\x04}]}\x0a --></target>");
}

TEST(GdbSession, ThreadQueries) {
    Harness h(smallTarget());
    EXPECT_EQ(h.one("qC"), "QC1");
    EXPECT_EQ(h.one("qAttached"), "1");
    EXPECT_EQ(h.one("qAttached:1"), "1");
    EXPECT_EQ(h.one("qfThreadInfo"), "m1");
    EXPECT_EQ(h.one("qsThreadInfo"), "l");
    EXPECT_EQ(h.one("Hg0"), "OK");
    EXPECT_EQ(h.one("Hc-1"), "OK");
    EXPECT_EQ(h.one("Hgp1.1"), "OK");
    EXPECT_EQ(h.one("Hg"), "E01");
    EXPECT_EQ(h.one("T1"), "OK");
    EXPECT_EQ(h.one("T2"), "E01");
    EXPECT_EQ(h.one("Tzz"), "E01");
}

TEST(GdbSession, UnknownPacketsGetTheEmptyReply) {
    Harness h(smallTarget());
    for (const char* p : {"vMustReplyEmpty", "qTStatus", "qOffsets", "qSymbol::", "!", "R00",
                          "vKill;1", "QNonStop:1", "bc", "i", "y", "\x01\x02", "qXfer:threads:read::0,fff"}) {
        EXPECT_EQ(h.one(p), "") << p;
    }
    EXPECT_EQ(h.one(""), "");
}

// --- registers ---------------------------------------------------------------------

TEST(GdbSession, ReadAllRegistersInOrderLittleEndian) {
    Harness h(smallTarget());
    EXPECT_EQ(h.one("g"), "44332211" "efbeadde" "0807060504030201");
    EXPECT_EQ(h.one("gx"), "E01");
}

TEST(GdbSession, UnreadableRegisterIsReportedAsUnavailable) {
    Harness h(smallTarget());
    h.target.unreadable.insert(1);
    EXPECT_EQ(h.one("g"), "44332211" "xxxxxxxx" "0807060504030201");
    EXPECT_EQ(h.one("p1"), "xxxxxxxx");
}

TEST(GdbSession, WriteAllRegisters) {
    Harness h(smallTarget());
    EXPECT_EQ(h.one("G" "01000000" "02000000" "0300000000000000"), "OK");
    EXPECT_EQ(h.target.regs[0], (Bytes{1, 0, 0, 0}));
    EXPECT_EQ(h.target.regs[2], (Bytes{3, 0, 0, 0, 0, 0, 0, 0}));
    EXPECT_EQ(h.one("G" "01000000"), "E01");                                  // too short
    EXPECT_EQ(h.one("G" "01000000" "02000000" "0300000000000000" "00"), "E01");  // too long
    EXPECT_EQ(h.one("G" "zz000000" "02000000" "0300000000000000"), "E01");    // not hex
    EXPECT_EQ(h.target.regs[0], (Bytes{1, 0, 0, 0}));  // nothing written on error
}

TEST(GdbSession, ReadAndWriteOneRegister) {
    Harness h(smallTarget());
    EXPECT_EQ(h.one("p0"), "44332211");
    EXPECT_EQ(h.one("p2"), "0807060504030201");
    EXPECT_EQ(h.one("p3"), "E01");
    EXPECT_EQ(h.one("pzz"), "E01");
    EXPECT_EQ(h.one("p"), "E01");
    EXPECT_EQ(h.one("p100000000"), "E01");
    EXPECT_EQ(h.one("P1=04030201"), "OK");
    EXPECT_EQ(h.target.regs[1], (Bytes{4, 3, 2, 1}));
    EXPECT_EQ(h.one("p1"), "04030201");
    EXPECT_EQ(h.one("P2=1122334455667788"), "OK");
    EXPECT_EQ(h.target.regs[2], (Bytes{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88}));
    EXPECT_EQ(h.one("P1=0102"), "E01");      // wrong size
    EXPECT_EQ(h.one("P1=0102030405"), "E01");
    EXPECT_EQ(h.one("P1=zz020304"), "E01");
    EXPECT_EQ(h.one("P9=01020304"), "E01");
    EXPECT_EQ(h.one("P1"), "E01");
    EXPECT_EQ(h.one("P=01020304"), "E01");
}

TEST(GdbSession, RegnumAttributesDefineTheRemoteNumbers) {
    // Like gdb's own arm-m-profile.xml: xpsr is register 25 although it is the 17th <reg>.
    std::string xml = armXml();
    const std::string plain = "<reg name=\"xpsr\" bitsize=\"32\"/>";
    xml.replace(xml.find(plain), plain.size(), "<reg name=\"xpsr\" bitsize=\"32\" regnum=\"25\"/>");
    FakeTarget t(xml, std::vector<unsigned>(17, 4));
    t.setRegister32(kXpsr, 0x61000000);
    Harness h(std::move(t));
    EXPECT_EQ(h.session.remoteRegisterNumber(kXpsr), 25u);
    EXPECT_EQ(h.one("p19"), "00000061");
    EXPECT_EQ(h.one("p10"), "E01");
    EXPECT_EQ(h.one("g").size(), 17u * 8u);
    EXPECT_EQ(h.one("P19=00000001"), "OK");
    EXPECT_EQ(h.target.register32(kXpsr), 0x01000000u);
}

// --- memory ------------------------------------------------------------------------

TEST(GdbSession, ReadMemory) {
    Harness h(smallTarget());
    EXPECT_EQ(h.one("m20000000,4"), "00010203");
    EXPECT_EQ(h.one("m200000fc,4"), "fcfdfeff");
    EXPECT_EQ(h.one("m20000010,0"), "");
}

TEST(GdbSession, ReadOfUnmappedMemoryIsAnError) {
    Harness h(smallTarget());
    EXPECT_EQ(h.one("m30000000,4"), "E03");
    EXPECT_EQ(h.one("m200000fe,4"), "E03");  // runs off the end of RAM
}

TEST(GdbSession, MalformedMemoryRequests) {
    Harness h(smallTarget());
    for (const char* p : {"mzz,4", "m20000000", "m,4", "m20000000,", "m20000000,zz", "m 20000000,4",
                          "m20000000,4,", "m100000000,4", "m-1,4", "m20000000;4"}) {
        EXPECT_EQ(h.one(p), "E01") << p;
    }
    EXPECT_EQ(h.one("mffffffff,2"), "E01");  // wraps past 4 GiB
    EXPECT_EQ(h.target.memoryReads, 0);
}

TEST(GdbSession, HugeReadIsRefusedWithoutAllocating) {
    Harness h(smallTarget());
    EXPECT_EQ(h.one("m0,ffffffff"), "E02");
    EXPECT_EQ(h.one("m20000000,2001"), "E02");  // one more than half the packet size
    EXPECT_EQ(h.target.memoryReads, 0);
    EXPECT_EQ(h.one("m20000000,2000"), "E03");  // the largest read, here unmapped
    EXPECT_EQ(h.target.largestRead, 0x2000u);
}

TEST(GdbSession, WriteMemoryHex) {
    Harness h(smallTarget());
    EXPECT_EQ(h.one("M20000010,4:deadbeef"), "OK");
    EXPECT_EQ(h.target.memory(0x20000010, 4), (Bytes{0xde, 0xad, 0xbe, 0xef}));
    EXPECT_EQ(h.one("M20000010,0:"), "OK");
    EXPECT_EQ(h.one("M20000010,4:dead"), "E01");        // fewer bytes than announced
    EXPECT_EQ(h.one("M20000010,2:deadbeef"), "E01");    // more
    EXPECT_EQ(h.one("M20000010,2:zzzz"), "E01");
    EXPECT_EQ(h.one("M20000010,2:abc"), "E01");
    EXPECT_EQ(h.one("M20000010,2"), "E01");
    EXPECT_EQ(h.one("Mxx,2:abcd"), "E01");
    EXPECT_EQ(h.one("M30000000,2:abcd"), "E03");
    EXPECT_EQ(h.one("Mffffffff,2:abcd"), "E01");
    EXPECT_EQ(h.one("M0,ffffffff:00"), "E02");
    EXPECT_EQ(h.target.memory(0x20000010, 4), (Bytes{0xde, 0xad, 0xbe, 0xef}));
}

TEST(GdbSession, WriteMemoryBinaryWithEscapes) {
    Harness h(smallTarget());
    const Bytes data{0x23, 0x24, 0x2a, 0x7d, 0x00, 0x03, 0xff, ':'};
    EXPECT_EQ(h.one("X20000020,8:" + rsp::escapeBinary(data)), "OK");
    EXPECT_EQ(h.target.memory(0x20000020, 8), data);
    EXPECT_EQ(h.one("X20000020,0:"), "OK");  // gdb's probe for X support
    EXPECT_EQ(h.one("X20000020,2:ab}"), "E01");  // dangling escape
    EXPECT_EQ(h.one("X20000020,3:ab"), "E01");
    EXPECT_EQ(h.one("X20000020,2"), "E01");
    EXPECT_EQ(h.one("X30000000,2:ab"), "E03");
}

TEST(GdbSession, BinaryWriteThroughTheWire) {
    // The same X packet as gdb frames it: escaped, checksummed over the escaped bytes.
    Harness h(smallTarget());
    const Bytes data{0x7d, 0x23, 0x24, 0x2a};
    h.session.receive(rsp::frame("X20000030,4:" + rsp::escapeBinary(data)));
    EXPECT_EQ(h.wire, "+$OK#9a");
    EXPECT_EQ(h.target.memory(0x20000030, 4), data);
}

// --- breakpoints and watchpoints ---------------------------------------------------

TEST(GdbSession, BreakpointsReachTheTarget) {
    Harness h(smallTarget());
    EXPECT_EQ(h.one("Z0,8000100,2"), "OK");
    EXPECT_EQ(h.one("Z1,8000200,4"), "OK");
    EXPECT_EQ(h.target.breakpoints, (std::set<std::uint32_t>{0x8000100, 0x8000200}));
    EXPECT_EQ(h.one("z0,8000100,2"), "OK");
    EXPECT_EQ(h.one("z1,8000200,4"), "OK");
    EXPECT_TRUE(h.target.breakpoints.empty());
    EXPECT_EQ(h.one("z0,8000100,2"), "E03");  // not there
    EXPECT_EQ(h.one("Z0,8000100,2;X2,0a"), "OK");  // a condition list is tolerated
    h.target.refuseBreakpoints = true;
    EXPECT_EQ(h.one("Z0,8000300,2"), "E03");
}

TEST(GdbSession, WatchpointsReachTheTarget) {
    Harness h(smallTarget());
    EXPECT_EQ(h.one("Z2,20000010,4"), "OK");
    EXPECT_EQ(h.one("Z3,20000020,2"), "OK");
    EXPECT_EQ(h.one("Z4,20000030,1"), "OK");
    EXPECT_EQ(h.target.watches, (std::vector<Watch>{{0x20000010, 4, WatchKind::Write},
                                                    {0x20000020, 2, WatchKind::Read},
                                                    {0x20000030, 1, WatchKind::Access}}));
    EXPECT_EQ(h.one("z3,20000020,2"), "OK");
    EXPECT_EQ(h.one("z2,20000010,4"), "OK");
    EXPECT_EQ(h.one("z4,20000030,1"), "OK");
    EXPECT_TRUE(h.target.watches.empty());
}

TEST(GdbSession, MalformedBreakpointPackets) {
    Harness h(smallTarget());
    EXPECT_EQ(h.one("Z5,8000100,2"), "");  // unsupported type
    for (const char* p : {"Z0,zz,2", "Z0,8000100", "Z0", "Z", "Zx,8000100,2", "Z0,8000100,2,3",
                          "Z2,20000000,0", "Z2,ffffffff,2", "Z0,100000000,2", "z0,,2"}) {
        EXPECT_EQ(h.one(p), "E01") << p;
    }
    EXPECT_TRUE(h.target.breakpoints.empty());
    EXPECT_TRUE(h.target.watches.empty());
}

// --- run control and stop replies --------------------------------------------------

TEST(GdbSession, InitialStopIsSigtrap) {
    Harness h(smallTarget());
    EXPECT_EQ(h.one("?"), "T05");
}

TEST(GdbSession, BreakpointStopReportsSwbreakWhenGdbSupportsIt) {
    Harness h(smallTarget());
    h.target.onResume = [](bool, const std::function<bool()>&) { return stopOf(DebugStop::Kind::Breakpoint); };
    EXPECT_EQ(h.one("c"), "T05");  // gdb did not announce swbreak+
    h.one("qSupported:multiprocess+;swbreak+;hwbreak+");
    EXPECT_EQ(h.one("c"), "T05swbreak:;");
    EXPECT_EQ(h.one("?"), "T05swbreak:;");
    EXPECT_EQ(h.target.steps, (std::vector<bool>{false, false}));
}

TEST(GdbSession, BreakpointStopWithHwbreakOnly) {
    Harness h(smallTarget());
    h.target.onResume = [](bool, const std::function<bool()>&) { return stopOf(DebugStop::Kind::Breakpoint); };
    h.one("qSupported:hwbreak+");
    EXPECT_EQ(h.one("c"), "T05hwbreak:;");
}

TEST(GdbSession, StepAndContinueVariants) {
    Harness h(smallTarget());
    EXPECT_EQ(h.one("s"), "T05");
    EXPECT_EQ(h.one("vCont?"), "vCont;c;C;s;S");
    EXPECT_EQ(h.one("vCont;s:1"), "T05");
    EXPECT_EQ(h.one("vCont;s:1;c"), "T05");
    EXPECT_EQ(h.one("vCont;S05:p1.1;c"), "T05");
    EXPECT_EQ(h.one("S05"), "T05");
    EXPECT_EQ(h.target.steps, (std::vector<bool>{true, true, true, true, true}));
    h.target.onResume = [](bool, const std::function<bool()>&) { return stopOf(DebugStop::Kind::Breakpoint); };
    EXPECT_EQ(h.one("vCont;c"), "T05");
    EXPECT_EQ(h.one("vCont;c:-1"), "T05");
    EXPECT_EQ(h.one("C0b"), "T05");      // continue after a fault: the signal is dropped
    EXPECT_EQ(h.one("vCont;C0b"), "T05");
    EXPECT_EQ(h.target.resumes, 9);
}

TEST(GdbSession, MalformedResumePacketsDoNotRun) {
    Harness h(smallTarget());
    for (const char* p : {"vCont;", "vCont;x", "vCont;r8000000,8000010", "vCont;t", "vCont;cc",
                          "vCont;C", "vCont;Czz", "vCont;s:2", "vCont;c:", "Czz", "C", "S1;zz", "cxyz",
                          "vCont;;c"}) {
        EXPECT_EQ(h.one(p), "E01") << p;
    }
    EXPECT_EQ(h.target.resumes, 0);
}

TEST(GdbSession, ContinueAtAnAddressSetsPc) {
    Harness h(armTarget());
    h.target.onResume = [](bool, const std::function<bool()>&) { return stopOf(DebugStop::Kind::Step); };
    EXPECT_EQ(h.one("c8000200"), "T05");
    EXPECT_EQ(h.target.register32(kPc), 0x8000200u);
    EXPECT_EQ(h.one("S05;8000300"), "T05");
    EXPECT_EQ(h.target.register32(kPc), 0x8000300u);
    Harness small(smallTarget());  // no register named pc
    EXPECT_EQ(small.one("c8000200"), "E01");
}

TEST(GdbSession, FinishedIsExitCode0AndEndsTheSession) {
    Harness h(smallTarget());
    EXPECT_EQ(h.one("c"), "W00");
    EXPECT_EQ(h.session.end(), GdbEnd::Exited);
    EXPECT_EQ(h.one("?"), "W00");
}

TEST(GdbSession, WatchpointStopTexts) {
    Harness h(smallTarget());
    DebugStop stop = stopOf(DebugStop::Kind::Watchpoint);
    stop.watchAddress = 0x20000010;
    h.target.onResume = [&stop](bool, const std::function<bool()>&) { return stop; };
    stop.watchKind = WatchKind::Write;
    EXPECT_EQ(h.one("c"), "T05watch:20000010;");
    stop.watchKind = WatchKind::Read;
    EXPECT_EQ(h.one("c"), "T05rwatch:20000010;");
    stop.watchKind = WatchKind::Access;
    EXPECT_EQ(h.one("c"), "T05awatch:20000010;");
    stop.watchAddress.reset();
    EXPECT_EQ(h.one("c"), "T05");
}

TEST(GdbSession, FaultSendsTheMessageAsConsoleOutputFirst) {
    Harness h(smallTarget());
    DebugStop stop = stopOf(DebugStop::Kind::Fault, 11);
    stop.message = "HardFault: precise data bus error at 0x40000000 (pc 0x08000124)";
    h.target.onResume = [&stop](bool, const std::function<bool()>&) { return stop; };
    EXPECT_EQ(h.handle("c"), (std::vector<std::string>{"O" + hexOf(stop.message + "\n"), "T0b"}));
    EXPECT_EQ(h.one("?"), "T0b");
    stop.signal = 4;
    stop.message = "UsageFault: undefined instruction\n";
    EXPECT_EQ(h.handle("c"), (std::vector<std::string>{"O" + hexOf(stop.message), "T04"}));
    stop.signal = 7;
    stop.message.clear();
    EXPECT_EQ(h.handle("c"), (std::vector<std::string>{"T07"}));
}

TEST(GdbSession, LongFaultMessagesAreSplitIntoSeveralOutputPackets) {
    Harness h(smallTarget());
    DebugStop stop = stopOf(DebugStop::Kind::Fault, 11);
    stop.message = std::string(1500, 'f');
    h.target.onResume = [&stop](bool, const std::function<bool()>&) { return stop; };
    const auto replies = h.handle("c");
    ASSERT_EQ(replies.size(), 4u);  // 1501 bytes in 512-byte pieces, then T0b
    std::string text;
    for (std::size_t i = 0; i + 1 < replies.size(); ++i) {
        ASSERT_EQ(replies[i][0], 'O');
        const auto bytes = rsp::fromHex(std::string_view(replies[i]).substr(1));
        ASSERT_TRUE(bytes);
        text.append(bytes->begin(), bytes->end());
    }
    EXPECT_EQ(text, stop.message + "\n");
    EXPECT_EQ(replies.back(), "T0b");
}

// The fake's resume: polls like the machine would, until asked to stop.
DebugStop runUntilInterrupted(const std::function<bool()>& interruptRequested) {
    for (int i = 0; i < 100'000; ++i) {
        if (interruptRequested()) return stopOf(DebugStop::Kind::Interrupted, 2);
    }
    return stopOf(DebugStop::Kind::Finished);
}

TEST(GdbSession, CtrlCWhileRunningStopsWithSigint) {
    Harness h(smallTarget());
    h.target.onResume = [](bool, const std::function<bool()>& irq) { return runUntilInterrupted(irq); };
    h.script = {std::string{}, std::string{}, std::string("\x03")};
    h.session.receive("$c#63");
    EXPECT_EQ(h.reads, 3);
    EXPECT_EQ(h.wire, "+$T02#b6");
    EXPECT_EQ(h.one("?"), "T02");
}

TEST(GdbSession, CtrlCInTheSameChunkAsContinue) {
    Harness h(smallTarget());
    h.target.onResume = [](bool, const std::function<bool()>& irq) { return runUntilInterrupted(irq); };
    h.session.receive("$c#63\x03");
    EXPECT_EQ(h.reads, 0);  // already queued: no need to read
    EXPECT_EQ(packetsIn(h.wire), (std::vector<std::string>{"T02"}));
}

TEST(GdbSession, CtrlCWhileHaltedIsIgnored) {
    Harness h(smallTarget());
    h.session.receive("\x03$?#3f\x03");
    EXPECT_EQ(h.wire, "+$T05#b9");
    EXPECT_EQ(h.target.resumes, 0);
}

TEST(GdbSession, PacketsArrivingWhileRunningAreHandledAfterTheStop) {
    Harness h(smallTarget());
    h.target.onResume = [](bool, const std::function<bool()>& irq) { return runUntilInterrupted(irq); };
    h.session.receive("+$QStartNoAckMode#b0");
    h.script = {std::string("$g#67\x03")};
    h.session.receive("+$c#63");
    EXPECT_EQ(packetsIn(h.wire),
              (std::vector<std::string>{"OK", "T02", "44332211efbeadde0807060504030201"}));
}

TEST(GdbSession, AckOfContinueIsSentBeforeTheTargetRuns) {
    Harness h(smallTarget());
    std::string wireWhileRunning;
    h.target.onResume = [&](bool, const std::function<bool()>&) {
        wireWhileRunning = h.wire;
        return stopOf(DebugStop::Kind::Step);
    };
    h.session.receive("$s#73");
    EXPECT_EQ(wireWhileRunning, "+");
    EXPECT_EQ(h.wire, "+$T05#b9");
}

TEST(GdbSession, ConnectionClosedWhileRunningEndsTheSession) {
    Harness h(smallTarget());
    h.target.onResume = [](bool, const std::function<bool()>& irq) { return runUntilInterrupted(irq); };
    h.script = {std::string{}, std::nullopt};
    h.session.receive("$c#63");
    EXPECT_EQ(h.session.end(), GdbEnd::Disconnected);
    EXPECT_EQ(h.wire, "+");  // no stop reply to nobody
    h.session.receive("$g#67");  // ignored once ended
    EXPECT_EQ(h.wire, "+");
}

// --- monitor -----------------------------------------------------------------------

std::string monitorText(const std::vector<std::string>& replies) {
    std::string text;
    for (std::size_t i = 0; i + 1 < replies.size(); ++i) {
        EXPECT_EQ(replies[i][0], 'O');
        const auto bytes = rsp::fromHex(std::string_view(replies[i]).substr(1));
        EXPECT_TRUE(bytes);
        if (bytes) text.append(bytes->begin(), bytes->end());
    }
    return text;
}

TEST(GdbSession, MonitorReset) {
    Harness h(smallTarget());
    const auto replies = h.handle("qRcmd," + hexOf("reset"));
    EXPECT_EQ(h.target.resets, 1);
    ASSERT_FALSE(replies.empty());
    EXPECT_EQ(replies.back(), "OK");
    EXPECT_NE(monitorText(replies).find("reset"), std::string::npos);
    h.handle("qRcmd," + hexOf("  reset halt\n"));
    EXPECT_EQ(h.target.resets, 2);
    EXPECT_TRUE(h.target.monitorCommands.empty());
}

TEST(GdbSession, MonitorCommandsGoToTheTarget) {
    Harness h(smallTarget());
    auto replies = h.handle("qRcmd," + hexOf("help"));
    EXPECT_EQ(replies.back(), "OK");
    EXPECT_EQ(monitorText(replies), "monitor commands: help, cycles, reset\n");
    replies = h.handle("qRcmd," + hexOf("cycles"));
    EXPECT_EQ(monitorText(replies), "cycles: 1234\n");
    replies = h.handle("qRcmd," + hexOf("frobnicate 3"));
    EXPECT_EQ(replies.back(), "OK");
    EXPECT_EQ(monitorText(replies), "Unknown monitor command 'frobnicate 3'. Try 'monitor help'.\n");
    EXPECT_EQ(h.target.monitorCommands, (std::vector<std::string>{"help", "cycles", "frobnicate 3"}));
    EXPECT_EQ(h.target.resets, 0);
}

TEST(GdbSession, MonitorWithBadHexIsAnError) {
    Harness h(smallTarget());
    EXPECT_EQ(h.one("qRcmd,zz"), "E01");
    EXPECT_EQ(h.one("qRcmd,abc"), "E01");
    EXPECT_TRUE(h.target.monitorCommands.empty());
}

// --- detach, kill ------------------------------------------------------------------

TEST(GdbSession, Detach) {
    Harness h(smallTarget());
    h.session.receive("$D#44");
    EXPECT_EQ(h.wire, "+$OK#9a");
    EXPECT_EQ(h.session.end(), GdbEnd::Detached);
    EXPECT_STREQ(toString(GdbEnd::Detached), "detached");
}

TEST(GdbSession, DetachWithPid) {
    Harness h(smallTarget());
    EXPECT_EQ(h.one("D;1"), "OK");
    EXPECT_EQ(h.session.end(), GdbEnd::Detached);
}

TEST(GdbSession, KillHasNoReply) {
    Harness h(smallTarget());
    h.session.receive("$k#6b$g#67");
    EXPECT_EQ(h.wire, "++");  // both acknowledged on receipt; no reply to k, g not handled
    EXPECT_EQ(h.session.end(), GdbEnd::Killed);
    EXPECT_STREQ(toString(GdbEnd::Killed), "killed");
}

// --- the byte level ----------------------------------------------------------------

TEST(GdbSession, QSupportedOnTheWire) {
    Harness h(smallTarget());
    h.session.receive("+$qSupported#37");
    const std::string reply =
        "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;vContSupported+;swbreak+;hwbreak+";
    EXPECT_EQ(h.wire, "+" + rsp::frame(reply));
}

TEST(GdbSession, NoAckModeSwitchesAfterTheOk) {
    Harness h(smallTarget());
    h.session.receive("$QStartNoAckMode#b0");
    EXPECT_EQ(h.wire, "+$OK#9a");
    EXPECT_TRUE(h.session.noAckMode());
    h.wire.clear();
    h.session.receive("+$?#3f");
    EXPECT_EQ(h.wire, "$T05#b9");
}

TEST(GdbSession, BadChecksumIsNackedAndRetransmissionHandled) {
    Harness h(smallTarget());
    h.session.receive("$g#00");
    EXPECT_EQ(h.wire, "-");
    h.session.receive("$g#67");
    EXPECT_EQ(h.wire, "-+" + rsp::frame(rsp::rleEncode("44332211efbeadde0807060504030201")));
}

TEST(GdbSession, NackMakesTheServerResend) {
    Harness h(smallTarget());
    h.session.receive("$?#3f");
    h.session.receive("-");
    EXPECT_EQ(h.wire, "+$T05#b9$T05#b9");
}

TEST(GdbSession, RepliesAreRunLengthEncoded) {
    FakeTarget t = smallTarget();
    t.regs[0] = {0, 0, 0, 0};
    Harness h(std::move(t));
    h.session.receive("$p0#a0");
    EXPECT_EQ(h.wire, "+" + rsp::frame("0*\"00"));  // 00000000: 0, 5 more, then 00
}

TEST(GdbSession, OversizeAndMalformedPacketsGetErrors) {
    Harness h(smallTarget());
    h.session.receive(rsp::frame("M20000000,2001:" + std::string(0x4002, '0')));
    EXPECT_EQ(h.wire, "+$E02#a7");
    h.wire.clear();
    h.session.receive(rsp::frame("*m0,4"));
    EXPECT_EQ(h.wire, "+$E01#a6");
    h.wire.clear();
    h.session.receive("$mzz,4#" + fmt::format("{:02x}", rsp::checksum("mzz,4")));
    EXPECT_EQ(h.wire, "+$E01#a6");
}

TEST(GdbSession, RandomPacketsNeverCrash) {
    // A small fuzz: every command letter with random arguments, run through the handler.
    Harness h(armTarget());
    h.target.onResume = [](bool, const std::function<bool()>& irq) {
        irq();
        return stopOf(DebugStop::Kind::Step);
    };
    std::mt19937 rng(2024);
    const std::string letters = "?gGpPmMXcsCSvZzqQHTDk!";
    const std::string alphabet = "0123456789abcdefxz,:;=-}*#$ \x03\xff";
    const char* prefixes[] = {"vCont;", "vCont?", "qXfer:features:read:target.xml:", "qRcmd,", "qSupported:",
                              "Z0,", "z2,", "m2000", "M2000", "X2000", "P1", "p"};
    for (int i = 0; i < 20'000; ++i) {
        std::string p;
        if (rng() % 3 == 0) p = prefixes[rng() % std::size(prefixes)];
        else p.push_back(letters[rng() % letters.size()]);
        const int n = static_cast<int>(rng() % 24);
        for (int k = 0; k < n; ++k) p.push_back(alphabet[rng() % alphabet.size()]);
        if (p[0] == 'D' || p[0] == 'k') continue;  // would end the session
        const auto replies = h.session.handle(p);
        for (const std::string& r : replies) EXPECT_LE(r.size(), 0x4000u + 2) << p;
    }
    // Still serving.
    EXPECT_EQ(h.session.handle("qC"), (std::vector<std::string>{"QC1"}));
}

// --- addresses -----------------------------------------------------------------------

TEST(GdbAddressParse, Forms) {
    auto a = parseGdbAddress(":3333");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "127.0.0.1");
    EXPECT_EQ(a->port, 3333);
    a = parseGdbAddress("3333");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "127.0.0.1");
    a = parseGdbAddress("0.0.0.0:1234");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "0.0.0.0");
    EXPECT_EQ(a->port, 1234);
    a = parseGdbAddress("[::1]:3333");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "::1");
    a = parseGdbAddress("localhost:0");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->port, 0);
    for (const char* bad : {"", ":", "host:", ":65536", ":-1", ":33a", "[::1]", "[]:1", ":123456", "a b:1"}) {
        EXPECT_FALSE(parseGdbAddress(bad)) << bad;
    }
}

// --- over TCP ------------------------------------------------------------------------

// A plain blocking client socket with a receive timeout, so a broken server fails the
// test instead of hanging it.
class Client {
public:
    explicit Client(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        timeval tv{5, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    ~Client() { close(); }
    bool connected() const { return connected_; }
    void send(std::string_view bytes) {
        ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
    }
    // Reads until `count` packets (plus any acks) arrived; returns the raw bytes.
    std::string readPackets(int count) {
        std::string raw;
        rsp::Parser parser;
        int packets = 0;
        char buffer[1024];
        while (packets < count) {
            const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n <= 0) break;  // timeout or closed
            raw.append(buffer, static_cast<std::size_t>(n));
            for (const auto& e : parser.feed(std::string_view(buffer, static_cast<std::size_t>(n)))) {
                if (e.kind == rsp::Event::Kind::Packet) ++packets;
            }
        }
        return raw;
    }
    // True when the server closed the connection within the timeout.
    bool closedByPeer() {
        char c;
        return ::recv(fd_, &c, 1, 0) == 0;
    }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
    bool connected_ = false;
};

TEST(GdbServerSocket, QSupportedAndDetachOverTcp) {
    FakeTarget target = smallTarget();
    std::vector<std::string> log;
    GdbSessionOptions options;
    options.log = [&log](std::string_view line) { log.emplace_back(line); };
    GdbServer server(target, GdbAddress{"127.0.0.1", 0}, options);
    server.listen();
    const std::uint16_t port = server.port();
    ASSERT_NE(port, 0);
    EXPECT_EQ(server.endpoint(), "127.0.0.1:" + std::to_string(port));

    std::optional<GdbEnd> end;
    std::thread thread([&] {
        if (server.acceptClient(5000)) end = server.serveClient();
    });
    {
        Client client(port);
        ASSERT_TRUE(client.connected());
        client.send("+$qSupported#37");
        const std::string reply = client.readPackets(1);
        EXPECT_EQ(reply, "+" + rsp::frame("PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;"
                                          "vContSupported+;swbreak+;hwbreak+"));
        client.send("+$D#44");
        EXPECT_EQ(client.readPackets(1), "+$OK#9a");
        client.send("+");
        EXPECT_TRUE(client.closedByPeer());
    }
    thread.join();
    EXPECT_EQ(end, GdbEnd::Detached);
    EXPECT_FALSE(server.hasClient());
    EXPECT_FALSE(log.empty());
}

TEST(GdbServerSocket, InterruptByteStopsTheRunningTarget) {
    FakeTarget target = smallTarget();
    target.onResume = [](bool, const std::function<bool()>& irq) {
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (std::chrono::steady_clock::now() < deadline) {
            if (irq()) return stopOf(DebugStop::Kind::Interrupted, 2);
            std::this_thread::sleep_for(50us);
        }
        return stopOf(DebugStop::Kind::Finished);
    };
    GdbServer server(target, GdbAddress{"127.0.0.1", 0});
    server.listen();
    std::optional<GdbEnd> end;
    std::thread thread([&] {
        if (server.acceptClient(5000)) end = server.serveClient();
    });
    {
        Client client(server.port());
        ASSERT_TRUE(client.connected());
        client.send("$QStartNoAckMode#b0");
        EXPECT_EQ(client.readPackets(1), "+$OK#9a");
        client.send("+$c#63");
        std::this_thread::sleep_for(20ms);  // the target is running now
        client.send("\x03");
        EXPECT_EQ(client.readPackets(1), "$T02#b6");
        client.send("$k#6b");
        EXPECT_TRUE(client.closedByPeer());
    }
    thread.join();
    EXPECT_EQ(end, GdbEnd::Killed);
}

TEST(GdbServerSocket, ClientVanishingWhileRunningIsNoticed) {
    FakeTarget target = smallTarget();
    target.onResume = [](bool, const std::function<bool()>& irq) {
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (std::chrono::steady_clock::now() < deadline) {
            if (irq()) return stopOf(DebugStop::Kind::Interrupted, 2);
            std::this_thread::sleep_for(50us);
        }
        return stopOf(DebugStop::Kind::Finished);
    };
    GdbServer server(target, GdbAddress{"127.0.0.1", 0});
    server.listen();
    std::optional<GdbEnd> end;
    std::thread thread([&] {
        if (server.acceptClient(5000)) end = server.serveClient();
    });
    {
        Client client(server.port());
        ASSERT_TRUE(client.connected());
        client.send("$c#63");
        EXPECT_EQ(client.readPackets(0), "");
        std::this_thread::sleep_for(20ms);
    }  // closed while the target runs
    thread.join();
    EXPECT_EQ(end, GdbEnd::Disconnected);
}

TEST(GdbServerSocket, ClientWaitingWithoutBlocking) {
    FakeTarget target = smallTarget();
    GdbServer server(target, GdbAddress{"127.0.0.1", 0});
    EXPECT_FALSE(server.clientWaiting());  // not listening yet
    server.listen();
    EXPECT_FALSE(server.clientWaiting());
    EXPECT_FALSE(server.acceptClient(0));
    Client client(server.port());
    ASSERT_TRUE(client.connected());
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!server.clientWaiting() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
    EXPECT_TRUE(server.clientWaiting());
    EXPECT_TRUE(server.acceptClient(0));
    EXPECT_TRUE(server.hasClient());
    client.close();
    EXPECT_EQ(server.serveClient(), GdbEnd::Disconnected);
}

TEST(GdbServerSocket, PortInUseIsAnInputError) {
    FakeTarget target = smallTarget();
    GdbServer first(target, GdbAddress{"127.0.0.1", 0});
    first.listen();
    GdbServer second(target, GdbAddress{"127.0.0.1", first.port()});
    EXPECT_THROW(second.listen(), InputError);
    GdbServer bad(target, GdbAddress{"192.0.2.1", 0});  // TEST-NET: not a local address
    EXPECT_THROW(bad.listen(), InputError);
}

// --- the real gdb --------------------------------------------------------------------

std::string runCommand(const std::string& command) {
    std::string output;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return output;
    std::array<char, 4096> buffer{};
    std::size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
    ::pclose(pipe);
    return output;
}

TEST(GdbServerWithGdb, InfoRegistersStepBreakpointMonitorDetach) {
    const char* gdb = "/usr/bin/gdb-multiarch";
    if (!std::filesystem::exists(gdb)) GTEST_SKIP() << "gdb-multiarch is not installed";

    FakeTarget target = armTarget();
    std::vector<std::string> log;
    GdbSessionOptions options;
    options.log = [&log](std::string_view line) { log.emplace_back(line); };
    GdbServer server(target, GdbAddress{"127.0.0.1", 0}, options);
    server.listen();
    std::optional<GdbEnd> end;
    std::thread thread([&] {
        if (server.acceptClient(30000)) end = server.serveClient();
    });
    const std::string command = fmt::format(
        "timeout 60 {} -nx -batch -ex 'set architecture arm' -ex 'set remotetimeout 10' "
        "-ex 'target remote 127.0.0.1:{}' -ex 'info registers' -ex 'stepi' -ex 'print/x $pc' "
        "-ex 'x/2xw 0x20000000' -ex 'set {{int}}0x20000000 = 0x12345678' -ex 'x/xw 0x20000000' "
        "-ex 'break *0x08000180' -ex 'continue' -ex 'print/x $pc' -ex 'monitor help' "
        "-ex 'detach' </dev/null 2>&1",
        gdb, server.port());
    const std::string output = runCommand(command);
    thread.join();

    std::string trace;
    for (const std::string& line : log) trace += line + "\n";
    SCOPED_TRACE("gdb output:\n" + output + "\nserver log:\n" + trace);
    EXPECT_EQ(end, GdbEnd::Detached);
    EXPECT_NE(output.find("r1             0x11111111"), std::string::npos);
    EXPECT_NE(output.find("sp             0x20001000"), std::string::npos);
    EXPECT_NE(output.find("pc             0x8000100"), std::string::npos);
    EXPECT_NE(output.find("xpsr           0x1000000"), std::string::npos);
    EXPECT_NE(output.find("$1 = 0x8000102"), std::string::npos);  // after stepi
    EXPECT_NE(output.find("0x12345678"), std::string::npos);
    EXPECT_EQ(target.memory(0x20000000, 4), (Bytes{0x78, 0x56, 0x34, 0x12}));
    EXPECT_NE(output.find("Breakpoint 1, 0x08000180"), std::string::npos);
    EXPECT_NE(output.find("$2 = 0x8000180"), std::string::npos);
    EXPECT_NE(output.find("monitor commands: help, cycles, reset"), std::string::npos);
    EXPECT_TRUE(target.breakpoints.empty());  // gdb removed it before detaching
    EXPECT_EQ(output.find("Remote 'g' packet reply"), std::string::npos);
    EXPECT_EQ(output.find("Truncated register"), std::string::npos);
}

TEST(GdbServerWithGdb, BinaryTransfersFaultAndExit) {
    const char* gdb = "/usr/bin/gdb-multiarch";
    if (!std::filesystem::exists(gdb)) GTEST_SKIP() << "gdb-multiarch is not installed";

    // 6 KiB with every byte value, so gdb's X packets carry escapes ('#' '$' '*' '}').
    Bytes image(0x1800);
    std::mt19937 rng(99);
    for (std::size_t i = 0; i < image.size(); ++i)
        image[i] = i < 256 ? static_cast<std::uint8_t>(i) : static_cast<std::uint8_t>(rng());
    const auto dir = std::filesystem::temp_directory_path();
    const auto in = dir / ("cmsim_gdb_in_" + std::to_string(::getpid()) + ".bin");
    const auto out = dir / ("cmsim_gdb_out_" + std::to_string(::getpid()) + ".bin");
    {
        std::ofstream file(in, std::ios::binary);
        file.write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
    }

    FakeTarget target = armTarget();
    int continues = 0;
    target.onResume = [&](bool step, const std::function<bool()>&) {
        if (step) return target.armResume(true);
        if (continues++ == 0) {
            DebugStop stop = stopOf(DebugStop::Kind::Fault, 11);
            stop.message = "HardFault: precise bus error reading 0x40000000";
            return stop;
        }
        return stopOf(DebugStop::Kind::Finished);
    };
    std::vector<std::string> log;
    GdbSessionOptions options;
    options.log = [&log](std::string_view line) { log.emplace_back(line); };
    GdbServer server(target, GdbAddress{"127.0.0.1", 0}, options);
    server.listen();
    std::optional<GdbEnd> end;
    std::thread thread([&] {
        if (server.acceptClient(30000)) end = server.serveClient();
    });
    const std::string command = fmt::format(
        "timeout 60 {} -nx -batch -ex 'set remotetimeout 10' -ex 'target remote 127.0.0.1:{}' "
        "-ex 'restore {} binary 0x20000000' -ex 'dump binary memory {} 0x20000000 0x20001800' "
        "-ex 'continue' -ex 'continue' </dev/null 2>&1",
        gdb, server.port(), in.string(), out.string());
    const std::string output = runCommand(command);
    thread.join();

    Bytes readBack;
    {
        std::ifstream file(out, std::ios::binary);
        readBack.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    }
    std::filesystem::remove(in);
    std::filesystem::remove(out);

    std::string trace;
    for (const std::string& line : log) trace += line + "\n";
    SCOPED_TRACE("gdb output:\n" + output + "\nserver log:\n" + trace);
    EXPECT_EQ(target.memory(0x20000000, image.size()), image);
    EXPECT_EQ(readBack, image);
    EXPECT_NE(output.find("HardFault: precise bus error reading 0x40000000"), std::string::npos);
    EXPECT_NE(output.find("Program received signal SIGSEGV"), std::string::npos);
    EXPECT_NE(output.find("exited normally"), std::string::npos);
    EXPECT_EQ(end, GdbEnd::Exited);
    EXPECT_EQ(continues, 2);
    const auto logged = [&log](std::string_view prefix) {
        return std::any_of(log.begin(), log.end(), [&](const std::string& l) { return l.starts_with(prefix); });
    };
    EXPECT_TRUE(logged("gdb <- X20000000,1800:"));  // the whole image in one escaped packet
    EXPECT_TRUE(logged("gdb <- vCont;C0b"));        // continuing after SIGSEGV passes the signal
}

}  // namespace
}  // namespace cmsim
