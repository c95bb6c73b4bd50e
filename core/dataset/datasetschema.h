// The rules of the project file's "dataset" and "augmentation" settings: one SettingField per
// setting, the only place their ranges, names, defaults and labels are written.
#pragma once

#include "common/settingfield.h"

namespace studio {

// The "dataset" section's settings.
struct DatasetSchema
{
    SettingField root, splitMode, trainRatio, validationRatio, testRatio, splitSeed, groupBy,
        groupPattern, imageSize, colorMode, channels, normalization, valueRange, percentiles,
        rescale, resize, padValue, cacheBudgetMb;

    QVector<const SettingField*> all() const;
};

// The "augmentation" section's settings (Keras's ImageDataGenerator).
struct AugmentationSchema
{
    SettingField enabled, rotationRange, widthShiftRange, heightShiftRange, shearRange, zoomRange,
        horizontalFlip, verticalFlip, brightnessRange, fillMode, cval;

    QVector<const SettingField*> all() const;
};

const DatasetSchema& datasetSchema();
const AugmentationSchema& augmentationSchema();

} // namespace studio
