// Tests of the runs catalog: run folders read into rows (scores, intervals, status from the lock
// and events.jsonl), a cross-validation as one row over its folds, damaged folders as unreadable
// rows, notes, the trash, and McNemar's test and the settings diff on two real runs.
#include "evaluation/metricsjson.h"
#include "runs/runcatalog.h"
#include "runs/runcomparison.h"
#include "training/runfolder.h"
#include "training/runlock.h"
#include "training/trainer.h"

#include "shapesdataset.h"
#include "shapesproject.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace studio;

namespace {

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// events.jsonl without its last line (the run's end), as a crash leaves it.
bool dropEnd(const QString& runDir)
{
    QFile file(QDir(runDir).filePath(runfiles::events));
    if (!file.open(QIODevice::ReadOnly)) {
        return false;
    }
    QList<QByteArray> lines = file.readAll().trimmed().split('\n');
    file.close();
    lines.removeLast();
    return writeFile(file.fileName(), lines.join('\n') + '\n');
}

} // namespace

class TestRunCatalog : public QObject
{
    Q_OBJECT

    QTemporaryDir m_data;
    QTemporaryDir m_runs;
    QString m_a, m_b;

    QString train(const QString& name, double learningRate)
    {
        Project project = testdata::shapesProject(m_data.path(), 1);
        project.training.learningRate = learningRate;
        TrainOptions options;
        options.runDir = QDir(m_runs.path()).filePath(name);
        const Result<TrainResult> result = trainProject(project, options);
        return result && result->ended.outcome == RunEndedEvent::Outcome::Finished ? options.runDir
                                                                                   : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        // The trash of this test: the user's stays untouched.
        const QString xdg = QDir(m_data.path()).filePath(QStringLiteral("xdg"));
        QVERIFY(QDir().mkpath(xdg));
        qputenv("XDG_DATA_HOME", xdg.toUtf8());
        testdata::makeShapes(m_data.path(), QStringLiteral("train"), 24, 3);
        testdata::makeShapes(m_data.path(), QStringLiteral("validation"), 6, 4);
        testdata::makeShapes(m_data.path(), QStringLiteral("test"), 9, 5);
        m_a = train(QStringLiteral("a"), 0.01);
        m_b = train(QStringLiteral("b"), 0.005);
        QVERIFY(!m_a.isEmpty() && !m_b.isEmpty());
    }

    void readsAFinishedRun()
    {
        const RunSummary run = readRun(m_a);
        QCOMPARE(run.status, RunStatus::Finished);
        QVERIFY(!QFileInfo::exists(QDir(m_a).filePath(kRunLockFile))); // released at the end
        QCOMPARE(run.name, QStringLiteral("a"));
        QVERIFY(!run.crossValidation);
        QCOMPARE(run.dataset, m_data.path());
        QCOMPARE(run.network, QStringLiteral("custom"));
        QCOMPARE(run.layers, 5);
        QCOMPARE(run.imageSize, 16);
        QCOMPARE(run.channels, 3);
        QCOMPARE(run.epochsRun, 1);
        QCOMPARE(run.epochsPlanned, 1);
        QCOMPARE(run.bestEpoch, 0);
        QVERIFY(std::isfinite(run.bestValidationAccuracy));
        QVERIFY(run.started.isValid());
        QVERIFY(run.durationSeconds >= 0);
        const Result<EvaluationMetrics> metrics =
            loadMetricsFile(QDir(m_a).filePath(QStringLiteral("evaluation/evaluation.json")));
        QVERIFY(metrics.ok());
        QCOMPARE(run.testCount, 27); // 9 images of each of 3 classes
        QCOMPARE(run.testAccuracy, metrics->accuracy);
        QCOMPARE(run.testAccuracyInterval.low,
                 wilsonInterval(qRound(metrics->accuracy * 27), 27).low);
        QCOMPARE(run.balancedAccuracy, metrics->balancedAccuracy);
        QCOMPARE(run.balancedAccuracyInterval.high,
                 balancedAccuracyInterval(metrics->confusion).high);
        QVERIFY(runCell(run, RunColumn::TestAccuracy).contains(QStringLiteral("% (")));
        const QJsonObject json = runToJson(run);
        QCOMPARE(json[QStringLiteral("status")].toString(), QStringLiteral("finished"));
        QCOMPARE(json[QStringLiteral("test_count")].toInt(), 27);
        QCOMPARE(json[QStringLiteral("best_epoch")].toInt(), 1);
        QVERIFY(loadRunHistory(m_a).ok());
    }

    // A run without its end: running while a live process holds its lock, interrupted when the
    // lock's process is gone or there is no lock.
    void statusFollowsTheLock()
    {
        QTemporaryDir dir;
        const QString run = QDir(dir.path()).filePath(QStringLiteral("crashed"));
        QVERIFY(copyRunFolder(m_a, run));
        QVERIFY(dropEnd(run));
        QCOMPARE(readRun(run).status, RunStatus::Interrupted);
        {
            const Result<RunLock> lock = RunLock::acquire(run);
            QVERIFY(lock.ok());
            QCOMPARE(readRun(run).status, RunStatus::Running);
            const Result<TrainResult> resumed = resumeRun(run, 2); // a second writer
            QVERIFY(!resumed.ok());
            QVERIFY2(resumed.error().contains(QStringLiteral("is being written")),
                     qPrintable(resumed.error()));
            const Status trashed = moveRunToTrash(run);
            QVERIFY(!trashed.ok());
            QVERIFY2(trashed.error().contains(QStringLiteral("stop that run")),
                     qPrintable(trashed.error()));
        }
        QProcess process;
        process.start(QStringLiteral("/bin/true"), QStringList());
        process.waitForFinished();
        QVERIFY(writeFile(QDir(run).filePath(kRunLockFile),
                          QByteArray::number(process.processId()) + "\nclassifier-cli\n" +
                              QSysInfo::machineHostName().toUtf8() + '\n'));
        const RunSummary crashed = readRun(run);
        QCOMPARE(crashed.status, RunStatus::Interrupted);
        QVERIFY(crashed.reason.contains(QStringLiteral("resume")));
    }

