// Cross-validation: k stratified, group-aware folds (optionally repeated with other seeds), each
// trained as a normal run folder whose test split is the held-out fold, and their summary.
#pragma once

#include "common/result.h"
#include "dataset/datasetindex.h"
#include "project/project.h"
#include "training/trainer.h"

#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

namespace studio {

// How to cross-validate.
struct CrossValidationOptions
{
    QString outDir;                  // created; gets repeat-R/fold-K run folders and the summary
    int folds = 5;                   // k
    int repeats = 1;                 // each repeat: other folds (split_seed + r), other seed + r
    int epochs = 0;                  // per fold; 0: the project's
    bool fitOutputToClasses = false; // as TrainOptions
    int batchEventIntervalMs = 100;
};

// One fold's scores on its held-out images (from its evaluation/evaluation.json).
struct FoldScore
{
    int repeat = 0; // 0-based
    int fold = 0;   // 0-based
    QString runDir;
    int testCount = 0;
    double accuracy = 0;
    double balancedAccuracy = 0;
    double macroF1 = 0;
    QVector<double> recall; // per class; NaN when the fold has no image of the class
};

// Mean and sample standard deviation over the folds (NaN values left out).
struct MeanSd
{
    double mean = 0;
    double sd = 0;
    int n = 0;
};

// The summary of all folds.
struct CrossValidationSummary
{
    QStringList classes;
    int folds = 0;
    int repeats = 0;
    QVector<FoldScore> scores;
    MeanSd accuracy;
    MeanSd balancedAccuracy;
    MeanSd macroF1;
    QVector<MeanSd> recall; // per class
};

// Receives a cross-validation's progress; the fold's own run events come through `run`.
class CrossValidationObserver
{
public:
    virtual ~CrossValidationObserver() = default;
    // Before fold `fold` of repeat `repeat` starts; its run's events go to the returned observer
    // (nullptr: none).
    virtual TrainingObserver* foldStarting(int repeat, int fold, const QString& runDir) = 0;
    virtual void foldEnded(const FoldScore&) {}
};

// Summarises fold scores (also used on crossval.json read back).
CrossValidationSummary summarizeFolds(const QStringList& classes, int folds, int repeats,
                                      const QVector<FoldScore>& scores);

// {"folds", "repeats", "classes", "runs": [{"repeat", "fold", "run_dir", "test_count",
//  "accuracy", "balanced_accuracy", "macro_f1", "recall": {class: value}}], "accuracy": {"mean",
//  "sd"}, "balanced_accuracy": ..., "macro_f1": ..., "recall": {class: {"mean", "sd"}}};
// repeats and folds 1-based there.
QJsonObject summaryToJson(const CrossValidationSummary& summary);
// One row per fold, then "mean" and "sd" rows.
QByteArray summaryToCsv(const CrossValidationSummary& summary);

// Reads OUT/crossval.json (as crossValidate() wrote it) and summarises its folds again. A missing
// or malformed file is a Failure that names it.
Result<CrossValidationSummary> loadCrossValidation(const QString& outDir);

// The summary for people: "Cross-validation, 5 folds x 1: accuracy 91.2% ± 2.1%, balanced
// accuracy ..., macro F1 ... (mean ± standard deviation over 5 runs)." then one line per class
// ("  recall of ring: 88.0% ± 4.5%").
QStringList summaryText(const CrossValidationSummary& summary);

// The fold's scores from its run folder's evaluation/evaluation.json.
Result<FoldScore> foldScoreFromRun(const QString& runDir, const QStringList& classes);

// One fold's run, planned: its project (seed + repeat, epochs, output fitted), its run folder
// (OUT/repeat-R/fold-K, or OUT/fold-K with one repeat) and its split of the images.
struct PlannedFold
{
    int repeat = 0; // 0-based
    int fold = 0;   // 0-based
    QString name;   // "Fold 2" or "Fold 2 of repeat 1", for messages
    Project project;
    QString runDir;
    QHash<QString, Split> splits; // TrainOptions::splits
};

// Every fold of a cross-validation, before any trains.
struct CrossValidationPlan
{
    QStringList classes;
    int folds = 0;
    int repeats = 0;
    QString outDir;
    QVector<PlannedFold> runs; // repeat by repeat, fold by fold
};

// Scans the dataset, makes the folds and creates options.outDir (which must be new or empty).
// Bad input is a Failure before anything is written.
Result<CrossValidationPlan> planCrossValidation(const Project& project,
                                                const CrossValidationOptions& options,
                                                TrainingControl* control = nullptr);
// A planned fold's scores once its run ended: a run that did not finish, or left no evaluation,
// is a Failure naming the fold.
Result<FoldScore> scoreFold(const CrossValidationPlan& plan, const PlannedFold& fold,
                            const RunEndedEvent& ended);
// Summarises the folds' scores (any order) and writes OUT/crossval.json and OUT/crossval.csv.
Result<CrossValidationSummary> finishCrossValidation(const CrossValidationPlan& plan,
                                                     QVector<FoldScore> scores);

// planCrossValidation(), then trains the folds one after the other (scoreFold()), then
// finishCrossValidation(). Scans the dataset, makes the folds and trains them one after the other
// into OUT/repeat-R/fold-K (OUT/fold-K with one repeat), then writes OUT/crossval.json and
// OUT/crossval.csv. Bad input is a Failure before any fold starts; a fold that fails or is
// stopped ends the cross-validation with a Failure naming it (the folds done stay). Runs on the
// calling thread.
Result<CrossValidationSummary> crossValidate(const Project& project,
                                             const CrossValidationOptions& options,
                                             CrossValidationObserver* observer = nullptr,
                                             TrainingControl* control = nullptr);

// Files in a cross-validation folder.
namespace crossvalfiles {
inline const QString summaryJson = QStringLiteral("crossval.json");
inline const QString summaryCsv = QStringLiteral("crossval.csv");
} // namespace crossvalfiles

} // namespace studio
