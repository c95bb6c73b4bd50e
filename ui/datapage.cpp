#include "datapage.h"

#include "augmentationform.h"
#include "backgroundrunner.h"
#include "channelview.h"
#include "classbalancechart.h"
#include "classcountsmodel.h"
#include "dataset/inputproposal.h"
#include "dataset/inputspec.h"
#include "datasetjobs.h"
#include "datasetsettingsform.h"
#include "projectdocument.h"
#include "recentfiles.h"
#include "settingwidgets.h"
#include "welcomepanel.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

namespace studio {

namespace {

constexpr int kThumbnailSide = 72;
constexpr int kPreviewSide = 96;
constexpr int kPreviewColumns = 2; // augmentation previews per row
// The augmentation form scrolls sideways below this width (its own is about 440 px): with the
// dataset settings beside it, the Data page then fits a 1366 px wide screen.
constexpr int kNarrowestAugmentationForm = 240;
constexpr int kPathRole = Qt::UserRole + 1;

// Split mode of a folder: Folders when it has a train/validation/test sub-folder.
SplitMode layoutOf(const QString& folder)
{
    static const QStringList splitNames = {QStringLiteral("train"), QStringLiteral("validation"),
                                           QStringLiteral("val"), QStringLiteral("valid"),
                                           QStringLiteral("test")};
    const QStringList dirs = QDir(folder).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString& dir : dirs) {
        if (splitNames.contains(dir.toLower())) {
            return SplitMode::Folders;
        }
    }
    return SplitMode::Auto;
}

QPixmap previewPixmap(const QImage& image)
{
    if (image.isNull()) {
        return {};
    }
    const Qt::TransformationMode mode =
        image.width() < kPreviewSide ? Qt::FastTransformation : Qt::SmoothTransformation;
    return QPixmap::fromImage(image.scaled(kPreviewSide, kPreviewSide, Qt::KeepAspectRatio, mode));
}

} // namespace

DataPage::DataPage(ProjectDocument* document, RecentFiles* recentFolders, QWidget* parent)
    : QWidget(parent), m_document(document), m_recentFolders(recentFolders),
      m_scanRunner(new BackgroundRunner(QStringLiteral("dataset scan"), this)),
      m_imageRunner(new BackgroundRunner(QStringLiteral("dataset images"), this))
{
    setObjectName(QStringLiteral("dataPage"));
    m_scanTimer = new QTimer(this);
    m_scanTimer->setSingleShot(true);
    m_scanTimer->setInterval(200);
    connect(m_scanTimer, &QTimer::timeout, this, &DataPage::startScan);
    m_previewTimer = new QTimer(this);
    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(120);
    connect(m_previewTimer, &QTimer::timeout, this, &DataPage::startPreview);

    buildUi();

    connect(m_document, &ProjectDocument::projectChanged, this, &DataPage::syncFromDocument);
    syncFromDocument();
}

DataPage::~DataPage()
{
    // Cancel and wait for the jobs before the widgets their results go to are destroyed.
    delete m_scanRunner;
    delete m_imageRunner;
}

