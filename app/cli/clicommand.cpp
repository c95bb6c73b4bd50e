#include "clicommand.h"

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

bool stderrIsTerminal()
{
    return isatty(fileno(stderr)) != 0;
}

} // namespace studio::cli
