#pragma once
// The fault report: what silicon cannot tell you. The exception taken (and whether it was
// escalated), CFSR/HFSR decoded in words, the faulting address, the stacked registers as
// the firmware's handler sees them, the task that was running, and a backtrace with
// source lines when the ELF has DWARF.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "Signals.h"

namespace cmsim {

class Bus;
class SymbolTable;
class SourceLines;

// Bit names set in a CFSR/HFSR value, e.g. "PRECISERR BFARVALID".
std::string decodeCfsr(std::uint32_t cfsr);
std::string decodeHfsr(std::uint32_t hfsr);
// The bit a name stands for ("INVSTATE" -> 1 << 17), nullopt for an unknown name.
std::optional<std::uint32_t> cfsrBit(std::string_view name);
std::optional<std::uint32_t> hfsrBit(std::string_view name);

// `task` is the running task's name ("" if unknown). `sources` may be null.
std::string formatFaultReport(const FaultEvent& fault, Bus& bus, const SymbolTable& symbols,
                              const SourceLines* sources, const std::string& task);

}  // namespace cmsim
