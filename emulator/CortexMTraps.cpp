// The CCR traps (B3.2.8): hooks for DIV_0_TRP and UNALIGN_TRP, and alignment faults
// (ARMv7-M ARM A3.2.1, B3.2.8 CCR.UNALIGN_TRP). Unicorn 2.0.1 performs
// every unaligned LDR/STR/LDRH/STRH, LDRD/STRD and LDM/STM of a Cortex-M3/M4/M7 as if it
// were allowed: it only checks LDREX/STREX, and QEMU's CCR copy (v7m.ccr) is neither
// consulted for UNALIGN_TRP nor reachable through Unicorn's API. So while CCR.UNALIGN_TRP
// is set, each load/store of a block about to run gets a code hook bounded to its address
// that computes the address from the registers before the access and takes a precise
// UsageFault (UNALIGNED) with the stacked PC at the instruction. Nothing is hooked while
// the bit is clear (performance, issue #10); see README for what that leaves out.
#include <fmt/format.h>

#include <array>

#include "CortexM.h"
#include "FaultBits.h"
#include "FaultLocator.h"

namespace cmsim {

namespace {
// Thumb encodings that may access data at an address computed from a register (A5.2,
// A5.3): loads/stores by register or immediate offset, LDM/STM, LDRD/STRD and the
// exclusives, VLDR/VSTR/VLDM/VSTM. SP-relative and literal forms are always aligned.
bool mayAccessUnaligned(const thumb::Instruction& n) {
    const std::uint16_t hw = n.hw1;
    if (!n.wide) {
        const unsigned top4 = hw >> 12;
        return top4 == 0x5 || top4 == 0x6 || top4 == 0x8 || top4 == 0xC;
    }
    return (hw & 0xFE00) == 0xF800 || (hw & 0xFE00) == 0xE800 || (hw & 0xFE00) == 0xEC00 ||
           (hw & 0xFF00) == 0xED00;
}
}  // namespace

bool CortexM::watchTraps(std::uint32_t blockAddress, std::uint32_t size, bool hasDivide) {
    const std::uint32_t ccr = scb_.ccr();
    bool fresh = false;
    if (hasDivide && (ccr & kCcrDiv0Trp) != 0) fresh = watchDivides(blockAddress, size);
    if ((ccr & kCcrUnalignTrp) != 0) fresh = watchAlignment(blockAddress, size) || fresh;
    return fresh;
}

bool CortexM::watchAlignment(std::uint32_t blockAddress, std::uint32_t size) {
    const std::uint64_t key = (std::uint64_t{blockAddress} << 32) | size;
    if (alignmentWatchedBlocks_.count(key) != 0) return false;
    alignmentWatchedBlocks_.insert(key);
    return hookInstructions(blockAddress, size, mayAccessUnaligned, &CortexM::onLoadStore,
                            alignmentHooks_);
}

bool CortexM::hookInstructions(std::uint32_t blockAddress, std::uint32_t size,
                               bool (*select)(const thumb::Instruction&),
                               void (*callback)(uc_engine*, std::uint64_t, std::uint32_t, void*),
                               std::map<std::uint32_t, uc_hook>& hooks) {
    const std::uint8_t* code = bus_.hostPointer(blockAddress, size);
    if (code == nullptr) return false;
    std::vector<std::uint32_t> fresh;
    thumb::forEachInstruction(code, size, [&](const thumb::Instruction& n) {
        if (select(n) && hooks.count(blockAddress + n.offset) == 0) fresh.push_back(blockAddress + n.offset);
    });
    if (fresh.empty()) return false;
    // Hooks are compiled into translated blocks: add them between slices, drop this
    // block's translation, and run it again from its start (it has not run yet).
    runBetweenSlices([this, fresh, callback, &hooks] {
        for (std::uint32_t a : fresh) {
            uc_hook h = 0;
            if (uc_hook_add(uc_.get(), &h, UC_HOOK_CODE, reinterpret_cast<void*>(callback), this, a,
                            a) == UC_ERR_OK) {
                hooks[a] = h;
            }
            uc_ctl_remove_cache(uc_.get(), a, a + 4);
        }
    });
    return true;
}

std::optional<CortexM::Fault> CortexM::alignmentFault(std::uint32_t pc) const {
    std::array<std::uint8_t, 4> bytes{};
    if (!uc_.readMemory(pc, bytes.data(), bytes.size())) return std::nullopt;
    const auto access = decodeDataAccess(bytes, pc, [this](unsigned r) { return coreRegister(r); });
    if (!access) return std::nullopt;
    const std::string& m = access->insn.text;
    // A3.2.1: LDM/STM, LDRD/STRD, LDREX/STREX and VLDR/VSTR/VLDM/VSTM need word alignment
    // (LDREXH/STREXH halfword) whatever CCR says; with UNALIGN_TRP, so do LDR/STR (word)
    // and LDRH/STRH (halfword).
    const bool exclusive = m.rfind("ldrex", 0) == 0 || m.rfind("strex", 0) == 0;
    const bool always = access->multiple || access->insn.bytes == 8 || exclusive ||
                        m.rfind("vldr", 0) == 0 || m.rfind("vstr", 0) == 0;
    const bool trap = (scb_.ccr() & kCcrUnalignTrp) != 0;
    const unsigned size = access->insn.bytes;
    const std::uint32_t mask = (always && size >= 4) ? 3u
                               : (!always && !trap)  ? 0u
                               : size >= 4           ? 3u
                               : size == 2           ? 1u
                                                     : 0u;
    if ((access->address & mask) == 0) return std::nullopt;
    return Fault{exc::kUsageFault, cfsr::kUnaligned, std::nullopt, pc,
                 fmt::format("unaligned access: \"{}\" {} {} bytes at 0x{:08x}{}", m,
                             access->insn.isStore ? "writes" : "reads", size, access->address,
                             always ? " (this instruction always needs alignment)"
                                    : " with CCR.UNALIGN_TRP set")};
}

void CortexM::onLoadStore(uc_engine*, std::uint64_t address, std::uint32_t /*size*/, void* user) {
    auto* self = static_cast<CortexM*>(user);
    if (auto f = self->alignmentFault(static_cast<std::uint32_t>(address)))
        self->trapBefore(std::move(*f));
}

std::uint32_t CortexM::coreRegister(unsigned r) const {
    return r == 13   ? uc_.reg(UC_ARM_REG_SP)
           : r == 14 ? uc_.reg(UC_ARM_REG_LR)
                     : uc_.reg(UC_ARM_REG_R0 + static_cast<int>(r));
}

void CortexM::trapBefore(Fault f) {
    // From a code hook: the instruction has not run. The fault is taken outside emulation,
    // with time back at the instruction's start.
    time_.rewindTo(cycleOf(f.pc));
    resumePc_ = f.pc;
    pendingFault_ = std::move(f);
    stoppedByHook_ = true;
    uc_emu_stop(uc_.get());
}

}  // namespace cmsim