void DataPage::buildUi()
{
    auto* layout = new QVBoxLayout(this);
    m_welcome = new WelcomePanel;
    m_welcome->hide();
    connect(m_welcome, &WelcomePanel::exampleRequested, this, &DataPage::openExampleDataset);
    connect(m_welcome, &WelcomePanel::folderRequested, this, &DataPage::chooseFolder);
    connect(m_welcome, &WelcomePanel::projectRequested, this, &DataPage::projectRequested);
    layout->addWidget(m_welcome);

    auto* folderRow = new QHBoxLayout;
    m_folderLabel = new QLabel;
    m_folderLabel->setObjectName(QStringLiteral("datasetLabel"));
    m_folderLabel->setWordWrap(true);
    m_folderLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* chooseButton = new QPushButton(tr("Choose Folder..."));
    chooseButton->setToolTip(
        tr("A folder with train/, validation/ and test/ folders, each holding one sub-folder of "
           "images per class; or a single folder of class folders, which is split for you. "
           "You can also drop a folder onto the window."));
    connect(chooseButton, &QPushButton::clicked, this, &DataPage::chooseFolder);
    m_recentButton = new QToolButton;
    m_recentButton->setText(tr("Recent"));
    m_recentButton->setPopupMode(QToolButton::InstantPopup);
    m_recentButton->setToolTip(tr("Dataset folders opened before."));
    auto* recentMenu = new QMenu(m_recentButton);
    m_recentButton->setMenu(recentMenu);
    if (m_recentFolders) {
        m_recentFolders->attachMenu(recentMenu);
        connect(m_recentFolders, &RecentFiles::chosen, this, &DataPage::openFolder);
    } else {
        m_recentButton->setEnabled(false);
    }
    m_rescanButton = new QPushButton(tr("Rescan"));
    m_rescanButton->setToolTip(tr("Read the folder again after adding or removing images."));
    connect(m_rescanButton, &QPushButton::clicked, this, &DataPage::rescan);
    folderRow->addWidget(m_folderLabel, 1);
    folderRow->addWidget(chooseButton);
    folderRow->addWidget(m_recentButton);
    folderRow->addWidget(m_rescanButton);
    layout->addLayout(folderRow);

    auto* statusRow = new QHBoxLayout;
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("scanStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("scanProgress"));
    m_progress->setMaximumWidth(240);
    m_progress->hide();
    m_cancelButton = new QPushButton(tr("Cancel"));
    m_cancelButton->hide();
    connect(m_cancelButton, &QPushButton::clicked, this, [this] {
        cancelScan();
        m_scannedKey.clear();
        setStatus(tr("Scan cancelled. Press Rescan to scan the folder."), false);
    });
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_progress);
    statusRow->addWidget(m_cancelButton);
    layout->addLayout(statusRow);

    auto* splitter = new QSplitter(Qt::Horizontal);
    m_settingsForm = new DatasetSettingsForm;
    connect(m_settingsForm, &DatasetSettingsForm::edited, this, [this](const QString& key) {
        const QString path = QStringLiteral("dataset.") + key;
        m_document->setDataset(m_settingsForm->apply(m_document->project().dataset),
                               tr("Change %1").arg(settingLabel(path)), path);
    });
    auto* settingsScroll = new QScrollArea;
    settingsScroll->setWidget(m_settingsForm);
    settingsScroll->setWidgetResizable(true);
    settingsScroll->setFrameShape(QFrame::NoFrame);
    settingsScroll->setMinimumWidth(m_settingsForm->sizeHint().width() + 24);
    splitter->addWidget(settingsScroll);

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("dataTabs"));
    m_tabs->addTab(buildCountsTab(), tr("Counts"));

    m_warnings = new QListWidget;
    m_warnings->setObjectName(QStringLiteral("warningsList"));
    m_warnings->setWordWrap(true);
    m_warnings->setToolTip(tr("Files that were not used and other remarks on the folder. "
                              "Double-click a file to open its folder."));
    connect(m_warnings, &QListWidget::itemActivated, this, &DataPage::revealItem);
    m_tabs->addTab(m_warnings, tr("Warnings"));

    auto* thumbTab = new QWidget;
    auto* thumbLayout = new QVBoxLayout(thumbTab);
    m_classBox = new QComboBox;
    m_classBox->setObjectName(QStringLiteral("thumbnailClass"));
    m_classBox->setToolTip(tr("The class whose images are shown."));
    connect(m_classBox, &QComboBox::activated, this, &DataPage::showClass);
    m_thumbnails = new QListWidget;
    m_thumbnails->setObjectName(QStringLiteral("thumbnailList"));
    m_thumbnails->setViewMode(QListView::IconMode);
    m_thumbnails->setIconSize(QSize(kThumbnailSide, kThumbnailSide));
    m_thumbnails->setResizeMode(QListView::Adjust);
    m_thumbnails->setMovement(QListView::Static);
    m_thumbnails->setUniformItemSizes(true);
    m_thumbnails->setToolTip(tr("Double-click an image to use it for the augmentation "
                                "preview."));
    connect(m_thumbnails, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        m_sample = item->data(kPathRole).toString();
        m_tabs->setCurrentIndex(3);
        schedulePreview();
    });
    thumbLayout->addWidget(m_classBox);
    thumbLayout->addWidget(m_thumbnails, 1);
    m_tabs->addTab(thumbTab, tr("Thumbnails"));
    m_tabs->addTab(buildAugmentationTab(), tr("Augmentation"));
    m_tabs->addTab(buildChannelTab(), tr("Channels"));

    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(1, 1);
    layout->addWidget(splitter, 1);
}

