// Which BLAS library this process's LibTorch calls for its Dense layers, for --version, Help >
// About and each run's log.
#pragma once

#include <QString>

namespace studio {

// The BLAS library loaded into this process: what it is called and where it was found.
struct BlasLibrary
{
    QString name;           // "OpenBLAS 0.3.21 (OpenMP threads)", "the reference BLAS (libblas3)"
    QString path;           // the loaded file, links resolved; empty when no BLAS is loaded
    bool reference = false; // Netlib's reference implementation: correct, but slow
};

// Reads the BLAS library from the libraries loaded into the process (the first one that
// provides libblas.so.3, libopenblas or libblis) and names it by its Debian folder
// (openblas-openmp, blis-pthread, blas, ...) and, where it says, its own version.
BlasLibrary loadedBlasLibrary();

// One line for a person: "BLAS: OpenBLAS 0.3.21 (OpenMP threads), /usr/lib/…/libblas.so.3".
QString describeBlas(const BlasLibrary& blas);

// What to do when the reference BLAS is loaded, in plain words; empty otherwise.
QString referenceBlasAdvice(const BlasLibrary& blas);

} // namespace studio
