#include "Unicorn.h"

#include <fmt/format.h>

namespace cmsim {

Unicorn::Unicorn(uc_cpu_arm model) {
    // UC_MODE_MCLASS is deliberately not used: it forces a Cortex-M33 whatever model is
    // set (see shared UNICORN.md).
    check(uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &uc_), "uc_open");
    const uc_err err = uc_ctl_set_cpu_model(uc_, static_cast<int>(model));
    if (err != UC_ERR_OK) {
        uc_close(uc_);
        uc_ = nullptr;
        check(err, "uc_ctl_set_cpu_model");
    }
    // Without an exits list, uc_emu_start(until = 0) would stop code that runs at
    // address 0, the boot alias of flash.
    uc_ctl_exits_enable(uc_);
}

Unicorn::~Unicorn() {
    if (uc_ != nullptr) uc_close(uc_);
}

void Unicorn::check(uc_err err, const std::string& what) {
    if (err != UC_ERR_OK) {
        throw UnicornError(fmt::format("{}: {} (unicorn error {})", what, uc_strerror(err),
                                       static_cast<int>(err)));
    }
}

}  // namespace cmsim
