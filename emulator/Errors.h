#pragma once
// Exceptions that cross the library boundary, each mapped to one CLI exit code:
// InputError -> 2 (bad file, bad board, bad option), FirmwareFault -> 3.
#include <stdexcept>
#include <string>

namespace cmsim {

struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace cmsim
