#!/usr/bin/env bash
# Builds everything in build-asan/ with the host code under AddressSanitizer and
# UndefinedBehaviorSanitizer (-DCMSIM_SANITIZE=ON: -fsanitize=address,undefined
# -fno-sanitize-recover=all -fno-omit-frame-pointer) and runs the whole ctest suite there.
# The firmware is cross-compiled as usual (sanitizers are host-only), and the tests that
# run the `cmsim` executable run build-asan's sanitized one. Any sanitizer report fails
# the test it happens in.
#
#   tools/sanitize.sh                 whole suite
#   tools/sanitize.sh -L e2e          extra arguments go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install-deps.sh
build=build-asan
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMSIM_SANITIZE=ON >/dev/null
cmake --build "$build" -j2

# halt_on_error / abort: the first report ends the process with a failure. Leaks count.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" -j2 --output-on-failure "$@"
