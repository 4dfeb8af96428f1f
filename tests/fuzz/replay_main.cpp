// Replays saved inputs through a fuzz target's LLVMFuzzerTestOneInput, without libFuzzer:
// the ctest `fuzz` layer. Arguments are files or directories (read recursively, in name
// order; dot files and README.md are skipped; a missing directory counts as empty). A
// crash, a sanitizer report or a failed FUZZ_CHECK ends the process; the last "replay:"
// line on stderr names the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool skipped(const std::filesystem::path& p) {
    const std::string name = p.filename().string();
    return name.empty() || name[0] == '.' || name == "README.md";
}

}  // namespace

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    std::vector<fs::path> inputs;
    for (int i = 1; i < argc; ++i) {
        const fs::path arg(argv[i]);
        std::error_code ec;
        if (fs::is_directory(arg, ec)) {
            for (const auto& entry : fs::recursive_directory_iterator(arg)) {
                if (entry.is_regular_file() && !skipped(entry.path())) inputs.push_back(entry.path());
            }
        } else if (fs::exists(arg, ec)) {
            inputs.push_back(arg);
        } else {
            // A target's regressions directory exists only once it has a crasher (git keeps
            // no empty directories).
            std::fprintf(stderr, "replay: %s: not there, nothing to replay\n", argv[i]);
        }
    }
    std::sort(inputs.begin(), inputs.end());
    for (const auto& path : inputs) {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "replay: %s: cannot read\n", path.c_str());
            return 2;
        }
        const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.c_str(), bytes.size());
        std::fflush(stderr);
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    std::printf("replayed %zu inputs, no crash\n", inputs.size());
    return 0;
}
