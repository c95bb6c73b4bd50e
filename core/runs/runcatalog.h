// The runs catalog: every run folder under a folder read into plain values (date, dataset,
// network, scores with their intervals, duration, status, note), for the Runs view's table model
// and `classifier-cli runs`. Reads files only; no LibTorch.
#pragma once

#include "common/result.h"
#include "evaluation/metrics.h"
#include "runs/crossvalidation.h"
#include "training/history.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <limits>

namespace studio {

// Where a run is: ended (how), still being written, or ended without saying so.
enum class RunStatus
{
    Finished,    // trained all its epochs, or early stopping ended it
    Stopped,     // stopped by the user (Stop, Ctrl-C); `resume` continues it
    Failed,      // ended with an error (reason in RunSummary::reason)
    Running,     // a live process holds its run.lock
    Interrupted, // no end recorded and no process holds its lock: crashed or killed
    Unreadable   // a file of it is missing or damaged (reason says which)
};

// "finished", "stopped", "failed", "running", "interrupted", "unreadable".
QString runStatusName(RunStatus status);

// One run folder, or one cross-validation folder with its folds as children.
struct RunSummary
{
    static constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();

    QString path; // absolute
    QString name; // the folder's name ("fold-2" for a fold)
    bool crossValidation = false;
    QDateTime started;           // from log.txt; invalid when unknown
    double durationSeconds = -1; // start to end (to now while running); -1 when unknown
    QString dataset;             // the dataset folder
    QString network; // "small", "seed", ... when the layers are a template's, else "custom"
    int layers = 0;
    int imageSize = 0;
    int channels = 0;
    int epochsRun = 0;     // rows of history.csv
    int epochsPlanned = 0; // training.epochs of project.json
    double bestValidationAccuracy = kUnknown;
    int bestEpoch = -1; // 0-based epoch of bestValidationAccuracy
    int testCount = 0;  // 0: not evaluated
    double testAccuracy = kUnknown;
    Interval testAccuracyInterval; // 95% Wilson
    double balancedAccuracy = kUnknown;
    Interval balancedAccuracyInterval; // 95%, balancedAccuracyInterval() in evaluation/metrics.h
    MeanSd foldAccuracy;               // cross-validation: over the folds' test accuracies
    MeanSd foldBalancedAccuracy;
    RunStatus status = RunStatus::Unreadable;
    QString reason;            // why it stopped, failed or is unreadable; who runs it
    QString note;              // note.txt
    QVector<RunSummary> folds; // cross-validation: its fold runs, repeat by repeat, fold by fold
};

// Files the catalog adds to a run folder.
inline const QString kRunNoteFile = QStringLiteral("note.txt");

// Whether `dir` holds a run (project.json, events.jsonl, history.csv, log.txt or run.lock) or a
// cross-validation (crossval.json, or fold-K / repeat-R/fold-K run folders).
// "1:02:03" or "2:05" (hours only when there are some); "-" for an unknown (negative or NaN)
// time. The one way run times are written: the catalog, the Train page, the CLI's progress.
QString durationText(double seconds);

bool isRunFolder(const QString& dir);
bool isCrossValidationFolder(const QString& dir);

// Reads one run folder; never fails: a damaged folder is a row with status Unreadable and the
// reason, with what could be read. These read files (evaluation.json of every run): the Runs
// view calls them off the GUI thread.
RunSummary readRun(const QString& dir);
// Reads a cross-validation folder: mean ± SD over its folds, the folds as children.
RunSummary readCrossValidation(const QString& dir);

// Every run and cross-validation folder under `root` (itself, or up to `depth` levels of
// sub-folders), by folder name; other folders are skipped silently, hidden ones too.
QVector<RunSummary> listRuns(const QString& root, int depth = 3);

// The columns of the runs table, in their order.
enum class RunColumn
{
    Started,
    Name,
    Dataset,
    Network,
    ImageSize,
    Epochs,
    BestValidation,
    TestAccuracy,
    BalancedAccuracy,
    Duration,
    Status,
    Note,
    Count // not a column: how many there are
};

// The column's header ("Test accuracy") and its key for --sort and JSON ("test_accuracy").
QString runColumnTitle(RunColumn column);
QString runColumnKey(RunColumn column);
// The column whose key is `key`, or Count.
RunColumn runColumnFromKey(const QString& key);
// What a cell shows ("66.0% (56.3–74.5%)", "84.2% ± 3.1%" for a cross-validation).
QString runCell(const RunSummary& run, RunColumn column);
// Orders two rows by a column (numbers as numbers, unknown values last).
bool runLess(const RunSummary& a, const RunSummary& b, RunColumn column);
// Sorts the rows and each cross-validation's folds.
void sortRuns(QVector<RunSummary>* runs, RunColumn column, bool descending = false);

// The row as JSON: {"path", "name", "kind": "run"|"crossval", "started", "duration_seconds",
// "dataset", "network", "layers", "image_size", "channels", "epochs_run", "epochs_planned",
// "best_val_accuracy", "best_epoch" (1-based), "test_count", "test_accuracy",
// "test_accuracy_ci", "balanced_accuracy", "balanced_accuracy_ci", "status", "reason", "note",
// and for a cross-validation "accuracy": {"mean", "sd", "n"}, "balanced_accuracy_over_folds",
// "folds": [...]}; unknown numbers are null.
QJsonObject runToJson(const RunSummary& run);

// The run's history.csv, for its loss and accuracy curves.
Result<History> loadRunHistory(const QString& runDir);

// The run's note (empty when none).
QString runNote(const QString& runDir);
// Writes the note to runDir/note.txt atomically; an empty note removes the file.
Status setRunNote(const QString& runDir, const QString& note);

// Moves a run or cross-validation folder to the trash. A folder a live process writes (its
// run.lock, or a fold's) is refused with a message saying so.
Status moveRunToTrash(const QString& runDir);

} // namespace studio
