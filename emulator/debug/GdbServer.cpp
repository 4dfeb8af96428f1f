#include "debug/GdbServer.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <numeric>

#include <fmt/format.h>

#include "Errors.h"

namespace cmsim {

namespace {

constexpr std::uint64_t kMax32 = 0xffffffffULL;
// A register wider than this is not a Cortex-M register; keeps g replies bounded even if
// a target misreports a size.
constexpr unsigned kMaxRegisterSize = 64;
// Console output (`O` packets) is split into pieces of this many text bytes.
constexpr std::size_t kConsoleChunk = 512;

std::vector<std::string_view> split(std::string_view text, char sep) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t pos = text.find(sep, start);
        if (pos == std::string_view::npos) {
            parts.push_back(text.substr(start));
            return parts;
        }
        parts.push_back(text.substr(start, pos - start));
        start = pos + 1;
    }
}

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
    return s;
}

// "addr,len" with both 32-bit and the range not wrapping past 0xffffffff.
struct Range {
    std::uint32_t address;
    std::uint32_t length;
};
enum class RangeError { None, Syntax, Wraps };
std::optional<Range> parseRange(std::string_view text, RangeError& error) {
    error = RangeError::Syntax;
    const std::size_t comma = text.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    const auto address = rsp::parseHexNumber(text.substr(0, comma), kMax32);
    const auto length = rsp::parseHexNumber(text.substr(comma + 1), kMax32);
    if (!address || !length) return std::nullopt;
    error = RangeError::None;
    return Range{static_cast<std::uint32_t>(*address), static_cast<std::uint32_t>(*length)};
}

bool rangeWraps(const Range& r) {
    return r.length != 0 && static_cast<std::uint64_t>(r.address) + r.length - 1 > kMax32;
}

// A thread id of the single thread: "1", "0" (any), "-1" (all), "p1.1", "p1", "p-1.-1".
bool threadMatches(std::string_view tid) {
    if (!tid.empty() && tid.front() == 'p') {
        const std::size_t dot = tid.find('.');
        if (dot == std::string_view::npos) return tid.size() > 1;  // a whole process
        tid = tid.substr(dot + 1);
    }
    if (tid == "-1") return true;
    const auto n = rsp::parseHexNumber(tid, kMax32);
    return n && (*n == 0 || *n == 1);
}

// Value of attribute `name` inside one XML start tag, or nullopt.
std::optional<std::string_view> xmlAttribute(std::string_view tag, std::string_view name) {
    std::size_t pos = 0;
    while ((pos = tag.find(name, pos)) != std::string_view::npos) {
        const bool boundary = pos > 0 && isSpace(tag[pos - 1]);
        std::size_t p = pos + name.size();
        pos = p;
        if (!boundary) continue;
        while (p < tag.size() && isSpace(tag[p])) ++p;
        if (p >= tag.size() || tag[p] != '=') continue;
        ++p;
        while (p < tag.size() && isSpace(tag[p])) ++p;
        if (p >= tag.size() || (tag[p] != '"' && tag[p] != '\'')) continue;
        const std::size_t end = tag.find(tag[p], p + 1);
        if (end == std::string_view::npos) return std::nullopt;
        return tag.substr(p + 1, end - p - 1);
    }
    return std::nullopt;
}

struct XmlReg {
    unsigned number;
    std::string name;
};

// The <reg> elements of a target description in document order, numbered as gdb numbers
// them: the regnum attribute, else one more than the previous register.
std::vector<XmlReg> scanXmlRegisters(std::string_view xml) {
    std::vector<XmlReg> regs;
    unsigned next = 0;
    std::size_t pos = 0;
    while ((pos = xml.find("<reg", pos)) != std::string_view::npos) {
        const std::size_t after = pos + 4;
        pos = after;
        if (after >= xml.size() || !(isSpace(xml[after]) || xml[after] == '/' || xml[after] == '>'))
            continue;  // <regs...> or similar
        const std::size_t close = xml.find('>', after);
        if (close == std::string_view::npos) break;
        const std::string_view tag = xml.substr(after, close - after);
        unsigned number = next;
        if (auto rn = xmlAttribute(tag, "regnum")) {
            unsigned value = 0;
            bool ok = !rn->empty() && rn->size() <= 6;
            for (char c : *rn) {
                if (c < '0' || c > '9') ok = false;
                else value = value * 10 + static_cast<unsigned>(c - '0');
            }
            if (ok) number = value;
        }
        std::string name;
        if (auto n = xmlAttribute(tag, "name")) name = std::string(*n);
        regs.push_back({number, std::move(name)});
        next = number + 1;
    }
    return regs;
}

