#include "mainwindow.h"

#include "common/version.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

#include <thread>

// studio_ui is a static library: its resources are registered explicitly.
static void initUiResources()
{
    Q_INIT_RESOURCE(studio);
}

namespace studio {

namespace {

// A page whose engine part has not landed yet: says so plainly, offers nothing that pretends.
QWidget* makePendingPage(const QString& title, const QString& explanation)
{
    auto* page = new QWidget;
    auto* layout = new QVBoxLayout(page);
    auto* heading = new QLabel(QStringLiteral("<h2>%1</h2>").arg(title.toHtmlEscaped()));
    auto* text = new QLabel(explanation);
    text->setWordWrap(true);
    auto* pending = new QLabel(QObject::tr("Not yet available in this version."));
    pending->setObjectName(QStringLiteral("pendingNote"));
    layout->addWidget(heading);
    layout->addWidget(text);
    layout->addWidget(pending);
    layout->addStretch(1);
    return page;
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    initUiResources();
    setWindowTitle(QString::fromLatin1(kProductName));
    setWindowIcon(QIcon(QStringLiteral(":/icons/classifier-studio.svg")));
    buildPages();
    buildMenus();
    statusBar()->showMessage(tr("CPU, %1 cores").arg(std::thread::hardware_concurrency()));

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    if (!settings.contains(QStringLiteral("window/geometry"))) {
        resize(1100, 720);
    }
}

MainWindow::~MainWindow() = default;

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

    auto* dataPage = new QWidget;
    auto* dataLayout = new QVBoxLayout(dataPage);
    dataLayout->addWidget(new QLabel(QStringLiteral("<h2>%1</h2>").arg(tr("Data"))));
    m_datasetLabel = new QLabel(tr("No dataset open. Choose a folder with one sub-folder per "
                                   "class (optionally inside train/, validation/ and test/)."));
    m_datasetLabel->setObjectName(QStringLiteral("datasetLabel"));
    m_datasetLabel->setWordWrap(true);
    m_datasetLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    dataLayout->addWidget(m_datasetLabel);
    dataLayout->addStretch(1);

    const QVector<QPair<QString, QWidget*>> pages = {
        {tr("Data"), dataPage},
        {tr("Model"), makePendingPage(tr("Model"), tr("Build the network layer by layer and see "
                                                      "each layer's output shape and parameter "
                                                      "count, as in Keras model.summary()."))},
        {tr("Train"), makePendingPage(tr("Train"), tr("Set the learning rate, batch size and "
                                                      "epochs, then watch the loss and accuracy "
                                                      "curves as the network learns."))},
        {tr("Evaluate"), makePendingPage(tr("Evaluate"), tr("See the confusion matrix of the "
                                                            "test images and the images the "
                                                            "model gets wrong."))},
        {tr("Classify"), makePendingPage(tr("Classify"), tr("Drop images onto the window to "
                                                            "classify them, and export the "
                                                            "model."))},
    };
    for (const auto& [name, widget] : pages) {
        m_navigation->addItem(name);
        m_pages->addWidget(widget);
    }
    connect(m_navigation, &QListWidget::currentRowChanged, m_pages,
            &QStackedWidget::setCurrentIndex);
    m_navigation->setCurrentRow(DataPage);
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("Open &Dataset Folder..."));
    open->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(open, &QAction::triggered, this, &MainWindow::chooseDatasetFolder);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    const QStringList names = {tr("Data"), tr("Model"), tr("Train"), tr("Evaluate"),
                               tr("Classify")};
    for (int i = 0; i < names.size(); ++i) {
        QAction* action = view->addAction(names[i]);
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        connect(action, &QAction::triggered, this, [this, i] { showPage(Page(i)); });
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* about = help->addAction(tr("&About"));
    connect(about, &QAction::triggered, this, [this] {
        QMessageBox::about(
            this, tr("About %1").arg(QString::fromLatin1(kProductName)),
            tr("<b>%1</b> %2<br>Train image classifiers from folders of images.")
                .arg(QString::fromLatin1(kProductName), QString::fromLatin1(kVersion)));
    });
}

void MainWindow::chooseDatasetFolder()
{
    const QString folder =
        QFileDialog::getExistingDirectory(this, tr("Open Dataset Folder"), m_datasetFolder);
    if (!folder.isEmpty()) {
        openDataset(folder);
    }
}

void MainWindow::openDataset(const QString& folder)
{
    const QDir dir(folder);
    if (!dir.exists()) {
        m_datasetLabel->setText(tr("The folder '%1' does not exist. Choose another folder.")
                                    .arg(QDir::toNativeSeparators(folder)));
        return;
    }
    m_datasetFolder = dir.absolutePath();
    m_datasetLabel->setText(
        tr("Dataset folder: %1").arg(QDir::toNativeSeparators(m_datasetFolder)));
    showPage(DataPage);
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
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

} // namespace studio
