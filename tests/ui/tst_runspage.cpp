// Tests of the Runs page and its model: three tiny runs trained here are listed with their
// statuses, sorted, overlaid in one chart, compared (McNemar and the one differing setting),
// noted and moved to the trash; a cross-validation row expands into its folds.
#include "evaluatepage.h"
#include "mainwindow.h"
#include "qcustomplotwrapper.h"
#include "runsmodel.h"
#include "runspage.h"

#include "runs/runcatalog.h"
#include "training/runfolder.h"
#include "training/runlock.h"
#include "training/trainer.h"

#include "shapesdataset.h"
#include "uitestsupport.h"

#include <QDir>
#include <QFile>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

using namespace studio;

class TestRunsPage : public QObject
{
    Q_OBJECT

    QTemporaryDir m_data;
    QTemporaryDir m_runs;
    QTemporaryDir m_settings;
    QString m_a, m_b, m_c;

    QString train(const QString& name, double learningRate, int epochs)
    {
        Project project = uitest::tinyProject(m_data.path(), epochs);
        project.training.learningRate = learningRate;
        TrainOptions options;
        options.runDir = QDir(m_runs.path()).filePath(name);
        const Result<TrainResult> result = trainProject(project, options);
        return result && result->ended.outcome == RunEndedEvent::Outcome::Finished ? options.runDir
                                                                                   : QString();
    }

    // A page listing `folder`, its listing done.
    static void listed(RunsPage& page, const QString& folder)
    {
        QSignalSpy listedSpy(&page, &RunsPage::runsListed);
        page.setRunsFolder(folder);
        QVERIFY(listedSpy.wait(20000));
    }

    static void select(RunsPage& page, const QStringList& paths)
    {
        QSignalSpy shown(&page, &RunsPage::selectionShown);
        page.selectRuns(paths);
        QVERIFY(shown.wait(20000));
    }

