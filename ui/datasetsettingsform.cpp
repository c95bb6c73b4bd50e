#include "datasetsettingsform.h"

#include "dataset/datasetschema.h"
#include "dataset/inputspec.h"
#include "settingwidgets.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace studio {

DatasetSettingsForm::DatasetSettingsForm(QWidget* parent) : QWidget(parent)
{
    const DatasetSchema& f = datasetSchema();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    auto* splitBox = new QGroupBox(tr("Split"));
    auto* split = new QFormLayout(splitBox);
    m_splitMode = choiceCombo(f.splitMode);
    connect(m_splitMode, &QComboBox::currentIndexChanged, this, [this, key = f.splitMode.key] {
        updateEnabled();
        Q_EMIT edited(key);
    });
    addSettingRow(split, f.splitMode, m_splitMode);
    m_train = ratioSpin(f.trainRatio);
    m_validation = ratioSpin(f.validationRatio);
    m_test = ratioSpin(f.testRatio);
    addSettingRow(split, f.trainRatio, m_train);
    addSettingRow(split, f.validationRatio, m_validation);
    addSettingRow(split, f.testRatio, m_test);
    m_splitSeed = wholeNumberEdit(f.splitSeed);
    connect(m_splitSeed, &QLineEdit::editingFinished, this,
            [this, key = f.splitSeed.key] { Q_EMIT edited(key); });
    addSettingRow(split, f.splitSeed, m_splitSeed);
    layout->addWidget(splitBox);

    auto* loadingBox = new QGroupBox(tr("Loading"));
    auto* loading = new QFormLayout(loadingBox);
    m_imageSize = integerSpin(f.imageSize);
    connect(m_imageSize, &QSpinBox::valueChanged, this,
            [this, key = f.imageSize.key] { Q_EMIT edited(key); });
    addSettingRow(loading, f.imageSize, m_imageSize);
    m_colorMode = choiceCombo(f.colorMode);
    connect(m_colorMode, &QComboBox::currentIndexChanged, this,
            [this, key = f.colorMode.key] { Q_EMIT edited(key); });
    addSettingRow(loading, f.colorMode, m_colorMode);
    addValueRows(loading);
    layout->addWidget(loadingBox);
    updateEnabled();
}

QDoubleSpinBox* DatasetSettingsForm::editedSpin(const SettingField& field, const QString& name)
{
    QDoubleSpinBox* spin = numberSpin(field);
    spin->setObjectName(name);
    connect(spin, &QDoubleSpinBox::valueChanged, this,
            [this, key = field.key] { Q_EMIT edited(key); });
    return spin;
}

void DatasetSettingsForm::addValueRows(QFormLayout* loading)
{
    const DatasetSchema& f = datasetSchema();
    m_channels = integerListEdit(f.channels);
    connect(m_channels, &QLineEdit::editingFinished, this, [this, key = f.channels.key] {
        updateEnabled();
        Q_EMIT edited(key);
    });
    addSettingRow(loading, f.channels, m_channels);
    m_normalization = choiceCombo(f.normalization);
    connect(m_normalization, &QComboBox::currentIndexChanged, this,
            [this, key = f.normalization.key] {
                updateEnabled();
                Q_EMIT edited(key);
            });
    addSettingRow(loading, f.normalization, m_normalization);
    m_rangeLow = editedSpin(f.valueRange, f.valueRange.path() + QStringLiteral(".low"));
    m_rangeHigh = editedSpin(f.valueRange, f.valueRange.path() + QStringLiteral(".high"));
    addSettingRow(loading, f.valueRange, sideBySide(m_rangeLow, m_rangeHigh));
    m_percentileLow = editedSpin(f.percentiles, f.percentiles.path() + QStringLiteral(".low"));
    m_percentileHigh = editedSpin(f.percentiles, f.percentiles.path() + QStringLiteral(".high"));
    addSettingRow(loading, f.percentiles, sideBySide(m_percentileLow, m_percentileHigh));
    m_rescale = editedSpin(f.rescale, f.rescale.path());
    m_rescale->setSingleStep(0.001);
    addSettingRow(loading, f.rescale, m_rescale);
    m_resize = choiceCombo(f.resize);
    connect(m_resize, &QComboBox::currentIndexChanged, this, [this, key = f.resize.key] {
        updateEnabled();
        Q_EMIT edited(key);
    });
    addSettingRow(loading, f.resize, m_resize);
    m_padValue = editedSpin(f.padValue, f.padValue.path());
    addSettingRow(loading, f.padValue, m_padValue);
}

QDoubleSpinBox* DatasetSettingsForm::ratioSpin(const SettingField& field)
{
    QDoubleSpinBox* spin = numberSpin(field);
    connect(spin, &QDoubleSpinBox::valueChanged, this,
            [this] { Q_EMIT edited(QStringLiteral("split")); });
    return spin;
}

