// Renders the Train, Evaluate, Classify and Runs pages after a short real training into PNGs
// (QWidget::grab) under the build's tests/ui/screenshots folder, for the README: in the light
// and the dark theme, and (the tst_uiscreenshots_hidpi run) at a device pixel ratio of 2; the
// saliency overlays on the Classify page's cards and in a confusion-matrix cell's gallery.
#include "classifypage.h"
#include "evaluatepage.h"
#include "evaluationcharts.h"
#include "imagegallery.h"
#include "predictioncard.h"
#include "projectdocument.h"
#include "runspage.h"
#include "saliencyoverlays.h"
#include "theme.h"
#include "trainpage.h"

#include "training/trainer.h"

#include "shapesdataset.h"
#include "uitestsupport.h"

#include <QApplication>
#include <QDir>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace studio;

class TestUiScreenshots : public QObject
{
    Q_OBJECT

    QTemporaryDir m_data;
    QTemporaryDir m_runs;
    QString m_outDir = QStringLiteral(STUDIO_SCREENSHOT_DIR);

    // Saves NAME.png, or NAME@2x.png when the screen scales by 2 (QT_SCALE_FACTOR=2, the
    // hidpi run of this test): then the picture has twice the pixels of the page.
    void save(QWidget& page, const QString& name, QSize size = QSize(1200, 760))
    {
        page.resize(size);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QTest::qWait(200); // queued replots
        const QPixmap picture = page.grab();
        const qreal ratio = page.devicePixelRatioF();
        QCOMPARE(picture.devicePixelRatio(), ratio);
        QCOMPARE(picture.width(), qRound(page.width() * ratio));
        const QString file = ratio > 1 ? QStringLiteral("%1@%2x.png").arg(name).arg(ratio)
                                       : name + QStringLiteral(".png");
        const QString path = QDir(m_outDir).filePath(file);
        QVERIFY2(picture.save(path), qPrintable(path));
        qInfo("wrote %s", qPrintable(path));
    }

private Q_SLOTS:
    void initTestCase()
    {
        uitest::useFreshSettings();
        QVERIFY(QDir().mkpath(m_outDir));
        testdata::makeShapes(m_data.path(), QStringLiteral("train"), 30, 1);
        testdata::makeShapes(m_data.path(), QStringLiteral("validation"), 8, 2);
        testdata::makeShapes(m_data.path(), QStringLiteral("test"), 8, 3);
    }

    // The Runs page (before pages(), which leaves the dark theme on): three short runs, two of
    // them differing in the learning rate only, overlaid, then those two compared.
    void runsPage()
    {
        QTemporaryDir runs;
        const auto train = [&](const QString& name, double learningRate, int epochs) {
            Project project = uitest::tinyProject(m_data.path(), epochs);
            project.training.learningRate = learningRate;
            TrainOptions options;
            options.runDir = QDir(runs.path()).filePath(name);
            return trainProject(project, options).ok() ? options.runDir : QString();
        };
        const QString baseline = train(QStringLiteral("baseline"), 0.01, 5);
        const QString slower = train(QStringLiteral("lower-learning-rate"), 0.005, 5);
        const QString shorter = train(QStringLiteral("three-epochs"), 0.01, 3);
        QVERIFY(!baseline.isEmpty() && !slower.isEmpty() && !shorter.isEmpty());
        RunsPage page;
        QSignalSpy listed(&page, &RunsPage::runsListed);
        page.setRunsFolder(runs.path());
        QVERIFY(listed.wait(60000));
        QSignalSpy shown(&page, &RunsPage::selectionShown);
        page.selectRuns({baseline, slower, shorter});
        QVERIFY(shown.wait(60000));
        save(page, QStringLiteral("runs"));
        page.selectRuns({baseline, slower});
        QVERIFY(shown.wait(60000));
        save(page, QStringLiteral("runs-compare"));
    }

    void pages()
    {
        ProjectDocument document;
        Project project = uitest::tinyProject(m_data.path(), 6);
        project.training.callbacks.reduceLrOnPlateau.enabled = true;
        project.training.callbacks.reduceLrOnPlateau.patience = 1;
        project.training.callbacks.reduceLrOnPlateau.factor = 0.5;
        document.setProject(project);
        TrainPage train(&document);
        train.setRunsFolder(m_runs.path());
        QSignalSpy finished(&train, &TrainPage::runFinished);
        QVERIFY(train.startTraining());
        QVERIFY(finished.wait(300000));
        const auto ended = finished.first().at(1).value<RunEndedEvent>();
        QVERIFY2(!ended.modelPath.isEmpty(), qPrintable(train.logText()));
        save(train, QStringLiteral("train"));

        EvaluatePage evaluate;
        QVERIFY(evaluate.loadRun(train.runDir()));
        save(evaluate, QStringLiteral("evaluate"));
        evaluate.chartTabs()->setCurrentWidget(evaluate.rocPlot());
        save(evaluate, QStringLiteral("evaluate-roc"));
        evaluate.chartTabs()->setCurrentWidget(evaluate.calibrationPlot());
        save(evaluate, QStringLiteral("evaluate-calibration"));
        evaluate.chartTabs()->setCurrentIndex(0);

        ClassifyPage classify;
        QSignalSpy loaded(&classify, &ClassifyPage::modelChanged);
        classify.setModel(ended.modelPath);
        QVERIFY(loaded.wait(60000));
        QSignalSpy done(&classify, &ClassifyPage::classificationFinished);
        classify.addPaths({m_data.filePath(QStringLiteral("test/bars/0.png")),
                           m_data.filePath(QStringLiteral("test/discs/1.png")),
                           m_data.filePath(QStringLiteral("test/squares/2.png")),
                           m_data.filePath(QStringLiteral("test/discs/3.png"))});
        QVERIFY(done.wait(60000));
        save(classify, QStringLiteral("classify"));

        // "Show where the model looked": the cards' Grad-CAM overlays, and a gallery's.
        classify.saliencyControls()->setShown(true);
        for (PredictionCard* card : classify.findChildren<PredictionCard*>()) {
            QTRY_VERIFY_WITH_TIMEOUT(card->showsOverlay(), 60000);
        }
        save(classify, QStringLiteral("classify-saliency"));
        ImageGallery* gallery = evaluate.openGallery(1, 1);
        QVERIFY(gallery);
        gallery->saliencyControls()->setShown(true);
        QTRY_COMPARE_WITH_TIMEOUT(gallery->overlayCount(), gallery->imageCount(), 60000);
        save(*gallery, QStringLiteral("evaluate-saliency"), QSize(760, 560));
        gallery->close();

        // The same pages in the dark theme (View > Dark Theme).
        QApplication::setStyle(QStringLiteral("Fusion"));
        QApplication::setPalette(darkPalette());
        save(train, QStringLiteral("train-dark"));
        save(evaluate, QStringLiteral("evaluate-dark"));
        save(classify, QStringLiteral("classify-dark"));
    }
};

QTEST_MAIN(TestUiScreenshots)
#include "tst_uiscreenshots.moc"
