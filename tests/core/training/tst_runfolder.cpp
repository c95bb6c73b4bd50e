// Tests of copyRunFolder(): the verified copy that moves a rescued run to a folder the user
// chooses. It copies everything, never overwrites, names the folder it cannot write, and
// leaves the source untouched and nothing half-copied behind when it fails.
#include "training/runfolder.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QMap>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

using namespace studio;

namespace {

void writeFile(const QString& path, const QByteArray& data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(path));
    QCOMPARE(file.write(data), data.size());
}

// Every file under `folder` (hidden ones too), by relative path, with its contents.
QMap<QString, QByteArray> contents(const QString& folder)
{
    QMap<QString, QByteArray> files;
    QDirIterator it(folder, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        file.open(QIODevice::ReadOnly);
        files.insert(QDir(folder).relativeFilePath(path), file.readAll());
    }
    return files;
}

// Whatever is in `folder`, hidden entries included (a left-over staging folder would show).
QStringList entries(const QString& folder)
{
    return QDir(folder).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden |
                                  QDir::System);
}

} // namespace

class TestRunFolder : public QObject
{
    Q_OBJECT

    QTemporaryDir m_temp;
    QString m_source;
    QMap<QString, QByteArray> m_files;

private Q_SLOTS:
    // A run folder as rescue() leaves it, plus a hidden file and a sub-folder; the checkpoint
    // is larger than the copy's 1 MiB buffer.
    void initTestCase()
    {
        QVERIFY(m_temp.isValid());
        m_source = m_temp.filePath(QStringLiteral("classifier-studio-rescue-1"));
        QByteArray checkpoint(3 * 1024 * 1024 + 123, Qt::Uninitialized);
        QRandomGenerator generator(42);
        for (char& c : checkpoint) {
            c = char(generator.generate());
        }
        writeFile(QDir(m_source).filePath(QStringLiteral("checkpoint-last.ckpt")), checkpoint);
        writeFile(QDir(m_source).filePath(QStringLiteral("project.json")), "{\"version\": 1}\n");
        writeFile(QDir(m_source).filePath(QStringLiteral("history.csv")),
                  "epoch,accuracy,loss,lr,val_accuracy,val_loss\n0,0.5,1.0,0.01,0.4,1.1\n");
        writeFile(QDir(m_source).filePath(QStringLiteral(".hidden")), "x");
        writeFile(QDir(m_source).filePath(QStringLiteral("evaluation/metrics.json")), "{}");
        QDir().mkpath(QDir(m_source).filePath(QStringLiteral("empty")));
        m_files = contents(m_source);
        QCOMPARE(m_files.size(), 5);
    }

    // Each test must leave the source as it was.
    void cleanup() { QCOMPARE(contents(m_source), m_files); }

    void copiesEverything()
    {
        QTemporaryDir out;
        const QString to = out.filePath(QStringLiteral("new/run-1"));
        const Status copied = copyRunFolder(m_source, to);
        QVERIFY2(copied.ok(), qPrintable(copied.error()));
        QCOMPARE(contents(to), m_files);
        QVERIFY(QFileInfo(QDir(to).filePath(QStringLiteral("empty"))).isDir());
        // No staging folder is left beside it.
        QCOMPARE(entries(out.filePath(QStringLiteral("new"))),
                 QStringList{QStringLiteral("run-1")});
    }

    void copiesIntoAnEmptyFolder()
    {
        QTemporaryDir out;
        const Status copied = copyRunFolder(m_source, out.path());
        QVERIFY2(copied.ok(), qPrintable(copied.error()));
        QCOMPARE(contents(out.path()), m_files);
    }

    void refusesANonEmptyTarget()
    {
        QTemporaryDir out;
        writeFile(out.filePath(QStringLiteral("notes.txt")), "mine");
        const Status copied = copyRunFolder(m_source, out.path());
        QVERIFY(!copied.ok());
        QVERIFY2(copied.error().contains(QDir::toNativeSeparators(out.path())) &&
                     copied.error().contains(QDir::toNativeSeparators(m_source)),
                 qPrintable(copied.error()));
        QCOMPARE(entries(out.path()), QStringList{QStringLiteral("notes.txt")});
        QCOMPARE(contents(out.path()).value(QStringLiteral("notes.txt")), QByteArray("mine"));

        // A file by the target's name is not overwritten either.
        const QString file = out.filePath(QStringLiteral("notes.txt"));
        QVERIFY(!copyRunFolder(m_source, file).ok());
        QCOMPARE(contents(out.path()).value(QStringLiteral("notes.txt")), QByteArray("mine"));
    }

