// Tests of the training engine on a tiny learnable dataset of coloured shapes that the test
// draws itself: learning, callbacks, pause/stop, exact resume, NaN handling.
#include "common/blaslibrary.h"
#include "common/environment.h"
#include "evaluation/evaluator.h"
#include "export/exporter_p.h"
#include "model/modeltemplates.h"
#include "project/project.h"
#include "training/trainer.h"

#include "cellsdataset.h"
#include "cellsproject.h"
#include "sametensors.h"
#include "shapesdataset.h"
#include "shapesproject.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <utility>

using namespace studio;
using studio::testdata::identical;
using studio::testdata::makeShapes;

namespace {

Project shapesProject(const QString& root)
{
    return studio::testdata::shapesProject(root, 4);
}

// Every parameter and BatchNormalization statistic of a model file, by name; empty when it
// cannot be read.
std::map<std::string, torch::Tensor> modelTensors(const QString& modelPath)
{
    Result<LoadedModel> loaded = loadModelFile(modelPath);
    return loaded ? layerTensors(loaded->module) : std::map<std::string, torch::Tensor>();
}

// Records every event; can ask for a stop after a given epoch or batch count.
class Recorder : public TrainingObserver
{
public:
    TrainingControl* control = nullptr;
    int stopAfterEpoch = -1;   // 0-based epoch after which to request a stop
    int stopAfterBatches = -1; // batch events after which to request a stop
    QVector<EpochRecord> epochs;
    int batchEvents = 0;
    bool started = false;
    QVector<LoadingEvent> loads;
    QStringList epochWarnings;
    std::function<void()> atFirstBatch; // run once, on the first batch event
    std::function<void()> atFirstEpoch; // run once, on the first epoch event
    bool loadedAfterStart = false;
    QStringList startWarnings;
    QStringList startNotes;
    RunEndedEvent ended;

