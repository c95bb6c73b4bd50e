// The Train page: hyperparameters, Start / Pause / Stop / Resume a run, progress, live loss and
// accuracy charts and a log. Training runs on a worker thread; the charts repaint on a timer.
// It can also follow a run folder that another process writes (classifier-cli, a cluster run).
#pragma once

#include "training/trainer.h"
#include "uimetatypes.h"

#include <QString>
#include <QWidget>

#include <functional>
#include <memory>

class QLabel;
class QLayout;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTimer;

namespace studio {

class HyperparameterForm;
class ProjectDocument;
class RunFollower;
class TrainingChart;
class BackgroundRunner;
class TrainingWorker;

class TrainPage : public QWidget
{
    Q_OBJECT

public:
    explicit TrainPage(ProjectDocument* document, QWidget* parent = nullptr);
    ~TrainPage() override;

    bool isTraining() const { return m_training; }
    // Asks a running training to stop and waits until it has written its checkpoint and ended
    // (for closing the window). Returns at once when nothing runs.
    void stopAndWait();

    // Where new run folders are made (run-YYYYMMDD-hhmmss); default: "runs" beside the project
    // file, or the application's data folder for an unsaved project. A folder chosen here is
    // kept in QSettings for the next session; an empty one returns to the default.
    void setRunsFolder(const QString& folder);
    QString runsFolder() const;
    // The "Change..." button: asks for the runs folder with a folder dialog.
    void chooseRunsFolder();
    // The run folder of the current or last run.
    QString runDir() const { return m_runDir; }

    // Starts a new run of the document's project (the Start button). Returns false, with the
    // reason in the log, when it cannot start.
    bool startTraining();
    // Continues the run in runDir from its last checkpoint; epochs > 0 sets the run's total.
    bool resumeTraining(const QString& runDir, int epochs = 0);
    // Cross-validates the document's project with `folds` folds into a new crossval-... folder
    // of the runs folder: each fold a run whose test images are the held-out fold, its curves
    // kept in the charts as a faded overlay when the next fold starts; at the end the summary
    // (mean ± standard deviation) in the log and crossValidationFinished. Returns false, with
    // the reason in the log, when it cannot start.
    bool startCrossValidation(int folds);
    // The "Cross-validate..." button: asks for the number of folds.
    void chooseCrossValidation();
    bool isCrossValidating() const { return m_crossValidating; }
    void setPaused(bool paused);
    void requestStop();

    // Why Start is disabled; empty when training can start.
    QString startProblem() const;

    // Shows the run another process writes into runDir (classifier-cli train --out, a cluster
    // run on a shared filesystem): the charts start over with the run so far, then follow it
    // until it ends or stopFollowing(). Start, Pause and Stop are off meanwhile (they control
    // this app's own runs); starting or resuming one stops following. Returns false, with the
    // reason in the log, for a folder that is not a run folder or while a training runs.
    bool followRun(const QString& runDir);
    void stopFollowing();
    bool isFollowing() const;
    // The "Follow Run Folder..." button: asks for the folder with a folder dialog.
    void chooseRunToFollow();

    TrainingChart* lossChart() const { return m_lossChart; }
    TrainingChart* accuracyChart() const { return m_accuracyChart; }
    QString logText() const;

    // When a run's folder could not be written, the trainer saved the run to a rescue folder
    // (RunEndedEvent::rescuedRunDir); the page then offers to move it to another folder and
    // continue there. This asks where: it gets the rescue folder and, after a failed attempt,
    // why that failed; it returns the folder to move the run into, or an empty string for
    // "Later". Unset (the default): a message box, then a folder dialog. Tests set it.
    std::function<QString(const QString& rescuedDir, const QString& failure)> chooseRescueTarget;

Q_SIGNALS:
    void trainingChanged(bool training);
    // A run ended and its worker returned; `ended.modelPath` is the exported model, if any.
    void runFinished(const QString& runDir, const studio::RunEndedEvent& ended);
    // Every fold of a cross-validation finished; outDir holds crossval.json.
    void crossValidationFinished(const QString& outDir);

private:
    void buildUi();
    QWidget* buildFormPanel();
    void buildRunButtons();
    QLayout* buildRunsFolderRow();
    void buildStatusLabels();
    QWidget* buildChartsAndLog();
    void updateState();
    void updateRunsFolderLabel();
    void syncFormFromDocument();
    void formEdited(const QString& key);
    void chooseRunToResume();
    bool launch(const QString& runDir, const QString& resumeDir, int epochs);
    // What starting a run and a cross-validation share: the page's state, the first log line,
    // and `work` queued to the worker's thread with the new TrainingControl.
    void
    startWork(const QString& runDir, const QString& progress, const QString& logLine,
              const std::function<void(TrainingWorker*, std::shared_ptr<TrainingControl>)>& work);
    void loadHistoryIntoCharts(const QString& runDir);
    void offerToMoveRescuedRun(const QString& rescuedDir, const QString& failedRunDir,
                               const QString& failure);
    QString askForRescueTarget(const QString& rescuedDir, const QString& failedRunDir,
                               const QString& failure);
    void rescuedRunCopied(const QString& rescuedDir, const QString& failedRunDir,
                          const QString& target, const Status& copied);
    void appendLog(const QString& line);
    void resetPauseButton();

    void onLoading(const LoadingEvent& event);
    void onRunStarted(const RunStartedEvent& event);
    void onBatch(const BatchEvent& event);
    void onEpoch(const EpochEvent& event);
    void onAdvice(const AdviceEvent& event);
    void onRunEnded(const RunEndedEvent& event);
    void onFailedToStart(const QString& message);
    void onFinished(const QString& runDir);
    void onFollowRestarted();
    void onFollowStopped(bool runEnded);
    void onFoldStarting(int fold, int folds, const QString& runDir);
    void onFoldEnded(const FoldScore& score);
    void onCrossValidated(const QString& outDir);

    ProjectDocument* m_document;
    HyperparameterForm* m_form = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_pause = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_resume = nullptr;
    QPushButton* m_crossValidate = nullptr;
    QPushButton* m_follow = nullptr;
    QLabel* m_followLabel = nullptr;
    QLabel* m_problem = nullptr;
    QLabel* m_advice = nullptr; // what looks wrong with the run, and what to do
    QProgressBar* m_progress = nullptr;
    QLabel* m_progressText = nullptr;
    TrainingChart* m_lossChart = nullptr;
    TrainingChart* m_accuracyChart = nullptr;
    QPlainTextEdit* m_log = nullptr;
    QTimer* m_replotTimer = nullptr;

    BackgroundRunner* m_runner = nullptr; // runs trainings and moves rescued runs
    TrainingWorker* m_worker = nullptr;
    RunFollower* m_follower = nullptr;
    std::shared_ptr<TrainingControl> m_control;
    bool m_training = false;
    bool m_crossValidating = false; // the worker runs a cross-validation (m_training too)
    bool m_crossValidated = false;  // it finished every fold
    bool m_movingRun = false;       // a rescued run is being copied to the folder the user chose
    bool m_syncing = false;
    QString m_runsFolder;
    QLabel* m_runsFolderLabel = nullptr;
    QString m_runDir;
    RunStartedEvent m_started;
    RunEndedEvent m_ended;
};

} // namespace studio
