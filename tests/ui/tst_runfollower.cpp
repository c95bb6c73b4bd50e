// Tests of following a run folder another process writes: the Train page follows a real
// classifier-cli training while it runs (the run so far at once, then growing charts and
// progress, then its end), refuses a folder that is not a run folder with the reason, starts
// over when events.jsonl is rewritten, and stops following when the app starts its own run.
#include "projectdocument.h"
#include "trainingchart.h"
#include "trainpage.h"

#include "clirun.h"
#include "shapesdataset.h"
#include "uitestsupport.h"

#include "project/project.h"
#include "training/trainer.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QLabel>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

using namespace studio;

namespace {

QByteArray line(const QJsonObject& object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

void write(const QString& path, const QByteArray& bytes, QIODevice::OpenMode mode)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | mode));
    QCOMPARE(file.write(bytes), bytes.size());
}

BatchEvent batch(int epoch, int number)
{
    BatchEvent e;
    e.epoch = epoch;
    e.batch = number;
    e.batches = 4;
    e.loss = 1.0 / number;
    e.accuracy = 0.2 * number;
    return e;
}

RunStartedEvent started()
{
    RunStartedEvent e;
    e.device = QStringLiteral("cpu");
    e.epochs = 2;
    e.batchesPerEpoch = 4;
    return e;
}

} // namespace

class TestRunFollower : public QObject
{
    Q_OBJECT

    QTemporaryDir m_data;

    template <typename T> static T* child(const TrainPage& page, const char* name)
    {
        return page.findChild<T*>(QLatin1String(name));
    }

private Q_SLOTS:
    void initTestCase()
    {
        uitest::useFreshSettings();
        // 600 training images at 32 px, batch 8: 75 batches an epoch, a few seconds each, so
        // the follower sees the run grow while the CLI still writes it.
        testdata::makeShapes(m_data.path(), QStringLiteral("train"), 200, 5);
        testdata::makeShapes(m_data.path(), QStringLiteral("validation"), 10, 6);
    }

    void cleanup() { QSettings().remove(QStringLiteral("train/runsFolder")); }

    void followsALiveCliRun()
    {
        // Timeouts stay below 100 s: a failing QTRY waits twice as long for its hint, and Qt
        // Test ends a test function after 300 s.
        QTemporaryDir runs;
        const QString out = runs.filePath(QStringLiteral("run"));
        ProjectDocument document;
        TrainPage page(&document);
        page.resize(1100, 700);
        page.show();
        auto* progress = child<QProgressBar>(page, "trainingProgress");
        auto* follow = child<QPushButton>(page, "followButton");
        QVERIFY(progress && follow);

        QProcess cli;
        cli.setStandardOutputFile(QProcess::nullDevice());
        cli.start(QStringLiteral(STUDIO_CLI_PATH),
                  testdata::shapesTrainArguments(m_data.path(), out, 4, 32));
        QVERIFY(cli.waitForStarted());
        // Follow once epoch 1 is done: the charts show the run so far as soon as it is read.
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(QDir(out).filePath(runfiles::history)) ||
                                     cli.state() != QProcess::Running,
                                 90000);
        QCOMPARE(cli.state(), QProcess::Running);
        QVERIFY(page.followRun(out));
        QVERIFY(page.isFollowing());
        QTRY_VERIFY_WITH_TIMEOUT(page.lossChart()->validationPointCount() >= 1, 20000);
        QVERIFY(page.lossChart()->trainingPointCount() > 0);
        QVERIFY(progress->value() >= 75);
        const QString following = QStringLiteral("Following %1 (written by another process)")
                                      .arg(QDir::toNativeSeparators(out));
        QVERIFY2(page.logText().contains(following), qPrintable(page.logText()));
        QVERIFY(child<QLabel>(page, "followLabel")->text().contains(following));
        QVERIFY(child<QLabel>(page, "followLabel")->isVisible());
        // Start, Pause and Stop control only the app's own runs.
        for (const char* name : {"startButton", "pauseButton", "stopButton"}) {
            QVERIFY2(!child<QPushButton>(page, name)->isEnabled(), name);
        }
        QCOMPARE(follow->text(), QStringLiteral("Stop Following"));

