#include "project/settingsschema.h"

#include "dataset/datasetschema.h"
#include "project/trainingschema.h"

namespace studio {

QVector<const SettingField*> allSettingFields()
{
    return datasetSchema().all() + augmentationSchema().all() + trainingSchema().all();
}

const SettingField* findSettingField(const QString& path)
{
    for (const SettingField* field : allSettingFields()) {
        if (field->path() == path) {
            return field;
        }
    }
    return nullptr;
}

const SettingField* settingFieldForOption(const QString& option)
{
    for (const SettingField* field : allSettingFields()) {
        if (!option.isEmpty() && field->cliOption == option) {
            return field;
        }
    }
    return nullptr;
}

} // namespace studio
