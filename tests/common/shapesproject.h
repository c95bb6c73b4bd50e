// The tiny trainable project the trainer and UI tests use on a makeShapes() dataset.
#pragma once

#include "project/project.h"

#include <QString>

namespace studio::testdata {

// 16 px RGB images, two small convolutions, one thread, learning rate 0.01, seed 7: a few
// seconds per epoch on the shapes dataset, and it learns it.
inline Project shapesProject(const QString& root, int epochs)
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

} // namespace studio::testdata
