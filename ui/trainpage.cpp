#include "trainpage.h"

#include "backgroundrunner.h"

#include "hyperparameterform.h"
#include "projectdocument.h"
#include "runfollower.h"
#include "settingwidgets.h"
#include "trainingchart.h"
#include "trainingworker.h"

#include "runs/runcatalog.h"
#include "runs/runsfolder.h"
#include "training/runfolder.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStandardPaths>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace studio {

namespace {

QString formatMetric(double value)
{
    return std::isfinite(value) ? QString::number(value, 'f', 4) : QStringLiteral("-");
}

QString newRunFolder(const QString& runs)
{
    const QString base =
        QDir(runs).filePath(QStringLiteral("run-") + QDateTime::currentDateTime().toString(
                                                         QStringLiteral("yyyyMMdd-hhmmss")));
    QString path = base;
    for (int i = 2; QFileInfo::exists(path); ++i) {
        path = base + QStringLiteral("-%1").arg(i);
    }
    return path;
}

} // namespace

TrainPage::TrainPage(ProjectDocument* document, QWidget* parent)
    : QWidget(parent), m_document(document)
{
    registerUiMetaTypes();
    m_runsFolder = QSettings().value(kRunsFolderSettingsKey).toString();
    buildUi();

    m_runner = new BackgroundRunner(QStringLiteral("training"), this);
    // Lives on the GUI thread; its signals, sent from the runner's thread, arrive queued.
    m_worker = new TrainingWorker(this);
    connect(m_worker, &TrainingWorker::loading, this, &TrainPage::onLoading);
    connect(m_worker, &TrainingWorker::runStarted, this, &TrainPage::onRunStarted);
    connect(m_worker, &TrainingWorker::batchDone, this, &TrainPage::onBatch);
    connect(m_worker, &TrainingWorker::epochDone, this, &TrainPage::onEpoch);
    connect(m_worker, &TrainingWorker::advice, this, &TrainPage::onAdvice);
    connect(m_worker, &TrainingWorker::runEnded, this, &TrainPage::onRunEnded);
    connect(m_worker, &TrainingWorker::failedToStart, this, &TrainPage::onFailedToStart);
    connect(m_worker, &TrainingWorker::finished, this, &TrainPage::onFinished);
    connect(m_worker, &TrainingWorker::foldStarting, this, &TrainPage::onFoldStarting);
    connect(m_worker, &TrainingWorker::foldEnded, this, &TrainPage::onFoldEnded);
    connect(m_worker, &TrainingWorker::crossValidated, this, &TrainPage::onCrossValidated);

    // A run another process writes reaches the same slots as the app's own.
    m_follower = new RunFollower(this);
    connect(m_follower, &RunFollower::loading, this, &TrainPage::onLoading);
    connect(m_follower, &RunFollower::runStarted, this, &TrainPage::onRunStarted);
    connect(m_follower, &RunFollower::batchDone, this, &TrainPage::onBatch);
    connect(m_follower, &RunFollower::epochDone, this, &TrainPage::onEpoch);
    connect(m_follower, &RunFollower::advice, this, &TrainPage::onAdvice);
    connect(m_follower, &RunFollower::runEnded, this, &TrainPage::onRunEnded);
    connect(m_follower, &RunFollower::restarted, this, &TrainPage::onFollowRestarted);
    connect(m_follower, &RunFollower::warning, this,
            [this](const QString& message) { appendLog(tr("Warning: %1").arg(message)); });
    connect(m_follower, &RunFollower::stopped, this, &TrainPage::onFollowStopped);

    m_replotTimer = new QTimer(this);
    m_replotTimer->setInterval(100);
    connect(m_replotTimer, &QTimer::timeout, this, [this] {
        m_lossChart->replotIfChanged();
        m_accuracyChart->replotIfChanged();
    });

    connect(m_document, &ProjectDocument::projectChanged, this, [this] {
        if (!m_syncing) {
            syncFormFromDocument();
        }
        updateState();
    });
    connect(m_document, &ProjectDocument::modelSummaryChanged, this, &TrainPage::updateState);
    connect(m_document, &ProjectDocument::outputLayerSized, this, &TrainPage::appendLog);
    connect(m_document, &ProjectDocument::filePathChanged, this, &TrainPage::updateRunsFolderLabel);
    syncFormFromDocument();
    updateState();
    updateRunsFolderLabel();
}

TrainPage::~TrainPage()
{
    if (m_control) {
        m_control->requestStop();
        m_control->setPaused(false);
    }
    delete m_runner; // waits for the run to stop (a checkpoint is written)
}

