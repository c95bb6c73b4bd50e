// Tests of classifier-cli runs: the table and --json of the run folders under a folder (a
// cross-validation as one row and its folds), the app's runs folder by default, sorting, and
// --compare (McNemar's test and the settings that differ).
#include "training/runfolder.h"

#include "clirun.h"
#include "shapesdataset.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace studio;
using studio::testdata::jsonLines;
using studio::testdata::runCli;

class TestCliRuns : public QObject
{
    Q_OBJECT

    QTemporaryDir m_data;
    QTemporaryDir m_runs;
    QString m_a, m_b;

    QString train(const QString& name, const QStringList& extra)
    {
        const QString out = QDir(m_runs.path()).filePath(name);
        const testdata::CliRun run =
            runCli(testdata::shapesTrainArguments(m_data.path(), out, 1, 16) + extra);
        if (run.exitCode != 0) {
            qWarning("%s", qPrintable(run.err));
            return QString();
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        testdata::makeShapes(m_data.path(), QStringLiteral("train"), 24, 3);
        testdata::makeShapes(m_data.path(), QStringLiteral("validation"), 6, 4);
        testdata::makeShapes(m_data.path(), QStringLiteral("test"), 9, 5);
        m_a = train(QStringLiteral("a"), {});
        m_b = train(QStringLiteral("b"),
                    {QStringLiteral("--learning-rate"), QStringLiteral("0.0005")});
        QVERIFY(!m_a.isEmpty() && !m_b.isEmpty());
        const QDir runs(m_runs.path());
        QVERIFY(copyRunFolder(m_a, runs.filePath(QStringLiteral("cv/fold-1"))));
        QVERIFY(copyRunFolder(m_b, runs.filePath(QStringLiteral("cv/fold-2"))));
    }

    void tableHasARowPerRunAndIndentedFolds()
    {
        const testdata::CliRun run = runCli({QStringLiteral("runs"), m_runs.path(),
                                             QStringLiteral("--sort"), QStringLiteral("name")});
        QCOMPARE(run.exitCode, 0);
        const QStringList lines = run.out.trimmed().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 6); // header, a, b, cv, its two folds
        QVERIFY(lines[0].contains(QStringLiteral("Test accuracy")));
        QVERIFY(lines[0].contains(QStringLiteral("Balanced acc.")));
        QVERIFY2(lines[1].contains(QStringLiteral(" a ")) &&
                     lines[1].contains(QStringLiteral("finished")),
                 qPrintable(lines[1]));
        QVERIFY(lines[1].contains(QStringLiteral("16x16x3")));
        QVERIFY(lines[1].contains(QStringLiteral("1/1")));
        QVERIFY(lines[1].contains(QStringLiteral("% (")));
        QVERIFY2(lines[3].contains(QStringLiteral(" cv ")) &&
                     lines[3].contains(QStringLiteral(" ± ")),
                 qPrintable(lines[3]));
        QVERIFY2(lines[4].contains(QStringLiteral("   fold-1 ")), qPrintable(lines[4]));
        QVERIFY2(lines[5].contains(QStringLiteral("   fold-2 ")), qPrintable(lines[5]));
    }

