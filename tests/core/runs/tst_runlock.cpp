// Tests of the run folder's lock: held by a live process it means running; left by a dead one it
// is stale, taken over by the next writer, and never shown as running.
#include "training/runlock.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace studio;

namespace {

// The id of a process that has ended.
qint64 deadPid()
{
    QProcess process;
    process.start(QStringLiteral("/bin/true"), QStringList());
    process.waitForFinished();
    const qint64 pid = process.processId();
    return pid > 0 ? pid : 999999;
}

} // namespace

class TestRunLock : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void heldLockMeansRunning()
    {
        QTemporaryDir dir;
        RunLockState state = runLockState(dir.path());
        QVERIFY(!state.held);
        QVERIFY(!state.stale);
        {
            Result<RunLock> lock = RunLock::acquire(dir.path());
            QVERIFY2(lock.ok(), qPrintable(lock.error()));
            QVERIFY(lock->isHeld());
            state = runLockState(dir.path());
            QVERIFY(state.held);
            QCOMPARE(state.pid, QCoreApplication::applicationPid());
            QCOMPARE(state.host, QSysInfo::machineHostName());
            const Result<RunLock> second = RunLock::acquire(dir.path());
            QVERIFY(!second.ok());
            QVERIFY2(second.error().contains(dir.path()) &&
                         second.error().contains(QString::number(state.pid)),
                     qPrintable(second.error()));
        }
        QVERIFY(!QFileInfo::exists(QDir(dir.path()).filePath(kRunLockFile)));
        QVERIFY(!runLockState(dir.path()).held);
    }

    void lockOfDeadProcessIsStale()
    {
        QTemporaryDir dir;
        const qint64 pid = deadPid();
        QFile file(QDir(dir.path()).filePath(kRunLockFile));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray::number(pid) + "\nclassifier-cli\n" +
                   QSysInfo::machineHostName().toUtf8() + '\n');
        file.close();
        const RunLockState state = runLockState(dir.path());
        QCOMPARE(state.pid, pid);
        QVERIFY(!state.held);
        QVERIFY(state.stale);
        Result<RunLock> lock = RunLock::acquire(dir.path()); // a resume takes it over
        QVERIFY2(lock.ok(), qPrintable(lock.error()));
        QVERIFY(runLockState(dir.path()).held);
        lock->release();
        QVERIFY(!runLockState(dir.path()).held);
    }

    void lockFromAnotherHostCountsAsHeld()
    {
        QTemporaryDir dir;
        QFile file(QDir(dir.path()).filePath(kRunLockFile));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray::number(deadPid()) + "\nclassifier-cli\nsome-other-host\n");
        file.close();
        const RunLockState state = runLockState(dir.path());
        QVERIFY(state.held);
        QCOMPARE(state.host, QStringLiteral("some-other-host"));
    }
};

QTEST_GUILESS_MAIN(TestRunLock)
#include "tst_runlock.moc"
