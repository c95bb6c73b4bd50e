// The Runs page: every run under the runs folder and the folders the user adds, sortable, with
// the selected runs' curves overlaid, McNemar's test and the settings diff of two, and Open,
// Note and Move to Trash.
#pragma once

#include <QStringList>
#include <QWidget>

#include <functional>

class QCustomPlot;
class QLabel;
class QListWidget;
class QPushButton;
class QTreeView;

namespace studio {

class BackgroundRunner;
class RunsModel;
class RunsSortModel;
struct RunSummary;
struct RunsSelectionDetails;

// Lists and compares run folders; reading them runs off the GUI thread (BackgroundRunner).
class RunsPage : public QWidget
{
    Q_OBJECT

public:
    explicit RunsPage(QWidget* parent = nullptr);
    ~RunsPage() override;

    // The runs folder (the Train page's); listed first, not removable. Refreshes when it changed.
    void setRunsFolder(const QString& folder);
    // Every folder listed: the runs folder, then the added ones (kept in QSettings).
    QStringList folders() const;
    void addFolder(const QString& folder);
    void removeFolder(const QString& folder);

    // Lists the folders again in the background; runsListed follows.
    void refresh();
    // Selects the rows of these run folders (a fold's too), replacing the selection.
    void selectRuns(const QStringList& paths);
    // The selected runs' folders, in table order.
    QStringList selectedRuns() const;

    // Writes the note of a run (empty removes it) and refreshes its row; false (shown) on error.
    bool setNote(const QString& runDir, const QString& note);
    // Moves the run to the trash after asking; false when refused, cancelled or failed (shown).
    bool moveToTrash(const QString& runDir);

    // How questions and failures reach the user; tests replace the modal dialogs with these.
    using Confirm = std::function<bool(const QString& question)>;
    using ErrorSink = std::function<void(const QString& title, const QString& message)>;
    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }
    void setErrorSink(ErrorSink sink) { m_errorSink = std::move(sink); }

    RunsModel* model() const { return m_model; }
    RunsSortModel* sortModel() const { return m_sortModel; }
    QTreeView* view() const { return m_view; }
    QCustomPlot* lossPlot() const { return m_lossPlot; }
    QCustomPlot* accuracyPlot() const { return m_accuracyPlot; }
    // McNemar's test and the differing settings of two selected runs (else a hint).
    QString comparisonText() const;

Q_SIGNALS:
    // The listing of refresh() is in the table.
    void runsListed();
    // The curves and comparison of the current selection are shown.
    void selectionShown();
    // Open: show this run (or cross-validation) on the Evaluate page.
    void openRequested(const QString& runDir, bool crossValidation);

private:
    void buildFolderBar();
    void buildActions();
    QWidget* buildDetails();
    void chooseFolderToAdd();
    void saveFolders() const;
    void showRuns(const QVector<RunSummary>& runs, const QStringList& errors);
    void selectionChanged();
    void showDetails(const RunsSelectionDetails& details);
    void openSelected();
    void editNoteOfSelected();
    void trashSelected();
    const RunSummary* currentRun() const;
    void updateActions();
    void showError(const QString& title, const QString& message);

    BackgroundRunner* m_runner = nullptr;
    RunsModel* m_model = nullptr;
    RunsSortModel* m_sortModel = nullptr;
    QString m_runsFolder;
    QStringList m_addedFolders;
    QListWidget* m_folderList = nullptr;
    QPushButton* m_removeFolderButton = nullptr;
    QLabel* m_listStatus = nullptr;
    QTreeView* m_view = nullptr;
    QPushButton* m_openButton = nullptr;
    QPushButton* m_noteButton = nullptr;
    QPushButton* m_trashButton = nullptr;
    QCustomPlot* m_lossPlot = nullptr;
    QCustomPlot* m_accuracyPlot = nullptr;
    QLabel* m_comparison = nullptr;
    quint64 m_listRequest = 0;
    quint64 m_detailsRequest = 0;
    QStringList m_pendingSelection; // re-selected after a refresh
    Confirm m_confirm;
    ErrorSink m_errorSink;
};

} // namespace studio
