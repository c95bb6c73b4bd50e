// classifier-cli runs: the runs catalog as a table or JSON, and two runs compared.
#include "clicommand.h"

#include "common/nativepath.h"
#include "runs/runcatalog.h"
#include "runs/runcomparison.h"
#include "runs/runsfolder.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

namespace studio::cli {

namespace {

// The columns the text table shows (the dataset as its folder's name; the note's first line).
const QVector<RunColumn> kTableColumns = {
    RunColumn::Started,        RunColumn::Name,         RunColumn::Dataset,
    RunColumn::Network,        RunColumn::ImageSize,    RunColumn::Epochs,
    RunColumn::BestValidation, RunColumn::TestAccuracy, RunColumn::BalancedAccuracy,
    RunColumn::Duration,       RunColumn::Status,       RunColumn::Note};

QString tableCell(const RunSummary& run, RunColumn column, int indent)
{
    if (column == RunColumn::Dataset) {
        return QFileInfo(run.dataset).fileName();
    }
    if (column == RunColumn::Name) {
        return QString(indent, QLatin1Char(' ')) + run.name;
    }
    const QString text = runCell(run, column);
    return column == RunColumn::Note && text.size() > 40 ? text.left(39) + QChar(0x2026) : text;
}

// The rows of the table: each run, a cross-validation followed by its folds, indented.
QVector<QStringList> tableRows(const QVector<RunSummary>& runs)
{
    QVector<QStringList> rows;
    QStringList header;
    for (const RunColumn column : kTableColumns) {
        header << runColumnTitle(column);
    }
    rows << header;
    for (const RunSummary& run : runs) {
        QStringList row;
        for (const RunColumn column : kTableColumns) {
            row << tableCell(run, column, 0);
        }
        rows << row;
        for (const RunSummary& fold : run.folds) {
            QStringList foldRow;
            for (const RunColumn column : kTableColumns) {
                foldRow << tableCell(fold, column, 2);
            }
            rows << foldRow;
        }
    }
    return rows;
}

void printTable(const QVector<RunSummary>& runs)
{
    const QVector<QStringList> rows = tableRows(runs);
    QVector<int> widths(kTableColumns.size(), 0);
    for (const QStringList& row : rows) {
        for (int c = 0; c < row.size(); ++c) {
            widths[c] = std::max(widths[c], int(row[c].size()));
        }
    }
    for (const QStringList& row : rows) {
        QStringList cells;
        for (int c = 0; c < row.size(); ++c) {
            cells << (c + 1 < row.size() ? row[c].leftJustified(widths[c]) : row[c]);
        }
        printOut(cells.join(QStringLiteral("  ")).trimmed());
    }
}

QString testText(const RunSummary& run)
{
    return runCell(run, RunColumn::TestAccuracy) + QStringLiteral(", balanced ") +
           runCell(run, RunColumn::BalancedAccuracy);
}

// --compare A B: the test accuracies, McNemar's test and the settings that differ.
int compareRuns(const QString& a, const QString& b, bool json)
{
    const Result<QVector<SettingChange>> changes = diffRunProjects(a, b);
    if (!changes) {
        printError(changes.error());
        return ExitBadInput;
    }
    const Result<McNemarResult> mcnemar = mcnemarTestOfRuns(a, b);
    if (json) {
        QJsonArray list;
        for (const SettingChange& c : *changes) {
            list.append(QJsonObject{{QStringLiteral("path"), c.path},
                                    {QStringLiteral("name"), c.name},
                                    {QStringLiteral("label"), c.label},
                                    {QStringLiteral("before"), c.before},
                                    {QStringLiteral("after"), c.after}});
        }
        QJsonObject object{{QStringLiteral("a"), runToJson(readRun(a))},
                           {QStringLiteral("b"), runToJson(readRun(b))},
                           {QStringLiteral("changes"), list},
                           {QStringLiteral("changes_text"), describeChanges(*changes)}};
        object.insert(QStringLiteral("mcnemar"),
                      mcnemar ? QJsonValue(mcnemarToJson(*mcnemar)) : QJsonValue());
        if (!mcnemar) {
            object.insert(QStringLiteral("mcnemar_error"), mcnemar.error());
        }
        printOut(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
        return ExitOk;
    }
    printOut(QStringLiteral("A: %1\n   test accuracy %2").arg(native(a), testText(readRun(a))));
    printOut(QStringLiteral("B: %1\n   test accuracy %2").arg(native(b), testText(readRun(b))));
    printOut(QStringLiteral("McNemar: ") + (mcnemar ? describeMcNemar(*mcnemar) : mcnemar.error()));
    printOut(QStringLiteral("Settings: ") + describeChanges(*changes));
    return ExitOk;
}

void addRunsOptions(QCommandLineParser& parser)
{
    parser.addPositionalArgument(
        QStringLiteral("DIR"),
        QStringLiteral("Folder of run folders (default: the app's runs folder, %1).")
            .arg(native(defaultRunsFolder())),
        QStringLiteral("[DIR...]"));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON object per run.")});
    QStringList keys;
    for (int c = 0; c < int(RunColumn::Count); ++c) {
        keys << runColumnKey(RunColumn(c));
    }
    parser.addOption({QStringLiteral("sort"),
                      QStringLiteral("Sort by a column: %1 (default started).")
                          .arg(keys.join(QStringLiteral(", "))),
                      QStringLiteral("COLUMN")});
    parser.addOption({QStringLiteral("reverse"), QStringLiteral("Sort in descending order.")});
    parser.addOption({QStringLiteral("depth"),
                      QStringLiteral("Levels of sub-folders searched for runs (default 3)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("compare"),
                      QStringLiteral("Compare two runs (RUN_A RUN_B as the arguments): McNemar's "
                                     "test on their test split and the settings that differ.")});
}

// The runs under the folders, or a message and an exit code.
int collectRuns(const QStringList& folders, bool defaulted, int depth, QVector<RunSummary>* runs)
{
    for (const QString& folder : folders) {
        if (!QFileInfo(folder).isDir()) {
            if (defaulted) {
                printError(QStringLiteral("No runs yet: the runs folder '%1' does not exist.")
                               .arg(native(folder)));
                return ExitOk;
            }
            printError(QStringLiteral("'%1' is not a folder. Give the folder that holds the run "
                                      "folders.")
                           .arg(native(folder)));
            return ExitBadInput;
        }
        *runs += listRuns(folder, depth);
    }
    return -1;
}

int runRuns(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Lists every run folder under DIR: date, dataset, network, image size, epochs, best "
        "validation accuracy, test accuracy and balanced accuracy with their 95% intervals, "
        "duration and status (a run is 'running' while a live process holds its run.lock, "
        "'interrupted' when it ended without saying so). A cross-validation is one row with the "
        "mean ± SD over its folds, its folds indented below. With --compare RUN_A RUN_B: "
        "McNemar's exact test on their answers for the same test images, and the settings that "
        "differ."));
    addRunsOptions(parser);
    if (const int code = parseOrExit(parser, arguments); code >= 0) {
        return code;
    }
    const bool json = parser.isSet(QStringLiteral("json"));
    const QStringList positional = parser.positionalArguments();
    if (parser.isSet(QStringLiteral("compare"))) {
        if (positional.size() != 2) {
            printError(QStringLiteral("--compare needs exactly two run folders, got %1.")
                           .arg(positional.size()));
            return ExitBadInput;
        }
        return compareRuns(positional[0], positional[1], json);
    }
    const RunColumn sort = parser.isSet(QStringLiteral("sort"))
                               ? runColumnFromKey(parser.value(QStringLiteral("sort")))
                               : RunColumn::Started;
    if (sort == RunColumn::Count) {
        printError(QStringLiteral("--sort must be one of the columns listed in --help, got '%1'.")
                       .arg(parser.value(QStringLiteral("sort"))));
        return ExitBadInput;
    }
    int depth = 3;
    if (!intOption(parser, QStringLiteral("depth"), 0, &depth)) {
        return ExitBadInput;
    }
    QVector<RunSummary> runs;
    const QStringList folders =
        positional.isEmpty() ? QStringList{defaultRunsFolder()} : positional;
    if (const int code = collectRuns(folders, positional.isEmpty(), depth, &runs); code >= 0) {
        return code;
    }
    sortRuns(&runs, sort, parser.isSet(QStringLiteral("reverse")));
    if (json) {
        for (const RunSummary& run : runs) {
            printOut(
                QString::fromUtf8(QJsonDocument(runToJson(run)).toJson(QJsonDocument::Compact)));
        }
    } else if (runs.isEmpty()) {
        printOut(
            QStringLiteral("No run folders under %1.").arg(folders.join(QStringLiteral(", "))));
    } else {
        printTable(runs);
    }
    return ExitOk;
}

} // namespace

QVector<CliCommand> runsCommands()
{
    return {{QStringLiteral("runs"),
             QStringLiteral("list the run folders as a table; compare two runs"), &runRuns}};
}

} // namespace studio::cli
