#include "Semihosting.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace cmsim {

namespace {
// Operation numbers (semihosting v2, table 5-1).
enum Op : std::uint32_t {
    kOpen = 0x01, kClose = 0x02, kWriteC = 0x03, kWrite0 = 0x04, kWrite = 0x05, kRead = 0x06,
    kReadC = 0x07, kIsError = 0x08, kIsTty = 0x09, kSeek = 0x0A, kFlen = 0x0C, kTmpnam = 0x0D,
    kRemove = 0x0E, kRename = 0x0F, kClock = 0x10, kTime = 0x11, kSystem = 0x12, kErrno = 0x13,
    kGetCmdline = 0x15, kHeapInfo = 0x16, kExit = 0x18, kExitExtended = 0x20, kElapsed = 0x30,
    kTickFreq = 0x31,
};
constexpr std::uint32_t kMaxTransfer = 1u << 20;  // bytes per read/write call
// ":semihosting-features": magic "SHFB" and one byte of feature bits:
// bit 0 SH_EXT_EXIT_EXTENDED, bit 1 SH_EXT_STDOUT_STDERR.
constexpr std::uint8_t kFeatures[] = {'S', 'H', 'F', 'B', 0x03};
constexpr std::uint64_t kTicksPerSecond = 1'000'000'000;  // SYS_ELAPSED counts simulated ns
}  // namespace

struct Semihosting::Handle {
    enum Kind { Stdin, Stdout, Stderr, Features, File } kind;
    std::fstream file;
    std::uint64_t pos = 0;  // for the features file
};

Semihosting::Semihosting(Unicorn& uc, Bus& bus, TimeBase& time, Signals& signals,
                         SemihostingConfig config)
    : uc_(uc), bus_(bus), time_(time), signals_(signals), cfg_(std::move(config)),
      startCycle_(time.now()) {}

Semihosting::~Semihosting() = default;

std::optional<std::vector<std::uint8_t>> Semihosting::readGuest(std::uint32_t addr,
                                                                std::uint32_t len) const {
    if (len > kMaxTransfer || std::uint64_t{addr} + len > 0x100000000ULL) return std::nullopt;
    std::vector<std::uint8_t> out(len);
    if (len == 0) return out;
    // Only memory (not peripherals): reading registers as a side effect of a host call
    // would be surprising.
    const std::uint8_t* p = bus_.hostPointer(addr, len);
    if (p == nullptr) return std::nullopt;
    std::memcpy(out.data(), p, len);
    return out;
}

bool Semihosting::writeGuest(std::uint32_t addr, const void* data, std::uint32_t len) {
    if (len == 0) return true;
    if (std::uint64_t{addr} + len > 0x100000000ULL) return false;
    const MemoryRegion* r = bus_.regionAt(addr);
    if (r == nullptr || r->kind != RegionKind::Ram) return false;  // never into flash
    std::uint8_t* p = bus_.hostPointer(addr, len);
    if (p == nullptr) return false;
    std::memcpy(p, data, len);
    return true;
}

std::optional<std::uint32_t> Semihosting::word(std::uint32_t addr) const {
    const auto b = readGuest(addr, 4);
    if (!b) return std::nullopt;
    std::uint32_t v;
    std::memcpy(&v, b->data(), 4);
    return v;
}

std::optional<std::string> Semihosting::guestString(std::uint32_t addr, std::uint32_t maxLen) const {
    std::string s;
    for (std::uint32_t i = 0; i < maxLen; ++i) {
        const std::uint8_t* p = bus_.hostPointer(addr + i, 1);
        if (p == nullptr) return std::nullopt;
        if (*p == 0) return s;
        s.push_back(static_cast<char>(*p));
    }
    return std::nullopt;  // unterminated within the limit
}

void Semihosting::emit(const std::string& channel, std::string text) {
    signals_.output.publish(OutputText{time_.now(), time_.nowPicoseconds(), channel, std::move(text)});
}

std::uint32_t Semihosting::openHostFile(const std::string& name, std::uint32_t mode) {
    if (!cfg_.root) return fail(EACCES);  // host files are off by default
    const std::filesystem::path rel(name);
    if (rel.is_absolute() || name.empty()) return fail(EACCES);
    for (const auto& part : rel) {
        if (part == "..") return fail(EACCES);
    }
    const std::filesystem::path full = *cfg_.root / rel;
    // Modes 0-11 as fopen's r, rb, r+, r+b, w, wb, w+, w+b, a, ab, a+, a+b.
    static constexpr std::ios::openmode kModes[] = {
        std::ios::in, std::ios::in, std::ios::in | std::ios::out, std::ios::in | std::ios::out,
        std::ios::out | std::ios::trunc, std::ios::out | std::ios::trunc,
        std::ios::in | std::ios::out | std::ios::trunc, std::ios::in | std::ios::out | std::ios::trunc,
        std::ios::out | std::ios::app, std::ios::out | std::ios::app,
        std::ios::in | std::ios::out | std::ios::app, std::ios::in | std::ios::out | std::ios::app};
    // Symbolic links out of the root are refused too.
    std::error_code ec;
    const auto canonicalRoot = std::filesystem::weakly_canonical(*cfg_.root, ec);
    const auto canonical = std::filesystem::weakly_canonical(full, ec);
    const auto [rootEnd, _] = std::mismatch(canonicalRoot.begin(), canonicalRoot.end(), canonical.begin(),
                                            canonical.end());
    if (ec || rootEnd != canonicalRoot.end()) return fail(EACCES);
    auto h = std::make_unique<Handle>();
    h->kind = Handle::File;
    h->file.open(full, kModes[mode] | std::ios::binary);
    if (!h->file.is_open()) return fail(ENOENT);
    const std::uint32_t id = nextHandle_++;
    handles_[id] = std::move(h);
    return id;
}

