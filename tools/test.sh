#!/usr/bin/env bash
# Installs what is missing, builds everything (host side and firmware) and runs the
# whole test suite. The README's test command; CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install-deps.sh
cmake -S . -B build -G Ninja
cmake --build build -j2
ctest --test-dir build -j2 --output-on-failure
