#include "debug/RspPacket.h"

#include <algorithm>

namespace cmsim::rsp {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

bool needsEscape(std::uint8_t b) {
    return b == '#' || b == '$' || b == '}' || b == '*';
}

}  // namespace

// --- hex ------------------------------------------------------------------------------

int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string toHex(std::span<const std::uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (std::uint8_t b : bytes) {
        out.push_back(kHexDigits[b >> 4]);
        out.push_back(kHexDigits[b & 0xf]);
    }
    return out;
}

std::string toHex(std::string_view bytes) {
    return toHex(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                               bytes.size()));
}

std::optional<std::vector<std::uint8_t>> fromHex(std::string_view text) {
    if (text.size() % 2 != 0) return std::nullopt;
    std::vector<std::uint8_t> out;
    out.reserve(text.size() / 2);
    for (std::size_t i = 0; i < text.size(); i += 2) {
        const int hi = hexDigit(text[i]);
        const int lo = hexDigit(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    }
    return out;
}

std::optional<std::uint64_t> parseHexNumber(std::string_view text, std::uint64_t max) {
    if (text.empty()) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
        const int d = hexDigit(c);
        if (d < 0) return std::nullopt;
        const auto digit = static_cast<std::uint64_t>(d);
        if (digit > max || value > (max - digit) / 16) return std::nullopt;
        value = value * 16 + digit;
    }
    return value;
}

// --- binary escaping and run-length encoding -------------------------------------------

std::string escapeBinary(std::span<const std::uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 8);
    for (std::uint8_t b : bytes) {
        if (needsEscape(b)) {
            out.push_back('}');
            out.push_back(static_cast<char>(b ^ 0x20));
        } else {
            out.push_back(static_cast<char>(b));
        }
    }
    return out;
}

std::string escapeBinary(std::string_view bytes) {
    return escapeBinary(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

std::optional<std::vector<std::uint8_t>> unescapeBinary(std::string_view text) {
    std::vector<std::uint8_t> out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto b = static_cast<std::uint8_t>(text[i]);
        if (b == '}') {
            if (++i == text.size()) return std::nullopt;
            b = static_cast<std::uint8_t>(static_cast<std::uint8_t>(text[i]) ^ 0x20);
        }
        out.push_back(b);
    }
    return out;
}

std::string rleEncode(std::string_view payload) {
    std::string out;
    out.reserve(payload.size());
    std::size_t i = 0;
    while (i < payload.size()) {
        const char c = payload[i];
        std::size_t run = 1;
        while (i + run < payload.size() && payload[i + run] == c) ++run;
        out.push_back(c);
        std::size_t done = 1;
        const bool encodable = c != '#' && c != '$' && c != '}' && c != '*';
        // Each `X*Y` covers 1 + (Y - 29) characters, Y printable: 3..97 more repeats.
        while (encodable && run - done >= 3) {
            std::size_t repeats = std::min<std::size_t>(run - done, 97);
            if (repeats == 6 || repeats == 7) repeats = 5;  // '#' and '$' are not counts
            out.push_back('*');
            out.push_back(static_cast<char>(repeats + 29));
            done += repeats;
            if (run - done >= 1) {  // start a new run with a literal character
                out.push_back(c);
                ++done;
            }
        }
        out.append(run - done, c);
        i += run;
    }
    return out;
}

RleStatus rleDecode(std::string_view payload, std::size_t maxSize, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < payload.size(); ++i) {
        const char c = payload[i];
        if (c != '*') {
            if (out.size() >= maxSize) return RleStatus::TooLarge;
            out.push_back(c);
            continue;
        }
        if (out.empty() || i + 1 >= payload.size()) return RleStatus::Malformed;
        const int count = static_cast<std::uint8_t>(payload[++i]) - 29;
        if (count < 1) return RleStatus::Malformed;
        if (out.size() + static_cast<std::size_t>(count) > maxSize) return RleStatus::TooLarge;
        out.append(static_cast<std::size_t>(count), out.back());
    }
    return RleStatus::Ok;
}

// --- framing ---------------------------------------------------------------------------

std::uint8_t checksum(std::string_view payload) {
    std::uint8_t sum = 0;
    for (char c : payload) sum = static_cast<std::uint8_t>(sum + static_cast<std::uint8_t>(c));
    return sum;
}

std::string frame(std::string_view payload) {
    const std::uint8_t sum = checksum(payload);
    std::string out;
    out.reserve(payload.size() + 4);
    out.push_back('$');
    out.append(payload);
    out.push_back('#');
    out.push_back(kHexDigits[sum >> 4]);
    out.push_back(kHexDigits[sum & 0xf]);
    return out;
}

// --- streaming parser ------------------------------------------------------------------

