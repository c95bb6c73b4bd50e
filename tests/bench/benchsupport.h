// What the training benchmarks share: the tutorial's project at 64 px and a median.
#pragma once

#include "model/modelsummary.h"
#include "model/modeltemplates.h"
#include "project/project.h"

#include <QString>
#include <QVector>

#include <algorithm>

namespace studio::bench {

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

} // namespace studio::bench
