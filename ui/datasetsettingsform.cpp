#include "datasetsettingsform.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace studio {

DatasetSettingsForm::DatasetSettingsForm(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    auto* splitBox = new QGroupBox(tr("Split"));
    auto* split = new QFormLayout(splitBox);
    m_splitMode = new QComboBox;
    m_splitMode->setObjectName(QStringLiteral("split_mode"));
    m_splitMode->addItem(tr("folders: train/, validation/, test/"));
    m_splitMode->addItem(tr("auto: split one folder of classes"));
    m_splitMode->setToolTip(
        tr("The training images (about 80 %) teach the network; the validation images (about "
           "10 %) show during training whether it generalises or only memorises; the test "
           "images (about 10 %) judge the finished model. 'folders' uses your train/, "
           "validation/ and test/ folders; 'auto' splits a single folder of class folders, "
           "stratified per class, and records the split so it never changes silently. The "
           "folders decide: this setting is checked against them."));
    connect(m_splitMode, &QComboBox::currentIndexChanged, this, [this] {
        updateEnabled();
        Q_EMIT edited(QStringLiteral("split_mode"));
    });
    split->addRow(QStringLiteral("split_mode"), m_splitMode);
    m_train = ratioSpin(QStringLiteral("train"),
                        tr("Share of each class used for training (auto split)."));
    m_validation =
        ratioSpin(QStringLiteral("validation"),
                  tr("Share of each class held back to watch for over-fitting during training "
                     "(auto split)."));
    m_test = ratioSpin(QStringLiteral("test"),
                       tr("Share of each class kept for the final test (auto split)."));
    split->addRow(tr("split: train"), m_train);
    split->addRow(tr("split: validation"), m_validation);
    split->addRow(tr("split: test"), m_test);
    m_splitSeed = new QSpinBox;
    m_splitSeed->setObjectName(QStringLiteral("split_seed"));
    m_splitSeed->setRange(0, std::numeric_limits<int>::max());
    m_splitSeed->setToolTip(tr("The random seed of the auto split: the same seed gives the "
                               "same split."));
    connect(m_splitSeed, &QSpinBox::valueChanged, this,
            [this] { Q_EMIT edited(QStringLiteral("split_seed")); });
    split->addRow(QStringLiteral("split_seed"), m_splitSeed);
    layout->addWidget(splitBox);

    auto* loadingBox = new QGroupBox(tr("Loading"));
    auto* loading = new QFormLayout(loadingBox);
    m_imageSize = new QSpinBox;
    m_imageSize->setObjectName(QStringLiteral("image_size"));
    m_imageSize->setRange(8, 1024);
    m_imageSize->setSuffix(tr(" px"));
    m_imageSize->setToolTip(
        tr("in_size: every image is forced into a square of this edge length. Higher "
           "resolutions take more time to process; lower ones can lose details that matter "
           "for the classification."));
    connect(m_imageSize, &QSpinBox::valueChanged, this,
            [this] { Q_EMIT edited(QStringLiteral("image_size")); });
    loading->addRow(QStringLiteral("image_size"), m_imageSize);
    m_colorMode = new QComboBox;
    m_colorMode->setObjectName(QStringLiteral("color_mode"));
    m_colorMode->addItems({QStringLiteral("rgb"), QStringLiteral("grayscale")});
    m_colorMode->setToolTip(tr("rgb: three colour channels; grayscale: one channel, for images "
                               "where colour carries no information."));
    connect(m_colorMode, &QComboBox::currentIndexChanged, this,
            [this] { Q_EMIT edited(QStringLiteral("color_mode")); });
    loading->addRow(QStringLiteral("color_mode"), m_colorMode);
    m_rescale = new QDoubleSpinBox;
    m_rescale->setObjectName(QStringLiteral("rescale"));
    m_rescale->setDecimals(6);
    m_rescale->setRange(1e-6, 1);
    m_rescale->setSingleStep(0.001);
    m_rescale->setToolTip(tr("Pixel values are multiplied by this. 1/255 = 0.003922 brings them "
                             "from 0..255 into 0..1: model fitting works best when all inputs "
                             "lie in a similar, small range."));
    connect(m_rescale, &QDoubleSpinBox::valueChanged, this,
            [this] { Q_EMIT edited(QStringLiteral("rescale")); });
    loading->addRow(QStringLiteral("rescale"), m_rescale);
    layout->addWidget(loadingBox);
    updateEnabled();
}

QDoubleSpinBox* DatasetSettingsForm::ratioSpin(const QString& key, const QString& tip)
{
    auto* spin = new QDoubleSpinBox;
    spin->setObjectName(QStringLiteral("split_") + key);
    spin->setRange(0, 1);
    spin->setSingleStep(0.05);
    spin->setDecimals(2);
    spin->setToolTip(tip);
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
    m_splitSeed->setValue(int(std::min<quint64>(s.splitSeed, quint64(m_splitSeed->maximum()))));
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
    s.splitSeed = quint64(m_splitSeed->value());
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
