// Every setting of a project file, from the sections' tables (dataset/datasetschema.h,
// project/trainingschema.h): what tests, classifier-cli's options and the forms walk.
#pragma once

#include "common/settingfield.h"

namespace studio {

// The dataset's, augmentation's and training's fields, in that order.
QVector<const SettingField*> allSettingFields();

// The field with this path ("training.batch_size"), or nullptr. Where two optimizers share a
// path (training.optimizer.momentum), the first (SGD's) is returned.
const SettingField* findSettingField(const QString& path);

// The field classifier-cli sets with --`option` ("image-size"), or nullptr.
const SettingField* settingFieldForOption(const QString& option);

} // namespace studio
