// classifier-cli: runs the Classifier Studio engine from the command line.
#include "clicommand.h"

#include "common/blaslibrary.h"
#include "common/environment.h"
#include "common/version.h"

#include <QCoreApplication>
#include <QGuiApplication>

#include <cstring>
#include <memory>

using namespace studio::cli;

namespace {

QVector<CliCommand> allCommands()
{
    QVector<CliCommand> commands;
    commands += datasetCommands();
    commands += modelCommands();
    commands += trainingCommands();
    commands += evaluationCommands();
    commands += explainCommands();
    commands += embedCommands();
    commands += reportCommands();
    commands += runsCommands();
    return commands;
}

QString usage(const QVector<CliCommand>& commands)
{
    QString text =
        QStringLiteral("Usage: classifier-cli <command> [options]\n\n"
                       "%1 %2, the headless twin of classifier-studio: the same engine "
                       "and project files, for scripts and machines without a "
                       "display.\n\nCommands:\n")
            .arg(QString::fromLatin1(studio::kProductName), QString::fromLatin1(studio::kVersion));
    for (const CliCommand& command : commands) {
        text += QStringLiteral("  %1%2\n").arg(command.name.leftJustified(18), command.summary);
    }
    text += QStringLiteral("\nOptions:\n  -h, --help        this help; '<command> --help' for a "
                           "command's options\n  -v, --version     the version\n\nExit codes: 0 "
                           "success, 1 the work failed, 2 bad input (the message says which), 130 "
                           "stopped by Ctrl-C.\n");
    return text;
}

// A QCoreApplication, or for `report` (whose PDF text needs Qt Gui's fonts) a QGuiApplication
// on the offscreen platform unless another is asked for: no display is needed.
std::unique_ptr<QCoreApplication> makeApplication(int& argc, char* argv[])
{
    if (argc > 1 && std::strcmp(argv[1], "report") == 0) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
            qputenv("QT_QPA_PLATFORM", "offscreen");
        }
        return std::make_unique<QGuiApplication>(argc, argv);
    }
    return std::make_unique<QCoreApplication>(argc, argv);
}

} // namespace

int main(int argc, char* argv[])
{
    const std::unique_ptr<QCoreApplication> app = makeApplication(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("classifier-cli"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(studio::kVersion));
    QCoreApplication::setOrganizationName(QString::fromLatin1(studio::kOrganization));

    const QVector<CliCommand> commands = allCommands();
    const QStringList arguments = QCoreApplication::arguments();
    const QString first = arguments.value(1);
    if (first.isEmpty() || first == QLatin1String("--help") || first == QLatin1String("-h") ||
        first == QLatin1String("help")) {
        if (first == QLatin1String("help") && arguments.size() > 2) {
            for (const CliCommand& command : commands) {
                if (command.name == arguments[2]) {
                    return command.run({QStringLiteral("classifier-cli ") + command.name,
                                        QStringLiteral("--help")});
                }
            }
        }
        printOut(usage(commands));
        return first.isEmpty() ? ExitBadInput : ExitOk;
    }
    if (first == QLatin1String("--version") || first == QLatin1String("-v")) {
        printOut(QStringLiteral("classifier-cli %1").arg(QString::fromLatin1(studio::kVersion)));
        const studio::RunEnvironment environment = studio::currentEnvironment();
        printOut(QStringLiteral("LibTorch %1, OpenCV %2, Qt %3")
                     .arg(environment.libtorch, environment.opencv, environment.qt));
        const studio::BlasLibrary blas = studio::loadedBlasLibrary();
        printOut(studio::describeBlas(blas));
        if (const QString advice = studio::referenceBlasAdvice(blas); !advice.isEmpty()) {
            printError(QStringLiteral("Warning: ") + advice);
        }
        return ExitOk;
    }
    for (const CliCommand& command : commands) {
        if (command.name == first) {
            QStringList rest = arguments.mid(2);
            rest.prepend(QStringLiteral("classifier-cli ") + command.name);
            return command.run(rest);
        }
    }
    printError(QStringLiteral("Unknown command '%1'. Run 'classifier-cli --help' for the list.")
                   .arg(first));
    return ExitBadInput;
}
