#include "Machine.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "ElfImage.h"
#include "Errors.h"
#include "HostInterrupt.h"
#include "boards/Boards.h"
#include "peripherals/ClockGatedPeripheral.h"
#include "peripherals/CoreDebug.h"
#include "peripherals/Dwt.h"
#include "peripherals/Itm.h"
#include "peripherals/NvicRegisters.h"
#include "peripherals/Stm32Dbgmcu.h"
#include "peripherals/Stm32f4Flash.h"
#include "peripherals/Stm32f4Gpio.h"
#include "peripherals/Stm32f4Pwr.h"
#include "peripherals/Stm32f4Rcc.h"
#include "peripherals/Stm32h7Dbgmcu.h"
#include "peripherals/Stm32h7Flash.h"
#include "peripherals/Stm32h7Pwr.h"
#include "peripherals/Stm32h7Rcc.h"
#include "peripherals/SystemControlSpace.h"
#include "peripherals/Tpiu.h"
#include "peripherals/UnmodelledBlock.h"

namespace cmsim {

namespace {
constexpr std::uint32_t kScsBase = 0xE000E000;

uc_cpu_arm unicornModel(CoreKind kind) {
    return kind == CoreKind::CortexM7 ? UC_CPU_ARM_CORTEX_M7 : UC_CPU_ARM_CORTEX_M4;
}

// Presents a family's RCC model as the machine's ClockController.
template <typename Rcc>
class RccClocks final : public ClockController {
public:
    explicit RccClocks(Rcc& rcc) : rcc_(rcc) {}
    std::uint64_t sysclkHz() const override { return rcc_.sysclkHz(); }
    std::uint64_t hclkHz() const override { return rcc_.hclkHz(); }
    bool isGateEnabled(const ClockGate& g) const override { return rcc_.isGateEnabled(g); }

private:
    Rcc& rcc_;
};

// Owns a family RCC model together with its ClockController view.
template <typename Rcc>
class OwnedRcc final : public Peripheral {
public:
    OwnedRcc(std::unique_ptr<Rcc> rcc, PeripheralContext& ctx)
        : Peripheral(rcc->name(), rcc->sizeBytes(), ctx), rcc_(std::move(rcc)), clocks_(*rcc_) {}
    void reset() override { rcc_->reset(); }
    std::uint32_t read(std::uint32_t o, unsigned w) override { return rcc_->read(o, w); }
    void write(std::uint32_t o, unsigned w, std::uint32_t v) override { rcc_->write(o, w, v); }
    std::string_view registerName(std::uint32_t o) const override { return rcc_->registerName(o); }
    std::string describeValue(std::uint32_t o, std::uint32_t v, bool w) const override {
        return rcc_->describeValue(o, v, w);
    }
    Rcc& model() { return *rcc_; }
    const ClockController& clocks() const { return clocks_; }

private:
    std::unique_ptr<Rcc> rcc_;
    RccClocks<Rcc> clocks_;
};
}  // namespace

Machine::Machine(const BoardDescription& board, MachineOptions options)
    : board_(board),
      options_(options),
      time_(board.chip.resetCpuHz),
      nvic_(board.chip.core.numIrqs, board.chip.core.priorityBits),
      ctx_{time_, events_, diag_, signals_,
           [this](unsigned irq) { nvic_.setPending(exc::kFirstIrq + irq); }},
      uc_(std::make_unique<Unicorn>(unicornModel(board.chip.core.kind))),
      bus_(std::make_unique<Bus>(*uc_)) {
    nvic_.setClock([this] { return time_.now(); });
    for (const auto& region : board_.chip.memory) {
        if (region.aliasOf.empty()) bus_->mapMemory(region);
    }
    for (const auto& region : board_.chip.memory) {
        if (!region.aliasOf.empty()) bus_->mapMemory(region);
    }
    for (const auto& bb : board_.chip.bitBand) bus_->mapBitBand(bb);
    buildCorePeripherals();
    buildChipPeripherals();
    core_ = std::make_unique<CortexM>(
        CortexM::Deps{*uc_, *bus_, time_, events_, nvic_, *scb_, diag_, signals_}, board_.chip.core);
    if (auto* flash = dynamic_cast<Stm32f4Flash*>(peripheral("FLASH"))) {
        // Stores to the flash array (or its boot alias at 0) go to the flash interface,
        // which answers without a bus error (RM0090 §3.9.4).
        core_->setReadOnlyStoreHandler([this, flash](std::uint32_t address, unsigned bytes) {
            const MemoryRegion* r = bus_->regionOrAliasAt(address);
            return r != nullptr && r->kind == RegionKind::Flash &&
                   flash->storeToFlash(address, bytes);
        });
    }
    core_->setIdleLoopSkipping(options_.skipIdleLoops);
    diag_.setLocationProvider([this] {
        return fmt::format("in the block at {}", core_->describePc(core_->blockAddress()));
    });
    time_.onClockChange([this](std::uint64_t) {
        if (timeLimit_) core_->setRunLimit(std::min(time_.cyclesAt(*timeLimit_), sliceEnd_));
    });
    resetPeripherals();
}

Machine::~Machine() = default;

CoreStop Machine::runUntilTime(Picoseconds until) {
    timeLimit_ = until;
    CoreStop stop = run(time_.cyclesAt(until));
    timeLimit_.reset();
    return stop;
}

void Machine::buildCorePeripherals() {
    const CoreConfig& core = board_.chip.core;
    scb_ = std::make_unique<Scb>(
        ctx_, core, nvic_,
        Scb::Hooks{[this] { return core_ ? core_->ipsr() : 0u; },
                   [this] {
                       core_->requestStop(CoreStop{CoreStop::Reason::SystemReset,
                                                   "AIRCR.SYSRESETREQ", core_->blockAddress()});
                   }});
    sysTick_ = std::make_unique<SysTick>(
        ctx_, SysTick::Config{core.systickCalib, core.systickExternalDivider},
        [this] { nvic_.setPending(exc::kSysTick); });
    auto nvicRegs = std::make_unique<NvicRegisters>(ctx_, nvic_);
    auto scnscb = std::make_unique<ScnScb>(ctx_, core.numIrqs);
    auto debug = std::make_unique<CoreDebug>(ctx_);
    auto mpu = std::make_unique<UnmodelledBlock>("MPU", 0x30, ctx_);
    auto ids = std::make_unique<UnmodelledBlock>("SCS identification registers", 0x30, ctx_);

    scs_ = std::make_unique<SystemControlSpace>(ctx_);
    // Narrow ranges first: they overlap the SCB's span (ARM ARM Table B3-3).
    scs_->addUnit(0x000, 0x010, *scnscb, 0);
    scs_->addUnit(0x010, 0x010, *sysTick_, 0);
    scs_->addUnit(0x100, 0x400, *nvicRegs, 0);
    scs_->addUnit(0xF00, 0x004, *nvicRegs, NvicRegisters::kStir);
    scs_->addUnit(0xD90, 0x030, *mpu, 0);
    scs_->addUnit(0xDF0, 0x010, *debug, 0);
    scs_->addUnit(0xFD0, 0x030, *ids, 0);
    scs_->addUnit(0xD00, Scb::kSize, *scb_, 0);
    // Debug and trace units of the core (ARM ARM C1; same addresses on every ARMv7-M).
    auto* demcr = debug.get();
    auto itm = std::make_unique<Itm>(
        ctx_, [demcr] { return (demcr->demcr() & (1u << 24)) != 0; },
        [demcr] { demcr->setValue(CoreDebug::kDemcr, demcr->demcr() | (1u << 24)); });
    auto dwt = std::make_unique<Dwt>(
        ctx_, Dwt::Sources{[demcr] { return (demcr->demcr() & (1u << 24)) != 0; },
                           [this] { return core_ ? core_->sleptCycles() : 0; },
                           [this] { return core_ ? core_->exceptionOverheadCycles() : 0; },
                           [this] { return core_ ? core_->blockAddress() : 0u; }});
    auto tpiu = std::make_unique<Tpiu>(ctx_);
    itm_ = itm.get();
    dwt_ = dwt.get();
    bus_->mapPeripheral(0xE0000000, 0x1000, *itm);
    bus_->mapPeripheral(0xE0001000, 0x1000, *dwt);
    bus_->mapPeripheral(0xE0040000, 0x1000, *tpiu);
    coreUnits_.push_back(std::move(itm));
    coreUnits_.push_back(std::move(dwt));
    coreUnits_.push_back(std::move(tpiu));
    coreUnits_.push_back(std::move(nvicRegs));
    coreUnits_.push_back(std::move(scnscb));
    coreUnits_.push_back(std::move(debug));
    coreUnits_.push_back(std::move(mpu));
    coreUnits_.push_back(std::move(ids));
    bus_->mapPeripheral(kScsBase, 0x1000, *scs_);
}

std::unique_ptr<Peripheral> Machine::makeModel(const PeripheralBlock& block) {
    const std::string_view model = block.model;
    if (model == "stm32f4.rcc") {
        auto owned = std::make_unique<OwnedRcc<Stm32f4Rcc>>(
            std::make_unique<Stm32f4Rcc>(ctx_, board_.hseHz), ctx_);
        clocks_ = &owned->clocks();
        owned->model().onPeripheralReset([this](std::string_view reg, unsigned bit) {
            for (std::size_t i = 0; i < peripherals_.size(); ++i) {
                const auto& gate = peripheralBlocks_[i]->gate;
                if (gate && gate->resetRegister == reg && gate->bit == bit) peripherals_[i]->reset();
            }
        });
        // BDCR is write-protected until PWR_CR.DBP is set (RM0090 §5.1.2); the PWR block
        // is looked up when BDCR is written, since it is built after the RCC.
        owned->model().setBackupDomainWritable([this] {
            auto* gated = dynamic_cast<ClockGatedPeripheral*>(peripheral("PWR"));
            auto* pwr = gated != nullptr ? dynamic_cast<Stm32f4Pwr*>(&gated->inner()) : nullptr;
            return pwr != nullptr && pwr->backupDomainWritable();
        });
        return owned;
    }
    if (model == "stm32h7.rcc") {
        auto owned = std::make_unique<OwnedRcc<Stm32h7Rcc>>(
            std::make_unique<Stm32h7Rcc>(ctx_, board_.hseHz), ctx_);
        clocks_ = &owned->clocks();
        owned->model().onPeripheralReset([this](std::string_view reg, unsigned bit) {
            for (std::size_t i = 0; i < peripherals_.size(); ++i) {
                const auto& gate = peripheralBlocks_[i]->gate;
                if (gate && gate->resetRegister == reg && gate->bit == bit) peripherals_[i]->reset();
            }
        });
        // RCC_BDCR is write-protected until PWR_CR1.DBP is set (RM0468 §6.8); the PWR is
        // looked up when BDCR is written, since it is built after the RCC.
        owned->model().setBackupDomainWritable([this] {
            auto* pwr = dynamic_cast<Stm32h7Pwr*>(peripheral("PWR"));
            return pwr != nullptr && pwr->backupDomainWritable();
        });
        return owned;
    }
    if (model == "stm32h7.pwr" || model == "stm32h7.flash") {
        // Both check their limits against the clock tree (and the FLASH against the voltage
        // scale in effect); the RCC is always built first.
        auto* owned = dynamic_cast<OwnedRcc<Stm32h7Rcc>*>(peripheral("RCC"));
        if (owned == nullptr) {
            throw std::logic_error(fmt::format("chip {}: block {} needs an stm32h7.rcc block",
                                               board_.chip.name, block.name));
        }
        Stm32h7Rcc& rcc = owned->model();
        auto h7Flash = [this] { return dynamic_cast<Stm32h7Flash*>(peripheral("FLASH")); };
        auto h7Pwr = [this] { return dynamic_cast<Stm32h7Pwr*>(peripheral("PWR")); };
        if (model == "stm32h7.pwr") {
            auto pwr = std::make_unique<Stm32h7Pwr>(ctx_);
            pwr->setClockSource([&rcc] { return rcc.clocks(); });
            pwr->setCpuFreqBoost(
                [h7Flash] { return h7Flash() != nullptr && h7Flash()->cpuFreqBoost(); });
            pwr->onVoltageScaleChange([h7Flash] {
                if (auto* flash = h7Flash()) flash->checkLatency();
            });
            rcc.onClocksChanged([p = pwr.get()](const Stm32h7Clocks&) { p->checkClocks(); });
            return pwr;
        }
        auto flash = std::make_unique<Stm32h7Flash>(ctx_);
        flash->setClockSource([&rcc] { return rcc.clocks(); });
        flash->setVoltageScale(
            [h7Pwr] { return h7Pwr() != nullptr ? h7Pwr()->activeVoltageScale() : 3u; });
        rcc.onClocksChanged([f = flash.get()](const Stm32h7Clocks&) { f->checkLatency(); });
        return flash;
    }
    if (model == "stm32h7.gpio") {
        // Same register model as the F4 ports, with the H7 reset values (RM0468 §11.4).
        const char port = block.name.back();
        const ClockGate gate = *block.gate;
        return std::make_unique<Stm32f4Gpio>(
            ctx_, port, [this, gate] { return clocks_->isGateEnabled(gate); }, GpioFamily::Stm32h7);
    }
    if (model == "stm32h7.dbgmcu") {
        return std::make_unique<Stm32h7Dbgmcu>(ctx_, board_.chip.dbgmcuIdcode);
    }
    if (model == "stm32.dbgmcu") return std::make_unique<Stm32Dbgmcu>(ctx_, board_.chip.dbgmcuIdcode);
    if (model == "stm32f4.pwr") return std::make_unique<Stm32f4Pwr>(ctx_);
    if (model == "stm32f4.flash") return std::make_unique<Stm32f4Flash>(ctx_);
    if (model == "stm32f4.gpio") {
        // The port letter is the last character of the block name (GPIOA..GPIOK).
        const char port = block.name.back();
        const ClockGate gate = *block.gate;
        return std::make_unique<Stm32f4Gpio>(ctx_, port,
                                             [this, gate] { return clocks_->isGateEnabled(gate); });
    }
    if (model == "unmodelled") {
        std::function<void(bool, std::uint32_t, std::uint32_t)> onAccess;
        if (options_.strict) {
            const std::string name(block.name);
            const std::uint32_t base = block.base;
            onAccess = [this, name, base](bool isWrite, std::uint32_t off, std::uint32_t) {
                core_->requestStop(CoreStop{
                    CoreStop::Reason::Requested,
                    fmt::format("--strict: {} 0x{:08x} ({}+0x{:03x}), a block cmsim does not model, "
                                "in the block at {}",
                                isWrite ? "write to" : "read of", base + off, name, off,
                                core_->describePc(core_->blockAddress())),
                    core_->blockAddress()});
            };
        }
        return std::make_unique<UnmodelledBlock>(std::string(block.name), block.size, ctx_,
                                                 std::move(onAccess));
    }
    throw std::logic_error(fmt::format("chip {}: block {} names unknown model '{}'", board_.chip.name,
                                       block.name, block.model));
}

void Machine::buildChipPeripherals() {
    // The RCC first: other blocks ask it whether their clock runs.
    std::vector<const PeripheralBlock*> order;
    for (const auto& b : board_.chip.peripherals) {
        if (b.model.ends_with(".rcc")) order.insert(order.begin(), &b);
        else order.push_back(&b);
    }
    for (const PeripheralBlock* b : order) {
        std::unique_ptr<Peripheral> p = makeModel(*b);
        if (b->gate && !b->model.ends_with(".gpio") && b->model != "unmodelled") {
            // GPIO ports apply their own gate (they must also keep pin levels); other
            // gated models are wrapped.
            const ClockGate gate = *b->gate;
            p = std::make_unique<ClockGatedPeripheral>(
                std::move(p), gate, [this, gate] { return clocks_->isGateEnabled(gate); }, ctx_);
        }
        bus_->mapPeripheral(b->base, b->size, *p);
        peripherals_.push_back(std::move(p));
        peripheralBlocks_.push_back(b);
    }
}

Peripheral* Machine::peripheral(std::string_view name) {
    for (std::size_t i = 0; i < peripherals_.size(); ++i) {
        if (peripheralBlocks_[i]->name == name) return peripherals_[i].get();
    }
    if (name == "SCB") return scb_.get();
    if (name == "SysTick") return sysTick_.get();
    return nullptr;
}

void Machine::resetPeripherals() {
    // Each device deschedules its own events on reset; events owned by sinks (trace
    // windows) stay scheduled.
    nvic_.reset();
    time_.reset(board_.chip.resetCpuHz);
    scs_->reset();
    itm_->reset();
    dwt_->reset();
    scb_->setValue(Scb::kVtor, board_.chip.vtorReset);
    for (auto& p : peripherals_) p->reset();
}

void Machine::load(const ElfImage& image) {
    // The size of the vector table says which chip the image was built for: 16 system
    // entries plus one per IRQ line of the chip it targets. The F407 and H723 images even
    // share their flash and RAM addresses, so the memory checks below cannot tell them
    // apart. A table longer than this board's, or exactly another board's, is an image for
    // another chip (a shorter table of unknown length may just omit unused vectors).
    if (const auto isr = image.sectionBytes(".isr_vector"); isr && isr->size() % 4 == 0) {
        const std::size_t entries = isr->size() / 4;
        const std::size_t mine = 16 + board_.chip.core.numIrqs;
        const BoardDescription* other = nullptr;
        for (auto id : boardIds()) {
            const BoardDescription* b = findBoard(id);
            if (b != nullptr && b->id != board_.id && 16 + b->chip.core.numIrqs == entries) {
                other = b;
            }
        }
        if (entries != mine && (other != nullptr || entries > mine)) {
            throw InputError(fmt::format(
                "{}: its vector table (.isr_vector) has {} entries (16 + {} IRQs){}, but board {} "
                "({}, {}) has 16 + {}: the image is built for another chip{}",
                image.displayName(), entries, entries - 16,
                other != nullptr ? fmt::format(", the {}'s", other->chip.name) : std::string(),
                board_.id, board_.fullName, board_.chip.name, board_.chip.core.numIrqs,
                other != nullptr ? fmt::format(" (run it with --board {})", other->id)
                                 : std::string()));
        }
    }
    for (std::size_t i = 0; i < image.segments().size(); ++i) {
        const LoadSegment& seg = image.segments()[i];
        const auto size = static_cast<std::uint32_t>(seg.bytes.size());
        const MemoryRegion* region = bus_->regionAt(seg.address);
        const bool fits = region != nullptr && region->kind != RegionKind::Rom &&
                          bus_->hostPointer(seg.address, size) != nullptr;
        if (!fits) {
            throw InputError(fmt::format(
                "{}: segment {} (0x{:08x}..0x{:08x}, {} bytes) is outside the memory of board {} "
                "({}, {}){}",
                image.displayName(), i, seg.address, seg.address + size - 1, size, board_.id,
                board_.fullName, board_.chip.name,
                region == nullptr ? "" : fmt::format(": it overruns {}", region->name)));
        }
        bus_->load(seg.address, seg.bytes);
    }
    symbols_ = image.symbols();
    core_->setSymbols(&symbols_);
    loaded_ = true;

    // Semihosting's SYS_HEAPINFO: heap from the linker's `end` to the bottom of the
    // reserved main stack, stack from the initial MSP down by _Min_Stack_Size (4 KiB if
    // the image does not say).
    SemihostingConfig sh = options_.semihosting;
    const auto initialSp = bus_->readPhysical(board_.chip.bootAddress, 4).value_or(0);
    std::uint32_t heapBase = 0;
    for (const char* name : {"end", "_end", "__end__"}) {
        if (auto s = symbols_.byName(name)) {
            heapBase = s->address;
            break;
        }
    }
    const std::uint32_t stackSize =
        symbols_.byName("_Min_Stack_Size") ? symbols_.byName("_Min_Stack_Size")->address : 0x1000;
    sh.stackBase = initialSp;
    sh.stackLimit = initialSp > stackSize ? initialSp - stackSize : 0;
    sh.heapBase = heapBase;
    sh.heapLimit = sh.stackLimit;
    semihosting_ = std::make_unique<Semihosting>(*uc_, *bus_, time_, signals_, std::move(sh));
    core_->setBreakpointInstructionHandler([this](std::uint32_t pc, std::uint8_t imm) {
        if (imm != 0xAB) return false;  // an ordinary breakpoint: stop
        if (const auto code = semihosting_->handle()) {
            core_->requestStop(CoreStop{CoreStop::Reason::Exited,
                                        fmt::format("the firmware exited with code {} (semihosting)", *code),
                                        pc, *code});
        }
        return true;
    });
}

void Machine::powerOnReset() {
    resetPeripherals();
    // Only a power-on reset unlocks the H7 supply configuration (PWR_CR3, RM0468 §6.4).
    if (auto* pwr = dynamic_cast<Stm32h7Pwr*>(peripheral("PWR"))) pwr->powerOnReset();
    const std::uint32_t boot = board_.chip.bootAddress;
    const auto sp = bus_->readPhysical(boot, 4);
    const auto pc = bus_->readPhysical(boot + 4, 4);
    const std::string where = fmt::format("the boot address 0x{:08x} ({})", boot, bus_->describe(boot));
    if (!sp || !pc || (*sp == 0xFFFFFFFF && *pc == 0xFFFFFFFF)) {
        throw InputError(fmt::format("no vector table at {} of board {}: the image does not put one "
                                     "where this board boots",
                                     where, board_.id));
    }
    const MemoryRegion* spRegion = bus_->regionAt(*sp - 4);
    if (spRegion == nullptr || spRegion->kind != RegionKind::Ram) {
        throw InputError(fmt::format("the vector table at {} gives initial SP 0x{:08x}, which is not "
                                     "in RAM on board {}: is this image built for another board?",
                                     where, *sp, board_.id));
    }
    const MemoryRegion* pcRegion = bus_->regionAt(*pc & ~1u);
    if (pcRegion == nullptr || !pcRegion->executable) {
        throw InputError(fmt::format("the vector table at {} gives reset vector 0x{:08x}, which is "
                                     "not executable memory on board {}",
                                     where, *pc, board_.id));
    }
    std::string error;
    if (!core_->reset(boot, &error)) throw InputError(error);
}

void Machine::systemReset() {
    ++systemResets_;
    resetPeripherals();
    std::string error;
    if (!core_->reset(board_.chip.bootAddress, &error)) {
        diag_.note("core", "after system reset: " + error);
    }
}

CoreStop Machine::run(Cycles untilCycle) {
    while (true) {
        CoreStop stop = runSliced(untilCycle);
        if (stop.reason != CoreStop::Reason::SystemReset) return stop;
        // AIRCR.SYSRESETREQ: a system reset; RAM keeps its contents (RM0090 §7.1.2).
        ++systemResets_;
        diag_.note("core", fmt::format("system reset requested (AIRCR.SYSRESETREQ) at {}",
                                       core_->describePc(stop.pc)));
        resetPeripherals();
        std::string error;
        if (!core_->reset(board_.chip.bootAddress, &error)) {
            return CoreStop{CoreStop::Reason::Fault, "after system reset: " + error, 0};
        }
    }
}

void Machine::stopOnInterrupt(Cycles slice, std::function<int()> poll) {
    setSliceCheck(slice, [this, poll = std::move(poll)]() -> std::optional<CoreStop> {
        const int signal = poll();
        if (signal == 0) return std::nullopt;
        return CoreStop{CoreStop::Reason::Interrupted,
                        fmt::format("interrupted by {}", HostInterrupt::name(signal)), core_->pc(),
                        HostInterrupt::exitCodeFor(signal)};
    });
}

CoreStop Machine::runSliced(Cycles untilCycle) {
    if (!sliceCheck_ || sliceCycles_ == 0) return core_->run(untilCycle);
    struct SliceEnd {
        Cycles& end;
        ~SliceEnd() { end = ~Cycles{0}; }
    } reset{sliceEnd_};
    while (true) {
        // Under a time limit the end moves with every clock change; a cycle limit stays.
        const Cycles target = timeLimit_ ? time_.cyclesAt(*timeLimit_) : untilCycle;
        const Cycles now = time_.now();
        sliceEnd_ = now + std::min(sliceCycles_, target > now ? target - now : 0);
        CoreStop stop = core_->run(std::min(target, sliceEnd_));
        if (stop.reason != CoreStop::Reason::TimeLimit) return stop;
        if (time_.now() >= (timeLimit_ ? time_.cyclesAt(*timeLimit_) : untilCycle)) return stop;
        if (auto s = sliceCheck_()) return *s;
    }
}

}  // namespace cmsim
