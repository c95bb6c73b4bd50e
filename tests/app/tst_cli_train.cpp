// Tests of `classifier-cli train` and `resume` as a user runs them: JSON lines, exit codes,
// Ctrl-C with a checkpoint, and resuming.
#include "clirun.h"
#include "shapesdataset.h"
#include "torchvisionbackbone.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <csignal>

using studio::testdata::CliRun;
using studio::testdata::runCli;

namespace {

// Every line is a JSON object (the test fails on any other line).
QVector<QJsonObject> jsonLines(const QString& out)
{
    QStringList notJson;
    const QVector<QJsonObject> objects = studio::testdata::jsonLines(out.toUtf8(), &notJson);
    if (!notJson.isEmpty()) {
        qWarning("not a JSON object: %s", qPrintable(notJson.first()));
        return {};
    }
    return objects;
}

} // namespace

class TestCliTrain : public QObject
{
    Q_OBJECT

    QTemporaryDir m_data;

    QStringList trainArguments(const QString& out, int epochs) const
    {
        return studio::testdata::shapesTrainArguments(m_data.path(), out, epochs, 16);
    }

private Q_SLOTS:
    void initTestCase()
    {
        studio::testdata::makeShapes(m_data.path(), QStringLiteral("train"), 24, 3);
        studio::testdata::makeShapes(m_data.path(), QStringLiteral("validation"), 8, 4);
    }

    void jsonLinesParseAndResumeContinues()
    {
        QTemporaryDir runs;
        const QString out = runs.filePath(QStringLiteral("run"));
        const CliRun run = runCli(trainArguments(out, 2));
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QVector<QJsonObject> events = jsonLines(run.out);
        QVERIFY(!events.isEmpty());
        // Loading progress first (the last one with every file read), then the start.
        int loaded = 0;
        while (loaded < events.size() &&
               events[loaded][QStringLiteral("event")].toString() == QLatin1String("loading")) {
            ++loaded;
        }
        QVERIFY(loaded >= 1);
        QCOMPARE(events[loaded - 1][QStringLiteral("done")].toInt(),
                 events[loaded - 1][QStringLiteral("total")].toInt());
        QVERIFY(events[loaded - 1][QStringLiteral("total")].toInt() > 0);
        QCOMPARE(events[loaded][QStringLiteral("event")].toString(), QStringLiteral("started"));
        QCOMPARE(events.last()[QStringLiteral("event")].toString(), QStringLiteral("finished"));
        int epochs = 0;
        for (const QJsonObject& event : events) {
            if (event[QStringLiteral("event")].toString() != QLatin1String("epoch")) {
                continue;
            }
            ++epochs;
            QCOMPARE(event[QStringLiteral("epoch")].toInt(), epochs);
            for (const char* key : {"loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds",
                                    "images_per_second"}) {
                QVERIFY2(event[QLatin1String(key)].isDouble(), key);
            }
        }
        QCOMPARE(epochs, 2);

        const CliRun resumed = runCli({QStringLiteral("resume"), out, QStringLiteral("--epochs"),
                                       QStringLiteral("3"), QStringLiteral("--json")});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        const QVector<QJsonObject> more = jsonLines(resumed.out);
        const auto started = std::find_if(more.begin(), more.end(), [](const QJsonObject& e) {
            return e[QStringLiteral("event")].toString() == QLatin1String("started");
        });
        QVERIFY(started != more.end());
        QCOMPARE((*started)[QStringLiteral("first_epoch")].toInt(), 3);
        int lastEpoch = 0;
        for (const QJsonObject& event : more) {
            if (event[QStringLiteral("event")].toString() == QLatin1String("epoch")) {
                lastEpoch = event[QStringLiteral("epoch")].toInt();
            }
        }
        QCOMPARE(lastEpoch, 3);
        QFile history(QDir(out).filePath(QStringLiteral("history.csv")));
        QVERIFY(history.open(QIODevice::ReadOnly));
        QCOMPARE(history.readAll().trimmed().split('\n').size(), 4); // header + 3 epochs
    }

