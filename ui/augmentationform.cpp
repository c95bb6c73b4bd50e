#include "augmentationform.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QSignalBlocker>

#include <memory>

namespace studio {

namespace {

QString whyAugment()
{
    return QObject::tr(
        "Augmentation shows the network slightly altered copies of the training images in every "
        "epoch, so that it learns the objects rather than the particular pictures: a guard "
        "against over-fitting when there are few images. Validation and test images are never "
        "augmented.");
}

QWidget* pair(QWidget* a, QWidget* b)
{
    auto* widget = new QWidget;
    auto* layout = new QHBoxLayout(widget);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(a);
    layout->addWidget(b);
    return widget;
}

} // namespace

AugmentationForm::AugmentationForm(QWidget* parent) : QWidget(parent)
{
    m_layout = new QFormLayout(this);
    m_enabled =
        addCheck(QStringLiteral("enabled"), tr("Augment the training images"), whyAugment());
    m_rotation = addSpin(QStringLiteral("rotation_range"), 180, 5, 1, tr(" °"),
                         tr("Turns each image by a random angle between -rotation_range and "
                            "+rotation_range degrees."));
    // The project file takes shifts below 1 (Keras reads 1 and more as pixels) and shear below
    // 90 degrees: the form's maxima stay inside, so that every value it makes can be saved.
    m_widthShift = addSpin(QStringLiteral("width_shift_range"), 0.99, 0.05, 2, QString(),
                           tr("Moves each image sideways by up to this fraction of its width "
                              "(0.1 = 10 %)."));
    m_heightShift = addSpin(QStringLiteral("height_shift_range"), 0.99, 0.05, 2, QString(),
                            tr("Moves each image up or down by up to this fraction of its "
                               "height."));
    m_shear = addSpin(QStringLiteral("shear_range"), 89.9, 5, 1, tr(" °"),
                      tr("Slants each image by a random shear angle up to this many "
                         "degrees, as if seen at an angle."));

    const QString zoomTip = tr("zoom_range [low, high]: each image is zoomed by a random "
                               "factor in this range; above 1 shows more of the image "
                               "(smaller objects), below 1 zooms in. Keras's zoom_range=z "
                               "means [1-z, 1+z].");
    m_zoomLow = new QDoubleSpinBox;
    m_zoomHigh = new QDoubleSpinBox;
    const QString brightnessTip = tr("brightness_range [low, high]: pixel values are multiplied "
                                     "by a random factor in this range; 1 leaves them "
                                     "unchanged.");
    m_brightnessLow = new QDoubleSpinBox;
    m_brightnessHigh = new QDoubleSpinBox;
    const QVector<QPair<QDoubleSpinBox*, QString>> ranges = {
        {m_zoomLow, QStringLiteral("zoom_range")},
        {m_zoomHigh, QStringLiteral("zoom_range")},
        {m_brightnessLow, QStringLiteral("brightness_range")},
        {m_brightnessHigh, QStringLiteral("brightness_range")}};
    for (const auto& [spin, key] : ranges) {
        spin->setRange(0.05, 5);
        spin->setSingleStep(0.05);
        spin->setDecimals(2);
        spin->setObjectName(key + (spin == m_zoomLow || spin == m_brightnessLow
                                       ? QStringLiteral("_low")
                                       : QStringLiteral("_high")));
        spin->setToolTip(key == QLatin1String("zoom_range") ? zoomTip : brightnessTip);
        connect(spin, &QDoubleSpinBox::valueChanged, this,
                [this, key = key] { Q_EMIT edited(settings(), key); });
    }
    m_layout->addRow(QStringLiteral("zoom_range"), pair(m_zoomLow, m_zoomHigh));
    m_horizontalFlip = addCheck(QStringLiteral("horizontal_flip"), tr("Flip left-right"),
                                tr("Mirrors half of the images left to right. Use it when a "
                                   "mirrored object is still the same class."));
    m_verticalFlip = addCheck(QStringLiteral("vertical_flip"), tr("Flip upside down"),
                              tr("Turns half of the images upside down. Right for microscopy "
                                 "or aerial images, wrong for letters or faces."));
    m_layout->addRow(QStringLiteral("brightness_range"), pair(m_brightnessLow, m_brightnessHigh));

    m_fillMode = new QComboBox;
    m_fillMode->setObjectName(QStringLiteral("fill_mode"));
    m_fillMode->addItems({QStringLiteral("nearest"), QStringLiteral("constant"),
                          QStringLiteral("reflect"), QStringLiteral("wrap")});
    m_fillMode->setToolTip(tr("How the corners uncovered by a rotation, shift or zoom are "
                              "filled: nearest repeats the edge pixels, constant uses cval, "
                              "reflect mirrors the image, wrap tiles it."));
    connect(m_fillMode, &QComboBox::currentIndexChanged, this, [this] {
        updateEnabled();
        Q_EMIT edited(settings(), QStringLiteral("fill_mode"));
    });
    m_layout->addRow(QStringLiteral("fill_mode"), m_fillMode);
    m_cval = addSpin(QStringLiteral("cval"), 255, 1, 0, QString(),
                     tr("The grey value (0 black to 255 white) of the filled corners when "
                        "fill_mode is constant."));
    setToolTip(whyAugment());
    updateEnabled();
}

QDoubleSpinBox* AugmentationForm::addSpin(const QString& key, double maximum, double step,
                                          int decimals, const QString& suffix, const QString& tip)
{
    auto* spin = new QDoubleSpinBox;
    spin->setObjectName(key);
    spin->setRange(0, maximum);
    spin->setSingleStep(step);
    spin->setDecimals(decimals);
    spin->setSuffix(suffix);
    spin->setToolTip(tip);
    connect(spin, &QDoubleSpinBox::valueChanged, this,
            [this, key] { Q_EMIT edited(settings(), key); });
    m_layout->addRow(key, spin);
    return spin;
}

QCheckBox* AugmentationForm::addCheck(const QString& key, const QString& text, const QString& tip)
{
    auto* check = new QCheckBox(text);
    check->setObjectName(key);
    check->setToolTip(tip);
    connect(check, &QCheckBox::toggled, this, [this, key] {
        updateEnabled();
        Q_EMIT edited(settings(), key);
    });
    m_layout->addRow(key, check);
    return check;
}

void AugmentationForm::setSettings(const AugmentationSettings& s)
{
    const QList<QWidget*> widgets = findChildren<QWidget*>();
    QVector<std::shared_ptr<QSignalBlocker>> blockers;
    for (QWidget* widget : widgets) {
        blockers.append(std::make_shared<QSignalBlocker>(widget));
    }
    m_enabled->setChecked(s.enabled);
    m_rotation->setValue(s.rotationRange);
    m_widthShift->setValue(s.widthShiftRange);
    m_heightShift->setValue(s.heightShiftRange);
    m_shear->setValue(s.shearRange);
    m_zoomLow->setValue(s.zoomLow);
    m_zoomHigh->setValue(s.zoomHigh);
    m_horizontalFlip->setChecked(s.horizontalFlip);
    m_verticalFlip->setChecked(s.verticalFlip);
    m_brightnessLow->setValue(s.brightnessLow);
    m_brightnessHigh->setValue(s.brightnessHigh);
    m_fillMode->setCurrentIndex(int(s.fillMode));
    m_cval->setValue(s.cval);
    updateEnabled();
}

AugmentationSettings AugmentationForm::settings() const
{
    AugmentationSettings s;
    s.enabled = m_enabled->isChecked();
    s.rotationRange = m_rotation->value();
    s.widthShiftRange = m_widthShift->value();
    s.heightShiftRange = m_heightShift->value();
    s.shearRange = m_shear->value();
    s.zoomLow = std::min(m_zoomLow->value(), m_zoomHigh->value());
    s.zoomHigh = std::max(m_zoomLow->value(), m_zoomHigh->value());
    s.horizontalFlip = m_horizontalFlip->isChecked();
    s.verticalFlip = m_verticalFlip->isChecked();
    s.brightnessLow = std::min(m_brightnessLow->value(), m_brightnessHigh->value());
    s.brightnessHigh = std::max(m_brightnessLow->value(), m_brightnessHigh->value());
    s.fillMode = FillMode(std::max(0, m_fillMode->currentIndex()));
    s.cval = m_cval->value();
    return s;
}

void AugmentationForm::updateEnabled()
{
    const bool on = m_enabled->isChecked();
    for (QWidget* widget : findChildren<QWidget*>()) {
        if (widget != m_enabled &&
            (qobject_cast<QDoubleSpinBox*>(widget) || qobject_cast<QCheckBox*>(widget) ||
             qobject_cast<QComboBox*>(widget))) {
            widget->setEnabled(on);
        }
    }
    m_cval->setEnabled(on && m_fillMode->currentIndex() == int(FillMode::Constant));
}

} // namespace studio