QWidget* DataPage::buildChannelTab()
{
    m_channelView = new ChannelView;
    m_channelView->setToolTip(tr("The channels of the sample image (double-click a thumbnail to "
                                 "choose it), each with its histograms before and after "
                                 "normalisation; tick the channels the network sees."));
    connect(m_channelView, &ChannelView::channelsPicked, this, [this] {
        m_document->setDataset(
            withChannelList(m_document->project().dataset, m_channelView->pickedChannels()),
            tr("Choose the channels the network sees"));
    });
    return m_channelView;
}

QWidget* DataPage::buildCountsTab()
{
    auto* splitter = new QSplitter(Qt::Vertical);
    m_counts = new ClassCountsModel(this);
    m_countsView = new QTableView;
    m_countsView->setObjectName(QStringLiteral("countsTable"));
    m_countsView->setModel(m_counts);
    m_countsView->verticalHeader()->hide();
    m_countsView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_countsView->horizontalHeader()->setStretchLastSection(true);
    m_countsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_countsView->setToolTip(tr("Images per class in each split. About 80 % of the images "
                                "should be for training, 10 % for validation and 10 % for "
                                "the test."));
    connect(m_countsView, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        if (index.row() < m_counts->classes().size()) {
            showClass(index.row());
            m_tabs->setCurrentIndex(2);
        }
    });
    m_chart = new ClassBalanceChart;
    splitter->addWidget(m_countsView);
    splitter->addWidget(m_chart);
    return splitter;
}

QWidget* DataPage::buildAugmentationTab()
{
    auto* tab = new QSplitter(Qt::Horizontal);
    m_augmentationForm = new AugmentationForm;
    m_augmentationForm->setObjectName(QStringLiteral("augmentationForm"));
    connect(m_augmentationForm, &AugmentationForm::edited, this,
            [this](const AugmentationSettings& settings, const QString& key) {
                const QString path = QStringLiteral("augmentation.") + key;
                m_document->setAugmentation(settings, tr("Change %1").arg(settingLabel(path)),
                                            path);
            });
    auto* formScroll = new QScrollArea;
    formScroll->setWidget(m_augmentationForm);
    formScroll->setWidgetResizable(true);
    formScroll->setFrameShape(QFrame::NoFrame);
    // Its full width when there is room; on a narrow screen it scrolls sideways instead of
    // widening the window past the screen.
    formScroll->setMinimumWidth(
        std::min(m_augmentationForm->sizeHint().width() + 24, kNarrowestAugmentationForm));
    tab->addWidget(formScroll);

    auto* preview = new QWidget;
    auto* previewLayout = new QVBoxLayout(preview);
    auto* grid = new QGridLayout;
    m_originalLabel = new QLabel;
    m_originalLabel->setFixedSize(kPreviewSide, kPreviewSide);
    m_originalLabel->setAlignment(Qt::AlignCenter);
    m_originalLabel->setToolTip(tr("The sample image as the network receives it, before "
                                   "augmentation."));
    grid->addWidget(new QLabel(tr("Original")), 0, 0);
    grid->addWidget(m_originalLabel, 1, 0);
    for (int i = 0; i < kPreviewCount; ++i) {
        auto* label = new QLabel;
        label->setObjectName(QStringLiteral("preview%1").arg(i));
        label->setFixedSize(kPreviewSide, kPreviewSide);
        label->setAlignment(Qt::AlignCenter);
        label->setFrameShape(QFrame::StyledPanel);
        label->setToolTip(tr("One random augmentation of the sample, as training would see "
                             "it. Augmented images need not look realistic, but the object "
                             "should stay recognisable."));
        grid->addWidget(label, 2 + i / kPreviewColumns, i % kPreviewColumns);
        m_previewLabels.append(label);
    }
    previewLayout->addLayout(grid);
    auto* buttons = new QHBoxLayout;
    auto* reroll = new QPushButton(tr("Re-roll"));
    reroll->setObjectName(QStringLiteral("rerollButton"));
    reroll->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    reroll->setToolTip(tr("Draw eight new random augmentations (Ctrl+R)."));
    connect(reroll, &QPushButton::clicked, this, &DataPage::rerollPreview);
    m_previewStatus = new QLabel;
    m_previewStatus->setWordWrap(true);
    buttons->addWidget(reroll);
    buttons->addWidget(m_previewStatus, 1);
    previewLayout->addLayout(buttons);
    previewLayout->addStretch(1);
    // Two columns, scrolled (at least one in view), so that the previews never make the window
    // wider than a laptop's screen.
    auto* previewScroll = new QScrollArea;
    previewScroll->setWidget(preview);
    previewScroll->setWidgetResizable(true);
    previewScroll->setFrameShape(QFrame::NoFrame);
    previewScroll->setMinimumWidth(kPreviewSide + 2 * previewLayout->contentsMargins().left() +
                                   previewScroll->verticalScrollBar()->sizeHint().width());
    tab->addWidget(previewScroll);
    tab->setStretchFactor(1, 1);
    return tab;
}

