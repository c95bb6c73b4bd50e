// The small fast project the tests train on a makeCells() folder.
#pragma once

#include "project/project.h"

#include <QString>

namespace studio::testdata {

// 32 px grey, two small convolutions and a Dense output, no augmentation, batch 16, learning
// rate 0.003, `threads` threads: a few seconds per run on a few hundred cells.
inline Project cellsProject(const QString& root, int epochs, int threads)
{
    Project project = defaultProject();
    project.dataset.root = root;
    project.dataset.imageSize = 32;
    project.dataset.colorMode = ColorMode::Grayscale;
    project.augmentation.enabled = false;
    project.model.layers = {LayerSpec::conv2D(8, {3, 3}, Padding::Same, Activation::Relu),
                            LayerSpec::maxPooling2D(),
                            LayerSpec::conv2D(16, {3, 3}, Padding::Same, Activation::Relu),
                            LayerSpec::maxPooling2D(),
                            LayerSpec::flatten(),
                            LayerSpec::dense(3, Activation::Softmax)};
    project.training.epochs = epochs;
    project.training.batchSize = 16;
    project.training.learningRate = 0.003;
    project.training.threads = threads;
    return project;
}

} // namespace studio::testdata
