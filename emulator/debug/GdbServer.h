#pragma once
// gdb remote serial protocol server for a DebugTarget.
//
// Two layers:
//  - GdbSession: the protocol state machine of one connection. Pure: bytes from the
//    client go in (receive), bytes for the client come out through a writer callback; no
//    sockets, so it is unit-testable. While the target runs (c / s / vCont), it polls a
//    reader callback for the 0x03 interrupt byte and for a closed connection.
//  - GdbServer: the POSIX TCP transport. Listens on host:port (one client at a time),
//    accepts, and runs a GdbSession on the connection until gdb detaches or kills, the
//    program exits, or the connection drops.
//
// Typical use by the CLI (`--gdb :3333 [--gdb-wait]`):
//
//     GdbServer server(target, *parseGdbAddress(":3333"));
//     server.listen();                          // throws InputError if it cannot bind
//     // --gdb-wait: block until gdb connects, then debug from the reset state
//     server.acceptClient(-1);
//     GdbEnd end = server.serveClient();        // returns on D / k / exit / disconnect
//
//     // without --gdb-wait: run free, letting a connecting gdb halt the machine
//     DebugStop stop = target.resume(false, [&] { return server.clientWaiting(); });
//     if (stop.kind == DebugStop::Kind::Interrupted && server.acceptClient(0))
//         end = server.serveClient(stop);       // `?` then reports T02
//
// After Detached the target should resume without a debugger (gdb expects the program to
// keep running); after Killed the run ends; after Exited the run has ended. No output goes
// to stdout: the emulator owns it. Diagnostics go to the optional log callback.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "debug/DebugTarget.h"
#include "debug/RspPacket.h"

namespace cmsim {

// Why a gdb connection ended.
enum class GdbEnd {
    Detached,      // `D`: the target should continue without the debugger
    Killed,        // `k`: gdb asked to kill the program
    Exited,        // the target reported Finished; gdb was told `W00`
    Disconnected,  // the client went away without D or k
};
// "detached", "killed", "exited", "disconnected".
const char* toString(GdbEnd end);

struct GdbSessionOptions {
    // Largest packet accepted from gdb; advertised as PacketSize. Memory reads (`m`) are
    // limited to half of it so the hex reply fits the same size.
    std::size_t maxPacketSize = rsp::kMaxPacketSize;
    // Run-length encode replies (`0*"` for `000000`), as gdbserver does.
    bool runLengthEncode = true;
    // Debug trace: one line per packet / connection event. Never printed by default.
    std::function<void(std::string_view)> log;
};

class GdbSession {
public:
    // Sends bytes to the client. Called with acks and replies; may be empty (then output
    // accumulates and takeOutput() returns it).
    using Writer = std::function<void(std::string_view bytes)>;
    // Non-blocking read of whatever the client sent: some bytes (possibly none), or
    // nullopt once the connection is closed. Called only while the target runs.
    using Reader = std::function<std::optional<std::string>()>;

    GdbSession(DebugTarget& target, Writer write = {}, Reader pollWhileRunning = {},
               GdbSessionOptions options = {});

    // Feeds bytes received from the client: acknowledges, handles complete packets
    // (resuming the target for c/s), writes the replies. Ignored once ended.
    void receive(std::string_view bytes);

    // Set when the session is over (D, k, exit, or the reader reported a closed
    // connection while the target ran).
    std::optional<GdbEnd> end() const { return end_; }

    // Handles one packet payload (unframed) and returns the reply payloads in order, each
    // to be sent as its own packet: usually one; console output packets (`O...`) come
    // before the final reply; none for `k` or when the connection dropped while running.
    // An empty string is the "unsupported" reply.
    std::vector<std::string> handle(std::string_view payload);

    // What `?` reports until the target stops: T05 (SIGTRAP) unless set here.
    void setLastStop(const DebugStop& stop);
    const std::string& lastStopReply() const { return lastStop_; }

    // Output not yet passed to the writer (everything, when there is no writer).
    std::string takeOutput() { return channel_.takeOutput(); }
    bool noAckMode() const { return channel_.noAck(); }

