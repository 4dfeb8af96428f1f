#pragma once
// Complaints about a run, in two kinds that users need told apart (as QEMU's
// LOG_GUEST_ERROR vs LOG_UNIMP): a firmware mistake (the guest did something the
// reference manual forbids or that has no effect on silicon) and a model gap (the guest
// did something legal that cmsim does not model). Both name where the core was.
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cmsim {

enum class DiagnosticKind { FirmwareMistake, ModelGap, Note };

struct Diagnostic {
    DiagnosticKind kind;
    std::string source;    // peripheral or core unit, e.g. "GPIOD", "RCC", "NVIC"
    std::string message;
    std::string location;  // "PC 0x08000214 (main+0x1c)" when known
};

class Diagnostics {
public:
    void firmwareMistake(std::string_view source, std::string message);
    void modelGap(std::string_view source, std::string message);
    void note(std::string_view source, std::string message);
    // Same, but only the first time `key` is seen in this run.
    void firmwareMistakeOnce(std::string_view key, std::string_view source, std::string message);
    void modelGapOnce(std::string_view key, std::string_view source, std::string message);

    // Where the core is, e.g. "PC 0x08000214 (main+0x1c)"; set by the machine.
    void setLocationProvider(std::function<std::string()> f) { location_ = std::move(f); }
    // Every diagnostic is also passed to these (console log, scenario checker, tests).
    void addSink(std::function<void(const Diagnostic&)> sink) { sinks_.push_back(std::move(sink)); }

    const std::vector<Diagnostic>& all() const { return all_; }
    std::size_t count(DiagnosticKind kind) const;

private:
    void emit(DiagnosticKind kind, std::string_view source, std::string message);
    std::function<std::string()> location_;
    std::vector<std::function<void(const Diagnostic&)>> sinks_;
    std::vector<Diagnostic> all_;
    std::set<std::string, std::less<>> seen_;
};

}  // namespace cmsim
