#include "SourceLines.h"

#include <elfutils/libdw.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

namespace cmsim {

struct SourceLines::Impl {
    int fd = -1;
    Dwarf* dwarf = nullptr;
    ~Impl() {
        if (dwarf != nullptr) dwarf_end(dwarf);
        if (fd >= 0) ::close(fd);
    }
};

SourceLines::SourceLines(const std::filesystem::path& elf) : impl_(std::make_unique<Impl>()) {
    impl_->fd = ::open(elf.c_str(), O_RDONLY | O_CLOEXEC);
    if (impl_->fd >= 0) impl_->dwarf = dwarf_begin(impl_->fd, DWARF_C_READ);
}

SourceLines::~SourceLines() = default;

std::string SourceLines::lookup(std::uint32_t address) const {
    if (impl_->dwarf == nullptr) return {};
    Dwarf_Die cu;
    if (dwarf_addrdie(impl_->dwarf, address & ~1u, &cu) == nullptr) return {};
    Dwarf_Line* line = dwarf_getsrc_die(&cu, address & ~1u);
    if (line == nullptr) return {};
    const char* file = dwarf_linesrc(line, nullptr, nullptr);
    int lineNo = 0;
    if (file == nullptr || dwarf_lineno(line, &lineNo) != 0) return {};
    return fmt::format("{}:{}", std::filesystem::path(file).filename().string(), lineNo);
}

}  // namespace cmsim
