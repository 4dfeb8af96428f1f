// cmsim: run Cortex-M firmware on an emulated STM32 board. A thin layer of argument
// parsing over the cmsim library (emulator/); each command lives in its own file.
#include <CLI/CLI.hpp>

#include <iostream>

#include "Commands.h"
#include "HostInterrupt.h"
#include "Session.h"

namespace cmsim::cli {
int badUsage(const std::string& message) {
    std::cerr << "cmsim: " << message << '\n';
    return exit_code::kBadInput;
}
}  // namespace cmsim::cli

int main(int argc, char** argv) {
    using namespace cmsim::cli;
    CLI::App app{"cmsim: run Cortex-M firmware on an emulated STM32 board, in simulated time"};
    app.footer(
        "Example:\n"
        "  cmsim build/firmware/f407/blinky.elf --board f407 --for 3s\n\n"
        "Exit codes: 0 ok, 1 an expectation failed, 2 bad input or usage,\n"
        "            3 the firmware faulted or locked up,\n"
        "            130/143 interrupted by SIGINT/SIGTERM (summary and files complete).");
    const Action runMain = setupRunCommand(app);
    // Subcommands register here (each returns the action run when it was given).
    std::vector<std::pair<CLI::App*, Action>> subcommands;
    subcommands.push_back(setupTestCommand(app));

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // One line, exit code 2 (CLI11's own exit codes are not ours).
        return badUsage(std::string(e.what()) + " (see cmsim --help)");
    }
    // SIGINT/SIGTERM end a run cleanly (exit 130/143) instead of killing the process.
    cmsim::HostInterrupt::install();
    try {
        for (auto& [sub, action] : subcommands) {
            if (sub->parsed()) return action();
        }
        return runMain();
    } catch (const std::exception& e) {
        // A cmsim bug, not the user's or the firmware's: EX_SOFTWARE, outside 0-3.
        std::cerr << "cmsim: internal error (please report): " << e.what() << '\n';
        return 70;
    }
}
