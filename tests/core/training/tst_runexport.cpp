// Test of the end of a training run: trainProject() leaves model.pt and the test split's
// evaluation in the run folder, and evaluating model.pt from the outside gives the same result.
#include "dataset/fashionmnist.h"
#include "evaluation/evaluator.h"
#include "export/predictor.h"
#include "project/project.h"
#include "training/trainer.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace studio;

class TestRunExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void trainingEndsWithModelAndEvaluation()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        ExampleDatasetOptions data;
        data.outDir = dir.filePath(QStringLiteral("data"));
        data.train = 200;
        data.validation = 30;
        data.test = 50;
        const Result<ExampleDatasetReport> written = writeExampleDataset(data);
        QVERIFY2(written.ok(), qPrintable(written.error()));

        Project project = defaultProject();
        project.dataset.root = data.outDir;
        project.dataset.imageSize = 16;
        project.dataset.colorMode = ColorMode::Grayscale;
        project.augmentation.enabled = false;
        project.model.layers = {LayerSpec::conv2D(4, {3, 3}, Padding::Same, Activation::Relu),
                                LayerSpec::maxPooling2D(), LayerSpec::flatten(),
                                LayerSpec::dense(10, Activation::Softmax)};
        project.training.epochs = 2;
        TrainOptions options;
        options.runDir = dir.filePath(QStringLiteral("run"));
        const Result<TrainResult> result = trainProject(project, options);
        QVERIFY2(result.ok(), qPrintable(result.error()));

        const QString model = QDir(options.runDir).filePath(QStringLiteral("model.pt"));
        Result<Predictor> predictor = Predictor::load(model);
        QVERIFY2(predictor.ok(), qPrintable(predictor.error()));
        QCOMPARE(predictor->metadata().epochs, 2);
        QCOMPARE(predictor->metadata().imageSize(), 16);
        QCOMPARE(predictor->metadata().model, project.model);
        QVERIFY(predictor->metadata().finalMetrics.contains(QStringLiteral("val_accuracy")));

        QFile file(QDir(options.runDir).filePath(QStringLiteral("evaluation/evaluation.json")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject inRun = QJsonDocument::fromJson(file.readAll()).object();
        QCOMPARE(inRun[QStringLiteral("count")].toInt(), 50);
        QCOMPARE(result->ended.modelPath, model);
        QCOMPARE(result->ended.testCount, 50);
        QCOMPARE(result->ended.testAccuracy, inRun[QStringLiteral("accuracy")].toDouble());

        // The trainer evaluated with its own batches and module; evaluateModel() goes through
        // the file and the predictor: the same answers.
        const Result<EvaluationMetrics> outside = evaluateModel(model, data.outDir);
        QVERIFY2(outside.ok(), qPrintable(outside.error()));
        QCOMPARE(inRun[QStringLiteral("accuracy")].toDouble(), outside->accuracy);
        QCOMPARE(inRun[QStringLiteral("confusion_matrix")],
                 metricsToJson(*outside)[QStringLiteral("confusion_matrix")]);

        // The int8 engine's calibration (all 200 training images, fewer than 512) and its check
        // on the test split; through the file, int8 gives the accuracy the check found.
        const Int8Calibration& int8 = predictor->metadata().int8;
        QCOMPARE(int8.images, 200);
        QCOMPARE(int8.low.size(), 3); // the input, the Conv2D, the Dense
        QCOMPARE(int8.checkSplit, QStringLiteral("test"));
        QCOMPARE(int8.checkImages, 50);
        QCOMPARE(int8.floatAccuracy, outside->accuracy);
        EvaluateOptions quantized;
        quantized.engine = InferenceEngine::Int8;
        const Result<EvaluationMetrics> inInt8 = evaluateModel(model, data.outDir, quantized);
        QVERIFY2(inInt8.ok(), qPrintable(inInt8.error()));
        QCOMPARE(inInt8->accuracy, int8.int8Accuracy);
        QFile log(QDir(options.runDir).filePath(QStringLiteral("log.txt")));
        QVERIFY(log.open(QIODevice::ReadOnly));
        QVERIFY(log.readAll().contains("int8 engine calibrated on 200 training images; on the "
                                       "test split's 50 images"));
        // The same line reaches the run's end event, which the Train page and train print.
        QVERIFY2(result->ended.int8Check.startsWith(
                     QStringLiteral("int8 engine calibrated on 200 training images; on the "
                                    "test split's 50 images")),
                 qPrintable(result->ended.int8Check));
    }

    // Without a test split, int8 is checked on the validation split.
    void withoutTestSplitInt8IsCheckedOnValidation()
    {
        QTemporaryDir dir;
        const Result<QString> run = trainOneEpoch(dir, 0, Activation::Relu);
        QVERIFY2(run.ok(), qPrintable(run.error()));
        Result<Predictor> predictor =
            Predictor::load(QDir(*run).filePath(QStringLiteral("model.pt")));
        QVERIFY2(predictor.ok(), qPrintable(predictor.error()));
        const Int8Calibration& int8 = predictor->metadata().int8;
        QCOMPARE(int8.images, 60);
        QCOMPARE(int8.checkSplit, QStringLiteral("validation"));
        QCOMPARE(int8.checkImages, 30);
    }

    // A network int8 cannot run gets no calibration, and the run's log says why.
    void networkInt8CannotRunIsNotCalibrated()
    {
        QTemporaryDir dir;
        const Result<QString> run = trainOneEpoch(dir, 20, Activation::Tanh);
        QVERIFY2(run.ok(), qPrintable(run.error()));
        Result<Predictor> predictor =
            Predictor::load(QDir(*run).filePath(QStringLiteral("model.pt")));
        QVERIFY2(predictor.ok(), qPrintable(predictor.error()));
        QVERIFY(predictor->metadata().int8.empty());
        QFile log(QDir(*run).filePath(QStringLiteral("log.txt")));
        QVERIFY(log.open(QIODevice::ReadOnly));
        QVERIFY(log.readAll().contains("No int8 calibration: the int8 engine cannot run layer 1 "
                                       "(Conv2D): it has the activation tanh"));
    }

private:
    // One epoch of a one-convolution network (its activation as given) on 60 training, 30
    // validation and `test` test images at 12 px; the run folder, or why training failed.
    static Result<QString> trainOneEpoch(const QTemporaryDir& dir, int test, Activation activation)
    {
        ExampleDatasetOptions data;
        data.outDir = dir.filePath(QStringLiteral("data"));
        data.train = 60;
        data.validation = 30;
        data.test = test;
        if (const Result<ExampleDatasetReport> written = writeExampleDataset(data); !written) {
            return Failure{written.error()};
        }
        Project project = defaultProject();
        project.dataset.root = data.outDir;
        project.dataset.imageSize = 12;
        project.dataset.colorMode = ColorMode::Grayscale;
        project.model.layers = {LayerSpec::conv2D(4, {3, 3}, Padding::Valid, activation),
                                LayerSpec::flatten(), LayerSpec::dense(10, Activation::Softmax)};
        project.training.epochs = 1;
        TrainOptions options;
        options.runDir = dir.filePath(QStringLiteral("run"));
        if (const Result<TrainResult> result = trainProject(project, options); !result) {
            return Failure{result.error()};
        }
        return options.runDir;
    }
};

QTEST_GUILESS_MAIN(TestRunExport)
#include "tst_runexport.moc"