// Printable rendering of packet bytes for the debug log.
std::string printable(std::string_view bytes) {
    constexpr std::size_t kMax = 200;
    std::string out;
    for (std::size_t i = 0; i < bytes.size() && i < kMax; ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out.push_back(static_cast<char>(c));
        } else {
            out += fmt::format("\\x{:02x}", c);
        }
    }
    if (bytes.size() > kMax) out += fmt::format("...({} bytes)", bytes.size());
    return out;
}

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

const char* toString(GdbEnd end) {
    switch (end) {
    case GdbEnd::Detached:
        return "detached";
    case GdbEnd::Killed:
        return "killed";
    case GdbEnd::Exited:
        return "exited";
    case GdbEnd::Disconnected:
        return "disconnected";
    }
    return "?";
}

// =====================================================================================
// GdbSession
// =====================================================================================

GdbSession::GdbSession(DebugTarget& target, Writer write, Reader pollWhileRunning,
                       GdbSessionOptions options)
    : target_(target),
      write_(std::move(write)),
      read_(std::move(pollWhileRunning)),
      options_(std::move(options)),
      channel_(options_.maxPacketSize) {
    channel_.setRunLengthEncoding(options_.runLengthEncode);

    const unsigned count = target_.registerCount();
    const std::vector<XmlReg> xmlRegs = scanXmlRegisters(target_.targetXml());
    const bool useXml = xmlRegs.size() == count;
    regs_.resize(count);
    for (unsigned i = 0; i < count; ++i) {
        regs_[i].remote = useXml ? xmlRegs[i].number : i;
        regs_[i].size = std::min(target_.registerSize(i), kMaxRegisterSize);
        if (useXml) regs_[i].name = xmlRegs[i].name;
        if (regs_[i].name == "pc" && !pcIndex_) pcIndex_ = i;
    }
    gOrder_.resize(count);
    std::iota(gOrder_.begin(), gOrder_.end(), 0u);
    std::stable_sort(gOrder_.begin(), gOrder_.end(),
                     [this](unsigned a, unsigned b) { return regs_[a].remote < regs_[b].remote; });
}

void GdbSession::log(std::string_view what, std::string_view payload) const {
    if (options_.log) options_.log(fmt::format("gdb {} {}", what, printable(payload)));
}

void GdbSession::flush() {
    if (write_ && channel_.hasOutput()) write_(channel_.takeOutput());
}

void GdbSession::setLastStop(const DebugStop& stop) {
    switch (stop.kind) {
    case DebugStop::Kind::Interrupted:
        lastStop_ = "T02";
        break;
    case DebugStop::Kind::Finished:
        lastStop_ = "W00";
        break;
    case DebugStop::Kind::Fault:
        lastStop_ = fmt::format("T{:02x}", stop.signal > 0 && stop.signal < 256 ? stop.signal : 11);
        break;
    default:
        lastStop_ = "T05";
        break;
    }
}

void GdbSession::receive(std::string_view bytes) {
    if (end_) return;
    channel_.receive(bytes);
    while (!end_) {
        std::optional<rsp::Input> in = channel_.next();
        if (!in) break;
        switch (in->kind) {
        case rsp::Input::Kind::Interrupt:
            break;  // the target is already halted (a late Ctrl-C): nothing to stop
        case rsp::Input::Kind::Oversize:
            log("<-", "(oversize packet)");
            channel_.send("E02");
            break;
        case rsp::Input::Kind::Malformed:
            log("<-", "(malformed run-length encoding)");
            channel_.send("E01");
            break;
        case rsp::Input::Kind::Packet: {
            log("<-", in->payload);
            for (const std::string& reply : handle(in->payload)) {
                log("->", reply);
                channel_.send(reply);
            }
            if (enterNoAck_) {  // after the OK went out with the old rules
                enterNoAck_ = false;
                channel_.setNoAck(true);
            }
            break;
        }
        }
    }
    flush();
}

