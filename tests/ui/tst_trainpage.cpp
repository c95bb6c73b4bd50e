// Tests of the Train page with a real (tiny) training: the form edits the project, an invalid
// layer stack disables Start, one epoch fills both charts and a filled confusion matrix
// follows; stopping writes a checkpoint that resumes; the event loop is probed meanwhile.
#include "classmetricsmodel.h"
#include "confusionmatrixplot.h"
#include "evaluatepage.h"
#include "projectdocument.h"
#include "trainingchart.h"
#include "trainpage.h"

#include "shapesdataset.h"
#include "uitestsupport.h"

#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
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
        QCoreApplication::setOrganizationName(QStringLiteral("ClassifierStudioTests"));
        QStandardPaths::setTestModeEnabled(true);
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
};

QTEST_MAIN(TestTrainPage)
#include "tst_trainpage.moc"