QString DataPage::exampleDatasetFolder()
{
    const QString configured = qEnvironmentVariable("STUDIO_EXAMPLE_DATASET");
    return configured.isEmpty()
               ? QDir::home().filePath(QStringLiteral("ClassifierStudio/fashion-mnist"))
               : configured;
}

void DataPage::openExampleDataset()
{
    const QString folder = exampleDatasetFolder();
    if (QFileInfo(QDir(folder).filePath(QStringLiteral("train"))).isDir()) {
        openFolder(folder);
        return;
    }
    cancelScan();
    showScanStarted(tr("Writing the example dataset (Fashion-MNIST, 70,000 images) to %1 ...")
                        .arg(QDir::toNativeSeparators(folder)));
    m_scanRequest = m_scanRunner->run(
        [this, folder](const BackgroundJob& job) {
            return writeExampleJob(folder, job,
                                   throttledProgress(job, [this](qint64 done, qint64 total) {
                                       onProgress(done, total);
                                   }));
        },
        [this, folder](const Status& written) {
            if (!written) {
                onScanFailed(written.error());
                return;
            }
            cancelScan();
            openFolder(folder);
        });
}

void DataPage::showScanStarted(const QString& status)
{
    m_scanning = true;
    m_progress->setRange(0, 0);
    m_progress->show();
    m_cancelButton->show();
    setStatus(status, false);
}

void DataPage::setWelcomeVisible(bool visible)
{
    m_welcome->setVisible(visible);
}

bool DataPage::isWelcomeVisible() const
{
    return !m_welcome->isHidden();
}

void DataPage::chooseFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open Dataset Folder"),
                                                             m_document->project().dataset.root);
    if (!folder.isEmpty()) {
        openFolder(folder);
    }
}

void DataPage::openFolder(const QString& folder)
{
    const QFileInfo info(folder);
    if (!info.isDir()) {
        setStatus(tr("The folder '%1' does not exist. Choose another folder.")
                      .arg(QDir::toNativeSeparators(folder)),
                  true);
        return;
    }
    DatasetSettings settings = m_document->project().dataset;
    const QString root = info.absoluteFilePath();
    if (QFileInfo(settings.root) == info) {
        rescan();
        return;
    }
    settings.root = root;
    settings.splitMode = layoutOf(root);
    m_proposeForRoot = root;
    m_proposalReasons.clear();
    m_document->setDataset(settings, tr("Open dataset folder"));
}