bool GdbSession::pollInterrupt() {
    if (disconnected_) return true;
    if (channel_.takeInterrupt()) return true;
    if (!read_) return false;
    std::optional<std::string> bytes = read_();
    if (!bytes) {
        log("--", "connection closed while the target ran");
        disconnected_ = true;
        return true;
    }
    if (bytes->empty()) return false;
    channel_.receive(*bytes);  // packets other than 0x03 stay queued for later
    return channel_.takeInterrupt();
}

std::vector<std::string> GdbSession::handle(std::string_view p) {
    if (p.empty()) return {""};
    const std::string_view args = p.substr(1);
    switch (p[0]) {
    case '?':
        return {lastStop_};
    case 'g':
        return {args.empty() ? readAllRegisters() : "E01"};
    case 'G':
        return {writeAllRegisters(args)};
    case 'p':
        return {readOneRegister(args)};
    case 'P':
        return {writeOneRegister(args)};
    case 'm':
        return {readMemory(args)};
    case 'M':
        return {writeMemory(args, false)};
    case 'X':
        return {writeMemory(args, true)};
    case 'c':
    case 's': {
        std::optional<std::uint32_t> address;
        if (!args.empty()) {
            const auto a = rsp::parseHexNumber(args, kMax32);
            if (!a) return {"E01"};
            address = static_cast<std::uint32_t>(*a);
        }
        return resume(p[0] == 's', address);
    }
    case 'C':
    case 'S': {  // Csig[;addr]: signals mean nothing to a bare-metal core; ignored
        const std::size_t semi = args.find(';');
        if (!rsp::parseHexNumber(args.substr(0, semi), 0xff)) return {"E01"};
        std::optional<std::uint32_t> address;
        if (semi != std::string_view::npos) {
            const auto a = rsp::parseHexNumber(args.substr(semi + 1), kMax32);
            if (!a) return {"E01"};
            address = static_cast<std::uint32_t>(*a);
        }
        return resume(p[0] == 'S', address);
    }
    case 'v':
        if (p == "vCont?") return {"vCont;c;C;s;S"};
        if (p.starts_with("vCont;")) return vCont(p.substr(6));
        return {""};
    case 'Z':
    case 'z':
        return {breakpoint(p)};
    case 'q':
        if (p.starts_with("qRcmd,")) return monitor(p.substr(6));
        return {query(p)};
    case 'Q':
        if (p == "QStartNoAckMode") {
            enterNoAck_ = true;
            return {"OK"};
        }
        return {""};
    case 'H':
        if (args.size() >= 2 && threadMatches(args.substr(1))) return {"OK"};
        return {"E01"};
    case 'T':
        return {threadMatches(args) && args != "0" ? "OK" : "E01"};
    case 'D':
        end_ = GdbEnd::Detached;
        return {"OK"};
    case 'k':
        end_ = GdbEnd::Killed;
        return {};
    default:
        return {""};
    }
}

// --- run control -----------------------------------------------------------------------

std::vector<std::string> GdbSession::resume(bool step, std::optional<std::uint32_t> address) {
    if (address) {
        if (!pcIndex_) return {"E01"};
        std::vector<std::uint8_t> value(regs_[*pcIndex_].size, 0);
        for (std::size_t i = 0; i < value.size() && i < 4; ++i)
            value[i] = static_cast<std::uint8_t>(*address >> (8 * i));
        if (!target_.writeRegister(*pcIndex_, value)) return {"E03"};
    }
    flush();  // gdb waits for the ack of `c` before it will send Ctrl-C
    const DebugStop stop = target_.resume(step, [this] { return pollInterrupt(); });
    if (disconnected_) {
        end_ = GdbEnd::Disconnected;
        return {};
    }
    return stopReplies(stop);
}

std::vector<std::string> GdbSession::vCont(std::string_view actions) {
    std::optional<char> chosen;
    for (std::string_view item : split(actions, ';')) {
        const std::size_t colon = item.find(':');
        const std::string_view action = item.substr(0, colon);
        if (action.empty()) return {"E01"};
        const char op = action[0];
        if (op == 'c' || op == 's') {
            if (action.size() != 1) return {"E01"};
        } else if (op == 'C' || op == 'S') {
            if (action.size() != 3 || !rsp::parseHexNumber(action.substr(1), 0xff)) return {"E01"};
        } else {
            return {"E01"};  // r (range step), t (stop): not offered by vCont?
        }
        if (colon != std::string_view::npos && !threadMatches(item.substr(colon + 1))) continue;
        if (!chosen) chosen = op;
    }
    if (!chosen) return {"E01"};
    return resume(*chosen == 's' || *chosen == 'S', std::nullopt);
}

