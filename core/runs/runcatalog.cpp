// The runs catalog (see runcatalog.h). Torch-free: reads the files a run folder holds.
#include "runs/runcatalog.h"

#include "common/atomicfile.h"
#include "common/nativepath.h"
#include "evaluation/metricsjson.h"
#include "model/modelsummary.h"
#include "model/modeltemplates.h"
#include "project/project.h"
#include "training/eventsreader.h"
#include "training/runlock.h"
#include "training/trainer.h"

#include <QCollator>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace studio {

namespace {

bool isFoldName(const QString& name)
{
    static const QRegularExpression fold(QStringLiteral("^fold-[0-9]+$"));
    return fold.match(name).hasMatch();
}

bool isRepeatName(const QString& name)
{
    static const QRegularExpression repeat(QStringLiteral("^repeat-[0-9]+$"));
    return repeat.match(name).hasMatch();
}

QStringList subfolders(const QString& dir)
{
    QStringList names = QDir(dir).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    std::sort(names.begin(), names.end(), [](const QString& a, const QString& b) {
        return QString::localeAwareCompare(a, b) < 0;
    });
    return names;
}

// The fold run folders of a cross-validation: OUT/fold-K or OUT/repeat-R/fold-K, in order.
QStringList foldFolders(const QString& dir)
{
    QStringList folds;
    for (const QString& name : subfolders(dir)) {
        const QString path = QDir(dir).filePath(name);
        if (isFoldName(name) && isRunFolder(path)) {
            folds << path;
        } else if (isRepeatName(name)) {
            for (const QString& inner : subfolders(path)) {
                const QString fold = QDir(path).filePath(inner);
                if (isFoldName(inner) && isRunFolder(fold)) {
                    folds << fold;
                }
            }
        }
    }
    QCollator collator;
    collator.setNumericMode(true);
    std::sort(folds.begin(), folds.end(),
              [&](const QString& a, const QString& b) { return collator.compare(a, b) < 0; });
    return folds;
}

// The first and last time stamps of log.txt ("2026-12-04T20:19:10 Run started ...").
std::pair<QDateTime, QDateTime> logSpan(const QString& runDir)
{
    QFile file(QDir(runDir).filePath(runfiles::log));
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    QDateTime first, last;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine();
        const QDateTime stamp =
            QDateTime::fromString(QString::fromUtf8(line.left(line.indexOf(' '))), Qt::ISODate);
        if (stamp.isValid()) {
            if (!first.isValid()) {
                first = stamp;
            }
            last = stamp;
        }
    }
    return {first, last};
}

// The network's name: the template whose layers (but the output's units) it has, else "custom".
QString networkName(const ModelSpec& model)
{
    if (model.layers.isEmpty()) {
        return QString();
    }
    for (const QString& name : templateNames()) {
        const Result<ModelTemplate> t = loadTemplate(name);
        if (t && t->model.layers.size() == model.layers.size() &&
            std::equal(t->model.layers.begin(), t->model.layers.end() - 1, model.layers.begin())) {
            return name;
        }
    }
    return QStringLiteral("custom");
}

void readProject(RunSummary& run, QStringList& problems)
{
    const QString path = QDir(run.path).filePath(runfiles::project);
    if (!QFileInfo::exists(path)) {
        problems << QStringLiteral("it has no %1").arg(runfiles::project);
        return;
    }
    const Result<LoadedProject> loaded = loadProject(path);
    if (!loaded) {
        problems << loaded.error();
        return;
    }
    const Project& p = loaded->project;
    run.dataset = p.dataset.root;
    run.network = networkName(p.model);
    run.layers = int(p.model.layers.size());
    run.imageSize = p.dataset.imageSize;
    run.channels = p.dataset.channels();
    run.epochsPlanned = p.training.epochs;
}

