#pragma once
// Finds the instruction that made a faulting memory access. Unicorn aborts the block at
// the faulting access and reports the block's start as the PC; the instructions before
// it have run and the faulting one has not, so the registers hold exactly the state the
// faulting instruction saw. Decoding each load/store of the block (capstone) and
// computing its address range from those registers identifies it.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

namespace cmsim {

struct FaultingInstruction {
    std::uint32_t pc;
    unsigned index;      // instructions before it in the block
    std::string text;    // "ldr r0, [r1]"
    bool isStore;
    unsigned length = 2;     // of the encoding: 2 or 4 bytes
    unsigned bytes = 4;      // accessed
    bool writeback = false;  // updates its base register (pre/post-indexed, LDM/STM, PUSH)
};

// `reg(n)` returns the current value of R0-R15 (n = 0..15; 15 is unused: the PC of each
// instruction is known from its address). `isFetch` faults are not searched.
std::optional<FaultingInstruction> locateFaultingAccess(std::span<const std::uint8_t> block,
                                                        std::uint32_t blockAddress,
                                                        std::uint32_t faultAddress,
                                                        const std::function<std::uint32_t(unsigned)>& reg);

// The data access the load/store at `address` (its encoding in `bytes`) is about to make,
// computed from the registers now; nullopt when it is not a load/store.
struct DataAccess {
    FaultingInstruction insn;
    std::uint32_t address;  // the lowest address accessed
    bool multiple;          // LDM/STM/PUSH/POP/VLDM/VSTM: word accesses
};
std::optional<DataAccess> decodeDataAccess(std::span<const std::uint8_t> bytes,
                                           std::uint32_t address,
                                           const std::function<std::uint32_t(unsigned)>& reg);

// "ldr r0, [r1]" for the instruction at `address` (empty if it does not decode).
std::string disassembleOne(std::span<const std::uint8_t> bytes, std::uint32_t address);

}  // namespace cmsim
