#include "trainingworker.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace studio {

namespace {

// Keeps the window responsive while training saturates every core: this thread, and the
// threads it starts afterwards (LibTorch's intra-op workers, the batch producers inherit it),
// run at nice 5, so the GUI thread wins the CPU whenever it has work. Training loses nothing
// when the GUI is idle.
void lowerThisThreadsPriority()
{
    setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 5);
}

// Forwards the trainer's callbacks (on the training thread) as the worker's signals.
class SignalObserver : public TrainingObserver
{
public:
    explicit SignalObserver(TrainingWorker* worker) : m_worker(worker) {}
    void loading(const LoadingEvent& event) override { Q_EMIT m_worker->loading(event); }
    void runStarted(const RunStartedEvent& event) override { Q_EMIT m_worker->runStarted(event); }
    void batchDone(const BatchEvent& event) override { Q_EMIT m_worker->batchDone(event); }
    void epochDone(const EpochEvent& event) override { Q_EMIT m_worker->epochDone(event); }
    void advice(const AdviceEvent& event) override { Q_EMIT m_worker->advice(event); }
    void runEnded(const RunEndedEvent& event) override { Q_EMIT m_worker->runEnded(event); }

private:
    TrainingWorker* m_worker;
};

// Forwards a cross-validation's progress, and each fold's run events, as the worker's signals.
class FoldSignalObserver : public CrossValidationObserver
{
public:
    FoldSignalObserver(TrainingWorker* worker, int folds)
        : m_run(worker), m_worker(worker), m_folds(folds)
    {}
    TrainingObserver* foldStarting(int, int fold, const QString& runDir) override
    {
        Q_EMIT m_worker->foldStarting(fold, m_folds, runDir);
        return &m_run;
    }
    void foldEnded(const FoldScore& score) override { Q_EMIT m_worker->foldEnded(score); }

private:
    SignalObserver m_run;
    TrainingWorker* m_worker;
    int m_folds;
};

} // namespace

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent)
{
    registerUiMetaTypes();
}

void TrainingWorker::run(const Project& project, const QString& runDir, const QString& resumeDir,
                         int epochs, std::shared_ptr<TrainingControl> control)
{
    lowerThisThreadsPriority();
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

void TrainingWorker::crossValidate(const Project& project, const QString& outDir, int folds,
                                   std::shared_ptr<TrainingControl> control)
{
    lowerThisThreadsPriority();
    FoldSignalObserver observer(this, folds);
    CrossValidationOptions options;
    options.outDir = outDir;
    options.folds = folds;
    const Result<CrossValidationSummary> summary =
        studio::crossValidate(project, options, &observer, control.get());
    if (summary.ok()) {
        Q_EMIT crossValidated(outDir);
    } else {
        Q_EMIT failedToStart(summary.error());
    }
    Q_EMIT finished(outDir);
}

} // namespace studio
