#pragma once
// gdb remote serial protocol (RSP) framing, independent of commands and transport.
//
// On the wire a packet is `$payload#cc`: cc is the modulo-256 sum of the payload bytes as
// they travel (escaped and run-length encoded), in two hex digits. Outside packets the
// client sends `+` / `-` (ack / nack of our last packet) and the out-of-band byte 0x03
// (interrupt the running target). Binary data inside a packet escapes `#`, `$`, `}` and
// `*` as `}` followed by the byte XOR 0x20; `X*Y` repeats X (Y - 29) more times.
//
// Everything that comes from the network is untrusted: the parser bounds every buffer by
// the advertised packet size, resynchronises on garbage, and never throws.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cmsim::rsp {

// Largest payload (after run-length decoding) accepted from the client; advertised as
// PacketSize in the qSupported reply. Larger packets are consumed and rejected.
inline constexpr std::size_t kMaxPacketSize = 0x4000;
// The out-of-band byte gdb sends for Ctrl-C.
inline constexpr char kInterruptByte = '\x03';

// --- hex ------------------------------------------------------------------------------

// Value of one hex digit (either case), or -1.
int hexDigit(char c);
// Lowercase hex, two digits per byte.
std::string toHex(std::span<const std::uint8_t> bytes);
std::string toHex(std::string_view bytes);
// Pairs of hex digits to bytes; nullopt on an odd length or a non-hex character.
std::optional<std::vector<std::uint8_t>> fromHex(std::string_view text);
// A non-empty run of hex digits whose value is at most `max` (any number of leading zeros
// allowed); nullopt for anything else, including overflow.
std::optional<std::uint64_t> parseHexNumber(std::string_view text, std::uint64_t max);

// --- binary escaping and run-length encoding -------------------------------------------

// Escapes `#` `$` `}` `*` as `}` + (byte ^ 0x20), as gdb does for binary data.
std::string escapeBinary(std::span<const std::uint8_t> bytes);
std::string escapeBinary(std::string_view bytes);
// Undoes escapeBinary; nullopt when the text ends in a lone `}`.
std::optional<std::vector<std::uint8_t>> unescapeBinary(std::string_view text);

// Run-length encodes a payload for sending: runs of 4 or more equal characters become
// `X*Y`. Never produces `#` or `$` as a count, and leaves runs of `#$}*` alone.
std::string rleEncode(std::string_view payload);

enum class RleStatus { Ok, Malformed, TooLarge };
// Expands `X*Y` sequences of a received payload into `out` (cleared first). Malformed: a
// `*` with nothing before it, at the very end, or with a count below 1. TooLarge: the
// expansion would exceed `maxSize` (`out` then holds no more than maxSize bytes).
RleStatus rleDecode(std::string_view payload, std::size_t maxSize, std::string& out);

// --- framing ---------------------------------------------------------------------------

std::uint8_t checksum(std::string_view payload);
// `$payload#cc`. The payload is sent as given: escape binary data and run-length encode
// it (rleEncode) before framing if wanted.
std::string frame(std::string_view payload);

// --- streaming parser ------------------------------------------------------------------

struct Event {
    enum class Kind {
        Packet,     // a complete packet; payload is run-length decoded
        Oversize,   // a complete packet larger than the limit; payload empty
        Malformed,  // a complete packet whose run-length encoding is invalid; payload empty
        Interrupt,  // 0x03 outside a packet
        Ack,        // `+`
        Nack,       // `-`
    };
    Kind kind;
    std::string payload;
    // For Packet / Oversize / Malformed: whether the two checksum digits were valid hex
    // and matched the payload.
    bool checksumOk = true;
};

// Accepts arbitrary chunks of the byte stream from the client (a packet may be split at
// any byte) and yields events in order. Bytes outside packets other than `$ + - 0x03`
// are skipped; a `$` inside a packet abandons it and starts a new one.
class Parser {
public:
    explicit Parser(std::size_t maxPacketSize = kMaxPacketSize);

    void feed(std::string_view chunk, std::vector<Event>& out);
    std::vector<Event> feed(std::string_view chunk);

    // Bytes skipped so far: garbage outside packets and abandoned partial packets.
    std::uint64_t discardedBytes() const { return discarded_; }
    // True while in the middle of a packet.
    bool inPacket() const { return state_ != State::Idle; }

private:
    enum class State { Idle, Payload, Checksum1, Checksum2 };
    void finishPacket(std::vector<Event>& out);

    std::size_t maxPacketSize_;
    State state_ = State::Idle;
    std::string raw_;  // payload bytes as received, at most maxPacketSize_
    bool overflow_ = false;
    std::uint8_t sum_ = 0;
    int checksumHigh_ = -1;
    bool checksumValid_ = true;
    std::uint64_t discarded_ = 0;
};

// --- a connection's protocol state: parser + acknowledgements + retransmission ---------

struct Input {
    enum class Kind {
        Packet,     // handle the payload and reply
        Interrupt,  // the client asked to stop the running target
        Oversize,   // a packet over the size limit: reply with an error
        Malformed,  // a packet that could not be decoded: reply with an error
    };
    Kind kind;
    std::string payload;
};

// Wraps the parser with the acknowledgement rules: in ack mode (the start of every
// connection) each received packet is answered `+`, or `-` when its checksum is wrong (it
// is then dropped, the client resends it); a `-` from the client makes us resend our last
// packet. In no-ack mode (after QStartNoAckMode) nothing is acknowledged and, as
// gdbserver does, a packet with a bad checksum is processed anyway.
// Output accumulates until takeOutput().
class Channel {
public:
    explicit Channel(std::size_t maxPacketSize = kMaxPacketSize);

    void receive(std::string_view bytes);
    // The next input in arrival order.
    std::optional<Input> next();
    // Removes every queued interrupt; true if there was at least one.
    bool takeInterrupt();
    std::size_t queued() const { return inputs_.size(); }

    // Frames a reply (run-length encoded if enabled) and appends it to the output.
    void send(std::string_view payload);
    std::string takeOutput();
    bool hasOutput() const { return !output_.empty(); }

    void setNoAck(bool on);
    bool noAck() const { return noAck_; }
    void setRunLengthEncoding(bool on) { rle_ = on; }
    const Parser& parser() const { return parser_; }

private:
    Parser parser_;
    std::vector<Event> events_;
    std::deque<Input> inputs_;
    std::string output_;
    std::string lastPacket_;  // framed, for retransmission on `-` (ack mode only)
    bool noAck_ = false;
    bool rle_ = false;
};

}  // namespace cmsim::rsp
