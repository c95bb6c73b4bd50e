// make_cells: writes the synthetic cells dataset the README's small-data figures are measured
// on (tests/common/cellsdataset.h: three shape classes of 8-bit greyscale "cells"), so that
// those figures can be reproduced. A helper of the benchmarks, not a test.
//
// With --tiff it writes issue 16's scientific variant instead (tests/common/sciencedataset.h):
// dim 16-bit TIFFs, with --channels N channels, the class shown only in channel
// --class-channel C (0-based) when given, the cells' brightness --brightest F of the range.
//
//   make_cells DIR [--per-class N] [--seed N] [--width N] [--height N]
//                  [--tiff [--channels N] [--class-channel C] [--brightest F]]
#include "cellsdataset.h"
#include "sciencedataset.h"

#include <QDir>
#include <QGuiApplication>

#include <cstdio>

namespace {

// The integer after `name` on the command line, or `fallback`.
int intOption(const QStringList& args, const char* name, int fallback)
{
    const int i = int(args.indexOf(QLatin1String(name)));
    return i >= 0 && i + 1 < args.size() ? args[i + 1].toInt() : fallback;
}

} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM",
            qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen" : qgetenv("QT_QPA_PLATFORM"));
    QGuiApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 2 || args[1].startsWith(QLatin1Char('-'))) {
        std::fprintf(stderr, "Usage: make_cells DIR [--per-class N] [--seed N] [--width N] "
                             "[--height N] [--tiff [--channels N] [--class-channel C] "
                             "[--brightest F]]\n");
        return 2;
    }
    const QString dir = args[1];
    if (QDir(dir).exists() && !QDir(dir).isEmpty()) {
        std::fprintf(stderr, "make_cells: '%s' is not empty; choose a new folder.\n",
                     qPrintable(dir));
        return 2;
    }
    const int perClass = intOption(args, "--per-class", 150);
    const int seed = intOption(args, "--seed", 7);
    const int width = intOption(args, "--width", 96);
    const int height = intOption(args, "--height", 96);
    if (args.contains(QStringLiteral("--tiff"))) {
        studio::testdata::ScienceCells cells;
        cells.perClass = perClass;
        cells.seed = unsigned(seed);
        cells.width = width;
        cells.height = height;
        cells.channels = intOption(args, "--channels", 1);
        cells.classChannel = intOption(args, "--class-channel", -1);
        const int at = int(args.indexOf(QStringLiteral("--brightest")));
        cells.brightest = at >= 0 && at + 1 < args.size() ? args[at + 1].toDouble() : 0.04;
        studio::testdata::makeScienceCells(dir, cells);
    } else {
        studio::testdata::makeCells(dir, perClass, quint32(seed), width, height);
    }
    std::printf("Wrote %d images per class (elongated, ring, round) of %dx%d px to %s\n", perClass,
                width, height, qPrintable(QDir::toNativeSeparators(dir)));
    return 0;
}
