// Fuzz target: the firmware ELF loader (ElfImage::fromBytes), then loading the image into
// each board's memory map and the power-on reset from its vector table (Machine::load,
// Machine::powerOnReset) -- everything `cmsim FILE.elf --board B` does with the file before
// the first instruction runs.
//
// Contract checked: arbitrary bytes give either an image that satisfies ElfImage.h's
// guarantees, or an InputError whose message starts with the file's name. Any other
// exception, a crash or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ElfImage.h"
#include "Errors.h"
#include "FuzzCheck.h"
#include "Machine.h"
#include "boards/Boards.h"

namespace {

constexpr std::string_view kName = "fuzz.elf";

bool startsWith(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

void checkImage(const cmsim::ElfImage& image, std::size_t fileSize) {
    FUZZ_CHECK(image.displayName() == kName);
    const auto& segments = image.segments();
    FUZZ_CHECK(!segments.empty());
    for (const auto& s : segments) {
        FUZZ_CHECK(!s.bytes.empty());
        FUZZ_CHECK(s.bytes.size() <= s.memSize);
        FUZZ_CHECK(std::uint64_t{s.address} + s.bytes.size() <= (std::uint64_t{1} << 32));
        FUZZ_CHECK(std::uint64_t{s.vaddr} + s.memSize <= (std::uint64_t{1} << 32));
        FUZZ_CHECK(s.bytes.size() <= fileSize);
    }
    // Load ranges do not overlap (checked pairwise: the images here have few segments).
    for (std::size_t i = 0; i < segments.size() && i < 64; ++i) {
        for (std::size_t j = i + 1; j < segments.size() && j < 64; ++j) {
            const std::uint64_t a0 = segments[i].address, a1 = a0 + segments[i].bytes.size();
            const std::uint64_t b0 = segments[j].address, b1 = b0 + segments[j].bytes.size();
            FUZZ_CHECK(a1 <= b0 || b1 <= a0);
        }
    }
    if (image.cpuArchProfile()) FUZZ_CHECK(*image.cpuArchProfile() == 'M');
    (void)image.isArmv7mOrLater();
    for (const char* section : {".isr_vector", ".text", ".data", ".bss", ".ARM.attributes", ""}) {
        if (const auto bytes = image.sectionBytes(section)) FUZZ_CHECK(bytes->size() <= fileSize);
        (void)image.sectionAddress(section);
    }
    const cmsim::SymbolTable& symbols = image.symbols();
    for (const auto& s : symbols.all()) FUZZ_CHECK(!s.name.empty());
    (void)symbols.byName("main");
    (void)symbols.describe(image.entry());
    (void)symbols.describe(image.entry() & ~1u);
    (void)symbols.containing(0x20000000);
}

// One machine per board, built once: a machine is far more expensive than a parse. Loading
// into a used machine is what a system reset after a reload would see; good enough here.
std::vector<std::unique_ptr<cmsim::Machine>>& machines() {
    static std::vector<std::unique_ptr<cmsim::Machine>> all = [] {
        std::vector<std::unique_ptr<cmsim::Machine>> m;
        for (const auto id : cmsim::boardIds()) {
            m.push_back(std::make_unique<cmsim::Machine>(*cmsim::findBoard(id)));
        }
        return m;
    }();
    return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::uint8_t> bytes(data, data + size);
    std::unique_ptr<cmsim::ElfImage> image;
    try {
        image = std::make_unique<cmsim::ElfImage>(cmsim::ElfImage::fromBytes(std::move(bytes), std::string(kName)));
    } catch (const cmsim::InputError& e) {
        const std::string_view message = e.what();
        FUZZ_CHECK_MSG(startsWith(message, std::string(kName) + ": "), "message: %s", e.what());
        return 0;
    }
    checkImage(*image, size);
    for (auto& machine : machines()) {
        try {
            machine->load(*image);
            machine->powerOnReset();
        } catch (const cmsim::InputError&) {
            // Does not fit the board or no usable vector table: exit code 2 in the CLI.
        }
    }
    return 0;
}