    // --init-from copies an earlier run's model into a new run (reported in the started event,
    // kept in project.json as init_from), --freeze-first freezes layers (trainable false in
    // project.json); resume continues from the checkpoint, not from the model again.
    void initFromAndFreezeFirst()
    {
        QTemporaryDir runs;
        const QString first = runs.filePath(QStringLiteral("first"));
        const CliRun pretrain = runCli(trainArguments(first, 1));
        QVERIFY2(pretrain.exitCode == 0, qPrintable(pretrain.err));
        const QString model = QDir(first).filePath(QStringLiteral("model.pt"));

        const QString second = runs.filePath(QStringLiteral("second"));
        QStringList arguments = trainArguments(second, 1);
        arguments << QStringLiteral("--init-from") << model << QStringLiteral("--freeze-first")
                  << QStringLiteral("2");
        const CliRun tuned = runCli(arguments);
        QVERIFY2(tuned.exitCode == 0, qPrintable(tuned.err));
        QString notes;
        for (const QJsonObject& event : jsonLines(tuned.out)) {
            if (event[QStringLiteral("event")].toString() == QLatin1String("started")) {
                for (const QJsonValue& note : event[QStringLiteral("notes")].toArray()) {
                    notes += note.toString() + QLatin1Char('\n');
                }
            }
        }
        QVERIFY2(notes.contains(QStringLiteral("Layer 0 (Conv2D): copied from layer 0, frozen")),
                 qPrintable(notes));
        QVERIFY2(notes.contains(QStringLiteral("Layer 4 (Conv2D): copied from layer 4.")),
                 qPrintable(notes));
        QFile project(QDir(second).filePath(QStringLiteral("project.json")));
        QVERIFY(project.open(QIODevice::ReadOnly));
        const QJsonObject saved = QJsonDocument::fromJson(project.readAll()).object();
        const QJsonObject network = saved[QStringLiteral("model")].toObject();
        QCOMPARE(QFileInfo(network[QStringLiteral("init_from")].toString()), QFileInfo(model));
        const QJsonArray layers = network[QStringLiteral("layers")].toArray();
        QCOMPARE(layers[0].toObject()[QStringLiteral("trainable")].toBool(true), false);
        QCOMPARE(layers[1].toObject()[QStringLiteral("trainable")].toBool(true), false);
        QVERIFY(!layers[4].toObject().contains(QStringLiteral("trainable")));

        const CliRun resumed = runCli({QStringLiteral("resume"), second, QStringLiteral("--epochs"),
                                       QStringLiteral("2"), QStringLiteral("--json")});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        QVERIFY(!resumed.out.contains(QStringLiteral("copied from")));

        // A checkpoint to continue and a model to start from at once: refused.
        arguments = trainArguments(runs.filePath(QStringLiteral("third")), 1);
        arguments << QStringLiteral("--init-from") << model << QStringLiteral("--weights")
                  << QDir(first).filePath(QStringLiteral("checkpoint-last.ckpt"));
        const CliRun both = runCli(arguments);
        QCOMPARE(both.exitCode, 2);
        QVERIFY2(both.err.contains(QStringLiteral("not both")), qPrintable(both.err));
    }

