// Tests of surviving crashes with the real CLI: a training killed with SIGKILL in the middle of
// an epoch resumes with no gap and no repeated epoch; a damaged last checkpoint is detected by
// its checksum, reported, and the one before it is used.
#include "clirun.h"
#include "shapesdataset.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using studio::testdata::CliRun;
using studio::testdata::jsonLines;
using studio::testdata::runCli;

namespace {

QJsonObject firstEvent(const QVector<QJsonObject>& events, const QString& name)
{
    const auto found = std::find_if(events.begin(), events.end(), [&](const QJsonObject& e) {
        return e[QStringLiteral("event")].toString() == name;
    });
    return found == events.end() ? QJsonObject() : *found;
}

// The epoch column of history.csv (0-based, as Keras' CSVLogger writes it).
QVector<int> historyEpochs(const QString& runDir)
{
    QFile file(QDir(runDir).filePath(QStringLiteral("history.csv")));
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    QVector<int> epochs;
    const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        epochs << lines[i].split(',').first().toInt();
    }
    return epochs;
}

QVector<int> range(int count)
{
    QVector<int> values;
    for (int i = 0; i < count; ++i) {
        values << i;
    }
    return values;
}

} // namespace

class TestCliCrash : public QObject
{
    Q_OBJECT

    QTemporaryDir m_data;

    QStringList trainArguments(const QString& out, int epochs) const
    {
        return studio::testdata::shapesTrainArguments(m_data.path(), out, epochs, 32);
    }

private Q_SLOTS:
    void initTestCase()
    {
        // 600 training images of 16 px at 32 px: an epoch lasts long enough (75 batches) to
        // be killed in the middle.
        studio::testdata::makeShapes(m_data.path(), QStringLiteral("train"), 200, 5);
        studio::testdata::makeShapes(m_data.path(), QStringLiteral("validation"), 10, 6);
    }

    void sigkillMidEpochThenResume()
    {
        QTemporaryDir runs;
        const QString out = runs.filePath(QStringLiteral("run"));
        QProcess process;
        process.start(QStringLiteral(STUDIO_CLI_PATH), trainArguments(out, 4));
        QVERIFY(process.waitForStarted());
        // Wait until epoch 2 has finished, then SIGKILL half an epoch later (in epoch 3).
        QByteArray seen;
        double epochSeconds = -1;
        while (epochSeconds < 0 && process.state() == QProcess::Running) {
            process.waitForReadyRead(1000);
            seen += process.readAllStandardOutput();
            for (const QJsonObject& e : jsonLines(seen)) {
                if (e[QStringLiteral("event")].toString() == QLatin1String("epoch") &&
                    e[QStringLiteral("epoch")].toInt() == 2) {
                    epochSeconds = e[QStringLiteral("seconds")].toDouble();
                }
            }
        }
        QVERIFY2(epochSeconds > 0, seen.constData());
        QTest::qWait(int(epochSeconds * 500));
        QCOMPARE(process.state(), QProcess::Running);
        process.kill(); // SIGKILL: no handler runs, nothing is flushed
        QVERIFY(process.waitForFinished(30000));
        QCOMPARE(process.exitStatus(), QProcess::CrashExit);
        QCOMPARE(historyEpochs(out), range(2));
        QVERIFY(!QFile::exists(QDir(out).filePath(QStringLiteral("model.pt"))));

        const CliRun resumed = runCli({QStringLiteral("resume"), out, QStringLiteral("--json")});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        const QVector<QJsonObject> events = jsonLines(resumed.out.toUtf8());
        const QJsonObject started = firstEvent(events, QStringLiteral("started"));
        QCOMPARE(started[QStringLiteral("first_epoch")].toInt(), 3); // epoch 3 again, whole
        QVERIFY(started[QStringLiteral("warnings")].toArray().isEmpty());
        QCOMPARE(firstEvent(events, QStringLiteral("finished")).isEmpty(), false);
        // No gap, no repeated epoch, and the final model.
        QCOMPARE(historyEpochs(out), range(4));
        QVERIFY(QFile::exists(QDir(out).filePath(QStringLiteral("model.pt"))));
    }

    void damagedLastCheckpointFallsBackToThePreviousOne()
    {
        QTemporaryDir runs;
        const QString out = runs.filePath(QStringLiteral("run"));
        QCOMPARE(runCli(trainArguments(out, 2)).exitCode, 0);
        const QString last = QDir(out).filePath(QStringLiteral("checkpoint-last.ckpt"));
        const QString previous = QDir(out).filePath(QStringLiteral("checkpoint-previous.ckpt"));
        QVERIFY(QFile::exists(previous)); // epoch 1's

        // Cut the last checkpoint short, as a crash during a copy or a full disk would.
        QFile file(last);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.resize(file.size() / 2));
        file.close();
        const CliRun resumed = runCli({QStringLiteral("resume"), out, QStringLiteral("--epochs"),
                                       QStringLiteral("3"), QStringLiteral("--json")});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        const QJsonObject started =
            firstEvent(jsonLines(resumed.out.toUtf8()), QStringLiteral("started"));
        QCOMPARE(started[QStringLiteral("first_epoch")].toInt(), 2); // from epoch 1's checkpoint
        const QString warning = started[QStringLiteral("warnings")].toArray().first().toString();
        QVERIFY2(warning.contains(QLatin1String("damaged")) &&
                     warning.contains(QLatin1String("checkpoint-last.ckpt")) &&
                     warning.contains(QLatin1String("checkpoint-previous.ckpt")),
                 qPrintable(warning));
        QCOMPARE(historyEpochs(out), range(3));

        // One changed byte in the middle is caught too; with both damaged, resume refuses
        // with the reason (exit 2) and touches nothing.
        for (const QString& path : {last, previous}) {
            QFile damaged(path);
            QVERIFY(damaged.open(QIODevice::ReadWrite));
            const qint64 middle = damaged.size() / 2;
            QVERIFY(damaged.seek(middle));
            char byte = 0;
            QVERIFY(damaged.getChar(&byte));
            QVERIFY(damaged.seek(middle));
            QVERIFY(damaged.putChar(char(byte ^ 0x5a)));
        }
        const QByteArray before = [&] {
            QFile f(last);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();
        const CliRun refused = runCli(
            {QStringLiteral("resume"), out, QStringLiteral("--epochs"), QStringLiteral("4")});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains(QLatin1String("checksum")) &&
                     refused.err.contains(QLatin1String("checkpoint-last.ckpt")) &&
                     refused.err.contains(QLatin1String("start a new run")),
                 qPrintable(refused.err));
        QFile after(last);
        QVERIFY(after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), before);
        QCOMPARE(historyEpochs(out), range(3));
    }
};

QTEST_GUILESS_MAIN(TestCliCrash)
#include "tst_cli_crash.moc"
