// Tests of the main window shell: title, page navigation, opening a dataset folder, the
// project file (save, reopen, unsaved-changes prompt).
#include "common/blaslibrary.h"
#include "datapage.h"
#include "mainwindow.h"
#include "modelpage.h"
#include "project/project.h"
#include "projectdocument.h"
#include "qcustomplotwrapper.h"
#include "runspage.h"
#include "shapesdataset.h"
#include "trainingchart.h"
#include "trainpage.h"
#include "uitestsupport.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

using studio::MainWindow;
using studio::ProjectDocument;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { studio::uitest::useFreshSettings(); }

    // The status bar names the BLAS library LibTorch runs on; the reference one is flagged.
    void statusBarNamesTheBlasLibrary()
    {
        MainWindow window;
        auto* label = window.statusBar()->findChild<QLabel*>(QStringLiteral("blasLabel"));
        QVERIFY(label);
        const studio::BlasLibrary blas = studio::loadedBlasLibrary();
        QVERIFY2(label->toolTip().contains(studio::describeBlas(blas)),
                 qPrintable(label->toolTip()));
        if (blas.reference) {
            QVERIFY(label->text().contains(QLatin1String("reference BLAS")));
            QVERIFY(label->toolTip().contains(QLatin1String("install-deps.sh")));
        } else {
            QVERIFY2(!blas.name.isEmpty() &&
                         label->text().startsWith(QStringLiteral("BLAS: ") + blas.name.left(4)),
                     qPrintable(label->text()));
        }
    }

    // The first start (no project opened before) welcomes on the Data page: its example button
    // writes Fashion-MNIST off the GUI thread and opens it; the steps done get a check mark. A
    // later start (a project was opened) does not welcome.
    void firstStartWelcomesAndMarksSteps()
    {
        QSettings().remove(QStringLiteral("recent/projects"));
        QTemporaryDir dir;
        const QString example = dir.filePath(QStringLiteral("fashion-mnist"));
        qputenv("STUDIO_EXAMPLE_DATASET", example.toUtf8());
        MainWindow window;
        QVERIFY(window.dataPage()->isWelcomeVisible());
        auto* steps = window.findChild<QLabel*>(QStringLiteral("welcomeSteps"));
        QVERIFY(steps && steps->text().contains(QStringLiteral("Evaluate")));
        QVERIFY(!window.isStepDone(MainWindow::DataPage));
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(QDir().mkpath(QStringLiteral(STUDIO_SCREENSHOT_DIR)));
        QVERIFY(window.grab().save(
            QDir(QStringLiteral(STUDIO_SCREENSHOT_DIR)).filePath(QStringLiteral("welcome.png"))));
        QSignalSpy scanned(window.dataPage(), &studio::DataPage::scanFinished);
        auto* button = window.findChild<QPushButton*>(QStringLiteral("welcomeExample"));
        QVERIFY(button);
        button->click();
        QVERIFY(scanned.wait(180000));
        QVERIFY2(scanned.first().first().toBool(), qPrintable(window.dataPage()->statusText()));
        QVERIFY(QFileInfo(QDir(example).filePath(QStringLiteral("train/Sneaker"))).isDir());
        QVERIFY(!window.dataPage()->isWelcomeVisible());
        QVERIFY(window.isStepDone(MainWindow::DataPage));
        QVERIFY(window.isStepDone(MainWindow::ModelPage)); // the output layer was sized
        QVERIFY(!window.isStepDone(MainWindow::TrainPage));
        auto* navigation = window.findChild<QListWidget*>(QStringLiteral("pageNavigation"));
        QVERIFY(navigation->item(0)->text().contains(QChar(0x2713)));
        QVERIFY(!navigation->item(2)->text().contains(QChar(0x2713)));
        qunsetenv("STUDIO_EXAMPLE_DATASET");
        window.setSavePrompt([](const QString&) { return QMessageBox::Discard; });

        QSettings().setValue(QStringLiteral("recent/projects"),
                             QStringList{dir.filePath(QStringLiteral("p.json"))});
        MainWindow later;
        QVERIFY(!later.dataPage()->isWelcomeVisible());
        QSettings().remove(QStringLiteral("recent/projects"));
    }

    void darkThemeReachesTheCharts()
    {
        QSettings().remove(QStringLiteral("view/darkTheme"));
        // The lightness in the middle of the loss chart's plot area, as drawn.
        const auto chartLightness = [](MainWindow& window) {
            QCustomPlot* plot = window.trainPage()->lossChart()->plot();
            plot->replot();
            const QImage image = plot->toPixmap(400, 300).toImage();
            return image.pixelColor(image.width() / 2, image.height() / 2).lightness();
        };
        const auto axisText = [](MainWindow& window) {
            return window.trainPage()->lossChart()->plot()->xAxis->tickLabelColor().lightness();
        };
        {
            MainWindow window;
            window.resize(1000, 700);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QVERIFY(!window.isDarkTheme());
            QVERIFY(chartLightness(window) > 200);
            QVERIFY(axisText(window) < 100);
            auto* action = window.findChild<QAction*>(QStringLiteral("darkThemeAction"));
            QVERIFY(action != nullptr);
            action->trigger(); // View > Dark Theme
            QVERIFY(window.isDarkTheme());
            QCOMPARE(QApplication::palette().color(QPalette::Window).lightness() < 80, true);
            QTRY_VERIFY(chartLightness(window) < 60); // the palette change reaches the chart
            QVERIFY(axisText(window) > 180);
        }
        // Kept for the next session.
        MainWindow again;
        QVERIFY(again.isDarkTheme());
        again.setDarkTheme(false);
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() > 150);
        QTRY_VERIFY(chartLightness(again) > 200);
        QVERIFY(!QSettings().value(QStringLiteral("view/darkTheme")).toBool());
    }

    void titleAndPages()
    {
        MainWindow window;
        QCOMPARE(window.windowTitle(), QStringLiteral("Untitled[*] — Classifier Studio"));
        QVERIFY(!window.isWindowModified());
        QVERIFY(QFile::exists(QStringLiteral(":/icons/classifier-studio.svg")));
        QVERIFY(!window.windowIcon().pixmap(32, 32).isNull());
        auto* navigation = window.findChild<QListWidget*>(QStringLiteral("pageNavigation"));
        QVERIFY(navigation);
        QStringList names;
        for (int i = 0; i < navigation->count(); ++i) {
            names << navigation->item(i)->text();
        }
        QCOMPARE(names, (QStringList{QStringLiteral("Data"), QStringLiteral("Model"),
                                     QStringLiteral("Train"), QStringLiteral("Evaluate"),
                                     QStringLiteral("Classify"), QStringLiteral("Runs")}));
        QCOMPARE(window.currentPage(), MainWindow::DataPage);
        navigation->setCurrentRow(MainWindow::TrainPage);
        QCOMPARE(window.currentPage(), MainWindow::TrainPage);
        window.showPage(MainWindow::ClassifyPage);
        QCOMPARE(navigation->currentRow(), int(MainWindow::ClassifyPage));
        window.showPage(MainWindow::RunsPage);
        QCOMPARE(window.currentPage(), MainWindow::RunsPage);
        QCOMPARE(window.runsPage()->folders().value(0), window.trainPage()->runsFolder());
    }

    // The window fits a 1366 x 768 laptop screen: no page asks for more room (a page wider
    // than the window was drawn clipped, its right pane half hidden under its settings).
    void fitsALaptopScreen()
    {
        MainWindow window;
        // A runs folder with a long path, as a user's home folder gives.
        window.trainPage()->setRunsFolder(
            QStringLiteral("/home/a-scientist-with-a-long-name/Documents/microscopy/"
                           "2026-winter-screen/classifier-studio-runs"));
        window.show();
        for (int page = 0; page <= int(MainWindow::RunsPage); ++page) {
            window.showPage(MainWindow::Page(page));
            QCoreApplication::processEvents();
            const QSize least = window.minimumSizeHint();
            QVERIFY2(least.width() <= 1366 && least.height() <= 740,
                     qPrintable(QStringLiteral("page %1: the window needs %2 x %3 px")
                                    .arg(page)
                                    .arg(least.width())
                                    .arg(least.height())));
        }
    }

    void opensDatasetFolder()
    {
        QTemporaryDir dir;
        MainWindow window;
        window.showPage(MainWindow::ModelPage);
        window.openDataset(dir.path());
        QCOMPARE(window.datasetFolder(), QDir(dir.path()).absolutePath());
        QCOMPARE(window.currentPage(), MainWindow::DataPage);
        auto* label = window.findChild<QLabel*>(QStringLiteral("datasetLabel"));
        QVERIFY(label->text().contains(QDir::toNativeSeparators(dir.path())));
    }

    // A new user opens a 3-class folder: the output layer (10 units in the default network) is
    // sized to the classes in one undoable step, said in the status bar and the Train page's
    // log, and Start is enabled without a visit to the Model page (as `train --data` does).
    void openingADatasetSizesTheOutputLayer()
    {
        QTemporaryDir dir;
        studio::testdata::makeShapes(dir.path(), QStringLiteral("train"), 4, 7);
        MainWindow window;
        const int output = studio::outputDenseLayer(window.document()->project().model);
        QVERIFY(output >= 0);
        QCOMPARE(window.document()->project().model.layers[output].units, 10);

        QSignalSpy scanned(window.dataPage(), &studio::DataPage::scanFinished);
        window.openDataset(dir.path());
        QVERIFY(scanned.wait(30000));
        QCOMPARE(window.document()->project().model.layers[output].units, 3);
        QVERIFY2(!window.document()->hasModelProblem(),
                 qPrintable(window.document()->modelProblem()));
        auto* start = window.trainPage()->findChild<QPushButton*>(QStringLiteral("startButton"));
        QVERIFY(start->isEnabled());
        QVERIFY2(window.statusBar()->currentMessage().contains(QLatin1String("3 units")),
                 qPrintable(window.statusBar()->currentMessage()));
        QVERIFY2(window.trainPage()->logText().contains(QLatin1String("3 units")),
                 qPrintable(window.trainPage()->logText()));

        QUndoStack* undo = window.document()->undoStack();
        QCOMPARE(undo->text(undo->index() - 1),
                 QStringLiteral("Size the Output Layer to 3 Classes"));
        undo->undo();
        QCOMPARE(window.document()->project().model.layers[output].units, 10);
        QVERIFY(window.document()->hasModelProblem());
        QVERIFY(!start->isEnabled());
    }

    void missingFolderIsReported()
    {
        MainWindow window;
        window.openDataset(QStringLiteral("/nonexistent/dataset"));
        QVERIFY(window.datasetFolder().isEmpty());
        auto* label = window.findChild<QLabel*>(QStringLiteral("scanStatus"));
        QVERIFY(label->text().contains(QLatin1String("does not exist")));
    }

    // File > Export Run Report... writes the report in the background; a folder that is not a
    // run is refused with the reason shown, and no file is written.
    void exportsARunReport()
    {
        QTemporaryDir dir;
        const QString run = dir.filePath(QStringLiteral("run"));
        QVERIFY(QDir().mkpath(run));
        studio::Project project = studio::defaultProject();
        project.dataset.root = dir.filePath(QStringLiteral("gone"));
        QVERIFY(studio::saveProject(run + QStringLiteral("/project.json"), project).ok());
        MainWindow window;
        QStringList errors;
        window.setErrorSink([&](const QString&, const QString& message) { errors << message; });
        QVERIFY(window.findChild<QAction*>(QStringLiteral("exportRunReportAction")));
        QSignalSpy exported(&window, &MainWindow::runReportExported);

        const QString pdf = dir.filePath(QStringLiteral("run-report.pdf"));
        window.exportRunReport(run, pdf);
        QVERIFY(exported.wait(60000));
        QVERIFY2(exported.last().at(0).toBool(), qPrintable(exported.last().at(1).toString()));
        QVERIFY(QFileInfo(pdf).size() > 1000);
        QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("run-report.pdf")));

        window.exportRunReport(dir.path(), dir.filePath(QStringLiteral("no.pdf")));
        QVERIFY(exported.wait(60000));
        QVERIFY(!exported.last().at(0).toBool());
        QCOMPARE(errors.size(), 1);
        QVERIFY2(errors.first().contains(QStringLiteral("project.json")),
                 qPrintable(errors.first()));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("no.pdf"))));
    }

    // Save a project, reopen it in a new window, find the same state.
    void saveAndReopenProject()
    {
        QTemporaryDir dir;
        studio::testdata::makeShapes(dir.filePath(QStringLiteral("images")),
                                     QStringLiteral("train"), 4, 7);
        const QString path = dir.filePath(QStringLiteral("shapes.json"));
        studio::Project saved;
        {
            MainWindow window;
            QSignalSpy scanned(window.dataPage(), &studio::DataPage::scanFinished);
            window.openDataset(dir.filePath(QStringLiteral("images")));
            QVERIFY(scanned.wait(30000));
            QVERIFY(window.modelPage()->applyTemplate(QStringLiteral("small")));
            studio::TrainingSettings training = window.document()->project().training;
            training.epochs = 2;
            window.document()->setTraining(training);
            QVERIFY(window.isWindowModified());
            QVERIFY(window.saveProjectAs(path));
            QVERIFY(!window.isWindowModified());
            QCOMPARE(window.windowTitle(), QStringLiteral("shapes[*] — Classifier Studio"));
            saved = window.document()->project();
        }
        QCOMPARE(saved.model.layers.last().units, 3);

        MainWindow window;
        QSignalSpy scanned(window.dataPage(), &studio::DataPage::scanFinished);
        QVERIFY(window.openProject(path));
        QVERIFY(studio::sameProject(window.document()->project(), saved));
        QCOMPARE(window.datasetFolder(),
                 QDir(dir.filePath(QStringLiteral("images"))).absolutePath());
        QCOMPARE(window.document()->filePath(), path);
        QVERIFY(!window.isWindowModified());
        QVERIFY(scanned.wait(30000)); // the reopened project's dataset is scanned again
        QVERIFY2(!window.document()->hasModelProblem(),
                 qPrintable(window.document()->modelProblem()));
        QCOMPARE(QSettings().value(QStringLiteral("recent/projects")).toStringList().value(0),
                 path);
    }

    void unsavedChangesPrompt()
    {
        QTemporaryDir dir;
        MainWindow window;
        QStringList asked;
        QMessageBox::StandardButton answer = QMessageBox::Cancel;
        window.setSavePrompt([&](const QString& name) {
            asked.append(name);
            return answer;
        });
        window.setErrorSink(
            [](const QString&, const QString& message) { QFAIL(qPrintable(message)); });

        QVERIFY(window.newProject()); // nothing to save: no question
        QVERIFY(asked.isEmpty());

        studio::TrainingSettings training = window.document()->project().training;
        training.epochs = 5;
        window.document()->setTraining(training);
        QVERIFY(!window.newProject()); // cancelled
        QCOMPARE(asked, QStringList{QStringLiteral("Untitled")});
        QCOMPARE(window.document()->project().training.epochs, 5);
        QVERIFY(!window.close());
        QVERIFY(window.document()->isModified());

        answer = QMessageBox::Discard;
        QVERIFY(window.newProject());
        QCOMPARE(window.document()->project().training.epochs, 10);

        window.document()->setTraining(training);
        QVERIFY(window.saveProjectAs(dir.filePath(QStringLiteral("p.json"))));
        training.epochs = 6;
        window.document()->setTraining(training);
        answer = QMessageBox::Save; // saves to the project's file, then goes on
        QVERIFY(window.newProject());
        ProjectDocument check;
        QVERIFY(check.open(dir.filePath(QStringLiteral("p.json"))).ok());
        QCOMPARE(check.project().training.epochs, 6);
    }

    void undoRedoShortcuts()
    {
        MainWindow window;
        QUndoStack* stack = window.document()->undoStack();
        QAction* undo = nullptr;
        QAction* redo = nullptr;
        for (QAction* action : window.findChildren<QAction*>()) {
            if (action->shortcuts().contains(
                    QKeySequence::keyBindings(QKeySequence::Undo).value(0))) {
                undo = action;
            }
            if (action->shortcuts().contains(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z))) {
                redo = action;
            }
        }
        QVERIFY(undo && redo);
        studio::TrainingSettings training = window.document()->project().training;
        training.epochs = 5;
        window.document()->setTraining(training);
        QVERIFY(undo->isEnabled());
        undo->trigger();
        QCOMPARE(window.document()->project().training.epochs, 10);
        QVERIFY(stack->canRedo());
        redo->trigger();
        QCOMPARE(window.document()->project().training.epochs, 5);
    }

    // Renders the Data and Model pages of a window with a scanned dataset to PNGs (README).
    void screenshots()
    {
        QTemporaryDir dir;
        studio::testdata::makeShapes(dir.path(), QStringLiteral("train"), 12, 1);
        studio::testdata::makeShapes(dir.path(), QStringLiteral("validation"), 3, 2);
        studio::testdata::makeShapes(dir.path(), QStringLiteral("test"), 3, 3);
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QSignalSpy scanned(window.dataPage(), &studio::DataPage::scanFinished);
        QSignalSpy preview(window.dataPage(), &studio::DataPage::previewUpdated);
        window.openDataset(dir.path());
        QVERIFY(scanned.wait(30000));
        QVERIFY(preview.wait(10000));
        studio::AugmentationSettings augmentation = window.document()->project().augmentation;
        augmentation.rotationRange = 20;
        augmentation.zoomLow = 0.8;
        augmentation.zoomHigh = 1.2;
        augmentation.horizontalFlip = true;
        window.document()->setAugmentation(augmentation);
        QVERIFY(preview.wait(10000));
        const QString outDir = QStringLiteral(STUDIO_SCREENSHOT_DIR);
        QVERIFY(QDir().mkpath(outDir));
        auto* tabs = window.dataPage()->findChild<QTabWidget*>(QStringLiteral("dataTabs"));
        QVERIFY(tabs);
        const QVector<QPair<int, QString>> dataTabs = {
            {0, QStringLiteral("data-counts.png")}, {3, QStringLiteral("data-augmentation.png")}};
        for (const auto& [tab, name] : dataTabs) {
            tabs->setCurrentIndex(tab);
            QTest::qWait(150);
            QVERIFY(window.grab().save(QDir(outDir).filePath(name)));
        }
        // View > Show Keras Names: the same form with Keras's names first.
        auto* kerasNames = window.findChild<QAction*>(QStringLiteral("kerasNamesAction"));
        QVERIFY(kerasNames);
        kerasNames->setChecked(true);
        QTest::qWait(150);
        QVERIFY(window.grab().save(
            QDir(outDir).filePath(QStringLiteral("data-augmentation-keras.png"))));
        kerasNames->setChecked(false);
        window.showPage(MainWindow::ModelPage);
        window.modelPage()->selectRow(1);
        QTest::qWait(150);
        const QString model = QDir(outDir).filePath(QStringLiteral("model.png"));
        QVERIFY(window.grab().save(model));
        QVERIFY(QImage(model).width() >= 1000);
        window.setSavePrompt([](const QString&) { return QMessageBox::Discard; });
    }

    // Debian's QCustomPlot links and draws under QT_NO_KEYWORDS through the wrapper header.
    void qcustomplotRenders()
    {
        QCustomPlot plot;
        plot.resize(200, 120);
        QCPGraph* graph = plot.addGraph();
        graph->setData({0, 1, 2}, {1, 3, 2});
        plot.rescaleAxes();
        const QPixmap pixmap = plot.toPixmap(200, 120);
        QCOMPARE(pixmap.size(), QSize(200, 120));
        QCOMPARE(plot.graphCount(), 1);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
