#pragma once
// ARM semihosting (specification v2, "Semihosting for AArch32 and AArch64"), entered by
// BKPT 0xAB on M-profile: R0 = operation, R1 = argument (usually a parameter block),
// result in R0.
//
// The firmware is untrusted: every guest pointer and length is checked against mapped
// memory before use, and host files are off unless --semihosting-root names a directory;
// below it, absolute paths and ".." are refused. The console (":tt") and the
// ":semihosting-features" magic file always work.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "Bus.h"
#include "Signals.h"
#include "TimeBase.h"
#include "Unicorn.h"

namespace cmsim {

struct SemihostingConfig {
    std::optional<std::filesystem::path> root;  // host files allowed below this directory
    std::string commandLine;                    // SYS_GET_CMDLINE (--args)
    std::string stdinText;                      // what SYS_READ/SYS_READC on :tt return
    // SYS_HEAPINFO: from the ELF's `end` symbol and the initial MSP.
    std::uint32_t heapBase = 0, heapLimit = 0, stackBase = 0, stackLimit = 0;
};

class Semihosting {
public:
    Semihosting(Unicorn& uc, Bus& bus, TimeBase& time, Signals& signals, SemihostingConfig config);
    ~Semihosting();

    // Performs the operation in R0/R1 and writes R0. Returns the firmware's exit code
    // when it asked to exit (SYS_EXIT, SYS_EXIT_EXTENDED).
    std::optional<int> handle();

    // For tests: the operation with explicit operands; returns R0.
    std::uint32_t call(std::uint32_t op, std::uint32_t arg, std::optional<int>* exitCode = nullptr);

    static constexpr std::uint32_t kAdpStoppedApplicationExit = 0x20026;

private:
    struct Handle;
    std::optional<std::vector<std::uint8_t>> readGuest(std::uint32_t addr, std::uint32_t len) const;
    bool writeGuest(std::uint32_t addr, const void* data, std::uint32_t len);
    std::optional<std::uint32_t> word(std::uint32_t addr) const;
    std::optional<std::string> guestString(std::uint32_t addr, std::uint32_t maxLen) const;
    void emit(const std::string& channel, std::string text);
    std::uint32_t fail(int err) {
        errno_ = err;
        return 0xFFFFFFFFu;
    }
    std::uint32_t open(std::uint32_t block);
    std::uint32_t openHostFile(const std::string& name, std::uint32_t mode);

    Unicorn& uc_;
    Bus& bus_;
    TimeBase& time_;
    Signals& signals_;
    SemihostingConfig cfg_;
    std::map<std::uint32_t, std::unique_ptr<Handle>> handles_;
    std::uint32_t nextHandle_ = 1;
    int errno_ = 0;
    std::size_t stdinPos_ = 0;
    Cycles startCycle_;
};

}  // namespace cmsim
