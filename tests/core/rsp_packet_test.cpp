// gdb remote serial protocol framing (RspPacket.h): checksums, escaping, run-length
// coding, the streaming parser fed in arbitrary chunks, and the ack/nack channel. All the
// inputs here are what a hostile or broken client could send.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "debug/RspPacket.h"

namespace cmsim::rsp {
namespace {

using Kind = Event::Kind;
using namespace std::string_view_literals;

// --- checksums and framing ---------------------------------------------------------

TEST(RspChecksum, KnownPackets) {
    EXPECT_EQ(checksum("g"), 0x67);
    EXPECT_EQ(checksum("qSupported"), 0x37);
    EXPECT_EQ(checksum("OK"), 0x9a);
    EXPECT_EQ(checksum("qSupported:multiprocess+;swbreak+;hwbreak+"), 0x65);
    EXPECT_EQ(checksum(""), 0x00);
}

TEST(RspChecksum, WrapsModulo256) {
    EXPECT_EQ(checksum(std::string(2, '\xff')), 0xfe);
    EXPECT_EQ(checksum(std::string(256, 'a')), 0x00);
}

TEST(RspFrame, DollarPayloadHashTwoLowercaseHexDigits) {
    EXPECT_EQ(frame("g"), "$g#67");
    EXPECT_EQ(frame("OK"), "$OK#9a");
    EXPECT_EQ(frame(""), "$#00");
    EXPECT_EQ(frame("qSupported"), "$qSupported#37");
}

// --- hex ---------------------------------------------------------------------------

TEST(RspHex, RoundTrip) {
    const std::vector<std::uint8_t> data{0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    EXPECT_EQ(toHex(data), "00017f80abff");
    EXPECT_EQ(fromHex("00017f80abff"), data);
    EXPECT_EQ(fromHex("00017F80ABFF"), data);
    EXPECT_EQ(toHex(std::string_view("OK\n")), "4f4b0a");
}

TEST(RspHex, RejectsOddLengthAndNonHex) {
    EXPECT_FALSE(fromHex("abc"));
    EXPECT_FALSE(fromHex("zz"));
    EXPECT_FALSE(fromHex("0g"));
    EXPECT_FALSE(fromHex(" 0"));
    EXPECT_TRUE(fromHex(""));
}

TEST(RspHex, NumbersAreBoundedAndStrict) {
    EXPECT_EQ(parseHexNumber("ffffffff", 0xffffffff), 0xffffffffu);
    EXPECT_EQ(parseHexNumber("000000000000000020000000", 0xffffffff), 0x20000000u);
    EXPECT_FALSE(parseHexNumber("100000000", 0xffffffff));
    EXPECT_FALSE(parseHexNumber("ffffffffffffffffff", UINT64_MAX));  // overflow
    EXPECT_EQ(parseHexNumber("ffffffffffffffff", UINT64_MAX), UINT64_MAX);
    EXPECT_FALSE(parseHexNumber("", 0xff));
    EXPECT_FALSE(parseHexNumber("zz", 0xff));
    EXPECT_FALSE(parseHexNumber("-1", 0xff));
    EXPECT_FALSE(parseHexNumber("1 ", 0xff));
    EXPECT_FALSE(parseHexNumber("0x10", 0xff));
}

// --- binary escaping ---------------------------------------------------------------

TEST(RspEscape, SpecialBytesAreEscapedWithXor20) {
    const std::vector<std::uint8_t> special{0x23, 0x24, 0x2a, 0x7d};
    EXPECT_EQ(escapeBinary(special), "}\x03}\x04}\x0a}\x5d");
    EXPECT_EQ(unescapeBinary("}\x03}\x04}\x0a}\x5d"), special);
}

TEST(RspEscape, RoundTripsEveryByteValue) {
    std::vector<std::uint8_t> all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::uint8_t>(i));
    const std::string escaped = escapeBinary(all);
    EXPECT_EQ(escaped.size(), 256u + 4u);
    EXPECT_EQ(escaped.find('#'), std::string::npos);
    EXPECT_EQ(escaped.find('$'), std::string::npos);
    EXPECT_EQ(escaped.find('*'), std::string::npos);
    EXPECT_EQ(unescapeBinary(escaped), all);
}

TEST(RspEscape, TrailingEscapeCharacterIsAnError) {
    EXPECT_FALSE(unescapeBinary("ab}"));
    EXPECT_TRUE(unescapeBinary(""));
}

// --- run-length coding -------------------------------------------------------------

TEST(RspRle, DecodesTheSpecExamples) {
    std::string out;
    // "0* " is 0 repeated ' ' - 29 = 3 more times.
    ASSERT_EQ(rleDecode("0* ", kMaxPacketSize, out), RleStatus::Ok);
    EXPECT_EQ(out, "0000");
    ASSERT_EQ(rleDecode("T05*!", kMaxPacketSize, out), RleStatus::Ok);
    EXPECT_EQ(out, "T055555");
    ASSERT_EQ(rleDecode("a*~b", kMaxPacketSize, out), RleStatus::Ok);
    EXPECT_EQ(out, "a" + std::string(97, 'a') + "b");
    ASSERT_EQ(rleDecode("x*\"*\"", kMaxPacketSize, out), RleStatus::Ok);  // runs chain
    EXPECT_EQ(out, std::string(11, 'x'));
}

TEST(RspRle, MalformedSequences) {
    std::string out;
    EXPECT_EQ(rleDecode("*a", kMaxPacketSize, out), RleStatus::Malformed);   // nothing to repeat
    EXPECT_EQ(rleDecode("abc*", kMaxPacketSize, out), RleStatus::Malformed); // no count
    EXPECT_EQ(rleDecode("a*\x1d", kMaxPacketSize, out), RleStatus::Malformed);  // count 0
    EXPECT_EQ(rleDecode("a*\x01", kMaxPacketSize, out), RleStatus::Malformed);
}

TEST(RspRle, ExpansionIsBoundedByTheLimit) {
    std::string out;
    std::string bomb = "a";
    for (int i = 0; i < 1000; ++i) bomb += "*\xff";  // 226 more each
    EXPECT_EQ(rleDecode(bomb, kMaxPacketSize, out), RleStatus::TooLarge);
    EXPECT_LE(out.size(), kMaxPacketSize);
    EXPECT_EQ(rleDecode("aaaa", 3, out), RleStatus::TooLarge);
    EXPECT_EQ(rleDecode("aaa", 3, out), RleStatus::Ok);
}

TEST(RspRle, EncodeRoundTripsAndAvoidsHashAndDollarCounts) {
    std::mt19937 rng(7);
    for (int n = 0; n < 300; ++n) {
        std::string s;
        const char c = "0fx}#"[n % 5];  // a raw '*' never occurs in a payload
        s.append(static_cast<std::size_t>(n), c);
        s += "12";
        s.append(static_cast<std::size_t>(rng() % 20), '0');
        const std::string enc = rleEncode(s);
        std::string dec;
        ASSERT_EQ(rleDecode(enc, 1 << 20, dec), RleStatus::Ok) << n;
        EXPECT_EQ(dec, s) << n;
        for (std::size_t i = 0; i + 1 < enc.size(); ++i) {
            if (enc[i] == '*') {
                EXPECT_NE(enc[i + 1], '#');
                EXPECT_NE(enc[i + 1], '$');
                EXPECT_GE(enc[i + 1], ' ');
                EXPECT_LE(enc[i + 1], '~');
            }
        }
    }
    EXPECT_EQ(rleEncode("0000"), "0* ");
    EXPECT_EQ(rleEncode("000"), "000");
    EXPECT_EQ(rleEncode("0000000"), "0*\"0");  // 6 repeats would be '#'
    EXPECT_EQ(rleEncode("00000000"), "0*\"00");  // 7 repeats would be '$'
}

TEST(RspRle, EncodedEscapedBinaryDecodesToTheSameBytes) {
    // RLE applies to the raw stream before unescaping, so escape pairs survive.
    const std::vector<std::uint8_t> data{0x7d, 0x5d, 0x5d, 0x5d, 0x5d, 0x2a, 0x2a, 0x2a, 0x2a, 0x2a};
    const std::string wire = rleEncode(escapeBinary(data));
    std::string raw;
    ASSERT_EQ(rleDecode(wire, 1024, raw), RleStatus::Ok);
    EXPECT_EQ(unescapeBinary(raw), data);
}

// --- streaming parser --------------------------------------------------------------

TEST(RspParser, CompletePacket) {
    Parser parser;
    const auto events = parser.feed("$g#67");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::Packet);
    EXPECT_EQ(events[0].payload, "g");
    EXPECT_TRUE(events[0].checksumOk);
}

TEST(RspParser, ChecksumDigitsInEitherCase) {
    Parser parser;
    const auto events = parser.feed("$OK#9A$OK#9a");
    ASSERT_EQ(events.size(), 2u);
    EXPECT_TRUE(events[0].checksumOk);
    EXPECT_TRUE(events[1].checksumOk);
}

TEST(RspParser, BadChecksumIsFlagged) {
    Parser parser;
    auto events = parser.feed("$g#68");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_FALSE(events[0].checksumOk);
    events = parser.feed("$g#zz");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_FALSE(events[0].checksumOk);
}

TEST(RspParser, PacketSplitByteByByte) {
    Parser parser;
    const std::string stream = "+$m20000000,4#4f";
    std::vector<Event> events;
    for (char c : stream) {
        parser.feed(std::string_view(&c, 1), events);
        if (c != '+' && c != 'f') {
            EXPECT_TRUE(parser.inPacket());
        }
    }
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].kind, Kind::Ack);
    EXPECT_EQ(events[1].kind, Kind::Packet);
    EXPECT_EQ(events[1].payload, "m20000000,4");
    EXPECT_TRUE(events[1].checksumOk);
    EXPECT_FALSE(parser.inPacket());
}

