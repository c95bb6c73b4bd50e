#include "training/trainer.h"

#include "common/atomicfile.h"
#include "common/blaslibrary.h"
#include "common/environment.h"
#include "common/nativepath.h"
#include "common/runtime.h"
#include "dataset/datasetscanner.h"
#include "dataset/folds.h"
#include "dataset/imagecache.h"
#include "dataset/imageformats.h"
#include "dataset/inputspec.h"
#include "model/featureextractor.h"
#include "model/modelbuilder_p.h"
#include "project/project.h"
#include "training/checkpoint_p.h"
#include "training/distributed_p.h"
#include "training/eventsfile_p.h"
#include "training/fitloop_p.h"
#include "training/mixedprecision_p.h"
#include "training/optimizers_p.h"
#include "training/runlock.h"
#include "training/runlog_p.h"
#include "training/session_p.h"
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
#include <QTemporaryFile>

#include <cmath>
#include <memory>
#include <mutex>
#include <thread>

namespace studio {

namespace {

void setCpuRngState(const torch::Tensor& state)
{
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(state);
}

QString pathIn(const QString& dir, const QString& name)
{
    return QDir(dir).filePath(name);
}

// Sets the threads (processes sharing one machine share its cores) and the seed, warns when
// LibTorch runs on the slow reference BLAS; checks that the batch can be shared by the
// processes of a distributed run.
Status setUpProcess(Session& s)
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
    if (const QString advice = referenceBlasAdvice(loadedBlasLibrary()); !advice.isEmpty()) {
        s.warnings << advice;
    }
    if (s.project.training.precision == Precision::MixedBFloat16) {
        s.notes << QStringLiteral("Arithmetic: %1.")
                       .arg(describePrecision(s.project.training.precision));
    }
    if (s.project.training.precision == Precision::MixedBFloat16 && !cpuHasBFloat16Instructions()) {
        s.warnings << QStringLiteral(
            "training.precision is mixed_bfloat16, but this processor has no bfloat16 "
            "instructions (AVX-512 BF16 or AMX): training will be slower than in float32. Set "
            "Arithmetic (training.precision) to float32 unless you need bfloat16's numbers.");
    }
    torch::manual_seed(s.project.training.seed);
    if (s.project.training.batchSize % s.processes() != 0) {
        return Failure{QStringLiteral("batch_size %1 cannot be shared evenly by the %2 processes "
                                      "of the distributed run: choose a batch_size that is a "
                                      "multiple of %2 (each process trains on batch_size / %2 "
                                      "images per step).")
                           .arg(s.project.training.batchSize)
                           .arg(s.processes())};
    }
    return {};
}

// The standardize normalisation's statistics kept in the run folder (a resumed run), if any.
Status readRunStatistics(Session& s)
{
    const QString path = s.runFile(runfiles::inputStatistics);
    if (!s.spec.needsStatistics() || s.runDir.isEmpty() || !QFileInfo::exists(path)) {
        return {};
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Failure{
            QStringLiteral("Cannot read '%1': %2").arg(native(path), file.errorString())};
    }
    Result<ChannelStatistics> read = channelStatisticsFromJson(file.readAll(), s.spec, path);
    if (!read) {
        return Failure{read.error()};
    }
    s.statistics = *read;
    s.spec = s.statistics.appliedTo(s.spec);
    return {};
}

// Writes the standardize normalisation's statistics into `folder`, unless it holds them.
Status saveRunStatistics(const Session& s, const QString& folder)
{
    const QString path = pathIn(folder, runfiles::inputStatistics);
    if (!s.spec.needsStatistics() || QFileInfo::exists(path)) {
        return {};
    }
    return writeFileAtomically(path, channelStatisticsToJson(s.statistics, s.spec));
}

// Measures the standardize normalisation's statistics on the training split.
Status measureRunStatistics(Session& s, TrainingControl* control)
{
    QElapsedTimer clock;
    clock.start();
    Result<ChannelStatistics> measured = measureChannelStatistics(
        s.index, Split::Train, s.spec, 0, control != nullptr ? control->stopFlag() : nullptr);
    if (!measured) {
        return Failure{measured.error()};
    }
    s.statistics = *measured;
    s.spec = s.statistics.appliedTo(s.spec);
    QStringList means;
    QStringList deviations;
    for (int c = 0; c < s.statistics.mean.size(); ++c) {
        means << QString::number(s.statistics.mean[c], 'g', 6);
        deviations << QString::number(s.statistics.std[c], 'g', 6);
    }
    s.notes << QStringLiteral("Standardised with each channel's mean (%1) and standard deviation "
                              "(%2), measured on %3 training images in %4 s.")
                   .arg(means.join(QStringLiteral(", ")), deviations.join(QStringLiteral(", ")))
                   .arg(s.statistics.images)
                   .arg(double(clock.elapsed()) / 1000.0, 0, 'f', 1);
    if (s.statistics.unreadable > 0) {
        s.notes << QStringLiteral("%1 training image(s) could not be read for these statistics "
                                  "(deleted or changed since the scan) and were left out of them.")
                       .arg(s.statistics.unreadable);
    }
    return {};
}

// scanDataset() into s.index (and s.cache when `cached`) with the run's explicit split.
Status scanInto(Session& s, TrainingObserver* observer, TrainingControl* control, bool cached)
{
    const DatasetSettings& dataset = s.project.dataset;
    s.cache = std::make_unique<ImageCache>(s.spec.shape(), dataset.cacheBudgetBytes);
    ScanOptions scan;
    scan.cache = cached ? s.cache.get() : nullptr;
    scan.spec = &s.spec;
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
    // Training on images that are blank once their alpha is dropped would learn nothing.
    if (const ClassImageFormats all = combinedFormats(s.index.formats);
        all.pictureInAlphaOnly > 0) {
        s.warnings << pictureInAlphaWarning(all.pictureInAlphaOnly, all.images);
    }
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
    return {};
}

// Scans the dataset into s.index and s.cache (with the run's explicit split, if any), telling
// the observer how far loading got; the run needs validation images. With standardize, the
// statistics come from the run folder or are measured on the training split; padding needs them
// (its fill is in normalised units), so a padded dataset is then cached by a second scan.
Status loadData(Session& s, TrainingObserver* observer, TrainingControl* control)
{
    s.spec = inputSpecOf(s.project.dataset);
    if (const Status read = readRunStatistics(s); !read) {
        return read;
    }
    const bool measures = !s.spec.hasStatistics();
    Status scanned = scanInto(s, observer, control, !measures || s.spec.resize != ResizeMode::Pad);
    if (scanned && measures) {
        scanned = measureRunStatistics(s, control);
        if (scanned && s.spec.resize == ResizeMode::Pad) {
            scanned = scanInto(s, observer, control, true);
        }
    }
    return scanned;
}

// Builds s.module for the dataset's classes (a new output layer when asked, or when starting
// from a model trained on other classes, whose matching layers it copies) and its optimizer.
Status buildNetwork(Session& s, bool fitOutput, bool startsFromModel)
{
    if (const Status measured = measureFeatureExtractors(&s.project.model); !measured) {
        return measured;
    }
    const int classes = int(s.index.classes.size());
    if (fitOutput || startsFromModel) { // a model trained on other classes gets a new output
        s.project.model = withOutputUnits(s.project.model, classes);
    }
    const InputShape input = inputShapeFor(s.project.dataset);
    Result<torch::nn::Sequential> module = buildModule(s.project.model, input, classes);
    if (!module) {
        return Failure{module.error()};
    }
    s.module = *module;
    s.device = preferredDevice();
    s.module->to(s.device);
    if (prefersChannelsLast(s.project.model)) {
        s.format = torch::MemoryFormat::ChannelsLast;
        useChannelsLast(*s.module);
    }
    activateAfterMaxPooling(s.module);   // the same network, with less to activate
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
    return {};
}

// Loads the weights (and, for `fullState`, the optimizer and the run's state) to continue from.
Status loadStartingCheckpoint(Session& s, const QString& checkpoint, bool fullState)
{
    const Status loaded =
        loadCheckpoint(checkpoint, *s.module, s.optimizer.get(), fullState ? &s.state : nullptr);
    if (!loaded) {
        return loaded;
    }
    if (s.format == torch::MemoryFormat::ChannelsLast) {
        useChannelsLast(*s.module); // loading replaced the tensors with the file's layout
    }
    if (fullState && s.state.rngState.defined()) {
        setCpuRngState(s.state.rngState);
    }
    return {};
}

// Scans the data, builds the module and optimizer, and loads a checkpoint when asked.
Status prepare(Session& s, const QString& checkpoint, bool fullState, bool fitOutput,
               TrainingObserver* observer, TrainingControl* control)
{
    Status status = setUpProcess(s);
    if (status) {
        status = loadData(s, observer, control);
    }
    const bool startsFromModel = checkpoint.isEmpty() && !s.project.model.initFrom.isEmpty();
    if (status) {
        status = buildNetwork(s, fitOutput, startsFromModel);
    }
    if (status && !checkpoint.isEmpty()) {
        status = loadStartingCheckpoint(s, checkpoint, fullState);
    }
    return status;
}

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
        if (s.writer()) {
            if (const Status saved = saveRunStatistics(s, s.runDir); !saved) {
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

QString Session::runFile(const QString& name) const
{
    return pathIn(runDir, name);
}

QString rescueRun(Session& s, const RunState& state, const QString& error)
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
        saved = saveRunStatistics(s, folder);
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
    RunLock lock; // held by the process that writes the run folder until the run ends
    if (writer && folder) {
        Result<RunLock> taken = RunLock::acquire(options.runDir);
        folder = taken ? Status() : Status(Failure{taken.error()});
        if (taken) {
            lock = std::move(*taken);
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
        // Nothing was trained: leave no half-made run. The lock goes first, while its file is
        // still there to remove.
        lock.release();
        QDir(s.runDir).removeRecursively();
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

// Takes the run folder's lock (refused while another process writes it), then
// openRunToResume().
Status lockAndOpenRun(Session& s, const QString& runDir, int epochs, QString* from, RunLock* lock)
{
    if (!QFileInfo(runDir).isDir()) {
        return openRunToResume(s, runDir, epochs, from); // says it is not a run folder
    }
    Result<RunLock> taken = RunLock::acquire(runDir);
    if (!taken) {
        return Failure{taken.error()};
    }
    *lock = std::move(*taken);
    return openRunToResume(s, runDir, epochs, from);
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
    RunLock lock; // held by the process that writes the run folder until the run ends
    if (s.writer()) {
        opened = lockAndOpenRun(s, runDir, epochs, &from, &lock);
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