void readHistory(RunSummary& run, QStringList& problems)
{
    if (!QFileInfo::exists(QDir(run.path).filePath(runfiles::history))) {
        return; // no epoch finished yet
    }
    const Result<History> history = loadRunHistory(run.path);
    if (!history) {
        problems << history.error();
        return;
    }
    run.epochsRun = history->size();
    for (const EpochRecord& record : history->epochs()) {
        const double value = record.metrics.valAccuracy;
        if (std::isfinite(value) &&
            (!std::isfinite(run.bestValidationAccuracy) || value > run.bestValidationAccuracy)) {
            run.bestValidationAccuracy = value;
            run.bestEpoch = record.epoch;
        }
    }
}

void readEvaluation(RunSummary& run, QStringList& problems)
{
    const QString path = QDir(run.path).filePath(QStringLiteral("evaluation/evaluation.json"));
    if (!QFileInfo::exists(path)) {
        return;
    }
    const Result<EvaluationMetrics> metrics = loadMetricsFile(path);
    if (!metrics) {
        problems << metrics.error();
        return;
    }
    run.testCount = metrics->count;
    run.testAccuracy = metrics->accuracy;
    run.testAccuracyInterval = metrics->accuracyInterval;
    run.balancedAccuracy = metrics->balancedAccuracy;
    run.balancedAccuracyInterval = metrics->balancedAccuracyInterval;
}

// The last end recorded in events.jsonl after the last start (a resumed run starts again).
bool readEnd(const QString& runDir, RunEndedEvent* ended)
{
    EventsReader reader(QDir(runDir).filePath(runfiles::events));
    bool found = false;
    for (const RunEvent& event : reader.readNew().events) {
        if (event.kind == RunEvent::Kind::Started) {
            found = false;
        } else if (event.kind == RunEvent::Kind::Ended) {
            *ended = event.ended;
            found = true;
        }
    }
    return found;
}

void readStatus(RunSummary& run)
{
    const RunLockState lock = runLockState(run.path);
    RunEndedEvent ended;
    if (lock.held) {
        run.status = RunStatus::Running;
        run.reason = QStringLiteral("%1 (process %2 on %3)")
                         .arg(lock.application.isEmpty() ? QStringLiteral("being written")
                                                         : lock.application)
                         .arg(lock.pid)
                         .arg(lock.host);
    } else if (readEnd(run.path, &ended)) {
        run.status = ended.outcome == RunEndedEvent::Outcome::Finished  ? RunStatus::Finished
                     : ended.outcome == RunEndedEvent::Outcome::Stopped ? RunStatus::Stopped
                                                                        : RunStatus::Failed;
        run.reason = ended.reason;
    } else {
        run.status = RunStatus::Interrupted;
        run.reason = QStringLiteral("No end was recorded and no process is writing it (it "
                                    "crashed or was killed); 'classifier-cli resume %1' "
                                    "continues it.")
                         .arg(native(run.path));
    }
}

void readTimes(RunSummary& run)
{
    const auto [first, last] = logSpan(run.path);
    run.started = first.isValid()
                      ? first
                      : QFileInfo(QDir(run.path).filePath(runfiles::project)).lastModified();
    if (!first.isValid()) {
        return;
    }
    const QDateTime end = run.status == RunStatus::Running ? QDateTime::currentDateTime() : last;
    run.durationSeconds = double(first.secsTo(end));
}

double finiteOr(double value, double fallback)
{
    return std::isfinite(value) ? value : fallback;
}

QString percent(double value)
{
    return std::isfinite(value) ? QStringLiteral("%1%").arg(value * 100, 0, 'f', 1)
                                : QStringLiteral("-");
}

QString meanSdText(const MeanSd& m)
{
    return m.n > 0 && std::isfinite(m.mean)
               ? QStringLiteral("%1% ± %2%").arg(m.mean * 100, 0, 'f', 1).arg(m.sd * 100, 0, 'f', 1)
               : QStringLiteral("-");
}

