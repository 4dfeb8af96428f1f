#include "HostInterrupt.h"

#include <csignal>

namespace cmsim {

std::atomic<int> HostInterrupt::signal_{0};

void HostInterrupt::handler(int signal) {
    signal_.store(signal, std::memory_order_relaxed);
}

void HostInterrupt::install() {
    struct sigaction action {};
    action.sa_handler = &HostInterrupt::handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // blocking host I/O (gdb socket, files) just goes on
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

const char* HostInterrupt::name(int signal) {
    switch (signal) {
        case SIGINT:
            return "SIGINT";
        case SIGTERM:
            return "SIGTERM";
        default:
            return "a signal";
    }
}

}  // namespace cmsim
