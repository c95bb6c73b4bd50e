// The main window: page navigation (Data, Model, Train, Evaluate, Classify, Runs) around the
// pages.
#pragma once

#include <QMainWindow>
#include <QMessageBox>
#include <QPalette>

#include <functional>

class QAction;
class QListWidget;
class QStackedWidget;

namespace studio {

class ClassifyPage;
class DataPage;
class EvaluatePage;
class ModelPage;
class BackgroundRunner;
class ProjectDocument;
class RecentFiles;
class RunsPage;
class TrainPage;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    enum Page
    {
        DataPage,
        ModelPage,
        TrainPage,
        EvaluatePage,
        ClassifyPage,
        RunsPage,
        PageCount
    };

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a dataset folder (the root of train/validation/test or of class folders).
    void openDataset(const QString& folder);
    QString datasetFolder() const;

    // The open project, shared by every page.
    ProjectDocument* document() const { return m_document; }
    studio::DataPage* dataPage() const { return m_dataPage; }
    studio::ModelPage* modelPage() const { return m_modelPage; }
    studio::TrainPage* trainPage() const { return m_trainPage; }
    studio::EvaluatePage* evaluatePage() const { return m_evaluatePage; }
    studio::ClassifyPage* classifyPage() const { return m_classifyPage; }
    studio::RunsPage* runsPage() const { return m_runsPage; }

    // The File menu's actions. Each returns false when it was cancelled or failed (the
    // failure is shown). New and Open first offer to save unsaved changes.
    bool newProject();
    bool openProject(const QString& path);
    bool saveProject();
    // An empty path asks for one with a file dialog.
    bool saveProjectAs(const QString& path = QString());
    // Offers to save unsaved changes: false when the user cancels (or saving fails).
    bool maybeSave();
    // File > Export Run Report...: writes the report of a run or cross-validation folder to
    // outPath (.pdf or .html) in the background; runReportExported follows (a failure is also
    // shown). Empty arguments ask with file dialogs.
    void exportRunReport(const QString& runDir = QString(), const QString& outPath = QString());

    // How the unsaved-changes question and failures reach the user; tests replace the modal
    // dialogs with these.
    using SavePrompt = std::function<QMessageBox::StandardButton(const QString& projectName)>;
    using ErrorSink = std::function<void(const QString& title, const QString& message)>;
    void setSavePrompt(SavePrompt prompt) { m_savePrompt = std::move(prompt); }
    void setErrorSink(ErrorSink sink) { m_errorSink = std::move(sink); }

    void showPage(Page page);
    Page currentPage() const;
    // Whether a step of the left column is done (it has a check mark): a dataset scanned, a
    // network that fits it, a run trained, an evaluation shown, images classified.
    bool isStepDone(Page page) const;

    // The View menu's Dark Theme: the Fusion style with a dark palette for the whole
    // application, kept in QSettings; off restores the style and palette it started with.
    void setDarkTheme(bool dark);
    bool isDarkTheme() const { return m_dark; }

Q_SIGNALS:
    void runReportExported(bool ok, const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildPages();
    void connectRunsPage();
    void buildMenus();
    void watchSteps();
    void updateSteps();
    void chooseDatasetFolder();
    void chooseProjectToOpen();
    void updateTitle();
    void showError(const QString& title, const QString& message);

    ProjectDocument* m_document = nullptr;
    RecentFiles* m_recentProjects = nullptr;
    RecentFiles* m_recentFolders = nullptr;
    SavePrompt m_savePrompt;
    ErrorSink m_errorSink;
    studio::BackgroundRunner* m_reportRunner = nullptr;
    QListWidget* m_navigation = nullptr;
    QStackedWidget* m_pages = nullptr;
    studio::DataPage* m_dataPage = nullptr; // (the Page enum has a DataPage too)
    studio::ModelPage* m_modelPage = nullptr;
    studio::TrainPage* m_trainPage = nullptr;
    studio::EvaluatePage* m_evaluatePage = nullptr;
    studio::ClassifyPage* m_classifyPage = nullptr;
    studio::RunsPage* m_runsPage = nullptr;
    QAction* m_darkAction = nullptr;
    bool m_dark = false;
    bool m_trained = false;
    bool m_evaluated = false;
    bool m_classified = false;
    static constexpr int kStepDoneRole = Qt::UserRole + 1;
    QString m_startStyle;    // the style before the dark theme
    QPalette m_startPalette; // the palette before the dark theme
};

} // namespace studio