std::uint32_t Semihosting::open(std::uint32_t block) {
    const auto namePtr = word(block), mode = word(block + 4), len = word(block + 8);
    if (!namePtr || !mode || !len || *mode > 11 || *len > 4096) return fail(EINVAL);
    const auto bytes = readGuest(*namePtr, *len);
    if (!bytes) return fail(EFAULT);
    const std::string name(bytes->begin(), bytes->end());
    auto h = std::make_unique<Handle>();
    if (name == ":tt") {
        // v2 §5.1.1: ":tt" read is stdin, write is stdout, append is stderr.
        h->kind = *mode < 4 ? Handle::Stdin : *mode < 8 ? Handle::Stdout : Handle::Stderr;
    } else if (name == ":semihosting-features") {
        if (*mode > 1) return fail(EACCES);
        h->kind = Handle::Features;
    } else {
        return openHostFile(name, *mode);
    }
    const std::uint32_t id = nextHandle_++;
    handles_[id] = std::move(h);
    return id;
}

std::optional<int> Semihosting::handle() {
    std::optional<int> exitCode;
    const std::uint32_t r0 = call(uc_.reg(UC_ARM_REG_R0), uc_.reg(UC_ARM_REG_R1), &exitCode);
    uc_.setReg(UC_ARM_REG_R0, r0);
    return exitCode;
}

