// Helpers shared by the ui tests: a tiny trainable project on the generated shapes dataset.
#pragma once

#include "project/project.h"

#include <QString>

#include <algorithm>
#include <vector>

namespace studio::uitest {

// A project over `root` (made by testdata::makeShapes): 16 px RGB images, a two-layer network,
// one thread, seconds per epoch.
inline Project tinyProject(const QString& root, int epochs = 1)
{
    Project project = defaultProject();
    project.dataset.root = root;
    project.dataset.imageSize = 16;
    project.augmentation.enabled = false;
    project.model.layers = {
        LayerSpec::conv2D(8, {3, 3}, Padding::Same, Activation::Relu), LayerSpec::maxPooling2D(),
        LayerSpec::conv2D(8, {3, 3}, Padding::Same, Activation::Relu),
        LayerSpec::globalAveragePooling2D(), LayerSpec::dense(3, Activation::Softmax)};
    project.training.batchSize = 8;
    project.training.epochs = epochs;
    project.training.learningRate = 0.01;
    project.training.threads = 1;
    project.training.seed = 7;
    return project;
}

// Max and median of a list of delays in milliseconds.
struct DelayStats
{
    double max = 0;
    double median = 0;
    int samples = 0;
};

inline DelayStats delayStats(std::vector<double> delays)
{
    DelayStats stats;
    stats.samples = int(delays.size());
    if (delays.empty()) {
        return stats;
    }
    std::sort(delays.begin(), delays.end());
    stats.max = delays.back();
    stats.median = delays[delays.size() / 2];
    return stats;
}

} // namespace studio::uitest
