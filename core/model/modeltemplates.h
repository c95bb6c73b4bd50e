// The network templates shipped as JSON resources: seed (the tutorial's), small, vgg-bn.
#pragma once

#include "common/result.h"
#include "dataset/datasetsettings.h"
#include "model/layerspec.h"

#include <QString>
#include <QStringList>
#include <QVector>

namespace studio {

// A ready-made layer stack and the inputs it was designed for.
struct ModelTemplate
{
    QString name;
    QString description;
    QVector<int> imageSizes; // the square image sizes it is meant for, smallest first
    ColorMode colorMode = ColorMode::Rgb;
    ModelSpec model; // its output Dense layer has 10 units; see withOutputUnits()
};

// "seed", "small", "vgg-bn".
QStringList templateNames();

// Loads a template from the resources; an unknown name is a Failure listing the known ones.
Result<ModelTemplate> loadTemplate(const QString& name);

} // namespace studio