    // The remote register number gdb uses for target register index i (from the regnum
    // attributes of the target XML; the index itself when there are none).
    unsigned remoteRegisterNumber(unsigned index) const { return regs_.at(index).remote; }

private:
    struct RegInfo {
        unsigned remote = 0;  // number in p/P packets, order in g/G
        unsigned size = 0;
        std::string name;
    };

    void flush();
    void log(std::string_view what, std::string_view payload) const;
    bool pollInterrupt();
    std::optional<unsigned> registerIndex(std::uint64_t remote) const;
    std::string readRegisterHex(unsigned index);

    std::vector<std::string> resume(bool step, std::optional<std::uint32_t> address);
    std::vector<std::string> stopReplies(const DebugStop& stop);
    std::string query(std::string_view payload);
    std::string readAllRegisters();
    std::string writeAllRegisters(std::string_view hex);
    std::string readOneRegister(std::string_view args);
    std::string writeOneRegister(std::string_view args);
    std::string readMemory(std::string_view args);
    std::string writeMemory(std::string_view args, bool binary);
    std::string breakpoint(std::string_view payload);
    std::vector<std::string> vCont(std::string_view actions);
    std::string xferFeatures(std::string_view args);
    std::vector<std::string> monitor(std::string_view hexCommand);
    std::vector<std::string> consoleOutput(std::string_view text) const;

    DebugTarget& target_;
    Writer write_;
    Reader read_;
    GdbSessionOptions options_;
    rsp::Channel channel_;
    std::vector<RegInfo> regs_;          // by target index
    std::vector<unsigned> gOrder_;       // target indices in ascending remote number
    std::optional<unsigned> pcIndex_;    // for `c addr` / `s addr`
    std::string lastStop_ = "T05";
    bool clientSwbreak_ = false;
    bool clientHwbreak_ = false;
    bool enterNoAck_ = false;
    bool disconnected_ = false;
    std::optional<GdbEnd> end_;
};

struct GdbAddress {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: any free port (see GdbServer::port())
};
// Parses the --gdb argument: "3333", ":3333", "host:3333", "0.0.0.0:3333",
// "[::1]:3333". The host defaults to 127.0.0.1. nullopt on bad syntax or port > 65535.
std::optional<GdbAddress> parseGdbAddress(std::string_view text);

class GdbServer {
public:
    GdbServer(DebugTarget& target, GdbAddress address, GdbSessionOptions options = {});
    ~GdbServer();
    GdbServer(const GdbServer&) = delete;
    GdbServer& operator=(const GdbServer&) = delete;

    // Binds (SO_REUSEADDR) and listens. Throws InputError when the address does not
    // resolve or cannot be bound (e.g. the port is in use).
    void listen();
    bool listening() const { return listenFd_ >= 0; }
    // The port actually bound (the chosen one when 0 was requested). 0 before listen().
    std::uint16_t port() const;
    // "127.0.0.1:3333", for messages.
    std::string endpoint() const;

    // Non-blocking: true when a client is waiting to be accepted (also true if one is
    // already connected). Cheap enough for a resume() interrupt callback: the poll(2) is
    // rate-limited to once per millisecond of wall time.
    bool clientWaiting();
    // Accepts one client, waiting up to timeoutMs (-1: forever, 0: don't wait). True when
    // a client is connected (including one accepted earlier).
    bool acceptClient(int timeoutMs = -1);
    bool hasClient() const { return clientFd_ >= 0; }

    // Serves the connected client until the session ends, then closes the connection
    // (gracefully: our last reply is flushed and the client's close awaited briefly).
    // `initialStop` is what `?` reports first (T05 if not given). Returns Disconnected at
    // once if no client is connected.
    GdbEnd serveClient(std::optional<DebugStop> initialStop = std::nullopt);
    // acceptClient(-1) then serveClient().
    GdbEnd run();

    void closeClient();
    void close();  // client and listening socket

private:
    void log(const std::string& line) const;
    bool sendAll(std::string_view bytes);
    std::optional<std::string> readAvailable();
    void closeClientGracefully();

    DebugTarget& target_;
    GdbAddress address_;
    GdbSessionOptions options_;
    int listenFd_ = -1;
    int clientFd_ = -1;
    bool sendFailed_ = false;
    std::int64_t lastListenPollNs_ = 0;
    bool listenPending_ = false;
};

}  // namespace cmsim
