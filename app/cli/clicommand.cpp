#include "clicommand.h"

#include <QJsonArray>

#include <cstdio>
#include <unistd.h>

namespace studio::cli {

int parseOrExit(QCommandLineParser& parser, const QStringList& arguments)
{
    const QCommandLineOption help = parser.addHelpOption();
    if (!parser.parse(arguments)) {
        printError(parser.errorText() +
                   QStringLiteral("\nRun '%1 --help' for the options.").arg(arguments.value(0)));
        return ExitBadInput;
    }
    if (parser.isSet(help)) {
        printOut(parser.helpText());
        return ExitOk;
    }
    return -1;
}

void printOut(const QString& text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    if (!text.endsWith(QLatin1Char('\n'))) {
        std::fputc('\n', stdout);
    }
    std::fflush(stdout);
}

void printError(const QString& text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    if (!text.endsWith(QLatin1Char('\n'))) {
        std::fputc('\n', stderr);
    }
    std::fflush(stderr);
}

bool intOption(const QCommandLineParser& parser, const QString& name, int minimum, int* value)
{
    if (!parser.isSet(name)) {
        return true;
    }
    bool ok = false;
    const int parsed = parser.value(name).toInt(&ok);
    if (!ok || parsed < minimum) {
        printError(QStringLiteral("--%1 must be a whole number of at least %2, got '%3'.")
                       .arg(name)
                       .arg(minimum)
                       .arg(parser.value(name)));
        return false;
    }
    *value = parsed;
    return true;
}

QCommandLineOption settingOption(const SettingField& field)
{
    const QString names = field.kerasName() == field.key
                              ? field.key
                              : QStringLiteral("%1; %2 in Keras").arg(field.key, field.kerasName());
    QString values = field.describe();
    if (field.kind == SettingKind::Choice) {
        QStringList described;
        for (const SettingChoice& choice : field.choices) {
            described << QStringLiteral("%1 (%2)").arg(choice.name, choice.label.toLower());
        }
        values = described.join(QStringLiteral(", "));
    }
    if (field.pairPerChannel) {
        values += QStringLiteral("; or one such pair per channel the network sees, in its order "
                                 "(0,4095,0,255)");
    }
    const QString valueName = field.kind == SettingKind::Choice        ? QStringLiteral("NAME")
                              : field.kind == SettingKind::Integer     ? QStringLiteral("N")
                              : field.kind == SettingKind::IntegerList ? QStringLiteral("N,N,...")
                              : field.pairPerChannel ? QStringLiteral("LOW,HIGH[,LOW,HIGH...]")
                              : field.kind == SettingKind::NumberPair ? QStringLiteral("LOW,HIGH")
                                                                      : QStringLiteral("X");
    return QCommandLineOption(
        field.cliOption, QStringLiteral("%1 (%2): %3.").arg(field.label, names, values), valueName);
}

std::optional<QJsonValue> settingOptionValue(const QCommandLineParser& parser,
                                             const SettingField& field)
{
    if (!parser.isSet(field.cliOption)) {
        return QJsonValue();
    }
    const QString text = parser.value(field.cliOption).trimmed();
    bool ok = false;
    QJsonValue value;
    switch (field.kind) {
    case SettingKind::Integer: {
        const qint64 whole = text.toLongLong(&ok);
        ok = ok && field.accepts(double(whole));
        value = double(whole);
        break;
    }
    case SettingKind::Number: {
        const double number = text.toDouble(&ok);
        ok = ok && field.accepts(number);
        value = number;
        break;
    }
    case SettingKind::Choice:
        ok = field.choiceIndex(text.toLower()) >= 0;
        value = text.toLower();
        break;
    case SettingKind::IntegerList:
    case SettingKind::NumberPair: {
        // "1,2,4" or "0,4095": the project reader checks the values.
        QJsonArray list;
        ok = true;
        for (const QString& part : text.split(QLatin1Char(','))) {
            bool number = false;
            list.append(part.trimmed().toDouble(&number));
            ok = ok && number;
        }
        if (field.kind == SettingKind::NumberPair) {
            // Two numbers, or for a pair per channel an even number of them.
            ok = ok && (list.size() == 2 || (field.pairPerChannel && list.size() % 2 == 0));
        }
        if (field.pairPerChannel && list.size() > 2 && list.size() % 2 == 0) {
            QJsonArray pairs; // "0,4095,0,255": one pair per channel
            for (int i = 0; i < list.size(); i += 2) {
                pairs.append(QJsonArray{list[i], list[i + 1]});
            }
            list = pairs;
        }
        value = list;
        break;
    }
    default:
        ok = true;
        value = text;
        break;
    }
    if (!ok) {
        printError(QStringLiteral("--%1 must be %2 (%3 in the project file), got '%4'.")
                       .arg(field.cliOption, field.describe(), field.path(), text));
        return std::nullopt;
    }
    return value;
}

bool intSettingOption(const QCommandLineParser& parser, const SettingField& field, int* value)
{
    const std::optional<QJsonValue> parsed = settingOptionValue(parser, field);
    if (!parsed) {
        return false;
    }
    if (!parsed->isNull()) {
        *value = parsed->toInt();
    }
    return true;
}

bool stderrIsTerminal()
{
    return isatty(fileno(stderr)) != 0;
}

} // namespace studio::cli
