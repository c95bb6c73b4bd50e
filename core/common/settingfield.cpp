#include "common/settingfield.h"

#include <cmath>

namespace studio {

QString SettingField::path() const
{
    return section.isEmpty() ? key : section + QLatin1Char('.') + key;
}

QStringList SettingField::choiceNames() const
{
    QStringList names;
    for (const SettingChoice& choice : choices) {
        names << choice.name;
    }
    return names;
}

int SettingField::choiceIndex(const QString& name) const
{
    for (int i = 0; i < choices.size(); ++i) {
        if (choices[i].name == name) {
            return i;
        }
    }
    return -1;
}

QString SettingField::describe() const
{
    switch (kind) {
    case SettingKind::Integer:
        if (std::isinf(range.maximum) || range.maximum >= 9e15) {
            return range.minimum == 1
                       ? QStringLiteral("a positive integer")
                       : QStringLiteral("an integer of at least %1").arg(numberText(formMinimum()));
        }
        return QStringLiteral("an integer from %1 to %2")
            .arg(numberText(formMinimum()), numberText(formMaximum()));
    case SettingKind::Number:
        return range.describe();
    case SettingKind::Flag:
        return QStringLiteral("true or false");
    case SettingKind::Choice: {
        QStringList quoted;
        for (const SettingChoice& choice : choices) {
            quoted << QLatin1Char('"') + choice.name + QLatin1Char('"');
        }
        const QString last = quoted.takeLast();
        return QStringLiteral("one of ") + (quoted.isEmpty() ? last
                                                             : quoted.join(QStringLiteral(", ")) +
                                                                   QStringLiteral(" or ") + last);
    }
    case SettingKind::Text:
        return QStringLiteral("a text");
    case SettingKind::NumberPair:
        return QStringLiteral("a list [low, high] with low %1 high, each %2")
            .arg(strictPair ? QStringLiteral("<") : QStringLiteral("<="), range.describe());
    case SettingKind::IntegerList:
        return QStringLiteral("a list of different integers from %1 to %2, at least one")
            .arg(numberText(range.minimum), numberText(range.maximum));
    }
    return QString();
}

double SettingField::formMinimum() const
{
    if (!range.minimumOpen) {
        return range.minimum;
    }
    return kind == SettingKind::Integer ? range.minimum + 1
                                        : range.minimum + std::pow(10.0, -decimals);
}

double SettingField::formMaximum() const
{
    if (!range.maximumOpen) {
        return range.maximum;
    }
    return kind == SettingKind::Integer ? range.maximum - 1
                                        : range.maximum - std::pow(10.0, -decimals);
}

bool SettingField::accepts(double value) const
{
    const bool whole = kind == SettingKind::Integer || kind == SettingKind::IntegerList;
    if (whole && value != std::floor(value)) {
        return false;
    }
    return range.contains(value);
}

SettingField SettingField::flag(const QString& section, const QString& key, bool value,
                                const QString& label, const QString& help)
{
    SettingField field;
    field.section = section;
    field.key = key;
    field.kind = SettingKind::Flag;
    field.defaultValue = value;
    field.label = label;
    field.help = help;
    return field;
}

SettingField SettingField::text(const QString& section, const QString& key, const QString& label,
                                const QString& help)
{
    SettingField field = flag(section, key, false, label, help);
    field.kind = SettingKind::Text;
    field.defaultValue = QString();
    return field;
}

SettingField SettingField::integer(const QString& section, const QString& key, double minimum,
                                   double maximum, int value, const QString& label,
                                   const QString& help)
{
    SettingField field = flag(section, key, false, label, help);
    field.kind = SettingKind::Integer;
    field.range = NumberRange::closed(minimum, maximum);
    field.defaultValue = value;
    return field;
}

SettingField SettingField::number(const QString& section, const QString& key,
                                  const NumberRange& range, double value, int decimals,
                                  const QString& label, const QString& help)
{
    SettingField field = flag(section, key, false, label, help);
    field.kind = SettingKind::Number;
    field.range = range;
    field.defaultValue = value;
    field.decimals = decimals;
    return field;
}

SettingField SettingField::numberPair(const QString& section, const QString& key,
                                      const NumberRange& range, const QJsonValue& value,
                                      int decimals, const QString& label, const QString& help)
{
    SettingField field = number(section, key, range, 0, decimals, label, help);
    field.kind = SettingKind::NumberPair;
    field.defaultValue = value;
    return field;
}

SettingField SettingField::integerList(const QString& section, const QString& key, double minimum,
                                       double maximum, const QString& label, const QString& help)
{
    SettingField field = integer(section, key, minimum, maximum, 0, label, help);
    field.kind = SettingKind::IntegerList;
    field.defaultValue = QJsonValue();
    return field;
}

SettingField SettingField::choice(const QString& section, const QString& key,
                                  const QVector<SettingChoice>& choices, const QString& value,
                                  const QString& label, const QString& help)
{
    SettingField field = flag(section, key, false, label, help);
    field.kind = SettingKind::Choice;
    field.choices = choices;
    field.defaultValue = value;
    return field;
}

SettingField SettingField::withKeras(const QString& name) const
{
    SettingField field = *this;
    field.keras = name;
    return field;
}

SettingField SettingField::withUnit(const QString& text) const
{
    SettingField field = *this;
    field.unit = text;
    return field;
}

SettingField SettingField::withStrictPair() const
{
    SettingField field = *this;
    field.strictPair = true;
    return field;
}

SettingField SettingField::withPairPerChannel() const
{
    SettingField field = *this;
    field.pairPerChannel = true;
    return field;
}

SettingField SettingField::withOption(const QString& option) const
{
    SettingField field = *this;
    field.cliOption = option;
    return field;
}

} // namespace studio
