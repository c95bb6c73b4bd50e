// One setting's single definition (project-file key, type, range or names, default, plain label,
// Keras name, help), from which the project file's reader and writer, classifier-cli's options
// and the forms' widgets all take their rules.
#pragma once

#include "common/numberrange.h"

#include <QJsonValue>
#include <QString>
#include <QStringList>
#include <QVector>

namespace studio {

// The largest whole number a JSON number (a double) holds exactly, and so a seed's limit.
constexpr double kLargestExactInteger = 9007199254740991.0; // 2^53 - 1

// How a setting is held in the project file.
enum class SettingKind
{
    Integer,    // a whole number in `range`
    Number,     // a number in `range`
    Flag,       // true or false
    Choice,     // one of `choices`' names
    Text,       // any string
    NumberPair, // [low, high], each in `range`, low <= high (low < high when strictPair)
    IntegerList // [a, b, ...]: whole numbers in `range`, none twice, at least one
};

// One allowed value of a Choice setting: its name in the file and its plain label.
struct SettingChoice
{
    QString name;  // "nearest"
    QString label; // "Repeat the edge pixels"
};

// The rules of one setting. Tables of these are in dataset/datasetschema.h and
// project/trainingschema.h; project/settingsschema.h lists them all.
struct SettingField
{
    QString section; // where its key sits in the project file: "augmentation", "training.optimizer"
    QString key;     // its key there, Keras's name where Keras has one: "width_shift_range"
    SettingKind kind = SettingKind::Number;
    NumberRange range;              // Integer, Number, NumberPair
    QVector<SettingChoice> choices; // Choice, in the order of the C++ enum's values
    QJsonValue defaultValue;        // as written in the file
    QString label;                  // plain words first: "Shift sideways up to"
    QString keras;                  // Keras's name when it is not `key` ("target_size")
    QString help;                   // the tooltip: what it does and when to change it
    QString unit;                   // after the value in a form: " px", " °"
    int decimals = 0;               // digits a form shows (Number); 12+ means scientific
    bool strictPair = false;        // NumberPair: low must be below high
    bool pairPerChannel = false;    // NumberPair: or [[low, high], ...], one pair per channel
    QString cliOption;              // classifier-cli's option for it ("image-size"), if any

    QString path() const; // "augmentation.width_shift_range"
    QString kerasName() const { return keras.isEmpty() ? key : keras; }
    QStringList choiceNames() const;
    int choiceIndex(const QString& name) const; // -1 when it is not one of the names
    // What values it takes, for messages: "an integer from 8 to 1024", "one of \"a\", \"b\"".
    QString describe() const;
    // The least and greatest value a form may offer: the range's ends, or for an open end the
    // nearest value inside it at the form's `decimals`.
    double formMinimum() const;
    double formMaximum() const;
    // True when `value` is in range (Integer and IntegerList's items: whole and in range;
    // Number: in range).
    bool accepts(double value) const;

    // The tables are written with these.
    static SettingField flag(const QString& section, const QString& key, bool value,
                             const QString& label, const QString& help);
    static SettingField text(const QString& section, const QString& key, const QString& label,
                             const QString& help);
    static SettingField integer(const QString& section, const QString& key, double minimum,
                                double maximum, int value, const QString& label,
                                const QString& help);
    static SettingField number(const QString& section, const QString& key, const NumberRange& range,
                               double value, int decimals, const QString& label,
                               const QString& help);
    static SettingField numberPair(const QString& section, const QString& key,
                                   const NumberRange& range, const QJsonValue& value, int decimals,
                                   const QString& label, const QString& help);
    static SettingField integerList(const QString& section, const QString& key, double minimum,
                                    double maximum, const QString& label, const QString& help);
    static SettingField choice(const QString& section, const QString& key,
                               const QVector<SettingChoice>& choices, const QString& value,
                               const QString& label, const QString& help);
    // This field with Keras's name, a unit or a classifier-cli option.
    SettingField withKeras(const QString& name) const;
    SettingField withUnit(const QString& text) const;
    SettingField withOption(const QString& option) const;
    SettingField withStrictPair() const;
    SettingField withPairPerChannel() const;
};

} // namespace studio
