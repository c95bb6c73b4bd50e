// Tests of classifier-cli evaluate, predict and export as a user runs them: a model made by the
// exporter, a small Fashion-MNIST folder, the printed JSON, the files written, the exit codes
// and the messages for bad model files.
#include "clirun.h"
#include "dataset/fashionmnist.h"
#include "export/exporter_p.h"
#include "export/modelmetadata.h"
#include "model/modelbuilder_p.h"
#include "testfiles.h"

#include <torch/nn.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using namespace studio;

using studio::testdata::CliRun;
using studio::testdata::runCli;

using studio::testfiles::readAll;

class TestCliEvaluate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        ExampleDatasetOptions options;
        options.outDir = m_dir.filePath(QStringLiteral("data"));
        options.train = 50;
        options.validation = 20;
        options.test = 60;
        const Result<ExampleDatasetReport> written = writeExampleDataset(options);
        QVERIFY2(written.ok(), qPrintable(written.error()));
        m_data = options.outDir;

        // A small network with fixed random weights; its predictions are whatever they are, the
        // CLI must report them consistently.
        torch::manual_seed(3);
        ModelSpec model;
        model.layers = {LayerSpec::conv2D(4, {3, 3}, Padding::Same, Activation::Relu),
                        LayerSpec::maxPooling2D(), LayerSpec::flatten(),
                        LayerSpec::dense(10, Activation::Softmax)};
        DatasetSettings settings;
        settings.imageSize = 16;
        settings.colorMode = ColorMode::Grayscale;
        QStringList classes = fashionMnistClassNames();
        std::sort(classes.begin(), classes.end()); // the scanner's order
        Result<torch::nn::Sequential> built = buildModule(model, {16, 16, 1}, 10);
        QVERIFY(built.ok());
        m_model = m_dir.filePath(QStringLiteral("model.pt"));
        const Status exported =
            exportTorchScript(*built, makeModelMetadata(model, settings, classes), m_model);
        QVERIFY2(exported.ok(), qPrintable(exported.error()));
        m_classes = classes;
    }

    void evaluateJsonAndFiles()
    {
        const QString out = m_dir.filePath(QStringLiteral("eval"));
        const CliRun run = runCli({QStringLiteral("evaluate"), QStringLiteral("--model"), m_model,
                                   QStringLiteral("--data"), m_data, QStringLiteral("--json"),
                                   QStringLiteral("--out"), out});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject json = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(json[QStringLiteral("classes")].toArray().size(), 10);
        QCOMPARE(json[QStringLiteral("count")].toInt(), 60);
        const QJsonArray confusion = json[QStringLiteral("confusion_matrix")].toArray();
        QCOMPARE(confusion.size(), 10);
        int total = 0;
        int diagonal = 0;
        for (int r = 0; r < 10; ++r) {
            for (int c = 0; c < 10; ++c) {
                total += confusion[r].toArray()[c].toInt();
            }
            diagonal += confusion[r].toArray()[r].toInt();
        }
        QCOMPARE(total, 60);
        QCOMPARE(json[QStringLiteral("accuracy")].toDouble(), diagonal / 60.0);
        QVERIFY(json[QStringLiteral("top_k_accuracy")].toObject().contains(QStringLiteral("3")));
        const QJsonArray wrong = json[QStringLiteral("misclassified")].toArray();
        QCOMPARE(wrong.size(), 60 - diagonal);
        for (int i = 1; i < wrong.size(); ++i) {
            QVERIFY(wrong[i - 1].toObject()[QStringLiteral("confidence")].toDouble() >=
                    wrong[i].toObject()[QStringLiteral("confidence")].toDouble());
        }
        if (!wrong.isEmpty()) {
            QVERIFY(wrong[0].toObject()[QStringLiteral("path")].toString().startsWith(
                QStringLiteral("test/")));
        }
        const QJsonArray perClass = json[QStringLiteral("per_class")].toArray();
        QCOMPARE(perClass.size(), 10);
        QVERIFY(perClass[0].toObject().contains(QStringLiteral("f1")));
        QCOMPARE(QJsonDocument::fromJson(readAll(out + QStringLiteral("/evaluation.json")))
                     .object()[QStringLiteral("accuracy")]
                     .toDouble(),
                 json[QStringLiteral("accuracy")].toDouble());
        QVERIFY(
            readAll(out + QStringLiteral("/confusion_matrix.csv")).startsWith("true\\predicted,"));
        QCOMPARE(readAll(out + QStringLiteral("/misclassified.csv")).count('\n'), 61 - diagonal);

        const CliRun table = runCli({QStringLiteral("evaluate"), QStringLiteral("--model"), m_model,
                                     QStringLiteral("--data"), m_data, QStringLiteral("--split"),
                                     QStringLiteral("validation")});
        QVERIFY2(table.exitCode == 0, qPrintable(table.err));
        QVERIFY(table.out.contains(QStringLiteral("Images: 20")));
        QVERIFY(table.out.contains(QStringLiteral("weighted avg")));
    }

    void evaluateRefusesOtherClasses()
    {
        const QString other = m_dir.filePath(QStringLiteral("other"));
        QVERIFY(QDir().mkpath(other + QStringLiteral("/train/apple")));
        QVERIFY(QDir().mkpath(other + QStringLiteral("/train/pear")));
        QVERIFY(
            QFile::copy(m_data + QStringLiteral("/test/Bag/") +
                            QDir(m_data + QStringLiteral("/test/Bag")).entryList(QDir::Files)[0],
                        other + QStringLiteral("/train/apple/a.png")));
        QVERIFY(QFile::copy(other + QStringLiteral("/train/apple/a.png"),
                            other + QStringLiteral("/train/pear/b.png")));
        const CliRun run = runCli({QStringLiteral("evaluate"), QStringLiteral("--model"), m_model,
                                   QStringLiteral("--data"), other, QStringLiteral("--split"),
                                   QStringLiteral("train")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("are not the model's")), qPrintable(run.err));
    }

    void predictFilesFoldersAndCsv()
    {
        const QString folder = m_data + QStringLiteral("/test/Sneaker");
        const QString broken = m_dir.filePath(QStringLiteral("broken.png"));
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("\x89PNG\r\n\x1a\n garbage");
        file.close();
        const QString csv = m_dir.filePath(QStringLiteral("predictions.csv"));
        const CliRun run = runCli({QStringLiteral("predict"), QStringLiteral("--model"), m_model,
                                   folder, broken, QStringLiteral("--top-k"), QStringLiteral("2"),
                                   QStringLiteral("--csv"), csv, QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 1); // one file failed, the others are classified
        QVERIFY(run.err.contains(QStringLiteral("1 of")));
        const QJsonObject json = QJsonDocument::fromJson(run.out.toUtf8()).object();
        const QJsonArray predictions = json[QStringLiteral("predictions")].toArray();
        const int images = int(QDir(folder).entryList(QDir::Files).size());
        QCOMPARE(predictions.size(), images + 1);
        QCOMPARE(predictions[0].toObject()[QStringLiteral("top")].toArray().size(), 2);
        QVERIFY(predictions.last().toObject().contains(QStringLiteral("error")));

        const QList<QByteArray> lines = readAll(csv).trimmed().split('\n');
        QCOMPARE(lines.size(), images + 2);
        QByteArray header = "path,predicted,confidence";
        for (const QString& name : m_classes) {
            header += ',' + name.toUtf8();
        }
        QCOMPARE(lines[0], header + ",error");
        QCOMPARE(lines[1].split(',').size(), 3 + 10 + 1);
        QVERIFY(lines.last().startsWith(broken.toUtf8() + ",,,"));

        // Every answer is uncertain under a threshold of 1.
        const CliRun uncertain =
            runCli({QStringLiteral("predict"), QStringLiteral("--model"), m_model, folder,
                    QStringLiteral("--threshold"), QStringLiteral("1")});
        QCOMPARE(uncertain.exitCode, 0);
        QCOMPARE(uncertain.out.count(QStringLiteral(": uncertain (")), images);
    }

    // --engine: torch (the default) runs LibTorch, auto and opencv run this model on OpenCV, and
    // both give the same
    // answers; the JSON and the log name the engine; a bad name is refused with the option.
    void engineOption()
    {
        const QString folder = m_data + QStringLiteral("/test/Sneaker");
        const QStringList predict = {QStringLiteral("predict"), QStringLiteral("--model"), m_model,
                                     folder, QStringLiteral("--json")};
        QJsonObject json[4];
        const QStringList engines = {QString(), QStringLiteral("torch"), QStringLiteral("opencv"),
                                     QStringLiteral("auto")};
        for (int e = 0; e < 4; ++e) {
            const QStringList engine = engines[e].isEmpty()
                                           ? QStringList()
                                           : QStringList{QStringLiteral("--engine"), engines[e]};
            const CliRun run = runCli(predict + engine);
            QVERIFY2(run.exitCode == 0, qPrintable(run.err));
            json[e] = QJsonDocument::fromJson(run.out.toUtf8()).object();
        }
        QCOMPARE(json[0][QStringLiteral("engine")].toString(), QStringLiteral("torch"));
        QCOMPARE(json[3][QStringLiteral("engine")].toString(), QStringLiteral("opencv"));
        QCOMPARE(json[1][QStringLiteral("engine")].toString(), QStringLiteral("torch"));
        QCOMPARE(json[2][QStringLiteral("engine")].toString(), QStringLiteral("opencv"));
        QVERIFY(json[1][QStringLiteral("engine_detail")].toString().contains(
            QStringLiteral("torch engine")));
        const QJsonArray torchAnswers = json[1][QStringLiteral("predictions")].toArray();
        const QJsonArray opencvAnswers = json[2][QStringLiteral("predictions")].toArray();
        QVERIFY(!torchAnswers.isEmpty());
        QCOMPARE(opencvAnswers.size(), torchAnswers.size());
        for (int i = 0; i < torchAnswers.size(); ++i) {
            const QJsonObject a = torchAnswers[i].toObject();
            const QJsonObject b = opencvAnswers[i].toObject();
            QCOMPARE(b[QStringLiteral("path")], a[QStringLiteral("path")]);
            QCOMPARE(b[QStringLiteral("predicted")], a[QStringLiteral("predicted")]);
            QVERIFY(std::abs(b[QStringLiteral("confidence")].toDouble() -
                             a[QStringLiteral("confidence")].toDouble()) <= 1e-4);
        }

        // The log line of the text output, and evaluate with each engine.
        const CliRun text = runCli({QStringLiteral("predict"), QStringLiteral("--model"), m_model,
                                    folder, QStringLiteral("--engine"), QStringLiteral("torch")});
        QVERIFY2(text.exitCode == 0 && text.err.contains(QStringLiteral("Engine: torch (")),
                 qPrintable(text.err));
        QJsonObject evaluated[2];
        for (int e = 1; e < 3; ++e) {
            const CliRun run =
                runCli({QStringLiteral("evaluate"), QStringLiteral("--model"), m_model,
                        QStringLiteral("--data"), m_data, QStringLiteral("--json"),
                        QStringLiteral("--engine"), engines[e]});
            QVERIFY2(run.exitCode == 0, qPrintable(run.err));
            evaluated[e - 1] = QJsonDocument::fromJson(run.out.toUtf8()).object();
            QCOMPARE(evaluated[e - 1][QStringLiteral("engine")].toString(), engines[e]);
        }
        QCOMPARE(evaluated[1][QStringLiteral("confusion_matrix")],
                 evaluated[0][QStringLiteral("confusion_matrix")]);

        for (const QStringList& command :
             {QStringList{QStringLiteral("predict"), folder},
              QStringList{QStringLiteral("evaluate"), QStringLiteral("--data"), m_data}}) {
            const CliRun bad =
                runCli(command + QStringList{QStringLiteral("--model"), m_model,
                                             QStringLiteral("--engine"), QStringLiteral("onnx")});
            QCOMPARE(bad.exitCode, 2);
            QVERIFY2(bad.err.contains(QStringLiteral(
                         "--engine must be auto, torch, opencv or int8, got 'onnx'.")),
                     qPrintable(bad.err));
        }
    }

    // --threads sets the threads of predict and evaluate; the answers do not depend on it, and
    // a value outside the setting's range is refused with the option's name.
    void threadsOptionKeepsTheAnswers()
    {
        const QString folder = m_data + QStringLiteral("/test/Sneaker");
        QStringList predicted[2];
        for (int threads : {1, 2}) {
            const CliRun run =
                runCli({QStringLiteral("predict"), QStringLiteral("--model"), m_model, folder,
                        QStringLiteral("--threads"), QString::number(threads)});
            QVERIFY2(run.exitCode == 0, qPrintable(run.err));
            predicted[threads - 1] = run.out.trimmed().split(QLatin1Char('\n'));
        }
        QVERIFY(!predicted[0].isEmpty());
        QCOMPARE(predicted[0], predicted[1]);

        const QStringList evaluate = {QStringLiteral("evaluate"),
                                      QStringLiteral("--model"),
                                      m_model,
                                      QStringLiteral("--data"),
                                      m_data,
                                      QStringLiteral("--json")};
        const CliRun one =
            runCli(evaluate + QStringList{QStringLiteral("--threads"), QStringLiteral("1")});
        const CliRun all = runCli(evaluate);
        QVERIFY2(one.exitCode == 0 && all.exitCode == 0, qPrintable(one.err + all.err));
        QCOMPARE(QJsonDocument::fromJson(one.out.toUtf8()).object()[QStringLiteral("accuracy")],
                 QJsonDocument::fromJson(all.out.toUtf8()).object()[QStringLiteral("accuracy")]);

        for (const QStringList& command :
             {QStringList{QStringLiteral("predict"), QStringLiteral("--model"), m_model, folder},
              evaluate}) {
            const CliRun bad =
                runCli(command + QStringList{QStringLiteral("--threads"), QStringLiteral("-1")});
            QCOMPARE(bad.exitCode, 2);
            QVERIFY2(bad.err.contains(QLatin1String("--threads must be an integer from 0 to")),
                     qPrintable(bad.err));
        }
    }

    void exportBothFormats()
    {
        const QString pt = m_dir.filePath(QStringLiteral("copy.pt"));
        CliRun run = runCli({QStringLiteral("export"), QStringLiteral("--model"), m_model,
                             QStringLiteral("--format"), QStringLiteral("torchscript"),
                             QStringLiteral("--out"), pt});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(loadModelFile(pt).ok());
        const QString onnx = m_dir.filePath(QStringLiteral("model.onnx"));
        run = runCli({QStringLiteral("export"), QStringLiteral("--model"), m_model,
                      QStringLiteral("--format"), QStringLiteral("onnx"), QStringLiteral("--out"),
                      onnx});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(readAll(onnx).contains("metadata.json"));
        run = runCli({QStringLiteral("export"), QStringLiteral("--model"), m_model,
                      QStringLiteral("--format"), QStringLiteral("keras"), QStringLiteral("--out"),
                      onnx});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QStringLiteral("torchscript or onnx")));
    }

    void badModelFilesAreMessages()
    {
        const QString text = m_dir.filePath(QStringLiteral("notes.pt"));
        QFile file(text);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a model");
        file.close();
        const QByteArray model = readAll(m_model);
        const QString truncated = m_dir.filePath(QStringLiteral("truncated.pt"));
        QFile cut(truncated);
        QVERIFY(cut.open(QIODevice::WriteOnly));
        cut.write(model.left(model.size() / 2));
        cut.close();
        for (const QString& bad : {text, truncated, m_dir.filePath(QStringLiteral("none.pt"))}) {
            for (const QStringList& args :
                 {QStringList{QStringLiteral("predict"), QStringLiteral("--model"), bad, m_data},
                  QStringList{QStringLiteral("evaluate"), QStringLiteral("--model"), bad,
                              QStringLiteral("--data"), m_data},
                  QStringList{QStringLiteral("export"), QStringLiteral("--model"), bad,
                              QStringLiteral("--format"), QStringLiteral("onnx"),
                              QStringLiteral("--out"), m_dir.filePath(QStringLiteral("x.onnx"))}}) {
                const CliRun run = runCli(args);
                QVERIFY2(run.exitCode == 2, qPrintable(args.join(QLatin1Char(' ')) + run.err));
                QVERIFY2(run.err.contains(bad), qPrintable(run.err));
            }
        }
    }

private:
    QTemporaryDir m_dir;
    QString m_data;
    QString m_model;
    QStringList m_classes;
};

QTEST_GUILESS_MAIN(TestCliEvaluate)
#include "tst_cli_evaluate.moc"