void DataPage::proposeInputSettingsFor(const DatasetIndex& index)
{
    if (m_proposeForRoot.isEmpty() || QFileInfo(index.root) != QFileInfo(m_proposeForRoot)) {
        return;
    }
    m_proposeForRoot.clear();
    const InputProposal proposal = proposeInputSettings(index, m_document->project().dataset);
    m_proposalReasons = proposal.reasons();
    if (proposal.settings != m_document->project().dataset) {
        m_document->setDataset(proposal.settings,
                               tr("Use the proposed channels and brightness normalisation"));
    }
}

void DataPage::rescan()
{
    m_scannedKey.clear();
    scheduleScanIfNeeded();
}

QString DataPage::statusText() const
{
    return m_status->text();
}

QString DataPage::scanKey(const DatasetSettings& s) const
{
    return QStringLiteral("%1|%2|%3|%4|%5|%6")
        .arg(s.root)
        .arg(int(s.splitMode))
        .arg(s.trainRatio)
        .arg(s.validationRatio)
        .arg(s.testRatio)
        .arg(s.splitSeed);
}

void DataPage::syncFromDocument()
{
    const Project& project = m_document->project();
    m_folderLabel->setText(
        project.dataset.root.isEmpty()
            ? tr("No dataset folder. Choose a folder with one sub-folder per class (optionally "
                 "inside train/, validation/ and test/), or drop one onto the window.")
            : tr("Dataset folder: %1").arg(QDir::toNativeSeparators(project.dataset.root)));
    m_rescanButton->setEnabled(!project.dataset.root.isEmpty());
    m_settingsForm->setSettings(project.dataset);
    m_augmentationForm->setSettings(project.augmentation);
    scheduleScanIfNeeded();
    schedulePreview();
}

void DataPage::scheduleScanIfNeeded()
{
    const DatasetSettings& settings = m_document->project().dataset;
    if (settings.root.isEmpty()) {
        cancelScan();
        m_scannedKey.clear();
        m_counts->clear();
        m_chart->setCounts(*m_counts);
        m_warnings->clear();
        m_classBox->clear();
        m_thumbnails->clear();
        m_document->clearDatasetIndex();
        setStatus(QString(), false);
        return;
    }
    if (scanKey(settings) != m_scannedKey) {
        m_scanTimer->start();
    }
}

void DataPage::startScan()
{
    cancelScan();
    const DatasetSettings settings = m_document->project().dataset;
    if (settings.root.isEmpty()) {
        return;
    }
    m_scannedKey = scanKey(settings);
    showScanStarted(tr("Scanning %1 ...").arg(QDir::toNativeSeparators(settings.root)));
    m_scanRequest = m_scanRunner->run(
        [this, settings](const BackgroundJob& job) {
            return scanDatasetJob(settings, job,
                                  throttledProgress(job, [this](qint64 done, qint64 total) {
                                      onProgress(done, total);
                                  }));
        },
        [this](const Result<DatasetIndex>& index) {
            if (index) {
                onScanned(*index);
            } else {
                onScanFailed(index.error());
            }
        });
}

void DataPage::cancelScan()
{
    m_scanTimer->stop();
    m_scanRunner->cancel(m_scanRequest);
    m_scanning = false;
    m_progress->hide();
    m_cancelButton->hide();
}

void DataPage::onProgress(qint64 done, qint64 total)
{
    m_progress->setRange(0, int(std::min<qint64>(total, std::numeric_limits<int>::max())));
    m_progress->setValue(int(std::min<qint64>(done, std::numeric_limits<int>::max())));
    m_progress->setFormat(tr("%v of %m images"));
}

void DataPage::onScanned(const DatasetIndex& index)
{
    cancelScan();
    proposeInputSettingsFor(index);
    m_welcome->hide();
    m_counts->setIndex(index);
    m_chart->setCounts(*m_counts);
    fillWarnings(index);
    m_classBox->clear();
    m_classBox->addItems(index.classes);
    const int train = index.count(Split::Train);
    const int validation = index.count(Split::Validation);
    const int test = index.count(Split::Test);
    QString text = tr("%n class(es): %1 training, %2 validation and %3 test images.", nullptr,
                      int(index.classes.size()))
                       .arg(train)
                       .arg(validation)
                       .arg(test);
    if (!index.skipped.isEmpty() || !index.warnings.isEmpty()) {
        text += QLatin1Char(' ') + tr("%n warning(s), see Warnings.", nullptr,
                                      int(index.warnings.size() + index.skipped.size()));
    }
    setStatus(text, false);
    m_tabs->setTabText(1,
                       index.warnings.isEmpty() && index.skipped.isEmpty()
                           ? tr("Warnings")
                           : tr("Warnings (%1)").arg(index.skipped.size() + index.warnings.size()));
    if (m_recentFolders) {
        m_recentFolders->add(index.root);
    }
    m_document->setDatasetIndex(index);
    if (!index.classes.isEmpty()) {
        showClass(0);
    }
    schedulePreview();
    Q_EMIT scanFinished(true);
}

