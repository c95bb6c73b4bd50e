// Tests of classifier-cli crossval: k run folders whose test splits are the held-out folds, and a
// summary whose means and standard deviations are those of the folds' own evaluation files.
#include "evaluation/metricsjson.h"
#include "project/project.h"
#include "runs/crossvalidation.h"

#include "cellsdataset.h"
#include "cellsproject.h"
#include "clirun.h"
#include "testfiles.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace studio;
using studio::testdata::jsonLines;
using studio::testdata::runCli;

namespace {

using studio::testfiles::readJson;

// The cells project, 10 epochs on one thread, saved as DIR/project.json.
QString writeProject(const QString& dir, const QString& data)
{
    Project project = studio::testdata::cellsProject(data, 10, 1);
    project.dataset.splitMode = SplitMode::Auto;
    const QString path = QDir(dir).filePath(QStringLiteral("project.json"));
    return saveProject(path, project) ? path : QString();
}

} // namespace

class TestCliCrossval : public QObject
{
    Q_OBJECT

    QTemporaryDir m_data;

private Q_SLOTS:
    void initTestCase() { studio::testdata::makeCells(m_data.path(), 60, 21, 48, 48); }

    void fiveFoldsAndTheirSummary()
    {
        QTemporaryDir work;
        const QString project = writeProject(work.path(), m_data.path());
        QVERIFY(!project.isEmpty());
        const QString out = work.filePath(QStringLiteral("cv"));
        const testdata::CliRun run =
            runCli({QStringLiteral("crossval"), QStringLiteral("--project"), project,
                    QStringLiteral("--folds"), QStringLiteral("5"), QStringLiteral("--out"), out,
                    QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QVector<QJsonObject> lines = jsonLines(run.out.toUtf8());
        QVERIFY(!lines.isEmpty());
        // Every event carries its fold; the last line is the summary.
        QSet<int> folds;
        for (int i = 0; i + 1 < lines.size(); ++i) {
            QVERIFY2(lines[i].contains(QStringLiteral("fold")),
                     qPrintable(QJsonDocument(lines[i]).toJson()));
            folds.insert(lines[i][QStringLiteral("fold")].toInt());
        }
        QCOMPARE(folds, (QSet<int>{1, 2, 3, 4, 5}));
        QCOMPARE(lines.last()[QStringLiteral("event")].toString(), QStringLiteral("crossval"));

        // Five run folders; their test splits together hold every image exactly once.
        QVector<double> accuracies;
        QVector<double> recallsOfRing;
        QSet<QString> tested;
        int testImages = 0;
        for (int k = 1; k <= 5; ++k) {
            const QString fold = QDir(out).filePath(QStringLiteral("fold-%1").arg(k));
            QVERIFY2(QFile::exists(QDir(fold).filePath(QStringLiteral("model.pt"))),
                     qPrintable(fold));
            const Result<EvaluationMetrics> metrics =
                loadMetricsFile(QDir(fold).filePath(QStringLiteral("evaluation/evaluation.json")));
            QVERIFY2(metrics.ok(), qPrintable(metrics.error()));
            accuracies.append(metrics->accuracy);
            recallsOfRing.append(metrics->perClass[1].recall);
            testImages += metrics->count;
            const QJsonObject splits = readJson(QDir(fold).filePath(QStringLiteral("splits.json")));
            const QJsonObject files = splits[QStringLiteral("files")].toObject();
            QCOMPARE(files.size(), 180);
            int validation = 0;
            for (auto it = files.begin(); it != files.end(); ++it) {
                if (it.value().toString() == QLatin1String("test")) {
                    QVERIFY2(!tested.contains(it.key()), qPrintable(it.key()));
                    tested.insert(it.key());
                } else if (it.value().toString() == QLatin1String("validation")) {
                    ++validation;
                }
            }
            // Validation comes from the training folds: a ninth of their 144 images.
            QVERIFY2(validation >= 14 && validation <= 18, qPrintable(QString::number(validation)));
        }
        QCOMPARE(tested.size(), 180);
        QCOMPARE(testImages, 180);

        // The summary's mean and sample standard deviation are the folds' own.
        double mean = 0;
        for (const double a : accuracies) {
            mean += a / 5;
        }
        double squares = 0;
        for (const double a : accuracies) {
            squares += (a - mean) * (a - mean);
        }
        const double sd = std::sqrt(squares / 4);
        const QJsonObject summary = readJson(QDir(out).filePath(QStringLiteral("crossval.json")));
        QCOMPARE(summary[QStringLiteral("runs")].toArray().size(), 5);
        const QJsonObject accuracy = summary[QStringLiteral("accuracy")].toObject();
        QVERIFY(std::abs(accuracy[QStringLiteral("mean")].toDouble() - mean) < 1e-9);
        QVERIFY(std::abs(accuracy[QStringLiteral("sd")].toDouble() - sd) < 1e-9);
        double ringMean = 0;
        for (const double r : recallsOfRing) {
            ringMean += r / 5;
        }
        QVERIFY(std::abs(summary[QStringLiteral("recall")]
                             .toObject()[QStringLiteral("ring")]
                             .toObject()[QStringLiteral("mean")]
                             .toDouble() -
                         ringMean) < 1e-9);
        QVERIFY2(mean > 0.6, qPrintable(QString::number(mean))); // it learned something
        const QByteArray csv = [&] {
            QFile file(QDir(out).filePath(QStringLiteral("crossval.csv")));
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        }();
        QVERIFY(csv.startsWith("repeat,fold,test_count,accuracy,balanced_accuracy,macro_f1,"));
        QCOMPARE(csv.count('\n'), 1 + 5 + 2);

        // Read back (what the app's Evaluate page shows): the same numbers.
        const studio::Result<studio::CrossValidationSummary> loaded =
            studio::loadCrossValidation(out);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        QCOMPARE(loaded->scores.size(), 5);
        QVERIFY(std::abs(loaded->accuracy.mean - mean) < 1e-9);
        QVERIFY(std::abs(loaded->accuracy.sd - sd) < 1e-9);
        const QString text = studio::summaryText(*loaded).join(QLatin1Char('\n'));
        QVERIFY2(text.contains(QStringLiteral("accuracy %1% ± %2%")
                                   .arg(100 * mean, 0, 'f', 1)
                                   .arg(100 * sd, 0, 'f', 1)),
                 qPrintable(text));
        QVERIFY(!studio::loadCrossValidation(QDir(out).filePath(QStringLiteral("fold-1"))).ok());
    }

    // --jobs 2: the folds train as two child processes at a time (classifier-cli train
    // --splits), on the same folds and seeds as in one process, so with one thread each their
    // scores are the same; the events still carry their fold.
    void jobsTrainTheSameFoldsInProcesses()
    {
        QTemporaryDir work;
        const QString project = writeProject(work.path(), m_data.path());
        QStringList scores[2];
        for (const int jobs : {1, 2}) {
            const QString out = work.filePath(QStringLiteral("cv%1").arg(jobs));
            const testdata::CliRun run =
                runCli({QStringLiteral("crossval"), QStringLiteral("--project"), project,
                        QStringLiteral("--folds"), QStringLiteral("3"), QStringLiteral("--epochs"),
                        QStringLiteral("2"), QStringLiteral("--jobs"), QString::number(jobs),
                        QStringLiteral("--out"), out, QStringLiteral("--json")});
            QVERIFY2(run.exitCode == 0, qPrintable(run.err));
            const QVector<QJsonObject> lines = jsonLines(run.out.toUtf8());
            QSet<int> folds;
            for (int i = 0; i + 1 < lines.size(); ++i) {
                folds.insert(lines[i][QStringLiteral("fold")].toInt());
            }
            QCOMPARE(folds, (QSet<int>{1, 2, 3}));
            const QJsonObject summary = lines.last();
            QCOMPARE(summary[QStringLiteral("event")].toString(), QStringLiteral("crossval"));
            for (const QJsonValue& fold : summary[QStringLiteral("runs")].toArray()) {
                const QJsonObject f = fold.toObject();
                scores[jobs - 1] << QStringLiteral("%1:%2:%3")
                                        .arg(f[QStringLiteral("fold")].toInt())
                                        .arg(f[QStringLiteral("test_count")].toInt())
                                        .arg(f[QStringLiteral("accuracy")].toDouble(), 0, 'f', 6);
            }
            QVERIFY(QFileInfo::exists(QDir(out).filePath(QStringLiteral("crossval.csv"))));
        }
        QCOMPARE(scores[0].size(), 3);
        QCOMPARE(scores[1], scores[0]);
    }

    void badOptionsSayWhatIsWrong()
    {
        QTemporaryDir work;
        const QString project = writeProject(work.path(), m_data.path());
        testdata::CliRun run =
            runCli({QStringLiteral("crossval"), QStringLiteral("--project"), project,
                    QStringLiteral("--folds"), QStringLiteral("1"), QStringLiteral("--out"),
                    work.filePath(QStringLiteral("a"))});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QLatin1String("--folds")), qPrintable(run.err));
        run = runCli({QStringLiteral("crossval"), QStringLiteral("--project"), project,
                      QStringLiteral("--folds"), QStringLiteral("500"), QStringLiteral("--out"),
                      work.filePath(QStringLiteral("b"))});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QLatin1String("no more folds than images")), qPrintable(run.err));
        QVERIFY(!QFileInfo::exists(work.filePath(QStringLiteral("b"))));
    }
};

QTEST_GUILESS_MAIN(TestCliCrossval)
#include "tst_cli_crossval.moc"
