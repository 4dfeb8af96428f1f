#pragma once
// Where the firmware's stacks are, for the stack guard (StackGuard.h): the main stack
// (MSP) between the end of .bss/heap and _estack, and one stack per task, declared by the
// user (--stack NAME=SYMBOL[:SIZE], a scenario's `stacks:`) or inferred from the ELF for
// the bundled scheduler (firmware/kernel: g_task_stacks[SCHED_MAX_TASKS][words], TCBs in
// g_tasks).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cmsim {

class ElfImage;
class SymbolTable;

// A task stack: the stack pointer must stay in [low, high] (full descending stack: high
// is the empty stack, a frame at low fills it).
struct StackRegion {
    std::string name;
    std::uint32_t low = 0;
    std::uint32_t high = 0;
    std::string origin;  // "g_red_stack", "0x20001000", "g_task_stacks[3]"
    // Inferred stacks: the address of the TCB's `name` pointer (read when reporting,
    // since the firmware names its tasks at run time).
    std::optional<std::uint32_t> tcbNameAddress;
};

// The MSP must stay in [low, high]: above the end of .bss/heap, at or below _estack.
struct MainStackBounds {
    std::uint32_t low = 0;
    std::uint32_t high = 0;
    std::string lowOrigin;   // "_end", "end of .bss"
    std::string highOrigin;  // "_estack", "initial MSP"
};

// What a user wrote: NAME=WHERE[:SIZE], WHERE a symbol or an address.
struct StackSpec {
    std::string name;
    std::string where;
    std::optional<std::uint32_t> size;
};

// "SYMBOL", "SYMBOL:SIZE", "0x20001000:1024" (SIZE decimal or 0x hex). nullopt with
// `error` set on bad text.
std::optional<StackSpec> parseStackTarget(std::string name, std::string_view text,
                                          std::string* error);
// "NAME=SYMBOL[:SIZE]" (the --stack option).
std::optional<StackSpec> parseStackSpec(std::string_view text, std::string* error);

// Resolves a spec against the ELF's symbols: an object symbol (its st_size unless SIZE is
// given) or an address with a SIZE. nullopt with `error` set ("no symbol 'x'", "'main' is
// a function, not a stack", "'buf' has no size: give NAME=buf:SIZE").
std::optional<StackRegion> resolveStack(const StackSpec& spec, const SymbolTable& symbols,
                                        std::string* error);

// The bundled scheduler's stacks, one per TCB slot, when the ELF has g_task_stacks and
// g_tasks with sizes that fit the layout of firmware/kernel (20-byte TCBs, name at +12).
std::vector<StackRegion> inferSchedulerStacks(const SymbolTable& symbols);

// The MSP's bounds: low from _ebss/__bss_end__/end/_end/__end__ (the highest), else the
// highest end of .bss/.data/.heap; high from _estack, else `initialMsp` (the vector
// table's word 0). nullopt when neither bound is known.
std::optional<MainStackBounds> mainStackBounds(const ElfImage& image, std::uint32_t initialMsp);

}  // namespace cmsim