void DataPage::onScanFailed(const QString& message)
{
    cancelScan();
    m_counts->clear();
    m_chart->setCounts(*m_counts);
    m_warnings->clear();
    m_classBox->clear();
    m_thumbnails->clear();
    m_document->clearDatasetIndex();
    setStatus(message, true);
    schedulePreview();
    Q_EMIT scanFinished(false);
}

void DataPage::setStatus(const QString& text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
}

void DataPage::fillWarnings(const DatasetIndex& index)
{
    m_warnings->clear();
    const QIcon warningIcon = style()->standardIcon(QStyle::SP_MessageBoxWarning);
    const QIcon fileIcon = style()->standardIcon(QStyle::SP_FileIcon);
    const QIcon infoIcon = style()->standardIcon(QStyle::SP_MessageBoxInformation);
    for (const QString& reason : m_proposalReasons) {
        m_warnings->addItem(new QListWidgetItem(infoIcon, tr("Proposed: %1").arg(reason)));
    }
    for (const QString& warning : index.warnings) {
        m_warnings->addItem(new QListWidgetItem(warningIcon, warning));
    }
    const QDir root(index.root);
    for (const SkippedFile& file : index.skipped) {
        auto* item = new QListWidgetItem(
            fileIcon, tr("%1: %2").arg(QDir::toNativeSeparators(file.path), file.reason));
        item->setData(kPathRole, root.absoluteFilePath(file.path));
        item->setToolTip(tr("Double-click to open the folder of this file."));
        m_warnings->addItem(item);
    }
    for (const QString& stray : index.strayFiles) {
        auto* item = new QListWidgetItem(
            fileIcon, tr("%1: not inside a class folder").arg(QDir::toNativeSeparators(stray)));
        item->setData(kPathRole, root.absoluteFilePath(stray));
        m_warnings->addItem(item);
    }
}

void DataPage::revealItem(QListWidgetItem* item)
{
    const QString path = item->data(kPathRole).toString();
    if (!path.isEmpty()) {
        QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(path).absolutePath()));
    }
}

void DataPage::showClass(int label)
{
    m_imageRunner->cancel(m_thumbRequest);
    m_thumbnails->clear();
    const DatasetIndex& index = m_document->datasetIndex();
    if (!m_document->hasDatasetIndex() || label < 0 || label >= index.classes.size()) {
        return;
    }
    if (m_classBox->currentIndex() != label) {
        m_classBox->setCurrentIndex(label);
    }
    const QDir root(index.root);
    QStringList paths;
    int total = 0;
    // Items are laid out (at one size, from the first) before their icons arrive: an empty
    // icon of the full size keeps the names from squeezing every thumbnail into a strip.
    QPixmap placeholder(kThumbnailSide, kThumbnailSide);
    placeholder.fill(Qt::transparent);
    const QIcon waiting(placeholder);
    for (const DatasetItem& item : index.items) {
        if (item.label != label) {
            continue;
        }
        ++total;
        if (paths.size() < kMaxThumbnails) {
            paths.append(root.absoluteFilePath(item.path));
            auto* entry = new QListWidgetItem(waiting, QFileInfo(item.path).fileName());
            entry->setData(kPathRole, paths.last());
            entry->setToolTip(
                tr("%1 (%2)").arg(QDir::toNativeSeparators(item.path), splitName(item.split)));
            m_thumbnails->addItem(entry);
        }
    }
    m_classBox->setToolTip(
        total > paths.size()
            ? tr("The first %1 of %2 images of this class are shown.").arg(paths.size()).arg(total)
            : tr("The class whose images are shown."));
    m_thumbsPending = int(paths.size());
    m_thumbRequest = m_imageRunner->run(
        [this, paths](const BackgroundJob& job) {
            loadThumbnailsJob(
                paths, kThumbnailSide, job,
                [this](int position, const QImage& image) { onThumbnail(position, image); });
        },
        [] {});
}

