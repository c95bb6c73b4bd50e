// Tests of `classifier-cli summary` run as a child process: the table, --json, exit codes.
#include "clirun.h"
#include "project/project.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace studio;

using studio::testdata::CliRun;
using studio::testdata::runCli;

namespace {

CliRun summary(QStringList arguments)
{
    arguments.prepend(QStringLiteral("summary"));
    return runCli(arguments);
}

QString writeProject(const QTemporaryDir& dir, const QString& name, const QByteArray& text)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        qFatal("cannot write the test project");
    }
    file.write(text);
    return path;
}

} // namespace

class TestCliSummary : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listedInHelp()
    {
        const CliRun run = runCli({QStringLiteral("--help")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains(QLatin1String("summary")));
        const CliRun help = summary({QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains(QLatin1String("--template")));
    }

    void seedTemplateTable()
    {
        const CliRun run = summary({QStringLiteral("--template"), QStringLiteral("seed")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(run.out.contains(QLatin1String("(None, 63, 63, 12)")));
        QVERIFY(run.out.contains(QLatin1String("dense_2 (Dense)")));
        QVERIFY(run.out.contains(QLatin1String("Total params: 570,804")));
        QVERIFY(run.out.contains(QLatin1String("Trainable params: 570,804")));
        QVERIFY(run.err.isEmpty());
    }

    void seedTemplateJson()
    {
        const CliRun run = summary(
            {QStringLiteral("--template"), QStringLiteral("seed"), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QJsonParseError error;
        const QJsonObject json = QJsonDocument::fromJson(run.out.toUtf8(), &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(json.value(QStringLiteral("total_params")).toInteger(), 570804);
        QCOMPARE(json.value(QStringLiteral("trainable_params")).toInteger(), 570804);
        const QJsonArray layers = json.value(QStringLiteral("layers")).toArray();
        QCOMPARE(layers.size(), 16);
        const QJsonObject first = layers[0].toObject();
        QCOMPARE(first.value(QStringLiteral("type")).toString(), QStringLiteral("Conv2D"));
        QCOMPARE(first.value(QStringLiteral("output_shape")).toArray(), (QJsonArray{63, 63, 12}));
        QCOMPARE(first.value(QStringLiteral("params")).toInteger(), 156);
        QCOMPARE(layers[15].toObject().value(QStringLiteral("output_shape")).toArray(),
                 QJsonArray{10});
    }

    void optionsChangeTheInput()
    {
        // 5 classes: the template's output layer follows them.
        CliRun run = summary({QStringLiteral("--template"), QStringLiteral("seed"),
                              QStringLiteral("--classes"), QStringLiteral("5"),
                              QStringLiteral("--color-mode"), QStringLiteral("grayscale"),
                              QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject json = QJsonDocument::fromJson(run.out.toUtf8()).object();
        // Grayscale: the first kernel has 2*2*1*12 weights instead of 2*2*3*12.
        QCOMPARE(json.value(QStringLiteral("total_params")).toInteger(),
                 570804 - 5 * 251 - 2 * 2 * 2 * 12);

        run = summary({QStringLiteral("--template"), QStringLiteral("small"),
                       QStringLiteral("--image-size"), QStringLiteral("32")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(run.out.contains(QLatin1String("(None, 32, 32, 16)")));
    }

    void tooSmallImageExitsTwo()
    {
        const CliRun run = summary({QStringLiteral("--template"), QStringLiteral("seed"),
                                    QStringLiteral("--image-size"), QStringLiteral("28")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QLatin1String("Layer 10 (Conv2D)")), qPrintable(run.err));
        QVERIFY(run.err.contains(QLatin1String("raise the image size")));
        QVERIFY(run.out.isEmpty());
    }

    void badArgumentsExitTwo()
    {
        QCOMPARE(summary({}).exitCode, 2);
        QCOMPARE(summary({QStringLiteral("--template"), QStringLiteral("seed"),
                          QStringLiteral("--project"), QStringLiteral("p.json")})
                     .exitCode,
                 2);
        const CliRun unknown = summary({QStringLiteral("--template"), QStringLiteral("resnet")});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY(unknown.err.contains(QLatin1String("resnet")));
        const CliRun size = summary({QStringLiteral("--template"), QStringLiteral("seed"),
                                     QStringLiteral("--image-size"), QStringLiteral("big")});
        QCOMPARE(size.exitCode, 2);
        QVERIFY(size.err.contains(QLatin1String("--image-size")));
        const CliRun mode = summary({QStringLiteral("--template"), QStringLiteral("seed"),
                                     QStringLiteral("--color-mode"), QStringLiteral("cmyk")});
        QCOMPARE(mode.exitCode, 2);
        QVERIFY(mode.err.contains(QLatin1String("cmyk")));
    }

    void fromProject()
    {
        QTemporaryDir dir;
        Project project = defaultProject();
        project.dataset.imageSize = 64;
        const QString path = dir.filePath(QStringLiteral("experiment.json"));
        QVERIFY(saveProject(path, project).ok());
        CliRun run = summary({QStringLiteral("--project"), path});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(run.out.contains(QLatin1String("Model: \"experiment\"")));
        QVERIFY(run.out.contains(QLatin1String("Total params: 570,804")));
        QVERIFY(run.out.contains(QLatin1String("batch of 20")));

        // The project's output layer must match --classes; the message offers the fix.
        run = summary(
            {QStringLiteral("--project"), path, QStringLiteral("--classes"), QStringLiteral("4")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QLatin1String("Layer 16 (Dense)")), qPrintable(run.err));
        QVERIFY(run.err.contains(QLatin1String("Set its units to 4")));

        run = summary({QStringLiteral("--project"), path, QStringLiteral("--image-size"),
                       QStringLiteral("28")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QLatin1String("Layer 10 (Conv2D)")));
    }

    void invalidProjectExitsTwo()
    {
        QTemporaryDir dir;
        const QString path =
            writeProject(dir, QStringLiteral("bad.json"),
                         R"({"version": "1.0", "model": {"layers": [{"type": "Flatten"},
                {"type": "Dense", "units": 10}]}, "training": {"batch_size": -3}})");
        CliRun run = summary({QStringLiteral("--project"), path});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QLatin1String(
                     "training.batch_size must be an integer from 1 to 65536, got -3")),
                 qPrintable(run.err));
        QVERIFY(run.err.contains(QLatin1String("bad.json")));

        run = summary({QStringLiteral("--project"), dir.filePath(QStringLiteral("none.json"))});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QLatin1String("none.json")));

        // Unknown keys are warnings: the summary is printed.
        const QString odd =
            writeProject(dir, QStringLiteral("odd.json"),
                         R"({"version": "1.0", "colour": 1, "dataset": {"image_size": 8},
                "model": {"layers": [{"type": "Flatten"}, {"type": "Dense", "units": 10}]}})");
        run = summary({QStringLiteral("--project"), odd});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(run.err.contains(QLatin1String("unknown key colour")));
        QVERIFY(run.out.contains(QLatin1String("Total params: 1,930")));
    }
};

QTEST_GUILESS_MAIN(TestCliSummary)
#include "tst_cli_summary.moc"
