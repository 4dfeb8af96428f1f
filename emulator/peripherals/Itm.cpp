#include "Itm.h"

#include <fmt/format.h>

#include <array>

namespace cmsim {

namespace {
constexpr FieldSpec kTcrFields[] = {{"ITMENA", 0},  {"TSENA", 1},  {"SYNCENA", 2},
                                    {"TXENA", 3},   {"SWOENA", 4}, {"TraceBusID", 16, 7},
                                    {"BUSY", 23}};
// CoreSight identification registers of the ARMv7-M ITM (Cortex-M4 TRM Table 11-1).
constexpr std::array<RegisterSpec, 17> kRegisters{{
    {Itm::kTer, "TER", 0, 0xFFFFFFFF},
    {Itm::kTpr, "TPR", 0, 0x0000000F},
    {Itm::kTcr, "TCR", 0, 0x007F001F, Access::ReadWrite, kTcrFields},
    {Itm::kLar, "LAR", 0, 0xFFFFFFFF, Access::WriteOnly},
    {Itm::kLsr, "LSR", 0x00000003, 0, Access::ReadOnly},
    {0xFD0, "PID4", 0x04, 0, Access::ReadOnly}, {0xFD4, "PID5", 0, 0, Access::ReadOnly},
    {0xFD8, "PID6", 0, 0, Access::ReadOnly},    {0xFDC, "PID7", 0, 0, Access::ReadOnly},
    {0xFE0, "PID0", 0x01, 0, Access::ReadOnly}, {0xFE4, "PID1", 0xB0, 0, Access::ReadOnly},
    {0xFE8, "PID2", 0x3B, 0, Access::ReadOnly}, {0xFEC, "PID3", 0x00, 0, Access::ReadOnly},
    {0xFF0, "CID0", 0x0D, 0, Access::ReadOnly}, {0xFF4, "CID1", 0xE0, 0, Access::ReadOnly},
    {0xFF8, "CID2", 0x05, 0, Access::ReadOnly}, {0xFFC, "CID3", 0xB1, 0, Access::ReadOnly},
}};
}  // namespace

Itm::Itm(PeripheralContext& ctx, std::function<bool()> traceEnabled, std::function<void()> enableTrace)
    : RegisterPeripheral("ITM", 0x1000, ctx, kRegisters),
      traceEnabled_(std::move(traceEnabled)),
      enableTrace_(std::move(enableTrace)) {}

void Itm::onReset() {
    locked_ = true;
    if (debuggerSwo_) applyDebuggerSetUp();
}

bool Itm::enabled() const { return traceEnabled_() && (value(kTcr) & 1u) != 0; }

std::uint32_t Itm::read(std::uint32_t offset, unsigned width) {
    if (offset < 0x80) return enabled() ? 1u : 0u;  // FIFOREADY (C1.7.2)
    if (offset == kLsr) return locked_ ? 0x3u : 0x1u;  // SLI (lock present) | SLK (locked)
    return RegisterPeripheral::read(offset, width);
}

void Itm::write(std::uint32_t offset, unsigned width, std::uint32_t value) {
    if (offset < 0x80) {
        const unsigned port = offset / 4;
        if (!enabled() || ((this->value(kTer) >> port) & 1u) == 0) return;  // silently dropped
        std::string bytes;
        for (unsigned i = 0; i < width; ++i) bytes.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
        bytes_ += width;
        ctx().signals.output.publish(OutputText{ctx().time.now(), ctx().time.nowPicoseconds(),
                                                fmt::format("itm{}", port), std::move(bytes)});
        return;
    }
    if (offset == kLar) {
        locked_ = value != kUnlockKey;
        return;
    }
    if (locked_ && (offset == kTer || offset == kTpr || offset == kTcr)) {
        ctx().diag.firmwareMistakeOnce(
            "ITM:locked", "ITM",
            fmt::format("write 0x{:x} to {} while the ITM is locked (write 0xC5ACCE55 to ITM LAR "
                        "first): ignored",
                        value, registerName(offset)));
        return;
    }
    RegisterPeripheral::write(offset, width, value);
}

void Itm::enableAsDebugger() {
    debuggerSwo_ = true;
    applyDebuggerSetUp();
}

void Itm::applyDebuggerSetUp() {
    if (enableTrace_) enableTrace_();  // DEMCR.TRCENA: without it the ITM emits nothing
    setValue(kTcr, value(kTcr) | 0x00010001u);  // ITMENA, TraceBusID 1
    setValue(kTer, 0xFFFFFFFFu);
}

}  // namespace cmsim
