// The form of one layer of the stack: its type and the parameters of that type, in plain words
// with Keras's names beside them; each edit is reported with the parameter's key.
#pragma once

#include "common/settingfield.h"
#include "model/layerspec.h"

#include <QHash>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QSpinBox;

namespace studio {

class LayerForm : public QWidget
{
    Q_OBJECT

public:
    explicit LayerForm(QWidget* parent = nullptr);

    // Shows `layer` (and `issues`, the validation messages) without emitting edited(); with
    // `enabled` false the form is greyed (no layer selected).
    void setLayer(const LayerSpec& layer, const QString& issues, bool enabled = true);
    LayerSpec layer() const;

Q_SIGNALS:
    // `key` is the parameter's JSON name ("filters"), or "type".
    void edited(const studio::LayerSpec& layer, const QString& key);

private:
    // A row for a layer value of the schema, labelled in plain words with Keras's name.
    void addRow(const SettingField& field, QWidget* widget);
    QWidget* pair(QWidget* a, QWidget* b);
    void updateRows();
    void emitEdited(const QString& key);
    void showFeatureExtractor(const FeatureExtractorSpec& extractor);

    QFormLayout* m_layout;
    QHash<QString, QWidget*> m_rows; // key -> field
    QComboBox* m_type;
    QSpinBox* m_filters;
    QSpinBox* m_kernelHeight;
    QSpinBox* m_kernelWidth;
    QCheckBox* m_customStrides;
    QSpinBox* m_strideHeight;
    QSpinBox* m_strideWidth;
    QComboBox* m_padding;
    QSpinBox* m_poolHeight;
    QSpinBox* m_poolWidth;
    QSpinBox* m_units;
    QComboBox* m_activation;
    QDoubleSpinBox* m_rate;
    QDoubleSpinBox* m_momentum;
    QDoubleSpinBox* m_epsilon;
    QCheckBox* m_useBias;
    QCheckBox* m_trainable;
    QLabel* m_extractorFile;   // FeatureExtractor: its file,
    QLabel* m_extractorInput;  // what it expects,
    QLabel* m_extractorMean;   // its normalisation
    QLabel* m_extractorStd;    //
    QLabel* m_extractorOutput; // and what it gives (measured)
    QLabel* m_issues;
    LayerSpec m_shown; // the layer last shown: what the form has no field for comes from it
    bool m_updating = false;
};

} // namespace studio