QJsonValue number(double value)
{
    return std::isfinite(value) ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

QJsonValue interval(double value, const Interval& i)
{
    return std::isfinite(value) ? QJsonValue(QJsonArray{i.low, i.high})
                                : QJsonValue(QJsonValue::Null);
}

QJsonObject meanSdJson(const MeanSd& m)
{
    return {{QStringLiteral("mean"), number(m.n > 0 ? m.mean : RunSummary::kUnknown)},
            {QStringLiteral("sd"), number(m.n > 0 ? m.sd : RunSummary::kUnknown)},
            {QStringLiteral("n"), m.n}};
}

// The cross-validation's status from its lock, its folds and whether its summary is there.
void crossValidationStatus(RunSummary& cv)
{
    const RunLockState lock = runLockState(cv.path);
    const auto running = std::find_if(cv.folds.begin(), cv.folds.end(), [](const RunSummary& f) {
        return f.status == RunStatus::Running;
    });
    const auto bad = std::find_if(cv.folds.begin(), cv.folds.end(), [](const RunSummary& f) {
        return f.status != RunStatus::Finished;
    });
    if (lock.held || running != cv.folds.end()) {
        cv.status = RunStatus::Running;
        cv.reason = running != cv.folds.end() ? running->name + QStringLiteral(" is training")
                                              : QStringLiteral("starting");
    } else if (QFileInfo::exists(QDir(cv.path).filePath(crossvalfiles::summaryJson))) {
        cv.status = RunStatus::Finished;
    } else if (bad != cv.folds.end()) {
        cv.status = bad->status == RunStatus::Unreadable ? RunStatus::Unreadable : bad->status;
        cv.reason =
            QStringLiteral("%1 %2: %3").arg(bad->name, runStatusName(bad->status), bad->reason);
    } else {
        cv.status = RunStatus::Interrupted;
        cv.reason = QStringLiteral("It ended before its summary (%1) was written.")
                        .arg(crossvalfiles::summaryJson);
    }
}

// The cross-validation's row: the first fold's settings, the span of the folds' times.
void summarizeCrossValidationRow(RunSummary& cv)
{
    QVector<FoldScore> scores;
    QDateTime end;
    for (const RunSummary& fold : cv.folds) {
        if (fold.testCount > 0) {
            FoldScore score;
            score.accuracy = fold.testAccuracy;
            score.balancedAccuracy = fold.balancedAccuracy;
            scores << score;
        }
        if (fold.started.isValid() && (!cv.started.isValid() || fold.started < cv.started)) {
            cv.started = fold.started;
        }
        if (fold.started.isValid() && fold.durationSeconds >= 0) {
            const QDateTime foldEnd = fold.started.addSecs(qint64(fold.durationSeconds));
            end = !end.isValid() || foldEnd > end ? foldEnd : end;
        }
        cv.epochsRun += fold.epochsRun;
        cv.epochsPlanned += fold.epochsPlanned;
        cv.testCount += fold.testCount;
    }
    const CrossValidationSummary summary = summarizeFolds({}, 0, 0, scores);
    cv.foldAccuracy = summary.accuracy;
    cv.foldBalancedAccuracy = summary.balancedAccuracy;
    cv.testAccuracy = summary.accuracy.mean;
    cv.balancedAccuracy = summary.balancedAccuracy.mean;
    cv.durationSeconds = end.isValid() ? double(cv.started.secsTo(end)) : -1;
    if (!cv.folds.isEmpty()) {
        const RunSummary& first = cv.folds.first();
        cv.dataset = first.dataset;
        cv.network = first.network;
        cv.layers = first.layers;
        cv.imageSize = first.imageSize;
        cv.channels = first.channels;
    }
}

void collect(const QString& dir, int depth, QVector<RunSummary>* runs)
{
    if (isCrossValidationFolder(dir)) {
        runs->append(readCrossValidation(dir));
        return;
    }
    if (isRunFolder(dir)) {
        runs->append(readRun(dir));
        return;
    }
    if (depth <= 0) {
        return;
    }
    for (const QString& name : subfolders(dir)) {
        collect(QDir(dir).filePath(name), depth - 1, runs);
    }
}

} // namespace

