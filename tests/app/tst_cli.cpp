// Tests of classifier-cli as a user runs it: a child process, its output and its exit code.
#include "clirun.h"
#include "common/environment.h"
#include "common/version.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using studio::testdata::CliRun;
using studio::testdata::runCli;

namespace {

// The multiarch folder of the system's libraries that holds libblas.so.3
// (/usr/lib/x86_64-linux-gnu on Debian for amd64).
QString libraryFolder()
{
    const QDir lib(QStringLiteral("/usr/lib"));
    for (const QString& name : lib.entryList({QStringLiteral("*-linux-gnu*")}, QDir::Dirs)) {
        if (QFileInfo::exists(lib.filePath(name) + QStringLiteral("/libblas.so.3"))) {
            return lib.filePath(name);
        }
    }
    return {};
}

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
        const QStringList lines = run.out.trimmed().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0],
                 QStringLiteral("classifier-cli %1").arg(QString::fromLatin1(studio::kVersion)));
        // The second names the libraries' versions, as each run records them.
        const studio::RunEnvironment environment = studio::currentEnvironment();
        QCOMPARE(lines[1], QStringLiteral("LibTorch %1, OpenCV %2, Qt %3")
                               .arg(environment.libtorch, environment.opencv, environment.qt));
        QVERIFY(lines[1].startsWith(QStringLiteral("LibTorch 1.")));
        // The third names the library the system's libblas.so.3 leads to.
        const QString system =
            QFileInfo(libraryFolder() + QStringLiteral("/libblas.so.3")).canonicalFilePath();
        QVERIFY2(!system.isEmpty(), qPrintable(libraryFolder()));
        QVERIFY2(lines[2].startsWith(QLatin1String("BLAS: ")) &&
                     lines[2].endsWith(QStringLiteral(", ") + system),
                 qPrintable(lines[2] + QStringLiteral(" / ") + system));
    }

    // --version reads the library the process really loaded: pointed at the reference BLAS
    // (which install-deps.sh installs beside the optimised one), it names it and says what to do.
    void versionNamesTheReferenceBlasAndWarns()
    {
        const QString folder = libraryFolder() + QStringLiteral("/blas");
        QVERIFY2(QFileInfo::exists(folder + QStringLiteral("/libblas.so.3")),
                 "libblas3 is missing: run packaging/install-deps.sh");
        QProcess process;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("LD_LIBRARY_PATH"), folder);
        process.setProcessEnvironment(environment);
        process.start(QStringLiteral(STUDIO_CLI_PATH), {QStringLiteral("--version")});
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitCode(), 0);
        const QString out = QString::fromUtf8(process.readAllStandardOutput());
        const QString err = QString::fromUtf8(process.readAllStandardError());
        const QString reference =
            QFileInfo(folder + QStringLiteral("/libblas.so.3")).canonicalFilePath();
        QVERIFY2(out.contains(QStringLiteral("BLAS: the reference BLAS (libblas3), ") + reference),
                 qPrintable(out));
        QVERIFY2(err.startsWith(QLatin1String("Warning: ")) &&
                     err.contains(QLatin1String("install-deps.sh")),
                 qPrintable(err));
    }

    // packaging/install-deps.sh selects the optimised BLAS: on CI, which runs it, the CLI must
    // not be on the reference one. Elsewhere a machine set up by hand may be.
    void installedBlasIsTheOptimisedOne()
    {
        const CliRun run = runCli({QStringLiteral("--version")});
        QCOMPARE(run.exitCode, 0);
        if (!run.out.contains(QLatin1String("reference BLAS"))) {
            QVERIFY2(run.err.isEmpty(), qPrintable(run.err));
            return;
        }
        if (qEnvironmentVariableIsSet("CI")) {
            QFAIL(qPrintable(QStringLiteral("CI runs on the reference BLAS: ") + run.out));
        }
        QSKIP("This machine runs on the reference BLAS; packaging/install-deps.sh selects the "
              "optimised one.");
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
