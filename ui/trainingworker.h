// Runs core's trainer (as a job of the Train page's BackgroundRunner) and forwards the run's
// events as signals, sent from the runner's thread and so queued to receivers on the GUI thread.
#pragma once

#include "project/project.h"
#include "training/trainer.h"
#include "uimetatypes.h"

#include <QObject>
#include <QString>

#include <memory>

namespace studio {

class TrainingWorker : public QObject
{
    Q_OBJECT

public:
    explicit TrainingWorker(QObject* parent = nullptr);

    // Trains `project` into runDir, or resumes the run in resumeDir when it is not empty
    // (epochs > 0 then changes the run's total). Runs on the runner's thread; blocks it until
    // the run ends. `control` is shared with the GUI for pause and stop.
    void run(const Project& project, const QString& runDir, const QString& resumeDir, int epochs,
             std::shared_ptr<TrainingControl> control);
    // Cross-validates `project` with `folds` folds into outDir (core's crossValidate()): each
    // fold's run events come as the signals above, between foldStarting and foldEnded; then
    // crossValidated or failedToStart, then finished(outDir).
    void crossValidate(const Project& project, const QString& outDir, int folds,
                       std::shared_ptr<TrainingControl> control);

Q_SIGNALS:
    // Images loaded into memory before the first epoch.
    void loading(const studio::LoadingEvent& event);
    void runStarted(const studio::RunStartedEvent& event);
    void batchDone(const studio::BatchEvent& event);
    void epochDone(const studio::EpochEvent& event);
    void advice(const studio::AdviceEvent& event);
    void runEnded(const studio::RunEndedEvent& event);
    // The run could not start (bad dataset, layer stack, settings, run folder).
    void failedToStart(const QString& message);
    // Cross-validation: fold `fold` (0-based) begins in runDir; it ended with these scores; all
    // folds are done and their summary is in outDir/crossval.json.
    void foldStarting(int fold, int folds, const QString& runDir);
    void foldEnded(const studio::FoldScore& score);
    void crossValidated(const QString& outDir);
    // The trainer returned; sent last, after runEnded or failedToStart.
    void finished(const QString& runDir);
};

} // namespace studio
