#!/usr/bin/env bash
# README command 2: install dependencies, build (Release, with tests), run the whole test suite
# through CTest, fuzz the file readers for a bounded time (STUDIO_FUZZ_SECONDS per target,
# default 30; 0 skips it), then build the asan preset and run the whole suite again under the
# address and undefined-behaviour sanitizers (STUDIO_ASAN=0 skips it). .ci/run calls this script.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

bash "$root/packaging/install-deps.sh"
bash "$root/packaging/build.sh" release
cd "$root/build/release"
ctest --output-on-failure --timeout 900 "$@"

fuzz_seconds=${STUDIO_FUZZ_SECONDS:-30}
if [[ "$fuzz_seconds" != 0 ]]; then
    bash "$root/tests/fuzz/run-fuzzers.sh" "$fuzz_seconds"
fi

if [[ "${STUDIO_ASAN:-1}" != 0 ]]; then
    bash "$root/packaging/build.sh" asan
    cd "$root"
    ctest --preset asan --timeout 1800 -j 2 "$@"
fi