QString durationText(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0) {
        return QStringLiteral("-");
    }
    const qint64 s = qint64(seconds + 0.5);
    return s >= 3600 ? QStringLiteral("%1:%2:%3")
                           .arg(s / 3600)
                           .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
                           .arg(s % 60, 2, 10, QLatin1Char('0'))
                     : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QString runStatusName(RunStatus status)
{
    switch (status) {
    case RunStatus::Finished:
        return QStringLiteral("finished");
    case RunStatus::Stopped:
        return QStringLiteral("stopped");
    case RunStatus::Failed:
        return QStringLiteral("failed");
    case RunStatus::Running:
        return QStringLiteral("running");
    case RunStatus::Interrupted:
        return QStringLiteral("interrupted");
    case RunStatus::Unreadable:
        break;
    }
    return QStringLiteral("unreadable");
}

bool isRunFolder(const QString& dir)
{
    const QDir d(dir);
    for (const QString& file :
         {runfiles::project, runfiles::events, runfiles::history, runfiles::log, kRunLockFile}) {
        if (QFileInfo::exists(d.filePath(file))) {
            return !isCrossValidationFolder(dir);
        }
    }
    return false;
}

bool isCrossValidationFolder(const QString& dir)
{
    return QFileInfo::exists(QDir(dir).filePath(crossvalfiles::summaryJson)) ||
           (!QFileInfo::exists(QDir(dir).filePath(runfiles::project)) &&
            !foldFolders(dir).isEmpty());
}

RunSummary readRun(const QString& dir)
{
    RunSummary run;
    run.path = QFileInfo(dir).absoluteFilePath();
    run.name = QFileInfo(run.path).fileName();
    QStringList problems;
    readStatus(run);
    if (run.status != RunStatus::Running ||
        QFileInfo::exists(QDir(dir).filePath(runfiles::project))) {
        readProject(run, problems);
    }
    readHistory(run, problems);
    readEvaluation(run, problems);
    readTimes(run);
    run.note = runNote(dir);
    if (!problems.isEmpty()) {
        run.status = RunStatus::Unreadable;
        run.reason = problems.join(QLatin1Char(' '));
    }
    return run;
}

RunSummary readCrossValidation(const QString& dir)
{
    RunSummary cv;
    cv.path = QFileInfo(dir).absoluteFilePath();
    cv.name = QFileInfo(cv.path).fileName();
    cv.crossValidation = true;
    for (const QString& fold : foldFolders(dir)) {
        RunSummary run = readRun(fold);
        run.name = QDir(cv.path).relativeFilePath(run.path);
        cv.folds << run;
    }
    summarizeCrossValidationRow(cv);
    crossValidationStatus(cv);
    cv.note = runNote(dir);
    return cv;
}

QVector<RunSummary> listRuns(const QString& root, int depth)
{
    QVector<RunSummary> runs;
    if (QFileInfo(root).isDir()) {
        collect(root, depth, &runs);
    }
    return runs;
}

QString runColumnTitle(RunColumn column)
{
    static const QStringList titles = {
        QStringLiteral("Started"),        QStringLiteral("Run"),
        QStringLiteral("Dataset"),        QStringLiteral("Network"),
        QStringLiteral("Size"),           QStringLiteral("Epochs"),
        QStringLiteral("Best val. acc."), QStringLiteral("Test accuracy"),
        QStringLiteral("Balanced acc."),  QStringLiteral("Duration"),
        QStringLiteral("Status"),         QStringLiteral("Note")};
    return titles.value(int(column));
}

QString runColumnKey(RunColumn column)
{
    static const QStringList keys = {
        QStringLiteral("started"),  QStringLiteral("name"),          QStringLiteral("dataset"),
        QStringLiteral("network"),  QStringLiteral("size"),          QStringLiteral("epochs"),
        QStringLiteral("best_val"), QStringLiteral("test_accuracy"), QStringLiteral("balanced"),
        QStringLiteral("duration"), QStringLiteral("status"),        QStringLiteral("note")};
    return keys.value(int(column));
}

RunColumn runColumnFromKey(const QString& key)
{
    for (int c = 0; c < int(RunColumn::Count); ++c) {
        if (runColumnKey(RunColumn(c)) == key) {
            return RunColumn(c);
        }
    }
    return RunColumn::Count;
}

