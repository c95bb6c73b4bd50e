// What a training run tells its observers (GUI, CLI printer, events.jsonl), as plain values.
#pragma once

#include "common/environment.h"
#include "common/result.h"
#include "training/history.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace studio {

// A run began: where it runs and on what.
struct RunStartedEvent
{
    QString device;  // "cpu" or "cuda:0"
    int threads = 0; // intra-op threads
    qint64 trainImages = 0;
    qint64 validationImages = 0;
    qint64 testImages = 0;
    qint64 parameters = 0;
    int epochs = 0;     // the epoch the run will end after (1-based count)
    int firstEpoch = 0; // 0-based; larger than 0 when resuming
    int batchesPerEpoch = 0;
    int processes = 1;    // of a distributed run; 1 otherwise
    QStringList warnings; // things the user should know before the first batch
    QStringList notes;    // what the run did before the first batch (layers copied from a model)
    RunEnvironment environment; // the software and machine (empty in runs made before it was)
};

// Images scanned and loaded into memory before the first epoch, at most ~10 times per second.
struct LoadingEvent
{
    qint64 done = 0;  // files read so far
    qint64 total = 0; // files to read
};

// Progress within an epoch, sent at most ~10 times per second.
struct BatchEvent
{
    int epoch = 0;       // 0-based
    int batch = 0;       // 1-based count of batches done in this epoch
    int batches = 0;     // batches per epoch
    double loss = 0;     // running mean over the epoch so far
    double accuracy = 0; // running mean over the epoch so far
    double imagesPerSecond = 0;
    double etaSeconds = 0; // until the end of the run
};

// An epoch finished, with validation.
struct EpochEvent
{
    EpochRecord record;
    bool isBest = false;  // best so far by the checkpoint monitor
    QStringList warnings; // e.g. images that could not be read and were skipped
};

// Something looks wrong with the run, in plain words with the fix (see training/advice.h).
struct AdviceEvent
{
    int epoch = -1; // 0-based epoch after which it was given; -1 before the first
    QString code;   // "chance_level", "overfitting", "dead_class", "diverging", ...
    QString message;
};

// The run ended.
struct RunEndedEvent
{
    enum class Outcome
    {
        Finished,
        Stopped,
        Failed
    };
    Outcome outcome = Outcome::Finished;
    QString reason; // why it stopped or failed, for people
    int epochsDone = 0;
    int bestEpoch = -1; // 0-based, -1 if none
    QString modelPath;  // the exported model.pt; empty when none was written
    int testCount = 0;  // test images evaluated at the end; 0 when not evaluated
    double testAccuracy = 0;
    // The int8 engine's calibration and its check against float32, or why there is none, for
    // people ("int8 engine calibrated on 512 training images; ..."); empty when no model.
    QString int8Check;
    // When the run folder could not be written (disk full, read-only, gone): the folder the run
    // so far was saved to instead, which `resume` continues. Empty otherwise.
    QString rescuedRunDir;
};

// Receives the events of a run; called on the training thread.
class TrainingObserver
{
public:
    virtual ~TrainingObserver() = default;
    // Before runStarted; may come from the loader's threads, one call at a time.
    virtual void loading(const LoadingEvent&) {}
    virtual void runStarted(const RunStartedEvent&) {}
    virtual void batchDone(const BatchEvent&) {}
    virtual void epochDone(const EpochEvent&) {}
    virtual void advice(const AdviceEvent&) {}
    virtual void runEnded(const RunEndedEvent&) {}
};

// One JSON object per event, as `classifier-cli train --json` prints and events.jsonl stores.
// Epochs are 1-based there, as people count them.
QJsonObject toJson(const LoadingEvent& event);
QJsonObject toJson(const RunStartedEvent& event);
QJsonObject toJson(const BatchEvent& event);
QJsonObject toJson(const EpochEvent& event);
QJsonObject toJson(const AdviceEvent& event);
QJsonObject toJson(const RunEndedEvent& event);

// The event's name in JSON ("loading", "started", "batch", "epoch", "advice", "finished",
// "stopped", "failed").
QString outcomeName(RunEndedEvent::Outcome outcome);

// One event read back from its JSON object: which kind it is, and that kind's values.
struct RunEvent
{
    enum class Kind
    {
        Loading,
        Started,
        Batch,
        Epoch,
        Advice,
        Ended
    };
    Kind kind = Kind::Loading;
    LoadingEvent loading;
    RunStartedEvent started;
    BatchEvent batch;
    EpochEvent epoch;
    AdviceEvent advice;
    RunEndedEvent ended;
};

// The inverse of toJson(): the event an object of events.jsonl or `--json` output describes.
// Fields it does not know are ignored (a newer writer may add some); an unknown "event", a
// missing epoch or batch number, or a field of the wrong type is a Failure saying which.
Result<RunEvent> runEventFromJson(const QJsonObject& object);

} // namespace studio
