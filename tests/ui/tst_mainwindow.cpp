// Tests of the main window shell: title, page navigation, opening a dataset folder.
#include "mainwindow.h"
#include "qcustomplotwrapper.h"

#include <QLabel>
#include <QListWidget>
#include <QStackedWidget>
#include <QTemporaryDir>
#include <QtTest>

using studio::MainWindow;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("ClassifierStudioTests"));
        QStandardPaths::setTestModeEnabled(true);
    }

    void titleAndPages()
    {
        MainWindow window;
        QCOMPARE(window.windowTitle(), QStringLiteral("Classifier Studio"));
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
                                     QStringLiteral("Classify")}));
        QCOMPARE(window.currentPage(), MainWindow::DataPage);
        navigation->setCurrentRow(MainWindow::TrainPage);
        QCOMPARE(window.currentPage(), MainWindow::TrainPage);
        window.showPage(MainWindow::ClassifyPage);
        QCOMPARE(navigation->currentRow(), int(MainWindow::ClassifyPage));
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

    void missingFolderIsReported()
    {
        MainWindow window;
        window.openDataset(QStringLiteral("/nonexistent/dataset"));
        QVERIFY(window.datasetFolder().isEmpty());
        auto* label = window.findChild<QLabel*>(QStringLiteral("datasetLabel"));
        QVERIFY(label->text().contains(QLatin1String("does not exist")));
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
