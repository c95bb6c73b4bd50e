#include "training/fitloop_p.h"

#include "common/atomicfile.h"
#include "common/blaslibrary.h"
#include "dataset/batchloader_p.h"
#include "model/modelbuilder_p.h"
#include "training/advice.h"
#include "training/mixedprecision_p.h"
#include "training/runexport_p.h"
#include "training/runlog_p.h"
#include "training/session_p.h"
#include "training/stepsync_p.h"
#include "training/weightsnapshot_p.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/nn.h>
#include <torch/optim.h>

#include <QElapsedTimer>
#include <QFileInfo>
#include <QThread>

#include <cmath>
#include <mutex>
#include <optional>
#include <thread>

namespace studio {

namespace {

QString formatNumber(double value)
{
    return QString::number(value, 'g', 4);
}

void setLearningRate(torch::optim::Optimizer& optimizer, double learningRate)
{
    for (torch::optim::OptimizerParamGroup& group : optimizer.param_groups()) {
        group.options().set_lr(learningRate);
    }
}

// Categorical cross-entropy from logits: log-softmax + NLL (numerically stable), with Keras's
// label smoothing and per-class weights; the mean over the batch as Keras reduces it.
torch::Tensor lossOf(const torch::Tensor& logits, const torch::Tensor& labels,
                     const torch::Tensor& classWeights, double labelSmoothing)
{
    const torch::Tensor logProbabilities = torch::log_softmax(logits, 1);
    if (labelSmoothing <= 0 && !classWeights.defined()) {
        return torch::nll_loss(logProbabilities, labels); // the mean below in two operators
    }
    torch::Tensor perImage = -logProbabilities.gather(1, labels.unsqueeze(1)).squeeze(1);
    if (labelSmoothing > 0) {
        perImage = (1.0 - labelSmoothing) * perImage - labelSmoothing * logProbabilities.mean(1);
    }
    if (classWeights.defined()) {
        perImage = perImage * classWeights.index_select(0, labels);
    }
    return perImage.mean();
}

torch::Tensor cpuRngState()
{
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    return generator.get_state();
}

// The training images a BatchNormalization statistics pass sees at most: enough for the
// statistics to settle, and a small share of an epoch on large datasets.
constexpr int kStatisticsImages = 4096;

// Measures the BatchNormalization statistics anew for the weights as they are (see
// recomputeBatchNormStatistics) on up to kStatisticsImages training images of `loader`, a sample
// that changes with `epoch`. In a distributed run every process measures its shard and the
// statistics are averaged, so that all of them validate and export the same network.
void refreshBatchNormStatistics(torch::nn::Sequential& module, BatchLoader& loader, int epoch,
                                const torch::Device& device, torch::MemoryFormat format,
                                StepSync& sync)
{
    const int64_t limit = kStatisticsImages / sync.processes();
    int64_t taken = 0;
    loader.startEpoch(epoch);
    TensorBatch batch;
    recomputeBatchNormStatistics(module, [&]() {
        if (taken >= limit || !loader.next(&batch)) {
            return torch::Tensor();
        }
        taken += batch.images.size(0);
        return inMemoryFormat(batch.images.to(device), format);
    });
    std::vector<torch::Tensor> buffers;
    for (const torch::Tensor& buffer : module->buffers()) {
        buffers.push_back(buffer);
    }
    sync.average(buffers); // a run alone keeps its own
}

// Evaluates the module on every batch of a split, without gradients.
PassTotals evaluate(torch::nn::Sequential& module, BatchLoader& loader, int epoch,
                    const torch::Device& device, torch::MemoryFormat format, double labelSmoothing,
                    int classes)
{
    c10::InferenceMode inference; // cheaper than NoGradGuard: no version counters, no views
    module->eval();
    PassTotals totals;
    torch::Tensor seenPerClass = torch::zeros({classes}, torch::kDouble);
    torch::Tensor correctPerClass = torch::zeros({classes}, torch::kDouble);
    loader.startEpoch(epoch);
    TensorBatch batch;
    while (loader.next(&batch)) {
        if (batch.labels.size(0) == 0) {
            continue; // every image of it was unreadable
        }
        const torch::Tensor images = inMemoryFormat(batch.images.to(device), format);
        const torch::Tensor labels = batch.labels.to(device);
        const torch::Tensor logits = module->forward(images);
        const double n = double(labels.size(0));
        totals.lossSum += lossOf(logits, labels, {}, labelSmoothing).item<double>() * n;
        const torch::Tensor hits = logits.argmax(1).eq(labels);
        totals.correct += hits.sum().item<double>();
        totals.seen += n;
        const torch::Tensor cpuLabels = labels.cpu();
        seenPerClass.index_add_(0, cpuLabels, torch::ones({labels.size(0)}, torch::kDouble));
        correctPerClass.index_add_(0, cpuLabels, hits.cpu().to(torch::kDouble));
    }
    totals.seenPerClass.assign(seenPerClass.data_ptr<double>(),
                               seenPerClass.data_ptr<double>() + classes);
    totals.correctPerClass.assign(correctPerClass.data_ptr<double>(),
                                  correctPerClass.data_ptr<double>() + classes);
    return totals;
}

// Images per class of a split.
QVector<qint64> classCounts(const DatasetIndex& index, Split split)
{
    QVector<qint64> counts;
    for (int c = 0; c < index.classes.size(); ++c) {
        counts.append(index.count(split, c));
    }
    return counts;
}

// What the advisor looks at after an epoch: the validation pass's counts per class.
EpochFacts epochFacts(const DatasetIndex& index, const PassTotals& validation)
{
    EpochFacts facts;
    facts.classes = index.classes;
    for (size_t c = 0; c < validation.seenPerClass.size(); ++c) {
        facts.validationCounts.append(qint64(validation.seenPerClass[c]));
        facts.validationCorrect.append(qint64(validation.correctPerClass[c]));
    }
    return facts;
}

// The batch options of the training split: shuffled, augmented, and in a distributed run this
// process's shard of every batch (the shards together are the batch one process would train
// on, and their averaged gradients its gradient).
BatchOptions trainingBatchOptions(const Session& s, const StepSync& sync)
{
    const TrainingSettings& settings = s.project.training;
    BatchOptions options;
    options.batchSize = settings.batchSize / sync.processes();
    options.shuffle = true;
    options.augment = s.project.augmentation.enabled;
    options.channelsLast = s.format == torch::MemoryFormat::ChannelsLast;
    options.seed = settings.seed;
    options.balanceClasses = settings.classWeights == ClassWeighting::BalancedSampling;
    // LibTorch's threads take every core: they augment each batch between steps, rather than a
    // producer thread that would preempt them mid-step (see BatchOptions::finishThreads).
    const int computeThreads = at::get_num_threads();
    if (computeThreads >= int(std::thread::hardware_concurrency())) {
        options.finishThreads = computeThreads;
    }
    if (s.group != nullptr) {
        options.shard = sync.rank();
        options.shards = sync.processes();
        options.evenShards = true; // every process takes the same number of steps
    }
    return options;
}

// The batch options of a pass as validation sees images: in order, not augmented, every image
// counted once (a distributed run's sums are reduced afterwards).
BatchOptions evaluationBatchOptions(const BatchOptions& training)
{
    BatchOptions options = training;
    options.shuffle = false;
    options.augment = false;
    options.balanceClasses = false;
    options.evenShards = false;
    return options;
}

// How a run ends: its outcome and the reason given to the user.
struct Ending
{
    RunEndedEvent::Outcome outcome;
    QString reason;
};

// What one training step decided beyond its own batch.
struct StepOutcome
{
    std::optional<Ending> failure; // the run ends here
    bool stopAfterStep = false;    // a process asked to stop: the epoch ends after this step
};

// What a finished epoch measured: its record for the history and its validation pass.
struct EpochResult
{
    EpochRecord record;
    PassTotals validation;
};

// What the callbacks decided at an epoch's end.
struct CallbackVerdict
{
    bool improved = false;  // ModelCheckpoint's monitor improved: this is the best epoch so far
    bool stopEarly = false; // EarlyStopping ran out of patience
};

// One run's fit loop over its epochs: each epoch trains, validates, applies the callbacks and
// checkpoints; the run ends finished, stopped (resumable) or failed, and is then exported.
class FitLoop
{
public:
    FitLoop(Session& s, TrainingObserver* observer, TrainingControl* control, RunLog& log);
    TrainResult run();

private:
    void announceStart();
    void restoreBestWeightsOfResumedRun();
    void giveAdvice(const QVector<Advice>& advice, int epoch);
    void refreshStatistics(int epoch);
    std::optional<Ending> trainEpoch(int epoch);
    bool waitWhilePausedOrStop() const;
    StepOutcome trainStep(const TensorBatch& batch, int epoch, int batchNumber);
    void reportBatch(int epoch, int batchNumber);
    Ending stopMidEpoch(int epoch, int batchNumber);
    Status saveLastCheckpoint(int epoch, int batchesDone);
    EpochResult validate(int epoch);
    CallbackVerdict applyCallbacks(int epoch, const EpochRecord& record);
    Status checkpoint(int epoch, bool improved);
    void reportEpoch(const EpochResult& epoch, bool improved);
    Ending earlyStopEnding();
    TrainResult finish(const Ending& ending);

