// loadedBlasLibrary(): names the BLAS library the process loaded, from the dynamic linker's list.
#include "common/blaslibrary.h"

#include "common/nativepath.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStringList>

#include <dlfcn.h>
#include <link.h>

namespace studio {
namespace {

// The first loaded library whose file name says it is a BLAS, as the linker opened it.
QString findLoadedBlasFile()
{
    QString found;
    dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* data) -> int {
            const QString path = QString::fromLocal8Bit(info->dlpi_name);
            const QString file = QFileInfo(path).fileName();
            if (file.startsWith(QLatin1String("libblas.so")) ||
                file.startsWith(QLatin1String("libopenblas")) ||
                file.startsWith(QLatin1String("libblis"))) {
                *static_cast<QString*>(data) = path;
                return 1;
            }
            return 0;
        },
        &found);
    return found;
}

// A C function without arguments returning a string, looked up in the loaded library `path`.
QString callStringFunction(const QString& path, const char* symbol)
{
    void* handle = dlopen(QFile::encodeName(path).constData(), RTLD_LAZY | RTLD_NOLOAD);
    if (handle == nullptr) {
        return {};
    }
    using StringFunction = const char* (*)();
    const auto function = reinterpret_cast<StringFunction>(dlsym(handle, symbol));
    QString text = function != nullptr ? QString::fromLatin1(function()) : QString();
    dlclose(handle);
    return text.trimmed();
}

// How Debian's folder for a BLAS variant says it runs its threads.
QString threadingOf(const QString& folder)
{
    if (folder.endsWith(QLatin1String("-openmp"))) {
        return QStringLiteral("OpenMP threads");
    }
    if (folder.endsWith(QLatin1String("-pthread"))) {
        return QStringLiteral("its own threads");
    }
    if (folder.endsWith(QLatin1String("-serial"))) {
        return QStringLiteral("one thread");
    }
    return {};
}

// "OpenBLAS 0.3.21 (OpenMP threads, Haswell kernels)" from the library's own configuration.
QString openBlasName(const QString& path, const QString& folder)
{
    const QStringList config =
        callStringFunction(path, "openblas_get_config").split(QLatin1Char(' '), Qt::SkipEmptyParts);
    QString name = QStringLiteral("OpenBLAS");
    if (config.size() >= 2) {
        name += QLatin1Char(' ') + config.at(1);
    }
    QStringList details;
    if (const QString threads = threadingOf(folder); !threads.isEmpty()) {
        details << threads;
    }
    if (const QString core = callStringFunction(path, "openblas_get_corename"); !core.isEmpty()) {
        details << core + QStringLiteral(" kernels");
    }
    return details.isEmpty() ? name : name + QStringLiteral(" (%1)").arg(details.join(", "));
}

// "BLIS 0.9.0 (OpenMP threads)".
QString blisName(const QString& path, const QString& folder)
{
    QString name = QStringLiteral("BLIS");
    if (const QString version = callStringFunction(path, "bli_info_get_version_str");
        !version.isEmpty()) {
        name += QLatin1Char(' ') + version;
    }
    const QString threads = threadingOf(folder);
    return threads.isEmpty() ? name : name + QStringLiteral(" (%1)").arg(threads);
}

} // namespace

BlasLibrary loadedBlasLibrary()
{
    BlasLibrary blas;
    const QString loaded = findLoadedBlasFile();
    if (loaded.isEmpty()) {
        return blas;
    }
    const QFileInfo file(loaded);
    blas.path = file.canonicalFilePath().isEmpty() ? loaded : file.canonicalFilePath();
    // Debian installs each implementation in its own folder: blas (the reference),
    // openblas-openmp, openblas-pthread, blis-openmp, atlas, ...
    const QString folder = QFileInfo(blas.path).dir().dirName();
    const QString fileName = QFileInfo(blas.path).fileName();
    if (folder.startsWith(QLatin1String("openblas")) ||
        fileName.startsWith(QLatin1String("libopenblas"))) {
        blas.name = openBlasName(blas.path, folder);
    } else if (folder.startsWith(QLatin1String("blis")) ||
               fileName.startsWith(QLatin1String("libblis"))) {
        blas.name = blisName(blas.path, folder);
    } else if (folder == QLatin1String("atlas")) {
        blas.name = QStringLiteral("ATLAS");
    } else if (folder == QLatin1String("blas")) {
        blas.name = QStringLiteral("the reference BLAS (libblas3)");
        blas.reference = true;
    } else {
        blas.name = fileName;
    }
    return blas;
}

QString describeBlas(const BlasLibrary& blas)
{
    if (blas.path.isEmpty()) {
        return QStringLiteral("BLAS: none loaded");
    }
    return QStringLiteral("BLAS: %1, %2").arg(blas.name, native(blas.path));
}

QString referenceBlasAdvice(const BlasLibrary& blas)
{
    if (!blas.reference) {
        return {};
    }
    return QStringLiteral("LibTorch runs on the reference BLAS, which is correct but slow: the "
                          "tutorial's network trains at about half the speed it has with "
                          "OpenBLAS. Run packaging/install-deps.sh, or as root: apt-get install "
                          "libopenblas0-openmp && update-alternatives --set "
                          "libblas.so.3-x86_64-linux-gnu "
                          "/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3");
}

} // namespace studio
