// Tests of the Train page with a real (tiny) training: the form edits the project, an invalid
// layer stack disables Start, one epoch fills both charts and a filled confusion matrix
// follows; stopping writes a checkpoint that resumes; a run folder that cannot be written is
// rescued, moved where the user says and trained on; the event loop is probed meanwhile.
#include "classmetricsmodel.h"
#include "confusionmatrixplot.h"
#include "evaluatepage.h"
#include "projectdocument.h"
#include "trainingchart.h"
#include "trainpage.h"

#include "training/history.h"

#include "shapesdataset.h"
#include "uitestsupport.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QUndoStack>
#include <QtTest>

using namespace studio;

class TestTrainPage : public QObject
{
    Q_OBJECT

    QTemporaryDir m_data;

private Q_SLOTS:
    void initTestCase()
    {
        uitest::useFreshSettings();
        testdata::makeShapes(m_data.path(), QStringLiteral("train"), 16, 1);
        testdata::makeShapes(m_data.path(), QStringLiteral("validation"), 6, 2);
        testdata::makeShapes(m_data.path(), QStringLiteral("test"), 6, 3);
    }

    // setRunsFolder() is kept in QSettings: each test starts from the default.
    void cleanup() { QSettings().remove(QStringLiteral("train/runsFolder")); }

    void runsFolderIsChosenAndKept()
    {
        QTemporaryDir project;
        QTemporaryDir chosen;
        ProjectDocument document;
        const QString projectPath = project.filePath(QStringLiteral("p.json"));
        QVERIFY(document.saveAs(projectPath).ok());
        {
            TrainPage page(&document);
            // Default: "runs" beside the project file, shown on the page.
            QCOMPARE(page.runsFolder(), project.filePath(QStringLiteral("runs")));
            auto* label = page.findChild<QLabel*>(QStringLiteral("runsFolderLabel"));
            QVERIFY(label != nullptr);
            QVERIFY2(label->text().contains(QDir::toNativeSeparators(page.runsFolder())),
                     qPrintable(label->text()));
            QVERIFY(page.findChild<QPushButton*>(QStringLiteral("changeRunsFolder")) != nullptr);
            page.setRunsFolder(chosen.path());
            QVERIFY(label->text().contains(QDir::toNativeSeparators(chosen.path())));
        }
        // The next session (a new page) starts where the user left it.
        TrainPage again(&document);
        QCOMPARE(again.runsFolder(), chosen.path());
        again.setRunsFolder(QString());
        QCOMPARE(TrainPage(&document).runsFolder(), project.filePath(QStringLiteral("runs")));
    }

    void formEditsTheProjectWithUndo()
    {
        ProjectDocument document;
        TrainPage page(&document);
        // The learning-rate box: its tooltip is the tutorial's advice on learning rates.
        QDoubleSpinBox* rate = nullptr;
        for (QDoubleSpinBox* box : page.findChildren<QDoubleSpinBox*>()) {
            if (box->toolTip().contains(QLatin1String("most critical"))) {
                rate = box;
            }
        }
        QVERIFY(rate);
        QCOMPARE(rate->value(), document.project().training.learningRate);
        rate->setValue(0.005);
        QCOMPARE(document.project().training.learningRate, 0.005);
        QVERIFY(document.isModified());
        document.undoStack()->undo();
        QCOMPARE(document.project().training.learningRate, 1e-3);
        QCOMPARE(rate->value(), 1e-3);
    }

