#!/usr/bin/env bash
# Configures and builds one CMake preset (default: release), or only the targets named after it.
# Used by run.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
shift || true
cmake --preset "$preset" >/dev/null
if (($# > 0)); then
    cmake --build --preset "$preset" -j "$(nproc)" --target "$@"
else
    cmake --build --preset "$preset" -j "$(nproc)"
fi