    void reportsAnUnwritableTarget()
    {
        QTemporaryDir out;
        // A plain file where the target's parent folder should be (as on a drive that was
        // replaced by something else): nothing can be created under it, even by root.
        const QString blocker = out.filePath(QStringLiteral("drive"));
        writeFile(blocker, "not a folder");
        const QString to = QDir(blocker).filePath(QStringLiteral("run-1"));
        const Status copied = copyRunFolder(m_source, to);
        QVERIFY(!copied.ok());
        QVERIFY2(copied.error().contains(QDir::toNativeSeparators(to)), qPrintable(copied.error()));
        QVERIFY2(copied.error().contains(QDir::toNativeSeparators(m_source)),
                 qPrintable(copied.error()));
        QVERIFY(QFileInfo(blocker).isFile());
        QCOMPARE(entries(out.path()), QStringList{QStringLiteral("drive")});

        // A read-only folder (only meaningful when not running as root, who may write anyway).
        const QString readOnly = out.filePath(QStringLiteral("read-only"));
        QVERIFY(QDir().mkdir(readOnly));
        QVERIFY(QFile::setPermissions(readOnly, QFile::ReadOwner | QFile::ExeOwner));
        QFile probe(QDir(readOnly).filePath(QStringLiteral("probe")));
        if (probe.open(QIODevice::WriteOnly)) {
            probe.close();
            probe.remove();
            qInfo("running as root: the read-only folder case is not checked");
        } else {
            const QString inside = QDir(readOnly).filePath(QStringLiteral("run-1"));
            const Status refused = copyRunFolder(m_source, inside);
            QVERIFY(!refused.ok());
            QVERIFY2(refused.error().contains(QDir::toNativeSeparators(inside)),
                     qPrintable(refused.error()));
            QVERIFY(entries(readOnly).isEmpty());
        }
        QFile::setPermissions(readOnly, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }

    // A file whose contents differ in length from the size the file system reports fails the
    // size check: the half-done copy is removed and the source is untouched.
    void aSizeMismatchFailsAndLeavesNothing()
    {
        if (!QFileInfo::exists(QStringLiteral("/proc/self/status")) ||
            QFileInfo(QStringLiteral("/proc/self/status")).size() != 0) {
            QSKIP("needs Linux's /proc, whose files report size 0");
        }
        QTemporaryDir temp;
        const QString from = temp.filePath(QStringLiteral("run"));
        writeFile(QDir(from).filePath(QStringLiteral("history.csv")), "epoch\n0\n");
        QVERIFY(QFile::link(QStringLiteral("/proc/self/status"),
                            QDir(from).filePath(QStringLiteral("status"))));
        const QString to = temp.filePath(QStringLiteral("out/run"));
        const Status copied = copyRunFolder(from, to);
        QVERIFY(!copied.ok());
        QVERIFY2(copied.error().contains(QLatin1String("status")) &&
                     copied.error().contains(QDir::toNativeSeparators(to)) &&
                     copied.error().contains(QLatin1String("bytes instead of 0")),
                 qPrintable(copied.error()));
        QVERIFY(entries(temp.filePath(QStringLiteral("out"))).isEmpty());
        QCOMPARE(entries(from),
                 (QStringList{QStringLiteral("history.csv"), QStringLiteral("status")}));
    }

    void refusesATargetInsideTheSource()
    {
        const QString to = QDir(m_source).filePath(QStringLiteral("moved"));
        const Status copied = copyRunFolder(m_source, to);
        QVERIFY(!copied.ok());
        QVERIFY2(copied.error().contains(QDir::toNativeSeparators(to)), qPrintable(copied.error()));
        QVERIFY(!QFileInfo::exists(to));
        QVERIFY(!copyRunFolder(m_source, m_source).ok());
    }

    void refusesAMissingSource()
    {
        QTemporaryDir out;
        const QString missing = out.filePath(QStringLiteral("gone"));
        const Status copied = copyRunFolder(missing, out.filePath(QStringLiteral("run")));
        QVERIFY(!copied.ok());
        QVERIFY2(copied.error().contains(QDir::toNativeSeparators(missing)),
                 qPrintable(copied.error()));
        QVERIFY(entries(out.path()).isEmpty());
    }

    void unusedPathCountsUp()
    {
        QTemporaryDir out;
        const QString run = out.filePath(QStringLiteral("run"));
        QCOMPARE(unusedPath(run), run);
        QVERIFY(QDir().mkdir(run));
        QCOMPARE(unusedPath(run), run + QStringLiteral("-2"));
        writeFile(run + QStringLiteral("-2"), "a file counts too");
        QCOMPARE(unusedPath(run), run + QStringLiteral("-3"));
    }
};

QTEST_GUILESS_MAIN(TestRunFolder)
#include "tst_runfolder.moc"
