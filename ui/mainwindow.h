// The main window: page navigation (Data, Model, Train, Evaluate, Classify) around the pages.
#pragma once

#include <QMainWindow>

class QLabel;
class QListWidget;
class QStackedWidget;

namespace studio {

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
        PageCount
    };

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a dataset folder (the root of train/validation/test or of class folders).
    void openDataset(const QString& folder);
    QString datasetFolder() const { return m_datasetFolder; }

    void showPage(Page page);
    Page currentPage() const;

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildPages();
    void buildMenus();
    void chooseDatasetFolder();

    QListWidget* m_navigation = nullptr;
    QStackedWidget* m_pages = nullptr;
    QLabel* m_datasetLabel = nullptr;
    QString m_datasetFolder;
};

} // namespace studio
