#include "mainwindow.h"

#include "backgroundrunner.h"
#include "classifypage.h"
#include "datapage.h"
#include "evaluatepage.h"
#include "modelpage.h"
#include "projectdocument.h"
#include "recentfiles.h"
#include "runspage.h"
#include "settingwidgets.h"
#include "theme.h"
#include "trainpage.h"
#include "welcomepanel.h"

#include "runreportwriter.h"

#include "common/blaslibrary.h"
#include "common/version.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QSignalBlocker>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QUndoStack>
#include <QUrl>
#include <QVBoxLayout>

#include <thread>

// studio_ui is a static library: its resources are registered explicitly.
static void initUiResources()
{
    Q_INIT_RESOURCE(studio);
}

namespace studio {

namespace {

// The first local path among dropped URLs that is a folder or a project file (.json).
QString droppedPath(const QMimeData* data)
{
    if (!data || !data->hasUrls()) {
        return {};
    }
    for (const QUrl& url : data->urls()) {
        const QFileInfo info(url.toLocalFile());
        if (url.isLocalFile() &&
            (info.isDir() || (info.isFile() && info.suffix().compare(QLatin1String("json"),
                                                                     Qt::CaseInsensitive) == 0))) {
            return info.absoluteFilePath();
        }
    }
    return {};
}

// The About box's line on the BLAS library, with the advice when it is the slow reference one.
QString aboutBlasText()
{
    const BlasLibrary blas = loadedBlasLibrary();
    QString text = describeBlas(blas).toHtmlEscaped();
    if (const QString advice = referenceBlasAdvice(blas); !advice.isEmpty()) {
        text += QStringLiteral("<br><b>%1</b>").arg(advice.toHtmlEscaped());
    }
    return text;
}

// A permanent status-bar label naming the BLAS library; on the slow reference one, in the
// warning colour with the advice in its tooltip.
QLabel* blasLabel(QWidget* parent)
{
    const BlasLibrary blas = loadedBlasLibrary();
    auto* label = new QLabel(parent);
    label->setObjectName(QStringLiteral("blasLabel"));
    const QString what =
        QObject::tr("The maths library (BLAS) LibTorch runs on.\n%1").arg(describeBlas(blas));
    if (const QString advice = referenceBlasAdvice(blas); !advice.isEmpty()) {
        label->setText(QObject::tr("Slow maths library (reference BLAS)"));
        label->setStyleSheet(QStringLiteral("color: #c62828;"));
        label->setToolTip(what + QStringLiteral("\n") + advice);
    } else {
        // "OpenBLAS 0.3.21 (OpenMP threads, ...)" shows as "BLAS: OpenBLAS 0.3.21".
        label->setText(QObject::tr("BLAS: %1").arg(blas.name.section(QStringLiteral(" ("), 0, 0)));
        label->setToolTip(what);
    }
    return label;
}

const char* const kDarkThemeKey = "view/darkTheme"; // QSettings

const QString kProjectFilter = QObject::tr("Classifier Studio projects (*.json);;All files (*)");

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    initUiResources();
    setWindowIcon(QIcon(QStringLiteral(":/icons/classifier-studio.svg")));
    setAcceptDrops(true);
    m_document = new ProjectDocument(this);
    m_reportRunner = new BackgroundRunner(QStringLiteral("run report"), this);
    m_recentProjects = new RecentFiles(QStringLiteral("recent/projects"), 10, this);
    m_recentFolders = new RecentFiles(QStringLiteral("recent/datasets"), 10, this);
    m_savePrompt = [this](const QString& name) {
        return QMessageBox::question(
            this, tr("Unsaved Changes"),
            tr("The project '%1' has changes that are not saved. Save them?").arg(name),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    };
    m_errorSink = [this](const QString& title, const QString& message) {
        QMessageBox::warning(this, title, message);
    };
    connect(m_document, &ProjectDocument::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_document, &ProjectDocument::filePathChanged, this, &MainWindow::updateTitle);
    connect(m_document, &ProjectDocument::outputLayerSized, this,
            [this](const QString& message) { statusBar()->showMessage(message, 15000); });
    connect(m_recentProjects, &RecentFiles::chosen, this, &MainWindow::openProject);
    buildPages();
    buildMenus();
    watchSteps();
    // The first start (no project opened before): the Data page welcomes.
    m_dataPage->setWelcomeVisible(m_recentProjects->paths().isEmpty());
    updateTitle();
    statusBar()->showMessage(tr("CPU, %1 cores").arg(std::thread::hardware_concurrency()));
    statusBar()->addPermanentWidget(blasLabel(this));

    QSettings settings;
    // The look before any dark theme, as the first window of the process found it.
    static const QString startStyle = QApplication::style()->name();
    static const QPalette startPalette = QApplication::palette();
    m_startStyle = startStyle;
    m_startPalette = startPalette;
    if (settings.value(QLatin1String(kDarkThemeKey), false).toBool()) {
        setDarkTheme(true);
    }
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    if (!settings.contains(QStringLiteral("window/geometry"))) {
        resize(1100, 720);
    }
}

MainWindow::~MainWindow() = default;

void MainWindow::exportRunReport(const QString& runDir, const QString& outPath)
{
    QString dir = runDir;
    if (dir.isEmpty()) {
        const QString start =
            m_trainPage->runDir().isEmpty() ? m_trainPage->runsFolder() : m_trainPage->runDir();
        dir = QFileDialog::getExistingDirectory(
            this, tr("Run or Cross-Validation Folder to Report"), start);
        if (dir.isEmpty()) {
            return;
        }
    }
    QString out = outPath;
    if (out.isEmpty()) {
        const QString suggested = QFileInfo(dir).dir().filePath(QFileInfo(dir).fileName() +
                                                                QStringLiteral("-report.pdf"));
        out = QFileDialog::getSaveFileName(this, tr("Export Run Report"), suggested,
                                           tr("PDF (*.pdf);;Web page, images inside (*.html)"));
        if (out.isEmpty()) {
            return;
        }
    }
    statusBar()->showMessage(tr("Writing the report of %1...").arg(QDir::toNativeSeparators(dir)));
    m_reportRunner->run([dir, out](const BackgroundJob&) { return writeRunReport(dir, out); },
                        [this, out](const Status& written) {
                            if (!written.ok()) {
                                statusBar()->clearMessage();
                                showError(tr("Export Run Report"), written.error());
                                Q_EMIT runReportExported(false, written.error());
                                return;
                            }
                            const QString message =
                                tr("Report written to %1.").arg(QDir::toNativeSeparators(out));
                            statusBar()->showMessage(message, 15000);
                            Q_EMIT runReportExported(true, message);
                        });
}

void MainWindow::buildPages()
{
    auto* central = new QWidget(this);
    auto* layout = new QHBoxLayout(central);
    m_navigation = new QListWidget(central);
    m_navigation->setObjectName(QStringLiteral("pageNavigation"));
    m_navigation->setFixedWidth(150);
    m_pages = new QStackedWidget(central);
    layout->addWidget(m_navigation);
    layout->addWidget(m_pages, 1);
    setCentralWidget(central);

    m_dataPage = new studio::DataPage(m_document, m_recentFolders);
    m_modelPage = new studio::ModelPage(m_document);
    m_trainPage = new studio::TrainPage(m_document);
    m_evaluatePage = new studio::EvaluatePage;
    m_classifyPage = new studio::ClassifyPage;
    m_runsPage = new studio::RunsPage;
    // A finished run shows its test evaluation and becomes the model to classify with.
    connect(m_trainPage, &studio::TrainPage::runFinished, this,
            [this](const QString& runDir, const RunEndedEvent& ended) {
                if (ended.testCount > 0) {
                    m_evaluatePage->loadRun(runDir);
                }
                if (!ended.modelPath.isEmpty()) {
                    m_classifyPage->setModel(ended.modelPath);
                }
            });

    connect(m_trainPage, &studio::TrainPage::crossValidationFinished, this,
            [this](const QString& outDir) { m_evaluatePage->loadCrossValidation(outDir); });

    const QVector<QPair<QString, QWidget*>> pages = {
        {tr("Data"), m_dataPage},         {tr("Model"), m_modelPage},
        {tr("Train"), m_trainPage},       {tr("Evaluate"), m_evaluatePage},
        {tr("Classify"), m_classifyPage}, {tr("Runs"), m_runsPage},
    };
    for (const auto& [name, widget] : pages) {
        m_navigation->addItem(name);
        m_navigation->item(m_navigation->count() - 1)->setData(Qt::UserRole, name);
        m_pages->addWidget(widget);
    }
    connect(m_navigation, &QListWidget::currentRowChanged, m_pages,
            &QStackedWidget::setCurrentIndex);
    m_navigation->setCurrentRow(DataPage);
    connectRunsPage();
}

void MainWindow::connectRunsPage()
{
    // The Runs page lists the Train page's runs folder when shown, and again when a run ends.
    connect(m_navigation, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row == RunsPage) {
            m_runsPage->setRunsFolder(m_trainPage->runsFolder());
        }
    });
    connect(m_trainPage, &studio::TrainPage::runFinished, m_runsPage, &studio::RunsPage::refresh);
    connect(m_trainPage, &studio::TrainPage::crossValidationFinished, m_runsPage,
            &studio::RunsPage::refresh);
    connect(m_runsPage, &studio::RunsPage::openRequested, this,
            [this](const QString& runDir, bool crossValidation) {
                const bool loaded = crossValidation ? m_evaluatePage->loadCrossValidation(runDir)
                                                    : m_evaluatePage->loadRun(runDir);
                if (loaded) {
                    showPage(EvaluatePage);
                }
            });
    m_runsPage->setErrorSink(
        [this](const QString& title, const QString& message) { showError(title, message); });
}

