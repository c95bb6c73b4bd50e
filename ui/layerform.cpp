#include "layerform.h"

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
    addRow(QStringLiteral("type"), m_type, tr("The kind of layer."));
    // A feature extractor comes from a file (Model page: Use a Feature Extractor…), not from
    // changing a layer's type.
    if (auto* items = qobject_cast<QStandardItemModel*>(m_type->model())) {
        items->item(m_type->findData(int(LayerType::FeatureExtractor)))->setEnabled(false);
    }

    m_extractorFile = new QLabel;
    m_extractorFile->setTextInteractionFlags(Qt::TextSelectableByMouse);
    addRow(QStringLiteral("path"), m_extractorFile,
           tr("The TorchScript file of the frozen feature extractor. Choose another with Use a "
              "Feature Extractor…"));
    m_extractorInput = new QLabel;
    addRow(QStringLiteral("input_size"), m_extractorInput,
           tr("What the extractor expects: each image is resized to this size and given these "
              "channels (grey is repeated). From extractor.json inside the file, or the project "
              "file's layer entry."));
    m_extractorMean = new QLabel;
    addRow(QStringLiteral("mean"), m_extractorMean,
           tr("Subtracted from each channel (after rescale), as the extractor was trained."));
    m_extractorStd = new QLabel;
    addRow(QStringLiteral("std"), m_extractorStd,
           tr("Each channel is then divided by this, as the extractor was trained."));
    m_extractorOutput = new QLabel;
    addRow(QStringLiteral("features"), m_extractorOutput,
           tr("The features it gives per image, measured by running it once; its weights stay "
              "frozen."));

    m_filters = sizeSpin(1, 4096);
    addRow(QStringLiteral("filters"), m_filters,
           tr("The number of filter matrices slid over the input: the number of features the "
              "layer scans for."));
    m_kernelHeight = sizeSpin(1, 64);
    m_kernelWidth = sizeSpin(1, 64);
    addRow(QStringLiteral("kernel_size"), pair(m_kernelHeight, m_kernelWidth),
           tr("Height and width of each filter. Small filters near the input detect basic "
              "shapes; after pooling, the same size covers more of the image."));
    m_customStrides = new QCheckBox(tr("set"));
    m_strideHeight = sizeSpin(1, 64);
    m_strideWidth = sizeSpin(1, 64);
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
    addRow(QStringLiteral("strides"), strides,
           tr("How far the window moves at each step. Unset: 1 for Conv2D, the pool size for "
              "pooling layers."));
    m_padding = new QComboBox;
    m_padding->addItems({QStringLiteral("valid"), QStringLiteral("same")});
    connect(m_padding, &QComboBox::currentIndexChanged, this,
            [this] { emitEdited(QStringLiteral("padding")); });
    addRow(QStringLiteral("padding"), m_padding,
           tr("valid: no padding, the output shrinks; same: the edges are padded with zeros so "
              "that the output keeps the input's size (at stride 1)."));
    m_poolHeight = sizeSpin(1, 64);
    m_poolWidth = sizeSpin(1, 64);
    addRow(QStringLiteral("pool_size"), pair(m_poolHeight, m_poolWidth),
           tr("The pooling window: each output value summarises this many input values."));
    m_units = sizeSpin(1, 1 << 20);
    addRow(QStringLiteral("units"), m_units,
           tr("The number of neurons. Keep the step from the Flatten output to the class "
              "vector smooth; the last Dense layer has one unit per class."));
    m_activation = new QComboBox;
    for (const QString& name : activationNames()) {
        const std::optional<Activation> activation = activationFromName(name);
        if (activation && activationName(*activation) == name) {
            m_activation->addItem(name, int(*activation));
        }
    }
    connect(m_activation, &QComboBox::currentIndexChanged, this,
            [this] { emitEdited(QStringLiteral("activation")); });
    addRow(QStringLiteral("activation"), m_activation,
           tr("The non-linearity applied to the layer's output. relu is the usual choice; the "
              "output layer of a classifier uses softmax."));
    m_useBias = new QCheckBox;
    connect(m_useBias, &QCheckBox::toggled, this,
            [this] { emitEdited(QStringLiteral("use_bias")); });
    addRow(QStringLiteral("use_bias"), m_useBias,
           tr("Whether the layer adds a learned offset to each output."));
    m_rate = new QDoubleSpinBox;
    m_rate->setRange(0, 0.99);
    m_rate->setSingleStep(0.05);
    connect(m_rate, &QDoubleSpinBox::valueChanged, this,
            [this] { emitEdited(QStringLiteral("rate")); });
    addRow(QStringLiteral("rate"), m_rate,
           tr("The fraction of inputs set to zero at random during training, against "
              "over-fitting."));
    m_momentum = new QDoubleSpinBox;
    m_momentum->setRange(0, 0.9999);
    m_momentum->setDecimals(4);
    m_momentum->setSingleStep(0.01);
    connect(m_momentum, &QDoubleSpinBox::valueChanged, this,
            [this] { emitEdited(QStringLiteral("momentum")); });
    addRow(QStringLiteral("momentum"), m_momentum,
           tr("How slowly the running mean and variance follow the batches."));
    m_epsilon = new QDoubleSpinBox;
    m_epsilon->setRange(1e-6, 1);
    m_epsilon->setDecimals(6);
    m_epsilon->setSingleStep(0.001);
    connect(m_epsilon, &QDoubleSpinBox::valueChanged, this,
            [this] { emitEdited(QStringLiteral("epsilon")); });
    addRow(QStringLiteral("epsilon"), m_epsilon,
           tr("A small number added to the variance to avoid dividing by zero."));
    m_trainable = new QCheckBox;
    connect(m_trainable, &QCheckBox::toggled, this,
            [this] { emitEdited(QStringLiteral("trainable")); });
    addRow(QStringLiteral("trainable"), m_trainable,
           tr("Whether training changes this layer's weights. Untick it to freeze a layer copied "
              "from a trained model (the Frozen column of the table does the same); a frozen "
              "BatchNormalization layer also keeps its statistics."));

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

QSpinBox* LayerForm::sizeSpin(int minimum, int maximum)
{
    auto* spin = new QSpinBox;
    spin->setRange(minimum, maximum);
    return spin;
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

void LayerForm::addRow(const QString& key, QWidget* field, const QString& tip)
{
    field->setToolTip(tip);
    field->setObjectName(key);
    m_layout->addRow(key, field);
    m_rows.insert(key, field);
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
