#include "trainingworker.h"

namespace studio {

namespace {

// Forwards the trainer's callbacks (on the training thread) as the worker's signals.
class SignalObserver : public TrainingObserver
{
public:
    explicit SignalObserver(TrainingWorker* worker) : m_worker(worker) {}
    void runStarted(const RunStartedEvent& event) override { Q_EMIT m_worker->runStarted(event); }
    void batchDone(const BatchEvent& event) override { Q_EMIT m_worker->batchDone(event); }
    void epochDone(const EpochEvent& event) override { Q_EMIT m_worker->epochDone(event); }
    void runEnded(const RunEndedEvent& event) override { Q_EMIT m_worker->runEnded(event); }

private:
    TrainingWorker* m_worker;
};

} // namespace

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent)
{
    registerUiMetaTypes();
}

void TrainingWorker::run(const Project& project, const QString& runDir, const QString& resumeDir,
                         int epochs, std::shared_ptr<TrainingControl> control)
{
    SignalObserver observer(this);
    Result<TrainResult> result = Failure{};
    if (resumeDir.isEmpty()) {
        TrainOptions options;
        options.runDir = runDir;
        options.epochs = epochs;
        result = trainProject(project, options, &observer, control.get());
    } else {
        result = resumeRun(resumeDir, epochs, &observer, control.get());
    }
    if (!result.ok()) {
        Q_EMIT failedToStart(result.error());
    }
    Q_EMIT finished(resumeDir.isEmpty() ? runDir : resumeDir);
}

} // namespace studio