std::vector<std::string> GdbSession::stopReplies(const DebugStop& stop) {
    std::vector<std::string> out;
    std::string reply;
    switch (stop.kind) {
    case DebugStop::Kind::Breakpoint:
        reply = "T05";
        if (clientSwbreak_) reply += "swbreak:;";
        else if (clientHwbreak_) reply += "hwbreak:;";
        break;
    case DebugStop::Kind::Watchpoint:
        reply = "T05";
        if (stop.watchAddress) {
            const char* key = stop.watchKind == WatchKind::Read     ? "rwatch"
                              : stop.watchKind == WatchKind::Access ? "awatch"
                                                                    : "watch";
            reply += fmt::format("{}:{:x};", key, *stop.watchAddress);
        }
        break;
    case DebugStop::Kind::Step:
        reply = "T05";
        break;
    case DebugStop::Kind::Interrupted:
        reply = "T02";
        break;
    case DebugStop::Kind::Finished:
        reply = "W00";
        end_ = GdbEnd::Exited;
        break;
    case DebugStop::Kind::Fault: {
        const int signal = stop.signal > 0 && stop.signal < 256 ? stop.signal : 11;
        if (!stop.message.empty()) out = consoleOutput(stop.message);
        reply = fmt::format("T{:02x}", signal);
        break;
    }
    }
    lastStop_ = reply;
    out.push_back(std::move(reply));
    return out;
}

// --- queries ---------------------------------------------------------------------------

std::string GdbSession::query(std::string_view p) {
    if (p == "qSupported" || p.starts_with("qSupported:")) {
        if (p.size() > 11) {
            for (std::string_view feature : split(p.substr(11), ';')) {
                if (feature == "swbreak+") clientSwbreak_ = true;
                if (feature == "hwbreak+") clientHwbreak_ = true;
            }
        }
        return fmt::format(
            "PacketSize={:x};qXfer:features:read+;QStartNoAckMode+;vContSupported+;"
            "swbreak+;hwbreak+",
            options_.maxPacketSize);
    }
    if (p.starts_with("qXfer:features:read:")) return xferFeatures(p.substr(20));
    if (p == "qC") return "QC1";
    if (p == "qAttached" || p.starts_with("qAttached:")) return "1";
    if (p == "qfThreadInfo") return "m1";
    if (p == "qsThreadInfo") return "l";
    return "";
}

std::string GdbSession::xferFeatures(std::string_view args) {
    const std::size_t colon = args.rfind(':');
    if (colon == std::string_view::npos) return "E00";
    if (args.substr(0, colon) != "target.xml") return "E00";
    RangeError error;
    const std::optional<Range> range = parseRange(args.substr(colon + 1), error);
    if (!range || range->length == 0) return "E00";
    const std::string xml = target_.targetXml();
    if (range->address >= xml.size()) return "l";
    const std::size_t length = std::min<std::size_t>(range->length, options_.maxPacketSize);
    const std::string_view piece = std::string_view(xml).substr(range->address, length);
    const bool last = range->address + piece.size() >= xml.size();
    return (last ? "l" : "m") + rsp::escapeBinary(piece);
}

std::vector<std::string> GdbSession::consoleOutput(std::string_view text) const {
    std::string withNewline(text);
    if (!withNewline.empty() && withNewline.back() != '\n') withNewline.push_back('\n');
    std::vector<std::string> packets;
    for (std::size_t i = 0; i < withNewline.size(); i += kConsoleChunk)
        packets.push_back("O" + rsp::toHex(std::string_view(withNewline).substr(i, kConsoleChunk)));
    return packets;
}

std::vector<std::string> GdbSession::monitor(std::string_view hexCommand) {
    const auto bytes = rsp::fromHex(hexCommand);
    if (!bytes) return {"E01"};
    const std::string raw(bytes->begin(), bytes->end());
    const std::string command(trim(raw));
    std::string text;
    if (command == "reset" || command == "reset halt" || command == "reset init") {
        target_.reset();
        lastStop_ = "T05";
        text = "System reset: the core is halted at the reset vector.\n";
    } else {
        text = target_.monitor(command);
        if (text.empty()) {
            text = fmt::format("Unknown monitor command '{}'. Try 'monitor help'.\n",
                               command.substr(0, 100));
        }
    }
    std::vector<std::string> out = consoleOutput(text);
    out.push_back("OK");
    return out;
}

