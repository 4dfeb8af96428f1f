#pragma once
// The exception state of an ARMv7-M core: pending, active and enabled bits and
// priorities of every exception, and the rules that pick the exception to take.
// Pure logic (no Unicorn): the core (CortexM) performs entry and return; the NVIC and SCB
// register models (peripherals/NvicRegisters, peripherals/Scb) read and write this state.
//
// References: ARMv7-M ARM (DDI 0403E) B1.5.4 "Exception priorities and preemption",
// B1.5.6 "Exception entry behavior", B3.4 "Nested Vectored Interrupt Controller".
#include <array>
#include <bit>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cmsim {

namespace exc {
constexpr unsigned kReset = 1;
constexpr unsigned kNmi = 2;
constexpr unsigned kHardFault = 3;
constexpr unsigned kMemManage = 4;
constexpr unsigned kBusFault = 5;
constexpr unsigned kUsageFault = 6;
constexpr unsigned kSvCall = 11;
constexpr unsigned kDebugMonitor = 12;
constexpr unsigned kPendSv = 14;
constexpr unsigned kSysTick = 15;
constexpr unsigned kFirstIrq = 16;
}  // namespace exc

// Priority-boosting state of the core (PRIMASK, FAULTMASK, BASEPRI), read from the CPU.
struct PriorityMasks {
    bool primask = false;
    bool faultmask = false;
    std::uint8_t basepri = 0;
};

class Nvic {
public:
    // Priority of Thread mode with nothing active and no mask: above every configurable one.
    static constexpr int kThreadPriority = 256;

    Nvic(unsigned numIrqs, unsigned priorityBits);

    unsigned numIrqs() const { return numIrqs_; }
    unsigned numExceptions() const { return exc::kFirstIrq + numIrqs_; }
    unsigned priorityBits() const { return priorityBits_; }

    // --- state -----------------------------------------------------------------
    void setPending(unsigned exception);
    // Cycle at which `exception` last became pending (for entry-latency traces). The clock
    // is optional: without one every pend is recorded at cycle 0.
    void setClock(std::function<std::uint64_t()> now) { now_ = std::move(now); }
    std::uint64_t pendedAt(unsigned exception) const {
        return exception < pendedAt_.size() ? pendedAt_[exception] : 0;
    }
    void clearPending(unsigned exception);
    bool isPending(unsigned exception) const { return valid(exception) && test(pending_, exception); }
    void setActive(unsigned exception, bool active);
    bool isActive(unsigned exception) const { return valid(exception) && test(active_, exception); }
    // IRQs: NVIC_ISER/ICER. Faults: SHCSR.*ENA. NMI, HardFault, SVCall, PendSV, SysTick,
    // DebugMonitor: always enabled.
    void setEnabled(unsigned exception, bool enabled);
    bool isEnabled(unsigned exception) const;

    // Priority byte as software reads it back (unimplemented low bits read as zero).
    std::uint8_t priorityByte(unsigned exception) const;
    void setPriorityByte(unsigned exception, std::uint8_t value);
    // Effective priority: -3/-2/-1 for Reset/NMI/HardFault, else the priority byte.
    int priority(unsigned exception) const;

    // AIRCR.PRIGROUP: the number of low bits of a priority that are subpriority is
    // PRIGROUP+1 (B1.5.4, table B1-7).
    void setPriGroup(unsigned prigroup);
    unsigned priGroup() const { return priGroup_; }
    int groupPriority(int priority) const;

    // --- the rules -------------------------------------------------------------
    // B1.5.4 ExecutionPriority(): the highest (numerically lowest) group priority of the
    // active exceptions, boosted by PRIMASK (0), FAULTMASK (-1) and BASEPRI.
    int executionPriority(const PriorityMasks& masks) const;
    // Same without masks: the priority that the active exceptions alone give.
    int activeGroupPriority() const;
    // The pending, enabled exception with the highest priority (lowest group priority,
    // then subpriority, then exception number), whatever the masks.
    std::optional<unsigned> highestPending() const;
    // The exception to take now, if one can preempt the current execution priority.
    std::optional<unsigned> exceptionToTake(const PriorityMasks& masks) const;
    // WFI wakes when an exception would preempt if PRIMASK were clear (B1.5.19).
    bool wouldWake(const PriorityMasks& masks) const;
    // ICSR.RETTOBASE: at most one exception is active.
    bool retToBase() const;
    unsigned activeCount() const;

    // True when some exception is pending and enabled: the core only looks for an
    // exception to take when this holds, so the common case costs one test per block.
    bool anyPendingEnabled() const { return pendingEnabledCount_ != 0; }

    // Called after every change of pending/enabled/priority state.
    void onChange(std::function<void()> f) { onChange_ = std::move(f); }

    void reset();
    static std::string exceptionName(unsigned exception);

private:
    // Pending, active and enabled bits as bitmaps (at most 16 + 240 exceptions): the rules
    // below run on every exception entry and return, so they visit set bits only instead
    // of scanning every IRQ of the chip.
    static constexpr unsigned kWords = 4;
    using Bits = std::array<std::uint64_t, kWords>;
    static bool test(const Bits& b, unsigned e) { return ((b[e >> 6] >> (e & 63)) & 1u) != 0; }
    static void assign(Bits& b, unsigned e, bool v) {
        const std::uint64_t m = std::uint64_t{1} << (e & 63);
        b[e >> 6] = v ? (b[e >> 6] | m) : (b[e >> 6] & ~m);
    }
    // Calls f(e) for every set bit of a & b, lowest exception number first.
    template <typename F>
    static void forEachSet(const Bits& a, const Bits& b, F&& f) {
        for (unsigned w = 0; w < kWords; ++w) {
            for (std::uint64_t x = a[w] & b[w]; x != 0; x &= x - 1) f(w * 64 + std::countr_zero(x));
        }
    }
    bool valid(unsigned e) const { return e >= 1 && e < numExceptions(); }
    void recount();

    unsigned numIrqs_;
    unsigned priorityBits_;
    std::uint8_t priorityMask_;
    unsigned priGroup_ = 0;
    std::vector<std::uint8_t> priority_;  // priority byte per exception
    Bits pending_{};
    Bits active_{};
    Bits enabled_{};
    static constexpr Bits kAll{~0ull, ~0ull, ~0ull, ~0ull};
    unsigned pendingEnabledCount_ = 0;
    std::function<void()> onChange_;
    std::function<std::uint64_t()> now_;
    std::vector<std::uint64_t> pendedAt_;
};

}  // namespace cmsim
