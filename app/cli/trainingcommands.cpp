// classifier-cli commands of the training area: train and resume.
#include "clicommand.h"

#include "dataset/datasetschema.h"
#include "dataset/folds.h"
#include "dataset/inputproposal.h"
#include "model/featureextractor.h"
#include "model/modelsummary.h"
#include "model/modeltemplates.h"
#include "project/project.h"
#include "project/settingsschema.h"
#include "project/trainingschema.h"
#include "runs/crossvalidation.h"
#include "runs/runcatalog.h"
#include "training/runlock.h"
#include "training/trainer.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>

#include <csignal>
#include <cstdio>
#include <memory>
#include <unistd.h>
#include <utility>
#include <vector>

namespace studio::cli {

namespace {

TrainingControl* g_control = nullptr;

// SIGINT: the first Ctrl-C asks the trainer to stop after the batch; a second one kills.
extern "C" void onInterrupt(int)
{
    if (g_control != nullptr) {
        g_control->requestStop();
    }
    std::signal(SIGINT, SIG_DFL);
}

// Prints training events: a progress line redrawn in place on a terminal, one line per epoch,
// or JSON lines with --json. Called on the training thread (here: the main thread).
class ProgressPrinter : public TrainingObserver
{
public:
    explicit ProgressPrinter(bool json) : m_json(json), m_terminal(isatty(fileno(stdout)) != 0) {}

    void loading(const LoadingEvent& event) override
    {
        if (m_json) {
            line(toJson(event));
        } else if (m_terminal) {
            std::printf("\r\033[KLoading images %lld/%lld", static_cast<long long>(event.done),
                        static_cast<long long>(event.total));
            std::fflush(stdout);
        }
    }

    void runStarted(const RunStartedEvent& event) override
    {
        if (m_json) {
            line(toJson(event));
            return;
        }
        if (m_terminal) {
            std::printf("\r\033[K");
        }
        for (const QString& warning : event.warnings) {
            printError(QStringLiteral("Warning: ") + warning);
        }
        for (const QString& note : event.notes) {
            printOut(note);
        }
        printOut(QStringLiteral("Training on %1 (%2 threads): %3 training and %4 validation "
                                "images, %5 parameters, epochs %6 to %7.")
                     .arg(event.device)
                     .arg(event.threads)
                     .arg(event.trainImages)
                     .arg(event.validationImages)
                     .arg(formatThousands(event.parameters))
                     .arg(event.firstEpoch + 1)
                     .arg(event.epochs));
        m_epochs = event.epochs;
    }

    void batchDone(const BatchEvent& event) override
    {
        if (m_json || !m_terminal) {
            return;
        }
        std::printf("\r\033[KEpoch %d/%d  batch %d/%d  loss %.4f  accuracy %.4f  %.0f images/s  "
                    "ETA %s",
                    event.epoch + 1, m_epochs, event.batch, event.batches, event.loss,
                    event.accuracy, event.imagesPerSecond,
                    qPrintable(durationText(event.etaSeconds)));
        std::fflush(stdout);
    }

    void epochDone(const EpochEvent& event) override
    {
        if (m_json) {
            line(toJson(event));
            return;
        }
        const EpochRecord& r = event.record;
        if (m_terminal) {
            std::printf("\r\033[K");
        }
        for (const QString& warning : event.warnings) {
            printError(QStringLiteral("Warning: ") + warning);
        }
        printOut(QStringLiteral("Epoch %1/%2  loss %3  accuracy %4  val_loss %5  val_accuracy "
                                "%6  lr %7  %8 s  %9 images/s%10")
                     .arg(r.epoch + 1)
                     .arg(m_epochs)
                     .arg(r.metrics.loss, 0, 'f', 4)
                     .arg(r.metrics.accuracy, 0, 'f', 4)
                     .arg(r.metrics.valLoss, 0, 'f', 4)
                     .arg(r.metrics.valAccuracy, 0, 'f', 4)
                     .arg(r.learningRate, 0, 'g', 3)
                     .arg(r.seconds, 0, 'f', 1)
                     .arg(r.imagesPerSecond, 0, 'f', 0)
                     .arg(event.isBest ? QStringLiteral("  (best)") : QString()));
    }

