#include "runreport.h"

#include "dataset/datasetscanner.h"
#include "dataset/folds.h"
#include "evaluation/metricsjson.h"
#include "project/settingsschema.h"
#include "runs/runcatalog.h"
#include "runs/runcomparison.h"
#include "training/eventsreader.h"
#include "training/trainer.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

namespace studio {

namespace {

QByteArray readBytes(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString sha256Of(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return QString();
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return QString::fromLatin1(hash.result().toHex());
}

// The time of log.txt's first line ("2026-12-04T20:30:07 Run started ...").
QDateTime startTimeFromLog(const QString& runDir)
{
    const QByteArray log = readBytes(QDir(runDir).filePath(runfiles::log));
    return QDateTime::fromString(QString::fromUtf8(log.left(19)), Qt::ISODate);
}

// The started event with the system (the first: a resumed run adds more) and the last ending.
void readEvents(RunReport* report)
{
    EventsReader reader(QDir(report->runDir).filePath(runfiles::events));
    for (const RunEvent& event : reader.readNew().events) {
        if (event.kind == RunEvent::Kind::Started && !report->hasStarted) {
            report->started = event.started;
            report->hasStarted = true;
        } else if (event.kind == RunEvent::Kind::Started && report->environment.isEmpty()) {
            report->environment = event.started.environment;
        } else if (event.kind == RunEvent::Kind::Epoch) {
            report->trainingSeconds += event.epoch.record.seconds;
        } else if (event.kind == RunEvent::Kind::Ended) {
            report->ended = event.ended;
            report->hasEnded = true;
        }
    }
    if (report->hasStarted && !report->started.environment.isEmpty()) {
        report->environment = report->started.environment;
    }
}

// The learning-rate changes ReduceLROnPlateau made, EarlyStopping's ending and the best epoch
// kept, in sentences.
QStringList callbackActionsOf(const RunReport& r)
{
    QStringList actions;
    const QVector<EpochRecord>& epochs = r.history.epochs();
    const CallbackSettings& callbacks = r.project.training.callbacks;
    for (int i = 1; i < epochs.size(); ++i) {
        if (callbacks.reduceLrOnPlateau.enabled &&
            epochs[i].learningRate < epochs[i - 1].learningRate * 0.999) {
            actions << QStringLiteral("ReduceLROnPlateau lowered the learning rate from %1 to %2 "
                                      "before epoch %3.")
                           .arg(epochs[i - 1].learningRate)
                           .arg(epochs[i].learningRate)
                           .arg(epochs[i].epoch + 1);
        }
    }
    const bool stoppedEarly = r.hasEnded && r.ended.outcome == RunEndedEvent::Outcome::Finished &&
                              r.ended.epochsDone < r.project.training.epochs &&
                              callbacks.earlyStopping.enabled;
    if (stoppedEarly) {
        actions << QStringLiteral("EarlyStopping (monitor %1, patience %2) ended the run after "
                                  "epoch %3 of %4%5.")
                       .arg(callbacks.earlyStopping.monitor)
                       .arg(callbacks.earlyStopping.patience)
                       .arg(r.ended.epochsDone)
                       .arg(r.project.training.epochs)
                       .arg(callbacks.earlyStopping.restoreBestWeights
                                ? QStringLiteral(" and restored the weights of the best epoch")
                                : QString());
    }
    if (r.hasEnded && r.ended.bestEpoch >= 0 && callbacks.modelCheckpoint.enabled) {
        actions << QStringLiteral("ModelCheckpoint kept epoch %1 as the best (monitor %2).")
                       .arg(r.ended.bestEpoch + 1)
                       .arg(callbacks.modelCheckpoint.monitor);
    }
    return actions;
}

// Images per class and split from a scan of the dataset with the run's split.
void countImages(RunReport* r)
{
    const int n = int(r->classes.size());
    const QString splitsFile = QDir(r->runDir).filePath(runfiles::splits);
    r->explicitSplit = QFileInfo::exists(splitsFile);
    if (!QFileInfo(r->project.dataset.root).isDir()) {
        r->countsNote = QStringLiteral("The dataset folder %1 is no longer there: the counts per "
                                       "class are not known.")
                            .arg(QDir::toNativeSeparators(r->project.dataset.root));
        return;
    }
    ScanOptions options;
    options.writeManifest = false;
    Result<DatasetIndex> index = scanDataset(r->project.dataset, options);
    if (index.ok() && r->explicitSplit) {
        const Result<QHash<QString, Split>> splits = loadSplits(splitsFile);
        const Status applied =
            splits.ok() ? applySplits(&*index, nullptr, *splits) : Status(Failure{splits.error()});
        if (!applied) {
            index = Failure{applied.error()};
        }
    }
    if (!index.ok()) {
        r->countsNote =
            QStringLiteral("The dataset could not be scanned again (%1).").arg(index.error());
        return;
    }
    r->skipped = index->skipped;
    r->counts = QVector<QVector<int>>(n, QVector<int>(3, 0));
    for (int c = 0; c < n; ++c) {
        const int label = int(index->classes.indexOf(r->classes[c]));
        for (int s = 0; s < 3 && label >= 0; ++s) {
            r->counts[c][s] = index->count(Split(s), label);
        }
    }
    const bool sameTotals =
        !r->hasStarted || (index->count(Split::Train) == r->started.trainImages &&
                           index->count(Split::Validation) == r->started.validationImages);
    if (!sameTotals) {
        r->countsNote = QStringLiteral("The dataset folder has changed since the run: it now "
                                       "holds %1 training and %2 validation images, the run "
                                       "trained on %3 and %4. The counts are today's.")
                            .arg(index->count(Split::Train))
                            .arg(index->count(Split::Validation))
                            .arg(r->started.trainImages)
                            .arg(r->started.validationImages);
    }
}

} // namespace

Result<RunReport> readRunReport(const QString& runDir)
{
    RunReport r;
    r.runDir = QFileInfo(runDir).absoluteFilePath();
    const QString projectFile = QDir(r.runDir).filePath(runfiles::project);
    if (!QFileInfo::exists(projectFile)) {
        return Failure{QStringLiteral("%1 is not a run folder: it has no %2. Choose a folder that "
                                      "classifier-cli train or the Train page made.")
                           .arg(QDir::toNativeSeparators(r.runDir), runfiles::project)};
    }
    const Result<LoadedProject> project = loadProject(projectFile);
    if (!project.ok()) {
        return Failure{project.error()};
    }
    r.project = project->project;
    const QByteArray historyCsv = readBytes(QDir(r.runDir).filePath(runfiles::history));
    if (!historyCsv.isEmpty()) {
        if (Result<History> history = History::fromCsv(historyCsv, runfiles::history)) {
            r.history = *history;
        }
    }
    readEvents(&r);
    r.startedAt = startTimeFromLog(r.runDir);
    const QString evaluationFile =
        QDir(r.runDir).filePath(QStringLiteral("evaluation/evaluation.json"));
    if (QFileInfo::exists(evaluationFile)) {
        Result<EvaluationMetrics> metrics = loadMetricsFile(evaluationFile);
        if (!metrics.ok()) {
            return Failure{metrics.error()};
        }
        r.evaluation = *metrics;
        r.hasEvaluation = true;
        r.classes = metrics->classes;
    }
    const QString model = QDir(r.runDir).filePath(QStringLiteral("model.pt"));
    if (QFileInfo::exists(model)) {
        r.modelPath = model;
        r.modelSha256 = sha256Of(model);
    }
    countImages(&r);
    const int classCount = int(r.classes.size());
    r.summary = summarizeModel(classCount > 0 ? withOutputUnits(r.project.model, classCount)
                                              : r.project.model,
                               inputShapeFor(r.project.dataset), classCount);
    r.callbackActions = callbackActionsOf(r);
    return r;
}

Result<CrossValidationReport> readCrossValidationReport(const QString& outDir)
{
    Result<CrossValidationSummary> summary = loadCrossValidation(outDir);
    if (!summary.ok()) {
        return Failure{summary.error()};
    }
    CrossValidationReport report;
    report.outDir = QFileInfo(outDir).absoluteFilePath();
    report.summary = *summary;
    for (const FoldScore& score : summary->scores) {
        const QString runDir = QDir(report.outDir).filePath(score.runDir);
        Result<RunReport> fold =
            readRunReport(QFileInfo(score.runDir).isAbsolute() ? score.runDir : runDir);
        if (!fold.ok()) {
            return Failure{fold.error()};
        }
        report.folds << *fold;
    }
    if (report.folds.isEmpty()) {
        return Failure{QStringLiteral("The cross-validation in %1 has no finished fold to report.")
                           .arg(QDir::toNativeSeparators(outDir))};
    }
    return report;
}

QString describeOptimizer(const TrainingSettings& t)
{
    switch (t.optimizer.kind) {
    case OptimizerKind::Sgd:
        return t.optimizer.sgd.momentum > 0
                   ? QStringLiteral("SGD with momentum %1%2")
                         .arg(t.optimizer.sgd.momentum)
                         .arg(t.optimizer.sgd.nesterov ? QStringLiteral(", Nesterov") : QString())
                   : QStringLiteral("SGD");
    case OptimizerKind::RmsProp:
        return QStringLiteral("RMSprop with rho %1").arg(t.optimizer.rmsprop.rho);
    case OptimizerKind::Adam:
        break;
    }
    return QStringLiteral("Adam with beta_1 %1, beta_2 %2%3")
        .arg(t.optimizer.adam.beta1)
        .arg(t.optimizer.adam.beta2)
        .arg(t.optimizer.adam.amsgrad ? QStringLiteral(", AMSGrad") : QString());
}

QString settingValueText(const QJsonObject& projectJson, const QString& path)
{
    const int dot = int(path.lastIndexOf(QLatin1Char('.')));
    const QJsonValue value = projectValueAt(projectJson, path.left(dot), path.mid(dot + 1));
    if (value.isUndefined() || value.isNull()) {
        return QString();
    }
    const SettingField* field = findSettingField(path);
    const int choice = field && value.isString() ? field->choiceIndex(value.toString()) : -1;
    return choice >= 0
               ? QStringLiteral("%1 (%2)").arg(field->choices[choice].label, value.toString())
               : jsonValueText(value);
}

} // namespace studio
