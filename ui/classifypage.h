// The Classify page: drop images or folders anywhere on it (or open them) to classify them with
// the current model; each gets a thumbnail and its top three classes. Saves the results as CSV
// and exports the model as .pt or ONNX. Prediction runs on a worker thread.
#pragma once

#include "export/exporter.h"
#include "uimetatypes.h"

#include <QImage>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <memory>

class QDoubleSpinBox;
class QLabel;
class QListWidget;
class QPushButton;

namespace studio {

class PredictionCard;
class BackgroundRunner;
class SaliencyControls;
class SaliencyOverlays;
struct SaliencyOverlay;
class PredictionWorker;

class ClassifyPage : public QWidget
{
    Q_OBJECT

public:
    explicit ClassifyPage(QWidget* parent = nullptr);
    ~ClassifyPage() override;

    // Loads the model file to classify with (asynchronously; see modelChanged / modelFailed).
    void setModel(const QString& path);
    QString modelPath() const { return m_modelPath; }
    QStringList classes() const { return m_classes; }
    // Classifies image files and folders (searched recursively), added below the others.
    void addPaths(const QStringList& paths);
    void clear();
    bool isBusy() const { return m_pending > 0; }

    QVector<Prediction> predictions() const;
    double threshold() const;
    void setThreshold(double threshold);

    // predictionsToCsv() of the results; false when the file cannot be written.
    bool saveCsv(const QString& path) const;
    // Exports the current model file (asynchronously; see exportFinished).
    void exportModel(ExportFormat format, const QString& outPath);

    // The "where the model looked" toggle and class choice, and the overlays' maker.
    SaliencyControls* saliencyControls() const { return m_saliency; }
    SaliencyOverlays* saliencyOverlays() const { return m_overlays; }

Q_SIGNALS:
    void modelChanged(const QString& path);
    void modelFailed(const QString& path, const QString& message);
    // A batch of images has been classified and shown.
    void predictionsAdded(int count);
    // One addPaths() call has been classified completely.
    void classificationFinished();
    void exportFinished(const QString& outPath, const QString& error);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildUi();
    void openImages();
    void openFolder();
    void openModel();
    void chooseCsv();
    void chooseExport(ExportFormat format);
    void onModelLoaded(const QString& path, const ModelMetadata& metadata);
    void onModelFailed(const QString& path, const QString& message);
    void onPredicted(const QVector<Prediction>& predictions, const QVector<QImage>& thumbnails);
    void updateState();
    // Shows or hides the cards' overlays after the toggle, the class or the model changed.
    void refreshOverlays();
    void showOverlay(PredictionCard* card);
    void onOverlayReady(const QString& path, int classIndex, const SaliencyOverlay& overlay);

    BackgroundRunner* m_runner = nullptr;
    std::shared_ptr<PredictionWorker> m_worker; // used by the runner's jobs only
    QString m_modelPath;
    QString m_loadingPath;
    QStringList m_classes;
    int m_pending = 0; // addPaths() calls not finished yet
    QVector<PredictionCard*> m_cards;
    SaliencyOverlays* m_overlays = nullptr;
    SaliencyControls* m_saliency = nullptr;

    QLabel* m_modelLabel = nullptr;
    QLabel* m_status = nullptr;
    QDoubleSpinBox* m_threshold = nullptr;
    QListWidget* m_list = nullptr;
    QPushButton* m_saveCsv = nullptr;
    QPushButton* m_exportPt = nullptr;
    QPushButton* m_exportOnnx = nullptr;
};

} // namespace studio