std::uint32_t Semihosting::call(std::uint32_t op, std::uint32_t arg, std::optional<int>* exitCode) {
    auto handleOf = [this](std::optional<std::uint32_t> id) -> Handle* {
        if (!id) return nullptr;
        auto it = handles_.find(*id);
        return it == handles_.end() ? nullptr : it->second.get();
    };
    switch (op) {
        case kOpen: return open(arg);
        case kClose: {
            const auto id = word(arg);
            if (!id || handles_.erase(*id) == 0) return fail(EBADF);
            return 0;
        }
        case kWriteC: {
            const auto c = readGuest(arg, 1);
            if (!c) return fail(EFAULT);
            emit("semihosting:stdout", std::string(1, static_cast<char>((*c)[0])));
            return 0;
        }
        case kWrite0: {
            const auto s = guestString(arg, kMaxTransfer);
            if (!s) return fail(EFAULT);
            emit("semihosting:stdout", *s);
            return 0;
        }
        case kWrite: {
            Handle* h = handleOf(word(arg));
            const auto buf = word(arg + 4), len = word(arg + 8);
            if (h == nullptr || !buf || !len) return fail(EBADF);
            const auto data = readGuest(*buf, *len);
            if (!data) return fail(EFAULT);
            switch (h->kind) {
                case Handle::Stdout: emit("semihosting:stdout", std::string(data->begin(), data->end())); break;
                case Handle::Stderr: emit("semihosting:stderr", std::string(data->begin(), data->end())); break;
                case Handle::File:
                    h->file.write(reinterpret_cast<const char*>(data->data()), static_cast<std::streamsize>(data->size()));
                    if (!h->file) return *len;
                    break;
                default: return *len;  // not writable: nothing written
            }
            return 0;  // bytes NOT written
        }
        case kRead: {
            Handle* h = handleOf(word(arg));
            const auto buf = word(arg + 4), len = word(arg + 8);
            if (h == nullptr || !buf || !len || *len > kMaxTransfer) return fail(EBADF);
            // The whole buffer must be RAM before anything is consumed (stdin, file position).
            const MemoryRegion* dest = bus_.regionAt(*buf);
            if (*len != 0 && (dest == nullptr || dest->kind != RegionKind::Ram ||
                              std::uint64_t{*buf} + *len > 0x100000000ULL ||
                              bus_.hostPointer(*buf, *len) == nullptr)) {
                return fail(EFAULT);
            }
            std::vector<std::uint8_t> data;
            if (h->kind == Handle::Stdin) {
                const std::size_t n = std::min<std::size_t>(*len, cfg_.stdinText.size() - stdinPos_);
                data.assign(cfg_.stdinText.begin() + static_cast<std::ptrdiff_t>(stdinPos_),
                            cfg_.stdinText.begin() + static_cast<std::ptrdiff_t>(stdinPos_ + n));
                stdinPos_ += n;
            } else if (h->kind == Handle::Features) {
                // A SEEK may have put the position past the end: nothing left to read.
                const std::size_t at = static_cast<std::size_t>(std::min<std::uint64_t>(h->pos, sizeof kFeatures));
                const std::size_t n = std::min<std::size_t>(*len, sizeof kFeatures - at);
                data.assign(kFeatures + at, kFeatures + at + n);
                h->pos = at + n;
            } else if (h->kind == Handle::File) {
                data.resize(*len);
                h->file.read(reinterpret_cast<char*>(data.data()), *len);
                data.resize(static_cast<std::size_t>(h->file.gcount()));
                h->file.clear();
            } else {
                return *len;
            }
            if (!writeGuest(*buf, data.data(), static_cast<std::uint32_t>(data.size()))) return fail(EFAULT);
            return *len - static_cast<std::uint32_t>(data.size());  // bytes NOT read
        }
        case kReadC:
            if (stdinPos_ < cfg_.stdinText.size()) return static_cast<std::uint8_t>(cfg_.stdinText[stdinPos_++]);
            return fail(EIO);
        case kIsError: {
            const auto status = word(arg);
            return status && static_cast<std::int32_t>(*status) < 0 ? 1 : 0;
        }
        case kIsTty: {
            Handle* h = handleOf(word(arg));
            if (h == nullptr) return fail(EBADF);
            return h->kind == Handle::Stdin || h->kind == Handle::Stdout || h->kind == Handle::Stderr ? 1 : 0;
        }
        case kSeek: {
            Handle* h = handleOf(word(arg));
            const auto pos = word(arg + 4);
            if (h == nullptr || !pos) return fail(EBADF);
            if (h->kind == Handle::Features) {
                h->pos = *pos;
                return 0;
            }
            if (h->kind != Handle::File) return fail(EINVAL);
            h->file.clear();
            h->file.seekg(*pos);
            h->file.seekp(*pos);
            return h->file ? 0 : fail(EINVAL);
        }
        case kFlen: {
            Handle* h = handleOf(word(arg));
            if (h == nullptr) return fail(EBADF);
            if (h->kind == Handle::Features) return sizeof kFeatures;
            if (h->kind != Handle::File) return 0;
            const auto here = h->file.tellg();
            h->file.seekg(0, std::ios::end);
            const auto size = h->file.tellg();
            h->file.seekg(here);
            return static_cast<std::uint32_t>(size);
        }
        case kTmpnam:
        case kRemove:
        case kRename:
        case kSystem: return fail(EACCES);  // no host side effects
        case kClock: {
            // Centiseconds of simulated time since the start.
            return static_cast<std::uint32_t>((time_.nowPicoseconds() - time_.toPicoseconds(startCycle_)) /
                                              10'000'000'000ULL);
        }
        case kTime: return static_cast<std::uint32_t>(time_.nowPicoseconds() / 1'000'000'000'000ULL);
        case kErrno: return static_cast<std::uint32_t>(errno_);
        case kGetCmdline: {
            const auto buf = word(arg), len = word(arg + 4);
            if (!buf || !len) return fail(EFAULT);
            const std::string& c = cfg_.commandLine;
            if (c.size() + 1 > *len) return fail(EINVAL);
            if (!writeGuest(*buf, c.c_str(), static_cast<std::uint32_t>(c.size() + 1))) return fail(EFAULT);
            const auto n = static_cast<std::uint32_t>(c.size());
            if (!writeGuest(arg + 4, &n, 4)) return fail(EFAULT);
            return 0;
        }
        case kHeapInfo: {
            // R1 points to a word holding the address of a 4-word block.
            const auto block = word(arg);
            const std::uint32_t info[4] = {cfg_.heapBase, cfg_.heapLimit, cfg_.stackBase, cfg_.stackLimit};
            if (!block || !writeGuest(*block, info, sizeof info)) return fail(EFAULT);
            return 0;
        }
        case kExit: {
            // AArch32: R1 is the reason itself. Only ApplicationExit is a clean exit.
            if (exitCode) *exitCode = arg == kAdpStoppedApplicationExit ? 0 : 1;
            return 0;
        }
        case kExitExtended: {
            const auto reason = word(arg), code = word(arg + 4);
            if (!reason || !code) return fail(EFAULT);
            if (exitCode) {
                *exitCode = *reason == kAdpStoppedApplicationExit ? static_cast<int>(*code) : 1;
            }
            return 0;
        }
        case kElapsed: {
            const std::uint64_t ns = time_.nowPicoseconds() / 1000;
            if (!writeGuest(arg, &ns, 8)) return fail(EFAULT);
            return 0;
        }
        case kTickFreq: return static_cast<std::uint32_t>(kTicksPerSecond);
        default: return fail(ENOSYS);
    }
}

}  // namespace cmsim
