#pragma once
// Source file and line of a code address, from the ELF's DWARF line table (elfutils
// libdw). Empty answers when the ELF has no debug info.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace cmsim {

class SourceLines {
public:
    explicit SourceLines(const std::filesystem::path& elf);
    ~SourceLines();
    SourceLines(const SourceLines&) = delete;
    SourceLines& operator=(const SourceLines&) = delete;

    // "main.c:23" (file name without directories), or "" when unknown.
    std::string lookup(std::uint32_t address) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cmsim
