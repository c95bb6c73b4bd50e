#include "layerform.h"

#include "model/layerschema.h"
#include "settingwidgets.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSpinBox>
#include <QStandardItemModel>

namespace studio {

LayerForm::LayerForm(QWidget* parent) : QWidget(parent)
{
    m_layout = new QFormLayout(this);

    m_type = new QComboBox;
    m_type->setObjectName(QStringLiteral("type"));
    for (const QString& name : layerTypeNames()) {
        const std::optional<LayerType> type = layerTypeFromName(name);
        if (type && layerTypeName(*type) == name) {
            m_type->addItem(name, int(*type));
        }
    }
    connect(m_type, &QComboBox::currentIndexChanged, this, [this] {
        updateRows();
        emitEdited(QStringLiteral("type"));
    });
    const LayerSchema& schema = layerSchema();
    addRow(schema.type, m_type);
    // A feature extractor comes from a file (Model page: Use a Feature Extractor…), not from
    // changing a layer's type.
    if (auto* items = qobject_cast<QStandardItemModel*>(m_type->model())) {
        items->item(m_type->findData(int(LayerType::FeatureExtractor)))->setEnabled(false);
    }

    m_extractorFile = new QLabel;
    m_extractorFile->setTextInteractionFlags(Qt::TextSelectableByMouse);
    addRow(schema.extractorPath, m_extractorFile);
    m_extractorInput = new QLabel;
    addRow(schema.extractorInput, m_extractorInput);
    m_extractorMean = new QLabel;
    addRow(schema.extractorMean, m_extractorMean);
    m_extractorStd = new QLabel;
    addRow(schema.extractorStd, m_extractorStd);
    m_extractorOutput = new QLabel;
    addRow(schema.extractorFeatures, m_extractorOutput);

    m_filters = integerSpin(schema.filters);
    addRow(schema.filters, m_filters);
    m_kernelHeight = integerSpin(schema.kernelSize);
    m_kernelWidth = integerSpin(schema.kernelSize);
    addRow(schema.kernelSize, pair(m_kernelHeight, m_kernelWidth));
    m_customStrides = new QCheckBox(tr("set"));
    m_strideHeight = integerSpin(schema.strides);
    m_strideWidth = integerSpin(schema.strides);
    connect(m_customStrides, &QCheckBox::toggled, this, [this](bool on) {
        m_strideHeight->setEnabled(on);
        m_strideWidth->setEnabled(on);
        emitEdited(QStringLiteral("strides"));
    });
    auto* strides = new QWidget;
    auto* stridesLayout = new QHBoxLayout(strides);
    stridesLayout->setContentsMargins(0, 0, 0, 0);
    stridesLayout->addWidget(m_customStrides);
    stridesLayout->addWidget(m_strideHeight);
    stridesLayout->addWidget(m_strideWidth);
    addRow(schema.strides, strides);
    m_padding = choiceCombo(schema.padding);
    connect(m_padding, &QComboBox::currentIndexChanged, this,
            [this] { emitEdited(QStringLiteral("padding")); });
    addRow(schema.padding, m_padding);
    m_poolHeight = integerSpin(schema.poolSize);
    m_poolWidth = integerSpin(schema.poolSize);
    addRow(schema.poolSize, pair(m_poolHeight, m_poolWidth));
    m_units = integerSpin(schema.units);
    addRow(schema.units, m_units);
    m_activation = new QComboBox;
    for (const QString& name : activationNames()) {
        const std::optional<Activation> activation = activationFromName(name);
        if (activation && activationName(*activation) == name) {
            m_activation->addItem(name, int(*activation));
        }
    }
    connect(m_activation, &QComboBox::currentIndexChanged, this,
            [this] { emitEdited(QStringLiteral("activation")); });
    addRow(schema.activation, m_activation);
    m_useBias = new QCheckBox;
    connect(m_useBias, &QCheckBox::toggled, this,
            [this] { emitEdited(QStringLiteral("use_bias")); });
    addRow(schema.useBias, m_useBias);
    m_rate = numberSpin(schema.rate);
    addRow(schema.rate, m_rate);
    m_momentum = numberSpin(schema.momentum);
    m_momentum->setSingleStep(0.01);
    addRow(schema.momentum, m_momentum);
    m_epsilon = numberSpin(schema.epsilon);
    m_epsilon->setSingleStep(0.001);
    addRow(schema.epsilon, m_epsilon);
    for (QDoubleSpinBox* spin : {m_rate, m_momentum, m_epsilon}) {
        connect(spin, &QDoubleSpinBox::valueChanged, this,
                [this, key = spin->objectName()] { emitEdited(key); });
    }
    m_trainable = new QCheckBox;
    connect(m_trainable, &QCheckBox::toggled, this,
            [this] { emitEdited(QStringLiteral("trainable")); });
    addRow(schema.trainable, m_trainable);

    m_issues = new QLabel;
    m_issues->setObjectName(QStringLiteral("layerIssues"));
    m_issues->setWordWrap(true);
    m_issues->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_issues->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_layout->addRow(m_issues);

    for (QSpinBox* spin : {m_filters, m_kernelHeight, m_kernelWidth, m_strideHeight, m_strideWidth,
                           m_poolHeight, m_poolWidth, m_units}) {
        connect(spin, &QSpinBox::valueChanged, this, [this, spin] {
            emitEdited(m_rows.key(spin->parentWidget() == this ? spin : spin->parentWidget()));
        });
    }
    setLayer(LayerSpec(), QString(), false);
}

void LayerForm::addRow(const SettingField& field, QWidget* widget)
{
    widget->setObjectName(field.key);
    widget->setToolTip(settingToolTip(field));
    m_layout->addRow(new SettingLabel(field), widget);
    m_rows.insert(field.key, widget);
}

QWidget* LayerForm::pair(QWidget* a, QWidget* b)
{
    auto* widget = new QWidget;
    auto* layout = new QHBoxLayout(widget);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(a);
    layout->addWidget(b);
    return widget;
}

void LayerForm::setLayer(const LayerSpec& layer, const QString& issues, bool enabled)
{
    m_updating = true;
    m_type->setCurrentIndex(m_type->findData(int(layer.type)));
    m_filters->setValue(layer.filters);
    m_kernelHeight->setValue(layer.kernelSize.height);
    m_kernelWidth->setValue(layer.kernelSize.width);
    m_customStrides->setChecked(layer.strides.has_value());
    const Size2 strides = layer.effectiveStrides();
    m_strideHeight->setValue(strides.height);
    m_strideWidth->setValue(strides.width);
    m_strideHeight->setEnabled(layer.strides.has_value());
    m_strideWidth->setEnabled(layer.strides.has_value());
    m_padding->setCurrentIndex(int(layer.padding));
    m_poolHeight->setValue(layer.poolSize.height);
    m_poolWidth->setValue(layer.poolSize.width);
    m_units->setValue(layer.units);
    m_activation->setCurrentIndex(m_activation->findData(int(layer.activation)));
    m_rate->setValue(layer.rate);
    m_momentum->setValue(layer.momentum);
    m_epsilon->setValue(layer.epsilon);
    m_useBias->setChecked(layer.useBias);
    m_trainable->setChecked(layer.trainable);
    m_shown = layer;
    showFeatureExtractor(layer.extractor);
    m_type->setEnabled(layer.type != LayerType::FeatureExtractor);
    m_issues->setText(issues);
    m_issues->setVisible(!issues.isEmpty());
    updateRows();
    setEnabled(enabled);
    m_updating = false;
}

LayerSpec LayerForm::layer() const
{
    LayerSpec layer;
    layer.type = LayerType(m_type->currentData().toInt());
    layer.filters = m_filters->value();
    layer.kernelSize = {m_kernelHeight->value(), m_kernelWidth->value()};
    if (m_customStrides->isChecked()) {
        layer.strides = Size2{m_strideHeight->value(), m_strideWidth->value()};
    }
    layer.padding = Padding(std::max(0, m_padding->currentIndex()));
    layer.poolSize = {m_poolHeight->value(), m_poolWidth->value()};
    layer.units = m_units->value();
    layer.activation = Activation(m_activation->currentData().toInt());
    layer.rate = m_rate->value();
    layer.momentum = m_momentum->value();
    layer.epsilon = m_epsilon->value();
    layer.useBias = m_useBias->isChecked();
    layer.trainable = m_trainable->isChecked();
    if (layer.type == LayerType::FeatureExtractor) {
        layer.extractor = m_shown.extractor; // shown, not edited here
        layer.trainable = false;
    }
    return layer;
}

void LayerForm::showFeatureExtractor(const FeatureExtractorSpec& e)
{
    m_extractorFile->setText(QFileInfo(e.path).fileName());
    m_extractorFile->setToolTip(QDir::toNativeSeparators(e.path));
    const QString channels = e.channels == 1 ? tr("1 channel") : tr("%1 channels").arg(e.channels);
    m_extractorInput->setText(
        tr("%1×%2, %3").arg(e.inputSize.height).arg(e.inputSize.width).arg(channels));
    const auto numbers = [this](const QVector<double>& values) {
        QStringList parts;
        for (const double v : values) {
            parts << QString::number(v);
        }
        return values.isEmpty() ? tr("none") : parts.join(QStringLiteral(", "));
    };
    m_extractorMean->setText(numbers(e.mean));
    m_extractorStd->setText(numbers(e.std));
    m_extractorOutput->setText(e.features > 0 ? tr("%1 per image\n%2 frozen parameters")
                                                    .arg(e.features)
                                                    .arg(QLocale().toString(e.parameters))
                                              : tr("not measured yet"));
}

void LayerForm::updateRows()
{
    const QStringList keys = layerParameterKeys(LayerType(m_type->currentData().toInt()));
    for (auto it = m_rows.cbegin(); it != m_rows.cend(); ++it) {
        if (it.key() != QLatin1String("type")) {
            m_layout->setRowVisible(it.value(), keys.contains(it.key()));
        }
    }
}

void LayerForm::emitEdited(const QString& key)
{
    if (!m_updating) {
        Q_EMIT edited(layer(), key);
    }
}

} // namespace studio