Parser::Parser(std::size_t maxPacketSize) : maxPacketSize_(maxPacketSize) {}

std::vector<Event> Parser::feed(std::string_view chunk) {
    std::vector<Event> out;
    feed(chunk, out);
    return out;
}

void Parser::feed(std::string_view chunk, std::vector<Event>& out) {
    for (char c : chunk) {
        switch (state_) {
        case State::Idle:
            if (c == '$') {
                state_ = State::Payload;
                raw_.clear();
                overflow_ = false;
                sum_ = 0;
            } else if (c == '+') {
                out.push_back({Event::Kind::Ack, {}});
            } else if (c == '-') {
                out.push_back({Event::Kind::Nack, {}});
            } else if (c == kInterruptByte) {
                out.push_back({Event::Kind::Interrupt, {}});
            } else {
                ++discarded_;
            }
            break;
        case State::Payload:
            if (c == '#') {
                state_ = State::Checksum1;
            } else if (c == '$') {  // resynchronise on a new packet start
                discarded_ += raw_.size() + 1;
                raw_.clear();
                overflow_ = false;
                sum_ = 0;
            } else {
                sum_ = static_cast<std::uint8_t>(sum_ + static_cast<std::uint8_t>(c));
                if (raw_.size() < maxPacketSize_) {
                    raw_.push_back(c);
                } else {
                    overflow_ = true;
                }
            }
            break;
        case State::Checksum1:
            checksumHigh_ = hexDigit(c);
            state_ = State::Checksum2;
            break;
        case State::Checksum2: {
            const int low = hexDigit(c);
            checksumValid_ = checksumHigh_ >= 0 && low >= 0 && (checksumHigh_ << 4 | low) == sum_;
            finishPacket(out);
            state_ = State::Idle;
            break;
        }
        }
    }
}

void Parser::finishPacket(std::vector<Event>& out) {
    Event event{Event::Kind::Packet, {}, checksumValid_};
    if (overflow_) {
        event.kind = Event::Kind::Oversize;
    } else {
        switch (rleDecode(raw_, maxPacketSize_, event.payload)) {
        case RleStatus::Ok:
            break;
        case RleStatus::TooLarge:
            event.kind = Event::Kind::Oversize;
            event.payload.clear();
            break;
        case RleStatus::Malformed:
            event.kind = Event::Kind::Malformed;
            event.payload.clear();
            break;
        }
    }
    raw_.clear();
    raw_.shrink_to_fit();  // do not keep a 16 KiB buffer per idle connection
    out.push_back(std::move(event));
}

// --- Channel ---------------------------------------------------------------------------

Channel::Channel(std::size_t maxPacketSize) : parser_(maxPacketSize) {}

void Channel::receive(std::string_view bytes) {
    events_.clear();
    parser_.feed(bytes, events_);
    for (Event& e : events_) {
        switch (e.kind) {
        case Event::Kind::Ack:
            lastPacket_.clear();
            break;
        case Event::Kind::Nack:
            if (!noAck_) output_ += lastPacket_;  // nothing if already acknowledged
            break;
        case Event::Kind::Interrupt:
            inputs_.push_back({Input::Kind::Interrupt, {}});
            break;
        case Event::Kind::Packet:
        case Event::Kind::Oversize:
        case Event::Kind::Malformed: {
            if (!noAck_) {
                if (!e.checksumOk) {
                    output_.push_back('-');  // dropped; the client retransmits
                    break;
                }
                output_.push_back('+');
            }
            const Input::Kind kind = e.kind == Event::Kind::Packet     ? Input::Kind::Packet
                                     : e.kind == Event::Kind::Oversize ? Input::Kind::Oversize
                                                                       : Input::Kind::Malformed;
            inputs_.push_back({kind, std::move(e.payload)});
            break;
        }
        }
    }
    events_.clear();
}

std::optional<Input> Channel::next() {
    if (inputs_.empty()) return std::nullopt;
    Input in = std::move(inputs_.front());
    inputs_.pop_front();
    return in;
}

bool Channel::takeInterrupt() {
    const auto before = inputs_.size();
    std::erase_if(inputs_, [](const Input& in) { return in.kind == Input::Kind::Interrupt; });
    return inputs_.size() != before;
}

void Channel::send(std::string_view payload) {
    std::string framed = rle_ ? frame(rleEncode(payload)) : frame(payload);
    output_ += framed;
    if (!noAck_) lastPacket_ = std::move(framed);
}

std::string Channel::takeOutput() {
    std::string out;
    out.swap(output_);
    return out;
}

void Channel::setNoAck(bool on) {
    noAck_ = on;
    if (on) lastPacket_.clear();
}

}  // namespace cmsim::rsp
