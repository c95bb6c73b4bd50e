#include "runs/crossvalidation.h"

#include "common/atomicfile.h"
#include "common/nativepath.h"
#include "dataset/datasetscanner.h"
#include "dataset/folds.h"
#include "evaluation/metricsjson.h"
#include "model/modelsummary.h"
#include "project/project.h"
#include "training/runlock.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <limits>

namespace studio {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

MeanSd meanSd(const QVector<double>& values)
{
    MeanSd result;
    double sum = 0;
    for (const double v : values) {
        if (std::isfinite(v)) {
            sum += v;
            ++result.n;
        }
    }
    if (result.n == 0) {
        result.mean = kNaN;
        return result;
    }
    result.mean = sum / result.n;
    double squares = 0;
    for (const double v : values) {
        if (std::isfinite(v)) {
            squares += (v - result.mean) * (v - result.mean);
        }
    }
    result.sd = result.n > 1 ? std::sqrt(squares / (result.n - 1)) : 0.0;
    return result;
}

QJsonValue number(double value)
{
    return std::isfinite(value) ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

QJsonObject meanSdToJson(const MeanSd& m)
{
    return {{QStringLiteral("mean"), number(m.mean)},
            {QStringLiteral("sd"), number(m.sd)},
            {QStringLiteral("n"), m.n}};
}

QString csvNumber(double value)
{
    return std::isfinite(value) ? QString::number(value, 'g', 6) : QString();
}

// OUT/fold-K, or OUT/repeat-R/fold-K when there are several repeats (both 1-based).
QString foldFolder(const CrossValidationOptions& options, int repeat, int fold)
{
    const QString name = QStringLiteral("fold-%1").arg(fold + 1);
    return options.repeats > 1
               ? QDir(options.outDir).filePath(QStringLiteral("repeat-%1/").arg(repeat + 1) + name)
               : QDir(options.outDir).filePath(name);
}

Status checkOutFolder(const QString& outDir)
{
    const QDir dir(outDir);
    if (outDir.isEmpty()) {
        return Failure{QStringLiteral("No folder given for the cross-validation (--out).")};
    }
    if (dir.exists() && !dir.isEmpty()) {
        return Failure{QStringLiteral("The folder '%1' is not empty. Choose a new folder for the "
                                      "cross-validation.")
                           .arg(native(outDir))};
    }
    if (!QDir().mkpath(outDir)) {
        return Failure{QStringLiteral("Cannot create '%1'. Choose a folder you can write to.")
                           .arg(native(outDir))};
    }
    return {};
}

} // namespace

CrossValidationSummary summarizeFolds(const QStringList& classes, int folds, int repeats,
                                      const QVector<FoldScore>& scores)
{
    CrossValidationSummary summary;
    summary.classes = classes;
    summary.folds = folds;
    summary.repeats = repeats;
    summary.scores = scores;
    QVector<double> accuracy, balanced, macroF1;
    QVector<QVector<double>> recall(classes.size());
    for (const FoldScore& s : scores) {
        accuracy.append(s.accuracy);
        balanced.append(s.balancedAccuracy);
        macroF1.append(s.macroF1);
        for (int c = 0; c < classes.size(); ++c) {
            recall[c].append(s.recall.value(c, kNaN));
        }
    }
    summary.accuracy = meanSd(accuracy);
    summary.balancedAccuracy = meanSd(balanced);
    summary.macroF1 = meanSd(macroF1);
    for (const QVector<double>& values : recall) {
        summary.recall.append(meanSd(values));
    }
    return summary;
}

QJsonObject summaryToJson(const CrossValidationSummary& summary)
{
    QJsonArray runs;
    for (const FoldScore& s : summary.scores) {
        QJsonObject recall;
        for (int c = 0; c < summary.classes.size(); ++c) {
            recall.insert(summary.classes[c], number(s.recall.value(c, kNaN)));
        }
        runs.append(QJsonObject{{QStringLiteral("repeat"), s.repeat + 1},
                                {QStringLiteral("fold"), s.fold + 1},
                                {QStringLiteral("run_dir"), s.runDir},
                                {QStringLiteral("test_count"), s.testCount},
                                {QStringLiteral("accuracy"), number(s.accuracy)},
                                {QStringLiteral("balanced_accuracy"), number(s.balancedAccuracy)},
                                {QStringLiteral("macro_f1"), number(s.macroF1)},
                                {QStringLiteral("recall"), recall}});
    }
    QJsonObject recall;
    for (int c = 0; c < summary.classes.size(); ++c) {
        recall.insert(summary.classes[c], meanSdToJson(summary.recall.value(c)));
    }
    return {{QStringLiteral("folds"), summary.folds},
            {QStringLiteral("repeats"), summary.repeats},
            {QStringLiteral("classes"), QJsonArray::fromStringList(summary.classes)},
            {QStringLiteral("runs"), runs},
            {QStringLiteral("accuracy"), meanSdToJson(summary.accuracy)},
            {QStringLiteral("balanced_accuracy"), meanSdToJson(summary.balancedAccuracy)},
            {QStringLiteral("macro_f1"), meanSdToJson(summary.macroF1)},
            {QStringLiteral("recall"), recall}};
}

namespace {

double numberOrNaN(const QJsonValue& value)
{
    return value.isDouble() ? value.toDouble() : kNaN;
}

QString percentMeanSd(const MeanSd& m)
{
    return QStringLiteral("%1% ± %2%").arg(100 * m.mean, 0, 'f', 1).arg(100 * m.sd, 0, 'f', 1);
}

} // namespace

Result<CrossValidationSummary> loadCrossValidation(const QString& outDir)
{
    const QString path = QDir(outDir).filePath(crossvalfiles::summaryJson);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Failure{QStringLiteral("'%1' holds no cross-validation summary (%2): choose the "
                                      "folder that classifier-cli crossval or Cross-validate "
                                      "wrote.")
                           .arg(QDir::toNativeSeparators(outDir), crossvalfiles::summaryJson)};
    }
    const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    const QJsonValue runs = json.value(QStringLiteral("runs"));
    if (!runs.isArray() || !json.value(QStringLiteral("classes")).isArray()) {
        return Failure{QStringLiteral("'%1' is not a cross-validation summary (no \"runs\" or "
                                      "\"classes\" list); run the cross-validation again.")
                           .arg(QDir::toNativeSeparators(path))};
    }
    QStringList classes;
    for (const QJsonValue& name : json.value(QStringLiteral("classes")).toArray()) {
        classes << name.toString();
    }
    QVector<FoldScore> scores;
    for (const QJsonValue& value : runs.toArray()) {
        const QJsonObject run = value.toObject();
        FoldScore score;
        score.repeat = run.value(QStringLiteral("repeat")).toInt() - 1;
        score.fold = run.value(QStringLiteral("fold")).toInt() - 1;
        score.runDir = run.value(QStringLiteral("run_dir")).toString();
        score.testCount = run.value(QStringLiteral("test_count")).toInt();
        score.accuracy = numberOrNaN(run.value(QStringLiteral("accuracy")));
        score.balancedAccuracy = numberOrNaN(run.value(QStringLiteral("balanced_accuracy")));
        score.macroF1 = numberOrNaN(run.value(QStringLiteral("macro_f1")));
        const QJsonObject recall = run.value(QStringLiteral("recall")).toObject();
        for (const QString& name : classes) {
            score.recall << numberOrNaN(recall.value(name));
        }
        scores << score;
    }
    return summarizeFolds(classes, json.value(QStringLiteral("folds")).toInt(),
                          json.value(QStringLiteral("repeats")).toInt(), scores);
}

