#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (-fsanitize=fuzzer,address,undefined,
# in build-fuzz/, separate from build/), replays every saved crasher, then fuzzes each
# target for a bounded time. A new crasher is kept in tests/fuzz/regressions/<target>/
# (commit it with the fix: the ctest layer `fuzz` replays it in every build from then on).
# Exits non-zero when a saved crasher still fails or a new one is found.
#
#   tools/fuzz.sh                    every target, 60 s each
#   tools/fuzz.sh -t 600 rsp elf     these targets, 10 minutes each
#   CMSIM_FUZZ_SECONDS=300 tools/fuzz.sh
#
# The growing corpus of each target lives in build-fuzz/corpus/<target>/ (seeded from
# tests/fuzz/corpus/<target>/, which is read only), so repeated runs go on from where the
# last one stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${CMSIM_FUZZ_SECONDS:-60}
all_targets=(elf scenario rsp duration semihosting)
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        -t|--time) seconds=$2; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
    [ -f "tests/fuzz/fuzz_$t.cpp" ] || { echo "fuzz.sh: no target '$t' (${all_targets[*]})" >&2; exit 2; }
done

./tools/install-deps.sh
build=build-fuzz
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMSIM_FUZZ=ON -DCMSIM_BUILD_FIRMWARE=OFF -DCMSIM_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
summary=()
for t in "${targets[@]}"; do
    bin="$build/tests/fuzz/fuzz_$t"
    regressions="tests/fuzz/regressions/$t"
    corpus="$build/corpus/$t"
    log="$build/fuzz-$t.log"
    mkdir -p "$regressions" "$corpus"

    # 1. Every saved crasher must pass now.
    mapfile -t saved < <(find "$regressions" -type f ! -name '.*' ! -name 'README.md' | sort)
    if [ ${#saved[@]} -gt 0 ]; then
        echo "fuzz.sh: $t: replaying ${#saved[@]} saved inputs from $regressions"
        if ! "$bin" -runs=1 "${saved[@]}" >"$build/replay-$t.log" 2>&1; then
            echo "fuzz.sh: $t: a saved input in $regressions still fails:" >&2
            tail -40 "$build/replay-$t.log" >&2
            failed+=("$t (saved input)")
            continue
        fi
    fi

    # 2. Fuzz. New inputs go to the work corpus; crashers, leaks, timeouts and
    #    out-of-memory inputs to the regressions directory.
    echo "fuzz.sh: $t: fuzzing for $seconds s"
    set +e
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -print_final_stats=1 -artifact_prefix="$regressions/" \
        "$corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1
    rc=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
    corp=$(find "$corpus" -type f | wc -l)
    summary+=("$(printf '%-12s %12s execs %8s/s  %-22s corpus %5s  %s' "$t" "${execs:-?}" \
        "${rate:-?}" "${cov:-?}" "$corp" "$([ $rc -eq 0 ] && echo ok || echo FOUND)")")
    if [ $rc -ne 0 ]; then
        echo "fuzz.sh: $t: libFuzzer exited $rc; input saved in $regressions/:" >&2
        grep -E '^(==[0-9]+==|SUMMARY|fuzz check failed|.*runtime error|artifact_prefix|Test unit written)' "$log" \
            | head -20 >&2 || true
        tail -60 "$log" >"$build/fuzz-$t.tail"
        failed+=("$t")
    fi
done

echo
echo "fuzz.sh: $seconds s per target"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: FAILED: ${failed[*]} (logs in $build/fuzz-*.log)" >&2
    exit 1
fi
echo "fuzz.sh: no crash, leak, timeout or failed check"