    // The choices for unbalanced classes and BatchNormalization statistics reach the project.
    void classWeightsAndBatchNormChoices()
    {
        ProjectDocument document;
        TrainPage page(&document);
        auto* weights = page.findChild<QComboBox*>(QStringLiteral("training.class_weights"));
        auto* statistics =
            page.findChild<QComboBox*>(QStringLiteral("training.batch_norm_statistics"));
        QVERIFY(weights && statistics);
        QCOMPARE(document.project().training.classWeights, ClassWeighting::None);
        QCOMPARE(document.project().training.batchNormStatistics, BatchNormStatistics::Recompute);
        weights->setCurrentIndex(weights->findData(QStringLiteral("balanced")));
        QCOMPARE(document.project().training.classWeights, ClassWeighting::Balanced);
        weights->setCurrentIndex(weights->findData(QStringLiteral("balanced_sampling")));
        QCOMPARE(document.project().training.classWeights, ClassWeighting::BalancedSampling);
        statistics->setCurrentIndex(statistics->findData(QStringLiteral("moving_average")));
        QCOMPARE(document.project().training.batchNormStatistics,
                 BatchNormStatistics::MovingAverage);
        document.undoStack()->undo();
        QCOMPARE(statistics->currentData().toString(), QStringLiteral("recompute"));
        QVERIFY(projectToJson(document.project()).contains("\"balanced_sampling\""));
        // The arithmetic: float32 unless chosen, and an undoable edit like the others.
        auto* precision = page.findChild<QComboBox*>(QStringLiteral("training.precision"));
        QVERIFY(precision);
        QCOMPARE(document.project().training.precision, Precision::Float32);
        precision->setCurrentIndex(precision->findData(QStringLiteral("mixed_bfloat16")));
        QCOMPARE(document.project().training.precision, Precision::MixedBFloat16);
        QVERIFY(projectToJson(document.project()).contains("\"mixed_bfloat16\""));
        document.undoStack()->undo();
        QCOMPARE(document.project().training.precision, Precision::Float32);
    }

    void invalidStackDisablesStart()
    {
        ProjectDocument document;
        Project project = uitest::tinyProject(m_data.path());
        // A 32x32 kernel does not fit the 16x16 images.
        project.model.layers = {LayerSpec::conv2D(4, {32, 32}), LayerSpec::flatten(),
                                LayerSpec::dense(3, Activation::Softmax)};
        document.setProject(project);
        TrainPage page(&document);
        auto* start = page.findChild<QPushButton*>(QStringLiteral("startButton"));
        auto* problem = page.findChild<QLabel*>(QStringLiteral("startProblem"));
        QVERIFY(document.hasModelProblem());
        QVERIFY(!start->isEnabled());
        QVERIFY2(problem->text().contains(document.modelProblem().section(QLatin1Char('\n'), 0, 0)),
                 qPrintable(problem->text()));
        QVERIFY(!page.startTraining());

        document.setProject(uitest::tinyProject(m_data.path()));
        QVERIFY(!document.hasModelProblem());
        QVERIFY(start->isEnabled());
        QVERIFY(page.startProblem().isEmpty());
    }

