#include "runspage.h"

#include "backgroundrunner.h"
#include "qcustomplotwrapper.h"
#include "reportcharts.h"
#include "runsmodel.h"
#include "theme.h"

#include "runs/runcatalog.h"
#include "runs/runcomparison.h"

#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QTreeView>
#include <QVBoxLayout>

namespace studio {

namespace {

const QString kAddedFoldersKey = QStringLiteral("runs/addedFolders");

// The listing of every folder: the runs, and a message per folder that could not be read.
struct RunListing
{
    QVector<RunSummary> runs;
    QStringList errors;
};

RunListing listFolders(const QStringList& folders, const BackgroundJob& job)
{
    RunListing listing;
    QStringList seen;
    for (const QString& folder : folders) {
        if (job.cancelled()) {
            break;
        }
        if (!QFileInfo(folder).isDir()) {
            listing.errors << QObject::tr("%1 is not a folder (any more).").arg(folder);
            continue;
        }
        for (const RunSummary& run : listRuns(folder)) {
            if (!seen.contains(run.path)) {
                seen << run.path;
                listing.runs << run;
            }
        }
    }
    return listing;
}

QCustomPlot* makeCurvePlot(const QString& title, const QString& metric, QWidget* parent)
{
    auto* plot = new QCustomPlot(parent);
    plot->setMinimumSize(260, 200);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title));
    plot->xAxis->setLabel(QObject::tr("epoch"));
    QSharedPointer<QCPAxisTickerFixed> epochs(new QCPAxisTickerFixed);
    epochs->setTickStep(1); // whole epochs; more of them as the runs get longer
    epochs->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    plot->xAxis->setTicker(epochs);
    plot->yAxis->setLabel(metric);
    plot->legend->setVisible(true);
    plot->legend->setFont(parent->font());
    plot->axisRect()->insetLayout()->setInsetAlignment(0, metric.contains(QLatin1String("acc"))
                                                              ? Qt::AlignBottom | Qt::AlignRight
                                                              : Qt::AlignTop | Qt::AlignRight);
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    followPalette(plot);
    return plot;
}

// Adds a run's training (dashed) and validation (solid) curve of one metric to `plot`.
void addRunCurves(QCustomPlot* plot, const QString& name, const History& history, bool loss,
                  const QColor& color)
{
    QCPGraph* training = plot->addGraph();
    QCPGraph* validation = plot->addGraph();
    training->setName(name + QObject::tr(" (training)"));
    training->removeFromLegend(); // one legend entry per run; the title says which line is which
    validation->setName(name);
    training->setPen(QPen(color, 1.5, Qt::DashLine));
    validation->setPen(QPen(color, 2));
    validation->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
    for (const EpochRecord& record : history.epochs()) {
        const double x = record.epoch + 1;
        const EpochMetrics& m = record.metrics;
        training->addData(x, loss ? m.loss : m.accuracy);
        validation->addData(x, loss ? m.valLoss : m.valAccuracy);
    }
}

} // namespace

// What the selection shows: each run's curves (or why not), and the comparison of two.
struct RunsSelectionDetails
{
    struct Curves
    {
        QString name;
        History history;
    };
    QVector<Curves> curves;
    QStringList problems;
    QString comparison;
};

namespace {

QString compareTwo(const QString& a, const QString& b)
{
    QStringList lines;
    const Result<McNemarResult> test = mcnemarTestOfRuns(a, b);
    lines << (test ? QObject::tr("Is the difference more than chance (A: %1, B: %2)? %3")
                         .arg(QFileInfo(a).fileName(), QFileInfo(b).fileName(),
                              describeMcNemar(*test))
                   : QObject::tr("McNemar's test: %1").arg(test.error()));
    const Result<QVector<SettingChange>> changes = diffRunProjects(a, b);
    lines << (changes ? QObject::tr("Settings that differ (project.json): %1")
                            .arg(describeChanges(*changes))
                      : QObject::tr("Settings: %1").arg(changes.error()));
    return lines.join(QLatin1Char('\n'));
}

RunsSelectionDetails readDetails(const QStringList& paths, const BackgroundJob& job)
{
    RunsSelectionDetails details;
    for (const QString& path : paths) {
        if (job.cancelled()) {
            return details;
        }
        Result<History> history = loadRunHistory(path);
        if (history) {
            details.curves.push_back({QFileInfo(path).fileName(), std::move(*history)});
        } else {
            details.problems << QObject::tr("No curves for %1: %2")
                                    .arg(QFileInfo(path).fileName(), history.error());
        }
    }
    if (paths.size() == 2) {
        details.comparison = compareTwo(paths[0], paths[1]);
    }
    return details;
}

} // namespace