void MainWindow::watchSteps()
{
    connect(m_document, &ProjectDocument::datasetIndexChanged, this, &MainWindow::updateSteps);
    connect(m_document, &ProjectDocument::modelSummaryChanged, this, &MainWindow::updateSteps);
    connect(m_trainPage, &studio::TrainPage::runFinished, this,
            [this](const QString&, const RunEndedEvent& ended) {
                m_trained = m_trained || !ended.modelPath.isEmpty();
                updateSteps();
            });
    connect(m_evaluatePage, &studio::EvaluatePage::evaluationFinished, this, [this](bool ok) {
        m_evaluated = m_evaluated || ok;
        updateSteps();
    });
    connect(m_classifyPage, &studio::ClassifyPage::classificationFinished, this, [this] {
        m_classified = true;
        updateSteps();
    });
    connect(m_dataPage, &studio::DataPage::projectRequested, this,
            &MainWindow::chooseProjectToOpen);
    updateSteps();
}

void MainWindow::updateSteps()
{
    const bool data = m_document->hasDatasetIndex();
    const bool model = data && !m_document->modelSummary().hasErrors();
    const bool done[] = {data, model, m_trained, m_evaluated, m_classified, false}; // Runs: no step
    for (int i = 0; i < m_navigation->count(); ++i) {
        QListWidgetItem* item = m_navigation->item(i);
        const QString name = item->data(Qt::UserRole).toString();
        item->setText(done[i] ? name + QStringLiteral("  \u2713") : name);
        item->setData(kStepDoneRole, done[i]);
        item->setToolTip(done[i] ? tr("Done")
                         : i == RunsPage
                             ? tr("Every run so far: compare, open, note or delete them.")
                             : studio::WelcomePanel::stepSentences().value(i));
    }
}