    Session& s;
    TrainingObserver* m_observer;
    TrainingControl* m_control;
    RunLog& m_log;
    const TrainingSettings& m_settings;
    const CallbackSettings& m_callbacks;
    RunState& m_state;
    std::unique_ptr<StepSync> m_sync;
    QElapsedTimer m_runTimer;
    TrainResult m_result;
    QString m_bestPath;
    QString m_previousPath;
    BatchOptions m_trainOptions;
    std::unique_ptr<BatchLoader> m_train;
    std::unique_ptr<BatchLoader> m_validation;
    std::unique_ptr<BatchLoader> m_statistics; // BatchNormalization statistics, when recomputed
    torch::Tensor m_classWeights;
    std::vector<torch::Tensor> m_parameters; // the trainable ones
    EarlyStopping m_early;
    ReduceLROnPlateau m_plateau;
    RunAdvisor m_advisor;
    WeightSnapshot m_lastGood;
    WeightSnapshot m_best;
    int m_batches = 0;          // per epoch
    double m_secondsBefore = 0; // of the epoch in progress, before this process resumed it
    QElapsedTimer m_epochTimer; // since the epoch in progress started or resumed
    QElapsedTimer m_sinceBatchEvent;
};

FitLoop::FitLoop(Session& session, TrainingObserver* observer, TrainingControl* control,
                 RunLog& log)
    : s(session), m_observer(observer), m_control(control), m_log(log),
      m_settings(session.project.training), m_callbacks(session.project.training.callbacks),
      m_state(session.state), m_sync(makeStepSync(session.group)),
      m_early(m_callbacks.earlyStopping.monitor, m_callbacks.earlyStopping.patience,
              m_callbacks.earlyStopping.minDelta),
      m_plateau(m_callbacks.reduceLrOnPlateau.monitor, m_callbacks.reduceLrOnPlateau.factor,
                m_callbacks.reduceLrOnPlateau.patience, m_callbacks.reduceLrOnPlateau.minLr,
                m_callbacks.reduceLrOnPlateau.minDelta, m_callbacks.reduceLrOnPlateau.cooldown)
{
    m_runTimer.start();
    m_result.runDir = s.runDir;
    m_result.lastCheckpoint = s.runFile(runfiles::lastCheckpoint);
    m_bestPath = s.runFile(runfiles::bestCheckpoint);
    m_previousPath = s.runFile(runfiles::previousCheckpoint);

    m_trainOptions = trainingBatchOptions(s, *m_sync);
    m_train = std::make_unique<BatchLoader>(s.index, Split::Train, s.spec, s.project.augmentation,
                                            s.cache.get(), m_trainOptions);
    const BatchOptions evalOptions = evaluationBatchOptions(m_trainOptions);
    m_validation = std::make_unique<BatchLoader>(
        s.index, Split::Validation, s.spec, s.project.augmentation, s.cache.get(), evalOptions);
    // The BatchNormalization statistics are measured on training images as validation sees
    // images: not augmented; shuffled, so that a capped pass is a fair sample.
    if (m_settings.batchNormStatistics == BatchNormStatistics::Recompute &&
        hasBatchNormalization(s.module)) {
        BatchOptions statisticsOptions = evalOptions;
        statisticsOptions.shuffle = true;
        statisticsOptions.seed = m_settings.seed + 1;
        m_statistics =
            std::make_unique<BatchLoader>(s.index, Split::Train, s.spec, s.project.augmentation,
                                          s.cache.get(), statisticsOptions);
    }
    if (m_settings.classWeights == ClassWeighting::Balanced) {
        m_classWeights = m_train->classWeights().to(s.device);
    }
    if (!std::isnan(m_state.earlyStopping.best)) {
        m_early.restore(m_state.earlyStopping);
    }
    if (!std::isnan(m_state.plateau.best)) {
        m_plateau.restore(m_state.plateau);
    }
    m_batches = m_train->batchesPerEpoch();
    m_parameters = trainableParameters(*s.module);
}

TrainResult FitLoop::run()
{
    announceStart();
    m_lastGood.take(*s.module);
    restoreBestWeightsOfResumedRun();
    for (int epoch = m_state.epoch; epoch < s.totalEpochs; ++epoch) {
        if (std::optional<Ending> ending = trainEpoch(epoch)) {
            return finish(*ending);
        }
        const EpochResult result = validate(epoch);
        const CallbackVerdict verdict = applyCallbacks(epoch, result.record);
        const Status saved = checkpoint(epoch, verdict.improved);
        reportEpoch(result, verdict.improved);
        if (!saved) {
            return finish({RunEndedEvent::Outcome::Failed, rescueRun(s, m_state, saved.error())});
        }
        if (verdict.stopEarly) {
            return finish(earlyStopEnding());
        }
    }
    return finish({RunEndedEvent::Outcome::Finished, QString()});
}

// Tells the observer and the log what the run trains on, and gives the advice before training.
void FitLoop::announceStart()
{
    RunStartedEvent started;
    started.device = QString::fromStdString(s.device.str());
    started.threads = s.threads;
    started.trainImages = s.index.count(Split::Train);
    started.validationImages = s.index.count(Split::Validation);
    started.testImages = s.index.count(Split::Test);
    started.parameters = s.parameters;
    started.epochs = s.totalEpochs;
    started.firstEpoch = m_state.epoch;
    started.batchesPerEpoch = m_batches;
    started.processes = s.processes();
    started.warnings = s.warnings;
    started.notes = s.notes;
    started.environment = currentEnvironment();
    if (m_observer != nullptr) {
        m_observer->runStarted(started);
    }
    for (const QString& warning : s.warnings) {
        m_log.write(QStringLiteral("Warning: ") + warning);
    }
    for (const QString& note : s.notes) {
        m_log.write(note);
    }
    m_log.write(QStringLiteral("Run started on %1 with %2 threads: %3 training and %4 "
                               "validation images, %5 parameters, epochs %6 to %7.")
                    .arg(started.device)
                    .arg(s.threads)
                    .arg(started.trainImages)
                    .arg(started.validationImages)
                    .arg(s.parameters)
                    .arg(m_state.epoch + 1)
                    .arg(s.totalEpochs));
    m_log.write(describeBlas(loadedBlasLibrary()));
    if (m_settings.precision == Precision::Float32) { // mixed runs say so in their notes
        m_log.write(QStringLiteral("Arithmetic: %1.").arg(describePrecision(m_settings.precision)));
    }
    m_log.write(
        QStringLiteral("Software: %1. Machine: %2.")
            .arg(describeSoftware(started.environment), describeMachine(started.environment)));
    if (s.group != nullptr) {
        m_log.write(QStringLiteral("Distributed over %1 processes (this is %2): %3 images per "
                                   "process and step, gradients averaged before every step.")
                        .arg(s.processes())
                        .arg(m_sync->describe())
                        .arg(m_trainOptions.batchSize));
    }
    m_log.write(s.format == torch::MemoryFormat::ChannelsLast
                    ? QStringLiteral("Tensors are channels-last (faster convolutions).")
                    : QStringLiteral("Tensors are channels-first."));
    if (m_state.epoch == 0 && m_state.batchesDone == 0) {
        giveAdvice(m_advisor.beforeTraining(s.index.classes, classCounts(s.index, Split::Train)),
                   -1);
    }
}

// The best weights of a resumed run live in its best checkpoint: EarlyStopping's
// restore_best_weights goes back to them, not to the weights the run resumed with.
void FitLoop::restoreBestWeightsOfResumedRun()
{
    const EarlyStoppingSettings& early = m_callbacks.earlyStopping;
    if (!early.enabled || !early.restoreBestWeights || m_state.bestEpoch < 0 ||
        !QFileInfo::exists(m_bestPath)) {
        return;
    }
    if (loadCheckpoint(m_bestPath, *s.module, nullptr, nullptr)) {
        m_best.take(*s.module);
    }
    if (s.format == torch::MemoryFormat::ChannelsLast) {
        useChannelsLast(*s.module);
    }
    m_lastGood.restore(*s.module);
}

void FitLoop::giveAdvice(const QVector<Advice>& advice, int epoch)
{
    for (const Advice& a : advice) {
        m_log.write(QStringLiteral("Advice (%1): %2").arg(a.code, a.message));
        if (m_observer != nullptr) {
            m_observer->advice({epoch, a.code, a.message});
        }
    }
}

void FitLoop::refreshStatistics(int epoch)
{
    if (m_statistics != nullptr) {
        refreshBatchNormStatistics(s.module, *m_statistics, epoch, s.device, s.format, *m_sync);
    }
}

// Trains the batches of one epoch (the rest of it, when resumed mid-epoch). Returns the run's
// ending when a step failed or the user stopped, nothing when the epoch was trained whole.
std::optional<Ending> FitLoop::trainEpoch(int epoch)
{
    s.module->train();
    m_train->startEpoch(epoch);
    TensorBatch batch;
    const int skip = epoch == m_state.epoch ? m_state.batchesDone : 0;
    if (skip == 0) {
        m_state.lossSum = m_state.correct = m_state.seen = m_state.trainSeconds = 0;
    }
    for (int b = 0; b < skip && m_train->next(&batch); ++b) {
    }
    int batchNumber = skip;
    m_epochTimer.start();
    m_secondsBefore = m_state.trainSeconds;
    m_sinceBatchEvent.start();
    while (true) {
        if (waitWhilePausedOrStop()) {
            return stopMidEpoch(epoch, batchNumber);
        }
        if (!m_train->next(&batch)) {
            return std::nullopt;
        }
        if (batch.labels.size(0) == 0 && m_sync->skipsEmptyBatches()) {
            ++batchNumber; // every image of it was unreadable (deleted since the scan)
            continue;
        }
        const StepOutcome step = trainStep(batch, epoch, batchNumber);
        if (step.failure) {
            return step.failure;
        }
        ++batchNumber;
        reportBatch(epoch, batchNumber);
        if (step.stopAfterStep) {
            return stopMidEpoch(epoch, batchNumber);
        }
    }
}

// Waits while the user paused; true when the epoch ends here because the user stopped (a run
// alone; a distributed run stops after the step in which any process asked, see trainStep).
bool FitLoop::waitWhilePausedOrStop() const
{
    if (m_control == nullptr) {
        return false;
    }
    while (m_control->paused() && !m_control->stopRequested()) {
        QThread::msleep(20);
    }
    return m_control->stopRequested() && m_sync->stopsBeforeStep();
}

// One optimizer step on `batch`: forward, loss, gradients (agreed over the processes), update,
// and the epoch's running sums.
StepOutcome FitLoop::trainStep(const TensorBatch& batch, int epoch, int batchNumber)
{
    const torch::Tensor images = inMemoryFormat(batch.images.to(s.device), s.format);
    const torch::Tensor labels = batch.labels.to(s.device);
    const double learningRate =
        decayedLearningRate(m_state.baseLearningRate, m_settings.decay, m_state.iterations);
    setLearningRate(*s.optimizer, learningRate);
    s.optimizer->zero_grad();
    torch::Tensor logits;
    torch::Tensor loss;
    const bool empty = labels.size(0) == 0; // only in a distributed run: it still steps
    try {
        if (!empty) {
            const MixedPrecisionScope arithmetic(m_settings.precision);
            logits = s.module->forward(images).to(torch::kFloat);
            loss = lossOf(logits, labels, m_classWeights, m_settings.labelSmoothing);
        }
    } catch (const std::exception& error) {
        m_lastGood.restore(*s.module);
        return {Ending{RunEndedEvent::Outcome::Failed,
                       QStringLiteral("Training failed at epoch %1, batch %2: %3. The weights of "
                                      "the last finished epoch are kept.")
                           .arg(epoch + 1)
                           .arg(batchNumber + 1)
                           .arg(QString::fromUtf8(error.what()).section('\n', 0, 0))},
                false};
    }
    const double lossValue = empty ? 0.0 : loss.item<double>();
    StepFlags local;
    local.stopRequested = m_control != nullptr && m_control->stopRequested();
    local.lossFinite = std::isfinite(lossValue);
    const StepFlags flags = m_sync->backward(loss, m_parameters, local);
    if (!flags.lossFinite && m_callbacks.terminateOnNan) {
        m_lastGood.restore(*s.module);
        giveAdvice(m_advisor.lossNotFinite(learningRate), epoch);
        return {Ending{RunEndedEvent::Outcome::Failed,
                       QStringLiteral("The loss became %1 at epoch %2, batch %3: the learning "
                                      "rate (%4) is probably too high. Training stopped "
                                      "(TerminateOnNaN) and the weights of the last good epoch "
                                      "are kept; lower the learning rate and train again.")
                           .arg(std::isnan(lossValue) || std::isfinite(lossValue)
                                    ? QStringLiteral("NaN")
                                    : QStringLiteral("infinite"))
                           .arg(epoch + 1)
                           .arg(batchNumber + 1)
                           .arg(formatNumber(learningRate))},
                false};
    }
    s.optimizer->step();
    ++m_state.iterations;
    if (!empty) {
        const double n = double(labels.size(0));
        m_state.lossSum += lossValue * n;
        m_state.correct += logits.argmax(1).eq(labels).sum().item<double>();
        m_state.seen += n;
    }
    m_state.trainSeconds = m_secondsBefore + double(m_epochTimer.nsecsElapsed()) / 1e9;
    return {std::nullopt, !m_sync->stopsBeforeStep() && flags.stopRequested};
}

// Tells the observer about the batches so far, ten times a second at most and at the last one.
void FitLoop::reportBatch(int epoch, int batchNumber)
{
    if (m_observer == nullptr ||
        (m_sinceBatchEvent.elapsed() < s.batchEventIntervalMs && batchNumber != m_batches)) {
        return;
    }
    m_sinceBatchEvent.restart();
    BatchEvent event;
    event.epoch = epoch;
    event.batch = batchNumber;
    event.batches = m_batches;
    event.loss = m_state.lossSum / m_state.seen;
    event.accuracy = m_state.correct / m_state.seen;
    // This process's share, times the processes: the run's speed.
    const double ownPerSecond = m_state.seen / std::max(m_state.trainSeconds, 1e-9);
    event.imagesPerSecond = ownPerSecond * s.processes();
    const double imagesLeft =
        double(m_train->imageCount()) * (s.totalEpochs - epoch) - m_state.seen;
    event.etaSeconds = imagesLeft / std::max(ownPerSecond, 1e-9);
    m_observer->batchDone(event);
}

// The user stopped mid-epoch: a full checkpoint at this batch, from which resume continues.
Ending FitLoop::stopMidEpoch(int epoch, int batchNumber)
{
    m_sync->shareRunningSums(&m_state.lossSum, &m_state.correct, &m_state.seen);
    const Status saved = saveLastCheckpoint(epoch, batchNumber);
    if (!saved) {
        return {RunEndedEvent::Outcome::Failed, rescueRun(s, m_state, saved.error())};
    }
    // model.pt gets statistics that fit its weights (training never reads them, so the
    // checkpoint above resumes exactly either way).
    refreshStatistics(epoch);
    return {RunEndedEvent::Outcome::Stopped,
            QStringLiteral("Stopped at epoch %1 after %2 of %3 batches; resume continues from "
                           "here.")
                .arg(epoch + 1)
                .arg(batchNumber)
                .arg(m_batches)};
}

// Measures the epoch on the validation split (after refreshing the BatchNormalization
// statistics) and appends its record, with the run's totals over every process, to the history.
EpochResult FitLoop::validate(int epoch)
{
    refreshStatistics(epoch);
    EpochResult result;
    result.validation = evaluate(s.module, *m_validation, epoch, s.device, s.format,
                                 m_settings.labelSmoothing, int(s.index.classes.size()));
    PassTotals trained{m_state.lossSum, m_state.correct, m_state.seen, {}, {}};
    // Every process reports the whole run's metrics, so callbacks decide alike.
    m_sync->sumEpochTotals(&trained, &result.validation);
    const PassTotals& val = result.validation;
    EpochRecord& record = result.record;
    record.epoch = epoch;
    record.metrics.loss = trained.lossSum / std::max(trained.seen, 1.0);
    record.metrics.accuracy = trained.correct / std::max(trained.seen, 1.0);
    record.metrics.valLoss = val.lossSum / std::max(val.seen, 1.0);
    record.metrics.valAccuracy = val.correct / std::max(val.seen, 1.0);
    record.learningRate =
        decayedLearningRate(m_state.baseLearningRate, m_settings.decay, m_state.iterations);
    record.seconds = m_state.trainSeconds;
    record.imagesPerSecond = trained.seen / std::max(m_state.trainSeconds, 1e-9);
    record.dataWaitSeconds = m_train->waitSeconds();
    m_state.history.truncate(epoch);
    (void)m_state.history.append(record);
    return result;
}

// ModelCheckpoint's best so far, EarlyStopping (keeping the best weights when asked) and
// ReduceLROnPlateau, on the epoch's metrics.
CallbackVerdict FitLoop::applyCallbacks(int epoch, const EpochRecord& record)
{
    CallbackVerdict verdict;
    const QString& monitor = m_callbacks.modelCheckpoint.monitor;
    const double monitored = record.metrics.value(monitor);
    const double best = m_state.bestMonitored;
    verdict.improved =
        !std::isnan(monitored) &&
        (std::isnan(best) || (monitorIncreases(monitor) ? monitored > best : monitored < best));
    if (verdict.improved) {
        m_state.bestMonitored = monitored;
        m_state.bestEpoch = epoch;
    }
    if (m_callbacks.earlyStopping.enabled) {
        verdict.stopEarly = m_early.onEpochEnd(epoch, record.metrics);
        if (m_early.lastWasImprovement() && m_callbacks.earlyStopping.restoreBestWeights) {
            m_best.take(*s.module);
        }
    }
    if (m_callbacks.reduceLrOnPlateau.enabled) {
        const double before = m_state.baseLearningRate;
        m_state.baseLearningRate = m_plateau.onEpochEnd(record.metrics, before);
        if (m_state.baseLearningRate < before) {
            m_log.write(QStringLiteral("ReduceLROnPlateau: learning rate %1 -> %2")
                            .arg(formatNumber(before), formatNumber(m_state.baseLearningRate)));
        }
    }
    return verdict;
}

// Records where the run stands (the epoch and batch to continue from, the random state, the
// callbacks' state) and, in the process that writes, saves it with the weights and the optimizer
// as the last checkpoint, keeping the one before.
Status FitLoop::saveLastCheckpoint(int epoch, int batchesDone)
{
    m_state.epoch = epoch;
    m_state.batchesDone = batchesDone;
    m_state.rngState = cpuRngState();
    m_state.earlyStopping = m_early.state();
    m_state.plateau = m_plateau.state();
    if (!s.writer()) {
        return {};
    }
    keepAsPrevious(m_result.lastCheckpoint, m_previousPath);
    return saveCheckpoint(m_result.lastCheckpoint, *s.module, s.optimizer.get(), m_state);
}

// Writes the checkpoint at the epoch's end (the last one, the best one when it improved) and
// the history; the weights become the last good ones to go back to.
Status FitLoop::checkpoint(int epoch, bool improved)
{
    Status saved = saveLastCheckpoint(epoch + 1, 0);
    if (s.writer()) {
        if (saved && improved && m_callbacks.modelCheckpoint.enabled) {
            saved = saveCheckpoint(m_bestPath, *s.module, nullptr, m_state);
        }
        if (saved) {
            saved = writeFileAtomically(s.runFile(runfiles::history), m_state.history.toCsv());
        }
    }
    m_lastGood.take(*s.module);
    return saved;
}

// Logs the epoch, tells the observer (with the images that could not be read) and advises.
void FitLoop::reportEpoch(const EpochResult& epoch, bool improved)
{
    const EpochRecord& record = epoch.record;
    m_log.write(QStringLiteral("Epoch %1/%2: loss %3, accuracy %4, val_loss %5, val_accuracy "
                               "%6, lr %7, %8 s (%9 s of it waiting for images)")
                    .arg(record.epoch + 1)
                    .arg(s.totalEpochs)
                    .arg(formatNumber(record.metrics.loss), formatNumber(record.metrics.accuracy),
                         formatNumber(record.metrics.valLoss),
                         formatNumber(record.metrics.valAccuracy),
                         formatNumber(record.learningRate))
                    .arg(record.seconds, 0, 'f', 1)
                    .arg(record.dataWaitSeconds, 0, 'f', 1));
    // Images deleted or changed on disk since the scan were left out of their batches.
    QStringList skipped = m_train->takeProblems() + m_validation->takeProblems();
    skipped.removeDuplicates();
    QStringList warnings;
    if (!skipped.isEmpty()) {
        warnings << QStringLiteral("%1 image(s) could not be read this epoch and were skipped "
                                   "(deleted or changed since the scan): %2")
                        .arg(skipped.size())
                        .arg(skipped.join(QStringLiteral("; ")));
        m_log.write(QStringLiteral("Warning: ") + warnings.last());
    }
    if (m_observer != nullptr) {
        m_observer->epochDone({record, improved, warnings});
    }
    giveAdvice(m_advisor.afterEpoch(m_state.history, epochFacts(s.index, epoch.validation)),
               record.epoch);
}

// EarlyStopping ran out of patience: the run is finished, with the best weights when asked.
Ending FitLoop::earlyStopEnding()
{
    const EarlyStoppingSettings& early = m_callbacks.earlyStopping;
    QString reason = QStringLiteral("EarlyStopping: %1 did not improve for %2 epochs.")
                         .arg(early.monitor)
                         .arg(early.patience);
    if (early.restoreBestWeights && !m_best.isEmpty()) {
        m_best.restore(*s.module);
        reason +=
            QStringLiteral(" The weights of epoch %1 were restored.").arg(m_early.bestEpoch() + 1);
    }
    return {RunEndedEvent::Outcome::Finished, reason};
}

// Ends the run: exports the model (and scores a finished run on the test split), logs the
// outcome and tells the observer.
TrainResult FitLoop::finish(const Ending& ending)
{
    m_result.ended.outcome = ending.outcome;
    m_result.ended.reason = ending.reason;
    m_result.ended.epochsDone =
        m_state.history.size() > 0 ? m_state.history.epochs().last().epoch + 1 : 0;
    m_result.ended.bestEpoch = m_state.bestEpoch;
    m_result.ended.rescuedRunDir = s.rescuedRunDir;
    m_result.history = m_state.history;
    m_result.bestCheckpoint = QFileInfo::exists(m_bestPath) ? m_bestPath : QString();
    if (ending.outcome != RunEndedEvent::Outcome::Failed && !m_state.history.isEmpty() &&
        s.writer()) {
        // The model as it is now (the restored best weights after EarlyStopping) becomes
        // model.pt; a finished run is also scored on the test split.
        const RunExport exported = exportAndEvaluateRun(
            s.module, s.project.model, s.project.dataset, s.spec, s.index, s.cache.get(),
            m_state.history, s.runDir, ending.outcome == RunEndedEvent::Outcome::Finished);
        for (const QString& message : exported.messages) {
            m_log.write(message);
        }
        m_result.ended.modelPath = exported.modelPath;
        m_result.ended.testCount = exported.testCount;
        m_result.ended.testAccuracy = exported.testAccuracy;
        m_result.ended.int8Check = exported.int8Check;
    }
    m_result.seconds = double(m_runTimer.nsecsElapsed()) / 1e9;
    m_log.write(QStringLiteral("Run %1%2")
                    .arg(outcomeName(ending.outcome), ending.reason.isEmpty()
                                                          ? QString()
                                                          : QStringLiteral(": ") + ending.reason));
    if (m_observer != nullptr) {
        m_observer->runEnded(m_result.ended);
    }
    return m_result;
}

} // namespace

TrainResult fit(Session& s, TrainingObserver* observer, TrainingControl* control, RunLog& log)
{
    return FitLoop(s, observer, control, log).run();
}

} // namespace studio