TEST(RspParser, EverySplitPointGivesTheSameEvents) {
    const std::string stream = "+$qSupported#37\x03-$vCont;c#a8$g#67+";
    Parser whole;
    const auto expected = whole.feed(stream);
    ASSERT_EQ(expected.size(), 7u);
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        Parser parser;
        std::vector<Event> events;
        parser.feed(std::string_view(stream).substr(0, cut), events);
        parser.feed(std::string_view(stream).substr(cut), events);
        ASSERT_EQ(events.size(), expected.size()) << cut;
        for (std::size_t i = 0; i < events.size(); ++i) {
            EXPECT_EQ(events[i].kind, expected[i].kind) << cut;
            EXPECT_EQ(events[i].payload, expected[i].payload) << cut;
        }
    }
}

TEST(RspParser, InterruptAcksAndNacksBetweenPackets) {
    Parser parser;
    const auto events = parser.feed("$?#3f\x03+-$g#67");
    ASSERT_EQ(events.size(), 5u);
    EXPECT_EQ(events[0].kind, Kind::Packet);
    EXPECT_EQ(events[1].kind, Kind::Interrupt);
    EXPECT_EQ(events[2].kind, Kind::Ack);
    EXPECT_EQ(events[3].kind, Kind::Nack);
    EXPECT_EQ(events[4].kind, Kind::Packet);
}