bool MainWindow::isStepDone(Page page) const
{
    return m_navigation->item(int(page))->data(kStepDoneRole).toBool();
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* newAction = file->addAction(tr("&New Project"));
    newAction->setShortcut(QKeySequence::New);
    connect(newAction, &QAction::triggered, this, &MainWindow::newProject);
    QAction* openAction = file->addAction(tr("&Open Project..."));
    openAction->setShortcut(QKeySequence::Open);
    connect(openAction, &QAction::triggered, this, &MainWindow::chooseProjectToOpen);
    m_recentProjects->attachMenu(file->addMenu(tr("Open &Recent Project")));
    QAction* saveAction = file->addAction(tr("&Save Project"));
    saveAction->setShortcut(QKeySequence::Save);
    connect(saveAction, &QAction::triggered, this, &MainWindow::saveProject);
    QAction* saveAsAction = file->addAction(tr("Save Project &As..."));
    saveAsAction->setShortcut(QKeySequence::SaveAs);
    connect(saveAsAction, &QAction::triggered, this, [this] { saveProjectAs(); });
    file->addSeparator();
    QAction* open = file->addAction(tr("Open &Dataset Folder..."));
    open->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(open, &QAction::triggered, this, &MainWindow::chooseDatasetFolder);
    m_recentFolders->attachMenu(file->addMenu(tr("Recent Dataset &Folders")));
    file->addSeparator();
    QAction* follow = file->addAction(tr("Follo&w a Run Folder..."));
    follow->setObjectName(QStringLiteral("followRunAction"));
    connect(follow, &QAction::triggered, this, [this] {
        showPage(TrainPage);
        m_trainPage->chooseRunToFollow();
    });
    QAction* report = file->addAction(tr("Export Run &Report..."));
    report->setObjectName(QStringLiteral("exportRunReportAction"));
    report->setToolTip(tr("A PDF or web page of a run for the methods section: dataset, "
                          "preprocessing, network, training, results, what it takes to "
                          "reproduce it, and a Methods paragraph to paste."));
    connect(report, &QAction::triggered, this, [this] { exportRunReport(); });
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = m_document->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcuts(QKeySequence::Undo);
    QAction* redo = m_document->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    edit->addAction(undo);
    edit->addAction(redo);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    const QStringList names = {tr("Data"),     tr("Model"),    tr("Train"),
                               tr("Evaluate"), tr("Classify"), tr("Runs")};
    for (int i = 0; i < names.size(); ++i) {
        QAction* action = view->addAction(names[i]);
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        connect(action, &QAction::triggered, this, [this, i] { showPage(Page(i)); });
    }

    view->addSeparator();
    m_darkAction = view->addAction(tr("&Dark Theme"));
    m_darkAction->setObjectName(QStringLiteral("darkThemeAction"));
    m_darkAction->setCheckable(true);
    m_darkAction->setToolTip(tr("Light text on dark backgrounds, charts included."));
    connect(m_darkAction, &QAction::toggled, this, &MainWindow::setDarkTheme);
    QAction* kerasNames = view->addAction(tr("Show &Keras Names"));
    kerasNames->setObjectName(QStringLiteral("kerasNamesAction"));
    kerasNames->setCheckable(true);
    kerasNames->setChecked(KerasNames::instance()->first());
    kerasNames->setToolTip(tr("Label the settings with Keras's names first (width_shift_range) "
                              "and the plain words beside them, as in the tutorial's code."));
    connect(kerasNames, &QAction::toggled, KerasNames::instance(), &KerasNames::setFirst);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* about = help->addAction(tr("&About"));
    connect(about, &QAction::triggered, this, [this] {
        QMessageBox::about(
            this, tr("About %1").arg(QString::fromLatin1(kProductName)),
            tr("<b>%1</b> %2<br>Train image classifiers from folders of images.<br><br>%3")
                .arg(QString::fromLatin1(kProductName), QString::fromLatin1(kVersion),
                     aboutBlasText()));
    });
}

