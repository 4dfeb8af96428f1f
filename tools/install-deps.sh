#!/usr/bin/env bash
# Installs cmsim's build and test dependencies from Debian 12 packages.
# Idempotent: packages already present are skipped, and apt is not touched at all
# when everything is installed.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config
    libunicorn-dev libcli11-dev libfmt-dev libspdlog-dev libgtest-dev libgmock-dev
    libelf-dev libyaml-cpp-dev libcapstone-dev
    gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi
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