    void jsonHasOneObjectPerRun()
    {
        const testdata::CliRun run =
            runCli({QStringLiteral("runs"), m_runs.path(), QStringLiteral("--json"),
                    QStringLiteral("--sort"), QStringLiteral("name"), QStringLiteral("--reverse")});
        QCOMPARE(run.exitCode, 0);
        const QVector<QJsonObject> rows = jsonLines(run.out.toUtf8());
        QCOMPARE(rows.size(), 3);
        QCOMPARE(rows[0][QStringLiteral("name")].toString(), QStringLiteral("cv"));
        QCOMPARE(rows[0][QStringLiteral("kind")].toString(), QStringLiteral("crossval"));
        QCOMPARE(rows[0][QStringLiteral("folds")].toArray().size(), 2);
        QCOMPARE(rows[0][QStringLiteral("accuracy")].toObject()[QStringLiteral("n")].toInt(), 2);
        const QJsonObject b = rows[1];
        QCOMPARE(b[QStringLiteral("name")].toString(), QStringLiteral("b"));
        QCOMPARE(b[QStringLiteral("status")].toString(), QStringLiteral("finished"));
        QCOMPARE(b[QStringLiteral("test_count")].toInt(), 27); // 9 of each of 3 classes
        QCOMPARE(b[QStringLiteral("epochs_run")].toInt(), 1);
        QCOMPARE(b[QStringLiteral("network")].toString(), QStringLiteral("small"));
        const QJsonArray ci = b[QStringLiteral("test_accuracy_ci")].toArray();
        QCOMPARE(ci.size(), 2);
        QVERIFY(ci[0].toDouble() <= b[QStringLiteral("test_accuracy")].toDouble());
        QVERIFY(ci[1].toDouble() >= b[QStringLiteral("test_accuracy")].toDouble());
        QCOMPARE(b[QStringLiteral("balanced_accuracy_ci")].toArray().size(), 2);
    }

    // With no DIR, the folder the app keeps in its settings (organization ClassifierStudio,
    // application classifier-studio), whatever the CLI's own name.
    void defaultsToTheAppsRunsFolder()
    {
        QTemporaryDir config;
        const QString settings =
            QDir(config.path()).filePath(QStringLiteral("ClassifierStudio/classifier-studio.conf"));
        QVERIFY(QDir().mkpath(QFileInfo(settings).path()));
        QFile file(settings);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("[train]\nrunsFolder=" + m_runs.path().toUtf8() + "\n");
        file.close();
        QProcess process;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("XDG_CONFIG_HOME"), config.path());
        process.setProcessEnvironment(environment);
        process.start(QStringLiteral(STUDIO_CLI_PATH),
                      {QStringLiteral("runs"), QStringLiteral("--json")});
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitCode(), 0);
        QCOMPARE(jsonLines(process.readAllStandardOutput()).size(), 3);
    }

    void compareShowsMcNemarAndTheSettingThatDiffers()
    {
        const testdata::CliRun run =
            runCli({QStringLiteral("runs"), QStringLiteral("--compare"), m_a, m_b});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(QStringLiteral("McNemar: Of 27 test images")),
                 qPrintable(run.out));
        QVERIFY(run.out.contains(QStringLiteral("McNemar's exact p = ")));
        QVERIFY2(run.out.contains(QStringLiteral("Settings: learning_rate 0.001 → 0.0005\n")),
                 qPrintable(run.out));
        const testdata::CliRun json = runCli({QStringLiteral("runs"), QStringLiteral("--compare"),
                                              m_a, m_b, QStringLiteral("--json")});
        QCOMPARE(json.exitCode, 0);
        const QVector<QJsonObject> objects = jsonLines(json.out.toUtf8());
        QCOMPARE(objects.size(), 1);
        const QJsonObject mcnemar = objects[0][QStringLiteral("mcnemar")].toObject();
        QCOMPARE(mcnemar[QStringLiteral("images")].toInt(), 27);
        const QJsonArray changes = objects[0][QStringLiteral("changes")].toArray();
        QCOMPARE(changes.size(), 1);
        QCOMPARE(changes[0].toObject()[QStringLiteral("path")].toString(),
                 QStringLiteral("training.learning_rate"));
    }

    void badInputIsRefused()
    {
        testdata::CliRun run =
            runCli({QStringLiteral("runs"), QDir(m_runs.path()).filePath(QStringLiteral("none"))});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("is not a folder")), qPrintable(run.err));
        run = runCli({QStringLiteral("runs"), m_runs.path(), QStringLiteral("--sort"),
                      QStringLiteral("colour")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QStringLiteral("colour")));
        run = runCli({QStringLiteral("runs"), QStringLiteral("--compare"), m_a});
        QCOMPARE(run.exitCode, 2);
        run = runCli({QStringLiteral("runs"), QStringLiteral("--compare"), m_a, m_data.path()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("not a run folder")), qPrintable(run.err));
    }
};

QTEST_GUILESS_MAIN(TestCliRuns)
#include "tst_cli_runs.moc"