void MainWindow::setDarkTheme(bool dark)
{
    if (dark != m_dark) {
        m_dark = dark;
        if (dark) {
            QApplication::setStyle(QStringLiteral("Fusion"));
            QApplication::setPalette(darkPalette());
        } else {
            QApplication::setStyle(m_startStyle);
            QApplication::setPalette(m_startPalette);
        }
        QSettings().setValue(QLatin1String(kDarkThemeKey), dark);
    }
    const QSignalBlocker blocker(m_darkAction);
    m_darkAction->setChecked(dark);
}

void MainWindow::chooseDatasetFolder()
{
    const QString folder =
        QFileDialog::getExistingDirectory(this, tr("Open Dataset Folder"), datasetFolder());
    if (!folder.isEmpty()) {
        openDataset(folder);
    }
}

void MainWindow::openDataset(const QString& folder)
{
    m_dataPage->openFolder(folder);
    showPage(DataPage);
}

QString MainWindow::datasetFolder() const
{
    return m_document->project().dataset.root;
}

bool MainWindow::newProject()
{
    if (!maybeSave()) {
        return false;
    }
    m_document->newProject();
    return true;
}

void MainWindow::chooseProjectToOpen()
{
    const QString start = m_document->filePath().isEmpty() ? m_recentProjects->paths().value(0)
                                                           : m_document->filePath();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Project"), QFileInfo(start).absolutePath(), kProjectFilter);
    if (!path.isEmpty()) {
        openProject(path);
    }
}

