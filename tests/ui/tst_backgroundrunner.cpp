// Tests of BackgroundRunner: work runs off the GUI thread and its result comes back on it, in
// order, with request ids; a cancelled job is skipped or sees its flag, and neither its progress
// nor its result arrives; destroying the runner waits for the running job and delivers nothing.
#include "backgroundrunner.h"

#include <QSemaphore>
#include <QSignalSpy>
#include <QThread>
#include <QtTest>

#include <atomic>

using namespace studio;

class TestBackgroundRunner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void resultArrivesOnTheGuiThread()
    {
        BackgroundRunner runner(QStringLiteral("test"));
        QSignalSpy busy(&runner, &BackgroundRunner::busyChanged);
        QThread* workThread = nullptr;
        QThread* doneThread = nullptr;
        int result = 0;
        const quint64 request = runner.run(
            [&](const BackgroundJob& job) {
                workThread = QThread::currentThread();
                return int(job.request()) * 10;
            },
            [&](int value) {
                doneThread = QThread::currentThread();
                result = value;
            });
        QVERIFY(request > 0);
        QVERIFY(runner.isBusy());
        QTRY_COMPARE(result, int(request) * 10);
        QVERIFY(workThread != nullptr && workThread != QThread::currentThread());
        QCOMPARE(doneThread, QThread::currentThread());
        QVERIFY(!runner.isBusy());
        QCOMPARE(busy.size(), 2); // busy, then idle
        QCOMPARE(busy[0][0].toBool(), true);
        QCOMPARE(busy[1][0].toBool(), false);
    }

    void jobsRunInOrderWithTheirProgress()
    {
        BackgroundRunner runner(QStringLiteral("test"));
        QStringList seen;
        for (int i = 0; i < 3; ++i) {
            runner.run(
                [&seen, i](const BackgroundJob& job) {
                    job.post([&seen, i] { seen << QStringLiteral("progress %1").arg(i); });
                },
                [&seen, i] { seen << QStringLiteral("done %1").arg(i); });
        }
        QTRY_COMPARE(seen.size(), 6);
        QCOMPARE(seen, QStringList({"progress 0", "done 0", "progress 1", "done 1", "progress 2",
                                    "done 2"}));
    }

    void cancelledBeforeItStartsNeverRuns()
    {
        BackgroundRunner runner(QStringLiteral("test"));
        QSemaphore release;
        runner.run([&release](const BackgroundJob&) { release.acquire(); }, [] {});
        std::atomic<bool> ran{false};
        bool delivered = false;
        const quint64 second = runner.run([&ran](const BackgroundJob&) { ran = true; },
                                          [&delivered] { delivered = true; });
        runner.cancel(second);
        release.release();
        runner.waitForIdle();
        QTRY_VERIFY(!runner.isBusy());
        QCoreApplication::processEvents();
        QVERIFY(!ran);
        QVERIFY(!delivered);
    }

    void cancelledWhileRunningSeesItsFlagAndDeliversNothing()
    {
        BackgroundRunner runner(QStringLiteral("test"));
        QSemaphore started;
        std::atomic<bool> sawCancel{false};
        int progress = 0;
        bool delivered = false;
        const quint64 request = runner.run(
            [&](const BackgroundJob& job) {
                job.post([&progress] { ++progress; });
                started.release();
                while (!job.cancelled()) {
                    QThread::msleep(1);
                }
                sawCancel = true;
                job.post([&progress] { progress += 100; }); // after the cancel: dropped
                return 1;
            },
            [&delivered](int) { delivered = true; });
        started.acquire();
        QSignalSpy busy(&runner, &BackgroundRunner::busyChanged);
        runner.cancel(request);
        QCOMPARE(busy.size(), 1); // idle as soon as it is cancelled
        QVERIFY(!runner.isBusy());
        runner.waitForIdle();
        QVERIFY(sawCancel);
        QTest::qWait(20);
        QVERIFY(!delivered);
        QVERIFY(progress <= 1); // the first post may have run before the cancel; never the second
    }

    void destroyingTheRunnerWaitsForTheRunningJob()
    {
        QSemaphore started;
        std::atomic<bool> finished{false};
        bool delivered = false;
        {
            BackgroundRunner runner(QStringLiteral("test"));
            runner.run(
                [&](const BackgroundJob& job) {
                    started.release();
                    while (!job.cancelled()) {
                        QThread::msleep(1);
                    }
                    QThread::msleep(20);
                    finished = true;
                },
                [&delivered] { delivered = true; });
            started.acquire();
        }
        QVERIFY(finished); // the destructor waited
        QCoreApplication::processEvents();
        QVERIFY(!delivered);
    }
};

QTEST_MAIN(TestBackgroundRunner)
#include "tst_backgroundrunner.moc"
