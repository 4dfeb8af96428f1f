#include "Scb.h"

#include <fmt/format.h>

#include <vector>

namespace cmsim {

namespace {
namespace icsr {
constexpr std::uint32_t kNmiPendSet = 1u << 31;
constexpr std::uint32_t kPendSvSet = 1u << 28;
constexpr std::uint32_t kPendSvClr = 1u << 27;
constexpr std::uint32_t kPendStSet = 1u << 26;
constexpr std::uint32_t kPendStClr = 1u << 25;
constexpr std::uint32_t kIsrPending = 1u << 22;
constexpr std::uint32_t kRetToBase = 1u << 11;
}  // namespace icsr
namespace aircr {
constexpr std::uint32_t kVectKey = 0x05FAu;
constexpr std::uint32_t kVectKeyStat = 0xFA05u;
constexpr std::uint32_t kSysResetReq = 1u << 2;
constexpr std::uint32_t kVectClrActive = 1u << 1;
constexpr std::uint32_t kVectReset = 1u << 0;
}  // namespace aircr

// SHCSR bit -> (exception, kind) (ARM ARM B3.2.13).
struct ShcsrBit {
    unsigned bit;
    unsigned exception;
    enum { Active, Pending, Enable } what;
};
constexpr ShcsrBit kShcsrBits[] = {
    {0, exc::kMemManage, ShcsrBit::Active},   {1, exc::kBusFault, ShcsrBit::Active},
    {3, exc::kUsageFault, ShcsrBit::Active},  {7, exc::kSvCall, ShcsrBit::Active},
    {8, exc::kDebugMonitor, ShcsrBit::Active}, {10, exc::kPendSv, ShcsrBit::Active},
    {11, exc::kSysTick, ShcsrBit::Active},    {12, exc::kUsageFault, ShcsrBit::Pending},
    {13, exc::kMemManage, ShcsrBit::Pending}, {14, exc::kBusFault, ShcsrBit::Pending},
    {15, exc::kSvCall, ShcsrBit::Pending},    {16, exc::kMemManage, ShcsrBit::Enable},
    {17, exc::kBusFault, ShcsrBit::Enable},   {18, exc::kUsageFault, ShcsrBit::Enable},
};

constexpr FieldSpec kIcsrFields[] = {{"VECTACTIVE", 0, 9}, {"RETTOBASE", 11}, {"VECTPENDING", 12, 9},
                                     {"ISRPENDING", 22}, {"PENDSTCLR", 25}, {"PENDSTSET", 26},
                                     {"PENDSVCLR", 27}, {"PENDSVSET", 28}, {"NMIPENDSET", 31}};
constexpr FieldSpec kShcsrFields[] = {{"MEMFAULTACT", 0}, {"BUSFAULTACT", 1}, {"USGFAULTACT", 3},
                                      {"SVCALLACT", 7}, {"PENDSVACT", 10}, {"SYSTICKACT", 11},
                                      {"MEMFAULTENA", 16}, {"BUSFAULTENA", 17}, {"USGFAULTENA", 18}};

std::vector<RegisterSpec> makeTable(const CoreConfig& core) {
    const bool m7 = core.kind == CoreKind::CortexM7;
    std::vector<RegisterSpec> t = {
        {Scb::kCpuid, "CPUID", core.cpuid, 0, Access::ReadOnly},
        {Scb::kIcsr, "ICSR", 0, 0xFFFFFFFF, Access::ReadWrite, kIcsrFields},
        {Scb::kVtor, "VTOR", 0, core.vtorMask},
        {Scb::kAircr, "AIRCR", 0, 0xFFFFFFFF},
        {Scb::kScr, "SCR", 0, 0x16},
        // CCR: NONBASETHRDENA, USERSETMPEND, UNALIGN_TRP, DIV_0_TRP, BFHFNMIGN, STKALIGN
        // (RO on M7), and on M7 DC/IC/BP (B3.2.8; Cortex-M7 TRM 3.3.4).
        {Scb::kCcr, "CCR", core.ccrReset, m7 ? 0x0007031Bu : 0x0000031Bu},
        {Scb::kShpr1, "SHPR1", 0, 0x00FFFFFF},
        {Scb::kShpr2, "SHPR2", 0, 0xFF000000},
        {Scb::kShpr3, "SHPR3", 0, 0xFFFF00FF},
        {Scb::kShcsr, "SHCSR", 0, 0x0007FD8B, Access::ReadWrite, kShcsrFields},
        {Scb::kCfsr, "CFSR", 0, 0x030FBFBF, Access::WriteOneToClear},
        {Scb::kHfsr, "HFSR", 0, 0xC0000002, Access::WriteOneToClear},
        {Scb::kDfsr, "DFSR", 0, 0x0000001F, Access::WriteOneToClear},
        {Scb::kMmfar, "MMFAR", 0, 0xFFFFFFFF},
        {Scb::kBfar, "BFAR", 0, 0xFFFFFFFF},
        {Scb::kAfsr, "AFSR", 0, 0xFFFFFFFF},
        // Processor feature registers, Cortex-M4 TRM Table 4-1 / Cortex-M7 TRM Table 3-2.
        {0x40, "ID_PFR0", 0x00000030, 0, Access::ReadOnly},
        {0x44, "ID_PFR1", 0x00000200, 0, Access::ReadOnly},
        {0x48, "ID_DFR0", 0x00100000, 0, Access::ReadOnly},
        {0x4C, "ID_AFR0", 0x00000000, 0, Access::ReadOnly},
        {0x50, "ID_MMFR0", m7 ? 0x00100030u : 0x00100030u, 0, Access::ReadOnly},
        {0x54, "ID_MMFR1", 0x00000000, 0, Access::ReadOnly},
        {0x58, "ID_MMFR2", 0x01000000, 0, Access::ReadOnly},
        {0x5C, "ID_MMFR3", m7 ? 0x00000000u : 0x00000000u, 0, Access::ReadOnly},
        {0x60, "ID_ISAR0", 0x01101110, 0, Access::ReadOnly},
        {0x64, "ID_ISAR1", 0x02112000, 0, Access::ReadOnly},
        {0x68, "ID_ISAR2", 0x20232231, 0, Access::ReadOnly},
        {0x6C, "ID_ISAR3", 0x01111131, 0, Access::ReadOnly},
        {0x70, "ID_ISAR4", 0x01310132, 0, Access::ReadOnly},
        {Scb::kCpacr, "CPACR", 0, 0x00F00000},
    };
    if (core.mvfr0 != 0) {
        // FPU registers (B3.2.20-B3.2.23): ASPEN and LSPEN set at reset.
        t.push_back({Scb::kFpccr, "FPCCR", 0xC0000000, 0xC000017B});
        t.push_back({Scb::kFpcar, "FPCAR", 0, 0xFFFFFFF8});
        t.push_back({Scb::kFpdscr, "FPDSCR", 0, 0x07C00000});
        t.push_back({0x240, "MVFR0", core.mvfr0, 0, Access::ReadOnly});
        t.push_back({0x244, "MVFR1", core.mvfr1, 0, Access::ReadOnly});
        if (m7) t.push_back({0x248, "MVFR2", core.mvfr2, 0, Access::ReadOnly});
    }
    if (m7) {
        // Cache identification and maintenance (ARM ARM B3.2.3, Cortex-M7 TRM 4.1): the
        // sequences start-up code uses are accepted; caches are not modelled for timing.
        t.push_back({0x78, "CLIDR", 0x09000003, 0, Access::ReadOnly});
        t.push_back({0x7C, "CTR", 0x8303C003, 0, Access::ReadOnly});
        t.push_back({0x80, "CCSIDR", 0xF003E019, 0, Access::ReadOnly});
        t.push_back({0x84, "CSSELR", 0, 0x00000001});
        const char* ops[] = {"ICIALLU", nullptr, "ICIMVAU", "DCIMVAC", "DCISW", "DCCMVAU",
                             "DCCMVAC", "DCCSW",  "DCCIMVAC", "DCCISW", "BPIALL"};
        for (unsigned i = 0; i < std::size(ops); ++i) {
            if (ops[i] != nullptr) {
                t.push_back({0x250u + 4 * i, ops[i], 0, 0xFFFFFFFF, Access::WriteOnly});
            }
        }
    }
    return t;
}

}  // namespace

std::vector<RegisterSpec> ScbRegisterTable::build(const CoreConfig& core) { return makeTable(core); }

Scb::Scb(PeripheralContext& ctx, const CoreConfig& core, Nvic& nvic, Hooks hooks)
    : ScbRegisterTable{build(core)},
      RegisterPeripheral("SCB", kSize, ctx, table),
      nvic_(nvic),
      hooks_(std::move(hooks)) {}

void Scb::onReset() {}

std::uint32_t Scb::onRead(const RegisterSpec& reg, std::uint32_t stored) {
    switch (reg.offset) {
        case kIcsr: {
            std::uint32_t v = 0;
            const std::uint32_t active = hooks_.currentIpsr ? hooks_.currentIpsr() & 0x1FF : 0;
            v |= active;
            if (nvic_.isPending(exc::kNmi)) v |= icsr::kNmiPendSet;
            if (nvic_.isPending(exc::kPendSv)) v |= icsr::kPendSvSet;
            if (nvic_.isPending(exc::kSysTick)) v |= icsr::kPendStSet;
            for (unsigned e = exc::kFirstIrq; e < nvic_.numExceptions(); ++e) {
                if (nvic_.isPending(e)) {
                    v |= icsr::kIsrPending;
                    break;
                }
            }
            if (auto p = nvic_.highestPending()) v |= (*p & 0x1FF) << 12;
            // RETTOBASE is meaningful in Handler mode only (B3.2.4).
            if (active != 0 && nvic_.retToBase()) v |= icsr::kRetToBase;
            return v;
        }
        case kAircr:
            return (aircr::kVectKeyStat << 16) | (nvic_.priGroup() << 8);
        case kShpr1:
        case kShpr2:
        case kShpr3: {
            std::uint32_t v = 0;
            for (unsigned b = 0; b < 4; ++b) {
                v |= std::uint32_t{nvic_.priorityByte(shprException(reg.offset, b))} << (8 * b);
            }
            return v & reg.writableMask;
        }
        case kShcsr: {
            std::uint32_t v = 0;
            for (const auto& b : kShcsrBits) {
                bool on = b.what == ShcsrBit::Active    ? nvic_.isActive(b.exception)
                          : b.what == ShcsrBit::Pending ? nvic_.isPending(b.exception)
                                                        : nvic_.isEnabled(b.exception);
                if (on) v |= 1u << b.bit;
            }
            return v;
        }
        default: return stored;
    }
}

void Scb::onWrite(const RegisterSpec& reg, std::uint32_t /*oldValue*/, std::uint32_t newValue,
                  std::uint32_t written, std::uint32_t lanes) {
    switch (reg.offset) {
        case kIcsr:
            // B3.2.4: write 1 to set or clear; writing both SET and CLR is UNPREDICTABLE.
            if ((written & icsr::kPendSvSet) && (written & icsr::kPendSvClr)) {
                ctx().diag.firmwareMistake("SCB", "ICSR: PENDSVSET and PENDSVCLR both written as 1 "
                                                  "(UNPREDICTABLE)");
            }
            if (written & icsr::kPendSvSet) nvic_.setPending(exc::kPendSv);
            else if (written & icsr::kPendSvClr) nvic_.clearPending(exc::kPendSv);
            if (written & icsr::kPendStSet) nvic_.setPending(exc::kSysTick);
            else if (written & icsr::kPendStClr) nvic_.clearPending(exc::kSysTick);
            if (written & icsr::kNmiPendSet) nvic_.setPending(exc::kNmi);
            setValue(kIcsr, 0);
            break;
        case kAircr: {
            setValue(kAircr, 0);
            if ((lanes & 0xFFFF0000u) != 0xFFFF0000u || (written >> 16) != aircr::kVectKey) {
                ctx().diag.firmwareMistake(
                    "SCB", fmt::format("AIRCR write 0x{:08x} without VECTKEY 0x05FA: ignored, as on "
                                       "silicon (B3.2.6)",
                                       written));
                return;
            }
            nvic_.setPriGroup((written >> 8) & 7u);
            if (written & (aircr::kVectClrActive | aircr::kVectReset)) {
                ctx().diag.firmwareMistake("SCB", "AIRCR VECTRESET/VECTCLRACTIVE written outside "
                                                  "Debug state (UNPREDICTABLE): ignored");
            }
            if ((written & aircr::kSysResetReq) && hooks_.requestSystemReset) {
                hooks_.requestSystemReset();
            }
            break;
        }
        case kShpr1:
        case kShpr2:
        case kShpr3:
            for (unsigned b = 0; b < 4; ++b) {
                if ((lanes >> (8 * b)) & 0xFFu & (reg.writableMask >> (8 * b))) {
                    nvic_.setPriorityByte(shprException(reg.offset, b),
                                          static_cast<std::uint8_t>(newValue >> (8 * b)));
                }
            }
            break;
        case kShcsr:
            for (const auto& b : kShcsrBits) {
                if (((lanes >> b.bit) & 1u) == 0) continue;
                const bool on = (newValue >> b.bit) & 1u;
                switch (b.what) {
                    case ShcsrBit::Active: nvic_.setActive(b.exception, on); break;
                    case ShcsrBit::Pending:
                        if (on) nvic_.setPending(b.exception);
                        else nvic_.clearPending(b.exception);
                        break;
                    case ShcsrBit::Enable: nvic_.setEnabled(b.exception, on); break;
                }
            }
            break;
        case kScr:
            if (newValue & (1u << 2)) {
                ctx().diag.modelGapOnce("SCB.SLEEPDEEP", "SCB",
                                        "SCR.SLEEPDEEP set: deep sleep (Stop mode) is modelled as "
                                        "ordinary sleep");
            }
            break;
        default: break;
    }
}

}  // namespace cmsim