void TrainPage::buildUi()
{
    QWidget* formPanel = buildFormPanel();
    buildRunButtons();
    auto* buttons = new QHBoxLayout;
    for (QPushButton* button : {m_start, m_pause, m_stop, m_crossValidate}) {
        buttons->addWidget(button);
    }
    buttons->addStretch(1);
    QLayout* runsRow = buildRunsFolderRow();
    buildStatusLabels();
    QWidget* chartsAndLog = buildChartsAndLog();

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addLayout(buttons);
    rightLayout->addLayout(runsRow);
    rightLayout->addWidget(m_problem);
    rightLayout->addWidget(m_advice);
    rightLayout->addWidget(m_followLabel);
    rightLayout->addWidget(m_progress);
    rightLayout->addWidget(m_progressText);
    rightLayout->addWidget(chartsAndLog, 1);

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(formPanel);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split);
}

// The hyperparameter form in a scroll area wide enough to show it without scrolling sideways.
QWidget* TrainPage::buildFormPanel()
{
    m_form = new HyperparameterForm;
    connect(m_form, &HyperparameterForm::edited, this, &TrainPage::formEdited);
    auto* formScroll = new QScrollArea;
    formScroll->setWidget(m_form);
    formScroll->setWidgetResizable(true);
    formScroll->setMinimumWidth(m_form->sizeHint().width() + 24);
    return formScroll;
}

// The Start, Pause, Stop, Resume Run..., Cross-validate... and Follow Run Folder... buttons,
// connected to what they do.
void TrainPage::buildRunButtons()
{
    m_start =
        new QPushButton(QIcon::fromTheme(QStringLiteral("media-playback-start")), tr("Start"));
    m_start->setObjectName(QStringLiteral("startButton"));
    m_start->setToolTip(tr("Train the network of the Model page on the Data page's images with "
                           "these settings, in a new run folder (Ctrl+T)."));
    m_start->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    m_pause =
        new QPushButton(QIcon::fromTheme(QStringLiteral("media-playback-pause")), tr("Pause"));
    m_pause->setObjectName(QStringLiteral("pauseButton"));
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Pause after the current batch; press again to resume."));
    m_stop = new QPushButton(QIcon::fromTheme(QStringLiteral("media-playback-stop")), tr("Stop"));
    m_stop->setObjectName(QStringLiteral("stopButton"));
    m_stop->setToolTip(tr("Stop after the current batch. A checkpoint is written, so the run "
                          "can be resumed later."));
    m_resume = new QPushButton(tr("Resume Run..."));
    m_resume->setObjectName(QStringLiteral("resumeButton"));
    m_resume->setToolTip(tr("Continue a previous run from its last checkpoint, possibly for "
                            "more epochs."));
    connect(m_start, &QPushButton::clicked, this, [this] { startTraining(); });
    connect(m_pause, &QPushButton::toggled, this, &TrainPage::setPaused);
    connect(m_stop, &QPushButton::clicked, this, &TrainPage::requestStop);
    connect(m_resume, &QPushButton::clicked, this, &TrainPage::chooseRunToResume);
    m_crossValidate = new QPushButton(tr("Cross-validate..."));
    m_crossValidate->setObjectName(QStringLiteral("crossValidateButton"));
    m_crossValidate->setToolTip(
        tr("Train the network k times, each time holding out a different fifth (k = 5) of all "
           "images as the test set, and report the mean and standard deviation of the scores: "
           "a more honest estimate than one split when there are few images (scikit-learn's "
           "StratifiedGroupKFold; classifier-cli crossval)."));
    connect(m_crossValidate, &QPushButton::clicked, this, &TrainPage::chooseCrossValidation);
    m_follow = new QPushButton(tr("Follow Run Folder..."));
    m_follow->setObjectName(QStringLiteral("followButton"));
    m_follow->setToolTip(tr("Show a run that another process writes: classifier-cli train --out, "
                            "or a cluster run on a shared filesystem. Start, Pause and Stop "
                            "control only this app's own runs."));
    connect(m_follow, &QPushButton::clicked, this, [this] {
        if (isFollowing()) {
            stopFollowing();
        } else {
            chooseRunToFollow();
        }
    });
}

