#pragma once
// RAII ownership of one Unicorn engine and checked register access. Every Unicorn call
// in cmsim goes through here or through a handle obtained from it.
#include <unicorn/unicorn.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace cmsim {

struct UnicornError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Unicorn {
public:
    explicit Unicorn(uc_cpu_arm model);
    ~Unicorn();
    Unicorn(const Unicorn&) = delete;
    Unicorn& operator=(const Unicorn&) = delete;

    uc_engine* get() const { return uc_; }

    std::uint32_t reg(int id) const {
        std::uint32_t v = 0;
        uc_reg_read(uc_, id, &v);
        return v;
    }
    void setReg(int id, std::uint32_t v) { uc_reg_write(uc_, id, &v); }

    // Throws UnicornError naming `what` when err is not UC_ERR_OK.
    static void check(uc_err err, const std::string& what);

    bool readMemory(std::uint32_t address, void* out, std::size_t size) const {
        return uc_mem_read(uc_, address, out, size) == UC_ERR_OK;
    }
    bool writeMemory(std::uint32_t address, const void* in, std::size_t size) {
        return uc_mem_write(uc_, address, in, size) == UC_ERR_OK;
    }

private:
    uc_engine* uc_ = nullptr;
};

}  // namespace cmsim
