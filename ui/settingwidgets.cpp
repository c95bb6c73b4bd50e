#include "settingwidgets.h"

#include "project/settingsschema.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QRegularExpressionValidator>
#include <QSettings>
#include <QSpinBox>

#include <cmath>

namespace studio {

namespace {

const QString kKerasFirstKey = QStringLiteral("view/kerasNamesFirst");

constexpr int kScientificDecimals = 12;

template <typename W> W* named(W* widget, const SettingField& field)
{
    widget->setObjectName(field.path());
    widget->setToolTip(settingToolTip(field));
    return widget;
}

} // namespace

KerasNames::KerasNames() : m_first(QSettings().value(kKerasFirstKey, false).toBool()) {}

KerasNames* KerasNames::instance()
{
    static KerasNames* names = new KerasNames;
    return names;
}

void KerasNames::setFirst(bool first)
{
    if (first == m_first) {
        return;
    }
    m_first = first;
    QSettings().setValue(kKerasFirstKey, first);
    Q_EMIT changed(first);
}

SettingLabel::SettingLabel(const SettingField& field, QWidget* parent)
    : QLabel(parent), m_plain(field.label), m_keras(field.kerasName())
{
    setObjectName(field.path() + QStringLiteral(".label"));
    setToolTip(settingToolTip(field));
    setTextFormat(Qt::RichText);
    showNames(KerasNames::instance()->first());
    connect(KerasNames::instance(), &KerasNames::changed, this, &SettingLabel::showNames);
}

void SettingLabel::showNames(bool kerasFirst)
{
    const QString first = (kerasFirst ? m_keras : m_plain).toHtmlEscaped();
    const QString second = (kerasFirst ? m_plain : m_keras).toHtmlEscaped();
    setText(QStringLiteral("%1 <span style=\"color:gray\">%2</span>").arg(first, second));
}

ScientificSpinBox::ScientificSpinBox(QWidget* parent) : QDoubleSpinBox(parent)
{
    setDecimals(15);
}

QString ScientificSpinBox::textFromValue(double value) const
{
    return QString::number(value, 'g', 6);
}

double ScientificSpinBox::valueFromText(const QString& text) const
{
    return text.toDouble();
}

QValidator::State ScientificSpinBox::validate(QString& text, int&) const
{
    if (text.isEmpty() || text == QLatin1String("-") ||
        text.endsWith(QLatin1Char('e'), Qt::CaseInsensitive) || text.endsWith(QLatin1Char('.'))) {
        return QValidator::Intermediate;
    }
    bool ok = false;
    text.toDouble(&ok);
    return ok ? QValidator::Acceptable : QValidator::Invalid;
}

void ScientificSpinBox::stepBy(int steps)
{
    const double current = value();
    setValue(current <= 0 ? (steps > 0 ? std::max(minimum(), 1e-6) : 0)
                          : current * std::pow(10.0, steps));
}

WholeNumberValidator::WholeNumberValidator(double minimum, double maximum, QObject* parent)
    : QValidator(parent), m_minimum(minimum), m_maximum(maximum)
{}

QValidator::State WholeNumberValidator::validate(QString& text, int&) const
{
    if (text.isEmpty()) {
        return Intermediate;
    }
    for (const QChar c : text) {
        if (!c.isDigit()) {
            return Invalid;
        }
    }
    bool ok = false;
    const double value = double(text.toULongLong(&ok));
    if (!ok || value > m_maximum) {
        return Invalid;
    }
    return value < m_minimum ? Intermediate : Acceptable;
}

QString settingLabel(const QString& path)
{
    const SettingField* field = findSettingField(path);
    return field != nullptr ? field->label : path.section(QLatin1Char('.'), -1);
}

QString settingToolTip(const SettingField& field)
{
    return QStringLiteral("%1\n\nKeras: %2. Project file: %3.")
        .arg(field.help, field.kerasName(), field.path());
}

QSpinBox* integerSpin(const SettingField& field)
{
    auto* spin = named(new QSpinBox, field);
    spin->setRange(int(field.formMinimum()), int(field.formMaximum()));
    spin->setSuffix(field.unit);
    return spin;
}

QDoubleSpinBox* numberSpin(const SettingField& field)
{
    QDoubleSpinBox* spin =
        field.decimals >= kScientificDecimals ? new ScientificSpinBox : new QDoubleSpinBox;
    named(spin, field);
    if (field.decimals < kScientificDecimals) {
        spin->setDecimals(field.decimals);
        const double span = field.formMaximum() - field.formMinimum();
        spin->setSingleStep(span <= 1 ? 0.05 : span <= 10 ? 0.1 : span <= 1000 ? 1 : 10);
    }
    spin->setRange(field.formMinimum(), field.formMaximum());
    spin->setSuffix(field.unit);
    return spin;
}

QComboBox* choiceCombo(const SettingField& field)
{
    auto* combo = named(new QComboBox, field);
    for (const SettingChoice& choice : field.choices) {
        combo->addItem(choice.label, choice.name);
        combo->setItemData(combo->count() - 1, choice.name, Qt::ToolTipRole);
    }
    return combo;
}

QCheckBox* flagCheck(const SettingField& field)
{
    return named(new QCheckBox, field);
}

QLineEdit* wholeNumberEdit(const SettingField& field)
{
    auto* edit = named(new QLineEdit, field);
    edit->setValidator(new WholeNumberValidator(field.formMinimum(), field.formMaximum(), edit));
    return edit;
}

QLineEdit* integerListEdit(const SettingField& field)
{
    auto* edit = named(new QLineEdit, field);
    static const QRegularExpression list(
        QStringLiteral("^\\s*(\\d{1,3}\\s*(,\\s*\\d{1,3}\\s*)*)?$"));
    edit->setValidator(new QRegularExpressionValidator(list, edit));
    edit->setPlaceholderText(QObject::tr("all, as the colours say"));
    return edit;
}

QVector<int> integerListOf(const QString& text)
{
    QVector<int> numbers;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const int number = part.trimmed().toInt(&ok);
        if (!ok) {
            return {};
        }
        numbers << number;
    }
    return numbers;
}

QString integerListText(const QVector<int>& numbers)
{
    QStringList parts;
    for (const int number : numbers) {
        parts << QString::number(number);
    }
    return parts.join(QStringLiteral(", "));
}

QWidget* sideBySide(QWidget* a, QWidget* b)
{
    auto* widget = new QWidget;
    auto* layout = new QHBoxLayout(widget);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(a);
    layout->addWidget(b);
    return widget;
}

void addSettingRow(QFormLayout* form, const SettingField& field, QWidget* widget)
{
    form->addRow(new SettingLabel(field), widget);
}

QGroupBox* flagGroup(const SettingField& field, const QString& kerasClass)
{
    auto* group = named(new QGroupBox, field);
    group->setCheckable(true);
    const auto title = [group, plain = field.label, kerasClass](bool kerasFirst) {
        group->setTitle(kerasFirst ? QStringLiteral("%1 (%2)").arg(kerasClass, plain)
                                   : QStringLiteral("%1 (%2)").arg(plain, kerasClass));
    };
    title(KerasNames::instance()->first());
    QObject::connect(KerasNames::instance(), &KerasNames::changed, group, title);
    return group;
}

} // namespace studio
