// The dataset settings other than the folder as a form: split mode and ratios, and how images
// are loaded (image size, colours or channels, normalisation, pixel scale, non-square images),
// in plain words with the Keras names beside them; each edit is reported with its key.
#pragma once

#include "common/settingfield.h"
#include "dataset/datasetsettings.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLineEdit;
class QSpinBox;

namespace studio {

class DatasetSettingsForm : public QWidget
{
    Q_OBJECT

public:
    explicit DatasetSettingsForm(QWidget* parent = nullptr);

    // Shows `settings` (root excepted) without emitting edited().
    void setSettings(const DatasetSettings& settings);
    // `base` with the form's values.
    DatasetSettings apply(DatasetSettings base) const;

Q_SIGNALS:
    // A control changed; `key` is its JSON name ("image_size").
    void edited(const QString& key);

private:
    QDoubleSpinBox* ratioSpin(const SettingField& field);
    // The channels, normalisation and resize rows.
    void addValueRows(QFormLayout* form);
    QDoubleSpinBox* editedSpin(const SettingField& field, const QString& name);
    void updateEnabled();
    void showChannelRanges(const DatasetSettings& s);

    QComboBox* m_splitMode;
    QDoubleSpinBox* m_train;
    QDoubleSpinBox* m_validation;
    QDoubleSpinBox* m_test;
    QLineEdit* m_splitSeed;
    QSpinBox* m_imageSize;
    QComboBox* m_colorMode;
    QLineEdit* m_channels;
    QComboBox* m_normalization;
    QDoubleSpinBox* m_rangeLow;
    QDoubleSpinBox* m_rangeHigh;
    QDoubleSpinBox* m_percentileLow;
    QDoubleSpinBox* m_percentileHigh;
    QDoubleSpinBox* m_rescale;
    QComboBox* m_resize;
    QDoubleSpinBox* m_padValue;
    bool m_legacyNormalization = true; // the shown settings had no normalization key
};

} // namespace studio