        // The charts gain points and the progress bar moves while the CLI still runs.
        const int replayedPoints = page.lossChart()->trainingPointCount();
        const int replayedProgress = progress->value();
        bool grewWhileRunning = false;
        const QObject scope; // ends the connection before the variables it uses
        connect(progress, &QProgressBar::valueChanged, &scope, [&](int value) {
            if (value > replayedProgress &&
                page.lossChart()->trainingPointCount() > replayedPoints &&
                cli.state() == QProcess::Running) {
                grewWhileRunning = true;
            }
        });
        QTRY_VERIFY_WITH_TIMEOUT(grewWhileRunning, 60000);

        // Its end is shown, and following stops by itself.
        QTRY_VERIFY_WITH_TIMEOUT(!page.isFollowing(), 90000);
        QVERIFY(cli.state() == QProcess::NotRunning || cli.waitForFinished(60000));
        QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
        QCOMPARE(cli.exitCode(), 0);
        QVERIFY2(page.logText().contains(QLatin1String("Run finished after 4 epoch(s)")),
                 qPrintable(page.logText()));
        QVERIFY(page.logText().contains(QLatin1String("no longer following")));
        QVERIFY(child<QLabel>(page, "progressText")->text().contains(QLatin1String("finished")));
        QCOMPARE(page.lossChart()->validationPointCount(), 4);
        QCOMPARE(progress->maximum(), 4 * 75);
        QCOMPARE(progress->value(), progress->maximum());
        QCOMPARE(follow->text(), QStringLiteral("Follow Run Folder..."));
        QVERIFY(follow->isEnabled());
        QVERIFY(!child<QLabel>(page, "followLabel")->isVisible());