    void trainsOneEpochAndShowsTheEvaluation()
    {
        QTemporaryDir runs;
        ProjectDocument document;
        document.setProject(uitest::tinyProject(m_data.path(), 1));
        TrainPage page(&document);
        page.setRunsFolder(runs.path());
        EvaluatePage evaluate;
        // As MainWindow wires them: a finished run shows its evaluation.
        connect(&page, &TrainPage::runFinished, &evaluate,
                [&evaluate](const QString& runDir) { evaluate.loadRun(runDir); });
        page.resize(1100, 700);
        page.show();

        // Probe the event loop while the training runs (reported, never asserted).
        std::vector<double> delays;
        QElapsedTimer clock;
        QTimer probe;
        probe.setInterval(5);
        qint64 last = 0;
        connect(&probe, &QTimer::timeout, [&] {
            const qint64 now = clock.nsecsElapsed();
            delays.push_back(std::max(0.0, (now - last) / 1e6 - 5.0));
            last = now;
        });

        QSignalSpy finished(&page, &TrainPage::runFinished);
        auto* start = page.findChild<QPushButton*>(QStringLiteral("startButton"));
        QVERIFY(start->isEnabled());
        clock.start();
        probe.start();
        QTest::mouseClick(start, Qt::LeftButton);
        QVERIFY(page.isTraining());
        QVERIFY(!start->isEnabled());
        QVERIFY(finished.wait(120000));
        probe.stop();
        QVERIFY(!page.isTraining());
        QVERIFY(start->isEnabled());

        const auto ended = finished.first().at(1).value<RunEndedEvent>();
        QVERIFY2(ended.outcome == RunEndedEvent::Outcome::Finished, qPrintable(page.logText()));
        QVERIFY(QFile::exists(ended.modelPath));
        QVERIFY(page.lossChart()->trainingPointCount() > 0);
        QVERIFY(page.accuracyChart()->trainingPointCount() > 0);
        QCOMPARE(page.lossChart()->validationPointCount(), 1);
        QCOMPARE(page.accuracyChart()->validationPointCount(), 1);
        QVERIFY(page.logText().contains(QLatin1String("Epoch 1/1")));
        // The int8 engine's calibration line (or why there is none) is shown with the result.
        QVERIFY(!ended.int8Check.isEmpty());
        QVERIFY2(page.logText().contains(ended.int8Check), qPrintable(page.logText()));
        auto* progress = page.findChild<QProgressBar*>(QStringLiteral("trainingProgress"));
        QCOMPARE(progress->value(), progress->maximum());

        QVERIFY(evaluate.hasMetrics());
        ConfusionMatrixPlot* matrix = evaluate.confusionPlot();
        QCOMPARE(matrix->classCount(), 3);
        int total = 0;
        for (int t = 0; t < 3; ++t) {
            for (int p = 0; p < 3; ++p) {
                total += matrix->count(t, p);
            }
        }
        QCOMPARE(total, 18);
        QCOMPARE(evaluate.classMetricsModel()->rowCount(), 5);

        const uitest::DelayStats stats = uitest::delayStats(delays);
        qInfo("event-loop delay while training: max %.1f ms, median %.2f ms over %d samples",
              stats.max, stats.median, stats.samples);
    }

    // Cross-validate...: every fold trains in turn, earlier folds stay in the charts as
    // overlays, the log ends with the mean ± SD summary, and the Evaluate page shows it above
    // the last fold's evaluation.
    void crossValidatesAndShowsTheSummary()
    {
        QTemporaryDir runs;
        ProjectDocument document;
        document.setProject(uitest::tinyProject(m_data.path(), 1));
        TrainPage page(&document);
        page.setRunsFolder(runs.path());
        EvaluatePage evaluate;
        connect(&page, &TrainPage::crossValidationFinished, &evaluate,
                [&evaluate](const QString& outDir) { evaluate.loadCrossValidation(outDir); });
        QSignalSpy finished(&page, &TrainPage::crossValidationFinished);
        QSignalSpy runFinished(&page, &TrainPage::runFinished);
        auto* button = page.findChild<QPushButton*>(QStringLiteral("crossValidateButton"));
        QVERIFY(button && button->isEnabled());
        QVERIFY(page.startCrossValidation(3));
        QVERIFY(page.isTraining() && page.isCrossValidating());
        QVERIFY(!button->isEnabled());
        QVERIFY2(finished.wait(180000), qPrintable(page.logText()));
        QVERIFY(!page.isTraining());
        QCOMPARE(runFinished.count(), 0); // the folds are not single runs to show
        const QString outDir = finished.first().at(0).toString();
        QVERIFY2(QFileInfo(outDir).fileName().startsWith(QStringLiteral("crossval-")),
                 qPrintable(outDir));
        QVERIFY(QFile::exists(QDir(outDir).filePath(QStringLiteral("crossval.json"))));
        QCOMPARE(page.lossChart()->overlayCount(), 2);
        QCOMPARE(page.accuracyChart()->overlayCount(), 2);
        QCOMPARE(page.accuracyChart()->validationPointCount(), 1); // the last fold's, live
        const QString log = page.logText();
        QVERIFY2(log.contains(QStringLiteral("Fold 3 of 3")), qPrintable(log));
        QVERIFY2(log.contains(QStringLiteral("Cross-validation, 3 folds x 1: accuracy")),
                 qPrintable(log));

        QVERIFY(evaluate.hasMetrics());
        const QString summary = evaluate.crossValidationText();
        QVERIFY2(summary.contains(QStringLiteral("3 folds")) &&
                     summary.contains(QStringLiteral("±")),
                 qPrintable(summary));
        // A plain run afterwards hides the summary again.
        QVERIFY(evaluate.loadRun(QDir(outDir).filePath(QStringLiteral("fold-1"))));
        QVERIFY(evaluate.crossValidationText().isEmpty());
        // Starting over clears the overlays.
        page.lossChart()->clear();
        QCOMPARE(page.lossChart()->overlayCount(), 0);
    }

