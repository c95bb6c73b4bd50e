// What the training benchmarks share: the tutorial's project at 64 px, its data, a median and
// command-line options.
#pragma once

#include "dataset/fashionmnist.h"
#include "model/modelsummary.h"
#include "model/modeltemplates.h"
#include "project/project.h"

#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QVector>

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace studio::bench {

// The value after `name` on the command line ("--repeats 5"), or `fallback`.
inline QString optionValue(const QStringList& args, const QString& name, const QString& fallback)
{
    const int i = int(args.indexOf(name));
    return i >= 0 && i + 1 < args.size() ? args[i + 1] : fallback;
}

inline double median(QVector<double> values)
{
    if (values.isEmpty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const int n = int(values.size());
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// The project the benchmark trains: the tutorial's network and augmentation at 64 px.
inline Project tutorialProject(const QString& data, int threads, int epochs = 1)
{
    Project project = defaultProject();
    project.dataset.root = data;
    project.dataset.imageSize = 64;
    project.dataset.colorMode = ColorMode::Rgb;
    Result<ModelTemplate> seed = loadTemplate(QStringLiteral("seed"));
    project.model = withOutputUnits(seed->model, 10);
    project.augmentation.enabled = true;
    project.augmentation.rotationRange = 10;
    project.augmentation.widthShiftRange = 0.1;
    project.augmentation.heightShiftRange = 0.1;
    project.augmentation.zoomLow = 0.9;
    project.augmentation.zoomHigh = 1.1;
    project.augmentation.horizontalFlip = true;
    project.training.batchSize = 20;
    project.training.epochs = epochs;
    project.training.decay = 1e-3;
    project.training.threads = threads;
    return project;
}

// `given` when set, else a Fashion-MNIST folder subset (`train` and `validation` images, no
// test split) written into `scratch`. Empty, with the reason on stderr, when it cannot be made.
inline QString benchDataset(const QString& given, const QTemporaryDir& scratch, int train,
                            int validation)
{
    if (!given.isEmpty()) {
        return given;
    }
    ExampleDatasetOptions example;
    example.outDir = scratch.filePath(QStringLiteral("fashion-mnist"));
    example.train = train;
    example.validation = validation;
    example.test = 0;
    const Result<ExampleDatasetReport> written = writeExampleDataset(example);
    if (!written) {
        std::fprintf(stderr, "%s\n", qPrintable(written.error()));
        return QString();
    }
    // The files are written back to disk now, not during the first timed round.
    ::sync();
    return example.outDir;
}

} // namespace studio::bench
