#pragma once
// SIGINT and SIGTERM stop a run cleanly: the run ends at the next slice boundary (see
// Machine::setSliceCheck), the summary is printed and every output file is completed.
#include <atomic>

namespace cmsim {

class HostInterrupt {
  public:
    // Installs the SIGINT and SIGTERM handlers (sigaction; the CLI does this once).
    static void install();
    // The signal received (SIGINT, SIGTERM), or 0.
    static int pending() { return signal_.load(std::memory_order_relaxed); }
    // Shell convention for a run ended by a signal: 128 + its number (130 SIGINT, 143 SIGTERM).
    static int exitCodeFor(int signal) { return 128 + signal; }
    // "SIGINT", "SIGTERM".
    static const char* name(int signal);

  private:
    // The one piece of global state in cmsim, because a POSIX signal handler can reach
    // nothing else: it may only store to a lock-free atomic (or a volatile sig_atomic_t) of
    // static storage duration (C++20 [support.signal]). The run polls it between slices.
    static std::atomic<int> signal_;
    static_assert(std::atomic<int>::is_always_lock_free);
    static void handler(int signal);
};

}  // namespace cmsim