RunsPage::RunsPage(QWidget* parent)
    : QWidget(parent), m_runner(new BackgroundRunner(QStringLiteral("runs"), this)),
      m_model(new RunsModel(this)), m_sortModel(new RunsSortModel(this))
{
    m_addedFolders = QSettings().value(kAddedFoldersKey).toStringList();
    m_sortModel->setSourceModel(m_model);
    m_confirm = [this](const QString& question) {
        return QMessageBox::question(this, tr("Runs"), question) == QMessageBox::Yes;
    };
    auto* layout = new QVBoxLayout(this);
    buildFolderBar();
    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("runsView"));
    m_view->setModel(m_sortModel);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(int(RunColumn::Started), Qt::DescendingOrder);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->setUniformRowHeights(true);
    m_view->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->header()->setStretchLastSection(true);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &RunsPage::selectionChanged);
    connect(m_view, &QTreeView::doubleClicked, this, &RunsPage::openSelected);
    buildActions();

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_view);
    splitter->addWidget(buildDetails());
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    layout->addWidget(splitter, 1);
    updateActions();
}

RunsPage::~RunsPage() = default;

void RunsPage::buildFolderBar()
{
    auto* bar = new QHBoxLayout;
    m_folderList = new QListWidget(this);
    m_folderList->setObjectName(QStringLiteral("runsFolders"));
    m_folderList->setMaximumHeight(64);
    m_folderList->setToolTip(tr("The folders whose runs are listed: the runs folder of the Train "
                                "page, and folders you add."));
    auto* buttons = new QVBoxLayout;
    auto* add = new QPushButton(tr("Add Folder..."), this);
    m_removeFolderButton = new QPushButton(tr("Remove Folder"), this);
    auto* refreshButton = new QPushButton(tr("Refresh"), this);
    refreshButton->setObjectName(QStringLiteral("refreshRuns"));
    connect(add, &QPushButton::clicked, this, &RunsPage::chooseFolderToAdd);
    connect(m_removeFolderButton, &QPushButton::clicked, this, [this] {
        const QListWidgetItem* item = m_folderList->currentItem();
        if (item != nullptr) {
            removeFolder(item->text());
        }
    });
    connect(refreshButton, &QPushButton::clicked, this, &RunsPage::refresh);
    connect(m_folderList, &QListWidget::currentRowChanged, this,
            [this](int row) { m_removeFolderButton->setEnabled(row > 0); });
    m_removeFolderButton->setEnabled(false);
    buttons->addWidget(add);
    buttons->addWidget(m_removeFolderButton);
    auto* right = new QVBoxLayout;
    right->addWidget(refreshButton);
    m_listStatus = new QLabel(this);
    m_listStatus->setWordWrap(true);
    right->addWidget(m_listStatus);
    bar->addWidget(m_folderList, 1);
    bar->addLayout(buttons);
    bar->addLayout(right, 1);
    static_cast<QVBoxLayout*>(layout())->addLayout(bar);
}

void RunsPage::buildActions()
{
    auto* bar = new QHBoxLayout;
    m_openButton = new QPushButton(tr("Open"), this);
    m_openButton->setObjectName(QStringLiteral("openRun"));
    m_openButton->setToolTip(tr("Show the run's test evaluation on the Evaluate page."));
    m_noteButton = new QPushButton(tr("Note..."), this);
    m_noteButton->setObjectName(QStringLiteral("noteRun"));
    m_noteButton->setToolTip(tr("A note kept with the run, in its folder's note.txt."));
    m_trashButton = new QPushButton(tr("Move to Trash"), this);
    m_trashButton->setObjectName(QStringLiteral("trashRun"));
    connect(m_openButton, &QPushButton::clicked, this, &RunsPage::openSelected);
    connect(m_noteButton, &QPushButton::clicked, this, &RunsPage::editNoteOfSelected);
    connect(m_trashButton, &QPushButton::clicked, this, &RunsPage::trashSelected);
    auto* hint =
        new QLabel(tr("Select several runs to overlay their curves; two to compare them."), this);
    bar->addWidget(m_openButton);
    bar->addWidget(m_noteButton);
    bar->addWidget(m_trashButton);
    bar->addWidget(hint, 1);
    static_cast<QVBoxLayout*>(layout())->addLayout(bar);
}