    void advice(const AdviceEvent& event) override
    {
        if (m_json) {
            line(toJson(event));
            return;
        }
        if (m_terminal) {
            std::printf("\r\033[K");
        }
        printError(QStringLiteral("Advice (%1): %2").arg(event.code, event.message));
    }

    void runEnded(const RunEndedEvent& event) override
    {
        if (m_json) {
            line(toJson(event));
            return;
        }
        if (m_terminal) {
            std::printf("\r\033[K");
            std::fflush(stdout);
        }
    }

private:
    void line(QJsonObject object) const
    {
        for (auto it = m_tag.constBegin(); it != m_tag.constEnd(); ++it) {
            object.insert(it.key(), it.value());
        }
        printOut(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
    }

public:
    // Keys added to every JSON line (a cross-validation's "fold" and "repeat").
    void setTag(const QJsonObject& tag) { m_tag = tag; }

private:
    QJsonObject m_tag;
    bool m_json;
    bool m_terminal;
    int m_epochs = 0;
};

// Runs a training call with Ctrl-C wired to a graceful stop; prints the outcome.
template <typename Call> int runTraining(bool json, Call call)
{
    TrainingControl control;
    g_control = &control;
    std::signal(SIGINT, onInterrupt);
    ProgressPrinter printer(json);
    const Result<TrainResult> result = call(&printer, &control);
    std::signal(SIGINT, SIG_DFL);
    g_control = nullptr;
    if (!result) {
        printError(result.error());
        return ExitBadInput;
    }
    const RunEndedEvent& ended = result->ended;
    if (!json) {
        QString text;
        switch (ended.outcome) {
        case RunEndedEvent::Outcome::Finished:
            text = QStringLiteral("Finished %1 epochs in %2 s.")
                       .arg(ended.epochsDone)
                       .arg(result->seconds, 0, 'f', 1);
            break;
        case RunEndedEvent::Outcome::Stopped:
            text = QStringLiteral("Stopped.");
            break;
        case RunEndedEvent::Outcome::Failed:
            text = QStringLiteral("Failed.");
            break;
        }
        if (!ended.reason.isEmpty()) {
            text += QLatin1Char(' ') + ended.reason;
        }
        if (ended.bestEpoch >= 0) {
            text += QStringLiteral(" Best epoch: %1.").arg(ended.bestEpoch + 1);
        }
        if (ended.testCount > 0) {
            text += QStringLiteral(" Test accuracy: %1 on %2 images.")
                        .arg(ended.testAccuracy, 0, 'f', 4)
                        .arg(ended.testCount);
        }
        if (!ended.modelPath.isEmpty()) {
            text += QStringLiteral(" Model: %1.").arg(QDir::toNativeSeparators(ended.modelPath));
        }
        text += QStringLiteral(" Run folder: %1").arg(QDir::toNativeSeparators(result->runDir));
        if (ended.outcome == RunEndedEvent::Outcome::Failed) {
            printError(text);
        } else {
            printOut(text);
        }
        if (!ended.int8Check.isEmpty()) {
            printOut(ended.int8Check);
        }
    }
    switch (ended.outcome) {
    case RunEndedEvent::Outcome::Finished:
        return ExitOk;
    case RunEndedEvent::Outcome::Stopped:
        return ExitInterrupted;
    case RunEndedEvent::Outcome::Failed:
        break;
    }
    return ExitFailure;
}

// The options of a distributed run, shared by train and resume.
void addDistributedOptions(QCommandLineParser& parser)
{
    parser.addOption({QStringLiteral("world-size"),
                      QStringLiteral("Processes in a distributed run (default: WORLD_SIZE, or 1)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("rank"),
                      QStringLiteral("This process in a distributed run, 0 to N-1; rank 0 writes "
                                     "the run folder (default: RANK)."),
                      QStringLiteral("R")});
    parser.addOption({QStringLiteral("master"),
                      QStringLiteral("Where rank 0 meets the others (default: MASTER_ADDR and "
                                     "MASTER_PORT, port 29500)."),
                      QStringLiteral("HOST:PORT")});
    parser.addOption({QStringLiteral("timeout"),
                      QStringLiteral("Seconds to wait for the other processes, to meet and at "
                                     "every step, before giving up (default 300)."),
                      QStringLiteral("SECONDS")});
}

// Reads --world-size, --rank, --master and --timeout, falling back to torchrun's WORLD_SIZE,
// RANK, MASTER_ADDR and MASTER_PORT. Prints what is wrong and returns false on bad values.
bool distributedOptions(const QCommandLineParser& parser, DistributedOptions* options)
{
    const auto value = [&](const QString& option, const char* variable) {
        return parser.isSet(option) ? parser.value(option)
                                    : qEnvironmentVariable(variable).trimmed();
    };
    const auto number = [](const QString& text, const QString& what, int minimum, int maximum,
                           int* out) {
        bool ok = false;
        const int parsed = text.toInt(&ok);
        if (!ok || parsed < minimum || parsed > maximum) {
            printError(QStringLiteral("%1 must be a whole number from %2 to %3, got '%4'.")
                           .arg(what)
                           .arg(minimum)
                           .arg(maximum)
                           .arg(text));
            return false;
        }
        *out = parsed;
        return true;
    };
    const QString worldSize = value(QStringLiteral("world-size"), "WORLD_SIZE");
    if (!worldSize.isEmpty() && !number(worldSize, QStringLiteral("--world-size (or WORLD_SIZE)"),
                                        1, 4096, &options->worldSize)) {
        return false;
    }
    if (!intOption(parser, QStringLiteral("timeout"), 1, &options->timeoutSeconds)) {
        return false;
    }
    if (!options->enabled()) {
        return true;
    }
    const QString rank = value(QStringLiteral("rank"), "RANK");
    if (rank.isEmpty()) {
        printError(QStringLiteral("A distributed run needs --rank R (or RANK): 0 on the process "
                                  "that writes the run folder, 1 to %1 on the others.")
                       .arg(options->worldSize - 1));
        return false;
    }
    if (!number(rank, QStringLiteral("--rank (or RANK)"), 0, options->worldSize - 1,
                &options->rank)) {
        return false;
    }
    QString host = qEnvironmentVariable("MASTER_ADDR").trimmed();
    QString port = qEnvironmentVariable("MASTER_PORT").trimmed();
    if (parser.isSet(QStringLiteral("master"))) {
        const QString master = parser.value(QStringLiteral("master"));
        const int colon = master.lastIndexOf(QLatin1Char(':'));
        host = colon > 0 ? master.left(colon) : master;
        port = colon > 0 ? master.mid(colon + 1) : QString();
        if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']'))) {
            host = host.mid(1, host.size() - 2); // [IPv6]:port
        }
    }
    if (host.isEmpty()) {
        printError(QStringLiteral("A distributed run needs --master HOST:PORT (or MASTER_ADDR "
                                  "and MASTER_PORT): the address of the machine running rank "
                                  "0, and a free port there."));
        return false;
    }
    options->masterAddress = host;
    if (!port.isEmpty() &&
        !number(port, QStringLiteral("The master port (--master HOST:PORT or MASTER_PORT)"), 1,
                65535, &options->masterPort)) {
        return false;
    }
    return true;
}

// The options that say what to train, shared by train and crossval: a project file or a
// dataset folder with a template, and the settings that override it.
void addProjectOptions(QCommandLineParser& parser)
{
    parser.addOption(
        {QStringLiteral("project"), QStringLiteral("Project file."), QStringLiteral("P.json")});
    parser.addOption({QStringLiteral("data"),
                      QStringLiteral("Dataset folder (instead of --project)."),
                      QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("template"),
                      QStringLiteral("Network template with --data: %1 (default seed).")
                          .arg(templateNames().join(QStringLiteral(", "))),
                      QStringLiteral("NAME")});
    // The options that set one project setting each, described and checked by the schema.
    for (const SettingField* field : allSettingFields()) {
        if (!field->cliOption.isEmpty()) {
            parser.addOption(settingOption(*field));
        }
    }
    parser.addOption({QStringLiteral("no-augment"), QStringLiteral("Switch augmentation off.")});
    parser.addOption({QStringLiteral("init-from"),
                      QStringLiteral("Start from a model trained earlier, maybe on other classes "
                                     "(transfer learning, model.init_from): its layers whose "
                                     "shapes fit are copied, the output layer is new."),
                      QStringLiteral("MODEL.pt")});
    parser.addOption({QStringLiteral("feature-extractor"),
                      QStringLiteral("Put a frozen TorchScript feature extractor (e.g. a "
                                     "torchvision backbone exported by a colleague) in place of "
                                     "the network's layers up to its first Flatten; the layers "
                                     "after it train."),
                      QStringLiteral("FILE.pt")});
    parser.addOption({QStringLiteral("freeze-first"),
                      QStringLiteral("Freeze the first N layers (Keras's trainable = False): "
                                     "their weights do not change."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON object per event.")});
}

// The project file, or the template's network on the dataset folder (whose output layer the
// trainer then sizes to the classes: *fitOutput).
bool baseProject(const QCommandLineParser& parser, Project* project, bool* fitOutput)
{
    const bool hasProject = parser.isSet(QStringLiteral("project"));
    if (hasProject == parser.isSet(QStringLiteral("data"))) {
        printError(QStringLiteral("Give either --project P.json or --data DIR."));
        return false;
    }
    *project = defaultProject();
    *fitOutput = !hasProject;
    if (hasProject) {
        if (parser.isSet(QStringLiteral("template"))) {
            printError(
                QStringLiteral("--template goes with --data; the project file has its layers."));
            return false;
        }
        Result<LoadedProject> loaded = loadProject(parser.value(QStringLiteral("project")));
        if (!loaded) {
            printError(loaded.error());
            return false;
        }
        for (const QString& warning : loaded->warnings) {
            printError(QStringLiteral("warning: ") + warning);
        }
        *project = loaded->project;
        return true;
    }
    const QString name = parser.isSet(QStringLiteral("template"))
                             ? parser.value(QStringLiteral("template"))
                             : QStringLiteral("seed");
    Result<ModelTemplate> model = loadTemplate(name);
    if (!model) {
        printError(model.error());
        return false;
    }
    project->model = model->model;
    project->dataset.colorMode = model->colorMode;
    if (!model->imageSizes.isEmpty()) {
        project->dataset.imageSize = model->imageSizes.first();
    }
    project->dataset.root = QDir(parser.value(QStringLiteral("data"))).absolutePath();
    // The images decide the channels and normalisation (as on the Data page), not the template.
    const InputProposal proposal =
        proposeInputSettings(sampleFormats(project->dataset.root), project->dataset);
    project->dataset = proposal.settings;
    // A reason is printed only when no option overrides what it proposes.
    const DatasetSchema& f = datasetSchema();
    QStringList reasons;
    if (!parser.isSet(f.channels.cliOption) && !parser.isSet(f.colorMode.cliOption)) {
        reasons << proposal.channelReasons;
    }
    if (!parser.isSet(f.normalization.cliOption)) {
        reasons << proposal.normalizationReasons;
    }
    for (const QString& reason : reasons) {
        printError(QStringLiteral("proposed: ") + reason);
    }
    return true;
}

// Applies the options that override the project's settings; prints what is wrong.
// --feature-extractor FILE: the file's extractor in place of the layers up to the first Flatten
// (as the Model page's Use a Feature Extractor…). Its input size defaults to the image size.
bool useFeatureExtractorOption(const QCommandLineParser& parser, Project* project)
{
    if (!parser.isSet(QStringLiteral("feature-extractor"))) {
        return true;
    }
    FeatureExtractorSpec defaults;
    defaults.inputSize = {project->dataset.imageSize, project->dataset.imageSize};
    const Result<FeatureExtractorSpec> extractor = inspectFeatureExtractor(
        QFileInfo(parser.value(QStringLiteral("feature-extractor"))).absoluteFilePath(), defaults);
    if (!extractor) {
        printError(QStringLiteral("--feature-extractor: %1").arg(extractor.error()));
        return false;
    }
    project->model = withFeatureExtractor(project->model, *extractor, 0);
    return true;
}

// Sets each schema option given through the project reader: the same names, checks and
// messages as the file's.
bool applySchemaOptions(const QCommandLineParser& parser, Project* project)
{
    for (const SettingField* field : allSettingFields()) {
        if (field->cliOption.isEmpty()) {
            continue;
        }
        const std::optional<QJsonValue> value = settingOptionValue(parser, *field);
        if (!value) {
            return false;
        }
        if (value->isNull()) {
            continue;
        }
        const Status set = setProjectValue(project, field->path(), *value);
        if (!set) {
            printError(QStringLiteral("--%1: %2").arg(field->cliOption, set.error()));
            return false;
        }
    }
    return true;
}

bool applySettingOptions(const QCommandLineParser& parser, Project* project)
{
    if (!applySchemaOptions(parser, project)) {
        return false;
    }
    if (parser.isSet(QStringLiteral("no-augment"))) {
        project->augmentation.enabled = false;
    }
    if (parser.isSet(QStringLiteral("init-from"))) {
        project->model.initFrom =
            QFileInfo(parser.value(QStringLiteral("init-from"))).absoluteFilePath();
    }
    int frozen = 0;
    if (!intOption(parser, QStringLiteral("freeze-first"), 0, &frozen)) {
        return false;
    }
    if (frozen > project->model.layers.size()) {
        printError(QStringLiteral("--freeze-first %1: the network has only %2 layers.")
                       .arg(frozen)
                       .arg(project->model.layers.size()));
        return false;
    }
    for (int i = 0; i < frozen; ++i) {
        project->model.layers[i].trainable = false;
    }
    return useFeatureExtractorOption(parser, project);
}

int runTrain(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Trains a network as the project file describes (or on a dataset folder with a "
        "template) and writes a run folder: project.json, history.csv, log.txt, "
        "checkpoint-last.ckpt and checkpoint-best.ckpt; at the end model.pt and, when the "
        "dataset has a test split, its evaluation in evaluation/. Ctrl-C stops after the "
        "current batch with a checkpoint; 'classifier-cli resume RUN_DIR' continues."));
    addProjectOptions(parser);
    parser.addOption(
        {QStringLiteral("weights"),
         QStringLiteral("Start from the weights of a checkpoint (continue a saved model)."),
         QStringLiteral("CKPT")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("Run folder to create (required)."),
                      QStringLiteral("RUN_DIR")});
    parser.addOption({QStringLiteral("dry-run"),
                      QStringLiteral("Check the options and print the project the run would use "
                                     "(as project.json), without training or writing anything.")});
    parser.addOption({QStringLiteral("splits"),
                      QStringLiteral("Use this split of the images instead of the folders' or the "
                                     "automatic one: a splits.json from a run folder (a "
                                     "cross-validation fold's)."),
                      QStringLiteral("SPLITS.json")});
    addDistributedOptions(parser);
    if (const int code = parseOrExit(parser, arguments); code >= 0) {
        return code;
    }
    Project project;
    TrainOptions options;
    if (!baseProject(parser, &project, &options.fitOutputToClasses)) {
        return ExitBadInput;
    }
    if (!parser.isSet(QStringLiteral("out"))) {
        printError(QStringLiteral("--out RUN_DIR is required: the folder the run is written to."));
        return ExitBadInput;
    }
    if (!applySettingOptions(parser, &project)) {
        return ExitBadInput;
    }
    if (parser.isSet(QStringLiteral("dry-run"))) {
        printOut(QString::fromUtf8(projectToJson(project)));
        return ExitOk;
    }
    options.runDir = parser.value(QStringLiteral("out"));
    options.initialWeights = parser.value(QStringLiteral("weights"));
    if (parser.isSet(QStringLiteral("splits"))) {
        Result<QHash<QString, Split>> splits = loadSplits(parser.value(QStringLiteral("splits")));
        if (!splits) {
            printError(QStringLiteral("--splits: %1").arg(splits.error()));
            return ExitBadInput;
        }
        options.splits = *splits;
    }
    if (!distributedOptions(parser, &options.distributed)) {
        return ExitBadInput;
    }
    return runTraining(parser.isSet(QStringLiteral("json")),
                       [&](TrainingObserver* observer, TrainingControl* control) {
                           return trainProject(project, options, observer, control);
                       });
}

// Prints a cross-validation: each fold's run as train prints it (JSON lines tagged with their
// fold), a line per finished fold, and the summary.
class FoldPrinter : public CrossValidationObserver
{
public:
    explicit FoldPrinter(bool json) : m_json(json), m_printer(json) {}

    TrainingObserver* foldStarting(int repeat, int fold, const QString& runDir) override
    {
        ++m_started;
        m_printer.setTag(
            {{QStringLiteral("fold"), fold + 1}, {QStringLiteral("repeat"), repeat + 1}});
        if (!m_json) {
            printOut(QStringLiteral("Fold %1, repeat %2: %3")
                         .arg(fold + 1)
                         .arg(repeat + 1)
                         .arg(QDir::toNativeSeparators(runDir)));
        }
        return &m_printer;
    }
    void foldEnded(const FoldScore& score) override
    {
        if (!m_json) {
            printOut(QStringLiteral("Fold %1: accuracy %2, balanced accuracy %3, macro F1 %4 on "
                                    "%5 held-out images.")
                         .arg(score.fold + 1)
                         .arg(score.accuracy, 0, 'f', 4)
                         .arg(score.balancedAccuracy, 0, 'f', 4)
                         .arg(score.macroF1, 0, 'f', 4)
                         .arg(score.testCount));
        }
    }
    int started() const { return m_started; }

private:
    bool m_json;
    ProgressPrinter m_printer;
    int m_started = 0;
};

// One fold trained by a child process (classifier-cli train --splits), for crossval --jobs.
struct FoldProcess
{
    const PlannedFold* fold = nullptr;
    std::unique_ptr<QProcess> process;
    QByteArray pending; // stdout not yet ended by a newline
};

// Prints the complete JSON lines a fold's process wrote so far, tagged with its fold and repeat.
void forwardFoldLines(FoldProcess& running, bool json)
{
    running.pending += running.process->readAllStandardOutput();
    const int end = int(running.pending.lastIndexOf('\n'));
    if (end < 0) {
        return;
    }
    const QByteArray complete = running.pending.left(end);
    running.pending.remove(0, end + 1);
    if (!json) {
        return;
    }
    for (const QByteArray& text : complete.split('\n')) {
        QJsonObject object = QJsonDocument::fromJson(text).object();
        if (object.isEmpty()) {
            continue;
        }
        object.insert(QStringLiteral("fold"), running.fold->fold + 1);
        object.insert(QStringLiteral("repeat"), running.fold->repeat + 1);
        printOut(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
    }
}

// Trains the plan's folds as `jobs` child processes at a time, each with `threads` threads; a
// Ctrl-C (control) is passed on to them. The folds' scores, or the first failure.
Result<QVector<FoldScore>> trainFoldsInProcesses(const CrossValidationPlan& plan, int jobs,
                                                 int threads, bool json, FoldPrinter& printer,
                                                 TrainingControl& control)
{
    QTemporaryDir inputs;
    if (!inputs.isValid()) {
        return Failure{QStringLiteral("Cannot create a temporary folder for the folds' settings: "
                                      "%1")
                           .arg(inputs.errorString())};
    }
    QVector<FoldScore> scores;
    std::vector<FoldProcess> running;
    int next = 0;
    QString failure;
    bool interrupted = false;
    while ((next < plan.runs.size() && failure.isEmpty() && !control.stopRequested()) ||
           !running.empty()) {
        if (control.stopRequested() && !interrupted) {
            interrupted = true; // each child writes its checkpoint and stops
            for (FoldProcess& child : running) {
                ::kill(pid_t(child.process->processId()), SIGINT);
            }
        }
        while (int(running.size()) < jobs && next < plan.runs.size() && failure.isEmpty() &&
               !control.stopRequested()) {
            const PlannedFold& fold = plan.runs[next++];
            const QString base =
                inputs.filePath(QStringLiteral("fold-%1-%2").arg(fold.repeat).arg(fold.fold));
            Status written = saveProject(base + QStringLiteral(".project.json"), fold.project);
            if (written) {
                written = saveSplits(base + QStringLiteral(".splits.json"), fold.splits);
            }
            if (!written) {
                failure = written.error();
                break;
            }
            FoldProcess child;
            child.fold = &fold;
            child.process = std::make_unique<QProcess>();
            child.process->setProcessChannelMode(QProcess::SeparateChannels);
            printer.foldStarting(fold.repeat, fold.fold, fold.runDir);
            child.process->start(QCoreApplication::applicationFilePath(),
                                 {QStringLiteral("train"), QStringLiteral("--project"),
                                  base + QStringLiteral(".project.json"),
                                  QStringLiteral("--splits"), base + QStringLiteral(".splits.json"),
                                  QStringLiteral("--out"), fold.runDir, QStringLiteral("--threads"),
                                  QString::number(threads), QStringLiteral("--json")});
            running.push_back(std::move(child));
        }
        for (auto it = running.begin(); it != running.end();) {
            it->process->waitForFinished(50);
            forwardFoldLines(*it, json);
            if (it->process->state() != QProcess::NotRunning) {
                ++it;
                continue;
            }
            const PlannedFold& fold = *it->fold;
            RunEndedEvent ended;
            if (it->process->exitStatus() != QProcess::NormalExit || it->process->exitCode() != 0) {
                ended.outcome = it->process->exitCode() == 130 ? RunEndedEvent::Outcome::Stopped
                                                               : RunEndedEvent::Outcome::Failed;
                ended.reason = QString::fromUtf8(it->process->readAllStandardError()).trimmed();
            }
            Result<FoldScore> score = scoreFold(plan, fold, ended);
            if (score) {
                scores.append(*score);
                printer.foldEnded(*score);
            } else if (failure.isEmpty()) {
                failure = score.error();
            }
            it = running.erase(it);
        }
    }
    if (!failure.isEmpty()) {
        return Failure{failure};
    }
    if (control.stopRequested()) {
        return Failure{QStringLiteral("Stopped. The folds that finished are in '%1'.")
                           .arg(QDir::toNativeSeparators(plan.outDir))};
    }
    return scores;
}

int runCrossval(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Cross-validates: splits every image of the dataset into K stratified folds (keeping "
        "the project's groups whole), trains one run per fold whose test split is the held-out "
        "fold (validation comes from the other folds), and writes OUT/fold-K run folders, "
        "OUT/crossval.json and OUT/crossval.csv with each fold's scores and their mean and "
        "standard deviation."));
    addProjectOptions(parser);
    parser.addOption(
        {QStringLiteral("folds"), QStringLiteral("Folds (k, default 5)."), QStringLiteral("K")});
    parser.addOption({QStringLiteral("repeats"),
                      QStringLiteral("Repeat with other folds and seeds (default 1); folders "
                                     "OUT/repeat-R/fold-K."),
                      QStringLiteral("R")});
    parser.addOption({QStringLiteral("out"),
                      QStringLiteral("Folder to create for the folds and the summary (required)."),
                      QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("jobs"),
                      QStringLiteral("Folds trained at once, each in its own process with the "
                                     "cores shared out (default 1: one after the other, with all "
                                     "cores)."),
                      QStringLiteral("N")});
    if (const int code = parseOrExit(parser, arguments); code >= 0) {
        return code;
    }
    Project project;
    CrossValidationOptions options;
    if (!baseProject(parser, &project, &options.fitOutputToClasses) ||
        !applySettingOptions(parser, &project) ||
        !intOption(parser, QStringLiteral("folds"), 2, &options.folds) ||
        !intOption(parser, QStringLiteral("repeats"), 1, &options.repeats)) {
        return ExitBadInput;
    }
    int jobs = 1;
    if (!intOption(parser, QStringLiteral("jobs"), 1, &jobs)) {
        return ExitBadInput;
    }
    if (!parser.isSet(QStringLiteral("out"))) {
        printError(QStringLiteral("--out DIR is required: the folder the folds are written to."));
        return ExitBadInput;
    }
    options.outDir = parser.value(QStringLiteral("out"));
    const bool json = parser.isSet(QStringLiteral("json"));
    TrainingControl control;
    g_control = &control;
    std::signal(SIGINT, onInterrupt);
    FoldPrinter printer(json);
    Result<CrossValidationSummary> summary = Failure{};
    if (jobs == 1) {
        summary = crossValidate(project, options, &printer, &control);
    } else {
        const Result<CrossValidationPlan> plan = planCrossValidation(project, options, &control);
        // Held until the summary is written, as crossValidate() does.
        const Result<RunLock> lock =
            plan ? RunLock::acquire(plan->outDir) : Result<RunLock>(Failure{plan.error()});
        const int threads = project.training.threads > 0
                                ? project.training.threads
                                : qMax(1, QThread::idealThreadCount() / jobs);
        const Result<QVector<FoldScore>> scores =
            lock ? trainFoldsInProcesses(*plan, jobs, threads, json, printer, control)
                 : Result<QVector<FoldScore>>(Failure{lock.error()});
        summary = scores ? finishCrossValidation(*plan, *scores)
                         : Result<CrossValidationSummary>(Failure{scores.error()});
    }
    std::signal(SIGINT, SIG_DFL);
    g_control = nullptr;
    if (!summary) {
        printError(summary.error());
        if (printer.started() == 0) {
            return ExitBadInput;
        }
        return control.stopRequested() ? ExitInterrupted : ExitFailure;
    }
    if (json) {
        QJsonObject object = summaryToJson(*summary);
        object.insert(QStringLiteral("event"), QStringLiteral("crossval"));
        printOut(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
        return ExitOk;
    }
    for (const QString& line : summaryText(*summary)) {
        printOut(line);
    }
    printOut(QStringLiteral("Summary: %1")
                 .arg(QDir::toNativeSeparators(
                     QDir(options.outDir).filePath(crossvalfiles::summaryJson))));
    return ExitOk;
}

int runResume(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Continues a run from its last checkpoint with the full training state, after a stop, "
        "a crash or a restart; with --epochs, trains to that many epochs in total."));
    parser.addPositionalArgument(QStringLiteral("RUN_DIR"), QStringLiteral("The run folder."));
    parser.addOption(
        {QStringLiteral("epochs"),
         QStringLiteral("Total epochs of the run, %1.").arg(trainingSchema().epochs.describe()),
         QStringLiteral("N")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON object per event.")});
    addDistributedOptions(parser);
    if (const int code = parseOrExit(parser, arguments); code >= 0) {
        return code;
    }
    if (parser.positionalArguments().size() != 1) {
        printError(QStringLiteral("resume needs exactly one RUN_DIR."));
        return ExitBadInput;
    }
    int epochs = 0;
    if (!intSettingOption(parser, trainingSchema().epochs, &epochs)) {
        return ExitBadInput;
    }
    DistributedOptions distributed;
    if (!distributedOptions(parser, &distributed)) {
        return ExitBadInput;
    }
    const QString runDir = parser.positionalArguments().first();
    return runTraining(parser.isSet(QStringLiteral("json")),
                       [&](TrainingObserver* observer, TrainingControl* control) {
                           return resumeRun(runDir, epochs, observer, control, distributed);
                       });
}

} // namespace

QVector<CliCommand> trainingCommands()
{
    return {{QStringLiteral("train"), QStringLiteral("train a network and write a run folder"),
             &runTrain},
            {QStringLiteral("crossval"),
             QStringLiteral("cross-validate: train k folds and summarise their scores"),
             &runCrossval},
            {QStringLiteral("resume"), QStringLiteral("continue a run from its last checkpoint"),
             &runResume}};
}

} // namespace studio::cli