TEST(RspParser, ControlBytesInsideAPacketArePayload) {
    Parser parser;
    std::string payload = "X0,3:\x03+-";
    const auto events = parser.feed(frame(payload));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::Packet);
    EXPECT_EQ(events[0].payload, payload);
}

TEST(RspParser, GarbageBeforeDollarIsSkipped) {
    Parser parser;
    const auto events = parser.feed("hello\r\n\xff\x00#00$g#67"sv);  // 12 bytes of noise
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].payload, "g");
    EXPECT_EQ(parser.discardedBytes(), 12u);
}

TEST(RspParser, DollarInsidePacketRestarts) {
    Parser parser;
    const auto events = parser.feed("$m0,4$g#67");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].payload, "g");
    EXPECT_TRUE(events[0].checksumOk);
}

TEST(RspParser, RunLengthEncodedPacketIsExpanded) {
    Parser parser;
    const auto events = parser.feed(frame("M0,4:0* "));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::Packet);
    EXPECT_EQ(events[0].payload, "M0,4:0000");
}

TEST(RspParser, MalformedRunLengthIsReported) {
    Parser parser;
    const auto events = parser.feed(frame("*abc"));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::Malformed);
    EXPECT_TRUE(events[0].payload.empty());
}

TEST(RspParser, OversizePacketIsConsumedAndRejected) {
    Parser parser(64);
    const std::string big(100, 'a');
    const auto events = parser.feed(frame(big) + "$g#67");
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].kind, Kind::Oversize);
    EXPECT_TRUE(events[0].checksumOk);  // the checksum covers the bytes not kept
    EXPECT_TRUE(events[0].payload.empty());
    EXPECT_EQ(events[1].kind, Kind::Packet);
    EXPECT_EQ(events[1].payload, "g");
}

TEST(RspParser, PacketOfExactlyTheLimitIsAccepted) {
    Parser parser(64);
    const auto events = parser.feed(frame(std::string(64, 'a')));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::Packet);
}

TEST(RspParser, RunLengthBombIsOversize) {
    Parser parser(kMaxPacketSize);
    std::string bomb = "a";
    for (int i = 0; i < 200; ++i) bomb += "*~";  // 97 more each: 19401 > 0x4000
    const auto events = parser.feed(frame(bomb));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::Oversize);
}