// --- registers -------------------------------------------------------------------------

std::optional<unsigned> GdbSession::registerIndex(std::uint64_t remote) const {
    for (unsigned i = 0; i < regs_.size(); ++i) {
        if (regs_[i].remote == remote) return i;
    }
    return std::nullopt;
}

std::string GdbSession::readRegisterHex(unsigned index) {
    const unsigned size = regs_[index].size;
    std::vector<std::uint8_t> value;
    if (!target_.readRegister(index, value)) return std::string(size * 2, 'x');  // unavailable
    value.resize(size, 0);
    return rsp::toHex(value);
}

std::string GdbSession::readAllRegisters() {
    std::string out;
    for (unsigned index : gOrder_) out += readRegisterHex(index);
    return out;
}

std::string GdbSession::writeAllRegisters(std::string_view hex) {
    std::size_t total = 0;
    for (const RegInfo& r : regs_) total += r.size * 2;
    if (hex.size() != total) return "E01";
    const auto bytes = rsp::fromHex(hex);
    if (!bytes) return "E01";
    bool ok = true;
    std::size_t offset = 0;
    for (unsigned index : gOrder_) {
        const unsigned size = regs_[index].size;
        ok &= target_.writeRegister(index, std::span<const std::uint8_t>(bytes->data() + offset, size));
        offset += size;
    }
    return ok ? "OK" : "E03";
}

std::string GdbSession::readOneRegister(std::string_view args) {
    const auto remote = rsp::parseHexNumber(args, kMax32);
    if (!remote) return "E01";
    const auto index = registerIndex(*remote);
    if (!index) return "E01";
    return readRegisterHex(*index);
}

std::string GdbSession::writeOneRegister(std::string_view args) {
    const std::size_t eq = args.find('=');
    if (eq == std::string_view::npos) return "E01";
    const auto remote = rsp::parseHexNumber(args.substr(0, eq), kMax32);
    if (!remote) return "E01";
    const auto index = registerIndex(*remote);
    if (!index) return "E01";
    const auto value = rsp::fromHex(args.substr(eq + 1));
    if (!value || value->size() != regs_[*index].size) return "E01";
    return target_.writeRegister(*index, *value) ? "OK" : "E03";
}

// --- memory ----------------------------------------------------------------------------

std::string GdbSession::readMemory(std::string_view args) {
    RangeError error;
    const std::optional<Range> range = parseRange(args, error);
    if (!range || rangeWraps(*range)) return "E01";
    // gdb never asks for more than fits its PacketSize-sized buffer in hex.
    if (range->length > options_.maxPacketSize / 2) return "E02";
    if (range->length == 0) return "";
    std::vector<std::uint8_t> data(range->length);
    if (!target_.readMemory(range->address, data)) return "E03";
    return rsp::toHex(data);
}

std::string GdbSession::writeMemory(std::string_view args, bool binary) {
    const std::size_t colon = args.find(':');
    if (colon == std::string_view::npos) return "E01";
    RangeError error;
    const std::optional<Range> range = parseRange(args.substr(0, colon), error);
    if (!range || rangeWraps(*range)) return "E01";
    const std::string_view encoded = args.substr(colon + 1);
    // Cheap bound before decoding: the packet size already limits the data.
    if (range->length > options_.maxPacketSize) return "E02";
    const auto data = binary ? rsp::unescapeBinary(encoded) : rsp::fromHex(encoded);
    if (!data || data->size() != range->length) return "E01";
    if (range->length == 0) return "OK";  // gdb probes X support with a zero-length write
    return target_.writeMemory(range->address, *data) ? "OK" : "E03";
}

// --- breakpoints and watchpoints -------------------------------------------------------