    // A ResNet-18 exported with Debian's python3-torchvision, as the README shows, in place
    // of the template's convolutions: the run trains the head only, the summary has the 512
    // features, and the model cannot go to ONNX (a message, exit 2).
    void torchvisionFeatureExtractor()
    {
        QTemporaryDir dir;
        const QString backbone = dir.filePath(QStringLiteral("resnet18.pt"));
        STUDIO_EXPORT_TORCHVISION_BACKBONE(backbone, 32);

        const QString out = dir.filePath(QStringLiteral("run"));
        QStringList arguments = trainArguments(out, 1);
        arguments << QStringLiteral("--feature-extractor") << backbone;
        const CliRun run = runCli(arguments);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QFile project(QDir(out).filePath(QStringLiteral("project.json")));
        QVERIFY(project.open(QIODevice::ReadOnly));
        const QJsonArray layers = QJsonDocument::fromJson(project.readAll())
                                      .object()[QStringLiteral("model")]
                                      .toObject()[QStringLiteral("layers")]
                                      .toArray();
        const QJsonObject first = layers[0].toObject();
        QCOMPARE(first[QStringLiteral("type")].toString(), QStringLiteral("FeatureExtractor"));
        QCOMPARE(first[QStringLiteral("features")].toInt(), 512);
        QCOMPARE(first[QStringLiteral("params")].toDouble(), 11176512.0);
        QCOMPARE(first[QStringLiteral("input_size")].toArray(), (QJsonArray{32, 32}));
        QCOMPARE(layers.last().toObject()[QStringLiteral("type")].toString(),
                 QStringLiteral("Dense"));

        const CliRun onnx =
            runCli({QStringLiteral("export"), QStringLiteral("--model"),
                    QDir(out).filePath(QStringLiteral("model.pt")), QStringLiteral("--format"),
                    QStringLiteral("onnx"), QStringLiteral("--out"),
                    dir.filePath(QStringLiteral("model.onnx"))});
        QCOMPARE(onnx.exitCode, 2);
        QVERIFY2(onnx.err.contains(QStringLiteral("TorchScript feature extractor (resnet18.pt)")),
                 qPrintable(onnx.err));

        const CliRun notAModel = runCli(trainArguments(dir.filePath(QStringLiteral("bad")), 1)
                                        << QStringLiteral("--feature-extractor")
                                        << dir.filePath(QStringLiteral("none.pt")));
        QCOMPARE(notAModel.exitCode, 2);
        QVERIFY2(notAModel.err.contains(QStringLiteral("--feature-extractor: The feature "
                                                       "extractor")) &&
                     notAModel.err.contains(QStringLiteral("does not exist")),
                 qPrintable(notAModel.err));
    }