QWidget* RunsPage::buildDetails()
{
    auto* details = new QWidget(this);
    auto* layout = new QVBoxLayout(details);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* charts = new QHBoxLayout;
    m_lossPlot = makeCurvePlot(tr("Loss (dashed: training, solid: validation)"),
                               QStringLiteral("loss"), details);
    m_accuracyPlot = makeCurvePlot(tr("Accuracy (dashed: training, solid: validation)"),
                                   QStringLiteral("accuracy"), details);
    charts->addWidget(m_lossPlot);
    charts->addWidget(m_accuracyPlot);
    layout->addLayout(charts, 1);
    m_comparison = new QLabel(details);
    m_comparison->setObjectName(QStringLiteral("runsComparison"));
    m_comparison->setWordWrap(true);
    m_comparison->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_comparison);
    return details;
}

void RunsPage::setRunsFolder(const QString& folder)
{
    if (QDir::cleanPath(folder) == QDir::cleanPath(m_runsFolder) && !m_runsFolder.isEmpty()) {
        return;
    }
    m_runsFolder = folder;
    refresh();
}

QStringList RunsPage::folders() const
{
    QStringList all;
    if (!m_runsFolder.isEmpty()) {
        all << m_runsFolder;
    }
    for (const QString& folder : m_addedFolders) {
        if (QDir::cleanPath(folder) != QDir::cleanPath(m_runsFolder)) {
            all << folder;
        }
    }
    return all;
}

void RunsPage::addFolder(const QString& folder)
{
    if (folder.isEmpty() || folders().contains(QDir::cleanPath(folder))) {
        return;
    }
    m_addedFolders << QDir::cleanPath(folder);
    saveFolders();
    refresh();
}

void RunsPage::removeFolder(const QString& folder)
{
    if (m_addedFolders.removeAll(folder) > 0) {
        saveFolders();
        refresh();
    }
}

void RunsPage::saveFolders() const
{
    QSettings().setValue(kAddedFoldersKey, m_addedFolders);
}

void RunsPage::chooseFolderToAdd()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Add a Folder of Runs"));
    addFolder(folder);
}

void RunsPage::refresh()
{
    m_folderList->clear();
    m_folderList->addItems(folders());
    if (m_folderList->count() > 0) {
        m_folderList->item(0)->setToolTip(tr("The runs folder of the Train page"));
    }
    if (!m_model->runs().isEmpty()) {
        m_pendingSelection = selectedRuns();
    }
    m_runner->cancel(m_listRequest);
    m_listStatus->setText(tr("Reading the run folders..."));
    m_listRequest = m_runner->run(
        [folders = folders()](const BackgroundJob& job) { return listFolders(folders, job); },
        [this](const RunListing& listing) { showRuns(listing.runs, listing.errors); });
}

void RunsPage::showRuns(const QVector<RunSummary>& runs, const QStringList& errors)
{
    m_model->setRuns(runs);
    QString status = tr("%n run(s)", nullptr, int(runs.size()));
    if (!errors.isEmpty()) {
        status += QStringLiteral("\n") + errors.join(QLatin1Char('\n'));
    }
    m_listStatus->setText(status);
    selectRuns(m_pendingSelection);
    m_pendingSelection.clear();
    Q_EMIT runsListed();
}

void RunsPage::selectRuns(const QStringList& paths)
{
    QItemSelection selection;
    for (const QString& path : paths) {
        const QModelIndex index = m_sortModel->mapFromSource(m_model->indexOfPath(path));
        if (index.isValid()) {
            if (index.parent().isValid()) {
                m_view->expand(index.parent());
            }
            selection.select(index, index.siblingAtColumn(m_sortModel->columnCount() - 1));
        }
    }
    m_view->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    if (!selection.isEmpty()) {
        m_view->selectionModel()->setCurrentIndex(selection.indexes().first(),
                                                  QItemSelectionModel::NoUpdate);
    }
    selectionChanged(); // also when nothing changed: the details follow the new files
}