    void loading(const LoadingEvent& event) override
    {
        loads.append(event);
        loadedAfterStart = loadedAfterStart || started;
    }
    void runStarted(const RunStartedEvent& event) override
    {
        started = true;
        startWarnings = event.warnings;
        startNotes = event.notes;
    }
    void batchDone(const BatchEvent& event) override
    {
        ++batchEvents;
        if (atFirstBatch) {
            std::exchange(atFirstBatch, nullptr)();
        }
        QVERIFY(event.batch >= 1 && event.batch <= event.batches);
        QVERIFY(std::isfinite(event.loss));
        if (control != nullptr && batchEvents == stopAfterBatches) {
            control->requestStop();
        }
    }
    void epochDone(const EpochEvent& event) override
    {
        epochs.append(event.record);
        epochWarnings += event.warnings;
        if (atFirstEpoch) {
            std::exchange(atFirstEpoch, nullptr)();
        }
        if (control != nullptr && event.record.epoch == stopAfterEpoch) {
            control->requestStop();
        }
    }
    void advice(const AdviceEvent& event) override { adviceCodes << event.code; }
    void runEnded(const RunEndedEvent& event) override { ended = event; }
    QStringList adviceCodes;
};

// The small template on a makeCells() folder at 64 px grey, 8 epochs of 8 steps, into
// RUNS/run.
Result<TrainResult> trainSmallCells(const QString& data, BatchNormStatistics statistics,
                                    const QString& runs, TrainingObserver* observer)
{
    Result<ModelTemplate> small = loadTemplate(QStringLiteral("small"));
    if (!small) {
        return Failure{small.error()};
    }
    Project project = defaultProject();
    project.model = small->model;
    project.dataset.root = data;
    project.dataset.splitMode = SplitMode::Auto;
    project.dataset.colorMode = ColorMode::Grayscale;
    project.dataset.imageSize = 64;
    project.augmentation.enabled = false;
    project.training.epochs = 8;
    project.training.threads = 2;
    project.training.seed = 3;
    project.training.batchNormStatistics = statistics;
    TrainOptions options;
    options.runDir = QDir(runs).filePath(QStringLiteral("run"));
    options.fitOutputToClasses = true;
    return trainProject(project, options, observer);
}

QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestTrainer : public QObject
{
    Q_OBJECT

    QTemporaryDir m_data;

private Q_SLOTS:
    void initTestCase()
    {
        makeShapes(m_data.path(), QStringLiteral("train"), 24, 1);
        makeShapes(m_data.path(), QStringLiteral("validation"), 8, 2);
    }

    void learnsShapes()
    {
        QTemporaryDir runs;
        Recorder recorder;
        TrainOptions options;
        options.runDir = runs.filePath(QStringLiteral("run"));
        const Result<TrainResult> result =
            trainProject(shapesProject(m_data.path()), options, &recorder);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(result->ended.outcome, RunEndedEvent::Outcome::Finished);
        QVERIFY(recorder.started);
        // Loading progress came before the start and ended with every file read.
        QVERIFY(!recorder.loads.isEmpty());
        QVERIFY(!recorder.loadedAfterStart);
        QCOMPARE(recorder.loads.last().done, recorder.loads.last().total);
        QCOMPARE(recorder.loads.last().total, qint64(3 * (24 + 8))); // three classes
        QCOMPARE(recorder.epochs.size(), 4);
        QVERIFY(recorder.batchEvents >= 4);
        QVERIFY2(recorder.epochs.last().metrics.loss < recorder.epochs.first().metrics.loss,
                 "the training loss goes down");
        QVERIFY2(recorder.epochs.last().metrics.valAccuracy >= 0.9,
                 qPrintable(QString::number(recorder.epochs.last().metrics.valAccuracy)));
        // Each epoch says how long its trainer waited for images: part of its time.
        for (const EpochRecord& epoch : recorder.epochs) {
            QVERIFY(epoch.dataWaitSeconds >= 0);
            QVERIFY2(
                epoch.dataWaitSeconds <= epoch.seconds,
                qPrintable(
                    QStringLiteral("%1 of %2 s").arg(epoch.dataWaitSeconds).arg(epoch.seconds)));
        }
        QVERIFY(readFile(QDir(options.runDir).filePath(runfiles::log))
                    .contains(" s of it waiting for images)"));
        // The run folder holds what the issue lists.
        for (const QString& name :
             {runfiles::project, runfiles::history, runfiles::log, runfiles::events,
              runfiles::lastCheckpoint, runfiles::bestCheckpoint}) {
            QVERIFY2(QFile::exists(QDir(options.runDir).filePath(name)), qPrintable(name));
        }
        const Result<History> history = History::fromCsv(
            readFile(QDir(options.runDir).filePath(runfiles::history)), runfiles::history);
        QVERIFY(history.ok());
        QCOMPARE(history->size(), 4);
        // events.jsonl: one JSON object per line, started first, finished last, 4 epochs.
        const QList<QByteArray> lines =
            readFile(QDir(options.runDir).filePath(runfiles::events)).trimmed().split('\n');
        QStringList kinds;
        for (const QByteArray& line : lines) {
            const QJsonDocument document = QJsonDocument::fromJson(line);
            QVERIFY2(document.isObject(), line.constData());
            kinds << document.object().value(QStringLiteral("event")).toString();
            if (kinds.last() == QLatin1String("epoch")) {
                QVERIFY(document.object().contains(QStringLiteral("data_wait_seconds")));
            }
        }
        QCOMPARE(kinds.first(), QStringLiteral("started"));
        QCOMPARE(kinds.last(), QStringLiteral("finished"));
        QCOMPARE(kinds.count(QStringLiteral("epoch")), 4);
        const Result<LoadedProject> saved =
            loadProject(QDir(options.runDir).filePath(runfiles::project));
        QVERIFY2(saved.ok(), qPrintable(saved.error()));
        QVERIFY(sameProject(saved->project, shapesProject(m_data.path())));
    }

    void sameSeedSameHistory()
    {
        QTemporaryDir runs;
        TrainOptions a;
        a.runDir = runs.filePath(QStringLiteral("a"));
        a.epochs = 2;
        TrainOptions b = a;
        b.runDir = runs.filePath(QStringLiteral("b"));
        const Result<TrainResult> ra = trainProject(shapesProject(m_data.path()), a);
        const Result<TrainResult> rb = trainProject(shapesProject(m_data.path()), b);
        QVERIFY(ra.ok() && rb.ok());
        QCOMPARE(ra->history.toCsv(), rb->history.toCsv());
    }

    // Mixed bfloat16 (training.precision) learns as float32 does, with other numbers (the
    // convolutions and Dense layers did run in bfloat16), the same numbers for the same seed,
    // float32 weights in the model file, and says so in the log (and warns on a processor
    // without bfloat16 instructions).
    void mixedBFloat16Learns()
    {
        QTemporaryDir runs;
        Project project = shapesProject(m_data.path());
        const auto runIn = [&](const QString& name) {
            TrainOptions options;
            options.runDir = runs.filePath(name);
            return options;
        };
        const Result<TrainResult> exact = trainProject(project, runIn(QStringLiteral("exact")));
        QVERIFY2(exact.ok(), qPrintable(exact.error()));
        project.training.precision = Precision::MixedBFloat16;
        Recorder recorder;
        const TrainOptions options = runIn(QStringLiteral("mixed"));
        const Result<TrainResult> mixed = trainProject(project, options, &recorder);
        QVERIFY2(mixed.ok(), qPrintable(mixed.error()));
        QCOMPARE(mixed->ended.outcome, RunEndedEvent::Outcome::Finished);
        QVERIFY2(recorder.epochs.last().metrics.valAccuracy >= 0.9,
                 qPrintable(QString::number(recorder.epochs.last().metrics.valAccuracy)));
        QVERIFY(mixed->history.toCsv() != exact->history.toCsv());
        const Result<TrainResult> again = trainProject(project, runIn(QStringLiteral("again")));
        QVERIFY2(again.ok(), qPrintable(again.error()));
        QCOMPARE(again->history.toCsv(), mixed->history.toCsv());
        for (const auto& [name, tensor] : modelTensors(mixed->ended.modelPath)) {
            QVERIFY2(tensor.scalar_type() == torch::kFloat, name.c_str());
        }
        QVERIFY(readFile(QDir(options.runDir).filePath(runfiles::log))
                    .contains("Arithmetic: mixed bfloat16"));
        // The Train page's log and train's output show the run's notes.
        QVERIFY2(recorder.startNotes.join('\n').contains(QStringLiteral("Arithmetic: mixed")),
                 qPrintable(recorder.startNotes.join('\n')));
        const bool warned =
            recorder.startWarnings.join('\n').contains(QStringLiteral("no bfloat16 instructions"));
        QCOMPARE(warned, !cpuHasBFloat16Instructions());
    }

    void resumeAfterStopIsExact_data()
    {
        QTest::addColumn<int>("stopAfterEpoch");
        QTest::addColumn<int>("stopAfterBatches");
        QTest::addColumn<int>("imageSize");
        QTest::addColumn<bool>("batchNorm");
        QTest::newRow("at an epoch boundary") << 1 << -1 << 16 << false;
        QTest::newRow("in the middle of an epoch") << -1 << 13 << 16 << false; // epoch 2, batch 4
        // The trainer keeps a convolutional network's tensors channels-last at every size;
        // loading must keep that layout (and a one-channel batch restrided, as at 16 px).
        QTest::newRow("48 px, mid-epoch") << -1 << 13 << 48 << false;
        // The statistics measured at each epoch's end (and at the stop) change no weight.
        QTest::newRow("BatchNormalization, mid-epoch") << -1 << 13 << 16 << true;
    }

    void resumeAfterStopIsExact()
    {
        QFETCH(int, stopAfterEpoch);
        QFETCH(int, stopAfterBatches);
        QFETCH(int, imageSize);
        QFETCH(bool, batchNorm);
        Project project = shapesProject(m_data.path());
        project.dataset.imageSize = imageSize;
        project.model.layers.insert(4, LayerSpec::dropout(0.2)); // random state matters too
        if (batchNorm) {
            project.model.layers.insert(1, LayerSpec::batchNormalization());
        }
        project.augmentation.enabled = true;
        project.augmentation.horizontalFlip = true;
        project.augmentation.rotationRange = 10;
        QTemporaryDir runs;
        TrainOptions whole;
        whole.runDir = runs.filePath(QStringLiteral("whole"));
        const Result<TrainResult> uninterrupted = trainProject(project, whole);
        QVERIFY2(uninterrupted.ok(), qPrintable(uninterrupted.error()));

        TrainOptions parts;
        parts.runDir = runs.filePath(QStringLiteral("parts"));
        parts.batchEventIntervalMs = 0; // every batch, so the stop lands where the test says
        TrainingControl control;
        Recorder recorder;
        recorder.control = &control;
        recorder.stopAfterEpoch = stopAfterEpoch;
        recorder.stopAfterBatches = stopAfterBatches;
        const Result<TrainResult> first = trainProject(project, parts, &recorder, &control);
        QVERIFY2(first.ok(), qPrintable(first.error()));
        QCOMPARE(first->ended.outcome, RunEndedEvent::Outcome::Stopped);
        QVERIFY(first->history.size() < 4);

        const Result<TrainResult> resumed = resumeRun(parts.runDir);
        QVERIFY2(resumed.ok(), qPrintable(resumed.error()));
        QCOMPARE(resumed->ended.outcome, RunEndedEvent::Outcome::Finished);
        QCOMPARE(resumed->history.toCsv(), uninterrupted->history.toCsv());
        QCOMPARE(readFile(QDir(parts.runDir).filePath(runfiles::history)),
                 uninterrupted->history.toCsv());
        const QByteArray log = readFile(QDir(parts.runDir).filePath(runfiles::log));
        QVERIFY(log.contains("Tensors are channels-last"));
        // Each start, the first and the resumed one, names the BLAS library it ran on.
        const QByteArray blas = studio::describeBlas(studio::loadedBlasLibrary()).toUtf8();
        QVERIFY2(blas.contains("libblas") && log.count(blas) == 2, log.constData());
    }

    // A BatchNormalization network trained on a small dataset (8 steps per epoch) must answer
    // on its own training images as well as it did while training. With Keras's moving
    // averages (momentum 0.99, starting at mean 0 and variance 1) the statistics after a few
    // dozen steps still mostly hold their starting values, about 50 times the variance the
    // first convolution's outputs really have here, and the model answered one class for
    // every image.
    void batchNormStatisticsHoldOnSmallData()
    {
        QTemporaryDir data;
        studio::testdata::makeCells(data.path(), 60, 11);
        Recorder recorder;
        QTemporaryDir runs;
        const Result<TrainResult> result =
            trainSmallCells(data.path(), BatchNormStatistics::Recompute, runs.path(), &recorder);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(result->ended.outcome, RunEndedEvent::Outcome::Finished);
        const double trained = result->history.epochs().last().metrics.accuracy;
        QVERIFY2(trained > 0.7, qPrintable(QString::number(trained)));

        EvaluateOptions onTraining;
        onTraining.split = Split::Train;
        const Result<EvaluationMetrics> own =
            evaluateModel(result->ended.modelPath, data.path(), onTraining);
        QVERIFY2(own.ok(), qPrintable(own.error()));
        QVERIFY2(own->accuracy >= trained - 0.1,
                 qPrintable(QStringLiteral("accuracy on its own training images %1, while "
                                           "training %2")
                                .arg(own->accuracy)
                                .arg(trained)));
        const double validation = result->history.epochs().last().metrics.valAccuracy;
        QVERIFY2(validation > 0.6, qPrintable(QString::number(validation)));
        QCOMPARE(recorder.adviceCodes, QStringList());
    }

    // Keras's moving averages stay available; on the same small dataset they leave the model
    // at chance level, and the run says so.
    void movingAverageCollapseIsReported()
    {
        QTemporaryDir data;
        studio::testdata::makeCells(data.path(), 60, 11);
        Recorder recorder;
        QTemporaryDir runs;
        const Result<TrainResult> result = trainSmallCells(
            data.path(), BatchNormStatistics::MovingAverage, runs.path(), &recorder);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QVERIFY2(recorder.adviceCodes.contains(QStringLiteral("chance_level")),
                 qPrintable(recorder.adviceCodes.join(QLatin1Char(','))));
        const QByteArray events = readFile(
            QDir(runs.filePath(QStringLiteral("run"))).filePath(QStringLiteral("events.jsonl")));
        QVERIFY(events.contains(R"("event":"advice")"));
        QVERIFY(events.contains(R"("code":"chance_level")"));
        QVERIFY(readFile(QDir(runs.filePath(QStringLiteral("run"))).filePath(runfiles::log))
                    .contains("Advice (chance_level)"));
    }

    // On a 10:1 imbalanced training split, class_weights "balanced" (and balanced sampling)
    // find more of the small class's test images than unweighted training does.
    void balancedClassWeightsRaiseMinorityRecall()
    {
        QTemporaryDir data;
        const QString train = data.filePath(QStringLiteral("train"));
        studio::testdata::makeCells(train, 100, 31, 48, 48);
        for (int i = 10; i < 100; ++i) {
            QVERIFY(QFile::remove(
                QStringLiteral("%1/ring/ring_%2.png").arg(train).arg(i, 3, 10, QLatin1Char('0'))));
        }
        studio::testdata::makeCells(data.filePath(QStringLiteral("validation")), 10, 32, 48, 48);
        studio::testdata::makeCells(data.filePath(QStringLiteral("test")), 40, 33, 48, 48);
        const Project project = studio::testdata::cellsProject(data.path(), 12, 2);
        const auto ringRecall = [&](ClassWeighting weighting, const QString& name) {
            Project p = project;
            p.training.classWeights = weighting;
            QTemporaryDir runs;
            TrainOptions options;
            options.runDir = runs.filePath(name);
            const Result<TrainResult> result = trainProject(p, options);
            if (!result || result->ended.modelPath.isEmpty()) {
                return -1.0;
            }
            const Result<EvaluationMetrics> metrics =
                evaluateModel(result->ended.modelPath, data.path());
            if (metrics) {
                qInfo("%s: accuracy %.3f, recalls %.2f %.2f %.2f", qPrintable(name),
                      metrics->accuracy, metrics->perClass[0].recall, metrics->perClass[1].recall,
                      metrics->perClass[2].recall);
            }
            return metrics ? metrics->perClass[1].recall : -1.0;
        };
        const double none = ringRecall(ClassWeighting::None, QStringLiteral("none"));
        const double balanced = ringRecall(ClassWeighting::Balanced, QStringLiteral("balanced"));
        const double sampled =
            ringRecall(ClassWeighting::BalancedSampling, QStringLiteral("sampled"));
        qInfo("recall of the small class: none %.3f, balanced %.3f, balanced_sampling %.3f", none,
              balanced, sampled);
        QVERIFY(none >= 0 && balanced >= 0 && sampled >= 0);
        QVERIFY2(balanced >= none + 0.1,
                 qPrintable(QStringLiteral("%1 vs %2").arg(balanced).arg(none)));
        QVERIFY2(sampled >= none + 0.1,
                 qPrintable(QStringLiteral("%1 vs %2").arg(sampled).arg(none)));
    }

    // Paused at its first batch, a started run sends no further batch until it is resumed,
    // then finishes every epoch.
    void pauseHoldsTraining()
    {
        QTemporaryDir runs;
        TrainOptions options;
        options.runDir = runs.filePath(QStringLiteral("run"));
        options.epochs = 2;
        options.batchEventIntervalMs = 0; // an event for every batch
        TrainingControl control;
        // Counts batches and the end where the test's thread can read them during the run.
        class CountingRecorder : public Recorder
        {
        public:
            std::atomic<int> batches{0};
            std::atomic<bool> over{false};
            void batchDone(const BatchEvent& event) override
            {
                Recorder::batchDone(event);
                ++batches;
            }
            void runEnded(const RunEndedEvent& event) override
            {
                Recorder::runEnded(event);
                over = true;
            }
        } recorder;
        recorder.atFirstBatch = [&control] { control.setPaused(true); };
        Result<TrainResult> result = Failure{QString()};
        std::thread worker([&] {
            result = trainProject(shapesProject(m_data.path()), options, &recorder, &control);
        });
        QDeadlineTimer deadline(60000);
        while (recorder.batches.load() == 0 && !recorder.over.load() && !deadline.hasExpired()) {
            QTest::qWait(10);
        }
        QTest::qWait(1000);
        const int whilePaused = recorder.batches.load();
        const bool endedWhilePaused = recorder.over.load();
        control.setPaused(false);
        worker.join();
        QCOMPARE(whilePaused, 1); // it started, and held after its first batch
        QVERIFY(!endedWhilePaused);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(result->ended.outcome, RunEndedEvent::Outcome::Finished);
        QCOMPARE(recorder.epochs.size(), 2);
        QVERIFY(recorder.batches.load() > 2);
    }

    void earlyStoppingStopsAndRestores()
    {
        Project project = shapesProject(m_data.path());
        project.training.epochs = 30;
        project.training.callbacks.earlyStopping.enabled = true;
        project.training.callbacks.earlyStopping.monitor = QStringLiteral("val_loss");
        project.training.callbacks.earlyStopping.patience = 1;
        project.training.callbacks.earlyStopping.minDelta = 0.5; // only big steps count
        QTemporaryDir runs;
        TrainOptions options;
        options.runDir = runs.filePath(QStringLiteral("run"));
        const Result<TrainResult> result = trainProject(project, options);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(result->ended.outcome, RunEndedEvent::Outcome::Finished);
        QVERIFY(result->history.size() < 30);
        QVERIFY2(result->ended.reason.contains(QLatin1String("EarlyStopping")),
                 qPrintable(result->ended.reason));

        // restore_best_weights: model.pt holds the weights of the epoch the reason names, the
        // same as a run of the same project that ends after that epoch (training is
        // deterministic), and not those of the last epoch.
        const QRegularExpressionMatch restored =
            QRegularExpression(QStringLiteral("weights of epoch (\\d+) were restored"))
                .match(result->ended.reason);
        QVERIFY2(restored.hasMatch(), qPrintable(result->ended.reason));
        const int bestEpochs = restored.captured(1).toInt();
        const int lastEpochs = int(result->history.size());
        QVERIFY(bestEpochs < lastEpochs);
        const auto weightsAfter = [&](int epochs) {
            Project plain = project;
            plain.training.epochs = epochs;
            plain.training.callbacks.earlyStopping.enabled = false;
            TrainOptions plainOptions;
            plainOptions.runDir = runs.filePath(QStringLiteral("plain-%1").arg(epochs));
            const Result<TrainResult> run = trainProject(plain, plainOptions);
            return run ? modelTensors(run->ended.modelPath)
                       : std::map<std::string, torch::Tensor>();
        };
        const auto early = modelTensors(result->ended.modelPath);
        QVERIFY(!early.empty());
        QVERIFY(identical(early, weightsAfter(bestEpochs)));
        QVERIFY(!identical(early, weightsAfter(lastEpochs)));
    }

    void nanStopsWithMessage()
    {
        Project project = shapesProject(m_data.path());
        project.training.learningRate = 1e6; // the largest the schema takes
        project.training.optimizer.kind = OptimizerKind::Sgd;
        QTemporaryDir runs;
        TrainOptions options;
        options.runDir = runs.filePath(QStringLiteral("run"));
        Recorder recorder;
        const Result<TrainResult> result = trainProject(project, options, &recorder);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(result->ended.outcome, RunEndedEvent::Outcome::Failed);
        QVERIFY2(result->ended.reason.contains(QLatin1String("learning rate")),
                 qPrintable(result->ended.reason));
        QCOMPARE(recorder.ended.outcome, RunEndedEvent::Outcome::Failed);
        QVERIFY(QFile::exists(QDir(options.runDir).filePath(runfiles::log)));
    }

    void imageDeletedWhileStreamingIsSkipped()
    {
        QTemporaryDir data;
        makeShapes(data.path(), QStringLiteral("train"), 24, 1);
        makeShapes(data.path(), QStringLiteral("validation"), 8, 2);
        Project project = shapesProject(data.path());
        project.training.epochs = 3;
        project.dataset.cacheBudgetBytes = 1; // nothing fits: every batch reads from disk
        QTemporaryDir runs;
        TrainOptions options;
        options.runDir = runs.filePath(QStringLiteral("run"));
        Recorder recorder;
        const QString victim = data.filePath(QStringLiteral("train/discs/3.png"));
        recorder.atFirstBatch = [&] { QVERIFY(QFile::remove(victim)); };
        const Result<TrainResult> result = trainProject(project, options, &recorder);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(result->ended.outcome, RunEndedEvent::Outcome::Finished);
        QCOMPARE(recorder.epochs.size(), 3);
        QVERIFY(!recorder.epochWarnings.isEmpty());
        QVERIFY2(recorder.epochWarnings.last().contains(QLatin1String("discs/3.png")) &&
                     recorder.epochWarnings.last().contains(QLatin1String("skipped")),
                 qPrintable(recorder.epochWarnings.join('\n')));
        const QByteArray log = readFile(QDir(options.runDir).filePath(runfiles::log));
        QVERIFY2(log.contains("discs/3.png"), log.constData());
    }

    void unwritableRunFolderIsRescued()
    {
        QTemporaryDir temp; // where the rescue folder goes (QDir::tempPath() reads TMPDIR)
        const QByteArray oldTemp = qgetenv("TMPDIR");
        qputenv("TMPDIR", QFile::encodeName(temp.path()));
        QTemporaryDir runs;
        TrainOptions options;
        options.runDir = runs.filePath(QStringLiteral("run"));
        Recorder recorder;
        // After epoch 1 the run folder disappears and a file takes its name, as when a drive
        // is unplugged: every later write fails.
        recorder.atFirstEpoch = [&] {
            QVERIFY(QDir(options.runDir).removeRecursively());
            QFile blocker(options.runDir);
            QVERIFY(blocker.open(QIODevice::WriteOnly));
        };
        const Result<TrainResult> result =
            trainProject(shapesProject(m_data.path()), options, &recorder);
        qputenv("TMPDIR", oldTemp);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(result->ended.outcome, RunEndedEvent::Outcome::Failed);
        const QString reason = result->ended.reason;
        const QStringList rescued =
            QDir(temp.path()).entryList({QStringLiteral("classifier-studio-rescue-*")}, QDir::Dirs);
        QCOMPARE(rescued.size(), 1);
        const QString rescue = QDir(temp.path()).filePath(rescued.first());
        QCOMPARE(result->ended.rescuedRunDir, rescue); // for the app's "move it elsewhere" offer
        QCOMPARE(toJson(result->ended).value(QStringLiteral("rescued_run_dir")).toString(), rescue);
        QVERIFY2(reason.contains(QDir::toNativeSeparators(options.runDir)) &&
                     reason.contains(QDir::toNativeSeparators(rescue)) &&
                     reason.contains(QLatin1String("classifier-cli resume")),
                 qPrintable(reason));
        // Nothing trained is lost: the rescued run has epochs 1 and 2 and continues to the end.
        const Result<TrainResult> resumed = resumeRun(rescue, 0, nullptr);
        QVERIFY2(resumed.ok(), qPrintable(resumed.error()));
        QCOMPARE(resumed->ended.outcome, RunEndedEvent::Outcome::Finished);
        QCOMPARE(resumed->history.size(), 4);
        QCOMPARE(resumed->history.epochs().first().epoch, 0);
    }

    void stopWhileLoadingTrainsNothing()
    {
        QTemporaryDir runs;
        TrainOptions options;
        options.runDir = runs.filePath(QStringLiteral("run"));
        TrainingControl control;
        control.requestStop(); // as if Stop was pressed while the images were loading
        Recorder recorder;
        const Result<TrainResult> result =
            trainProject(shapesProject(m_data.path()), options, &recorder, &control);
        QVERIFY(!result.ok());
        QVERIFY2(result.error().contains(QLatin1String("Stopped while loading")),
                 qPrintable(result.error()));
        QVERIFY(!recorder.started);
        QVERIFY(!QFileInfo::exists(QDir(options.runDir).filePath(runfiles::lastCheckpoint)));
    }

    void badInputLeavesNoRun()
    {
        // The run's lock lets go before its folder goes (Qt warned that it could not remove
        // its own lock file).
        QTest::failOnWarning(QRegularExpression(QStringLiteral("lock file")));
        QTemporaryDir runs;
        TrainOptions options;
        options.runDir = runs.filePath(QStringLiteral("run"));
        Project project = shapesProject(runs.filePath(QStringLiteral("no-such-data")));
        const Result<TrainResult> missing = trainProject(project, options);
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().contains(QLatin1String("no-such-data")),
                 qPrintable(missing.error()));
        QVERIFY(!QFileInfo::exists(options.runDir));

        // A layer stack whose output does not match the three classes.
        project = shapesProject(m_data.path());
        project.model.layers.last().units = 5;
        const Result<TrainResult> mismatch = trainProject(project, options);
        QVERIFY(!mismatch.ok());
        QVERIFY(!QFileInfo::exists(options.runDir));

        // A run folder that already holds something.
        QDir().mkpath(options.runDir);
        QFile keep(QDir(options.runDir).filePath(QStringLiteral("notes.txt")));
        QVERIFY(keep.open(QIODevice::WriteOnly));
        keep.close();
        const Result<TrainResult> busy = trainProject(shapesProject(m_data.path()), options);
        QVERIFY(!busy.ok());
        QVERIFY2(busy.error().contains(QLatin1String("not empty")), qPrintable(busy.error()));
        QVERIFY(QFile::exists(QDir(options.runDir).filePath(QStringLiteral("notes.txt"))));
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
