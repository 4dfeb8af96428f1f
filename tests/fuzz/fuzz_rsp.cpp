// Fuzz target: what a gdb client can send over the network (`cmsim --gdb`).
//
//  1. rsp::Parser, the streaming packet parser, fed the bytes in chunks whose sizes come
//     from the input: the events must not depend on where the stream was cut, payloads
//     stay within the packet size limit, and every decoded payload survives framing
//     (rleEncode + frame) and parsing again unchanged.
//  2. The hex, binary-escape and run-length helpers: round trips and bounds.
//  3. GdbSession, the protocol state machine, on a real f407 Machine through
//     MachineDebugTarget (registers, memory and peripheral registers, breakpoints,
//     watchpoints, monitor commands, and c/s resuming for at most a few thousand cycles):
//     every byte the server sends back must be an ack or a well-formed packet.
//
// A crash, a sanitizer report, an exception escaping or a failed check is a bug.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "FuzzCheck.h"
#include "Machine.h"
#include "boards/Boards.h"
#include "debug/GdbServer.h"
#include "debug/MachineDebugTarget.h"
#include "debug/RspPacket.h"

namespace {

using cmsim::rsp::Event;

// Deterministic chunk sizes from a seed (1..64 bytes each).
class Chunker {
public:
    explicit Chunker(std::uint32_t seed) : state_(seed * 2654435761u + 1) {}
    std::size_t next() {
        state_ = state_ * 1664525u + 1013904223u;
        return 1 + (state_ >> 24) % 64;
    }

private:
    std::uint32_t state_;
};

bool sameEvents(const std::vector<Event>& a, const std::vector<Event>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].kind != b[i].kind || a[i].payload != b[i].payload || a[i].checksumOk != b[i].checksumOk) {
            return false;
        }
    }
    return true;
}

void fuzzParser(std::string_view stream, std::uint8_t seed) {
    // A small limit as well as the real one, so the oversize paths are reached.
    const std::size_t limit = seed & 1 ? 64 + seed : cmsim::rsp::kMaxPacketSize;
    cmsim::rsp::Parser whole(limit);
    const std::vector<Event> expected = whole.feed(stream);

    cmsim::rsp::Parser pieces(limit);
    std::vector<Event> got;
    Chunker chunker(seed);
    for (std::size_t i = 0; i < stream.size();) {
        const std::size_t n = std::min(chunker.next(), stream.size() - i);
        pieces.feed(stream.substr(i, n), got);
        i += n;
    }
    FUZZ_CHECK(sameEvents(expected, got));
    FUZZ_CHECK(whole.discardedBytes() == pieces.discardedBytes());
    FUZZ_CHECK(whole.inPacket() == pieces.inPacket());
    FUZZ_CHECK(whole.discardedBytes() <= stream.size());

    for (const Event& e : expected) {
        FUZZ_CHECK(e.payload.size() <= limit);
        if (e.kind != Event::Kind::Packet) {
            FUZZ_CHECK(e.payload.empty());
            continue;
        }
        // A decoded payload never holds the framing characters, so it frames as is.
        FUZZ_CHECK(e.payload.find_first_of("#$*") == std::string::npos);
        cmsim::rsp::Parser again(limit);
        const auto events = again.feed(cmsim::rsp::frame(cmsim::rsp::rleEncode(e.payload)));
        FUZZ_CHECK(events.size() == 1);
        FUZZ_CHECK(events[0].kind == Event::Kind::Packet);
        FUZZ_CHECK(events[0].checksumOk);
        FUZZ_CHECK(events[0].payload == e.payload);
    }
}

