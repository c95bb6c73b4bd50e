#include "datasetsettingsform.h"

#include "dataset/datasetschema.h"
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
    m_rescale = numberSpin(f.rescale);
    m_rescale->setSingleStep(0.001);
    connect(m_rescale, &QDoubleSpinBox::valueChanged, this,
            [this, key = f.rescale.key] { Q_EMIT edited(key); });
    addSettingRow(loading, f.rescale, m_rescale);
    layout->addWidget(loadingBox);
    updateEnabled();
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
        b5(m_splitSeed), b6(m_imageSize), b7(m_colorMode), b8(m_rescale);
    m_splitMode->setCurrentIndex(int(s.splitMode));
    m_train->setValue(s.trainRatio);
    m_validation->setValue(s.validationRatio);
    m_test->setValue(s.testRatio);
    m_splitSeed->setText(QString::number(s.splitSeed));
    m_imageSize->setValue(s.imageSize);
    m_colorMode->setCurrentIndex(int(s.colorMode));
    m_rescale->setValue(s.rescale);
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
    s.colorMode = ColorMode(std::max(0, m_colorMode->currentIndex()));
    // The spin box shows 1/255 rounded: keep the exact value unless the user changed it.
    if (std::abs(m_rescale->value() - s.rescale) > 0.6 * std::pow(10.0, -m_rescale->decimals())) {
        s.rescale = m_rescale->value();
    }
    return s;
}

void DatasetSettingsForm::updateEnabled()
{
    const bool autoSplit = m_splitMode->currentIndex() == int(SplitMode::Auto);
    for (QWidget* widget : {static_cast<QWidget*>(m_train), static_cast<QWidget*>(m_validation),
                            static_cast<QWidget*>(m_test), static_cast<QWidget*>(m_splitSeed)}) {
        widget->setEnabled(autoSplit);
    }
}

} // namespace studio