QString runCell(const RunSummary& run, RunColumn column)
{
    switch (column) {
    case RunColumn::Started:
        return run.started.isValid() ? run.started.toString(QStringLiteral("yyyy-MM-dd hh:mm"))
                                     : QStringLiteral("-");
    case RunColumn::Name:
        return run.name;
    case RunColumn::Dataset:
        return native(run.dataset);
    case RunColumn::Network:
        return run.network;
    case RunColumn::ImageSize:
        return run.imageSize > 0 ? QStringLiteral("%1x%2x%3")
                                       .arg(run.imageSize)
                                       .arg(run.imageSize)
                                       .arg(run.channels)
                                 : QStringLiteral("-");
    case RunColumn::Epochs:
        return QStringLiteral("%1/%2").arg(run.epochsRun).arg(run.epochsPlanned);
    case RunColumn::BestValidation:
        return std::isfinite(run.bestValidationAccuracy)
                   ? QStringLiteral("%1 (ep. %2)")
                         .arg(percent(run.bestValidationAccuracy))
                         .arg(run.bestEpoch + 1)
                   : QStringLiteral("-");
    case RunColumn::TestAccuracy:
        return run.crossValidation ? meanSdText(run.foldAccuracy)
               : run.testCount > 0 ? formatWithInterval(run.testAccuracy, run.testAccuracyInterval)
                                   : QStringLiteral("-");
    case RunColumn::BalancedAccuracy:
        return run.crossValidation ? meanSdText(run.foldBalancedAccuracy)
               : run.testCount > 0
                   ? formatWithInterval(run.balancedAccuracy, run.balancedAccuracyInterval)
                   : QStringLiteral("-");
    case RunColumn::Duration:
        return durationText(run.durationSeconds);
    case RunColumn::Status:
        return run.status == RunStatus::Unreadable ? QStringLiteral("unreadable: ") + run.reason
               : run.status == RunStatus::Failed && !run.reason.isEmpty()
                   ? QStringLiteral("failed: ") + run.reason
                   : runStatusName(run.status);
    case RunColumn::Note:
        return run.note.section(QLatin1Char('\n'), 0, 0);
    case RunColumn::Count:
        break;
    }
    return QString();
}

bool runLess(const RunSummary& a, const RunSummary& b, RunColumn column)
{
    constexpr double low = -std::numeric_limits<double>::infinity();
    switch (column) {
    case RunColumn::Started:
        return a.started < b.started;
    case RunColumn::ImageSize:
        return std::make_pair(a.imageSize, a.channels) < std::make_pair(b.imageSize, b.channels);
    case RunColumn::Epochs:
        return a.epochsRun < b.epochsRun;
    case RunColumn::BestValidation:
        return finiteOr(a.bestValidationAccuracy, low) < finiteOr(b.bestValidationAccuracy, low);
    case RunColumn::TestAccuracy:
        return finiteOr(a.testAccuracy, low) < finiteOr(b.testAccuracy, low);
    case RunColumn::BalancedAccuracy:
        return finiteOr(a.balancedAccuracy, low) < finiteOr(b.balancedAccuracy, low);
    case RunColumn::Duration:
        return a.durationSeconds < b.durationSeconds;
    case RunColumn::Status:
        return int(a.status) < int(b.status);
    default:
        return QString::localeAwareCompare(runCell(a, column), runCell(b, column)) < 0;
    }
}

void sortRuns(QVector<RunSummary>* runs, RunColumn column, bool descending)
{
    std::stable_sort(runs->begin(), runs->end(), [&](const RunSummary& a, const RunSummary& b) {
        return descending ? runLess(b, a, column) : runLess(a, b, column);
    });
    for (RunSummary& run : *runs) {
        sortRuns(&run.folds, column, descending);
    }
}

