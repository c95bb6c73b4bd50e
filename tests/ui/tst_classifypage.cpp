// Tests of the Classify page with a model trained on the generated shapes: a real QDropEvent
// classifies an image, folders expand, the threshold marks uncertain answers, results save as
// CSV and the model exports as ONNX; the saliency toggle overlays each card with its Grad-CAM map
// (any class, grey or picked-channel models too), and a replaced model's maps are dropped.
#include "classifypage.h"
#include "explain/saliency.h"
#include "predictioncard.h"
#include "saliencyoverlays.h"
#include "training/trainer.h"

#include "shapesdataset.h"
#include "uitestsupport.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QLabel>
#include <QListWidget>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace studio;

class TestClassifyPage : public QObject
{
    Q_OBJECT

    QTemporaryDir m_data;
    QTemporaryDir m_runs;
    QString m_model;

    static QMimeData* urlsOf(const QStringList& paths)
    {
        auto* mime = new QMimeData;
        QList<QUrl> urls;
        for (const QString& path : paths) {
            urls << QUrl::fromLocalFile(path);
        }
        mime->setUrls(urls);
        return mime;
    }

    // A saliency overlay as a card shows it: scaled to its 96 px image.
    static QImage onCard(const QByteArray& png)
    {
        return QImage::fromData(png, "PNG")
            .scaled(QSize(96, 96), Qt::KeepAspectRatio, Qt::SmoothTransformation)
            .convertToFormat(QImage::Format_RGB32);
    }