    static QStringList column(const QAbstractItemModel& model, RunColumn column)
    {
        QStringList cells;
        for (int row = 0; row < model.rowCount(); ++row) {
            cells << model.index(row, int(column)).data().toString();
        }
        return cells;
    }

private Q_SLOTS:
    void initTestCase()
    {
        // Settings of this test's own (not uitest::useFreshSettings: QStandardPaths' test mode
        // would put the trash under ~/.qttest instead of XDG_DATA_HOME).
        QCoreApplication::setOrganizationName(QStringLiteral("ClassifierStudioTests"));
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settings.path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settings.path());
        // The trash of this test: the user's stays untouched.
        const QString xdg = QDir(m_data.path()).filePath(QStringLiteral("xdg"));
        QVERIFY(QDir().mkpath(xdg));
        qputenv("XDG_DATA_HOME", xdg.toUtf8());
        testdata::makeShapes(m_data.path(), QStringLiteral("train"), 24, 3);
        testdata::makeShapes(m_data.path(), QStringLiteral("validation"), 6, 4);
        testdata::makeShapes(m_data.path(), QStringLiteral("test"), 9, 5);
        m_a = train(QStringLiteral("a"), 0.01, 2);
        m_b = train(QStringLiteral("b"), 0.005, 2); // differs from a in the learning rate only
        m_c = train(QStringLiteral("c"), 0.01, 1);
        QVERIFY(!m_a.isEmpty() && !m_b.isEmpty() && !m_c.isEmpty());
    }

    void listsTheRunsWithTheirStatuses()
    {
        RunsPage page;
        listed(page, m_runs.path());
        QCOMPARE(page.folders(), QStringList{m_runs.path()});
        const QAbstractItemModel& model = *page.view()->model();
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(column(model, RunColumn::Status),
                 (QStringList{QStringLiteral("finished"), QStringLiteral("finished"),
                              QStringLiteral("finished")}));
        QCOMPARE(model.headerData(int(RunColumn::TestAccuracy), Qt::Horizontal).toString(),
                 runColumnTitle(RunColumn::TestAccuracy));
        const QModelIndex accuracy = model.index(0, int(RunColumn::TestAccuracy));
        QVERIFY(accuracy.data().toString().contains(QStringLiteral("% (")));
        QVERIFY(accuracy.data(Qt::UserRole).toDouble() >= 0);
        QVERIFY(accuracy.data(Qt::ToolTipRole).toString().contains(QStringLiteral("finished")));
    }

    void sortsByAColumn()
    {
        RunsPage page;
        listed(page, m_runs.path());
        page.view()->sortByColumn(int(RunColumn::Name), Qt::AscendingOrder);
        const QAbstractItemModel& model = *page.view()->model();
        QCOMPARE(column(model, RunColumn::Name),
                 (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}));
        page.view()->sortByColumn(int(RunColumn::Name), Qt::DescendingOrder);
        QCOMPARE(column(model, RunColumn::Name),
                 (QStringList{QStringLiteral("c"), QStringLiteral("b"), QStringLiteral("a")}));
        page.view()->sortByColumn(int(RunColumn::Epochs), Qt::AscendingOrder);
        QCOMPARE(column(model, RunColumn::Name).first(), QStringLiteral("c")); // 1 epoch
    }

    void overlaysTheSelectedRunsCurves()
    {
        RunsPage page;
        listed(page, m_runs.path());
        page.view()->sortByColumn(int(RunColumn::Name), Qt::AscendingOrder);
        select(page, {m_c, m_a, m_b});
        QCOMPARE(page.selectedRuns(), (QStringList{m_a, m_b, m_c})); // in the table's order
        for (QCustomPlot* plot : {page.lossPlot(), page.accuracyPlot()}) {
            QCOMPARE(plot->graphCount(), 6); // training and validation of each run
            QSet<QRgb> colours;
            for (int i = 0; i < plot->graphCount(); i += 2) {
                QCOMPARE(plot->graph(i)->pen().color(), plot->graph(i + 1)->pen().color());
                QCOMPARE(plot->graph(i)->pen().style(), Qt::DashLine); // training
                QCOMPARE(plot->graph(i + 1)->pen().style(), Qt::SolidLine);
                colours.insert(plot->graph(i)->pen().color().rgb());
            }
            QCOMPARE(colours.size(), 3);
            QCOMPARE(plot->legend->itemCount(), 3); // one entry per run, named after it
            QCOMPARE(plot->graph(1)->name(), QStringLiteral("a"));
        }
        QVERIFY(page.comparisonText().contains(QStringLiteral("Select two")));
    }

    void comparesTwoRuns()
    {
        RunsPage page;
        listed(page, m_runs.path());
        page.view()->sortByColumn(int(RunColumn::Name), Qt::AscendingOrder);
        select(page, {m_a, m_b});
        const QString text = page.comparisonText();
        QVERIFY2(text.contains(QStringLiteral("learning_rate 0.01 \u2192 0.005")),
                 qPrintable(text));
        QVERIFY2(!text.contains(QLatin1Char(';')), qPrintable(text)); // the one setting only
        QVERIFY2(text.contains(QStringLiteral("McNemar's exact p")), qPrintable(text));
        QCOMPARE(page.lossPlot()->graphCount(), 4);
    }

    // Open in the main window: the run's evaluation on the Evaluate page.
    void opensARunOnTheEvaluatePage()
    {
        MainWindow window;
        window.setErrorSink([](const QString& title, const QString& message) {
            QFAIL(qPrintable(title + QStringLiteral(": ") + message));
        });
        RunsPage& page = *window.runsPage();
        QSignalSpy listedSpy(&page, &RunsPage::runsListed);
        page.setRunsFolder(m_runs.path());
        QVERIFY(listedSpy.wait(20000));
        select(page, {m_b});
        page.findChild<QPushButton*>(QStringLiteral("openRun"))->click();
        QCOMPARE(window.currentPage(), MainWindow::EvaluatePage);
    }

    void notesARun()
    {
        RunsPage page;
        listed(page, m_runs.path());
        QVERIFY(page.setNote(m_b, QStringLiteral("half the learning rate")));
        QCOMPARE(runNote(m_b), QStringLiteral("half the learning rate"));
        QVERIFY(QFile::exists(QDir(m_b).filePath(kRunNoteFile)));
        const QModelIndex row = page.model()->indexOfPath(m_b);
        QCOMPARE(row.siblingAtColumn(int(RunColumn::Note)).data().toString(),
                 QStringLiteral("half the learning rate"));
        QVERIFY(page.setNote(m_b, QString()));
        QVERIFY(!QFile::exists(QDir(m_b).filePath(kRunNoteFile)));
    }

    void crossValidationExpandsIntoFolds()
    {
        QTemporaryDir root;
        const QDir dir(root.path());
        QVERIFY(copyRunFolder(m_a, dir.filePath(QStringLiteral("cv/fold-1"))));
        QVERIFY(copyRunFolder(m_b, dir.filePath(QStringLiteral("cv/fold-2"))));
        QVERIFY(copyRunFolder(m_c, dir.filePath(QStringLiteral("single"))));
        RunsPage page;
        listed(page, root.path());
        RunsModel& model = *page.model();
        QCOMPARE(model.rowCount(), 2);
        const QModelIndex cv = model.indexOfPath(dir.filePath(QStringLiteral("cv")));
        QVERIFY(cv.isValid());
        QVERIFY(model.data(cv, RunsModel::kCrossValidationRole).toBool());
        QCOMPARE(model.rowCount(cv), 2);
        QCOMPARE(model.index(1, int(RunColumn::Name), cv).data().toString(),
                 QStringLiteral("fold-2"));
        QCOMPARE(model.parent(model.index(1, 0, cv)), cv);
        QVERIFY(cv.siblingAtColumn(int(RunColumn::TestAccuracy))
                    .data()
                    .toString()
                    .contains(QStringLiteral(" \u00b1 ")));
        const QModelIndex fold = model.indexOfPath(dir.filePath(QStringLiteral("cv/fold-2")));
        QCOMPARE(fold.parent(), cv);
        QSignalSpy opened(&page, &RunsPage::openRequested);
        select(page, {dir.filePath(QStringLiteral("cv"))});
        page.findChild<QPushButton*>(QStringLiteral("openRun"))->click();
        QCOMPARE(opened.size(), 1);
        QCOMPARE(opened.first().at(0).toString(), dir.filePath(QStringLiteral("cv")));
        QVERIFY(opened.first().at(1).toBool()); // a cross-validation
        QVERIFY(page.view()->isExpanded(page.sortModel()->mapFromSource(cv)) ||
                page.sortModel()->rowCount(page.sortModel()->mapFromSource(cv)) == 2);
        QVERIFY(page.comparisonText().contains(QStringLiteral("No curves"))); // none of its own
    }

    void addedFoldersAreRemembered()
    {
        QTemporaryDir other;
        QVERIFY(copyRunFolder(m_c, QDir(other.path()).filePath(QStringLiteral("elsewhere"))));
        {
            RunsPage page;
            listed(page, m_runs.path());
            QSignalSpy listedSpy(&page, &RunsPage::runsListed);
            page.addFolder(other.path());
            QVERIFY(listedSpy.wait(20000));
            QCOMPARE(page.model()->rowCount(), 4);
        }
        RunsPage again;
        listed(again, m_runs.path());
        QCOMPARE(again.folders(), (QStringList{m_runs.path(), other.path()}));
        QCOMPARE(again.model()->rowCount(), 4);
        again.removeFolder(other.path());
        QCOMPARE(again.folders(), QStringList{m_runs.path()});
    }

    void movesARunToTheTrash()
    {
        QTemporaryDir root;
        const QString run = QDir(root.path()).filePath(QStringLiteral("doomed"));
        QVERIFY(copyRunFolder(m_c, run));
        RunsPage page;
        QStringList errors;
        page.setErrorSink([&](const QString&, const QString& message) { errors << message; });
        page.setConfirm([](const QString&) { return true; });
        listed(page, root.path());
        {
            const Result<RunLock> lock = RunLock::acquire(run); // as if it were training
            QVERIFY(lock.ok());
            QVERIFY(!page.moveToTrash(run));
            QCOMPARE(errors.size(), 1);
            QVERIFY(QFileInfo::exists(run));
        }
        QSignalSpy listedSpy(&page, &RunsPage::runsListed);
        QVERIFY(page.moveToTrash(run));
        QVERIFY(!QFileInfo::exists(run));
        QVERIFY(listedSpy.wait(20000));
        QCOMPARE(page.model()->rowCount(), 0);
        QVERIFY(QDir(QDir(QString::fromUtf8(qgetenv("XDG_DATA_HOME")))
                         .filePath(QStringLiteral("Trash/files")))
                    .exists(QStringLiteral("doomed")));
    }
};

QTEST_MAIN(TestRunsPage)
#include "tst_runspage.moc"