    void stopWritesACheckpointThatResumes()
    {
        QTemporaryDir runs;
        ProjectDocument document;
        document.setProject(uitest::tinyProject(m_data.path(), 30));
        TrainPage page(&document);
        page.setRunsFolder(runs.path());
        QVERIFY(page.startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(page.lossChart()->trainingPointCount() > 0, 60000);
        page.stopAndWait();
        QVERIFY(!page.isTraining());
        QVERIFY(QFile::exists(QDir(page.runDir()).filePath(runfiles::lastCheckpoint)));
        QVERIFY2(page.logText().contains(QLatin1String("stopped")), qPrintable(page.logText()));

        const QString runDir = page.runDir();
        const int done = page.lossChart()->validationPointCount();
        QSignalSpy finished(&page, &TrainPage::runFinished);
        QVERIFY(page.resumeTraining(runDir, done + 1));
        QCOMPARE(page.lossChart()->validationPointCount(), done); // the history so far
        QVERIFY(finished.wait(120000));
        const auto ended = finished.first().at(1).value<RunEndedEvent>();
        QVERIFY2(ended.outcome == RunEndedEvent::Outcome::Finished, qPrintable(page.logText()));
        QCOMPARE(ended.epochsDone, done + 1);
        QCOMPARE(page.lossChart()->validationPointCount(), done + 1);
    }

    // After epoch 1 the run folder is removed and a file takes its name, as when a drive is
    // unplugged. The trainer saves the run to a rescue folder in TMPDIR; the page asks where to
    // move it (answered through chooseRescueTarget: first a folder that cannot be made, then a
    // good one), copies it there, removes the rescue folder only then, and trains on to the end.
    void unwritableRunFolderMovesTheRescuedRun()
    {
        QTemporaryDir temp; // where the rescue folder goes (QDir::tempPath() reads TMPDIR)
        const QByteArray oldTemp = qgetenv("TMPDIR");
        qputenv("TMPDIR", QFile::encodeName(temp.path()));
        const auto restoreTemp = qScopeGuard([&] {
            if (oldTemp.isNull()) {
                qunsetenv("TMPDIR");
            } else {
                qputenv("TMPDIR", oldTemp);
            }
        });
        QTemporaryDir runs;
        QTemporaryDir elsewhere;
        const QString notAFolder = elsewhere.filePath(QStringLiteral("not-a-folder"));
        {
            QFile file(notAFolder);
            QVERIFY(file.open(QIODevice::WriteOnly));
        }
        // Epochs take milliseconds here: enough of them that the run is still going when the
        // page has seen the first one and paused it.
        const int epochs = 40;
        ProjectDocument document;
        document.setProject(uitest::tinyProject(m_data.path(), epochs));
        TrainPage page(&document);
        page.setRunsFolder(runs.path());

        QStringList failures; // what each question was told about the previous attempt
        QString rescued;
        bool rescueWhole = true;
        page.chooseRescueTarget = [&](const QString& rescuedDir, const QString& failure) {
            rescued = rescuedDir;
            failures << failure;
            // Whenever the user is asked, the rescued run is all there.
            for (const QString& name :
                 {runfiles::project, runfiles::history, runfiles::lastCheckpoint}) {
                rescueWhole = rescueWhole && QFile::exists(QDir(rescuedDir).filePath(name));
            }
            return failures.size() == 1 ? notAFolder : elsewhere.path();
        };

        QSignalSpy finished(&page, &TrainPage::runFinished);
        QVERIFY(page.startTraining());
        const QString runDir = page.runDir();
        QTRY_VERIFY_WITH_TIMEOUT(page.lossChart()->validationPointCount() >= 1, 60000);
        // Pause at the next batch, so that nothing is being written while the folder goes.
        page.setPaused(true);
        QTest::qWait(300);
        QVERIFY2(page.lossChart()->validationPointCount() < epochs,
                 "the run ended before its folder could be taken away");
        QTRY_VERIFY(QDir(runDir).removeRecursively());
        {
            QFile blocker(runDir);
            QVERIFY(blocker.open(QIODevice::WriteOnly));
        }
        page.setPaused(false);

        // The failed run, then the moved one trained to the end.
        QTRY_VERIFY_WITH_TIMEOUT(finished.size() >= 2, 120000);
        const auto failed = finished.at(0).at(1).value<RunEndedEvent>();
        QCOMPARE(failed.outcome, RunEndedEvent::Outcome::Failed);
        QVERIFY(!rescued.isEmpty());
        QCOMPARE(failed.rescuedRunDir, rescued);
        QVERIFY2(rescued.startsWith(temp.path()), qPrintable(rescued));
        const QString log = page.logText();
        QVERIFY2(log.contains(QDir::toNativeSeparators(runDir)) &&
                     log.contains(QDir::toNativeSeparators(rescued)),
                 qPrintable(log));

        // The first folder could not be made: the second question says so, naming it, and the
        // rescue folder was untouched.
        QCOMPARE(failures.size(), 2);
        QVERIFY(failures.first().isEmpty());
        QVERIFY2(failures.last().contains(QDir::toNativeSeparators(notAFolder)),
                 qPrintable(failures.last()));
        QVERIFY(rescueWhole);
        QVERIFY(QFileInfo(notAFolder).isFile());

        const QString movedDir = QDir(elsewhere.path()).filePath(QFileInfo(runDir).fileName());
        QCOMPARE(finished.at(1).at(0).toString(), movedDir);
        const auto ended = finished.at(1).at(1).value<RunEndedEvent>();
        QVERIFY2(ended.outcome == RunEndedEvent::Outcome::Finished, qPrintable(page.logText()));
        QCOMPARE(ended.epochsDone, epochs);
        QVERIFY(QFile::exists(QDir(movedDir).filePath(QStringLiteral("model.pt"))));
        QFile historyFile(QDir(movedDir).filePath(runfiles::history));
        QVERIFY(historyFile.open(QIODevice::ReadOnly));
        const Result<History> history = History::fromCsv(historyFile.readAll(), runfiles::history);
        QVERIFY2(history.ok(), qPrintable(history.error()));
        QCOMPARE(history->size(), epochs);
        for (int i = 0; i < epochs; ++i) {
            QCOMPARE(history->epochs().at(i).epoch, i);
        }
        QCOMPARE(page.lossChart()->validationPointCount(), epochs);

        // The rescue folder is gone, nothing half-copied is left, and new runs go there too.
        QVERIFY(!QFileInfo::exists(rescued));
        QVERIFY(QDir(temp.path())
                    .entryList({QStringLiteral("classifier-studio-rescue-*")}, QDir::AllEntries)
                    .isEmpty());
        QCOMPARE(QDir(elsewhere.path())
                     .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden)
                     .size(),
                 2);
        QCOMPARE(page.runsFolder(), elsewhere.path());
        QVERIFY(QFileInfo(runDir).isFile()); // the blocker was left alone
    }
};

QTEST_MAIN(TestTrainPage)
#include "tst_trainpage.moc"
