#!/usr/bin/env bash
# Installs cmsim's build and test dependencies from Debian 12 packages.
# Idempotent: packages already present are skipped, and apt is not touched at all
# when everything is installed.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config
    libunicorn-dev libcli11-dev libfmt-dev libspdlog-dev libgtest-dev libgmock-dev
    libelf-dev libdw-dev libyaml-cpp-dev libcapstone-dev
    gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi
    # Pictures of time: nlohmann-json for the timeline; the e2e tests read the VCD back with
    # GTKWave's vcd2fst/fst2vcd and sigrok-cli (PulseView's libsigrok), the SVG with python3.
    nlohmann-json3-dev gtkwave sigrok-cli python3
    # tools/fuzz.sh: clang 14 with libFuzzer and its ASan/UBSan runtimes (libclang-rt-14-dev,
    # only recommended by clang-14), llvm-symbolizer (llvm) for readable stack traces.
    # tools/sanitize.sh uses gcc's runtimes (libasan8, libubsan1: part of build-essential).
    clang libclang-rt-14-dev llvm
    # tools/bench/bench.py (BENCHMARKS.md): Google Benchmark for the micro-costs, and QEMU
    # (netduinoplus2, an STM32F405) as the peer the benchmark firmware is compared with.
    libbenchmark-dev qemu-system-arm
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages already installed"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
