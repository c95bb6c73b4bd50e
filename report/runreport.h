// What a report states about a run, gathered from its folder (and from its dataset folder while
// that is still there), or about a cross-validation folder and its folds. No LibTorch, no Gui.
#pragma once

#include "common/environment.h"
#include "common/result.h"
#include "dataset/datasetindex.h"
#include "evaluation/metrics.h"
#include "model/modelsummary.h"
#include "project/project.h"
#include "runs/crossvalidation.h"
#include "training/history.h"
#include "training/trainingevents.h"

#include <QDateTime>
#include <QString>
#include <QStringList>
#include <QVector>

namespace studio {

// One run folder, read for a report.
struct RunReport
{
    QString runDir;
    Project project;
    ModelSummary summary; // the layer stack as Keras's model.summary() prints it
    QStringList classes;  // the evaluation's, else the dataset's

    // Images per class (rows) and split (train, validation, test columns), from a scan of the
    // dataset with the run's own split; empty when the dataset folder is gone. countsNote says
    // where the numbers come from when it is not that scan.
    QVector<QVector<int>> counts;
    QString countsNote;
    QVector<SkippedFile> skipped;
    bool explicitSplit = false; // the run had its own split (splits.json), as a fold has

    History history;
    bool hasStarted = false;
    RunStartedEvent started; // threads, image counts, system
    bool hasEnded = false;
    RunEndedEvent ended;
    QStringList callbackActions; // what the callbacks did, one sentence each
    QDateTime startedAt;         // from log.txt (invalid when it is gone)
    double trainingSeconds = 0;  // the epochs' time, summed

    bool hasEvaluation = false;
    EvaluationMetrics evaluation;

    QString modelPath;          // empty when the run exported none
    QString modelSha256;        // of model.pt, hexadecimal
    RunEnvironment environment; // recorded by the run; empty in runs made before it was
};

// A cross-validation folder: the summary over its folds and each fold's run.
struct CrossValidationReport
{
    QString outDir;
    CrossValidationSummary summary;
    QVector<RunReport> folds; // in the summary's order
};

// Reads the run folder: project.json is required (a folder without one is a Failure that says
// so); everything else is reported as far as it exists (a run still training has no evaluation,
// a run made by an older version records no system).
Result<RunReport> readRunReport(const QString& runDir);

// Reads a cross-validation folder (crossval.json) and its folds' run folders.
Result<CrossValidationReport> readCrossValidationReport(const QString& outDir);

// "Adam", "SGD with momentum 0.9 (Nesterov)", ...: the optimizer in a phrase.
QString describeOptimizer(const TrainingSettings& training);

// The project's value of a setting as a person reads it ("Stretch to a square (stretch)",
// "on", "0.001", "[0.5, 99.8]"), from the project file's JSON; empty when it has none.
QString settingValueText(const QJsonObject& projectJson, const QString& path);

} // namespace studio
