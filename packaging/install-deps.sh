#!/usr/bin/env bash
# Installs, from Debian 12's packages, exactly what building, running and testing Classifier
# Studio need. Idempotent: installs only what is missing. Works as root or through sudo.
set -euo pipefail

# What the build needs (compilers, CMake, Qt 6, LibTorch, oneDNN, OpenCV, QCustomPlot, zlib,
# ONNX, libtiff).
BUILD_PACKAGES=(
    g++ cmake ninja-build ccache pkg-config dpkg-dev
    qt6-base-dev libqcustomplot-dev libtorch-dev libopencv-dev zlib1g-dev libonnx-dev
    libtiff-dev # every TIFF is read through libtiff: OpenCV drops samples and pages
    libgloo-dev # the headers of LibTorch's Gloo collectives (distributed training)
    libdnnl-dev # oneDNN's headers: Conv2D layers call LibTorch's oneDNN directly
)
# What running needs beyond the libraries above: the SVG plug-in for the icons, and the
# Fashion-MNIST files the example dataset and the integration tests are made from.
RUN_PACKAGES=(libqt6svg6 dataset-fashion-mnist)
# What the tests and screenshots need: an X server for real windows, ImageMagick, Debian's
# PyTorch and NumPy for the cross-check of exported models (tests/core/export; OpenCV's and
# tifffile's Python modules run the README's reference preparation of 16-bit TIFFs), torchvision for
# the feature extractor a colleague exports (tests/app/export_torchvision_backbone.py), and
# clang with its libFuzzer runtime for the fuzz targets (tests/fuzz/run-fuzzers.sh), and
# clang-format for the layout check (tests/layering), and pdftotext (poppler-utils) to read
# back the run reports' PDFs (tests/report).
TEST_PACKAGES=(xvfb xauth imagemagick poppler-utils python3-torch python3-numpy python3-torchvision
    python3-opencv python3-tifffile clang
    libclang-rt-14-dev clang-format)

# The BLAS library LibTorch runs its Dense layers on, chosen by measurement
# (tests/bench/bench_blas.py, README "Performance"): OpenBLAS built for OpenMP threads, the
# threading LibTorch itself uses. A fresh install otherwise gets the reference BLAS (libblas3),
# about twice as slow; libblas3 stays installed for tst_cli's check of --version.
BLAS_PACKAGES=(libopenblas0-openmp libblas3)
BLAS_FOLDER=openblas-openmp

PACKAGES=("${BUILD_PACKAGES[@]}" "${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${BLAS_PACKAGES[@]}")

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

if [[ $(id -u) -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    as_root=(missing-root)
fi

# Selects the chosen BLAS for libblas.so.3 by name (update-alternatives --set), not by
# priority, so that another BLAS installed later does not silently take over.
select_blas() {
    local multiarch current
    multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH) || fail "dpkg-architecture (dpkg-dev) is missing."
    BLAS_ALTERNATIVE=libblas.so.3-$multiarch
    BLAS_CHOICE=/usr/lib/$multiarch/$BLAS_FOLDER/libblas.so.3
    current=$(update-alternatives --query "$BLAS_ALTERNATIVE" 2>/dev/null | sed -n 's/^Value: //p')
    if [[ "$current" == "$BLAS_CHOICE" ]]; then
        echo "install-deps: LibTorch's BLAS is $BLAS_CHOICE."
        return
    fi
    if [[ "${as_root[*]}" == missing-root ]]; then
        # Everything works on another BLAS, only slower: say so and go on.
        echo "install-deps: warning: libblas.so.3 is ${current:-not set}, not $BLAS_CHOICE, and" \
            "this script is not root and sudo is not installed. Training may be about half as" \
            "fast. As root, run: update-alternatives --set $BLAS_ALTERNATIVE $BLAS_CHOICE" >&2
        return
    fi
    "${as_root[@]}" update-alternatives --set "$BLAS_ALTERNATIVE" "$BLAS_CHOICE" \
        || fail "update-alternatives could not select $BLAS_CHOICE for $BLAS_ALTERNATIVE."
    echo "install-deps: LibTorch's BLAS is now $BLAS_CHOICE (was ${current:-none})."
}

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: all ${#PACKAGES[@]} packages are present."
    select_blas
    exit 0
fi
if [[ "${as_root[*]}" == missing-root ]]; then
    fail "missing packages (${missing[*]}) and not root, and sudo is not installed. Run this" \
        "script as root, or install them: apt-get install ${missing[*]}"
fi

echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || fail "apt-get update failed; check the network and /etc/apt/sources.list."
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" \
    || fail "apt-get install failed for: ${missing[*]}"
select_blas
echo "install-deps: done."
