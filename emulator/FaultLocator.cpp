#include "FaultLocator.h"

#include <capstone/capstone.h>
#include <fmt/format.h>

#include <memory>

namespace cmsim {

namespace {
struct Capstone {
    csh h = 0;
    bool ok = false;
    Capstone() {
        ok = cs_open(CS_ARCH_ARM, static_cast<cs_mode>(CS_MODE_THUMB | CS_MODE_MCLASS), &h) == CS_ERR_OK;
        if (ok) cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
    }
    ~Capstone() {
        if (ok) cs_close(&h);
    }
};

// Capstone ARM register id -> R0-R15 index, or -1.
int regIndex(unsigned r) {
    if (r >= ARM_REG_R0 && r <= ARM_REG_R12) return static_cast<int>(r - ARM_REG_R0);
    if (r == ARM_REG_SP) return 13;
    if (r == ARM_REG_LR) return 14;
    if (r == ARM_REG_PC) return 15;
    return -1;
}

unsigned accessSize(const cs_insn& insn) {
    const std::string m = insn.mnemonic;
    if (m.rfind("ldrb", 0) == 0 || m.rfind("strb", 0) == 0 || m.rfind("ldrsb", 0) == 0) return 1;
    if (m.rfind("ldrh", 0) == 0 || m.rfind("strh", 0) == 0 || m.rfind("ldrsh", 0) == 0) return 2;
    if (m.rfind("ldrd", 0) == 0 || m.rfind("strd", 0) == 0 || m.rfind("vldr", 0) == 0 ||
        m.rfind("vstr", 0) == 0) {
        return 8;
    }
    return 4;
}
}  // namespace

std::string disassembleOne(std::span<const std::uint8_t> bytes, std::uint32_t address) {
    Capstone cs;
    if (!cs.ok) return {};
    cs_insn* insn = nullptr;
    std::string out;
    if (cs_disasm(cs.h, bytes.data(), bytes.size(), address, 1, &insn) == 1) {
        out = fmt::format("{} {}", insn->mnemonic, insn->op_str);
        cs_free(insn, 1);
    }
    return out;
}

namespace {
struct AccessRange {
    std::uint32_t lo, hi;
    bool multiple;
};

// The address range the load/store `in` accesses given the registers, or nullopt.
std::optional<AccessRange> accessRange(const cs_insn& in,
                                       const std::function<std::uint32_t(unsigned)>& reg) {
    const cs_arm& arm = in.detail->arm;
    const std::string m = in.mnemonic;
    auto value = [&](unsigned capReg) -> std::optional<std::uint32_t> {
        const int idx = regIndex(capReg);
        if (idx < 0) return std::nullopt;
        // PC-relative: Align(PC + 4, 4) (A5.1.2).
        if (idx == 15) return (static_cast<std::uint32_t>(in.address) + 4) & ~3u;
        return reg(static_cast<unsigned>(idx));
    };
    const bool multiple = m.rfind("ldm", 0) == 0 || m.rfind("stm", 0) == 0 ||
                          m.rfind("push", 0) == 0 || m.rfind("pop", 0) == 0 ||
                          m.rfind("vpush", 0) == 0 || m.rfind("vpop", 0) == 0 ||
                          m.rfind("vldm", 0) == 0 || m.rfind("vstm", 0) == 0;
    if (multiple) {
        unsigned count = 0;
        for (int k = 0; k < arm.op_count; ++k) count += arm.operands[k].type == ARM_OP_REG ? 1 : 0;
        std::optional<std::uint32_t> base;
        if (m.rfind("push", 0) == 0 || m.rfind("pop", 0) == 0 || m.rfind("vpush", 0) == 0 ||
            m.rfind("vpop", 0) == 0) {
            base = reg(13);
        } else if (arm.op_count > 0 && arm.operands[0].type == ARM_OP_REG) {
            base = value(arm.operands[0].reg);
            --count;  // the base register is an operand too
        }
        if (!base) return std::nullopt;
        const std::uint32_t bytes = 4 * count * (m[0] == 'v' ? 2u : 1u);
        const bool descending = m.rfind("push", 0) == 0 || m.rfind("vpush", 0) == 0 ||
                                m.find("db") != std::string::npos;
        const std::uint32_t lo = descending ? *base - bytes : *base;
        return AccessRange{lo, lo + bytes, true};
    }
    for (int k = 0; k < arm.op_count; ++k) {
        const cs_arm_op& op = arm.operands[k];
        if (op.type != ARM_OP_MEM) continue;
        const auto base = value(op.mem.base);
        if (!base) return std::nullopt;
        std::uint32_t addr = *base;
        if (op.mem.index != ARM_REG_INVALID) {
            const auto index = value(op.mem.index);
            if (!index) return std::nullopt;
            const std::uint32_t shifted =
                op.shift.type == ARM_SFT_LSL ? *index << op.shift.value : *index;
            addr += op.subtracted ? -shifted : shifted;
        }
        // Post-indexed forms access the base address itself.
        if (!(arm.writeback && k + 1 < arm.op_count && arm.operands[k + 1].type == ARM_OP_IMM)) {
            addr += static_cast<std::uint32_t>(op.mem.disp);
        }
        return AccessRange{addr, addr + accessSize(in), false};
    }
    return std::nullopt;
}

FaultingInstruction describeAccess(const cs_insn& in, unsigned index, const AccessRange& r) {
    const std::string m = in.mnemonic;
    const bool store = m.rfind("st", 0) == 0 || m.rfind("push", 0) == 0 || m.rfind("vst", 0) == 0 ||
                       m.rfind("vpush", 0) == 0;
    return FaultingInstruction{static_cast<std::uint32_t>(in.address),
                               index,
                               fmt::format("{} {}", in.mnemonic, in.op_str),
                               store,
                               in.size,
                               r.hi - r.lo,
                               in.detail->arm.writeback || r.multiple};
}
}  // namespace

std::optional<FaultingInstruction> locateFaultingAccess(std::span<const std::uint8_t> block,
                                                        std::uint32_t blockAddress,
                                                        std::uint32_t faultAddress,
                                                        const std::function<std::uint32_t(unsigned)>& reg) {
    Capstone cs;
    if (!cs.ok) return std::nullopt;
    cs_insn* insns = nullptr;
    const std::size_t n = cs_disasm(cs.h, block.data(), block.size(), blockAddress, 0, &insns);
    std::optional<FaultingInstruction> found;
    for (std::size_t i = 0; i < n && !found; ++i) {
        const auto r = accessRange(insns[i], reg);
        if (r && faultAddress >= r->lo && faultAddress < r->hi) {
            found = describeAccess(insns[i], static_cast<unsigned>(i), *r);
        }
    }
    if (n > 0) cs_free(insns, n);
    return found;
}

std::optional<DataAccess> decodeDataAccess(std::span<const std::uint8_t> bytes,
                                           std::uint32_t address,
                                           const std::function<std::uint32_t(unsigned)>& reg) {
    Capstone cs;
    if (!cs.ok) return std::nullopt;
    cs_insn* insn = nullptr;
    if (cs_disasm(cs.h, bytes.data(), bytes.size(), address, 1, &insn) != 1) return std::nullopt;
    std::optional<DataAccess> out;
    if (const auto r = accessRange(*insn, reg))
        out = DataAccess{describeAccess(*insn, 0, *r), r->lo, r->multiple};
    cs_free(insn, 1);
    return out;
}

}  // namespace cmsim
