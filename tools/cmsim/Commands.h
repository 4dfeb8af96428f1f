#pragma once
// Each cmsim command registers its options on the CLI11 app and returns the function
// that runs it; main() parses and dispatches. Commands are thin: the work is done by the
// cmsim library.
#include <CLI/CLI.hpp>

#include <functional>
#include <utility>

namespace cmsim::cli {

using Action = std::function<int()>;

// `cmsim FIRMWARE.elf --board f407 ...`: options on the top-level app.
Action setupRunCommand(CLI::App& app);

// `cmsim test PATH...`: scenario files (test_command.cpp).
std::pair<CLI::App*, Action> setupTestCommand(CLI::App& app);

// Prints "cmsim: <message>" on stderr and returns exit code 2.
int badUsage(const std::string& message);

}  // namespace cmsim::cli