std::string GdbSession::breakpoint(std::string_view p) {
    const bool insert = p[0] == 'Z';
    std::string_view body = p.substr(1);
    body = body.substr(0, body.find(';'));  // conditions / commands: not offered
    const std::vector<std::string_view> parts = split(body, ',');
    if (parts.size() != 3) return "E01";
    const auto type = rsp::parseHexNumber(parts[0], 0xff);
    const auto address = rsp::parseHexNumber(parts[1], kMax32);
    const auto kind = rsp::parseHexNumber(parts[2], kMax32);
    if (!type) return "E01";
    if (*type > 4) return "";  // unsupported type
    if (!address || !kind) return "E01";
    const auto addr = static_cast<std::uint32_t>(*address);
    if (*type <= 1) {  // software or hardware breakpoint: kind (instruction size) ignored
        const bool ok = insert ? target_.insertBreakpoint(addr) : target_.removeBreakpoint(addr);
        return ok ? "OK" : "E03";
    }
    const auto length = static_cast<std::uint32_t>(*kind);
    if (length == 0 || rangeWraps(Range{addr, length})) return "E01";
    const WatchKind watch = *type == 2 ? WatchKind::Write : *type == 3 ? WatchKind::Read : WatchKind::Access;
    const bool ok = insert ? target_.insertWatchpoint(addr, length, watch)
                           : target_.removeWatchpoint(addr, length, watch);
    return ok ? "OK" : "E03";
}

// =====================================================================================
// Address parsing
// =====================================================================================

std::optional<GdbAddress> parseGdbAddress(std::string_view text) {
    GdbAddress result;
    std::string_view host;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        const std::size_t close = text.find("]:");
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
        if (host.empty()) return std::nullopt;
    } else {
        const std::size_t colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            port = text;
        } else {
            host = text.substr(0, colon);
            port = text.substr(colon + 1);
        }
    }
    if (port.empty() || port.size() > 5) return std::nullopt;
    unsigned value = 0;
    for (char c : port) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535) return std::nullopt;
    for (char c : host) {
        if (isSpace(c) || c == '/' || c == '\0') return std::nullopt;
    }
    if (!host.empty()) result.host = std::string(host);
    result.port = static_cast<std::uint16_t>(value);
    return result;
}

// =====================================================================================
// GdbServer: TCP transport
// =====================================================================================

GdbServer::GdbServer(DebugTarget& target, GdbAddress address, GdbSessionOptions options)
    : target_(target), address_(std::move(address)), options_(std::move(options)) {
    if (address_.host.empty()) address_.host = "127.0.0.1";
}

GdbServer::~GdbServer() {
    close();
}

void GdbServer::log(const std::string& line) const {
    if (options_.log) options_.log(line);
}

void GdbServer::listen() {
    if (listenFd_ >= 0) return;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* results = nullptr;
    const std::string port = std::to_string(address_.port);
    const int rc = ::getaddrinfo(address_.host.c_str(), port.c_str(), &hints, &results);
    if (rc != 0) {
        throw InputError(fmt::format("gdb server: cannot resolve '{}': {}", address_.host,
                                     ::gai_strerror(rc)));
    }
    int lastErrno = 0;
    for (addrinfo* ai = results; ai != nullptr; ai = ai->ai_next) {
        const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                                ai->ai_protocol);
        if (fd < 0) {
            lastErrno = errno;
            continue;
        }
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 1) == 0) {
            listenFd_ = fd;
            break;
        }
        lastErrno = errno;
        ::close(fd);
    }
    ::freeaddrinfo(results);
    if (listenFd_ < 0) {
        throw InputError(fmt::format("gdb server: cannot listen on {}:{}: {}", address_.host,
                                     address_.port, std::strerror(lastErrno)));
    }
    log(fmt::format("gdb server listening on {}", endpoint()));
}