TEST(RspParser, EndlessPacketDoesNotGrowWithoutBound) {
    Parser parser(256);
    const std::string chunk(4096, 'x');
    EXPECT_TRUE(parser.feed("$").empty());
    for (int i = 0; i < 256; ++i) EXPECT_TRUE(parser.feed(chunk).empty());  // 1 MiB, no '#'
    const auto events = parser.feed("#00");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::Oversize);
}

TEST(RspParser, RandomBytesNeverCrash) {
    std::mt19937 rng(12345);
    Parser parser(512);
    const char alphabet[] = "$#+-*}\x03" "0123456789abcdefgXm,:";
    for (int round = 0; round < 2000; ++round) {
        std::string chunk;
        const int n = static_cast<int>(rng() % 64);
        for (int i = 0; i < n; ++i) {
            chunk.push_back(rng() % 4 == 0 ? static_cast<char>(rng() & 0xff)
                                           : alphabet[rng() % (sizeof alphabet - 1)]);
        }
        for (const Event& e : parser.feed(chunk)) EXPECT_LE(e.payload.size(), 512u);
    }
}

// --- channel: acknowledgements -----------------------------------------------------

TEST(RspChannel, AcksAGoodPacket) {
    Channel channel;
    channel.receive("$g#67");
    EXPECT_EQ(channel.takeOutput(), "+");
    auto in = channel.next();
    ASSERT_TRUE(in);
    EXPECT_EQ(in->kind, Input::Kind::Packet);
    EXPECT_EQ(in->payload, "g");
    EXPECT_FALSE(channel.next());
}

TEST(RspChannel, BadChecksumGivesNackAndNoPacket) {
    Channel channel;
    channel.receive("$g#00");
    EXPECT_EQ(channel.takeOutput(), "-");
    EXPECT_FALSE(channel.next());
    channel.receive("$g#67");  // the retransmission
    EXPECT_EQ(channel.takeOutput(), "+");
    ASSERT_TRUE(channel.next());
}

TEST(RspChannel, NackResendsTheLastPacketUntilAcked) {
    Channel channel;
    channel.send("OK");
    EXPECT_EQ(channel.takeOutput(), "$OK#9a");
    channel.receive("-");
    EXPECT_EQ(channel.takeOutput(), "$OK#9a");
    channel.receive("+");
    channel.receive("-");  // nothing outstanding any more
    EXPECT_EQ(channel.takeOutput(), "");
}

TEST(RspChannel, NoAckModeSendsNoAcksAndIgnoresThem) {
    Channel channel;
    channel.setNoAck(true);
    channel.receive("$g#67");
    EXPECT_EQ(channel.takeOutput(), "");
    ASSERT_TRUE(channel.next());
    channel.send("OK");
    channel.receive("-");
    EXPECT_EQ(channel.takeOutput(), "$OK#9a");  // no retransmission
    // Like gdbserver: a bad checksum cannot be nacked, so the packet is processed.
    channel.receive("$g#00");
    EXPECT_EQ(channel.takeOutput(), "");
    auto in = channel.next();
    ASSERT_TRUE(in);
    EXPECT_EQ(in->payload, "g");
}

TEST(RspChannel, InterruptsCanBeTakenOutOfOrder) {
    Channel channel;
    channel.setNoAck(true);
    channel.receive("$g#67\x03$?#3f\x03");
    EXPECT_TRUE(channel.takeInterrupt());
    EXPECT_FALSE(channel.takeInterrupt());
    ASSERT_EQ(channel.queued(), 2u);
    EXPECT_EQ(channel.next()->payload, "g");
    EXPECT_EQ(channel.next()->payload, "?");
}

TEST(RspChannel, OversizeAndMalformedAreAckedAndQueuedForAnError) {
    Channel channel(16);
    channel.receive(frame(std::string(32, 'a')) + frame("*x"));
    EXPECT_EQ(channel.takeOutput(), "++");
    EXPECT_EQ(channel.next()->kind, Input::Kind::Oversize);
    EXPECT_EQ(channel.next()->kind, Input::Kind::Malformed);
}

TEST(RspChannel, RunLengthEncodedReplies) {
    Channel channel;
    channel.setRunLengthEncoding(true);
    channel.send("00000000");
    const std::string out = channel.takeOutput();
    EXPECT_EQ(out, frame("0*\"00"));
    // And our own parser reads it back.
    Parser parser;
    const auto events = parser.feed(out);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].payload, "00000000");
}

}  // namespace
}  // namespace cmsim::rsp