void fuzzHelpers(std::string_view text) {
    using namespace cmsim::rsp;
    const std::vector<std::uint8_t> bytes(text.begin(), text.end());
    FUZZ_CHECK(fromHex(toHex(bytes)) == bytes);
    if (const auto decoded = fromHex(text)) FUZZ_CHECK(decoded->size() * 2 == text.size());
    FUZZ_CHECK(unescapeBinary(escapeBinary(bytes)) == bytes);
    if (const auto raw = unescapeBinary(text)) FUZZ_CHECK(raw->size() <= text.size());
    for (const std::uint64_t max : {std::uint64_t{0xff}, std::uint64_t{0xffffffff}, ~std::uint64_t{0}}) {
        if (const auto n = parseHexNumber(text, max)) FUZZ_CHECK(*n <= max);
    }
    std::string out;
    const std::size_t max = 256;
    const RleStatus status = rleDecode(text, max, out);
    FUZZ_CHECK(out.size() <= max);
    if (status == RleStatus::Ok && out.find_first_of("#$}*") == std::string::npos) {
        std::string again;
        FUZZ_CHECK(rleDecode(rleEncode(out), max, again) == RleStatus::Ok);
        FUZZ_CHECK(again == out);
    }
    (void)checksum(text);
}

// Everything the server sent must parse as acks and well-formed packets.
void checkServerOutput(std::string_view output) {
    cmsim::rsp::Parser parser(1u << 24);
    const auto events = parser.feed(output);
    FUZZ_CHECK(!parser.inPacket());
    FUZZ_CHECK(parser.discardedBytes() == 0);
    for (const Event& e : events) {
        FUZZ_CHECK(e.kind == Event::Kind::Packet || e.kind == Event::Kind::Ack || e.kind == Event::Kind::Nack);
        FUZZ_CHECK(e.checksumOk);
    }
}

// One machine for all inputs (building a Machine costs far more than a packet), put back
// to its start state before each: RAM zeroed, flash erased again, a system reset
// (peripherals and core). Simulated time is not rewound; nothing here depends on it.
struct SessionWorld {
    cmsim::Machine machine{cmsim::stm32f407DiscoveryBoard()};
    std::vector<std::pair<std::uint32_t, std::uint32_t>> flash;  // (base, size), not aliases

    SessionWorld() {
        for (const auto& region : machine.board().chip.memory) {
            if (region.kind == cmsim::RegionKind::Flash && region.aliasOf.empty()) flash.emplace_back(region.base, region.size);
        }
    }
    void restart() {
        machine.bus().clearRam();
        for (const auto& [base, size] : flash) {
            std::uint8_t* p = machine.bus().hostPointer(base, size);
            FUZZ_CHECK(p != nullptr);
            std::fill(p, p + size, std::uint8_t{0xFF});
        }
        machine.systemReset();
    }
};

void fuzzSession(std::string_view stream, std::uint8_t seed) {
    // No firmware is loaded: gdb can write code and registers, and c/s run it for at most
    // kRunCycles cycles.
    constexpr cmsim::Cycles kRunCycles = 2000;
    static SessionWorld world;
    world.restart();
    cmsim::MachineDebugTarget target(world.machine, world.machine.time().now() + kRunCycles);
    std::string output;
    std::size_t polls = 0;
    cmsim::GdbSessionOptions options;
    options.maxPacketSize = seed & 2 ? 256 : cmsim::rsp::kMaxPacketSize;
    options.runLengthEncode = (seed & 4) != 0;
    cmsim::GdbSession session(
        target, [&output](std::string_view bytes) { output.append(bytes); },
        [&polls]() -> std::optional<std::string> {
            // While the target runs: nothing from the client, then a closed connection.
            if (++polls > 1000) return std::nullopt;
            return std::string();
        },
        options);
    Chunker chunker(seed);
    for (std::size_t i = 0; i < stream.size() && !session.end();) {
        const std::size_t n = std::min(chunker.next(), stream.size() - i);
        session.receive(stream.substr(i, n));
        i += n;
    }
    output += session.takeOutput();
    checkServerOutput(output);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t seed = data[0];
    const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
    fuzzParser(stream, seed);
    fuzzHelpers(stream.substr(0, 4096));
    fuzzSession(stream, seed);
    return 0;
}
