#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset "fuzz": clang, ASan + UBSan, no LibTorch) and fuzzes
# each for a bounded time (as many at once as there are cores), starting from a copy of its
# committed corpus and regressions. Exits
# non-zero on any finding (crash, sanitizer report, broken property, hang, out-of-memory) and
# prints the path of the input that caused it. packaging/test.sh calls it after CTest.
#
# Usage: tests/fuzz/run-fuzzers.sh [SECONDS_PER_TARGET]   (default 60)
# STUDIO_FUZZ_TARGETS="project idx" runs only those targets. Work folders (the grown corpus, the
# log and any finding) are kept under build/fuzz/fuzz-runs/<target>/.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
fuzz_dir="$root/tests/fuzz"
seconds=${1:-60}
targets=(${STUDIO_FUZZ_TARGETS:-project modelmetadata idx csv tiff})

fail() {
    echo "run-fuzzers: $*" >&2
    exit 2
}

[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 1 ]] \
    || fail "SECONDS_PER_TARGET must be a whole number of seconds (at least 1), got '$seconds'."
command -v clang++ >/dev/null 2>&1 \
    || fail "clang++ is not installed. Install Debian's clang and libclang-rt-14-dev" \
        "(bash packaging/install-deps.sh installs them)."

cd "$root"
echo "run-fuzzers: building the fuzz preset (build/fuzz)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"

runs="$root/build/fuzz/fuzz-runs"

# Fuzzes one target (libFuzzer uses one core) in its work folder; prints its summary, and writes
# what failed, one line each, to $work/failures.
fuzz_one() {
    local target=$1
    local binary="$root/build/fuzz/tests/fuzz/fuzz_$target"
    local work="$runs/$target"
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/findings"
    : >"$work/failures"
    cp "$fuzz_dir/corpus/$target/"* "$work/corpus/"
    if [[ -d "$fuzz_dir/regressions/$target" ]]; then
        find "$fuzz_dir/regressions/$target" -maxdepth 1 -type f -exec cp {} "$work/corpus/" \;
    fi
    # Inputs take milliseconds; the generous timeout only keeps a busy machine from looking hung.
    local options=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len=8192
                   -print_final_stats=1 -artifact_prefix="$work/findings/")
    if [[ -f "$fuzz_dir/$target.dict" ]]; then
        options+=(-dict="$fuzz_dir/$target.dict")
    fi
    echo "run-fuzzers: fuzz_$target for ${seconds} s (log: $work/fuzz.log)"
    local status=0
    ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}" \
        UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
        "$binary" "${options[@]}" "$work/corpus" >"$work/fuzz.log" 2>&1 || status=$?
    local executions coverage found slow
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -n 1)
    coverage=$(grep -o 'cov: [0-9]*' "$work/fuzz.log" | tail -n 1 || true)
    echo "run-fuzzers: fuzz_$target: ${executions:-?} executions, ${coverage:-cov: ?}," \
        "$(find "$work/corpus" -type f | wc -l) corpus inputs, exit status $status"
    # slow-unit-* files are libFuzzer's notes about inputs that took long, not failures.
    found=$(find "$work/findings" -type f ! -name 'slow-unit-*' | sort)
    slow=$(find "$work/findings" -type f -name 'slow-unit-*' | sort)
    if [[ -n "$slow" ]]; then
        echo "run-fuzzers: note: slow inputs (not failures): $(echo $slow)"
    fi
    if [[ $status -ne 0 || -n "$found" ]]; then
        echo "run-fuzzers: FINDING in fuzz_$target. The last lines of its log:" >&2
        tail -n 40 "$work/fuzz.log" >&2
        if [[ -n "$found" ]]; then
            while IFS= read -r input; do
                echo "run-fuzzers: input that fails: $input" >&2
                echo "$input" >>"$work/failures"
            done <<<"$found"
        else
            echo "fuzz_$target exited with status $status (see $work/fuzz.log)" >>"$work/failures"
        fi
    fi
}

for target in "${targets[@]}"; do
    [[ -x "$root/build/fuzz/tests/fuzz/fuzz_$target" ]] \
        || fail "no fuzz target '$target' (expected $root/build/fuzz/tests/fuzz/fuzz_$target)." \
            "Known: project modelmetadata idx csv tiff."
done
# As many targets at once as there are cores (each fuzzer is single-threaded).
parallel=$(nproc)
for target in "${targets[@]}"; do
    while [[ $(jobs -rp | wc -l) -ge $parallel ]]; do
        wait -n || true
    done
    fuzz_one "$target" &
done
wait
findings=()
for target in "${targets[@]}"; do
    if [[ ! -f "$runs/$target/failures" ]]; then
        findings+=("fuzz_$target did not finish (see $runs/$target/fuzz.log)")
        continue
    fi
    while IFS= read -r line; do
        findings+=("$line")
    done <"$runs/$target/failures"
done

if [[ ${#findings[@]} -gt 0 ]]; then
    echo "run-fuzzers: ${#findings[@]} finding(s):" >&2
    printf '  %s\n' "${findings[@]}" >&2
    echo "run-fuzzers: reproduce with build/fuzz/tests/fuzz/fuzz_<target> INPUT; after the fix," \
        "copy the input into tests/fuzz/regressions/<target>/." >&2
    exit 1
fi
echo "run-fuzzers: no findings in ${#targets[@]} target(s), ${seconds} s each."
