// The Data page: the dataset folder and its split, the counts per class and split, the skipped
// files, thumbnails of a class, loading options and augmentation with a live preview.
#pragma once

#include "dataset/datasetindex.h"
#include "dataset/datasetsettings.h"

#include <QImage>
#include <QString>
#include <QVector>
#include <QWidget>

#include <atomic>
#include <memory>

class QComboBox;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QProgressBar;
class QPushButton;
class QTableView;
class QTabWidget;
class QTimer;
class QToolButton;

namespace studio {

class AugmentationForm;
class ClassBalanceChart;
class ClassCountsModel;
class ChannelView;
class DatasetSettingsForm;
class BackgroundRunner;
class ProjectDocument;
class RecentFiles;
class WelcomePanel;

class DataPage : public QWidget
{
    Q_OBJECT

public:
    // `recentFolders` (may be null) remembers the folders opened here.
    DataPage(ProjectDocument* document, RecentFiles* recentFolders, QWidget* parent = nullptr);
    ~DataPage() override;

    // Makes `folder` the project's dataset root (an undoable edit) and scans it.
    void openFolder(const QString& folder);
    // Scans the project's dataset folder again (files may have changed on disk).
    void rescan();
    // Opens the example dataset (Fashion-MNIST), writing it first, off the GUI thread, when
    // the folder does not hold it yet.
    void openExampleDataset();
    // $STUDIO_EXAMPLE_DATASET, or ~/ClassifierStudio/fashion-mnist (as packaging/run.sh).
    static QString exampleDatasetFolder();
    // The welcome of the first start; hidden once a dataset is scanned.
    void setWelcomeVisible(bool visible);
    bool isWelcomeVisible() const;
    bool isScanning() const { return m_scanning; }
    // What the status line says (the last scan's outcome or its failure).
    QString statusText() const;

    const ClassCountsModel* countsModel() const { return m_counts; }
    ClassBalanceChart* chart() const { return m_chart; }
    QListWidget* warningsList() const { return m_warnings; }
    QListWidget* thumbnailList() const { return m_thumbnails; }

    // Shows the thumbnails of class `label` (at most kMaxThumbnails).
    void showClass(int label);
    // Draws eight new augmentations of the sample image.
    void rerollPreview();
    // The augmented previews shown (empty before a scan or when the sample cannot be decoded).
    QVector<QImage> previewImages() const { return m_previewImages; }
    QString previewSample() const { return m_sample; }
    ChannelView* channelView() const { return m_channelView; }

    static constexpr int kPreviewCount = 8;
    static constexpr int kMaxThumbnails = 200;

Q_SIGNALS:
    void scanFinished(bool ok);
    // The welcome's Open a Project... was pressed.
    void projectRequested();
    void thumbnailsLoaded();
    void previewUpdated();
    // The Channels tab shows the sample's channels.
    void channelsUpdated();

private:
    void buildUi();
    QWidget* buildCountsTab();
    QWidget* buildAugmentationTab();
    QWidget* buildChannelTab();
    void chooseFolder();
    void syncFromDocument();
    void scheduleScanIfNeeded();
    void startScan();
    // Shows the scan's progress bar, Cancel button and `status` for a job on the scan runner.
    void showScanStarted(const QString& status);
    void cancelScan();
    void onProgress(qint64 done, qint64 total);
    void onScanned(const DatasetIndex& index);
    // Applies the proposed channels and normalisation after the first scan of a new folder.
    void proposeInputSettingsFor(const DatasetIndex& index);
    void onScanFailed(const QString& message);
    void setStatus(const QString& text, bool error);
    void fillWarnings(const DatasetIndex& index);
    void revealItem(QListWidgetItem* item);
    void onThumbnail(int position, const QImage& image);
    void schedulePreview();
    void startPreview();
    // Decodes the sample at full depth for the Channels tab (unless it shows it already).
    void startChannelPreview();
    void onPreview(const QImage& original, const QVector<QImage>& images, const QString& error);
    QString scanKey(const DatasetSettings& settings) const;

    ProjectDocument* m_document;
    RecentFiles* m_recentFolders;
    WelcomePanel* m_welcome = nullptr;
    BackgroundRunner* m_scanRunner;  // scans and the example dataset, one at a time
    BackgroundRunner* m_imageRunner; // thumbnails and previews, while a scan runs too

    QLabel* m_folderLabel = nullptr;
    QToolButton* m_recentButton = nullptr;
    QPushButton* m_rescanButton = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_cancelButton = nullptr;
    QLabel* m_status = nullptr;
    DatasetSettingsForm* m_settingsForm = nullptr;
    QTabWidget* m_tabs = nullptr;
    ClassCountsModel* m_counts = nullptr;
    QTableView* m_countsView = nullptr;
    ClassBalanceChart* m_chart = nullptr;
    QListWidget* m_warnings = nullptr;
    QComboBox* m_classBox = nullptr;
    QListWidget* m_thumbnails = nullptr;
    AugmentationForm* m_augmentationForm = nullptr;
    QLabel* m_originalLabel = nullptr;
    QVector<QLabel*> m_previewLabels;
    QLabel* m_previewStatus = nullptr;
    ChannelView* m_channelView = nullptr;

    QTimer* m_scanTimer = nullptr;
    QTimer* m_previewTimer = nullptr;
    bool m_scanning = false;
    quint64 m_scanRequest = 0;     // the scan runner's job in progress
    QString m_scannedKey;          // of the last scan started
    QString m_proposeForRoot;      // a folder just opened: its scan proposes the input settings
    QStringList m_proposalReasons; // why the input settings were proposed, for the warnings
    quint64 m_thumbRequest = 0;
    int m_thumbsPending = 0;
    quint64 m_previewRequest = 0;
    quint64 m_channelRequest = 0;
    quint64 m_previewSeed = 1;
    QString m_previewKey;
    QString m_sample; // absolute path of the preview's source image
    QVector<QImage> m_previewImages;
};

} // namespace studio
