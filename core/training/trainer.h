// The training engine: the tutorial's fit loop with Keras callbacks, checkpoints and a run
// folder, reporting to a TrainingObserver. Torch-free interface; runs on the calling thread.
#pragma once

#include "common/result.h"
#include "dataset/datasetindex.h"
#include "training/history.h"
#include "training/trainingevents.h"

#include <QHash>
#include <QString>

#include <atomic>

namespace studio {

struct Project;

// Pause and stop requests from other threads (the GUI, a signal handler); checked between
// batches.
class TrainingControl
{
public:
    void requestStop() { m_stop.store(true); }
    void setPaused(bool paused) { m_paused.store(paused); }
    bool stopRequested() const { return m_stop.load(); }
    bool paused() const { return m_paused.load(); }
    // For loops that poll a flag, such as the scan before the first epoch.
    const std::atomic<bool>* stopFlag() const { return &m_stop; }

private:
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_paused{false};
};

// Data-parallel training over several processes, on one machine or many (PyTorch's c10d).
// Every rank runs the same project on the same data; rank 0 alone writes the run folder.
struct DistributedOptions
{
    int worldSize = 1;     // processes in the run; 1: not distributed
    int rank = 0;          // this process: 0 .. worldSize - 1
    QString masterAddress; // host name or address of rank 0, where the ranks meet
    int masterPort = 29500;
    int timeoutSeconds = 300; // to meet, and for any collective, before giving up
    bool enabled() const { return worldSize > 1; }
};

// Where and how long to train.
struct TrainOptions
{
    QString runDir;         // created if missing; must be empty unless resuming
    int epochs = 0;         // total epochs of the run; 0: the project's
    QString initialWeights; // a checkpoint to start from (continue a saved model), optional
    bool fitOutputToClasses = false; // set the last Dense layer's units to the class count
    int batchEventIntervalMs = 100;  // batch events at most this often (and at epoch ends)
    DistributedOptions distributed;  // several processes; runDir is used by rank 0 only
    // An explicit split of the dataset's images (path -> split), e.g. a cross-validation fold:
    // replaces the folders' or the automatic split, leaves out the images it does not name, and
    // is kept in the run folder (splits.json) for resume. Empty: the usual split.
    QHash<QString, Split> splits;
};

// How a run ended, and what it left in its folder.
struct TrainResult
{
    RunEndedEvent ended;
    History history;
    QString runDir;
    QString lastCheckpoint;
    QString bestCheckpoint; // empty when no epoch finished
    double seconds = 0;
};

// Names of the files in a run folder.
namespace runfiles {
inline const QString project = QStringLiteral("project.json");
inline const QString history = QStringLiteral("history.csv");
inline const QString log = QStringLiteral("log.txt");
inline const QString events = QStringLiteral("events.jsonl"); // one JSON object per event
inline const QString lastCheckpoint = QStringLiteral("checkpoint-last.ckpt");
inline const QString bestCheckpoint = QStringLiteral("checkpoint-best.ckpt");
// The last checkpoint before checkpoint-last: resume falls back to it when the last is damaged.
inline const QString previousCheckpoint = QStringLiteral("checkpoint-previous.ckpt");
// The run's explicit split (TrainOptions::splits), when it has one.
inline const QString splits = QStringLiteral("splits.json");
// The standardize normalisation's mean and standard deviation per channel, measured on the
// training split when the run started (channelStatisticsToJson()); resume reads them back.
inline const QString inputStatistics = QStringLiteral("input_statistics.json");
} // namespace runfiles

// Trains `project` into options.runDir. Bad input (dataset, layer stack, settings, run folder)
// is a Failure; a run that starts always ends in a TrainResult whose `ended` says whether it
// finished, was stopped, or failed (NaN loss, out of memory) and why. Runs on the calling
// thread (use a worker thread in the GUI); observer callbacks come on this thread.
Result<TrainResult> trainProject(const Project& project, const TrainOptions& options,
                                 TrainingObserver* observer = nullptr,
                                 TrainingControl* control = nullptr);

// Continues the run in runDir from its last checkpoint with the full state (weights, optimizer,
// epoch and batch, learning-rate schedule, callbacks, random state, history); `epochs` > 0
// changes the total number of epochs. Runs on the calling thread.
// In a distributed run every rank calls it with the same options; rank 0 reads runDir and sends
// the project and checkpoint to the others, which need no copy of the run folder.
Result<TrainResult> resumeRun(const QString& runDir, int epochs = 0,
                              TrainingObserver* observer = nullptr,
                              TrainingControl* control = nullptr,
                              const DistributedOptions& distributed = {});

} // namespace studio