QJsonObject runToJson(const RunSummary& run)
{
    QJsonObject json{{QStringLiteral("path"), run.path},
                     {QStringLiteral("name"), run.name},
                     {QStringLiteral("kind"),
                      run.crossValidation ? QStringLiteral("crossval") : QStringLiteral("run")},
                     {QStringLiteral("started"), run.started.isValid()
                                                     ? QJsonValue(run.started.toString(Qt::ISODate))
                                                     : QJsonValue()},
                     {QStringLiteral("duration_seconds"),
                      run.durationSeconds >= 0 ? QJsonValue(run.durationSeconds) : QJsonValue()},
                     {QStringLiteral("dataset"), run.dataset},
                     {QStringLiteral("network"), run.network},
                     {QStringLiteral("layers"), run.layers},
                     {QStringLiteral("image_size"), run.imageSize},
                     {QStringLiteral("channels"), run.channels},
                     {QStringLiteral("epochs_run"), run.epochsRun},
                     {QStringLiteral("epochs_planned"), run.epochsPlanned},
                     {QStringLiteral("best_val_accuracy"), number(run.bestValidationAccuracy)},
                     {QStringLiteral("best_epoch"),
                      run.bestEpoch >= 0 ? QJsonValue(run.bestEpoch + 1) : QJsonValue()},
                     {QStringLiteral("test_count"), run.testCount},
                     {QStringLiteral("test_accuracy"), number(run.testAccuracy)},
                     {QStringLiteral("balanced_accuracy"), number(run.balancedAccuracy)},
                     {QStringLiteral("status"), runStatusName(run.status)},
                     {QStringLiteral("reason"), run.reason},
                     {QStringLiteral("note"), run.note}};
    if (!run.crossValidation) {
        json.insert(QStringLiteral("test_accuracy_ci"),
                    interval(run.testAccuracy, run.testAccuracyInterval));
        json.insert(QStringLiteral("balanced_accuracy_ci"),
                    interval(run.balancedAccuracy, run.balancedAccuracyInterval));
        return json;
    }
    json.insert(QStringLiteral("accuracy"), meanSdJson(run.foldAccuracy));
    json.insert(QStringLiteral("balanced_accuracy_over_folds"),
                meanSdJson(run.foldBalancedAccuracy));
    QJsonArray folds;
    for (const RunSummary& fold : run.folds) {
        folds.append(runToJson(fold));
    }
    json.insert(QStringLiteral("folds"), folds);
    return json;
}

Result<History> loadRunHistory(const QString& runDir)
{
    const QString path = QDir(runDir).filePath(runfiles::history);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Failure{
            QStringLiteral("Cannot read '%1': %2.").arg(native(path), file.errorString())};
    }
    return History::fromCsv(file.readAll(), native(path));
}

QString runNote(const QString& runDir)
{
    QFile file(QDir(runDir).filePath(kRunNoteFile));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()).trimmed() : QString();
}

Status setRunNote(const QString& runDir, const QString& note)
{
    const QString path = QDir(runDir).filePath(kRunNoteFile);
    if (!QFileInfo(runDir).isDir()) {
        return Failure{
            QStringLiteral("'%1' is not a folder; the note was not saved.").arg(native(runDir))};
    }
    if (note.trimmed().isEmpty()) {
        if (QFileInfo::exists(path) && !QFile::remove(path)) {
            return Failure{QStringLiteral("Cannot remove '%1'; check that the folder is writable.")
                               .arg(native(path))};
        }
        return {};
    }
    return writeFileAtomically(path, note.trimmed().toUtf8() + '\n');
}

Status moveRunToTrash(const QString& runDir)
{
    if (!QFileInfo(runDir).isDir()) {
        return Failure{
            QStringLiteral("'%1' is not a folder; nothing was moved.").arg(native(runDir))};
    }
    QStringList locked = {runDir};
    locked += foldFolders(runDir);
    for (const QString& dir : locked) {
        const RunLockState lock = runLockState(dir);
        if (lock.held) {
            return Failure{
                QStringLiteral("'%1' is being written by process %2 on %3; stop that run "
                               "before deleting it. Nothing was moved.")
                    .arg(native(dir))
                    .arg(lock.pid)
                    .arg(lock.host)};
        }
    }
    QFile folder(runDir);
    if (!folder.moveToTrash()) {
        return Failure{QStringLiteral("Cannot move '%1' to the trash: %2. Nothing was deleted.")
                           .arg(native(runDir), folder.errorString())};
    }
    return {};
}

} // namespace studio
