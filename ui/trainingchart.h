// A live chart of one metric (loss or accuracy): training points per batch, validation points
// per epoch, the best epoch marked and the learning rate on the right axis; wheel zoom, drag
// pan, double-click to fit, and a context menu that saves PNG, PDF or CSV.
#pragma once

#include <QString>
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;

namespace studio {

class TrainingChart : public QWidget
{
    Q_OBJECT

public:
    // `metric` names the curves ("loss" -> "loss" and "val_loss").
    explicit TrainingChart(const QString& metric, const QString& title, QWidget* parent = nullptr);

    void clear();
    // x is in epochs: a batch point of epoch e (0-based) sits at e + batch / batches, the
    // validation point and learning rate of epoch e at e + 1.
    void addTrainingPoint(double x, double value);
    void addValidationPoint(double x, double value);
    void addLearningRate(double x, double learningRate);
    // Marks the best epoch (x as above); a negative x removes the mark.
    void setBestEpoch(double x);
    // Keeps the curves drawn so far as a faded, named overlay (one fold of a cross-validation,
    // "fold 1") and starts the live curves afresh; clear() removes the overlays too.
    void keepAsOverlay(const QString& name);
    int overlayCount() const { return int(m_overlays.size()) / 2; }

    int trainingPointCount() const;
    int validationPointCount() const;
    QCustomPlot* plot() const { return m_plot; }

    // Redraws when something changed since the last call (called by the page's timer).
    void replotIfChanged();

    bool savePng(const QString& path);
    bool savePdf(const QString& path);
    // "series,epoch,value" rows: the training, validation and learning-rate points.
    bool saveCsv(const QString& path) const;

private:
    void showMenu(const QPoint& position);
    void saveAs();
    void fitRanges();
    // The legend in a row of its own under the plot, where it hides no curve.
    void placeLegendBelow();
    // As many legend entries a row as the chart's width holds.
    void fitLegendColumns();
    // Before each replot: the learning-rate axis shows once there is a learning rate (before,
    // it would show QCustomPlot's default range, 0 to 5), the legend fits the width, and the
    // best-epoch label is placed.
    void prepareReplot();
    // Puts the best-epoch label on the side of its mark with more room.
    void placeBestLabel();

    QString m_metric;
    QCustomPlot* m_plot = nullptr;
    QCPGraph* m_training = nullptr;
    QCPGraph* m_validation = nullptr;
    QCPGraph* m_learningRate = nullptr;
    QVector<QCPGraph*> m_overlays; // earlier runs' training and validation curves
    QCPItemStraightLine* m_bestLine = nullptr;
    QCPItemText* m_bestLabel = nullptr;
    bool m_dirty = false;
    bool m_autoRange = true;      // until the user zooms or pans
    bool m_bestLabelAtTop = true; // loss charts; accuracy charts have it at the bottom
};

} // namespace studio
