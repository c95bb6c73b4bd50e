#!/usr/bin/env bash
# Installs, from Debian 12's packages, exactly what building, running and testing Classifier
# Studio need. Idempotent: installs only what is missing. Works as root or through sudo.
set -euo pipefail

# What the build needs (compilers, CMake, Qt 6, LibTorch, OpenCV, QCustomPlot, zlib, ONNX).
BUILD_PACKAGES=(
    g++ cmake ninja-build ccache pkg-config dpkg-dev
    qt6-base-dev libqcustomplot-dev libtorch-dev libopencv-dev zlib1g-dev libonnx-dev
    libgloo-dev # the headers of LibTorch's Gloo collectives (distributed training)
)
# What running needs beyond the libraries above: the SVG plug-in for the icons, and the
# Fashion-MNIST files the example dataset and the integration tests are made from.
RUN_PACKAGES=(libqt6svg6 dataset-fashion-mnist)
# What the tests and screenshots need: an X server for real windows, ImageMagick, Debian's
# PyTorch and NumPy for the cross-check of exported models (tests/core/export), torchvision for
# the feature extractor a colleague exports (tests/app/export_torchvision_backbone.py), and
# clang with its libFuzzer runtime for the fuzz targets (tests/fuzz/run-fuzzers.sh), and
# clang-format for the layout check (tests/layering).
TEST_PACKAGES=(xvfb xauth imagemagick python3-torch python3-numpy python3-torchvision clang
    libclang-rt-14-dev clang-format)

PACKAGES=("${BUILD_PACKAGES[@]}" "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}")

fail() {
    echo "install-deps: $*" >&2
    exit 1
}

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    fail "this script needs a Debian 12 (bookworm) system with apt-get. Install these packages" \
        "with your system's package manager instead: ${PACKAGES[*]}"
fi

missing=()
for package in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: all ${#PACKAGES[@]} packages are present."
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    fail "missing packages (${missing[*]}) and not root, and sudo is not installed. Run this" \
        "script as root, or install them: apt-get install ${missing[*]}"
fi

echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || fail "apt-get update failed; check the network and /etc/apt/sources.list."
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" \
    || fail "apt-get install failed for: ${missing[*]}"
echo "install-deps: done."
