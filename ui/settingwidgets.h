// Form widgets made from a setting's SettingField (core's settings schema), so that every form's
// ranges, choices, labels and help are the schema's, and View > Show Keras Names can put Keras's
// name first.
#pragma once

#include "common/settingfield.h"

#include <QDoubleSpinBox>
#include <QLabel>
#include <QObject>
#include <QValidator>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QGroupBox;
class QLineEdit;
class QSpinBox;

namespace studio {

// Whether labels show the plain words first (the default) or Keras's names first; kept in
// QSettings ("view/kerasNamesFirst") and followed by every SettingLabel.
class KerasNames : public QObject
{
    Q_OBJECT

public:
    static KerasNames* instance();
    bool first() const { return m_first; }
    void setFirst(bool first);

Q_SIGNALS:
    void changed(bool kerasNamesFirst);

private:
    KerasNames();
    bool m_first = false;
};

// A form row's label: the plain words with Keras's name beside them in grey (or the other way
// round under View > Show Keras Names).
class SettingLabel : public QLabel
{
    Q_OBJECT

public:
    explicit SettingLabel(const SettingField& field, QWidget* parent = nullptr);

private:
    void showNames(bool kerasFirst);
    QString m_plain;
    QString m_keras;
};

// A spin box that shows and reads numbers like 1e-07 and 0.001, stepping by factors of ten.
class ScientificSpinBox : public QDoubleSpinBox
{
public:
    explicit ScientificSpinBox(QWidget* parent = nullptr);

    QString textFromValue(double value) const override;
    double valueFromText(const QString& text) const override;
    QValidator::State validate(QString& text, int& position) const override;
    void stepBy(int steps) override;
};

// Accepts the whole numbers in [minimum, maximum], beyond what a QSpinBox's int holds (seeds).
class WholeNumberValidator : public QValidator
{
public:
    WholeNumberValidator(double minimum, double maximum, QObject* parent = nullptr);
    State validate(QString& text, int& position) const override;
    double minimum() const { return m_minimum; }
    double maximum() const { return m_maximum; }

private:
    double m_minimum;
    double m_maximum;
};

// The plain label of the setting at `path` ("augmentation.rotation_range" -> "Turn by up to"),
// for undo texts; the path's last key when the schema has no such setting.
QString settingLabel(const QString& path);

// The tooltip of a setting: its help, then its Keras name and project-file key.
QString settingToolTip(const SettingField& field);

// Widgets for one setting, named field.path() (tests find them by it) and with its tooltip.
QSpinBox* integerSpin(const SettingField& field);
QDoubleSpinBox* numberSpin(const SettingField& field); // scientific when decimals >= 12
QComboBox* choiceCombo(const SettingField& field);     // plain labels; the file's names as data
QCheckBox* flagCheck(const SettingField& field);
QLineEdit* wholeNumberEdit(const SettingField& field); // integers past 2^31 (seeds)
// A list of whole numbers as text, "1, 2, 4" (IntegerList); empty text means no list.
QLineEdit* integerListEdit(const SettingField& field);
// The numbers of integerListEdit()'s text (as written, counted from 1); empty when the text is
// empty or not such a list.
QVector<int> integerListOf(const QString& text);
QString integerListText(const QVector<int>& numbers);

// Two widgets side by side in one form row (a [low, high] pair).
QWidget* sideBySide(QWidget* a, QWidget* b);

// Adds "label: widget" to `form` with a SettingLabel for the field.
void addSettingRow(QFormLayout* form, const SettingField& field, QWidget* widget);

// A checkable group box for an on/off setting, titled with its plain label and Keras's class
// name (EarlyStopping), in the order View > Show Keras Names says.
QGroupBox* flagGroup(const SettingField& field, const QString& kerasClass);

} // namespace studio
