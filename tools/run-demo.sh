#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the main job: the bundled
# STM32F407 Discovery scheduler firmware for 3 simulated seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install-deps.sh
cmake -S . -B build -G Ninja
cmake --build build -j2
./build/cmsim build/firmware/f407/blinky.elf --board f407 --for 3s "$@"
