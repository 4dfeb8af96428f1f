#pragma once
// Walking Thumb code one instruction at a time, for the core's block scans (instruction
// counts, SEV/WFI/WFE and divides, the start cycle of an instruction, hook placement).
// A halfword whose top five bits are 0b11101, 0b11110 or 0b11111 starts a 32-bit
// encoding (ARMv7-M ARM A5.1).
#include <cstdint>

namespace cmsim::thumb {

struct Instruction {
    std::uint32_t offset;  // from the start of the walked code
    std::uint16_t hw1;
    std::uint16_t hw2;  // second halfword of a 32-bit encoding; 0 for 16-bit or cut off
    bool wide;
};

inline bool isWide(std::uint16_t hw1) {
    return (hw1 >> 11) >= 0x1D;
}

// Calls f(Instruction) for every instruction starting inside code[0, len).
template <typename F>
void forEachInstruction(const std::uint8_t* code, std::uint32_t len, F&& f) {
    auto half = [code](std::uint32_t at) {
        return static_cast<std::uint16_t>(code[at] | (code[at + 1] << 8));
    };
    for (std::uint32_t i = 0; i + 1 < len;) {
        const std::uint16_t hw1 = half(i);
        const bool wide = isWide(hw1);
        f(Instruction{i, hw1, wide && i + 3 < len ? half(i + 2) : std::uint16_t{0}, wide});
        i += wide ? 4 : 2;
    }
}

// A7.7.129 SEV: T1 0xBF40, T2 0xF3AF 0x8004.
inline bool isSev(const Instruction& n) {
    return n.wide ? n.hw1 == 0xF3AF && n.hw2 == 0x8004 : n.hw1 == 0xBF40;
}
// A7.7.261 WFE (T1 0xBF20, T2 0xF3AF 0x8002) and A7.7.262 WFI (T1 0xBF30, T2 0xF3AF 0x8003).
inline bool isWfe(const Instruction& n) {
    return n.wide ? n.hw1 == 0xF3AF && n.hw2 == 0x8002 : n.hw1 == 0xBF20;
}
inline bool isWfi(const Instruction& n) {
    return n.wide ? n.hw1 == 0xF3AF && n.hw2 == 0x8003 : n.hw1 == 0xBF30;
}
inline bool isSleep(const Instruction& n) {
    return isWfi(n) || isWfe(n);
}
// A7.7.127 SDIV T1 0xFB9x, A7.7.195 UDIV T1 0xFBBx.
inline bool isDivide(const Instruction& n) {
    return n.wide && ((n.hw1 & 0xFFF0) == 0xFB90 || (n.hw1 & 0xFFF0) == 0xFBB0);
}

}  // namespace cmsim::thumb
