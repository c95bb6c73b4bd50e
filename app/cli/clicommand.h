// The subcommands of classifier-cli and the small helpers they share.
#pragma once

#include "common/settingfield.h"

#include <QCommandLineParser>
#include <QJsonValue>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace studio::cli {

// Exit codes shared by every subcommand.
enum ExitCode
{
    ExitOk = 0,
    ExitFailure = 1,
    ExitBadInput = 2,
    ExitInterrupted = 130 // stopped by Ctrl-C, with a checkpoint
};

// One subcommand: its name, a one-line summary for --help, and its entry point.
struct CliCommand
{
    QString name;
    QString summary;
    int (*run)(const QStringList& arguments); // arguments[0] is "classifier-cli <name>"
};

// The commands of each area, collected by main().
QVector<CliCommand> datasetCommands();
QVector<CliCommand> modelCommands();
QVector<CliCommand> trainingCommands();
QVector<CliCommand> evaluationCommands();
QVector<CliCommand> reportCommands();
QVector<CliCommand> explainCommands();
QVector<CliCommand> embedCommands();
QVector<CliCommand> runsCommands();

// Parses `arguments` with a parser that has --help; prints help or the error and returns the
// exit code to use, or -1 to go on.
int parseOrExit(QCommandLineParser& parser, const QStringList& arguments);

// Prints to stdout / stderr (UTF-8, flushed).
void printOut(const QString& text);
void printError(const QString& text);

// Reads an integer option; on a bad value prints a message naming the option and returns false.
bool intOption(const QCommandLineParser& parser, const QString& name, int minimum, int* value);

// An option that sets a project setting (field.cliOption), its help written from the setting:
// "Image size (image_size; target_size in Keras): an integer from 8 to 1024."
QCommandLineOption settingOption(const SettingField& field);

// The option's value as the project file holds it, checked with the setting's rules; nullopt
// after printing "--image-size must be an integer from 8 to 1024, got '2000'." when it breaks
// them, and Null when the option is not given.
std::optional<QJsonValue> settingOptionValue(const QCommandLineParser& parser,
                                             const SettingField& field);

// Reads an integer setting's option into *value (unchanged when not given); false after a
// message when it breaks the setting's rules.
bool intSettingOption(const QCommandLineParser& parser, const SettingField& field, int* value);

// True when stderr is a terminal (progress lines are redrawn in place only then).
bool stderrIsTerminal();

} // namespace studio::cli
