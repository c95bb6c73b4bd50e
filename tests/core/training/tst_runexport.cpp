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
    }
};

QTEST_GUILESS_MAIN(TestRunExport)
#include "tst_runexport.moc"