bool MainWindow::openProject(const QString& path)
{
    if (!maybeSave()) {
        return false;
    }
    const Status opened = m_document->open(path);
    if (!opened) {
        if (!QFileInfo::exists(path)) {
            m_recentProjects->remove(path);
        }
        showError(tr("Cannot Open Project"), opened.error());
        return false;
    }
    m_recentProjects->add(m_document->filePath());
    if (!m_document->loadWarnings().isEmpty()) {
        statusBar()->showMessage(m_document->loadWarnings().join(QLatin1Char(' ')), 15000);
    }
    return true;
}

bool MainWindow::saveProject()
{
    if (m_document->filePath().isEmpty()) {
        return saveProjectAs();
    }
    const Status saved = m_document->save();
    if (!saved) {
        showError(tr("Cannot Save Project"), saved.error());
        return false;
    }
    m_recentProjects->add(m_document->filePath());
    statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(m_document->filePath())),
                             5000);
    return true;
}

bool MainWindow::saveProjectAs(const QString& path)
{
    QString target = path;
    if (target.isEmpty()) {
        const QString suggestion = m_document->filePath().isEmpty()
                                       ? QDir(QFileInfo(datasetFolder()).absolutePath())
                                             .absoluteFilePath(tr("untitled.json"))
                                       : m_document->filePath();
        target =
            QFileDialog::getSaveFileName(this, tr("Save Project As"), suggestion, kProjectFilter);
        if (target.isEmpty()) {
            return false;
        }
        if (QFileInfo(target).suffix().isEmpty()) {
            target += QStringLiteral(".json");
        }
    }
    const Status saved = m_document->saveAs(target);
    if (!saved) {
        showError(tr("Cannot Save Project"), saved.error());
        return false;
    }
    m_recentProjects->add(m_document->filePath());
    return true;
}

bool MainWindow::maybeSave()
{
    if (!m_document->isModified()) {
        return true;
    }
    switch (m_savePrompt(m_document->displayName())) {
    case QMessageBox::Save:
        return saveProject();
    case QMessageBox::Discard:
        return true;
    default:
        return false;
    }
}

void MainWindow::updateTitle()
{
    setWindowTitle(QStringLiteral("%1[*] — %2")
                       .arg(m_document->displayName(), QString::fromLatin1(kProductName)));
    setWindowModified(m_document->isModified());
    setWindowFilePath(m_document->filePath());
}

void MainWindow::showError(const QString& title, const QString& message)
{
    statusBar()->showMessage(message, 15000);
    if (m_errorSink) {
        m_errorSink(title, message);
    }
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (!droppedPath(event->mimeData()).isEmpty()) {
        event->acceptProposedAction();
    }
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QString path = droppedPath(event->mimeData());
    if (path.isEmpty()) {
        return;
    }
    event->acceptProposedAction();
    if (QFileInfo(path).isDir()) {
        openDataset(path);
    } else {
        openProject(path);
    }
}

void MainWindow::showPage(Page page)
{
    m_navigation->setCurrentRow(page);
}

MainWindow::Page MainWindow::currentPage() const
{
    return Page(m_pages->currentIndex());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_trainPage->isTraining()) {
        const auto answer = QMessageBox::question(
            this, tr("Training Is Running"),
            tr("A training is running. Stop it and close? A checkpoint is saved, so the run can "
               "be resumed later from the Train page."),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_trainPage->stopAndWait();
    }
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

} // namespace studio
