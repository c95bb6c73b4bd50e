#include "augmentationform.h"

#include "dataset/datasetschema.h"
#include "settingwidgets.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QSignalBlocker>

#include <memory>

namespace studio {

AugmentationForm::AugmentationForm(QWidget* parent) : QWidget(parent)
{
    const AugmentationSchema& f = augmentationSchema();
    m_layout = new QFormLayout(this);
    m_enabled = addCheck(f.enabled);
    m_rotation = addSpin(f.rotationRange);
    m_widthShift = addSpin(f.widthShiftRange);
    m_heightShift = addSpin(f.heightShiftRange);
    m_shear = addSpin(f.shearRange);
    addPair(f.zoomRange, &m_zoomLow, &m_zoomHigh);
    m_horizontalFlip = addCheck(f.horizontalFlip);
    m_verticalFlip = addCheck(f.verticalFlip);
    addPair(f.brightnessRange, &m_brightnessLow, &m_brightnessHigh);
    m_fillMode = choiceCombo(f.fillMode);
    connect(m_fillMode, &QComboBox::currentIndexChanged, this, [this, key = f.fillMode.key] {
        updateEnabled();
        Q_EMIT edited(settings(), key);
    });
    addSettingRow(m_layout, f.fillMode, m_fillMode);
    m_cval = addSpin(f.cval);
    setToolTip(f.enabled.help);
    updateEnabled();
}

QDoubleSpinBox* AugmentationForm::addSpin(const SettingField& field)
{
    QDoubleSpinBox* spin = numberSpin(field);
    connect(spin, &QDoubleSpinBox::valueChanged, this,
            [this, key = field.key] { Q_EMIT edited(settings(), key); });
    addSettingRow(m_layout, field, spin);
    return spin;
}

void AugmentationForm::addPair(const SettingField& field, QDoubleSpinBox** low,
                               QDoubleSpinBox** high)
{
    *low = numberSpin(field);
    *high = numberSpin(field);
    (*low)->setObjectName(field.path() + QStringLiteral(".low"));
    (*high)->setObjectName(field.path() + QStringLiteral(".high"));
    for (QDoubleSpinBox* spin : {*low, *high}) {
        connect(spin, &QDoubleSpinBox::valueChanged, this,
                [this, key = field.key] { Q_EMIT edited(settings(), key); });
    }
    addSettingRow(m_layout, field, sideBySide(*low, *high));
}

QCheckBox* AugmentationForm::addCheck(const SettingField& field)
{
    QCheckBox* check = flagCheck(field);
    connect(check, &QCheckBox::toggled, this, [this, key = field.key] {
        updateEnabled();
        Q_EMIT edited(settings(), key);
    });
    addSettingRow(m_layout, field, check);
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
