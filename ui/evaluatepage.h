// The Evaluate page: a run's test evaluation or a model evaluated on a dataset split, shown as
// a confusion-matrix heat map (click a cell for its images), ROC and precision-recall curves, a
// calibration diagram, a map of what the network learned, the per-class table and the overall
// accuracy; exports the report as JSON, CSV or the chart shown as PNG.
#pragma once

#include "dataset/datasetindex.h"
#include "evaluation/metrics.h"

#include <QString>
#include <QWidget>

class QCheckBox;
class QLabel;
class QPushButton;
class QTabWidget;
class QTableView;

namespace studio {

class BackgroundRunner;
class CalibrationPlot;
class ClassMetricsModel;
class ConfusionMatrixPlot;
class EmbeddingMapView;
class ImageGallery;
class ThresholdCurvesPlot;

class EvaluatePage : public QWidget
{
    Q_OBJECT

public:
    explicit EvaluatePage(QWidget* parent = nullptr);
    ~EvaluatePage() override;

    // Shows RUN/evaluation/evaluation.json (written at the end of a finished run with a test
    // split); image paths resolve against the run's dataset folder. False, with the reason
    // shown, when the run has none.
    bool loadRun(const QString& runDir);
    // Shows a cross-validation folder's summary (OUT/crossval.json: every score as mean ±
    // standard deviation over the folds) above the last fold's own evaluation. False, with the
    // reason shown, when the folder has none.
    bool loadCrossValidation(const QString& outDir);
    QString crossValidationText() const;
    // Evaluates modelPath on a split of datasetDir on a worker thread; evaluationFinished
    // follows (also after cancelEvaluation(), with the message "Evaluation cancelled.").
    void evaluateModel(const QString& modelPath, const QString& datasetDir,
                       Split split = Split::Test);
    // Stops the evaluation in progress (what the Cancel button does); the metrics shown stay.
    void cancelEvaluation();
    // Shows `metrics`; misclassified paths are relative to imageRoot.
    void setMetrics(const EvaluationMetrics& metrics, const QString& imageRoot,
                    const QString& source);

    bool hasMetrics() const { return m_hasMetrics; }
    const EvaluationMetrics& metrics() const { return m_metrics; }
    bool isBusy() const { return m_evaluation != 0; }
    ConfusionMatrixPlot* confusionPlot() const { return m_plot; }
    ThresholdCurvesPlot* rocPlot() const { return m_roc; }
    ThresholdCurvesPlot* precisionRecallPlot() const { return m_precisionRecall; }
    CalibrationPlot* calibrationPlot() const { return m_calibration; }
    EmbeddingMapView* mapView() const { return m_map; }
    // The tabs of the charts: the confusion matrix, ROC, precision-recall, calibration, map.
    QTabWidget* chartTabs() const { return m_charts; }
    ClassMetricsModel* classMetricsModel() const { return m_model; }

    // The images of a confusion-matrix cell, most confident first (absolute paths), with
    // their confidence. Only mistakes are listed in a report, so diagonal cells give none.
    QVector<ClassifiedImage> cellImages(int trueLabel, int predictedLabel) const;
    // Opens the gallery of a cell (what a click on the heat map does).
    ImageGallery* openGallery(int trueLabel, int predictedLabel);

    bool exportJson(const QString& path) const;
    // The per-class table, the averages and the confusion matrix, in one CSV file.
    bool exportCsv(const QString& path) const;
    // The chart of the tab shown.
    bool exportPng(const QString& path);

Q_SIGNALS:
    void evaluationFinished(bool ok, const QString& message);

private:
    void buildUi();
    QWidget* buildCharts();
    // Singles out the class of the table's selected row in the curves.
    void highlightSelectedClass();
    // The images the evaluation shown scored (by path), or none when its report lists only
    // the mistakes.
    QVector<DatasetItem> evaluatedImages() const;
    // Points the map at the model and images of the evaluation shown, or says why it cannot;
    // a run's map is kept in `keepFile` (RUN/evaluation/map.json).
    void updateMapSource(Split split, const QString& keepFile = QString());
    void chooseRun();
    void chooseModel();
    void chooseExport();
    void showMessage(const QString& text, bool error);
    void updateState();

    EvaluationMetrics m_metrics;
    bool m_hasMetrics = false;
    QString m_imageRoot;
    QString m_modelPath; // the model file the metrics are of (for saliency maps), if known
    BackgroundRunner* m_runner = nullptr;
    quint64 m_evaluation = 0; // the request of the evaluation in progress, 0 when none

    QLabel* m_source = nullptr;
    QLabel* m_accuracy = nullptr;
    QLabel* m_crossValidation = nullptr; // the summary of the cross-validation shown, if any
    bool m_loadingCrossValidation = false;
    QLabel* m_message = nullptr;
    QCheckBox* m_normalized = nullptr;
    QPushButton* m_export = nullptr;
    QPushButton* m_openRun = nullptr;
    QPushButton* m_evaluate = nullptr;
    QPushButton* m_cancel = nullptr;
    QTabWidget* m_charts = nullptr;
    ConfusionMatrixPlot* m_plot = nullptr;
    ThresholdCurvesPlot* m_roc = nullptr;
    ThresholdCurvesPlot* m_precisionRecall = nullptr;
    CalibrationPlot* m_calibration = nullptr;
    EmbeddingMapView* m_map = nullptr;
    ClassMetricsModel* m_model = nullptr;
    QTableView* m_table = nullptr;
};

} // namespace studio
