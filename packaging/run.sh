#!/usr/bin/env bash
# README command 1: install dependencies, build (Release), prepare the example dataset if it is
# not there yet, and launch classifier-studio with it open.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dataset="${STUDIO_EXAMPLE_DATASET:-$HOME/ClassifierStudio/fashion-mnist}"

bash "$root/packaging/install-deps.sh"
bash "$root/packaging/build.sh" release
bin="$root/build/release/app"

if [[ ! -d "$dataset" ]]; then
    echo "Preparing the example dataset (Fashion-MNIST as PNG folders) in $dataset ..."
    mkdir -p "$(dirname "$dataset")"
    "$bin/cli/classifier-cli" example-dataset "$dataset"
fi
exec "$bin/studio/classifier-studio" "$dataset" "$@"
