#!/usr/bin/env bash
# README command 2: install dependencies, build (Release, with tests), run the whole test suite
# through CTest. .ci/run calls this script.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

bash "$root/packaging/install-deps.sh"
bash "$root/packaging/build.sh" release
cd "$root/build/release"
ctest --output-on-failure --timeout 900 "$@"