        // Following the finished folder replays the whole run, then stops at its end.
        TrainPage again(&document);
        QVERIFY(again.followRun(out));
        QTRY_VERIFY_WITH_TIMEOUT(!again.isFollowing(), 20000);
        QCOMPARE(again.lossChart()->trainingPointCount(), page.lossChart()->trainingPointCount());
        QCOMPARE(again.accuracyChart()->validationPointCount(), 4);
        QVERIFY(again.logText().contains(QLatin1String("Run finished after 4 epoch(s)")));
    }

    void notARunFolderIsExplained()
    {
        QTemporaryDir empty;
        ProjectDocument document;
        TrainPage page(&document);
        QVERIFY(!page.followRun(empty.path()));
        QVERIFY(!page.isFollowing());
        const QString shown = QDir::toNativeSeparators(empty.path());
        for (const QString& text : {page.logText(), child<QLabel>(page, "progressText")->text()}) {
            QVERIFY2(text.contains(QStringLiteral("'%1' is not a run folder").arg(shown)) &&
                         text.contains(QLatin1String("project.json")) &&
                         text.contains(QLatin1String("events.jsonl")) &&
                         text.contains(QLatin1String("--out folder of classifier-cli train")),
                     qPrintable(text));
        }
        QCOMPARE(child<QPushButton>(page, "followButton")->text(),
                 QStringLiteral("Follow Run Folder..."));

        const QString missing = empty.filePath(QStringLiteral("nowhere"));
        QVERIFY(!page.followRun(missing));
        QVERIFY2(page.logText().contains(QStringLiteral("Cannot follow '%1': there is no such "
                                                        "folder")
                                             .arg(QDir::toNativeSeparators(missing))),
                 qPrintable(page.logText()));
    }

    // An advice line of events.jsonl shows in the Train page's banner and its log.
    void adviceShowsInTheBanner()
    {
        QTemporaryDir run;
        const QString events = QDir(run.path()).filePath(runfiles::events);
        write(events,
              line(toJson(started())) + line(toJson(batch(0, 1))) +
                  line(toJson(AdviceEvent{2, QStringLiteral("overfitting"),
                                          QStringLiteral("The validation loss has risen.")})),
              QIODevice::Truncate);
        ProjectDocument document;
        TrainPage page(&document);
        auto* banner = child<QLabel>(page, "adviceBanner");
        QVERIFY(banner->isHidden());
        QVERIFY(page.followRun(run.path()));
        QTRY_VERIFY_WITH_TIMEOUT(
            banner->text().contains(QLatin1String("validation loss has risen")), 20000);
        QVERIFY(!banner->isHidden());
        QVERIFY(page.logText().contains(QLatin1String("Advice: The validation loss has risen.")));
    }

    void rewrittenEventsFileStartsOver()
    {
        QTemporaryDir run;
        const QString events = QDir(run.path()).filePath(runfiles::events);
        write(events,
              line(toJson(started())) + line(toJson(batch(0, 1))) + line(toJson(batch(0, 2))) +
                  line(toJson(batch(0, 3))),
              QIODevice::Truncate);
        ProjectDocument document;
        TrainPage page(&document);
        auto* progress = child<QProgressBar>(page, "trainingProgress");
        QVERIFY(page.followRun(run.path()));
        QTRY_COMPARE_WITH_TIMEOUT(page.lossChart()->trainingPointCount(), 3, 20000);
        QCOMPARE(progress->maximum(), 8);
        QCOMPARE(progress->value(), 3);

        // Half a line waits for its newline (several polls); then it counts.
        const QByteArray fourth = line(toJson(batch(0, 4)));
        write(events, fourth.left(10), QIODevice::Append);
        QTest::qWait(800);
        QCOMPARE(page.lossChart()->trainingPointCount(), 3);
        write(events, fourth.mid(10), QIODevice::Append);
        QTRY_COMPARE_WITH_TIMEOUT(page.lossChart()->trainingPointCount(), 4, 20000);
        QCOMPARE(progress->value(), 4);

        // A garbage line is skipped with a warning in the log.
        write(events, "{\"event\": \"batch\", half a line, then a crash\n", QIODevice::Append);
        QTRY_VERIFY_WITH_TIMEOUT(page.logText().contains(QLatin1String("line 6 skipped")), 20000);
        QVERIFY(page.isFollowing());

        // Rewritten from the start (a new run in the same folder): the charts start over.
        write(events, line(toJson(started())) + line(toJson(batch(0, 1))), QIODevice::Truncate);
        QTRY_VERIFY_WITH_TIMEOUT(page.logText().contains(QLatin1String("truncated or replaced")),
                                 20000);
        QTRY_COMPARE_WITH_TIMEOUT(page.lossChart()->trainingPointCount(), 1, 20000);

        // Its end event ends following.
        EpochEvent epoch;
        epoch.record.epoch = 0;
        epoch.record.metrics.loss = 0.5;
        epoch.record.metrics.accuracy = 0.75;
        epoch.record.metrics.valLoss = 0.6;
        epoch.record.metrics.valAccuracy = 0.7;
        RunEndedEvent ended;
        ended.outcome = RunEndedEvent::Outcome::Stopped;
        ended.epochsDone = 1;
        ended.reason = QStringLiteral("Stopped by the user.");
        write(events, line(toJson(epoch)) + line(toJson(ended)), QIODevice::Append);
        QTRY_VERIFY_WITH_TIMEOUT(!page.isFollowing(), 20000);
        QCOMPARE(page.lossChart()->validationPointCount(), 1);
        QVERIFY2(page.logText().contains(QLatin1String("Run stopped after 1 epoch(s): Stopped "
                                                       "by the user.")),
                 qPrintable(page.logText()));
    }

    void ownRunStopsFollowing()
    {
        QTemporaryDir run;
        QTemporaryDir runs;
        ProjectDocument document;
        document.setProject(uitest::tinyProject(m_data.path(), 1));
        QVERIFY(saveProject(QDir(run.path()).filePath(runfiles::project), document.project()).ok());
        TrainPage page(&document);
        page.setRunsFolder(runs.path());
        auto* start = child<QPushButton>(page, "startButton");
        QVERIFY(start->isEnabled());

        // A run folder whose events.jsonl is not written yet is followed (and waited for).
        QVERIFY(page.followRun(run.path()));
        QVERIFY(page.isFollowing());
        QVERIFY(!start->isEnabled());
        page.stopFollowing();
        QVERIFY(!page.isFollowing());
        QVERIFY(start->isEnabled());
        QVERIFY(page.logText().contains(QLatin1String("Stopped following")));

        QVERIFY(page.followRun(run.path()));
        QVERIFY(page.startTraining());
        QVERIFY(!page.isFollowing());
        QVERIFY(page.isTraining());
        QCOMPARE(child<QPushButton>(page, "followButton")->isEnabled(), false);
        QVERIFY(child<QPushButton>(page, "stopButton")->isEnabled());
        // While it trains, following another run is refused.
        QVERIFY(!page.followRun(run.path()));
        QVERIFY(page.logText().contains(QLatin1String("stop it before following")));
        page.stopAndWait();
        QVERIFY(!page.isTraining());
    }
};

QTEST_MAIN(TestRunFollower)
#include "tst_runfollower.moc"