QStringList summaryText(const CrossValidationSummary& summary)
{
    QStringList lines;
    lines << QStringLiteral("Cross-validation, %1 folds x %2: accuracy %3, balanced accuracy %4, "
                            "macro F1 %5 (mean ± standard deviation over %6 runs).")
                 .arg(summary.folds)
                 .arg(summary.repeats)
                 .arg(percentMeanSd(summary.accuracy), percentMeanSd(summary.balancedAccuracy),
                      percentMeanSd(summary.macroF1))
                 .arg(summary.scores.size());
    for (int c = 0; c < summary.classes.size(); ++c) {
        lines << QStringLiteral("  recall of %1: %2")
                     .arg(summary.classes[c], percentMeanSd(summary.recall.value(c)));
    }
    return lines;
}

QByteArray summaryToCsv(const CrossValidationSummary& summary)
{
    QStringList header = {QStringLiteral("repeat"),
                          QStringLiteral("fold"),
                          QStringLiteral("test_count"),
                          QStringLiteral("accuracy"),
                          QStringLiteral("balanced_accuracy"),
                          QStringLiteral("macro_f1")};
    for (const QString& name : summary.classes) {
        header << csvCell(QStringLiteral("recall_") + name);
    }
    QString text = header.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (const FoldScore& s : summary.scores) {
        QStringList row = {QString::number(s.repeat + 1), QString::number(s.fold + 1),
                           QString::number(s.testCount),  csvNumber(s.accuracy),
                           csvNumber(s.balancedAccuracy), csvNumber(s.macroF1)};
        for (int c = 0; c < summary.classes.size(); ++c) {
            row << csvNumber(s.recall.value(c, kNaN));
        }
        text += row.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    const auto statistic = [&](const QString& name, double MeanSd::*field) {
        QStringList row = {name,
                           QString(),
                           QString(),
                           csvNumber(summary.accuracy.*field),
                           csvNumber(summary.balancedAccuracy.*field),
                           csvNumber(summary.macroF1.*field)};
        for (const MeanSd& m : summary.recall) {
            row << csvNumber(m.*field);
        }
        return row.join(QLatin1Char(',')) + QLatin1Char('\n');
    };
    text += statistic(QStringLiteral("mean"), &MeanSd::mean);
    text += statistic(QStringLiteral("sd"), &MeanSd::sd);
    return text.toUtf8();
}

Result<FoldScore> foldScoreFromRun(const QString& runDir, const QStringList& classes)
{
    const QString path = QDir(runDir).filePath(QStringLiteral("evaluation/evaluation.json"));
    Result<EvaluationMetrics> metrics = loadMetricsFile(path);
    if (!metrics) {
        return Failure{metrics.error()};
    }
    if (metrics->classes != classes) {
        return Failure{
            QStringLiteral("'%1' has other classes than the cross-validation.").arg(native(path))};
    }
    FoldScore score;
    score.runDir = runDir;
    score.testCount = metrics->count;
    score.accuracy = metrics->accuracy;
    score.balancedAccuracy = metrics->balancedAccuracy;
    score.macroF1 = metrics->macroF1;
    for (const ClassMetrics& c : metrics->perClass) {
        score.recall.append(c.support > 0 ? c.recall : kNaN);
    }
    return score;
}

Result<CrossValidationPlan> planCrossValidation(const Project& project,
                                                const CrossValidationOptions& options,
                                                TrainingControl* control)
{
    if (options.repeats < 1) {
        return Failure{
            QStringLiteral("--repeats must be at least 1, got %1.").arg(options.repeats)};
    }
    ScanOptions scan;
    scan.writeManifest = false;
    if (control != nullptr) {
        scan.cancel = control->stopFlag();
    }
    Result<DatasetIndex> index = scanDataset(project.dataset, scan);
    if (!index) {
        return Failure{index.error()};
    }
    const DatasetSettings& dataset = project.dataset;
    const double trainAndValidation = dataset.trainRatio + dataset.validationRatio;
    const double validationShare =
        trainAndValidation > 0 ? dataset.validationRatio / trainAndValidation : 0.1;
    CrossValidationPlan plan;
    plan.classes = index->classes;
    plan.folds = options.folds;
    plan.repeats = options.repeats;
    plan.outDir = options.outDir;
    for (int r = 0; r < options.repeats; ++r) {
        Result<QVector<QHash<QString, Split>>> folds = crossValidationFolds(
            *index, options.folds, validationShare, dataset.splitSeed + quint64(r), dataset);
        if (!folds) {
            return Failure{folds.error()};
        }
        for (int k = 0; k < options.folds; ++k) {
            PlannedFold fold;
            fold.repeat = r;
            fold.fold = k;
            fold.project = project;
            fold.project.training.seed = project.training.seed + quint64(r);
            if (options.epochs > 0) {
                fold.project.training.epochs = options.epochs;
            }
            if (options.fitOutputToClasses) {
                fold.project.model =
                    withOutputUnits(fold.project.model, int(index->classes.size()));
            }
            fold.runDir = foldFolder(options, r, k);
            fold.splits = (*folds)[k];
            fold.name = options.repeats > 1
                            ? QStringLiteral("Fold %1 of repeat %2").arg(k + 1).arg(r + 1)
                            : QStringLiteral("Fold %1").arg(k + 1);
            plan.runs.append(fold);
        }
    }
    if (const Status out = checkOutFolder(options.outDir); !out) {
        return Failure{out.error()};
    }
    return plan;
}

Result<FoldScore> scoreFold(const CrossValidationPlan& plan, const PlannedFold& fold,
                            const RunEndedEvent& ended)
{
    if (ended.outcome != RunEndedEvent::Outcome::Finished) {
        return Failure{
            QStringLiteral("%1 %2: %3 The folds before it are in '%4'.")
                .arg(fold.name, outcomeName(ended.outcome), ended.reason, native(plan.outDir))};
    }
    Result<FoldScore> score = foldScoreFromRun(fold.runDir, plan.classes);
    if (!score) {
        return Failure{QStringLiteral("%1: %2").arg(fold.name, score.error())};
    }
    score->repeat = fold.repeat;
    score->fold = fold.fold;
    return score;
}

Result<CrossValidationSummary> finishCrossValidation(const CrossValidationPlan& plan,
                                                     QVector<FoldScore> scores)
{
    std::sort(scores.begin(), scores.end(), [](const FoldScore& a, const FoldScore& b) {
        return std::make_pair(a.repeat, a.fold) < std::make_pair(b.repeat, b.fold);
    });
    const CrossValidationSummary summary =
        summarizeFolds(plan.classes, plan.folds, plan.repeats, scores);
    Status saved = writeFileAtomically(QDir(plan.outDir).filePath(crossvalfiles::summaryJson),
                                       QJsonDocument(summaryToJson(summary)).toJson());
    if (saved) {
        saved = writeFileAtomically(QDir(plan.outDir).filePath(crossvalfiles::summaryCsv),
                                    summaryToCsv(summary));
    }
    if (!saved) {
        return Failure{saved.error()};
    }
    return summary;
}

Result<CrossValidationSummary> crossValidate(const Project& project,
                                             const CrossValidationOptions& options,
                                             CrossValidationObserver* observer,
                                             TrainingControl* control)
{
    Result<CrossValidationPlan> plan = planCrossValidation(project, options, control);
    if (!plan) {
        return Failure{plan.error()};
    }
    const Result<RunLock> lock = RunLock::acquire(plan->outDir); // until the summary is written
    if (!lock) {
        return Failure{lock.error()};
    }
    QVector<FoldScore> scores;
    for (const PlannedFold& fold : plan->runs) {
        TrainOptions train;
        train.runDir = fold.runDir;
        train.batchEventIntervalMs = options.batchEventIntervalMs;
        train.splits = fold.splits;
        TrainingObserver* events = observer != nullptr
                                       ? observer->foldStarting(fold.repeat, fold.fold, fold.runDir)
                                       : nullptr;
        const Result<TrainResult> trained = trainProject(fold.project, train, events, control);
        if (!trained) {
            return Failure{
                QStringLiteral("%1 could not train: %2").arg(fold.name, trained.error())};
        }
        Result<FoldScore> score = scoreFold(*plan, fold, trained->ended);
        if (!score) {
            return Failure{score.error()};
        }
        scores.append(*score);
        if (observer != nullptr) {
            observer->foldEnded(*score);
        }
    }
    return finishCrossValidation(*plan, scores);
}

} // namespace studio
