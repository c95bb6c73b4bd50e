// Tests of the Evaluate page on hand-made predictions: the heat map's cells and toggle, a click
// on a cell opens its images most confident first, the per-class table, the report exports,
// and a run folder's evaluation read back from disk; a model evaluated in the background, and
// an evaluation cancelled midway; a run's gallery overlays its model's saliency maps; the map of
// what the network learned (hover, click, lasso, a confusion-matrix cell's points).
#include "classmetricsmodel.h"
#include "confusionmatrixplot.h"
#include "embeddingmapview.h"
#include "evaluatepage.h"
#include "evaluation/evaluator.h"
#include "evaluation/metricsjson.h"
#include "evaluationcharts.h"
#include "explain/saliency.h"
#include "imagegallery.h"
#include "qcustomplotwrapper.h"
#include "saliencyoverlays.h"
#include "shapesdataset.h"
#include "training/trainer.h"
#include "uitestsupport.h"

#include <QCheckBox>
#include <QComboBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace studio;

namespace {

// 3 classes; 6 images; two "a" images taken for "b" (confidences 0.6 and 0.9).
EvaluationMetrics handMadeMetrics()
{
    const QStringList classes = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
    const QVector<ScoredImage> images = {
        {QStringLiteral("a/1.png"), 0, {0.8f, 0.1f, 0.1f}},
        {QStringLiteral("a/2.png"), 0, {0.3f, 0.6f, 0.1f}},
        {QStringLiteral("a/3.png"), 0, {0.05f, 0.9f, 0.05f}},
        {QStringLiteral("b/1.png"), 1, {0.1f, 0.8f, 0.1f}},
        {QStringLiteral("c/1.png"), 2, {0.1f, 0.1f, 0.8f}},
        {QStringLiteral("c/2.png"), 2, {0.2f, 0.1f, 0.7f}},
    };
    return *computeMetrics(classes, images, {2});
}

} // namespace

