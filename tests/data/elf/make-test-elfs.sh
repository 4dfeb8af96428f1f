#!/bin/sh
# Rebuilds the checked-in test ELFs from their assembly sources. Run from anywhere:
#   tests/data/elf/make-test-elfs.sh
# Needs arm-none-eabi-gcc (Debian: gcc-arm-none-eabi). The sources are assembly and the
# linker scripts fix every address, so the output does not depend on the compiler
# version (only the assembler and linker, whose output for this input is stable).
set -eu
cd "$(dirname "$0")"
CC=${CC:-arm-none-eabi-gcc}
# -nostdlib: no C library or start files; -Wl,-n: no page alignment of segments in the
# file (keeps it tiny); no build id, so the bytes are reproducible.
LDFLAGS="-nostdlib -Wl,-n -Wl,--build-id=none"

# Assemble to a named object first: the STT_FILE symbol then names the source, not a
# random temporary file.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$CC -mcpu=cortex-m4 -mthumb -c -o "$tmp/m4.o" m4.S
$CC -mcpu=cortex-m4 -mthumb $LDFLAGS -T m4.ld -o m4.elf "$tmp/m4.o"
$CC -mcpu=cortex-a7 -marm -c -o "$tmp/a7.o" a7.S
$CC -mcpu=cortex-a7 -marm $LDFLAGS -T a7.ld -o a7.elf "$tmp/a7.o"
ls -l m4.elf a7.elf
