#include "training/trainer.h"

#include "common/atomicfile.h"
#include "common/runtime.h"
#include "dataset/batchloader_p.h"
#include "dataset/datasetscanner.h"
#include "dataset/folds.h"
#include "dataset/imagecache.h"
#include "model/featureextractor.h"
#include "model/modelbuilder_p.h"
#include "project/project.h"
#include "training/advice.h"
#include "training/checkpoint_p.h"
#include "training/distributed_p.h"
#include "training/runexport_p.h"
#include "training/transfer_p.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/nn.h>
#include <torch/optim.h>

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTemporaryFile>
#include <QThread>

#include <cmath>
#include <memory>
#include <mutex>
#include <thread>

namespace studio {

namespace {

QString native(const QString& path)
{
    return QDir::toNativeSeparators(path);
}

QString formatNumber(double value)
{
    return QString::number(value, 'g', 4);
}

// Appends timestamped lines to the run's log.txt.
class RunLog
{
public:
    // An empty path logs nothing (the processes of a distributed run other than rank 0).
    explicit RunLog(const QString& path) : m_file(path)
    {
        m_open = !path.isEmpty() &&
                 m_file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text);
    }
    void write(const QString& line)
    {
        if (!m_open) {
            return;
        }
        const QString stamped =
            QDateTime::currentDateTime().toString(Qt::ISODate) + QLatin1Char(' ') + line + '\n';
        m_file.write(stamped.toUtf8());
        m_file.flush();
    }

private:
    QFile m_file;
    bool m_open = false;
};

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const TrainingSettings& settings,
                                                       std::vector<torch::Tensor> parameters)
{
    const OptimizerSettings& o = settings.optimizer;
    switch (o.kind) {
    case OptimizerKind::Sgd:
        return std::make_unique<torch::optim::SGD>(parameters,
                                                   torch::optim::SGDOptions(settings.learningRate)
                                                       .momentum(o.sgd.momentum)
                                                       .nesterov(o.sgd.nesterov)
                                                       .weight_decay(settings.weightDecay));
    case OptimizerKind::RmsProp:
        return std::make_unique<torch::optim::RMSprop>(
            parameters, torch::optim::RMSpropOptions(settings.learningRate)
                            .alpha(o.rmsprop.rho)
                            .eps(o.rmsprop.epsilon)
                            .momentum(o.rmsprop.momentum)
                            .centered(o.rmsprop.centered)
                            .weight_decay(settings.weightDecay));
    case OptimizerKind::Adam:
        break;
    }
    return std::make_unique<torch::optim::Adam>(parameters,
                                                torch::optim::AdamOptions(settings.learningRate)
                                                    .betas({o.adam.beta1, o.adam.beta2})
                                                    .eps(o.adam.epsilon)
                                                    .amsgrad(o.adam.amsgrad)
                                                    .weight_decay(settings.weightDecay));
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

void setCpuRngState(const torch::Tensor& state)
{
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(state);
}

// A copy of a module's parameters and buffers, to go back to (best or last good weights).
class WeightSnapshot
{
public:
    void take(torch::nn::Module& module)
    {
        torch::NoGradGuard noGrad;
        m_tensors.clear();
        for (const auto& item : module.named_parameters()) {
            m_tensors.emplace_back(item.value().detach().clone());
        }
        for (const auto& item : module.named_buffers()) {
            m_tensors.emplace_back(item.value().detach().clone());
        }
    }
    bool isEmpty() const { return m_tensors.empty(); }
    void restore(torch::nn::Module& module) const
    {
        torch::NoGradGuard noGrad;
        size_t i = 0;
        for (auto& item : module.named_parameters()) {
            item.value().copy_(m_tensors[i++]);
        }
        for (auto& item : module.named_buffers()) {
            item.value().copy_(m_tensors[i++]);
        }
    }

private:
    std::vector<torch::Tensor> m_tensors;
};

// The training images a BatchNormalization statistics pass sees at most: enough for the
// statistics to settle, and a small share of an epoch on large datasets.
constexpr int kStatisticsImages = 4096;

// Measures the BatchNormalization statistics anew for the weights as they are (see
// recomputeBatchNormStatistics) on up to kStatisticsImages training images of `loader`, a sample
// that changes with `epoch`. In a distributed run every process measures its shard and the
// statistics are averaged, so that all of them validate and export the same network.
void refreshBatchNormStatistics(torch::nn::Sequential& module, BatchLoader& loader, int epoch,
                                const torch::Device& device, torch::MemoryFormat format,
                                DistributedGroup* group)
{
    const int shards = group == nullptr ? 1 : group->worldSize();
    const int64_t limit = kStatisticsImages / shards;
    int64_t taken = 0;
    loader.startEpoch(epoch);
    TensorBatch batch;
    recomputeBatchNormStatistics(module, [&]() {
        if (taken >= limit || !loader.next(&batch)) {
            return torch::Tensor();
        }
        taken += batch.images.size(0);
        return batch.images.to(device).contiguous(format);
    });
    if (group != nullptr) {
        std::vector<torch::Tensor> buffers;
        for (const torch::Tensor& buffer : module->buffers()) {
            buffers.push_back(buffer);
        }
        group->average(buffers);
    }
}

// Sums of one pass over a split.
struct PassTotals
{
    double lossSum = 0;
    double correct = 0;
    double seen = 0;
    std::vector<double> seenPerClass;    // images of each class
    std::vector<double> correctPerClass; // of them classified correctly
};

// Evaluates the module on every batch of a split, without gradients.
PassTotals evaluate(torch::nn::Sequential& module, BatchLoader& loader, int epoch,
                    const torch::Device& device, torch::MemoryFormat format, double labelSmoothing,
                    int classes)
{
    torch::NoGradGuard noGrad;
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
        const torch::Tensor images = batch.images.to(device).contiguous(format);
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

// Everything one run needs, set up before its first batch.
struct Session
{
    Project project;
    QString runDir;
    int totalEpochs = 0;
    std::unique_ptr<ImageCache> cache;
    DatasetIndex index;
    torch::nn::Sequential module{nullptr};
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    torch::Device device{torch::kCPU};
    torch::MemoryFormat format = torch::MemoryFormat::Contiguous; // of parameters and batches
    int threads = 1;
    int batchEventIntervalMs = 100;
    qint64 parameters = 0;
    QStringList warnings; // for the user, before the run starts (e.g. a damaged checkpoint)
    QStringList notes;    // what was done before the run starts (layers copied from a model)
    RunState state;
    QString rescuedRunDir;             // where rescue() saved the run, when it had to
    QHash<QString, Split> splits;      // an explicit split (a cross-validation fold), if any
    DistributedGroup* group = nullptr; // the other processes of a distributed run, if any
    // Whether this process writes the run folder: rank 0 of a distributed run, or the only one.
    bool writer() const { return group == nullptr || group->rank() == 0; }
    int processes() const { return group == nullptr ? 1 : group->worldSize(); }
};

QString pathIn(const QString& dir, const QString& name)
{
    return QDir(dir).filePath(name);
}

// Scans the data, builds the module and optimizer, and loads a checkpoint when asked.
Status prepare(Session& s, const QString& checkpoint, bool fullState, bool fitOutput,
               TrainingObserver* observer, TrainingControl* control)
{
    int threads = s.project.training.threads;
    if (threads == 0 && s.group != nullptr) {
        // Processes sharing one machine (torchrun sets LOCAL_WORLD_SIZE) share its cores.
        const int local = qEnvironmentVariableIntValue("LOCAL_WORLD_SIZE");
        if (local > 1) {
            threads = std::max(1, int(std::thread::hardware_concurrency()) / local);
        }
    }
    s.threads = setUpRuntime(threads);
    torch::manual_seed(s.project.training.seed);
    if (s.project.training.batchSize % s.processes() != 0) {
        return Failure{QStringLiteral("batch_size %1 cannot be shared evenly by the %2 processes "
                                      "of the distributed run: choose a batch_size that is a "
                                      "multiple of %2 (each process trains on batch_size / %2 "
                                      "images per step).")
                           .arg(s.project.training.batchSize)
                           .arg(s.processes())};
    }

    const DatasetSettings& dataset = s.project.dataset;
    s.cache = std::make_unique<ImageCache>(ImageShape{dataset.imageSize, dataset.channels()},
                                           dataset.cacheBudgetBytes);
    ScanOptions scan;
    scan.cache = s.cache.get();
    // Loading progress for the observer: throttled to ~10 per second, the last always.
    std::mutex progressMutex;
    QElapsedTimer sinceProgress;
    sinceProgress.start();
    if (observer != nullptr) {
        scan.progress = [&](qint64 done, qint64 total) {
            const std::lock_guard<std::mutex> lock(progressMutex);
            if (done == total || sinceProgress.elapsed() >= 100) {
                sinceProgress.restart();
                observer->loading(LoadingEvent{done, total});
            }
        };
    }
    if (control != nullptr) {
        scan.cancel = control->stopFlag();
    }
    Result<DatasetIndex> index = scanDataset(dataset, scan);
    if (!index) {
        if (control != nullptr && control->stopRequested()) {
            return Failure{QStringLiteral("Stopped while loading the images, before the first "
                                          "epoch: nothing was trained.")};
        }
        return Failure{index.error()};
    }
    s.index = std::move(*index);
    if (!s.splits.isEmpty()) {
        const Status applied = applySplits(&s.index, s.cache.get(), s.splits);
        if (!applied) {
            return applied;
        }
    }
    if (!s.index.hasValidation || s.index.count(Split::Validation) == 0) {
        return Failure{QStringLiteral("The dataset '%1' has no validation images. Add a "
                                      "validation/ folder, or use a single folder of classes "
                                      "and let the app split it.")
                           .arg(native(s.index.root))};
    }

    if (const Status measured = measureFeatureExtractors(&s.project.model); !measured) {
        return measured;
    }
    const int classes = int(s.index.classes.size());
    const bool startsFromModel = checkpoint.isEmpty() && !s.project.model.initFrom.isEmpty();
    if (fitOutput || startsFromModel) { // a model trained on other classes gets a new output
        s.project.model = withOutputUnits(s.project.model, classes);
    }
    Result<torch::nn::Sequential> module =
        buildModule(s.project.model, inputShapeFor(dataset), classes);
    if (!module) {
        return Failure{module.error()};
    }
    s.module = *module;
    s.device = preferredDevice();
    s.module->to(s.device);
    if (prefersChannelsLast(s.project.model, inputShapeFor(dataset))) {
        s.format = torch::MemoryFormat::ChannelsLast;
        useChannelsLast(*s.module);
    }
    if (startsFromModel && s.writer()) { // the other processes get rank 0's weights
        Result<TransferReport> copied =
            copyMatchingLayers(s.module, s.project.model, s.project.model.initFrom);
        if (!copied) {
            return Failure{copied.error()};
        }
        s.notes << copied->text();
    }
    s.parameters = 0;
    for (const torch::Tensor& p : s.module->parameters()) {
        s.parameters += p.numel();
    }
    const std::vector<torch::Tensor> trainable = trainableParameters(*s.module);
    if (trainable.empty()) {
        return Failure{QStringLiteral("Every layer of the network is frozen (trainable false), so "
                                      "training would change nothing. Unlock at least the output "
                                      "layer on the Model page (or remove \"trainable\": false "
                                      "from its entry in the project file).")};
    }
    s.optimizer = makeOptimizer(s.project.training, trainable);
    s.state.baseLearningRate = s.project.training.learningRate;

    if (!checkpoint.isEmpty()) {
        const Status loaded = loadCheckpoint(checkpoint, *s.module, s.optimizer.get(),
                                             fullState ? &s.state : nullptr);
        if (!loaded) {
            return loaded;
        }
        if (s.format == torch::MemoryFormat::ChannelsLast) {
            useChannelsLast(*s.module); // loading replaced the tensors with the file's layout
        }
        if (fullState && s.state.rngState.defined()) {
            setCpuRngState(s.state.rngState);
        }
    }
    return {};
}

// When the run folder cannot be written (disk full, read-only, gone), writes the run so far
// (project, history, full checkpoint) to a new folder in the temporary directory, so that no
// epoch is lost; returns the message for the user, with the command that continues it.
QString rescue(Session& s, const RunState& state, const QString& error)
{
    const QString folder =
        QDir(QDir::tempPath())
            .filePath(
                QStringLiteral("classifier-studio-rescue-%1-%2")
                    .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss")))
                    .arg(QCoreApplication::applicationPid()));
    Status saved = QDir().mkpath(folder)
                       ? Status()
                       : Status(Failure{QStringLiteral("cannot create '%1'").arg(native(folder))});
    if (saved) {
        saved = saveProject(pathIn(folder, runfiles::project), s.project);
    }
    if (saved) {
        saved = writeFileAtomically(pathIn(folder, runfiles::history), state.history.toCsv());
    }
    if (saved) {
        saved = saveCheckpoint(pathIn(folder, runfiles::lastCheckpoint), *s.module,
                               s.optimizer.get(), state);
    }
    if (!saved) {
        return error + QStringLiteral(" Saving the training elsewhere failed too (%1): free "
                                      "some disk space and start again.")
                           .arg(saved.error());
    }
    s.rescuedRunDir = folder;
    return error + QStringLiteral(" The run folder '%1' cannot be written; the training so far "
                                  "was saved to '%2'. Free space or fix the folder, then "
                                  "continue with: classifier-cli resume %2 (or Resume Run... "
                                  "in the app). Move that folder anywhere you like first.")
                       .arg(native(s.runDir), native(folder));
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

// Every process's sums of an epoch added up: training and validation totals, per class too.
void sumOverProcesses(DistributedGroup& group, PassTotals* trained, PassTotals* validation)
{
    std::vector<double> values = {trained->lossSum,    trained->correct,    trained->seen,
                                  validation->lossSum, validation->correct, validation->seen};
    values.insert(values.end(), validation->seenPerClass.begin(), validation->seenPerClass.end());
    values.insert(values.end(), validation->correctPerClass.begin(),
                  validation->correctPerClass.end());
    const std::vector<double> sums = group.sum(values);
    const size_t classes = validation->seenPerClass.size();
    *trained = {sums[0], sums[1], sums[2], {}, {}};
    *validation = {sums[3], sums[4], sums[5],
                   std::vector<double>(sums.begin() + 6, sums.begin() + 6 + long(classes)),
                   std::vector<double>(sums.begin() + 6 + long(classes), sums.end())};
}

// The fit loop: epochs from s.state.epoch to s.totalEpochs, with callbacks and checkpoints.
TrainResult fit(Session& s, TrainingObserver* observer, TrainingControl* control, RunLog& log)
{
    QElapsedTimer runTimer;
    runTimer.start();
    const TrainingSettings& settings = s.project.training;
    const CallbackSettings& callbacks = settings.callbacks;
    TrainResult result;
    result.runDir = s.runDir;
    result.lastCheckpoint = pathIn(s.runDir, runfiles::lastCheckpoint);
    const QString bestPath = pathIn(s.runDir, runfiles::bestCheckpoint);
    const QString previousPath = pathIn(s.runDir, runfiles::previousCheckpoint);

    BatchOptions trainOptions;
    trainOptions.batchSize = settings.batchSize / s.processes();
    trainOptions.shuffle = true;
    trainOptions.augment = s.project.augmentation.enabled;
    trainOptions.seed = settings.seed;
    trainOptions.balanceClasses = settings.classWeights == ClassWeighting::BalancedSampling;
    if (s.group != nullptr) {
        // Each process trains on its shard of every batch; the shards together are the batch
        // one process would train on, and their averaged gradients its gradient.
        trainOptions.shard = s.group->rank();
        trainOptions.shards = s.group->worldSize();
        trainOptions.evenShards = true; // every process takes the same number of steps
    }
    BatchLoader train(s.index, Split::Train, s.project.dataset, s.project.augmentation,
                      s.cache.get(), trainOptions);
    BatchOptions evalOptions = trainOptions;
    evalOptions.shuffle = false;
    evalOptions.augment = false;
    evalOptions.balanceClasses = false;
    evalOptions.evenShards = false; // validation counts every image once; the sums are reduced
    BatchLoader validation(s.index, Split::Validation, s.project.dataset, s.project.augmentation,
                           s.cache.get(), evalOptions);
    // The BatchNormalization statistics are measured on training images as validation sees
    // images: not augmented; shuffled, so that a capped pass is a fair sample.
    std::unique_ptr<BatchLoader> statistics;
    if (settings.batchNormStatistics == BatchNormStatistics::Recompute &&
        hasBatchNormalization(s.module)) {
        BatchOptions statisticsOptions = evalOptions;
        statisticsOptions.shuffle = true;
        statisticsOptions.seed = settings.seed + 1;
        statistics =
            std::make_unique<BatchLoader>(s.index, Split::Train, s.project.dataset,
                                          s.project.augmentation, s.cache.get(), statisticsOptions);
    }
    const auto refreshStatistics = [&](int epoch) {
        if (statistics != nullptr) {
            refreshBatchNormStatistics(s.module, *statistics, epoch, s.device, s.format, s.group);
        }
    };

    torch::Tensor classWeights;
    if (settings.classWeights == ClassWeighting::Balanced) {
        classWeights = train.classWeights().to(s.device);
    }

    EarlyStopping early(callbacks.earlyStopping.monitor, callbacks.earlyStopping.patience,
                        callbacks.earlyStopping.minDelta);
    ReduceLROnPlateau plateau(
        callbacks.reduceLrOnPlateau.monitor, callbacks.reduceLrOnPlateau.factor,
        callbacks.reduceLrOnPlateau.patience, callbacks.reduceLrOnPlateau.minLr,
        callbacks.reduceLrOnPlateau.minDelta, callbacks.reduceLrOnPlateau.cooldown);
    RunState& state = s.state;
    if (!std::isnan(state.earlyStopping.best)) {
        early.restore(state.earlyStopping);
    }
    if (!std::isnan(state.plateau.best)) {
        plateau.restore(state.plateau);
    }
    const QString checkpointMonitor = callbacks.modelCheckpoint.monitor;
    const bool monitorRises = monitorIncreases(checkpointMonitor);

    const int batches = train.batchesPerEpoch();
    RunStartedEvent started;
    started.device = QString::fromStdString(s.device.str());
    started.threads = s.threads;
    started.trainImages = s.index.count(Split::Train);
    started.validationImages = s.index.count(Split::Validation);
    started.testImages = s.index.count(Split::Test);
    started.parameters = s.parameters;
    started.epochs = s.totalEpochs;
    started.firstEpoch = state.epoch;
    started.batchesPerEpoch = batches;
    started.processes = s.processes();
    started.warnings = s.warnings;
    started.notes = s.notes;
    if (observer != nullptr) {
        observer->runStarted(started);
    }
    for (const QString& warning : s.warnings) {
        log.write(QStringLiteral("Warning: ") + warning);
    }
    for (const QString& note : s.notes) {
        log.write(note);
    }
    log.write(QStringLiteral("Run started on %1 with %2 threads: %3 training and %4 validation "
                             "images, %5 parameters, epochs %6 to %7.")
                  .arg(started.device)
                  .arg(s.threads)
                  .arg(started.trainImages)
                  .arg(started.validationImages)
                  .arg(s.parameters)
                  .arg(state.epoch + 1)
                  .arg(s.totalEpochs));
    if (s.group != nullptr) {
        log.write(QStringLiteral("Distributed over %1 processes (this is %2): %3 images per "
                                 "process and step, gradients averaged before every step.")
                      .arg(s.processes())
                      .arg(s.group->describe())
                      .arg(trainOptions.batchSize));
    }
    log.write(s.format == torch::MemoryFormat::ChannelsLast
                  ? QStringLiteral("Tensors are channels-last (faster convolutions on images of "
                                   "48 px and more).")
                  : QStringLiteral("Tensors are channels-first."));

    RunAdvisor advisor;
    const auto giveAdvice = [&](const QVector<Advice>& advice, int epoch) {
        for (const Advice& a : advice) {
            log.write(QStringLiteral("Advice (%1): %2").arg(a.code, a.message));
            if (observer != nullptr) {
                observer->advice({epoch, a.code, a.message});
            }
        }
    };
    if (state.epoch == 0 && state.batchesDone == 0) {
        giveAdvice(advisor.beforeTraining(s.index.classes, classCounts(s.index, Split::Train)), -1);
    }

    WeightSnapshot lastGood;
    lastGood.take(*s.module);
    WeightSnapshot best;
    if (callbacks.earlyStopping.enabled && callbacks.earlyStopping.restoreBestWeights &&
        state.bestEpoch >= 0 && QFileInfo::exists(bestPath)) {
        // The best weights of a resumed run live in its best checkpoint.
        if (loadCheckpoint(bestPath, *s.module, nullptr, nullptr)) {
            best.take(*s.module);
        }
        if (s.format == torch::MemoryFormat::ChannelsLast) {
            useChannelsLast(*s.module);
        }
        lastGood.restore(*s.module);
    }

    const auto finish = [&](RunEndedEvent::Outcome outcome, const QString& reason) {
        result.ended.outcome = outcome;
        result.ended.reason = reason;
        result.ended.epochsDone =
            state.history.size() > 0 ? state.history.epochs().last().epoch + 1 : 0;
        result.ended.bestEpoch = state.bestEpoch;
        result.ended.rescuedRunDir = s.rescuedRunDir;
        result.history = state.history;
        result.bestCheckpoint = QFileInfo::exists(bestPath) ? bestPath : QString();
        if (outcome != RunEndedEvent::Outcome::Failed && !state.history.isEmpty() && s.writer()) {
            // The model as it is now (the restored best weights after EarlyStopping) becomes
            // model.pt; a finished run is also scored on the test split.
            const RunExport exported = exportAndEvaluateRun(
                s.module, s.project.model, s.project.dataset, s.index, s.cache.get(), state.history,
                s.runDir, outcome == RunEndedEvent::Outcome::Finished);
            for (const QString& message : exported.messages) {
                log.write(message);
            }
            result.ended.modelPath = exported.modelPath;
            result.ended.testCount = exported.testCount;
            result.ended.testAccuracy = exported.testAccuracy;
        }
        result.seconds = double(runTimer.nsecsElapsed()) / 1e9;
        log.write(QStringLiteral("Run %1%2")
                      .arg(outcomeName(outcome),
                           reason.isEmpty() ? QString() : QStringLiteral(": ") + reason));
        if (observer != nullptr) {
            observer->runEnded(result.ended);
        }
        return result;
    };

    const qint64 imagesPerEpoch = train.imageCount();
    const std::vector<torch::Tensor> parameters = trainableParameters(*s.module);
    for (int epoch = state.epoch; epoch < s.totalEpochs; ++epoch) {
        s.module->train();
        train.startEpoch(epoch);
        TensorBatch batch;
        const int skip = epoch == state.epoch ? state.batchesDone : 0;
        if (skip == 0) {
            state.lossSum = state.correct = state.seen = state.trainSeconds = 0;
        }
        for (int b = 0; b < skip && train.next(&batch); ++b) {
        }
        int batchNumber = skip;
        QElapsedTimer epochTimer;
        epochTimer.start();
        const double secondsBefore = state.trainSeconds;
        QElapsedTimer sinceEvent;
        sinceEvent.start();
        bool stopped = false;
        while (true) {
            if (control != nullptr) {
                while (control->paused() && !control->stopRequested()) {
                    QThread::msleep(20);
                }
                // A distributed run stops after the step in which any process asked for it,
                // so that all of them stop at the same batch.
                if (control->stopRequested() && s.group == nullptr) {
                    stopped = true;
                    break;
                }
            }
            if (!train.next(&batch)) {
                break;
            }
            if (batch.labels.size(0) == 0 && s.group == nullptr) {
                ++batchNumber; // every image of it was unreadable (deleted since the scan)
                continue;
            }
            const torch::Tensor images = batch.images.to(s.device).contiguous(s.format);
            const torch::Tensor labels = batch.labels.to(s.device);
            const double learningRate =
                decayedLearningRate(state.baseLearningRate, settings.decay, state.iterations);
            setLearningRate(*s.optimizer, learningRate);
            s.optimizer->zero_grad();
            torch::Tensor logits;
            torch::Tensor loss;
            const bool empty = labels.size(0) == 0; // only in a distributed run: it still steps
            try {
                if (!empty) {
                    logits = s.module->forward(images);
                    loss = lossOf(logits, labels, classWeights, settings.labelSmoothing);
                }
            } catch (const std::exception& error) {
                lastGood.restore(*s.module);
                return finish(RunEndedEvent::Outcome::Failed,
                              QStringLiteral("Training failed at epoch %1, batch %2: %3. The "
                                             "weights of the last finished epoch are kept.")
                                  .arg(epoch + 1)
                                  .arg(batchNumber + 1)
                                  .arg(QString::fromUtf8(error.what()).section('\n', 0, 0)));
            }
            const double lossValue = empty ? 0.0 : loss.item<double>();
            bool stopAfterStep = false;
            bool lossIsFinite = std::isfinite(lossValue);
            if (s.group != nullptr) {
                if (!empty) {
                    loss.backward();
                }
                // The gradients are averaged over the processes; the same messages carry "a
                // process asked to stop" and "a process saw a non-finite loss".
                const bool stopAsked = control != nullptr && control->stopRequested();
                const std::vector<double> flags = s.group->averageGradients(
                    parameters, {stopAsked ? 1.0 : 0.0, lossIsFinite ? 0.0 : 1.0});
                stopAfterStep = flags[0] > 0;
                lossIsFinite = flags[1] == 0;
            }
            if (!lossIsFinite && callbacks.terminateOnNan) {
                lastGood.restore(*s.module);
                giveAdvice(advisor.lossNotFinite(learningRate), epoch);
                return finish(RunEndedEvent::Outcome::Failed,
                              QStringLiteral("The loss became %1 at epoch %2, batch %3: the "
                                             "learning rate (%4) is probably too high. Training "
                                             "stopped (TerminateOnNaN) and the weights of the "
                                             "last good epoch are kept; lower the learning rate "
                                             "and train again.")
                                  .arg(std::isnan(lossValue) || std::isfinite(lossValue)
                                           ? QStringLiteral("NaN")
                                           : QStringLiteral("infinite"))
                                  .arg(epoch + 1)
                                  .arg(batchNumber + 1)
                                  .arg(formatNumber(learningRate)));
            }
            if (s.group == nullptr) {
                loss.backward();
            }
            s.optimizer->step();
            ++state.iterations;
            ++batchNumber;
            const double n = double(labels.size(0));
            if (!empty) {
                state.lossSum += lossValue * n;
                state.correct += logits.argmax(1).eq(labels).sum().item<double>();
                state.seen += n;
            }
            state.trainSeconds = secondsBefore + double(epochTimer.nsecsElapsed()) / 1e9;

            if (observer != nullptr &&
                (sinceEvent.elapsed() >= s.batchEventIntervalMs || batchNumber == batches)) {
                sinceEvent.restart();
                BatchEvent event;
                event.epoch = epoch;
                event.batch = batchNumber;
                event.batches = batches;
                event.loss = state.lossSum / state.seen;
                event.accuracy = state.correct / state.seen;
                // This process's share, times the processes: the run's speed.
                const double ownPerSecond = state.seen / std::max(state.trainSeconds, 1e-9);
                event.imagesPerSecond = ownPerSecond * s.processes();
                const double imagesLeft =
                    double(imagesPerEpoch) * (s.totalEpochs - epoch) - state.seen;
                event.etaSeconds = imagesLeft / std::max(ownPerSecond, 1e-9);
                observer->batchDone(event);
            }
            if (stopAfterStep) {
                stopped = true;
                break;
            }
        }

        if (stopped) {
            if (s.group != nullptr) {
                // Every process resumes from rank 0's checkpoint: keep each one's share of the
                // epoch's sums so far, which the epoch's end adds up again.
                const std::vector<double> sums =
                    s.group->sum({state.lossSum, state.correct, state.seen});
                state.lossSum = sums[0] / s.processes();
                state.correct = sums[1] / s.processes();
                state.seen = sums[2] / s.processes();
            }
            state.epoch = epoch;
            state.batchesDone = batchNumber;
            state.rngState = cpuRngState();
            state.earlyStopping = early.state();
            state.plateau = plateau.state();
            Status saved;
            if (s.writer()) {
                keepAsPrevious(result.lastCheckpoint, previousPath);
                saved = saveCheckpoint(result.lastCheckpoint, *s.module, s.optimizer.get(), state);
            }
            if (!saved) {
                return finish(RunEndedEvent::Outcome::Failed, rescue(s, state, saved.error()));
            }
            // model.pt gets statistics that fit its weights (training never reads them, so the
            // checkpoint above resumes exactly either way).
            refreshStatistics(epoch);
            return finish(RunEndedEvent::Outcome::Stopped,
                          QStringLiteral("Stopped at epoch %1 after %2 of %3 batches; resume "
                                         "continues from here.")
                              .arg(epoch + 1)
                              .arg(batchNumber)
                              .arg(batches));
        }

        refreshStatistics(epoch);
        PassTotals val = evaluate(s.module, validation, epoch, s.device, s.format,
                                  settings.labelSmoothing, int(s.index.classes.size()));
        PassTotals trained{state.lossSum, state.correct, state.seen, {}, {}};
        if (s.group != nullptr) {
            // Every process reports the whole run's metrics, so callbacks decide alike.
            sumOverProcesses(*s.group, &trained, &val);
        }
        EpochRecord record;
        record.epoch = epoch;
        record.metrics.loss = trained.lossSum / std::max(trained.seen, 1.0);
        record.metrics.accuracy = trained.correct / std::max(trained.seen, 1.0);
        record.metrics.valLoss = val.lossSum / std::max(val.seen, 1.0);
        record.metrics.valAccuracy = val.correct / std::max(val.seen, 1.0);
        record.learningRate =
            decayedLearningRate(state.baseLearningRate, settings.decay, state.iterations);
        record.seconds = state.trainSeconds;
        record.imagesPerSecond = trained.seen / std::max(state.trainSeconds, 1e-9);
        state.history.truncate(epoch);
        (void)state.history.append(record);

        const double monitored = record.metrics.value(checkpointMonitor);
        const bool improved =
            !std::isnan(monitored) &&
            (std::isnan(state.bestMonitored) ||
             (monitorRises ? monitored > state.bestMonitored : monitored < state.bestMonitored));
        if (improved) {
            state.bestMonitored = monitored;
            state.bestEpoch = epoch;
        }
        bool stopEarly = false;
        if (callbacks.earlyStopping.enabled) {
            stopEarly = early.onEpochEnd(epoch, record.metrics);
            if (early.lastWasImprovement() && callbacks.earlyStopping.restoreBestWeights) {
                best.take(*s.module);
            }
        }
        if (callbacks.reduceLrOnPlateau.enabled) {
            const double before = state.baseLearningRate;
            state.baseLearningRate = plateau.onEpochEnd(record.metrics, before);
            if (state.baseLearningRate < before) {
                log.write(QStringLiteral("ReduceLROnPlateau: learning rate %1 -> %2")
                              .arg(formatNumber(before), formatNumber(state.baseLearningRate)));
            }
        }

        state.epoch = epoch + 1;
        state.batchesDone = 0;
        state.rngState = cpuRngState();
        state.earlyStopping = early.state();
        state.plateau = plateau.state();
        Status saved;
        if (s.writer()) {
            keepAsPrevious(result.lastCheckpoint, previousPath);
            saved = saveCheckpoint(result.lastCheckpoint, *s.module, s.optimizer.get(), state);
            if (saved && improved && callbacks.modelCheckpoint.enabled) {
                saved = saveCheckpoint(bestPath, *s.module, nullptr, state);
            }
            if (saved) {
                saved =
                    writeFileAtomically(pathIn(s.runDir, runfiles::history), state.history.toCsv());
            }
        }
        lastGood.take(*s.module);
        log.write(QStringLiteral("Epoch %1/%2: loss %3, accuracy %4, val_loss %5, val_accuracy "
                                 "%6, lr %7, %8 s")
                      .arg(epoch + 1)
                      .arg(s.totalEpochs)
                      .arg(formatNumber(record.metrics.loss), formatNumber(record.metrics.accuracy),
                           formatNumber(record.metrics.valLoss),
                           formatNumber(record.metrics.valAccuracy),
                           formatNumber(record.learningRate))
                      .arg(record.seconds, 0, 'f', 1));
        // Images deleted or changed on disk since the scan were left out of their batches.
        QStringList skipped = train.takeProblems() + validation.takeProblems();
        skipped.removeDuplicates();
        QStringList warnings;
        if (!skipped.isEmpty()) {
            warnings << QStringLiteral("%1 image(s) could not be read this epoch and were "
                                       "skipped (deleted or changed since the scan): %2")
                            .arg(skipped.size())
                            .arg(skipped.join(QStringLiteral("; ")));
            log.write(QStringLiteral("Warning: ") + warnings.last());
        }
        if (observer != nullptr) {
            observer->epochDone({record, improved, warnings});
        }
        giveAdvice(advisor.afterEpoch(state.history, epochFacts(s.index, val)), epoch);
        if (!saved) {
            return finish(RunEndedEvent::Outcome::Failed, rescue(s, state, saved.error()));
        }
        if (stopEarly) {
            QString reason = QStringLiteral("EarlyStopping: %1 did not improve for %2 epochs.")
                                 .arg(callbacks.earlyStopping.monitor)
                                 .arg(callbacks.earlyStopping.patience);
            if (callbacks.earlyStopping.restoreBestWeights && !best.isEmpty()) {
                best.restore(*s.module);
                reason += QStringLiteral(" The weights of epoch %1 were restored.")
                              .arg(early.bestEpoch() + 1);
            }
            return finish(RunEndedEvent::Outcome::Finished, reason);
        }
    }
    return finish(RunEndedEvent::Outcome::Finished, QString());
}

// Writes every event as a JSON line to the run's events.jsonl (what `--json` prints), so other
// processes can follow the run, and passes it on to the caller's observer.
class EventsFile : public TrainingObserver
{
public:
    EventsFile(const QString& path, TrainingObserver* next) : m_file(path), m_next(next)
    {
        m_open = m_file.open(QIODevice::WriteOnly | QIODevice::Append);
    }
    void runStarted(const RunStartedEvent& event) override
    {
        write(toJson(event));
        if (m_next != nullptr) {
            m_next->runStarted(event);
        }
    }
    void batchDone(const BatchEvent& event) override
    {
        write(toJson(event));
        if (m_next != nullptr) {
            m_next->batchDone(event);
        }
    }
    void epochDone(const EpochEvent& event) override
    {
        write(toJson(event));
        if (m_next != nullptr) {
            m_next->epochDone(event);
        }
    }
    void advice(const AdviceEvent& event) override
    {
        write(toJson(event));
        if (m_next != nullptr) {
            m_next->advice(event);
        }
    }
    void runEnded(const RunEndedEvent& event) override
    {
        write(toJson(event));
        if (m_next != nullptr) {
            m_next->runEnded(event);
        }
    }

private:
    void write(const QJsonObject& object)
    {
        if (m_open) {
            m_file.write(QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n');
            m_file.flush();
        }
    }

    QFile m_file;
    TrainingObserver* m_next;
    bool m_open = false;
};

QString outOfMemoryMessage()
{
    return QStringLiteral("Out of memory. Lower the batch size or the image size, or use a "
                          "smaller network.");
}

QString failedMessage(const std::exception& error)
{
    return QStringLiteral("Training failed: %1")
        .arg(QString::fromUtf8(error.what()).section('\n', 0, 0));
}

// What a process trains on (its files, labels and splits, the network and the settings that
// shape the run), for comparing the processes of a distributed run.
QString fingerprintOf(const Session& s)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const DatasetItem& item : s.index.items) {
        hash.addData(item.path.toUtf8());
        hash.addData(QByteArray::number(item.label) + ' ' + QByteArray::number(int(item.split)) +
                     '\n');
    }
    Project shared = s.project;
    shared.dataset.root.clear(); // may be mounted elsewhere on each machine
    shared.training.threads = 0; // may differ per machine
    hash.addData(projectToJson(shared));
    return QStringLiteral("%1 images in %2 classes, %3 parameters, files and settings %4")
        .arg(s.index.items.size())
        .arg(s.index.classes.size())
        .arg(s.parameters)
        .arg(QString::fromLatin1(hash.result().toHex().left(12)));
}

// A distributed run whose processes lost each other mid-training: a failed run, with what rank
// 0 wrote so far intact.
TrainResult lostContact(Session& s, const DistributedError& error, TrainingObserver* observer,
                        RunLog& log)
{
    TrainResult result;
    result.runDir = s.runDir;
    result.lastCheckpoint = pathIn(s.runDir, runfiles::lastCheckpoint);
    result.history = s.state.history;
    result.ended.outcome = RunEndedEvent::Outcome::Failed;
    result.ended.reason = QString::fromUtf8(error.what());
    if (s.writer()) { // rank 0 knows where its run folder is
        result.ended.reason.replace(QStringLiteral("RUN_DIR"), native(s.runDir));
    }
    result.ended.epochsDone =
        s.state.history.isEmpty() ? 0 : s.state.history.epochs().last().epoch + 1;
    result.ended.bestEpoch = s.state.bestEpoch;
    log.write(QStringLiteral("Run failed: ") + result.ended.reason);
    if (observer != nullptr) {
        observer->runEnded(result.ended);
    }
    return result;
}

// Runs prepare() and fit(), turning LibTorch exceptions into messages. A new run writes its
// project.json once the data and the network are known to work. In a distributed run the
// processes agree that all of them are ready before the first batch, and only rank 0 writes.
Result<TrainResult> runSession(Session& s, const QString& checkpoint, bool fullState, bool newRun,
                               bool fitOutput, TrainingObserver* observer, TrainingControl* control)
{
    RunLog log(s.writer() ? pathIn(s.runDir, runfiles::log) : QString());
    try {
        Status prepared;
        try {
            prepared = prepare(s, checkpoint, fullState, fitOutput, observer, control);
        } catch (const std::bad_alloc&) {
            prepared = Failure{outOfMemoryMessage()};
        } catch (const std::exception& error) {
            prepared = Failure{failedMessage(error)};
        }
        if (s.group != nullptr) {
            prepared = s.group->agree(prepared, prepared ? fingerprintOf(s) : QString());
        }
        if (!prepared) {
            log.write(QStringLiteral("Could not start: ") + prepared.error());
            return Failure{prepared.error()};
        }
        if (s.group != nullptr) {
            // Rank 0's weights on every process, whatever each one's seed made.
            std::vector<torch::Tensor> tensors = s.module->parameters();
            for (const torch::Tensor& buffer : s.module->buffers()) {
                tensors.push_back(buffer);
            }
            s.group->broadcast(tensors);
        }
        if (newRun && s.writer()) {
            Status saved = saveProject(pathIn(s.runDir, runfiles::project), s.project);
            if (saved && !s.splits.isEmpty()) {
                saved = saveSplits(pathIn(s.runDir, runfiles::splits), s.splits);
            }
            if (!saved) {
                return Failure{saved.error()};
            }
        }
        std::unique_ptr<EventsFile> events;
        TrainingObserver* sink = observer;
        if (s.writer()) {
            events = std::make_unique<EventsFile>(pathIn(s.runDir, runfiles::events), observer);
            sink = events.get();
        }
        try {
            return fit(s, sink, control, log);
        } catch (const DistributedError& error) {
            return lostContact(s, error, sink, log);
        }
    } catch (const std::bad_alloc&) {
        return Failure{outOfMemoryMessage()};
    } catch (const DistributedError& error) {
        return Failure{QString::fromUtf8(error.what())};
    } catch (const std::exception& error) {
        return Failure{failedMessage(error)};
    }
}

} // namespace

Result<TrainResult> trainProject(const Project& project, const TrainOptions& options,
                                 TrainingObserver* observer, TrainingControl* control)
{
    std::unique_ptr<DistributedGroup> group;
    if (options.distributed.enabled()) {
        Result<std::unique_ptr<DistributedGroup>> joined =
            DistributedGroup::join(options.distributed);
        if (!joined) {
            return Failure{joined.error()};
        }
        group = std::move(*joined);
    }
    const bool writer = group == nullptr || group->rank() == 0;
    Status folder;
    if (!options.initialWeights.isEmpty() && !project.model.initFrom.isEmpty()) {
        folder = Failure{QStringLiteral("Both a checkpoint to continue (--weights) and a model to "
                                        "start from (model.init_from, --init-from) were given. "
                                        "Continue the same network with the first, or start a "
                                        "network on new classes from the second, not both.")};
    } else if (writer) {
        const QDir runDir(options.runDir);
        if (options.runDir.isEmpty()) {
            folder = Failure{QStringLiteral("No run folder given; choose where the run is "
                                            "written.")};
        } else if (runDir.exists() && !runDir.isEmpty()) {
            folder = Failure{QStringLiteral("The run folder '%1' is not empty. Choose a new "
                                            "folder, or continue that run with: classifier-cli "
                                            "resume %1")
                                 .arg(native(options.runDir))};
        } else if (!QDir().mkpath(options.runDir)) {
            folder = Failure{QStringLiteral("Cannot create the run folder '%1'. Choose a folder "
                                            "you can write to.")
                                 .arg(native(options.runDir))};
        }
    }
    if (group != nullptr) {
        folder = group->agree(folder, QString()); // nobody starts when rank 0 cannot write
    }
    if (!folder) {
        return Failure{folder.error()};
    }
    Session s;
    s.group = group.get();
    s.project = project;
    s.runDir = QDir(options.runDir).absolutePath();
    s.totalEpochs = options.epochs > 0 ? options.epochs : project.training.epochs;
    s.project.training.epochs = s.totalEpochs;
    s.batchEventIntervalMs = options.batchEventIntervalMs;
    s.splits = options.splits;
    Result<TrainResult> result = runSession(s, options.initialWeights, false, true,
                                            options.fitOutputToClasses, observer, control);
    if (writer && !result && !QFileInfo::exists(pathIn(s.runDir, runfiles::lastCheckpoint))) {
        QDir(s.runDir).removeRecursively(); // nothing was trained: leave no half-made run
    }
    return result;
}

namespace {

// Reads the run folder for resumeRun(): its project (with `epochs`) and the checkpoint to start
// from. The last checkpoint, or the one before it when the last is missing or damaged (killed
// while writing, disk trouble): a run loses at most one epoch, never all of them. Chosen before
// anything in the folder changes.
Status openRunToResume(Session& s, const QString& runDir, int epochs, QString* from)
{
    const QString projectPath = pathIn(runDir, runfiles::project);
    const QString checkpoint = pathIn(runDir, runfiles::lastCheckpoint);
    const QString previous = pathIn(runDir, runfiles::previousCheckpoint);
    if (!QFileInfo::exists(projectPath)) {
        return Failure{QStringLiteral("'%1' is not a run folder: it has no %2.")
                           .arg(native(runDir), runfiles::project)};
    }
    Result<LoadedProject> loaded = loadProject(projectPath);
    if (!loaded) {
        return Failure{loaded.error()};
    }
    if (QFileInfo::exists(checkpoint)) {
        const Status whole = verifyCheckpoint(checkpoint);
        if (whole) {
            *from = checkpoint;
        } else if (QFileInfo::exists(previous) && verifyCheckpoint(previous)) {
            *from = previous;
            s.warnings << QStringLiteral("%1 Resuming from the one before it, '%2'.")
                              .arg(whole.error(), native(previous));
        } else {
            return Failure{whole.error() +
                           QStringLiteral(" No earlier checkpoint is intact; start a new run.")};
        }
    } else if (QFileInfo::exists(previous) && verifyCheckpoint(previous)) {
        *from = previous;
        s.warnings << QStringLiteral("The run folder has no %1; resuming from '%2'.")
                          .arg(runfiles::lastCheckpoint, native(previous));
    }
    s.project = loaded->project;
    if (QFileInfo::exists(pathIn(runDir, runfiles::splits))) {
        Result<QHash<QString, Split>> splits = loadSplits(pathIn(runDir, runfiles::splits));
        if (!splits) {
            return Failure{splits.error()};
        }
        s.splits = std::move(*splits);
    }
    s.totalEpochs = epochs > 0 ? epochs : s.project.training.epochs;
    if (epochs > 0 && epochs != s.project.training.epochs) {
        s.project.training.epochs = epochs;
        const Status saved = saveProject(projectPath, s.project);
        if (!saved) {
            return Failure{saved.error()};
        }
    }
    return {};
}

} // namespace

Result<TrainResult> resumeRun(const QString& runDir, int epochs, TrainingObserver* observer,
                              TrainingControl* control, const DistributedOptions& distributed)
{
    std::unique_ptr<DistributedGroup> group;
    if (distributed.enabled()) {
        Result<std::unique_ptr<DistributedGroup>> joined = DistributedGroup::join(distributed);
        if (!joined) {
            return Failure{joined.error()};
        }
        group = std::move(*joined);
    }
    Session s;
    s.group = group.get();
    s.runDir = QDir(runDir).absolutePath();
    QString from;
    QTemporaryFile received; // the checkpoint rank 0 sent, on the other ranks
    Status opened;
    if (s.writer()) {
        opened = openRunToResume(s, runDir, epochs, &from);
    }
    if (group != nullptr) {
        opened = group->agree(opened, QString());
        if (!opened) {
            return Failure{opened.error()};
        }
        // Rank 0 sends the project and the checkpoint: the other machines need no copy of
        // the run folder, only the dataset at the same path.
        try {
            const QString project = QStringLiteral("resume/project");
            const QString checkpoint = QStringLiteral("resume/checkpoint");
            if (s.writer()) {
                group->publish(project, projectToJson(s.project));
                QFile file(from);
                group->publish(checkpoint, from.isEmpty() || !file.open(QIODevice::ReadOnly)
                                               ? QByteArray()
                                               : file.readAll());
            } else {
                Result<LoadedProject> loaded = projectFromJson(group->fetch(project));
                if (!loaded) {
                    return Failure{loaded.error()};
                }
                s.project = loaded->project;
                s.totalEpochs = s.project.training.epochs;
                const QByteArray bytes = group->fetch(checkpoint);
                if (!bytes.isEmpty()) {
                    if (!received.open() || received.write(bytes) != bytes.size() ||
                        !received.flush()) {
                        return Failure{QStringLiteral("Cannot write the checkpoint received "
                                                      "from rank 0 to '%1': free some space "
                                                      "in the temporary folder.")
                                           .arg(native(received.fileName()))};
                    }
                    from = received.fileName();
                }
            }
        } catch (const DistributedError& error) {
            return Failure{QString::fromUtf8(error.what())};
        }
    }
    if (!opened) {
        return Failure{opened.error()};
    }
    return runSession(s, from, !from.isEmpty(), false, false, observer, control);
}

} // namespace studio