class TestEvaluatePage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        testdata::makeShapes(m_data.path(), QStringLiteral("train"), 16, 1);
        testdata::makeShapes(m_data.path(), QStringLiteral("validation"), 6, 2);
        // Enough test images (3 x 700) that an evaluation is still running when it is cancelled.
        testdata::makeShapes(m_data.path(), QStringLiteral("test"), 700, 3);
        TrainOptions options;
        options.runDir = m_runs.filePath(QStringLiteral("run"));
        const Result<TrainResult> result =
            trainProject(uitest::tinyProject(m_data.path(), 2), options);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        m_model = result->ended.modelPath;
    }

    // The gallery reads its images in the background; one that cannot be read gets no icon.
    void galleryThumbnailsArriveFromTheBackground()
    {
        ImageGallery gallery(QStringLiteral("cell"), QStringLiteral("images"));
        const QDir discs(QDir(m_data.path()).filePath(QStringLiteral("train/discs")));
        const QStringList files = discs.entryList({QStringLiteral("*.png")}, QDir::Files);
        QVERIFY(files.size() >= 3);
        for (int i = 0; i < 3; ++i) {
            gallery.addImage(discs.filePath(files[i]), QStringLiteral("image %1").arg(i));
        }
        gallery.addImage(discs.filePath(QStringLiteral("missing.png")), QStringLiteral("gone"));
        QCOMPARE(gallery.thumbnailCount(), 0); // nothing is read on the GUI thread
        QTRY_COMPARE(gallery.thumbnailCount(), 3);
        auto* list = gallery.findChild<QListWidget*>(QStringLiteral("galleryList"));
        QVERIFY(!list->item(0)->icon().isNull());
        QVERIFY(list->item(3)->icon().isNull());
    }

    void evaluatesAModelInTheBackground()
    {
        EvaluatePage page;
        QSignalSpy finished(&page, &EvaluatePage::evaluationFinished);
        page.evaluateModel(m_model, m_data.path(), Split::Validation);
        QVERIFY(page.isBusy());
        QVERIFY(
            page.findChild<QPushButton*>(QStringLiteral("cancelEvaluation"))->isVisibleTo(&page));
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.size(), 1);
        QVERIFY2(finished[0][0].toBool(), qPrintable(finished[0][1].toString()));
        QVERIFY(!page.isBusy());
        QVERIFY(page.hasMetrics());
        QCOMPARE(page.metrics().count, 18);
    }

    // Cancel stops the evaluation: the page is free at once, the result never arrives, and the
    // core evaluation itself stops at its next check.
    void cancelledEvaluationEndsWithoutAResult()
    {
        EvaluatePage page;
        QSignalSpy finished(&page, &EvaluatePage::evaluationFinished);
        page.evaluateModel(m_model, m_data.path(), Split::Test);
        QVERIFY(page.isBusy());
        QTest::qWait(50);
        page.findChild<QPushButton*>(QStringLiteral("cancelEvaluation"))->click();
        QVERIFY(!page.isBusy());
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished[0][0].toBool(), false);
        QCOMPARE(finished[0][1].toString(), QStringLiteral("Evaluation cancelled."));
        QVERIFY(
            !page.findChild<QPushButton*>(QStringLiteral("cancelEvaluation"))->isVisibleTo(&page));
        // A new evaluation queues behind the cancelled one and is the only result shown.
        page.evaluateModel(m_model, m_data.path(), Split::Validation);
        QVERIFY(finished.wait(120000));
        QCOMPARE(finished.size(), 2);
        QVERIFY(finished[1][0].toBool());
        QTest::qWait(100);
        QCOMPARE(finished.size(), 2);
        QCOMPARE(page.metrics().count, 18);
        // Its galleries know the model evaluated: "where the model looked" is available.
        ImageGallery* gallery = page.openGallery(0, 0);
        QVERIFY(gallery);
        QVERIFY(gallery->findChild<QCheckBox*>(QStringLiteral("saliencyToggle"))->isEnabled());
        QCOMPARE(gallery->saliencyOverlays()->modelPath(), m_model);

        std::atomic<bool> cancel{true};
        EvaluateOptions options;
        options.cancel = &cancel;
        const Result<EvaluationMetrics> stopped = evaluateModel(m_model, m_data.path(), options);
        QVERIFY(!stopped.ok());
        QCOMPARE(stopped.error(), QStringLiteral("Evaluation cancelled."));
    }

    void showsTheMatrixAndTable()
    {
        EvaluatePage page;
        QVERIFY(!page.hasMetrics());
        page.setMetrics(handMadeMetrics(), QStringLiteral("/data"), QStringLiteral("hand-made"));
        ConfusionMatrixPlot* matrix = page.confusionPlot();
        QCOMPARE(matrix->classCount(), 3);
        QCOMPARE(matrix->count(0, 0), 1);
        QCOMPARE(matrix->count(0, 1), 2);
        QCOMPARE(matrix->count(2, 2), 2);
        auto* map = qobject_cast<QCPColorMap*>(matrix->plot()->plottable(0));
        QVERIFY(map);
        QCOMPARE(map->data()->cell(1, 0), 2.0); // (predicted, true)
        matrix->setNormalized(true);
        QVERIFY(qAbs(map->data()->cell(1, 0) - 2.0 / 3.0) < 1e-9);
        // Counts are written in the cells.
        QCOMPARE(matrix->plot()->itemCount(), 9);

        ClassMetricsModel* model = page.classMetricsModel();
        QCOMPARE(model->rowCount(), 5);
        QCOMPARE(model->index(1, ClassMetricsModel::PrecisionColumn).data(Qt::UserRole).toDouble(),
                 1.0 / 3.0);
        // Recall of one of three with its 95% Wilson interval (0.0615-0.7923 by hand).
        QCOMPARE(model->index(0, ClassMetricsModel::RecallColumn).data().toString(),
                 QStringLiteral("0.333 (0.06–0.79)"));
        QCOMPARE(model->index(3, ClassMetricsModel::RecallColumn).data().toString().contains('('),
                 false); // the averages have none
        // 4 of 6 right: 66.7% (30.0-90.3%) by Wilson's formula.
        const QString accuracy = page.findChild<QLabel*>(QStringLiteral("accuracyLabel"))->text();
        QVERIFY2(accuracy.contains(QStringLiteral("66.7% (30.0–90.3%)")), qPrintable(accuracy));
        QVERIFY2(accuracy.contains(QStringLiteral("balanced accuracy 77.8 %")),
                 qPrintable(accuracy));
        QCOMPARE(model->index(0, ClassMetricsModel::SupportColumn).data().toInt(), 3);
    }

    void showsCurvesAndCalibration()
    {
        EvaluatePage page;
        page.setMetrics(handMadeMetrics(), QStringLiteral("/data"), QStringLiteral("hand-made"));
        QCOMPARE(page.chartTabs()->count(), 5); // and the map
        // ROC areas by hand: a 6 of 9 pairs ranked right, b 4 of 5, c all: macro 0.822.
        ThresholdCurvesPlot* roc = page.rocPlot();
        QCOMPARE(roc->curveCount(), 3);
        QCOMPARE(roc->curveName(0), QStringLiteral("a: AUC 0.667"));
        QCOMPARE(roc->curveName(1), QStringLiteral("b: AUC 0.800"));
        QCOMPARE(roc->curveName(2), QStringLiteral("c: AUC 1.000"));
        QCOMPARE(page.precisionRecallPlot()->curveCount(), 3);
        QVERIFY(page.precisionRecallPlot()->curveName(0).startsWith(QStringLiteral("a: AP ")));
        const QString accuracy = page.findChild<QLabel*>(QStringLiteral("accuracyLabel"))->text();
        QVERIFY2(accuracy.contains(QStringLiteral("ROC AUC 0.822")), qPrintable(accuracy));
        QCOMPARE(page.classMetricsModel()->index(1, ClassMetricsModel::RocAucColumn).data(),
                 QVariant(QStringLiteral("0.800")));

        // Selecting a class's row singles it out in both curve charts; the PR chart then draws
        // what guessing gives for it (b: 1 of 6 images).
        auto* table = page.findChild<QTableView*>(QStringLiteral("classMetricsTable"));
        table->selectRow(1);
        QCOMPARE(roc->highlightedClass(), 1);
        QCOMPARE(page.precisionRecallPlot()->highlightedClass(), 1);
        auto* guess = qobject_cast<QCPCurve*>(page.precisionRecallPlot()->plot()->plottable(
            page.precisionRecallPlot()->plot()->plottableCount() - 1));
        QVERIFY(guess);
        QCOMPARE(guess->data()->size(), 2);
        QVERIFY(qAbs(guess->data()->begin()->value - 1.0 / 6.0) < 1e-9);
        table->selectRow(3); // the macro average: no class
        QCOMPARE(roc->highlightedClass(), -1);

        // Answers 0.6 (wrong) and 0.7 (right) in one bin, 0.8 0.9 0.8 0.8 (one wrong) in
        // another: ECE = (2 * 0.15 + 4 * 0.075) / 6 = 10.0 %.
        CalibrationPlot* calibration = page.calibrationPlot();
        QCOMPARE(calibration->barCount(), 2);
        QVERIFY2(calibration->titleText().contains(QStringLiteral("10.0 %")),
                 qPrintable(calibration->titleText()));

        // The chart shown is what Export saves as PNG.
        QTemporaryDir dir;
        page.chartTabs()->setCurrentWidget(calibration);
        QVERIFY(page.exportPng(dir.filePath(QStringLiteral("calibration.png"))));
        QCOMPARE(QImage(dir.filePath(QStringLiteral("calibration.png"))).width(), 900);
    }

    void anOlderReportSaysHowToGetTheCurves()
    {
        EvaluationMetrics metrics = handMadeMetrics();
        metrics.curves.clear();
        metrics.calibration = {};
        EvaluatePage page;
        page.setMetrics(metrics, QString(), QStringLiteral("old"));
        QCOMPARE(page.rocPlot()->curveCount(), 0);
        QVERIFY(page.rocPlot()->noteText().contains(QStringLiteral("evaluate the model again")));
        QVERIFY(page.calibrationPlot()->noteText().contains(
            QStringLiteral("evaluate the model again")));
        QCOMPARE(page.calibrationPlot()->barCount(), 0);
    }

    // The gallery of a run's evaluation overlays "where the model looked" on its thumbnails:
    // the Grad-CAM overlays of RUN/model.pt, for the predicted class or the class picked.
    void galleryShowsSaliencyOverlays()
    {
        // A copy of the run whose evaluation is of the 18 validation images (few maps to make).
        QTemporaryDir run;
        EvaluationMetrics evaluated;
        copyRunEvaluatedOnValidation(run.path(), &evaluated);
        if (QTest::currentTestFailed()) {
            return;
        }
        EvaluatePage page;
        QVERIFY(page.loadRun(run.path()));
        ImageGallery* gallery = page.openGallery(0, 0);
        QVERIFY(gallery && gallery->imageCount() > 0);
        auto* toggle = gallery->findChild<QCheckBox*>(QStringLiteral("saliencyToggle"));
        auto* classChoice = gallery->findChild<QComboBox*>(QStringLiteral("saliencyClass"));
        QVERIFY(toggle->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(gallery->thumbnailCount(), gallery->imageCount(), 30000);
        const QImage plain = gallery->shownImage(0);

        toggle->setChecked(true);
        QTRY_COMPARE_WITH_TIMEOUT(gallery->overlayCount(), gallery->imageCount(), 120000);
        Result<SaliencyExplainer> explainer = SaliencyExplainer::load(m_model, 1);
        QVERIFY(explainer.ok());
        const QString first = gallery->paths().first();
        // The overlay as a thumbnail shows it: scaled down to 112 px.
        const auto asThumbnail = [](const QByteArray& png) {
            return QImage::fromData(png, "PNG")
                .scaled(112, 112, Qt::KeepAspectRatio, Qt::SmoothTransformation)
                .convertToFormat(QImage::Format_RGB32);
        };
        const QImage expected = asThumbnail(saliencyOverlayPng(explainer->explainFile(first, {})));
        QCOMPARE(gallery->shownImage(0).size(), QSize(112, 112));
        QCOMPARE(gallery->shownImage(0).convertToFormat(QImage::Format_RGB32), expected);
        QVERIFY(gallery->shownImage(0).convertToFormat(QImage::Format_RGB32) !=
                plain.convertToFormat(QImage::Format_RGB32));

        classChoice->setCurrentIndex(2); // class 1
        SaliencyOptions options;
        options.classIndex = 1;
        const QImage forOther =
            asThumbnail(saliencyOverlayPng(explainer->explainFile(first, options)));
        QTRY_COMPARE_WITH_TIMEOUT(gallery->shownImage(0).convertToFormat(QImage::Format_RGB32),
                                  forOther, 60000);

        toggle->setChecked(false);
        QCOMPARE(gallery->overlayCount(), 0);
        QCOMPARE(gallery->shownImage(0), plain);
        gallery->saliencyOverlays()->waitForIdle();
    }

    // The map of what the network learned: Make Map places the 18 validation images evaluated;
    // hovering a point shows its image, clicking it opens that image, a Shift-drag lasso lists
    // the images inside, and a click on a confusion-matrix cell rings that cell's points.
    void mapShowsTheImagesAndOpensAClickedOne()
    {
        EvaluatePage page;
        page.resize(1100, 760);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QSignalSpy evaluated(&page, &EvaluatePage::evaluationFinished);
        page.evaluateModel(m_model, m_data.path(), Split::Validation);
        QVERIFY(evaluated.wait(120000));
        QVERIFY(evaluated[0][0].toBool());
        EmbeddingMapView* map = page.mapView();
        page.chartTabs()->setCurrentWidget(map);
        auto* make = map->findChild<QPushButton*>(QStringLiteral("makeMap"));
        QVERIFY(make->isEnabled());
        QVERIFY(!map->plot()->legend->realVisibility()); // no legend without a map
        QSignalSpy made(map, &EmbeddingMapView::mapFinished);
        make->click();
        QVERIFY(map->isBusy());
        QVERIFY(made.wait(120000));
        QVERIFY2(made[0][0].toBool(), qPrintable(made[0][1].toString()));

        // Every image is a point with the evaluation's own answer; mistakes are counted.
        const EmbeddingMap& shown = map->map();
        QCOMPARE(shown.points.size(), 18);
        QCOMPARE(shown.classes, page.metrics().classes);
        int mistakes = 0;
        for (const EmbeddingPoint& point : shown.points) {
            QVERIFY(point.inSample && std::isfinite(point.x) && std::isfinite(point.y));
            mistakes += point.mistake() ? 1 : 0;
        }
        QCOMPARE(mistakes, page.metrics().misclassified.size());
        QVERIFY(map->statusText().contains(QStringLiteral("t-SNE of all 18 validation images")));
        QVERIFY(map->plot()->legend->realVisibility());
        QCOMPARE(map->plot()->legend->itemCount(), 4); // three classes and the ringed mistakes
        // The layout settles first (the status text may take another line and shrink the
        // chart), so that the points' positions are those the pointer will meet.
        QCoreApplication::processEvents();
        map->plot()->replot();

        // A point alone under the pointer (no other within 20 px, more than twice the pick
        // radius, so that a pixel of rounding in the pointer's position cannot pick another):
        // hovering shows its image, clicking opens it.
        const auto isAlone = [&](int i) {
            for (int j = 0; j < shown.points.size(); ++j) {
                const QPoint d = map->pointPosition(j) - map->pointPosition(i);
                if (j != i && d.x() * d.x() + d.y() * d.y() <= 20 * 20) {
                    return false;
                }
            }
            return map->pointAt(map->pointPosition(i)) == i;
        };
        int alone = -1;
        for (int i = 0; i < shown.points.size() && alone < 0; ++i) {
            alone = isAlone(i) ? i : -1;
        }
        QVERIFY(alone >= 0);
        const QString expected = QDir(m_data.path()).filePath(shown.points[alone].path);
        QVERIFY(QFileInfo::exists(expected));
        QTest::mouseMove(map->plot(), map->pointPosition(alone));
        QTRY_COMPARE(map->hoveredPoint(), alone);
        QTRY_VERIFY(!map->hoverImage().isNull());
        auto* card = map->findChild<QWidget*>(QStringLiteral("mapHoverCard"));
        QVERIFY(card->isVisible());
        // The card goes when the pointer leaves the chart, and comes back on the point.
        QEvent leave(QEvent::Leave);
        QCoreApplication::sendEvent(map->plot(), &leave);
        QCOMPARE(map->hoveredPoint(), -1);
        QVERIFY(!card->isVisible());
        QTest::mouseMove(map->plot(), map->pointPosition(alone) + QPoint(1, 0));
        QTRY_COMPARE(map->hoveredPoint(), alone);
        QVERIFY(card->isVisible());
        page.chartTabs()->setCurrentWidget(page.confusionPlot()); // it hides with the tab
        QVERIFY(!card->isVisible());
        page.chartTabs()->setCurrentWidget(map);
        QStringList opened;
        map->setImageOpener([&opened](const QString& path) { opened << path; });
        QTest::mouseClick(map->plot(), Qt::LeftButton, Qt::NoModifier, map->pointPosition(alone));
        QCOMPARE(opened, QStringList{expected});
        // A click on empty ground opens nothing.
        QTest::mouseClick(map->plot(), Qt::LeftButton, Qt::NoModifier, QPoint(2, 2));
        QCOMPARE(opened.size(), 1);

        // Shift-drag a lasso around the whole chart: every image is listed.
        const QRect area = map->plot()->axisRect()->rect();
        QTest::mousePress(map->plot(), Qt::LeftButton, Qt::ShiftModifier, area.topLeft());
        for (const QPoint& corner : {area.topRight(), area.bottomRight(), area.bottomLeft()}) {
            QTest::mouseMove(map->plot(), corner);
        }
        QTest::mouseRelease(map->plot(), Qt::LeftButton, Qt::ShiftModifier, area.bottomLeft());
        ImageGallery* lasso = map->findChild<ImageGallery*>();
        QVERIFY(lasso);
        QCOMPARE(lasso->imageCount(), 18);
        QVERIFY(lasso->paths().contains(expected));
        // A lasso around one point lists that image alone.
        const QPoint at = map->pointPosition(alone);
        ImageGallery* one = map->openLassoGallery(QPolygon(
            {at + QPoint(-2, -2), at + QPoint(2, -2), at + QPoint(2, 2), at + QPoint(-2, 2)}));
        QVERIFY(one);
        QCOMPARE(one->paths(), QStringList{expected});

        // A click on the confusion-matrix cell of that image rings its cell's points.
        const EmbeddingPoint& point = shown.points[alone];
        page.chartTabs()->setCurrentWidget(page.confusionPlot());
        page.confusionPlot()->plot()->replot();
        QTest::mouseClick(page.confusionPlot()->plot(), Qt::LeftButton, Qt::NoModifier,
                          page.confusionPlot()->plot()->mapFrom(
                              page.confusionPlot(),
                              page.confusionPlot()->cellCenter(point.trueClass, point.predicted)));
        QVector<int> cell;
        for (int i = 0; i < shown.points.size(); ++i) {
            if (shown.points[i].trueClass == point.trueClass &&
                shown.points[i].predicted == point.predicted) {
                cell << i;
            }
        }
        QCOMPARE(map->highlightedPoints(), cell);
        QCOMPARE(cell.size(), page.confusionPlot()->count(point.trueClass, point.predicted));
        QVERIFY2(map->statusText().startsWith(QStringLiteral("Singled out: %1 %2 images")
                                                  .arg(cell.size())
                                                  .arg(shown.classes[point.trueClass])),
                 qPrintable(map->statusText()));
        // A click on empty ground shows every point again.
        page.chartTabs()->setCurrentWidget(map);
        map->plot()->replot();
        QTest::mouseClick(map->plot(), Qt::LeftButton, Qt::NoModifier, QPoint(2, 2));
        QVERIFY(map->highlightedPoints().isEmpty());
        QVERIFY(!map->statusText().startsWith(QStringLiteral("Singled out")));

        // The map exports as the chart shown; PCA places every image too.
        page.chartTabs()->setCurrentWidget(map);
        QTemporaryDir out;
        QVERIFY(page.exportPng(out.filePath(QStringLiteral("map.png"))));
        QCOMPARE(QImage(out.filePath(QStringLiteral("map.png"))).size(), QSize(900, 760));
        map->setMethod(EmbeddingMethod::Pca);
        make->click();
        QVERIFY(made.wait(120000));
        QVERIFY(made[1][0].toBool());
        QCOMPARE(map->map().method, EmbeddingMethod::Pca);
        QVERIFY(map->statusText().contains(QStringLiteral("PCA of all 18 validation images")));
    }

    // The map is of the images the evaluation shown scored (here a run whose evaluation is of
    // the 18 validation images, as a cross-validation fold's is of its held-out images), not of
    // the test split. A run's map is kept in RUN/evaluation/map.json: opening the run again
    // shows it without remaking it, until the model file is newer than the map.
    void runKeepsItsMapOfTheImagesEvaluated()
    {
        QTemporaryDir run;
        EvaluationMetrics evaluated;
        copyRunEvaluatedOnValidation(run.path(), &evaluated);
        if (QTest::currentTestFailed()) {
            return;
        }
        const QString kept = run.filePath(QStringLiteral("evaluation/map.json"));

        EvaluatePage page;
        QVERIFY(page.loadRun(run.path()));
        EmbeddingMapView* map = page.mapView();
        QCOMPARE(map->keepFile(), kept);
        QVERIFY(!map->hasMap());
        map->setMethod(EmbeddingMethod::Pca);
        QSignalSpy made(map, &EmbeddingMapView::mapFinished);
        map->makeMap();
        QVERIFY(made.wait(300000));
        QVERIFY2(made[0][0].toBool(), qPrintable(made[0][1].toString()));
        QCOMPARE(map->map().points.size(), 18);
        QStringList scored;
        for (const ClassifiedImage& image : evaluated.correct + evaluated.misclassified) {
            scored << image.path;
        }
        QStringList mapped;
        for (const EmbeddingPoint& point : map->map().points) {
            QVERIFY2(point.path.startsWith(QStringLiteral("validation/")), qPrintable(point.path));
            mapped << point.path;
        }
        scored.sort();
        QCOMPARE(mapped, scored);
        QVERIFY(QFileInfo::exists(kept));

        EvaluatePage reopened;
        QVERIFY(reopened.loadRun(run.path()));
        EmbeddingMapView* again = reopened.mapView();
        QVERIFY(again->hasMap());
        QVERIFY(!again->isBusy());
        QVERIFY(again->plot()->legend->realVisibility());
        QCOMPARE(again->method(), EmbeddingMethod::Pca);
        QVERIFY2(again->statusText().contains(QStringLiteral("Made earlier")),
                 qPrintable(again->statusText()));
        QCOMPARE(again->map().points.size(), map->map().points.size());
        QCOMPARE(again->map().points[5].x, map->map().points[5].x);
        QCOMPARE(again->absolutePath(5), map->absolutePath(5));

        // A model trained again after the map was made: the map kept is not shown.
        QFile model(run.filePath(QStringLiteral("model.pt")));
        QVERIFY(model.open(QIODevice::ReadWrite));
        QVERIFY(model.setFileTime(QFileInfo(kept).lastModified().addSecs(60),
                                  QFileDevice::FileModificationTime));
        model.close();
        EvaluatePage retrained;
        QVERIFY(retrained.loadRun(run.path()));
        QVERIFY(!retrained.mapView()->hasMap());
    }

    // A confusion-matrix cell rings exactly its points: the images of that true class taken for
    // that class, not the class's other images; mistakes are ringed on the map.
    void mapRingsTheImagesOfACell()
    {
        EmbeddingMap hand;
        hand.classes = {QStringLiteral("a"), QStringLiteral("b")};
        hand.datasetRoot = QStringLiteral("/data");
        hand.method = EmbeddingMethod::Pca;
        hand.points = {{QStringLiteral("a/1.png"), 0, 0, 0.9, 0, 0, true},
                       {QStringLiteral("a/2.png"), 0, 1, 0.6, 1, 0, true},
                       {QStringLiteral("a/3.png"), 0, 1, 0.7, 1, 1, true},
                       {QStringLiteral("b/1.png"), 1, 1, 0.8, 0, 1, true},
                       {QStringLiteral("b/2.png"), 1, 1, 0.8, 2, 2, false}};
        EmbeddingMapView map;
        map.setMap(hand);
        map.highlightCell(0, 1);
        QCOMPARE(map.highlightedPoints(), (QVector<int>{1, 2}));
        map.highlightCell(1, 1);
        QCOMPARE(map.highlightedPoints(), QVector<int>{3}); // b/2.png is off the map
        QCOMPARE(map.plot()->graph(0)->scatterStyle().brush().color().alpha(), 60); // the rest fade
        map.highlightCell(-1, -1);
        QVERIFY(map.highlightedPoints().isEmpty());
        QCOMPARE(map.plot()->graph(0)->scatterStyle().brush().color().alpha(), 255);
        QCOMPARE(map.absolutePath(3), QStringLiteral("/data/b/1.png"));
        const auto* mistakes = map.plot()->graph(2); // after the two classes' points
        QCOMPARE(mistakes->dataCount(), 2);
    }

    // Making a map can be cancelled; evaluations without a model file say why there is no map.
    void mapCanBeCancelledAndExplainsWhenItCannotBeMade()
    {
        EvaluatePage page;
        QSignalSpy evaluated(&page, &EvaluatePage::evaluationFinished);
        page.evaluateModel(m_model, m_data.path(), Split::Test);
        QVERIFY(evaluated.wait(120000));
        EmbeddingMapView* map = page.mapView();
        QSignalSpy made(map, &EmbeddingMapView::mapFinished);
        map->makeMap();
        QTest::qWait(50);
        map->findChild<QPushButton*>(QStringLiteral("cancelMap"))->click();
        QVERIFY(!map->isBusy());
        QCOMPARE(made.size(), 1);
        QCOMPARE(made[0][0].toBool(), false);
        QCOMPARE(map->statusText(), QStringLiteral("Map cancelled."));
        QVERIFY(!map->hasMap());

        page.setMetrics(handMadeMetrics(), QStringLiteral("/data"), QStringLiteral("hand-made"));
        QVERIFY(!map->findChild<QPushButton*>(QStringLiteral("makeMap"))->isEnabled());
        QVERIFY(map->statusText().contains(QStringLiteral("No model file")));
    }

    void clickingACellOpensItsImages()
    {
        EvaluatePage page;
        page.resize(900, 600);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.setMetrics(handMadeMetrics(), QStringLiteral("/data"), QStringLiteral("hand-made"));
        ConfusionMatrixPlot* matrix = page.confusionPlot();
        matrix->plot()->replot();
        QSignalSpy clicked(matrix, &ConfusionMatrixPlot::cellClicked);
        QTest::mouseClick(matrix->plot(), Qt::LeftButton, Qt::NoModifier,
                          matrix->plot()->mapFrom(matrix, matrix->cellCenter(0, 1)));
        QCOMPARE(clicked.size(), 1);
        QCOMPARE(clicked.first().at(0).toInt(), 0);
        QCOMPARE(clicked.first().at(1).toInt(), 1);
        auto* gallery = page.findChild<ImageGallery*>();
        QVERIFY(gallery);
        // Hand-made metrics name no model file: no maps, and the toggle says why.
        auto* noMaps = gallery->findChild<QCheckBox*>(QStringLiteral("saliencyToggle"));
        QVERIFY(!noMaps->isEnabled());
        QVERIFY(noMaps->toolTip().contains(QStringLiteral("No model file")));
        QCOMPARE(gallery->paths(),
                 (QStringList{QStringLiteral("/data/a/3.png"), QStringLiteral("/data/a/2.png")}));

        // A diagonal cell: the images classified correctly, most confident first.
        QTest::mouseClick(matrix->plot(), Qt::LeftButton, Qt::NoModifier,
                          matrix->plot()->mapFrom(matrix, matrix->cellCenter(2, 2)));
        QCOMPARE(clicked.size(), 2);
        const QList<ImageGallery*> galleries = page.findChildren<ImageGallery*>();
        QCOMPARE(galleries.size(), 2);
        ImageGallery* correct = galleries.last() == gallery ? galleries.first() : galleries.last();
        QCOMPARE(correct->paths(),
                 (QStringList{QStringLiteral("/data/c/1.png"), QStringLiteral("/data/c/2.png")}));

        // A report from before correct images were listed: the diagonal explains itself.
        QJsonObject old = metricsToJson(handMadeMetrics());
        old.remove(QStringLiteral("correct"));
        const Result<EvaluationMetrics> oldMetrics = metricsFromJson(old, QStringLiteral("old"));
        QVERIFY2(oldMetrics.ok(), qPrintable(oldMetrics.error()));
        QVERIFY(oldMetrics->correct.isEmpty());
        page.setMetrics(*oldMetrics, QStringLiteral("/data"), QStringLiteral("old"));
        ImageGallery* none = page.openGallery(2, 2);
        QVERIFY(none != nullptr);
        QCOMPARE(none->imageCount(), 0);
        QVERIFY(none->findChild<QLabel*>() != nullptr);
        bool explained = false;
        for (QLabel* label : none->findChildren<QLabel*>()) {
            explained = explained || label->text().contains(QLatin1String("evaluate again"));
        }
        QVERIFY(explained);
    }

    void exportsAndReadsBackARun()
    {
        QTemporaryDir dir;
        EvaluatePage page;
        page.setMetrics(handMadeMetrics(), QString(), QStringLiteral("hand-made"));
        QVERIFY(page.exportJson(dir.filePath(QStringLiteral("r.json"))));
        QVERIFY(page.exportCsv(dir.filePath(QStringLiteral("r.csv"))));
        QVERIFY(page.exportPng(dir.filePath(QStringLiteral("r.png"))));
        QVERIFY(!QImage(dir.filePath(QStringLiteral("r.png"))).isNull());
        QFile csv(dir.filePath(QStringLiteral("r.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QByteArray text = csv.readAll();
        QVERIFY(text.startsWith("class,precision,recall,f1,support\n"));
        QVERIFY(text.contains("true\\predicted,a,b,c\na,1,2,0\n"));

        // A run folder holds evaluation/evaluation.json as writeMetricsFiles writes it.
        const QString run = dir.filePath(QStringLiteral("run"));
        QVERIFY(writeMetricsFiles(handMadeMetrics(), run + QStringLiteral("/evaluation")).ok());
        EvaluatePage reloaded;
        QVERIFY(reloaded.loadRun(run));
        QCOMPARE(reloaded.metrics().confusion, handMadeMetrics().confusion);
        QCOMPARE(reloaded.metrics().misclassified.size(), 2);
        QCOMPARE(metricsToJson(reloaded.metrics()), metricsToJson(handMadeMetrics()));

        EvaluatePage empty;
        QVERIFY(!empty.loadRun(dir.filePath(QStringLiteral("nothing"))));
    }

private:
    // Copies the run's model.pt and project.json into `runDir` with an evaluation of the 18
    // validation images (a run with few images to map), returned in `metrics`.
    void copyRunEvaluatedOnValidation(const QString& runDir, EvaluationMetrics* metrics) const
    {
        const QDir source = QFileInfo(m_model).absoluteDir();
        for (const QString& name : {QStringLiteral("model.pt"), QStringLiteral("project.json")}) {
            QVERIFY(QFile::copy(source.filePath(name), QDir(runDir).filePath(name)));
        }
        EvaluateOptions validation;
        validation.split = Split::Validation;
        const Result<EvaluationMetrics> result = evaluateModel(m_model, m_data.path(), validation);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QVERIFY(
            writeMetricsFiles(*result, QDir(runDir).filePath(QStringLiteral("evaluation"))).ok());
        *metrics = *result;
    }

    QTemporaryDir m_data;
    QTemporaryDir m_runs;
    QString m_model;
};

QTEST_MAIN(TestEvaluatePage)
#include "tst_evaluatepage.moc"