    void listsRunsCrossValidationAndDamagedFolders()
    {
        QTemporaryDir root;
        const QDir dir(root.path());
        QVERIFY(copyRunFolder(m_a, dir.filePath(QStringLiteral("group/a"))));
        QVERIFY(copyRunFolder(m_a, dir.filePath(QStringLiteral("cv/fold-1"))));
        QVERIFY(copyRunFolder(m_b, dir.filePath(QStringLiteral("cv/fold-2"))));
        QVERIFY(dir.mkpath(QStringLiteral("holiday photos")));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("holiday photos/readme.txt")), "hi"));
        QVERIFY(dir.mkpath(QStringLiteral("broken")));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("broken/project.json")), "{"));

        QVector<RunSummary> runs = listRuns(root.path());
        QCOMPARE(runs.size(), 3);
        QCOMPARE(runs[0].name, QStringLiteral("broken"));
        QCOMPARE(runs[0].status, RunStatus::Unreadable);
        QVERIFY2(runs[0].reason.contains(QStringLiteral("project.json")),
                 qPrintable(runs[0].reason));
        QVERIFY(runCell(runs[0], RunColumn::Status).startsWith(QStringLiteral("unreadable: ")));

        const RunSummary& cv = runs[1];
        QVERIFY(cv.crossValidation);
        QCOMPARE(cv.folds.size(), 2);
        QCOMPARE(cv.folds[1].name, QStringLiteral("fold-2"));
        QCOMPARE(cv.foldAccuracy.n, 2);
        const double a = readRun(m_a).testAccuracy;
        const double b = readRun(m_b).testAccuracy;
        QVERIFY(std::abs(cv.foldAccuracy.mean - (a + b) / 2) < 1e-12);
        QVERIFY(std::abs(cv.foldAccuracy.sd - std::abs(a - b) / std::sqrt(2.0)) < 1e-12);
        QCOMPARE(cv.status, RunStatus::Interrupted); // no crossval.json: it never finished
        QVERIFY(runCell(cv, RunColumn::TestAccuracy).contains(QStringLiteral(" ± ")));
        QCOMPARE(runToJson(cv)[QStringLiteral("folds")].toArray().size(), 2);
        QCOMPARE(runs[2].name, QStringLiteral("a"));
        QCOMPARE(runs[2].status, RunStatus::Finished);

        sortRuns(&runs, RunColumn::Name, true);
        QCOMPARE(runs[0].name, QStringLiteral("cv"));
        QCOMPARE(runs[0].folds[0].name, QStringLiteral("fold-2"));
        QCOMPARE(runColumnFromKey(QStringLiteral("test_accuracy")), RunColumn::TestAccuracy);
    }

    void notesAndTrash()
    {
        QTemporaryDir dir;
        const QString run = QDir(dir.path()).filePath(QStringLiteral("r"));
        QVERIFY(copyRunFolder(m_a, run));
        QVERIFY(setRunNote(run, QStringLiteral("  baseline, before the new images\n")));
        QCOMPARE(runNote(run), QStringLiteral("baseline, before the new images"));
        QCOMPARE(readRun(run).note, QStringLiteral("baseline, before the new images"));
        QVERIFY(setRunNote(run, QString()));
        QVERIFY(!QFileInfo::exists(QDir(run).filePath(kRunNoteFile)));
        QVERIFY(
            !setRunNote(QDir(dir.path()).filePath(QStringLiteral("gone")), QStringLiteral("x")));
        const Status trashed = moveRunToTrash(run);
        QVERIFY2(trashed.ok(), qPrintable(trashed.error()));
        QVERIFY(!QFileInfo::exists(run));
        QVERIFY(QFileInfo::exists(
            QDir(m_data.path()).filePath(QStringLiteral("xdg/Trash/files/r/project.json"))));
    }

    void comparesTwoRealRuns()
    {
        const Result<McNemarResult> r = mcnemarTestOfRuns(m_a, m_b);
        QVERIFY2(r.ok(), qPrintable(r.error()));
        QCOMPARE(r->images, 27);
        QCOMPARE(r->bothRight + r->onlyARight, qRound(readRun(m_a).testAccuracy * 27));
        QCOMPARE(r->bothRight + r->onlyBRight, qRound(readRun(m_b).testAccuracy * 27));
        const Result<QVector<SettingChange>> changes = diffRunProjects(m_a, m_b);
        QVERIFY2(changes.ok(), qPrintable(changes.error()));
        QCOMPARE(describeChanges(*changes), QStringLiteral("learning_rate 0.01 → 0.005"));
        const Result<McNemarResult> none = mcnemarTestOfRuns(m_a, m_data.path());
        QVERIFY(!none.ok());
        QVERIFY2(none.error().contains(QStringLiteral("evaluation")), qPrintable(none.error()));
    }
};

QTEST_GUILESS_MAIN(TestRunCatalog)
#include "tst_runcatalog.moc"
