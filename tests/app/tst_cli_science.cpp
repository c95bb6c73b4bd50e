// classifier-cli trains on scientific images end to end, as a new user would run it: dim 16-bit
// cells, a 4-channel stack whose class shows only in its fourth channel, and non-square images
// with each resize mode. The app's proposal decides channels and normalisation; standardize keeps
// its measured statistics with the run.
#include "clirun.h"
#include "sciencedataset.h"
#include "testfiles.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using studio::testdata::CliRun;
using studio::testdata::runCli;
using studio::testdata::ScienceCells;

namespace {

// The test accuracy the run printed, or -1.
double testAccuracy(const CliRun& run)
{
    static const QRegularExpression pattern(QStringLiteral("Test accuracy: ([0-9.]+)"));
    const QRegularExpressionMatch match = pattern.match(run.out);
    return match.hasMatch() ? match.captured(1).toDouble() : -1;
}

CliRun train(const QString& data, const QString& out, int epochs, const QStringList& extra = {})
{
    return runCli(QStringList{QStringLiteral("train"), QStringLiteral("--data"), data,
                              QStringLiteral("--image-size"), QStringLiteral("64"),
                              QStringLiteral("--epochs"), QString::number(epochs),
                              QStringLiteral("--out"), out} +
                  extra);
}

using studio::testfiles::readAll;
using studio::testfiles::readJson;

} // namespace

class TestCliScience : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The acceptance: 150 16-bit cells per class using 4% of the range, 128 x 96 px;
    // 'train --data DIR --image-size 64 --epochs 15' proposes grey and percentiles and gets at
    // most 4 of the 45 test images wrong.
    void dimCellsTrainWithTheProposal()
    {
        QTemporaryDir dir;
        ScienceCells cells;
        cells.perClass = 150;
        studio::testdata::makeScienceCells(dir.filePath(QStringLiteral("cells")), cells);
        const CliRun run =
            train(dir.filePath(QStringLiteral("cells")), dir.filePath(QStringLiteral("run")), 15);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("proposed: ")) &&
                     run.err.contains(QStringLiteral("percentiles")),
                 qPrintable(run.err));
        QVERIFY2(testAccuracy(run) >= 0.9, qPrintable(run.out.right(300)));
    }

    // The class shows only in channel 4: every channel is proposed and learned from; without
    // channel 4 the network can only guess.
    void theFourthChannelIsSeen()
    {
        QTemporaryDir dir;
        ScienceCells cells;
        cells.perClass = 150;
        cells.width = 64;
        cells.height = 64;
        cells.channels = 4;
        cells.classChannel = 3;
        const QString data = dir.filePath(QStringLiteral("stack"));
        studio::testdata::makeScienceCells(data, cells);
        const CliRun all = train(data, dir.filePath(QStringLiteral("all")), 15);
        QVERIFY2(all.exitCode == 0, qPrintable(all.err));
        QVERIFY2(all.err.contains(QStringLiteral("4 channels")), qPrintable(all.err));
        QVERIFY2(testAccuracy(all) >= 0.9, qPrintable(all.out.right(300)));
        const CliRun without = train(data, dir.filePath(QStringLiteral("without")), 15,
                                     {QStringLiteral("--channels"), QStringLiteral("1,2,3")});
        QVERIFY2(without.exitCode == 0, qPrintable(without.err));
        QVERIFY2(testAccuracy(without) < 0.7, qPrintable(without.out.right(300)));
    }

    // Standardize on the dim cells (non-square, padded): the mean and standard deviation are
    // measured on the training split, kept in the run folder and the model (never in the
    // project), read back by resume, and the model's evaluation matches the run's.
    void standardizeKeepsItsStatisticsWithTheRun()
    {
        QTemporaryDir dir;
        ScienceCells cells;
        cells.perClass = 150;
        const QString data = dir.filePath(QStringLiteral("cells"));
        studio::testdata::makeScienceCells(data, cells);
        const QString out = dir.filePath(QStringLiteral("run"));
        const CliRun run = train(data, out, 15,
                                 {QStringLiteral("--normalization"), QStringLiteral("standardize"),
                                  QStringLiteral("--resize"), QStringLiteral("pad"),
                                  QStringLiteral("--pad-value"), QStringLiteral("-1")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        // The proposal's channels are said; its normalisation, overridden, is not.
        QVERIFY2(run.err.contains(QStringLiteral("proposed: The images have one channel")) &&
                     !run.err.contains(QStringLiteral("percentiles")),
                 qPrintable(run.err));
        const double accuracy = testAccuracy(run);
        QVERIFY2(accuracy >= 0.9, qPrintable(run.out.right(300)));

        const QJsonObject kept = readJson(out + QStringLiteral("/input_statistics.json"));
        QCOMPARE(kept[QStringLiteral("mean")].toArray().size(), 1);
        const double mean = kept[QStringLiteral("mean")].toArray()[0].toDouble();
        QVERIFY2(mean > 0 && mean < 0.04 * 65535, qPrintable(QString::number(mean)));
        QCOMPARE(kept[QStringLiteral("images")].toInt(), 360); // the training split's 80 %
        QVERIFY(!readAll(out + QStringLiteral("/project.json")).contains("\"mean\""));

        const CliRun evaluated = runCli({QStringLiteral("evaluate"), QStringLiteral("--model"),
                                         out + QStringLiteral("/model.pt"),
                                         QStringLiteral("--data"), data, QStringLiteral("--json")});
        QVERIFY2(evaluated.exitCode == 0, qPrintable(evaluated.err));
        // The training's summary prints four decimals.
        QCOMPARE(QString::number(QJsonDocument::fromJson(evaluated.out.toUtf8())
                                     .object()[QStringLiteral("accuracy")]
                                     .toDouble(),
                                 'f', 4),
                 QString::number(accuracy, 'f', 4));

        const CliRun resumed = runCli(
            {QStringLiteral("resume"), out, QStringLiteral("--epochs"), QStringLiteral("16")});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        QCOMPARE(readAll(out + QStringLiteral("/log.txt")).count("Standardised with"), 1);
        QCOMPARE(readJson(out + QStringLiteral("/input_statistics.json")), kept);
    }

    // Wide images train with each resize mode.
    void everyResizeModeTrains()
    {
        QTemporaryDir dir;
        ScienceCells cells;
        cells.perClass = 12;
        cells.width = 80;
        cells.height = 40;
        const QString data = dir.filePath(QStringLiteral("wide"));
        studio::testdata::makeScienceCells(data, cells);
        for (const QString& mode :
             {QStringLiteral("stretch"), QStringLiteral("pad"), QStringLiteral("crop")}) {
            const CliRun run =
                train(data, dir.filePath(mode), 1, {QStringLiteral("--resize"), mode});
            QVERIFY2(run.exitCode == 0, qPrintable(mode + QStringLiteral(": ") + run.err));
            QVERIFY2(testAccuracy(run) >= 0, qPrintable(run.out.right(300)));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliScience)
#include "tst_cli_science.moc"