QStringList RunsPage::selectedRuns() const
{
    QStringList paths;
    QModelIndexList rows = m_view->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [this](const QModelIndex& a, const QModelIndex& b) {
        return m_view->visualRect(a).top() < m_view->visualRect(b).top();
    });
    for (const QModelIndex& row : rows) {
        paths << row.data(RunsModel::kPathRole).toString();
    }
    return paths;
}

void RunsPage::selectionChanged()
{
    updateActions();
    const QStringList paths = selectedRuns();
    m_runner->cancel(m_detailsRequest);
    m_detailsRequest =
        m_runner->run([paths](const BackgroundJob& job) { return readDetails(paths, job); },
                      [this](const RunsSelectionDetails& details) { showDetails(details); });
}

void RunsPage::showDetails(const RunsSelectionDetails& details)
{
    for (QCustomPlot* plot : {m_lossPlot, m_accuracyPlot}) {
        plot->clearGraphs();
    }
    for (int i = 0; i < details.curves.size(); ++i) {
        const QColor color = seriesColor(i);
        addRunCurves(m_lossPlot, details.curves[i].name, details.curves[i].history, true, color);
        addRunCurves(m_accuracyPlot, details.curves[i].name, details.curves[i].history, false,
                     color);
    }
    for (QCustomPlot* plot : {m_lossPlot, m_accuracyPlot}) {
        plot->legend->setVisible(plot->graphCount() > 0);
        plot->rescaleAxes();
        plot->xAxis->scaleRange(1.1, plot->xAxis->range().center());
        plot->yAxis->scaleRange(1.1, plot->yAxis->range().center());
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
    QStringList lines = details.problems;
    if (!details.comparison.isEmpty()) {
        lines << details.comparison;
    } else if (details.curves.size() + details.problems.size() != 2) {
        lines << tr("Select two runs to compare them: McNemar's test on their test images and "
                    "the settings that differ.");
    }
    m_comparison->setText(lines.join(QLatin1Char('\n')));
    Q_EMIT selectionShown();
}

QString RunsPage::comparisonText() const
{
    return m_comparison->text();
}

const RunSummary* RunsPage::currentRun() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.size() != 1) {
        return nullptr;
    }
    return m_model->run(m_sortModel->mapToSource(rows.first()));
}

void RunsPage::updateActions()
{
    const bool one = currentRun() != nullptr;
    m_openButton->setEnabled(one);
    m_noteButton->setEnabled(one);
    m_trashButton->setEnabled(one);
}

void RunsPage::openSelected()
{
    if (const RunSummary* run = currentRun()) {
        Q_EMIT openRequested(run->path, run->crossValidation);
    }
}

void RunsPage::editNoteOfSelected()
{
    const RunSummary* run = currentRun();
    if (run == nullptr) {
        return;
    }
    bool ok = false;
    const QString note = QInputDialog::getMultiLineText(
        this, tr("Note"), tr("A note on %1 (kept in its folder, note.txt):").arg(run->name),
        run->note, &ok);
    if (ok) {
        setNote(run->path, note);
    }
}

bool RunsPage::setNote(const QString& runDir, const QString& note)
{
    const Status written = setRunNote(runDir, note);
    if (!written) {
        showError(tr("Note"), written.error());
        return false;
    }
    const QModelIndex index = m_model->indexOfPath(runDir);
    if (const RunSummary* run = m_model->run(index)) {
        RunSummary updated = *run;
        updated.note = runNote(runDir);
        m_model->updateRun(updated);
    }
    return true;
}

void RunsPage::trashSelected()
{
    if (const RunSummary* run = currentRun()) {
        moveToTrash(run->path);
    }
}

bool RunsPage::moveToTrash(const QString& runDir)
{
    if (!m_confirm(tr("Move %1 to the trash?\n%2").arg(QFileInfo(runDir).fileName(), runDir))) {
        return false;
    }
    const Status moved = moveRunToTrash(runDir);
    if (!moved) {
        showError(tr("Move to Trash"), moved.error());
        return false;
    }
    refresh();
    return true;
}

void RunsPage::showError(const QString& title, const QString& message)
{
    if (m_errorSink) {
        m_errorSink(title, message);
    } else {
        QMessageBox::warning(this, title, message);
    }
}

} // namespace studio