void DataPage::onThumbnail(int position, const QImage& image)
{
    if (position >= m_thumbnails->count()) {
        return;
    }
    QListWidgetItem* item = m_thumbnails->item(position);
    if (image.isNull()) {
        item->setIcon(style()->standardIcon(QStyle::SP_MessageBoxWarning));
    } else {
        item->setIcon(QIcon(QPixmap::fromImage(image)));
    }
    if (--m_thumbsPending == 0) {
        Q_EMIT thumbnailsLoaded();
    }
}

void DataPage::rerollPreview()
{
    m_previewSeed = QRandomGenerator::global()->generate64();
    startPreview();
}

void DataPage::schedulePreview()
{
    m_previewTimer->start();
}

void DataPage::startPreview()
{
    m_previewTimer->stop();
    const Project& project = m_document->project();
    const DatasetIndex& index = m_document->datasetIndex();
    if (!m_document->hasDatasetIndex() || index.items.isEmpty()) {
        m_sample.clear();
        m_previewImages.clear();
        m_originalLabel->clear();
        for (QLabel* label : m_previewLabels) {
            label->clear();
        }
        m_previewStatus->setText(tr("Open a dataset to preview the augmentation."));
        m_channelView->showMessage(tr("Open a dataset to see the channels of its images."));
        return;
    }
    const QDir root(index.root);
    bool known = false;
    for (const DatasetItem& item : index.items) {
        if (root.absoluteFilePath(item.path) == m_sample) {
            known = true;
            break;
        }
    }
    if (!known) {
        const QVector<int> train = index.indicesOf(Split::Train);
        m_sample = root.absoluteFilePath(index.items[train.isEmpty() ? 0 : train[0]].path);
    }
    m_imageRunner->cancel(m_previewRequest);
    m_previewRequest = m_imageRunner->run(
        [sample = m_sample, dataset = project.dataset, augmentation = project.augmentation,
         seed = m_previewSeed](const BackgroundJob&) {
            return makePreviewJob(sample, dataset, augmentation, seed, kPreviewCount);
        },
        [this](const AugmentationPreview& preview) {
            onPreview(preview.original, preview.images, preview.error);
        });
    startChannelPreview();
}

void DataPage::startChannelPreview()
{
    const DatasetSettings& dataset = m_document->project().dataset;
    if (m_channelView->preview().path == m_sample && m_channelView->preview().error.isEmpty() &&
        m_channelView->preview().spec == inputSpecOf(dataset)) {
        Q_EMIT channelsUpdated();
        return;
    }
    m_imageRunner->cancel(m_channelRequest);
    m_channelRequest = m_imageRunner->run(
        [sample = m_sample, dataset](const BackgroundJob&) {
            return makeChannelPreview(sample, dataset);
        },
        [this](const ChannelPreview& preview) {
            m_channelView->setPreview(preview);
            Q_EMIT channelsUpdated();
        });
}

void DataPage::onPreview(const QImage& original, const QVector<QImage>& images,
                         const QString& error)
{
    m_previewImages = images;
    m_originalLabel->setPixmap(previewPixmap(original));
    for (int i = 0; i < m_previewLabels.size(); ++i) {
        m_previewLabels[i]->setPixmap(i < images.size() ? previewPixmap(images[i]) : QPixmap());
    }
    if (!error.isEmpty()) {
        m_previewStatus->setText(error);
    } else {
        m_previewStatus->setText(
            m_document->project().augmentation.enabled
                ? tr("Sample: %1").arg(QFileInfo(m_sample).fileName())
                : tr("Augmentation is off: training uses the images as they are."));
    }
    Q_EMIT previewUpdated();
}

} // namespace studio