    bool loadModel(ClassifyPage& page)
    {
        QSignalSpy loaded(&page, &ClassifyPage::modelChanged);
        page.setModel(m_model);
        return loaded.wait(60000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        uitest::useFreshSettings();
        testdata::makeShapes(m_data.path(), QStringLiteral("train"), 16, 1);
        testdata::makeShapes(m_data.path(), QStringLiteral("validation"), 6, 2);
        TrainOptions options;
        options.runDir = m_runs.filePath(QStringLiteral("run"));
        const Result<TrainResult> result =
            trainProject(uitest::tinyProject(m_data.path(), 3), options);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        m_model = result->ended.modelPath;
        QVERIFY(QFile::exists(m_model));
    }

    // The page says what the model takes: its picked channels and normalisation.
    void modelLabelSaysWhatTheModelTakes()
    {
        Project project = uitest::tinyProject(m_data.path(), 3);
        project.dataset.channelList = {2, 0};
        project.dataset.normalization = Normalization::Range;
        project.dataset.rangeLow = 0;
        project.dataset.rangeHigh = 255;
        TrainOptions options;
        options.runDir = m_runs.filePath(QStringLiteral("channels"));
        const Result<TrainResult> trained = trainProject(project, options);
        QVERIFY2(trained.ok(), qPrintable(trained.error()));
        ClassifyPage page;
        QSignalSpy loaded(&page, &ClassifyPage::modelChanged);
        page.setModel(trained->ended.modelPath);
        QVERIFY(loaded.wait(60000));
        const QString text = page.findChild<QLabel*>(QStringLiteral("modelLabel"))->text();
        QVERIFY2(text.contains(QStringLiteral("channels 3, 1, range normalisation")),
                 qPrintable(text));
        page.setModel(m_model);
        QVERIFY(loaded.wait(60000));
        QVERIFY(page.findChild<QLabel*>(QStringLiteral("modelLabel"))
                    ->text()
                    .contains(QStringLiteral("RGB")));
    }

    void thresholdIsKept()
    {
        {
            ClassifyPage page;
            QCOMPARE(page.threshold(), 0.5); // the default
            page.setThreshold(0.7);
        }
        ClassifyPage again; // the next session
        QCOMPARE(again.threshold(), 0.7);
        again.setThreshold(0.5);
    }

    void dropAnImageAndReadThePrediction()
    {
        ClassifyPage page;
        page.resize(900, 600);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(loadModel(page));
        QCOMPARE(page.classes(), (QStringList{QStringLiteral("bars"), QStringLiteral("discs"),
                                              QStringLiteral("squares")}));

        const QString image = m_data.filePath(QStringLiteral("validation/discs/0.png"));
        QVERIFY(QFile::exists(image));
        // Dropped on the list in the middle of the page: any place of the page takes drops.
        auto* list = page.findChild<QListWidget*>(QStringLiteral("predictionList"));
        QWidget* target = list->viewport();
        const QPointF position = QPointF(target->rect().center());
        QScopedPointer<QMimeData> mime(urlsOf({image}));
        QDragEnterEvent enter(position.toPoint(), Qt::CopyAction, mime.data(), Qt::LeftButton,
                              Qt::NoModifier);
        QApplication::sendEvent(target, &enter);
        QVERIFY(enter.isAccepted());
        QSignalSpy done(&page, &ClassifyPage::classificationFinished);
        QDropEvent drop(position, Qt::CopyAction, mime.data(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(target, &drop);
        QVERIFY(drop.isAccepted());
        QVERIFY(done.wait(60000));

        const QVector<Prediction> predictions = page.predictions();
        QCOMPARE(predictions.size(), 1);
        const Prediction& p = predictions.first();
        QVERIFY2(p.ok(), qPrintable(p.error));
        QCOMPARE(p.path, image);
        QCOMPARE(p.top.size(), 3);
        QVERIFY(page.classes().contains(p.top.first().name));
        QVERIFY(p.top[0].probability >= p.top[1].probability);
        double sum = 0;
        for (float v : p.probabilities) {
            sum += v;
        }
        QVERIFY(qAbs(sum - 1.0) < 1e-3);

        // What the user sees: the card with the file name and three probability bars.
        auto* card = page.findChild<PredictionCard*>(QStringLiteral("predictionCard"));
        QVERIFY(card);
        QCOMPARE(card->findChild<QLabel*>(QStringLiteral("fileName"))->toolTip(), image);
        QVERIFY(card->findChild<QLabel*>(QStringLiteral("className0"))
                    ->text()
                    .contains(p.top.first().name));
        QCOMPARE(card->findChild<QProgressBar*>(QStringLiteral("probability0"))->value(),
                 qRound(p.top.first().probability * 1000));

        // The uncertain mark follows the threshold.
        auto* uncertain = card->findChild<QLabel*>(QStringLiteral("uncertainMark"));
        page.setThreshold(1.0);
        QVERIFY(uncertain->isVisibleTo(card));
        page.setThreshold(0.0);
        QVERIFY(!uncertain->isVisibleTo(card));
    }

    void foldersAndCsvAndExport()
    {
        ClassifyPage page;
        QVERIFY(loadModel(page));
        QSignalSpy done(&page, &ClassifyPage::classificationFinished);
        page.addPaths({m_data.filePath(QStringLiteral("validation")),
                       m_data.filePath(QStringLiteral("missing.png"))});
        QVERIFY(done.wait(60000));
        const QVector<Prediction> predictions = page.predictions();
        QCOMPARE(predictions.size(), 19);
        int failed = 0;
        for (const Prediction& p : predictions) {
            failed += p.ok() ? 0 : 1;
        }
        QCOMPARE(failed, 1);

        QTemporaryDir out;
        const QString csv = out.filePath(QStringLiteral("predictions.csv"));
        QVERIFY(page.saveCsv(csv));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 20);
        QVERIFY(lines.first().startsWith("path,predicted,confidence,bars,discs,squares"));

        QSignalSpy exported(&page, &ClassifyPage::exportFinished);
        const QString onnx = out.filePath(QStringLiteral("model.onnx"));
        page.exportModel(ExportFormat::Onnx, onnx);
        QVERIFY(exported.wait(60000));
        QVERIFY2(exported.first().at(1).toString().isEmpty(),
                 qPrintable(exported.first().at(1).toString()));
        QVERIFY(QFileInfo(onnx).size() > 0);
    }

    // "Show where the model looked": without a model the toggle is off and says why; on, each
    // card shows the Grad-CAM overlay of its image (the same picture as saliencyOverlayPng),
    // another class recomputes for that class, off shows the thumbnails again.
    void saliencyOverlaysOnTheCards()
    {
        ClassifyPage page;
        auto* toggle = page.findChild<QCheckBox*>(QStringLiteral("saliencyToggle"));
        auto* classChoice = page.findChild<QComboBox*>(QStringLiteral("saliencyClass"));
        QVERIFY(toggle && classChoice);
        QVERIFY(!toggle->isEnabled());
        QVERIFY(toggle->toolTip().contains(QStringLiteral("Load a model")));

        QVERIFY(loadModel(page));
        QVERIFY(toggle->isEnabled());
        QCOMPARE(classChoice->count(), 4); // predicted class + 3
        QSignalSpy done(&page, &ClassifyPage::classificationFinished);
        const QStringList images = {m_data.filePath(QStringLiteral("validation/bars/0.png")),
                                    m_data.filePath(QStringLiteral("validation/discs/0.png"))};
        page.addPaths(images);
        QVERIFY(done.wait(60000));
        const QList<PredictionCard*> cards = page.findChildren<PredictionCard*>();
        QCOMPARE(cards.size(), 2);
        const QImage plain =
            cards.first()->findChild<QLabel*>(QStringLiteral("cardImage"))->pixmap().toImage();

        toggle->setChecked(true);
        for (PredictionCard* card : cards) {
            QTRY_VERIFY_WITH_TIMEOUT(card->showsOverlay(), 60000);
        }
        Result<SaliencyExplainer> explainer = SaliencyExplainer::load(m_model, 1);
        QVERIFY(explainer.ok());
        for (PredictionCard* card : cards) {
            const QByteArray png =
                saliencyOverlayPng(explainer->explainFile(card->prediction().path, {}));
            QVERIFY(QImage::fromData(png, "PNG").width() >= 256);
            QCOMPARE(card->overlay().size(), QSize(96, 96));
            QCOMPARE(card->overlay().convertToFormat(QImage::Format_RGB32), onCard(png));
        }
        const QImage shown =
            cards.first()->findChild<QLabel*>(QStringLiteral("cardImage"))->pixmap().toImage();
        QVERIFY(shown.convertToFormat(QImage::Format_RGB32) !=
                plain.convertToFormat(QImage::Format_RGB32));

        // Another class: the maps are made again, for it.
        PredictionCard* first = cards.first();
        const int other = first->prediction().predicted == 0 ? 1 : 0;
        classChoice->setCurrentIndex(other + 1);
        SaliencyOptions options;
        options.classIndex = other;
        const QImage forOther =
            onCard(saliencyOverlayPng(explainer->explainFile(first->prediction().path, options)));
        QTRY_COMPARE_WITH_TIMEOUT(first->overlay().convertToFormat(QImage::Format_RGB32), forOther,
                                  60000);
        QVERIFY(first->findChild<QLabel*>(QStringLiteral("cardImage"))
                    ->toolTip()
                    .contains(page.classes().value(other)));

        toggle->setChecked(false);
        QVERIFY(!first->showsOverlay());
        page.saliencyOverlays()->waitForIdle();
    }

    // The overlays work whatever the model takes: one grey channel, or two picked channels.
    void saliencyOverlaysForGreyAndPickedChannels()
    {
        for (const bool grey : {true, false}) {
            Project project = uitest::tinyProject(m_data.path(), 1);
            if (grey) {
                project.dataset.colorMode = ColorMode::Grayscale;
            } else {
                project.dataset.channelList = {2, 0};
            }
            TrainOptions options;
            options.runDir = m_runs.filePath(grey ? QStringLiteral("grey-saliency")
                                                  : QStringLiteral("channels-saliency"));
            const Result<TrainResult> trained = trainProject(project, options);
            QVERIFY2(trained.ok(), qPrintable(trained.error()));
            ClassifyPage page;
            QSignalSpy loaded(&page, &ClassifyPage::modelChanged);
            page.setModel(trained->ended.modelPath);
            QVERIFY(loaded.wait(60000));
            QSignalSpy done(&page, &ClassifyPage::classificationFinished);
            page.addPaths({m_data.filePath(QStringLiteral("validation/squares/0.png"))});
            QVERIFY(done.wait(60000));
            page.saliencyControls()->setShown(true);
            auto* card = page.findChild<PredictionCard*>();
            QVERIFY(card);
            QTRY_VERIFY_WITH_TIMEOUT(card->showsOverlay(), 60000);
            QCOMPARE(card->overlay().size(), QSize(96, 96));
            page.saliencyOverlays()->waitForIdle();
        }
    }

    // A map asked of one model and not made yet when the model changes never arrives: only
    // the new model's does.
    void saliencyOfAReplacedModelIsDropped()
    {
        Project project = uitest::tinyProject(m_data.path(), 1);
        project.training.seed += 1;
        TrainOptions options;
        options.runDir = m_runs.filePath(QStringLiteral("other-seed"));
        const Result<TrainResult> trained = trainProject(project, options);
        QVERIFY2(trained.ok(), qPrintable(trained.error()));
        const QString other = trained->ended.modelPath;
        const QString image = m_data.filePath(QStringLiteral("validation/discs/1.png"));

        SaliencyOverlays overlays;
        QVector<QImage> received;
        connect(&overlays, &SaliencyOverlays::overlayReady, this,
                [&received](const QString&, int, const SaliencyOverlay& made) {
                    received << made.image;
                });
        overlays.setModel(m_model);
        QVERIFY(overlays.overlay(image, -1) == nullptr);
        overlays.setModel(other);
        QVERIFY(overlays.overlay(image, -1) == nullptr);
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 60000);
        overlays.waitForIdle();
        QTest::qWait(50);
        QCOMPARE(received.size(), 1);
        Result<SaliencyExplainer> explainer = SaliencyExplainer::load(other, 1);
        QVERIFY(explainer.ok());
        const QImage expected =
            QImage::fromData(saliencyOverlayPng(explainer->explainFile(image, {})), "PNG");
        QCOMPARE(received.first().convertToFormat(QImage::Format_RGB32),
                 expected.convertToFormat(QImage::Format_RGB32));
        // Cached: asked again, it is there at once.
        QVERIFY(overlays.overlay(image, -1) != nullptr);
    }

    void badModelIsReported()
    {
        QTemporaryDir dir;
        const QString bad = dir.filePath(QStringLiteral("bad.pt"));
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a model");
        file.close();
        ClassifyPage page;
        QSignalSpy failed(&page, &ClassifyPage::modelFailed);
        page.setModel(bad);
        QVERIFY(failed.wait(60000));
        QVERIFY(!failed.first().at(1).toString().isEmpty());
        QVERIFY(page.modelPath().isEmpty());
    }
};

QTEST_MAIN(TestClassifyPage)
#include "tst_classifypage.moc"