// The second row: where runs go (with Change...), and the actions on existing run folders.
QLayout* TrainPage::buildRunsFolderRow()
{
    m_runsFolderLabel = new QLabel;
    m_runsFolderLabel->setObjectName(QStringLiteral("runsFolderLabel"));
    m_runsFolderLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long path is cut at the right (the tooltip has it whole) instead of widening the window
    // past the screen.
    m_runsFolderLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto* changeRuns = new QPushButton(tr("Change..."));
    changeRuns->setObjectName(QStringLiteral("changeRunsFolder"));
    changeRuns->setToolTip(tr("Choose the folder where each new run gets its own folder (its "
                              "settings, history, checkpoints and the trained model)."));
    connect(changeRuns, &QPushButton::clicked, this, &TrainPage::chooseRunsFolder);
    auto* runsRow = new QHBoxLayout;
    runsRow->addWidget(m_runsFolderLabel, 1);
    runsRow->addWidget(changeRuns);
    runsRow->addWidget(m_resume);
    runsRow->addWidget(m_follow);
    return runsRow;
}

// The labels above the charts: why Start is disabled, the advice banner, the followed run, and
// the progress bar with its text.
void TrainPage::buildStatusLabels()
{
    m_problem = new QLabel;
    m_problem->setObjectName(QStringLiteral("startProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_advice = new QLabel;
    m_advice->setObjectName(QStringLiteral("adviceBanner"));
    m_advice->setWordWrap(true);
    m_advice->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_advice->setStyleSheet(QStringLiteral("QLabel { background: #fff3cd; color: #664d03; "
                                           "border: 1px solid #e6c85a; padding: 6px; }"));
    m_advice->hide();
    m_followLabel = new QLabel;
    m_followLabel->setObjectName(QStringLiteral("followLabel"));
    m_followLabel->setWordWrap(true);
    m_followLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_followLabel->hide();
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("trainingProgress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progressText = new QLabel(tr("Not training."));
    m_progressText->setObjectName(QStringLiteral("progressText"));
    m_progressText->setWordWrap(true); // a long message must not widen the page
}

// The loss and accuracy charts side by side, above the log.
QWidget* TrainPage::buildChartsAndLog()
{
    m_lossChart = new TrainingChart(QStringLiteral("loss"), tr("Loss"));
    m_lossChart->setObjectName(QStringLiteral("lossChart"));
    m_lossChart->setWhatsThis(
        tr("The loss measures how wrong the network is; training lowers it. When the validation "
           "loss (orange) starts to rise above the training loss (blue), the network begins to "
           "over-fit: it memorises the training images instead of learning the classes."));
    m_accuracyChart = new TrainingChart(QStringLiteral("accuracy"), tr("Accuracy"));
    m_accuracyChart->setObjectName(QStringLiteral("accuracyChart"));
    m_accuracyChart->setWhatsThis(
        tr("The fraction of images classified correctly. Validation accuracy falling below "
           "training accuracy is the other sign of over-fitting."));

    m_log = new QPlainTextEdit;
    m_log->setObjectName(QStringLiteral("trainingLog"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setPlaceholderText(tr("The run's messages appear here."));

    auto* charts = new QSplitter(Qt::Horizontal);
    charts->addWidget(m_lossChart);
    charts->addWidget(m_accuracyChart);
    auto* rightSplit = new QSplitter(Qt::Vertical);
    rightSplit->addWidget(charts);
    rightSplit->addWidget(m_log);
    rightSplit->setStretchFactor(0, 3);
    rightSplit->setStretchFactor(1, 1);
    return rightSplit;
}

void TrainPage::setRunsFolder(const QString& folder)
{
    m_runsFolder = folder;
    if (folder.isEmpty()) {
        QSettings().remove(kRunsFolderSettingsKey);
    } else {
        QSettings().setValue(kRunsFolderSettingsKey, folder);
    }
    updateRunsFolderLabel();
}

void TrainPage::chooseRunsFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(
        this, tr("Folder for New Runs"), runsFolder(), QFileDialog::ShowDirsOnly);
    if (!folder.isEmpty()) {
        setRunsFolder(folder);
    }
}

void TrainPage::updateRunsFolderLabel()
{
    m_runsFolderLabel->setText(
        tr("New runs go to: %1").arg(QDir::toNativeSeparators(runsFolder())));
    m_runsFolderLabel->setToolTip(QDir::toNativeSeparators(runsFolder()));
}

QString TrainPage::runsFolder() const
{
    if (!m_runsFolder.isEmpty()) {
        return m_runsFolder;
    }
    if (!m_document->filePath().isEmpty()) {
        return QFileInfo(m_document->filePath()).dir().filePath(QStringLiteral("runs"));
    }
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
        .filePath(QStringLiteral("runs"));
}

QString TrainPage::logText() const
{
    return m_log->toPlainText();
}

QString TrainPage::startProblem() const
{
    if (m_training) {
        return tr("A training is running.");
    }
    if (m_movingRun) {
        return tr("The rescued run is being moved; it continues training once it is copied.");
    }
    if (m_document->project().dataset.root.isEmpty()) {
        return tr("Choose a dataset folder on the Data page first.");
    }
    if (m_document->hasModelProblem()) {
        return tr("The network cannot be trained yet; fix it on the Model page:\n%1")
            .arg(m_document->modelProblem());
    }
    return QString();
}

void TrainPage::updateState()
{
    const QString problem = startProblem();
    const bool following = isFollowing();
    m_start->setEnabled(problem.isEmpty() && !following);
    m_crossValidate->setEnabled(problem.isEmpty() && !following);
    m_problem->setText(m_training ? QString() : problem);
    m_problem->setVisible(!m_training && !problem.isEmpty());
    m_pause->setEnabled(m_training);
    m_stop->setEnabled(m_training);
    m_resume->setEnabled(!m_training && !m_movingRun);
    m_form->setEnabled(!m_training);
    m_follow->setEnabled(!m_training);
    m_follow->setText(following ? tr("Stop Following") : tr("Follow Run Folder..."));
    m_followLabel->setVisible(following);
    if (following) {
        m_followLabel->setText(tr("Following %1 (written by another process).")
                                   .arg(QDir::toNativeSeparators(m_follower->runDir())));
    }
}

void TrainPage::syncFormFromDocument()
{
    m_form->setSettings(m_document->project().training);
}

void TrainPage::formEdited(const QString& key)
{
    const TrainingSettings settings = m_form->settings(m_document->project().training);
    m_syncing = true;
    m_document->setTraining(settings, tr("Change %1").arg(settingLabel(key)), key);
    m_syncing = false;
}

bool TrainPage::startTraining()
{
    const QString problem = startProblem();
    if (!problem.isEmpty()) {
        appendLog(problem);
        return false;
    }
    m_lossChart->clear();
    m_accuracyChart->clear();
    return launch(newRunFolder(runsFolder()), QString(), 0);
}

bool TrainPage::resumeTraining(const QString& runDir, int epochs)
{
    if (m_training) {
        appendLog(tr("A training is running; stop it before resuming another run."));
        return false;
    }
    if (!QFile::exists(QDir(runDir).filePath(runfiles::lastCheckpoint))) {
        appendLog(tr("'%1' holds no checkpoint to resume from. Choose a run folder made by "
                     "Start.")
                      .arg(QDir::toNativeSeparators(runDir)));
        return false;
    }
    m_lossChart->clear();
    m_accuracyChart->clear();
    loadHistoryIntoCharts(runDir);
    return launch(runDir, runDir, epochs);
}

void TrainPage::chooseRunToResume()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Resume Run"), runsFolder());
    if (dir.isEmpty()) {
        return;
    }
    int epochs = 0;
    const Result<LoadedProject> saved = loadProject(QDir(dir).filePath(runfiles::project));
    if (saved.ok()) {
        bool ok = false;
        epochs =
            QInputDialog::getInt(this, tr("Resume Run"), tr("Train until epoch (the run's total):"),
                                 saved->project.training.epochs, 1, 100000, 1, &ok);
        if (!ok) {
            return;
        }
    }
    resumeTraining(dir, epochs);
}

void TrainPage::chooseCrossValidation()
{
    bool ok = false;
    const int folds = QInputDialog::getInt(
        this, tr("Cross-validate"),
        tr("Number of folds (k): every image is held out once, and the network is trained k "
           "times."),
        5, 2, 20, 1, &ok);
    if (ok) {
        startCrossValidation(folds);
    }
}

bool TrainPage::startCrossValidation(int folds)
{
    const QString problem = startProblem();
    if (!problem.isEmpty()) {
        appendLog(problem);
        return false;
    }
    QString outDir = newRunFolder(runsFolder());
    outDir.replace(outDir.lastIndexOf(QStringLiteral("run-")), 4, QStringLiteral("crossval-"));
    m_lossChart->clear();
    m_accuracyChart->clear();
    m_crossValidating = true;
    m_crossValidated = false;
    const Project project = m_document->project();
    startWork(
        outDir, tr("Preparing the folds..."),
        tr("Cross-validating with %1 folds in %2").arg(folds).arg(QDir::toNativeSeparators(outDir)),
        [=](TrainingWorker* worker, std::shared_ptr<TrainingControl> control) {
            worker->crossValidate(project, outDir, folds, control);
        });
    return true;
}

void TrainPage::onFoldStarting(int fold, int folds, const QString& runDir)
{
    if (fold > 0) {
        m_lossChart->keepAsOverlay(tr("fold %1").arg(fold));
        m_accuracyChart->keepAsOverlay(tr("fold %1").arg(fold));
    }
    appendLog(
        tr("Fold %1 of %2: %3").arg(fold + 1).arg(folds).arg(QDir::toNativeSeparators(runDir)));
}

void TrainPage::onFoldEnded(const FoldScore& score)
{
    appendLog(tr("Fold %1: accuracy %2 on its %3 held-out images.")
                  .arg(score.fold + 1)
                  .arg(QString::number(score.accuracy, 'f', 4))
                  .arg(score.testCount));
}

void TrainPage::onCrossValidated(const QString& outDir)
{
    m_crossValidated = true;
    const Result<CrossValidationSummary> summary = loadCrossValidation(outDir);
    if (!summary) {
        appendLog(summary.error());
        return;
    }
    const QStringList lines = summaryText(*summary);
    for (const QString& line : lines) {
        appendLog(line);
    }
    m_progressText->setText(lines.first());
}

bool TrainPage::launch(const QString& runDir, const QString& resumeDir, int epochs)
{
    const Project project = m_document->project();
    startWork(runDir, tr("Preparing the images..."),
              resumeDir.isEmpty()
                  ? tr("Starting a new run in %1").arg(QDir::toNativeSeparators(runDir))
                  : tr("Resuming the run in %1").arg(QDir::toNativeSeparators(runDir)),
              [=](TrainingWorker* worker, std::shared_ptr<TrainingControl> control) {
                  worker->run(project, runDir, resumeDir, epochs, control);
              });
    return true;
}

void TrainPage::startWork(
    const QString& runDir, const QString& progress, const QString& logLine,
    const std::function<void(TrainingWorker*, std::shared_ptr<TrainingControl>)>& work)
{
    stopFollowing(); // the charts are the new run's now
    m_runDir = runDir;
    m_control = std::make_shared<TrainingControl>();
    resetPauseButton();
    m_training = true;
    m_started = RunStartedEvent{};
    m_ended = RunEndedEvent{};
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progressText->setText(progress);
    appendLog(logLine);
    updateState();
    m_runner->run([worker = m_worker, control = m_control,
                   work](const BackgroundJob&) { work(worker, control); },
                  [] {});
    m_replotTimer->start();
    Q_EMIT trainingChanged(true);
}

bool TrainPage::isFollowing() const
{
    return m_follower != nullptr && m_follower->isFollowing();
}

void TrainPage::chooseRunToFollow()
{
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Follow a Run Folder"), runsFolder());
    if (!dir.isEmpty()) {
        followRun(dir);
    }
}

bool TrainPage::followRun(const QString& runDir)
{
    const QString shown = QDir::toNativeSeparators(runDir);
    QString problem;
    if (m_training) {
        problem = tr("A training of this app is running; stop it before following another run.");
    } else if (!QFileInfo(runDir).isDir()) {
        problem = tr("Cannot follow '%1': there is no such folder. Choose the folder a run "
                     "writes (the --out folder of classifier-cli train).")
                      .arg(shown);
    } else if (!QFile::exists(QDir(runDir).filePath(runfiles::project)) &&
               !QFile::exists(QDir(runDir).filePath(runfiles::events))) {
        problem = tr("'%1' is not a run folder: it has no %2 and no %3. Choose the folder a run "
                     "writes (the --out folder of classifier-cli train, or a run-... folder in "
                     "the runs folder). A run that is still loading its images writes them "
                     "before its first epoch; try again then.")
                      .arg(shown, runfiles::project, runfiles::events);
    }
    if (!problem.isEmpty()) {
        appendLog(problem);
        m_progressText->setText(problem);
        return false;
    }
    stopFollowing();
    m_lossChart->clear();
    m_accuracyChart->clear();
    m_started = RunStartedEvent{};
    m_ended = RunEndedEvent{};
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progressText->setText(tr("Waiting for the run's first events..."));
    appendLog(tr("Following %1 (written by another process). Start, Pause and Stop control "
                 "only this app's own runs; Stop Following ends this view, not the run.")
                  .arg(shown));
    // A run folder from before events.jsonl existed has only its history.
    if (!QFile::exists(QDir(runDir).filePath(runfiles::events))) {
        loadHistoryIntoCharts(runDir);
    }
    m_replotTimer->start();
    m_follower->follow(runDir); // replays the run so far before it returns
    updateState();
    return true;
}

void TrainPage::stopFollowing()
{
    if (!isFollowing()) {
        return;
    }
    const QString runDir = m_follower->runDir();
    m_follower->stop();
    appendLog(tr("Stopped following %1; this does not stop the run.")
                  .arg(QDir::toNativeSeparators(runDir)));
}

void TrainPage::onFollowRestarted()
{
    m_lossChart->clear();
    m_accuracyChart->clear();
    appendLog(tr("The events file of %1 was truncated or replaced; showing it from its start.")
                  .arg(QDir::toNativeSeparators(m_follower->runDir())));
}

void TrainPage::onFollowStopped(bool runEnded)
{
    if (!m_training) {
        m_replotTimer->stop();
    }
    m_lossChart->replotIfChanged();
    m_accuracyChart->replotIfChanged();
    if (runEnded) {
        appendLog(tr("The followed run has ended; no longer following %1.")
                      .arg(QDir::toNativeSeparators(m_follower->runDir())));
    }
    updateState();
}

void TrainPage::loadHistoryIntoCharts(const QString& runDir)
{
    QFile file(QDir(runDir).filePath(runfiles::history));
    if (!file.open(QIODevice::ReadOnly)) {
        return;
    }
    const Result<History> history = History::fromCsv(file.readAll(), runfiles::history);
    if (!history.ok()) {
        appendLog(history.error());
        return;
    }
    for (const EpochRecord& record : history->epochs()) {
        const double x = record.epoch + 1;
        m_lossChart->addTrainingPoint(x, record.metrics.loss);
        m_accuracyChart->addTrainingPoint(x, record.metrics.accuracy);
        m_lossChart->addValidationPoint(x, record.metrics.valLoss);
        m_accuracyChart->addValidationPoint(x, record.metrics.valAccuracy);
        m_lossChart->addLearningRate(x, record.learningRate);
        m_accuracyChart->addLearningRate(x, record.learningRate);
    }
}

void TrainPage::setPaused(bool paused)
{
    if (!m_training || !m_control) {
        return;
    }
    m_control->setPaused(paused);
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    appendLog(paused ? tr("Paused.") : tr("Resumed."));
}

void TrainPage::resetPauseButton()
{
    const QSignalBlocker blocker(m_pause);
    m_pause->setChecked(false);
    m_pause->setText(tr("Pause"));
}

void TrainPage::requestStop()
{
    if (!m_training || !m_control) {
        return;
    }
    m_control->requestStop();
    m_control->setPaused(false);
    m_stop->setEnabled(false);
    appendLog(tr("Stopping after the current batch; a checkpoint is written."));
}

void TrainPage::stopAndWait()
{
    if (!m_training) {
        return;
    }
    requestStop();
    // The worker's run() returns once the trainer has saved its checkpoint; then its queued
    // signals are handled here.
    m_runner->waitForIdle();
    QCoreApplication::sendPostedEvents(m_runner, QEvent::MetaCall);
    QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
    m_training = false;
}

void TrainPage::appendLog(const QString& line)
{
    m_log->appendPlainText(QTime::currentTime().toString(QStringLiteral("hh:mm:ss  ")) + line);
}

void TrainPage::onLoading(const LoadingEvent& event)
{
    const int total = int(std::clamp<qint64>(event.total, 1, std::numeric_limits<int>::max()));
    m_progress->setRange(0, total);
    m_progress->setValue(int(qMin<qint64>(event.done, total)));
    m_progressText->setText(tr("Loading the images into memory: %L1 of %L2 (Stop cancels)")
                                .arg(event.done)
                                .arg(event.total));
}

void TrainPage::onRunStarted(const RunStartedEvent& event)
{
    m_started = event;
    m_advice->clear();
    m_advice->hide();
    const int epochs = qMax(1, event.epochs);
    m_progress->setRange(0, qMax(1, epochs * qMax(1, event.batchesPerEpoch)));
    m_progress->setValue(event.firstEpoch * event.batchesPerEpoch);
    for (const QString& warning : event.warnings) {
        appendLog(tr("Warning: %1").arg(warning));
    }
    for (const QString& note : event.notes) {
        appendLog(note);
    }
    appendLog(tr("Training on %1 with %2 thread(s): %3 training, %4 validation, %5 test images; "
                 "%6 parameters; epochs %7 to %8, %9 batches each.")
                  .arg(event.device)
                  .arg(event.threads)
                  .arg(event.trainImages)
                  .arg(event.validationImages)
                  .arg(event.testImages)
                  .arg(event.parameters)
                  .arg(event.firstEpoch + 1)
                  .arg(event.epochs)
                  .arg(event.batchesPerEpoch));
}

void TrainPage::onBatch(const BatchEvent& event)
{
    const double x = event.epoch + double(event.batch) / qMax(1, event.batches);
    m_lossChart->addTrainingPoint(x, event.loss);
    m_accuracyChart->addTrainingPoint(x, event.accuracy);
    m_progress->setValue(event.epoch * event.batches + event.batch);
    m_progressText->setText(tr("Epoch %1/%2 · batch %3/%4 · %5 images/s · ETA %6")
                                .arg(event.epoch + 1)
                                .arg(qMax(m_started.epochs, event.epoch + 1))
                                .arg(event.batch)
                                .arg(event.batches)
                                .arg(qRound(event.imagesPerSecond))
                                .arg(durationText(event.etaSeconds)));
}

void TrainPage::onAdvice(const AdviceEvent& event)
{
    const QString line = event.message.toHtmlEscaped();
    m_advice->setText(m_advice->text().isEmpty()
                          ? tr("<b>Advice</b><br>%1").arg(line)
                          : m_advice->text() + QStringLiteral("<br>") + line);
    m_advice->show();
    appendLog(tr("Advice: %1").arg(event.message));
}

void TrainPage::onEpoch(const EpochEvent& event)
{
    const EpochRecord& r = event.record;
    const double x = r.epoch + 1;
    for (const QString& warning : event.warnings) {
        appendLog(tr("Warning: %1").arg(warning));
    }
    if (std::isfinite(r.metrics.valLoss)) {
        m_lossChart->addValidationPoint(x, r.metrics.valLoss);
    }
    if (std::isfinite(r.metrics.valAccuracy)) {
        m_accuracyChart->addValidationPoint(x, r.metrics.valAccuracy);
    }
    m_lossChart->addLearningRate(x, r.learningRate);
    m_accuracyChart->addLearningRate(x, r.learningRate);
    if (event.isBest) {
        m_lossChart->setBestEpoch(x);
        m_accuracyChart->setBestEpoch(x);
    }
    appendLog(tr("Epoch %1/%2: loss %3, accuracy %4, val_loss %5, val_accuracy %6, "
                 "learning_rate %7, %8 s%9")
                  .arg(r.epoch + 1)
                  .arg(qMax(m_started.epochs, r.epoch + 1))
                  .arg(formatMetric(r.metrics.loss), formatMetric(r.metrics.accuracy),
                       formatMetric(r.metrics.valLoss), formatMetric(r.metrics.valAccuracy),
                       QString::number(r.learningRate, 'g', 4), QString::number(r.seconds, 'f', 1),
                       event.isBest ? tr(" (best so far)") : QString()));
}

void TrainPage::onRunEnded(const RunEndedEvent& event)
{
    m_ended = event;
    QString line =
        tr("Run %1 after %2 epoch(s)").arg(outcomeName(event.outcome)).arg(event.epochsDone);
    if (!event.reason.isEmpty()) {
        line += QStringLiteral(": ") + event.reason;
    }
    appendLog(line);
    if (event.bestEpoch >= 0) {
        appendLog(tr("Best epoch: %1.").arg(event.bestEpoch + 1));
    }
    if (!event.modelPath.isEmpty()) {
        appendLog(tr("Model saved: %1").arg(QDir::toNativeSeparators(event.modelPath)));
    }
    if (event.testCount > 0) {
        appendLog(tr("Test accuracy: %1 on %2 images.")
                      .arg(QString::number(event.testAccuracy, 'f', 4))
                      .arg(event.testCount));
    }
    if (!event.int8Check.isEmpty()) {
        appendLog(event.int8Check);
    }
    m_progressText->setText(line);
}

void TrainPage::onFailedToStart(const QString& message)
{
    if (m_crossValidating) {
        appendLog(tr("The cross-validation did not finish: %1").arg(message));
        m_progressText->setText(tr("The cross-validation did not finish."));
        return;
    }
    m_ended = RunEndedEvent{};
    m_ended.outcome = RunEndedEvent::Outcome::Failed;
    m_ended.reason = message;
    appendLog(tr("The run could not start: %1").arg(message));
    m_progressText->setText(tr("The run could not start."));
}

void TrainPage::onFinished(const QString& runDir)
{
    m_training = false;
    m_control.reset();
    m_replotTimer->stop();
    m_lossChart->replotIfChanged();
    m_accuracyChart->replotIfChanged();
    resetPauseButton();
    const bool crossValidation = m_crossValidating;
    m_crossValidating = false;
    updateState();
    Q_EMIT trainingChanged(false);
    if (crossValidation) {
        if (m_crossValidated) {
            Q_EMIT crossValidationFinished(runDir);
        }
        return;
    }
    Q_EMIT runFinished(runDir, m_ended);
    if (m_ended.outcome == RunEndedEvent::Outcome::Failed && !m_ended.rescuedRunDir.isEmpty()) {
        // After this slot returns, so that the run's end is handled everywhere before asking.
        const QString rescuedDir = m_ended.rescuedRunDir;
        QTimer::singleShot(0, this, [this, rescuedDir, runDir] {
            offerToMoveRescuedRun(rescuedDir, runDir, QString());
        });
    }
}

void TrainPage::offerToMoveRescuedRun(const QString& rescuedDir, const QString& failedRunDir,
                                      const QString& failure)
{
    const QString folder = chooseRescueTarget
                               ? chooseRescueTarget(rescuedDir, failure)
                               : askForRescueTarget(rescuedDir, failedRunDir, failure);
    if (folder.isEmpty()) {
        appendLog(tr("The run stays in %1 for now; Resume Run... continues it from there. Move "
                     "it elsewhere to keep it: the temporary folder may be emptied when the "
                     "computer restarts.")
                      .arg(QDir::toNativeSeparators(rescuedDir)));
        return;
    }
    QString name = QFileInfo(failedRunDir).fileName();
    if (name.isEmpty()) {
        name = QStringLiteral("run");
    }
    const QString target = unusedPath(QDir(folder).filePath(name));
    appendLog(tr("Moving the run from %1 to %2...")
                  .arg(QDir::toNativeSeparators(rescuedDir), QDir::toNativeSeparators(target)));
    m_movingRun = true;
    updateState();
    // A checkpoint copied to a slow drive takes a while: on the training runner (idle now).
    m_runner->run(
        [rescuedDir, target](const BackgroundJob&) { return copyRunFolder(rescuedDir, target); },
        [this, rescuedDir, failedRunDir, target](const Status& copied) {
            rescuedRunCopied(rescuedDir, failedRunDir, target, copied);
        });
}

QString TrainPage::askForRescueTarget(const QString& rescuedDir, const QString& failedRunDir,
                                      const QString& failure)
{
    QMessageBox box(this);
    box.setIcon(QMessageBox::Warning);
    box.setWindowTitle(tr("Run Folder Cannot Be Written"));
    box.setText(failure.isEmpty()
                    ? tr("The run folder %1 cannot be written: the disk may be full, read-only "
                         "or unplugged.")
                          .arg(QDir::toNativeSeparators(failedRunDir))
                    : tr("The run could not be moved there. %1").arg(failure));
    box.setInformativeText(
        tr("Nothing is lost: the training so far is saved in %1.\n\nChoose another folder to "
           "move the run there and continue training (new runs will go there too), or Later "
           "to leave it where it is; Resume Run... continues it from there.")
            .arg(QDir::toNativeSeparators(rescuedDir)));
    QPushButton* choose = box.addButton(tr("Choose Another Folder..."), QMessageBox::AcceptRole);
    box.addButton(tr("Later"), QMessageBox::RejectRole);
    box.setDefaultButton(choose);
    box.exec();
    if (box.clickedButton() != choose) {
        return QString();
    }
    return QFileDialog::getExistingDirectory(this, tr("Move the Run To"), QDir::homePath(),
                                             QFileDialog::ShowDirsOnly);
}

void TrainPage::rescuedRunCopied(const QString& rescuedDir, const QString& failedRunDir,
                                 const QString& target, const Status& copied)
{
    m_movingRun = false;
    updateState();
    if (!copied) {
        appendLog(tr("Moving the run failed: %1").arg(copied.error()));
        offerToMoveRescuedRun(rescuedDir, failedRunDir, copied.error());
        return;
    }
    // The copy is complete and its sizes checked: only now does the rescue folder go.
    if (!QDir(rescuedDir).removeRecursively()) {
        appendLog(tr("The run was copied, but %1 could not be removed; delete it yourself.")
                      .arg(QDir::toNativeSeparators(rescuedDir)));
    }
    appendLog(tr("The run was moved to %1; training continues there.")
                  .arg(QDir::toNativeSeparators(target)));
    // The chosen folder now holds this run as a runs folder holds its runs.
    setRunsFolder(QFileInfo(target).path());
    appendLog(tr("New runs go to %1 too (Change... picks another folder).")
                  .arg(QDir::toNativeSeparators(runsFolder())));
    resumeTraining(target);
}

} // namespace studio
