// Tests of classifier-cli as a user runs it: a child process, its output and its exit code.
#include "clirun.h"
#include "common/version.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using studio::testdata::CliRun;
using studio::testdata::runCli;

namespace {

int countPngs(const QString& dir)
{
    return int(QDir(dir).entryList({QStringLiteral("*.png")}, QDir::Files).size());
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void version()
    {
        const CliRun run = runCli({QStringLiteral("--version")});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out.trimmed(),
                 QStringLiteral("classifier-cli %1").arg(QString::fromLatin1(studio::kVersion)));
    }

    void helpListsCommands()
    {
        const CliRun run = runCli({QStringLiteral("--help")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains(QLatin1String("example-dataset")));
        QVERIFY(run.out.contains(QLatin1String("Exit codes")));
        const CliRun commandHelp =
            runCli({QStringLiteral("example-dataset"), QStringLiteral("--help")});
        QCOMPARE(commandHelp.exitCode, 0);
        QVERIFY(commandHelp.out.contains(QLatin1String("--validation")));
    }

    void noArgumentsIsBadInput()
    {
        const CliRun run = runCli({});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.contains(QLatin1String("Usage")));
    }

    void unknownCommandIsBadInput()
    {
        const CliRun run = runCli({QStringLiteral("frobnicate")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QLatin1String("frobnicate")));
    }

    void badNumberNamesTheOption()
    {
        QTemporaryDir dir;
        const CliRun run =
            runCli({QStringLiteral("example-dataset"), dir.filePath(QStringLiteral("x")),
                    QStringLiteral("--train"), QStringLiteral("many")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QLatin1String("--train")), qPrintable(run.err));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("x"))));
    }

    void missingSourceIsBadInput()
    {
        QTemporaryDir dir;
        const CliRun run =
            runCli({QStringLiteral("example-dataset"), dir.filePath(QStringLiteral("x")),
                    QStringLiteral("--source"), QStringLiteral("/nonexistent/fm")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QLatin1String("/nonexistent/fm")), qPrintable(run.err));
    }

    // The acceptance command, on the Fashion-MNIST that Debian installs.
    void exampleDatasetWritesExactCounts()
    {
        if (!QFileInfo::exists(QStringLiteral(STUDIO_FASHION_MNIST_DIR))) {
            if (qEnvironmentVariableIsSet("CI")) {
                QFAIL("Fashion-MNIST is not installed; packaging/install-deps.sh installs it.");
            }
            QSKIP("Fashion-MNIST is not installed (packaging/install-deps.sh installs it).");
        }
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("fm"));
        const CliRun run =
            runCli({QStringLiteral("example-dataset"), out, QStringLiteral("--train"),
                    QStringLiteral("1000"), QStringLiteral("--validation"), QStringLiteral("200"),
                    QStringLiteral("--test"), QStringLiteral("200")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QStringList splits = {QStringLiteral("train"), QStringLiteral("validation"),
                                    QStringLiteral("test")};
        const QVector<int> expected = {1000, 200, 200};
        for (int s = 0; s < splits.size(); ++s) {
            const QDir split(out + QLatin1Char('/') + splits[s]);
            const QStringList classes = split.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
            QCOMPARE(classes.size(), 10);
            int total = 0;
            for (const QString& c : classes) {
                total += countPngs(split.filePath(c));
            }
            QCOMPARE(total, expected[s]);
        }
        // A second run refuses to touch the existing folder.
        const CliRun again = runCli({QStringLiteral("example-dataset"), out,
                                     QStringLiteral("--train"), QStringLiteral("10")});
        QCOMPARE(again.exitCode, 2);
        QVERIFY(again.err.contains(QLatin1String("already exists")));
        QCOMPARE(countPngs(out + QStringLiteral("/train/Trouser")) > 0, true);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
