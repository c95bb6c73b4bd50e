// classifier-cli report: the run report for the methods section, as PDF or HTML.
#include "clicommand.h"

#include "runreportwriter.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

namespace studio::cli {

namespace {

int runReport(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Writes a report of a run folder, or of a cross-validation folder, for the "
                       "methods section of a paper: the dataset (classes, counts per split, "
                       "skipped files), the preprocessing and augmentation, the network as "
                       "Keras's summary table, the training settings and what the callbacks "
                       "did, the results (curves, confusion matrix, per-class precision, recall "
                       "and F1, accuracy and balanced accuracy with confidence intervals, ROC "
                       "AUC, calibration; mean ± SD over the folds), what it takes to reproduce "
                       "it (seeds, threads, BLAS, versions, processor, the model's SHA-256), and "
                       "a generated Methods paragraph to paste and edit. .pdf gives a PDF, .html "
                       "a self-contained web page (images embedded)."));
    parser.addPositionalArgument(QStringLiteral("RUN_DIR"),
                                 QStringLiteral("A run folder or a cross-validation folder."));
    parser.addOption({QStringLiteral("out"),
                      QStringLiteral("The report file: report.pdf or report.html."),
                      QStringLiteral("FILE")});
    if (const int exit = parseOrExit(parser, arguments); exit >= 0) {
        return exit;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1 || !parser.isSet(QStringLiteral("out"))) {
        printError(QStringLiteral("Give one run folder and --out FILE (.pdf or .html): "
                                  "classifier-cli report RUN_DIR --out report.pdf"));
        return ExitBadInput;
    }
    const QString out = parser.value(QStringLiteral("out"));
    const Status written = writeRunReport(positional.first(), out);
    if (!written) {
        printError(written.error());
        return ExitBadInput;
    }
    printOut(QStringLiteral("Report written to %1.")
                 .arg(QDir::toNativeSeparators(QFileInfo(out).absoluteFilePath())));
    return ExitOk;
}

} // namespace

QVector<CliCommand> reportCommands()
{
    return {{QStringLiteral("report"),
             QStringLiteral("write a run's report for the methods section (PDF or HTML)"),
             &runReport}};
}

} // namespace studio::cli
