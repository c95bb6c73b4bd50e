// The rules of a layer's values in the project file's "model.layers" entries (Keras's layer
// arguments): one SettingField each, the only place their ranges, labels and help are written.
#pragma once

#include "common/settingfield.h"

namespace studio {

// A layer's values; kernel_size, strides and pool_size are per side. type and activation name
// their choices in model/layerspec.h; the feature extractor's fields are shown, not edited.
struct LayerSchema
{
    SettingField type, filters, kernelSize, strides, padding, poolSize, units, activation, useBias,
        rate, momentum, epsilon, trainable;
    SettingField extractorPath, extractorInput, extractorMean, extractorStd, extractorFeatures;

    QVector<const SettingField*> all() const;
};

const LayerSchema& layerSchema();

} // namespace studio