    void badInputExitsTwo()
    {
        QTemporaryDir runs;
        CliRun run = runCli({QStringLiteral("train"), QStringLiteral("--data"), m_data.path()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QLatin1String("--out")));
        run = runCli({QStringLiteral("train"), QStringLiteral("--data"),
                      runs.filePath(QStringLiteral("missing")), QStringLiteral("--out"),
                      runs.filePath(QStringLiteral("run"))});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QLatin1String("missing")), qPrintable(run.err));
        run = runCli({QStringLiteral("train"), QStringLiteral("--data"), m_data.path(),
                      QStringLiteral("--optimizer"), QStringLiteral("adagrad"),
                      QStringLiteral("--out"), runs.filePath(QStringLiteral("run"))});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QLatin1String("adagrad")));
        // Beyond the project file's range: refused before anything is written (resume would
        // refuse the run's project.json).
        run = runCli({QStringLiteral("train"), QStringLiteral("--data"), m_data.path(),
                      QStringLiteral("--image-size"), QStringLiteral("2000"),
                      QStringLiteral("--out"), runs.filePath(QStringLiteral("big"))});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QLatin1String("1024")), qPrintable(run.err));
        QVERIFY(!QFileInfo::exists(runs.filePath(QStringLiteral("big"))));
        run = runCli({QStringLiteral("resume"), runs.path()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QLatin1String("not a run folder")));
    }

    // Icons drawn in the transparency alone (black under a shape-shaped alpha) are blank once
    // the alpha is dropped: the run says so as it starts (its "started" event) and in log.txt.
    void iconsDrawnInTransparencyAreWarnedAbout()
    {
        QTemporaryDir data;
        QTemporaryDir runs;
        for (const QString& split : {QStringLiteral("train"), QStringLiteral("validation")}) {
            for (int i = 0; i < 6; ++i) {
                for (const bool disc : {true, false}) {
                    QImage icon(16, 16, QImage::Format_ARGB32);
                    icon.fill(Qt::transparent);
                    for (int y = 0; y < 16; ++y) {
                        for (int x = 0; x < 16; ++x) {
                            const int dx = x - 5 - i;
                            const bool inside = disc ? dx * dx + (y - 8) * (y - 8) <= 9
                                                     : std::abs(dx) <= 1 && y > 2 && y < 14;
                            icon.setPixel(x, y, inside ? qRgba(0, 0, 0, 255) : qRgba(0, 0, 0, 0));
                        }
                    }
                    const QString folder = data.filePath(
                        split + (disc ? QStringLiteral("/disc") : QStringLiteral("/bar")));
                    QVERIFY(QDir().mkpath(folder));
                    QVERIFY(icon.save(folder + QStringLiteral("/%1.png").arg(i)));
                }
            }
        }
        const QString out = runs.filePath(QStringLiteral("run"));
        const CliRun run = runCli(studio::testdata::shapesTrainArguments(data.path(), out, 1, 16));
        QCOMPARE(run.exitCode, 0);
        const QString warning = QStringLiteral(
            "All 24 images hold their picture in the transparency (alpha) channel alone");
        const QVector<QJsonObject> events = jsonLines(run.out);
        const auto started = std::find_if(events.begin(), events.end(), [](const QJsonObject& e) {
            return e[QStringLiteral("event")].toString() == QLatin1String("started");
        });
        QVERIFY(started != events.end());
        const QJsonArray warnings = (*started)[QStringLiteral("warnings")].toArray();
        QVERIFY2(std::any_of(warnings.begin(), warnings.end(),
                             [&](const QJsonValue& w) { return w.toString().contains(warning); }),
                 qPrintable(run.out.left(2000)));
        QFile log(out + QStringLiteral("/log.txt"));
        QVERIFY(log.open(QIODevice::ReadOnly));
        QVERIFY(QString::fromUtf8(log.readAll()).contains(warning));
    }

    void nanExitsOne()
    {
        QTemporaryDir runs;
        // The tutorial's network (no BatchNormalization to hold it) at the largest learning
        // rate the schema takes diverges within a few batches.
        QStringList arguments = trainArguments(runs.filePath(QStringLiteral("run")), 2);
        arguments[arguments.indexOf(QStringLiteral("small"))] = QStringLiteral("seed");
        arguments[arguments.indexOf(QStringLiteral("--image-size")) + 1] = QStringLiteral("64");
        arguments << QStringLiteral("--optimizer") << QStringLiteral("sgd")
                  << QStringLiteral("--learning-rate") << QStringLiteral("1e6");
        const CliRun run = runCli(arguments);
        QCOMPARE(run.exitCode, 1);
        const QVector<QJsonObject> events = jsonLines(run.out);
        QCOMPARE(events.last()[QStringLiteral("event")].toString(), QStringLiteral("failed"));
        QVERIFY(events.last()[QStringLiteral("reason")].toString().contains(
            QLatin1String("learning rate")));
    }

    void ctrlCStopsWithCheckpoint()
    {
        QTemporaryDir runs;
        const QString out = runs.filePath(QStringLiteral("run"));
        QProcess process;
        process.start(QStringLiteral(STUDIO_CLI_PATH), trainArguments(out, 200));
        QVERIFY(process.waitForStarted());
        // Wait for the first finished epoch, then press Ctrl-C.
        QByteArray seen;
        while (!seen.contains("\"event\":\"epoch\"") && process.state() == QProcess::Running) {
            process.waitForReadyRead(1000);
            seen += process.readAllStandardOutput();
        }
        ::kill(pid_t(process.processId()), SIGINT);
        QVERIFY(process.waitForFinished(120000));
        seen += process.readAllStandardOutput();
        QCOMPARE(process.exitCode(), 130);
        QVERIFY(seen.contains("\"event\":\"stopped\""));
        QVERIFY(QFile::exists(QDir(out).filePath(QStringLiteral("checkpoint-last.ckpt"))));
        const CliRun resumed = runCli(
            {QStringLiteral("resume"), out, QStringLiteral("--epochs"), QStringLiteral("3")});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    }
};

QTEST_GUILESS_MAIN(TestCliTrain)
#include "tst_cli_train.moc"
