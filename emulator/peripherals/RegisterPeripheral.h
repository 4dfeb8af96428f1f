#pragma once
// A peripheral whose registers are declared as data (the Renode pattern, reduced): each
// register is one RegisterSpec; the base class stores values, applies write masks and
// access modes, handles byte and halfword accesses by lanes, and reports accesses to
// offsets with no register. Models add behaviour in onRead/onWrite only.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "Peripheral.h"

namespace cmsim {

enum class Access : std::uint8_t {
    ReadWrite,
    ReadOnly,         // writes are a firmware mistake and are ignored
    WriteOnly,        // reads return 0 (e.g. GPIO BSRR)
    WriteOneToClear,  // writing 1 to a bit clears it
};

// A named field of a register, for traces: one bit (listed by name when set) or several
// (shown as NAME=value).
struct FieldSpec {
    std::string_view name;
    std::uint8_t lsb;
    std::uint8_t width = 1;
};

struct RegisterSpec {
    std::uint32_t offset;
    std::string_view name;
    std::uint32_t resetValue;
    // Bits the firmware can change by writing (reserved and read-only bits are 0).
    std::uint32_t writableMask;
    Access access = Access::ReadWrite;
    std::span<const FieldSpec> fields = {};
};

class RegisterPeripheral : public Peripheral {
public:
    RegisterPeripheral(std::string name, std::uint32_t sizeBytes, PeripheralContext& ctx,
                       std::span<const RegisterSpec> registers);

    void reset() override;
    std::uint32_t read(std::uint32_t offset, unsigned width) override;
    void write(std::uint32_t offset, unsigned width, std::uint32_t value) override;
    std::string_view registerName(std::uint32_t offset) const override;
    // From the register's field table: set one-bit fields by name, wider fields as
    // NAME=value (non-zero ones only).
    std::string describeValue(std::uint32_t offset, std::uint32_t value, bool isWrite) const override;

    // Stored value of a register, for models and tests (by offset; must exist).
    std::uint32_t value(std::uint32_t offset) const;
    void setValue(std::uint32_t offset, std::uint32_t v);

protected:
    // Value seen by a read of the whole register; default is the stored value. Models
    // derive live bits (ready flags, counters) here.
    virtual std::uint32_t onRead(const RegisterSpec& /*reg*/, std::uint32_t stored) {
        return stored;
    }
    // After a write was applied to storage. `written` is the raw value on the bus shifted
    // to the register's lanes, `lanes` the byte lanes written (0xFF for byte 0, ...).
    virtual void onWrite(const RegisterSpec& /*reg*/, std::uint32_t /*oldValue*/,
                         std::uint32_t /*newValue*/, std::uint32_t /*written*/,
                         std::uint32_t /*lanes*/) {}
    // Called after reset() restored every register to its reset value.
    virtual void onReset() {}

    const RegisterSpec* find(std::uint32_t offset) const;
    // The storage of a register (must exist), stable for the peripheral's lifetime: for
    // values the core reads on its hot path without a lookup.
    const std::uint32_t& storage(std::uint32_t offset) const {
        return values_[static_cast<std::size_t>(find(offset) - specs_.data())];
    }

private:
    std::span<const RegisterSpec> specs_;
    std::vector<std::uint32_t> values_;  // parallel to specs_
    std::vector<std::int16_t> index_;    // word index -> spec index or -1
};

}  // namespace cmsim
