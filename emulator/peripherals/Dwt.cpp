#include "Dwt.h"

#include <vector>

namespace cmsim {

namespace {
constexpr FieldSpec kCtrlFields[] = {{"CYCCNTENA", 0}, {"PCSAMPLENA", 12}, {"EXCTRCENA", 16},
                                     {"CPIEVTENA", 17}, {"EXCEVTENA", 18}, {"SLEEPEVTENA", 19},
                                     {"LSUEVTENA", 20}, {"FOLDEVTENA", 21}, {"CYCEVTENA", 22},
                                     {"NUMCOMP", 28, 4}};
std::vector<RegisterSpec> table() {
    std::vector<RegisterSpec> t = {
        // CTRL reset: NUMCOMP = 4, every counter implemented (C1.8.7; Cortex-M4 TRM 8.8).
        {Dwt::kCtrl, "CTRL", 0x40000000, 0x007F1FFF, Access::ReadWrite, kCtrlFields},
        {Dwt::kCyccnt, "CYCCNT", 0, 0xFFFFFFFF},
        {Dwt::kCpicnt, "CPICNT", 0, 0xFF},
        {Dwt::kExccnt, "EXCCNT", 0, 0xFF},
        {Dwt::kSleepcnt, "SLEEPCNT", 0, 0xFF},
        {Dwt::kLsucnt, "LSUCNT", 0, 0xFF},
        {Dwt::kFoldcnt, "FOLDCNT", 0, 0xFF},
        {Dwt::kPcsr, "PCSR", 0, 0, Access::ReadOnly},
    };
    static const char* const kComp[] = {"COMP0", "COMP1", "COMP2", "COMP3"};
    static const char* const kMask[] = {"MASK0", "MASK1", "MASK2", "MASK3"};
    static const char* const kFunc[] = {"FUNCTION0", "FUNCTION1", "FUNCTION2", "FUNCTION3"};
    for (std::uint32_t i = 0; i < 4; ++i) {
        t.push_back({0x020 + 0x10 * i, kComp[i], 0, 0xFFFFFFFF});
        t.push_back({0x024 + 0x10 * i, kMask[i], 0, 0x1F});
        t.push_back({0x028 + 0x10 * i, kFunc[i], 0, 0x00000FEF});
    }
    t.push_back({0xFB0, "LAR", 0, 0xFFFFFFFF, Access::WriteOnly});
    t.push_back({0xFB4, "LSR", 0x3, 0, Access::ReadOnly});
    return t;
}
const std::vector<RegisterSpec>& registers() {
    static const std::vector<RegisterSpec> kTable = table();  // immutable, shared
    return kTable;
}
}  // namespace

Dwt::Dwt(PeripheralContext& ctx, Sources sources)
    : RegisterPeripheral("DWT", 0x1000, ctx, registers()), src_(std::move(sources)) {}

void Dwt::onReset() {
    cyccntBase_ = 0;
    cyccntAnchor_ = awakeCycles();
    wasCounting_ = false;
    excAnchor_ = src_.exceptionCycles();
    sleepAnchor_ = src_.sleptCycles();
    excBase_ = sleepBase_ = 0;
}

std::uint64_t Dwt::awakeCycles() const { return ctx().time.now() - src_.sleptCycles(); }

bool Dwt::counting() const { return src_.traceEnabled() && (value(kCtrl) & 1u) != 0; }

std::uint32_t Dwt::cycleCount() const {
    // TRCENA can change without a DWT access (it lives in DEMCR): a counter that was not
    // counting at the last access but is now is treated as counting since that access,
    // which is exact whenever firmware enables TRCENA before CYCCNTENA, as it must.
    if (!wasCounting_ && !counting()) return cyccntBase_;
    return cyccntBase_ + static_cast<std::uint32_t>(awakeCycles() - cyccntAnchor_);
}

std::uint32_t Dwt::onRead(const RegisterSpec& reg, std::uint32_t stored) {
    switch (reg.offset) {
        case kCyccnt: return cycleCount();
        case kExccnt:
            return static_cast<std::uint8_t>(excBase_ + (src_.exceptionCycles() - excAnchor_));
        case kSleepcnt:
            return static_cast<std::uint8_t>(sleepBase_ + (src_.sleptCycles() - sleepAnchor_));
        case kPcsr: return src_.pcSample ? src_.pcSample() : 0;
        default: return stored;
    }
}

void Dwt::onWrite(const RegisterSpec& reg, std::uint32_t oldValue, std::uint32_t newValue,
                  std::uint32_t /*written*/, std::uint32_t /*lanes*/) {
    switch (reg.offset) {
        case kCtrl: {
            // Freeze or restart CYCCNT at its current value: the value cycleCount() gave
            // just before this write, which counts since the last access also when TRCENA
            // was set after CYCCNTENA (the old CTRL still had CYCCNTENA).
            const bool counted = wasCounting_ || ((oldValue & 1u) != 0 && src_.traceEnabled());
            const std::uint32_t now =
                counted ? cyccntBase_ + static_cast<std::uint32_t>(awakeCycles() - cyccntAnchor_) : cyccntBase_;
            cyccntBase_ = now;
            cyccntAnchor_ = awakeCycles();
            wasCounting_ = counting();
            break;
        }
        case kCyccnt:
            cyccntBase_ = newValue;
            cyccntAnchor_ = awakeCycles();
            wasCounting_ = counting();
            break;
        case kExccnt:
            excBase_ = static_cast<std::uint8_t>(newValue);
            excAnchor_ = src_.exceptionCycles();
            break;
        case kSleepcnt:
            sleepBase_ = static_cast<std::uint8_t>(newValue);
            sleepAnchor_ = src_.sleptCycles();
            break;
        default:
            if (reg.offset >= 0x028 && reg.offset <= 0x058 && (reg.offset - 0x028) % 0x10 == 0 &&
                (newValue & 0xF) != 0) {
                ctx().diag.modelGapOnce("DWT:comparators", "DWT",
                                        "DWT comparator enabled (FUNCTION): data watchpoints and "
                                        "comparator events are not modelled");
            }
            break;
    }
}

}  // namespace cmsim