void DatasetSettingsForm::setSettings(const DatasetSettings& s)
{
    const QSignalBlocker b1(m_splitMode), b2(m_train), b3(m_validation), b4(m_test),
        b5(m_splitSeed), b6(m_imageSize), b7(m_colorMode), b8(m_rescale), b9(m_channels),
        b10(m_normalization), b11(m_rangeLow), b12(m_rangeHigh), b13(m_percentileLow),
        b14(m_percentileHigh), b15(m_resize), b16(m_padValue);
    m_splitMode->setCurrentIndex(int(s.splitMode));
    m_train->setValue(s.trainRatio);
    m_validation->setValue(s.validationRatio);
    m_test->setValue(s.testRatio);
    m_splitSeed->setText(QString::number(s.splitSeed));
    m_imageSize->setValue(s.imageSize);
    m_colorMode->setCurrentIndex(int(s.colorMode));
    QVector<int> channels;
    for (const int c : s.channelList) {
        channels << c + 1;
    }
    m_channels->setText(integerListText(channels));
    // No normalization key shows as "rescale", which it is for 8-bit images.
    m_legacyNormalization = s.normalization == Normalization::Legacy;
    m_normalization->setCurrentIndex(m_legacyNormalization ? int(Normalization::Rescale)
                                                           : int(s.normalization));
    m_rangeLow->setValue(s.rangeLow);
    m_rangeHigh->setValue(s.rangeHigh);
    showChannelRanges(s);
    m_percentileLow->setValue(s.percentileLow);
    m_percentileHigh->setValue(s.percentileHigh);
    m_rescale->setValue(s.rescale);
    m_resize->setCurrentIndex(int(s.resize));
    m_padValue->setValue(s.padValue);
    updateEnabled();
}

DatasetSettings DatasetSettingsForm::apply(DatasetSettings s) const
{
    s.splitMode = SplitMode(std::max(0, m_splitMode->currentIndex()));
    s.trainRatio = m_train->value();
    s.validationRatio = m_validation->value();
    s.testRatio = m_test->value();
    bool wholeSeed = false;
    const quint64 seed = m_splitSeed->text().toULongLong(&wholeSeed);
    if (wholeSeed && m_splitSeed->hasAcceptableInput()) {
        s.splitSeed = seed;
    }
    s.imageSize = m_imageSize->value();
    QVector<int> channels;
    for (const int c : integerListOf(m_channels->text())) {
        if (c >= 1 && c <= datasetSchema().channels.range.maximum && !channels.contains(c - 1)) {
            channels << c - 1;
        }
    }
    if (channels != s.channelList) {
        s = withChannelList(s, channels);
    }
    s.colorMode = ColorMode(std::max(0, m_colorMode->currentIndex()));
    if (s.channelRanges.size() != s.channels()) { // the colours changed the channel count
        s.channelRanges.clear();
    }
    const auto normalization = Normalization(std::max(0, m_normalization->currentIndex()));
    if (!(m_legacyNormalization && normalization == Normalization::Rescale)) {
        s.normalization = normalization;
    }
    // Typing a range sets one for every channel, replacing any per-channel ones.
    if (m_rangeLow->value() < m_rangeHigh->value() &&
        (m_rangeLow->value() != s.rangeLow || m_rangeHigh->value() != s.rangeHigh)) {
        s.rangeLow = m_rangeLow->value();
        s.rangeHigh = m_rangeHigh->value();
        s.channelRanges.clear();
    }
    if (m_percentileLow->value() < m_percentileHigh->value()) {
        s.percentileLow = m_percentileLow->value();
        s.percentileHigh = m_percentileHigh->value();
    }
    s.resize = ResizeMode(std::max(0, m_resize->currentIndex()));
    s.padValue = m_padValue->value();
    // The spin box shows 1/255 rounded: keep the exact value unless the user changed it.
    if (std::abs(m_rescale->value() - s.rescale) > 0.6 * std::pow(10.0, -m_rescale->decimals())) {
        s.rescale = m_rescale->value();
    }
    return s;
}

// With one value range per channel (from the project file or the command line), the range
// boxes say so in their tooltips; typing a range replaces them with one for every channel.
void DatasetSettingsForm::showChannelRanges(const DatasetSettings& s)
{
    QString tip = settingToolTip(datasetSchema().valueRange);
    if (!s.channelRanges.isEmpty()) {
        QStringList ranges;
        for (const auto& [low, high] : s.channelRanges) {
            ranges << QStringLiteral("%1 to %2").arg(low).arg(high);
        }
        tip += tr("<p>This project gives each channel its own range: %1. A range typed here "
                  "replaces them with one for every channel.</p>")
                   .arg(ranges.join(QStringLiteral(", ")));
    }
    m_rangeLow->setToolTip(tip);
    m_rangeHigh->setToolTip(tip);
}

void DatasetSettingsForm::updateEnabled()
{
    const bool autoSplit = m_splitMode->currentIndex() == int(SplitMode::Auto);
    for (QWidget* widget : {static_cast<QWidget*>(m_train), static_cast<QWidget*>(m_validation),
                            static_cast<QWidget*>(m_test), static_cast<QWidget*>(m_splitSeed)}) {
        widget->setEnabled(autoSplit);
    }
    m_colorMode->setEnabled(integerListOf(m_channels->text()).isEmpty());
    const auto normalization = Normalization(std::max(0, m_normalization->currentIndex()));
    for (QDoubleSpinBox* spin : {m_rangeLow, m_rangeHigh}) {
        spin->setEnabled(normalization == Normalization::Range);
    }
    for (QDoubleSpinBox* spin : {m_percentileLow, m_percentileHigh}) {
        spin->setEnabled(normalization == Normalization::Percentile);
    }
    m_rescale->setEnabled(normalization == Normalization::Rescale);
    m_padValue->setEnabled(m_resize->currentIndex() == int(ResizeMode::Pad));
}

} // namespace studio
