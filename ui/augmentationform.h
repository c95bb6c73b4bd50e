// The augmentation settings as a form, in plain words with Keras's ImageDataGenerator names
// beside them (rotation_range, ... fill_mode); each edit is reported with its key.
#pragma once

#include "common/settingfield.h"
#include "dataset/datasetsettings.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;

namespace studio {

class AugmentationForm : public QWidget
{
    Q_OBJECT

public:
    explicit AugmentationForm(QWidget* parent = nullptr);

    // Shows `settings` without emitting edited().
    void setSettings(const AugmentationSettings& settings);
    AugmentationSettings settings() const;

Q_SIGNALS:
    // A control changed; `key` is its JSON name ("rotation_range").
    void edited(const studio::AugmentationSettings& settings, const QString& key);

private:
    QDoubleSpinBox* addSpin(const SettingField& field);
    QCheckBox* addCheck(const SettingField& field);
    // Two spin boxes for a [low, high] setting, named <path>.low and <path>.high.
    void addPair(const SettingField& field, QDoubleSpinBox** low, QDoubleSpinBox** high);
    void updateEnabled();

    QFormLayout* m_layout;
    QCheckBox* m_enabled;
    QDoubleSpinBox* m_rotation;
    QDoubleSpinBox* m_widthShift;
    QDoubleSpinBox* m_heightShift;
    QDoubleSpinBox* m_shear;
    QDoubleSpinBox* m_zoomLow;
    QDoubleSpinBox* m_zoomHigh;
    QCheckBox* m_horizontalFlip;
    QCheckBox* m_verticalFlip;
    QDoubleSpinBox* m_brightnessLow;
    QDoubleSpinBox* m_brightnessHigh;
    QComboBox* m_fillMode;
    QDoubleSpinBox* m_cval;
};

} // namespace studio
