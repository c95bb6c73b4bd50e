#!/usr/bin/env bash
# README command 2: install dependencies, build (Release, with tests), run the whole test suite
# through CTest, fuzz the file readers for a bounded time (STUDIO_FUZZ_SECONDS per target,
# default 30; 0 skips it), then build the asan preset and run the suite again under the address
# and undefined-behaviour sanitizers (STUDIO_ASAN=0 skips it), then build the tsan preset's
# threaded tests only (target studio_thread_tests) and run them under ThreadSanitizer
# (STUDIO_TSAN=0 skips it). Both sanitizer stages leave out the tests labelled long (the few
# training cases that take minutes; the release stage runs them). .ci/run calls this script.
# At the end (or at a failure) it prints each stage's time.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

stages=()
started=$SECONDS
current=""
current_begin=$SECONDS
report() {
    local status=$?
    echo
    echo "Stage times (command 2):"
    for line in "${stages[@]}"; do
        echo "  $line"
    done
    if [[ $status != 0 && -n "$current" ]]; then
        printf '  %-28s %5d s (failed)\n' "$current" $((SECONDS - current_begin))
    fi
    printf '  %-28s %5d s\n' "total" $((SECONDS - started))
    return $status
}
trap report EXIT

# Runs one stage ("name" command...) and records how long it took.
stage() {
    current=$1
    current_begin=$SECONDS
    shift
    "$@"
    stages+=("$(printf '%-28s %5d s' "$current" $((SECONDS - current_begin)))")
    current=""
}

stage "install dependencies" bash "$root/packaging/install-deps.sh"
stage "build (release)" bash "$root/packaging/build.sh" release
stage "tests (release)" ctest --test-dir "$root/build/release" --output-on-failure --timeout 900 \
    -j 2 "$@"

fuzz_seconds=${STUDIO_FUZZ_SECONDS:-30}
if [[ "$fuzz_seconds" != 0 ]]; then
    stage "fuzzing" bash "$root/tests/fuzz/run-fuzzers.sh" "$fuzz_seconds"
fi

if [[ "${STUDIO_ASAN:-1}" != 0 ]]; then
    stage "build (asan)" bash "$root/packaging/build.sh" asan
    cd "$root"
    stage "tests (asan)" ctest --preset asan --timeout 1800 -j 2 "$@"
fi

if [[ "${STUDIO_TSAN:-1}" != 0 ]]; then
    stage "build (tsan)" bash "$root/packaging/build.sh" tsan studio_thread_tests
    cd "$root"
    stage "tests (tsan)" ctest --preset tsan --timeout 900 -j 2 "$@"
fi