std::uint16_t GdbServer::port() const {
    if (listenFd_ < 0) return 0;
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(listenFd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
    if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    return 0;
}

std::string GdbServer::endpoint() const {
    const std::uint16_t p = listenFd_ >= 0 ? port() : address_.port;
    if (address_.host.find(':') != std::string::npos) return fmt::format("[{}]:{}", address_.host, p);
    return fmt::format("{}:{}", address_.host, p);
}

bool GdbServer::clientWaiting() {
    if (clientFd_ >= 0 || listenPending_) return true;
    if (listenFd_ < 0) return false;
    const std::int64_t now = nowNs();
    if (now - lastListenPollNs_ < 1'000'000) return false;
    lastListenPollNs_ = now;
    pollfd p{listenFd_, POLLIN, 0};
    if (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) listenPending_ = true;
    return listenPending_;
}

bool GdbServer::acceptClient(int timeoutMs) {
    if (clientFd_ >= 0) return true;
    if (listenFd_ < 0) return false;
    const std::int64_t deadline = nowNs() + static_cast<std::int64_t>(timeoutMs) * 1'000'000;
    while (true) {
        const int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) {
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            clientFd_ = fd;
            listenPending_ = false;
            sendFailed_ = false;
            log("gdb client connected");
            return true;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
            return false;
        int wait = -1;
        if (timeoutMs >= 0) {
            const std::int64_t left = deadline - nowNs();
            if (left <= 0) {
                listenPending_ = false;
                return false;
            }
            wait = static_cast<int>((left + 999'999) / 1'000'000);
        }
        pollfd p{listenFd_, POLLIN, 0};
        if (::poll(&p, 1, wait) < 0 && errno != EINTR) return false;
    }
}

bool GdbServer::sendAll(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::send(clientFd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                pollfd p{clientFd_, POLLOUT, 0};
                ::poll(&p, 1, 100);
                continue;
            }
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

std::optional<std::string> GdbServer::readAvailable() {
    pollfd p{clientFd_, POLLIN, 0};
    const int rc = ::poll(&p, 1, 0);
    if (rc <= 0) return std::string{};
    char buffer[4096];
    const ssize_t n = ::recv(clientFd_, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) return std::string(buffer, static_cast<std::size_t>(n));
    if (n == 0) return std::nullopt;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::string{};
    return std::nullopt;
}

GdbEnd GdbServer::serveClient(std::optional<DebugStop> initialStop) {
    if (clientFd_ < 0) return GdbEnd::Disconnected;
    sendFailed_ = false;
    std::int64_t lastPoll = 0;
    GdbSession session(
        target_,
        [this](std::string_view bytes) {
            if (!sendFailed_ && !sendAll(bytes)) sendFailed_ = true;
        },
        [this, &lastPoll]() -> std::optional<std::string> {
            if (sendFailed_) return std::nullopt;
            // Polled by the running target: one poll(2) per millisecond of wall time at most.
            const std::int64_t now = nowNs();
            if (now - lastPoll < 1'000'000) return std::string{};
            lastPoll = now;
            return readAvailable();
        },
        options_);
    if (initialStop) session.setLastStop(*initialStop);

    GdbEnd end = GdbEnd::Disconnected;
    char buffer[4096];
    while (true) {
        if (auto e = session.end()) {
            end = *e;
            break;
        }
        if (sendFailed_) break;
        pollfd p{clientFd_, POLLIN, 0};
        const int rc = ::poll(&p, 1, -1);
        if (rc < 0) {
            if (errno == EINTR) continue;
            break;
        }
        const ssize_t n = ::recv(clientFd_, buffer, sizeof buffer, 0);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
            break;
        }
        session.receive(std::string_view(buffer, static_cast<std::size_t>(n)));
    }
    log(fmt::format("gdb client {}", toString(end)));
    if (end == GdbEnd::Disconnected) closeClient();
    else closeClientGracefully();
    return end;
}

GdbEnd GdbServer::run() {
    if (!acceptClient(-1)) return GdbEnd::Disconnected;
    return serveClient();
}

void GdbServer::closeClientGracefully() {
    if (clientFd_ < 0) return;
    // Flush our last reply and let gdb close first: closing with unread input would
    // reset the connection and could destroy the reply in flight.
    ::shutdown(clientFd_, SHUT_WR);
    const std::int64_t deadline = nowNs() + 500'000'000;
    char buffer[512];
    while (true) {
        const std::int64_t left = deadline - nowNs();
        if (left <= 0) break;
        pollfd p{clientFd_, POLLIN, 0};
        const int rc = ::poll(&p, 1, static_cast<int>((left + 999'999) / 1'000'000));
        if (rc < 0 && errno == EINTR) continue;
        if (rc <= 0) break;
        const ssize_t n = ::recv(clientFd_, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n == 0) break;
        if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) break;
    }
    closeClient();
}

void GdbServer::closeClient() {
    if (clientFd_ >= 0) {
        ::close(clientFd_);
        clientFd_ = -1;
    }
}

void GdbServer::close() {
    closeClient();
    if (listenFd_ >= 0) {
        ::close(listenFd_);
        listenFd_ = -1;
    }
    listenPending_ = false;
}

}  // namespace cmsim
