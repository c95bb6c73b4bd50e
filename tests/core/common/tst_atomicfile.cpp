// Tests of writeFileAtomically() under fire: a child process rewrites a file in a loop and is
// killed with SIGKILL at random moments; the file is always one whole version, never a mix
// or a truncation. And a write that cannot happen names the file and leaves the old one.
#include "common/atomicfile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

using namespace studio;

namespace {

constexpr int kVersionBytes = 8 << 20; // large enough that a kill often lands mid-write

// Version `n`: kVersionBytes of one letter, so any mix or truncation shows.
QByteArray version(int n)
{
    return QByteArray(kVersionBytes, char('a' + n % 26));
}

bool isWholeVersion(const QByteArray& bytes)
{
    return bytes.size() == kVersionBytes && bytes.count(bytes.front()) == bytes.size();
}

// The child: rewrites `path` with versions 0, 1, 2, ... until killed.
int childWriter(const QString& path)
{
    for (int n = 0;; ++n) {
        if (!writeFileAtomically(path, version(n))) {
            return 3;
        }
    }
}

} // namespace

class TestAtomicFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killedWritersNeverLeaveAPartialFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("project.json"));
        QVERIFY(writeFileAtomically(path, version(0)).ok());
        QRandomGenerator random(12345);
        for (int round = 0; round < 12; ++round) {
            QProcess child;
            child.start(QCoreApplication::applicationFilePath(),
                        {QStringLiteral("--child-writer"), path});
            QVERIFY(child.waitForStarted());
            QTest::qWait(int(random.bounded(20, 150)));
            child.kill();
            QVERIFY(child.waitForFinished(10000));
            QCOMPARE(child.exitStatus(), QProcess::CrashExit); // killed, not finished
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            QVERIFY2(isWholeVersion(file.readAll()),
                     qPrintable(QStringLiteral("round %1").arg(round)));
        }
    }

    void failedWriteNamesTheFileAndKeepsTheOldOne()
    {
        QTemporaryDir dir;
        // A folder in the way of the file's name: the write cannot happen.
        const QString blocked = dir.filePath(QStringLiteral("blocked"));
        QVERIFY(QDir().mkpath(blocked));
        const Status failed = writeFileAtomically(blocked, QByteArrayLiteral("new"));
        QVERIFY(!failed.ok());
        QVERIFY2(failed.error().contains(QDir::toNativeSeparators(blocked)),
                 qPrintable(failed.error()));
        QVERIFY(QFileInfo(blocked).isDir());

        // A missing parent folder.
        const QString orphan = dir.filePath(QStringLiteral("missing/file.json"));
        const Status missing = writeFileAtomically(orphan, QByteArrayLiteral("new"));
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().contains(QLatin1String("file.json")), qPrintable(missing.error()));
    }
};

int main(int argc, char* argv[])
{
    if (argc == 3 && std::strcmp(argv[1], "--child-writer") == 0) {
        return childWriter(QString::fromLocal8Bit(argv[2]));
    }
    QCoreApplication app(argc, argv);
    TestAtomicFile test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_atomicfile.moc"
