// The report's charts, painted with QPainter into images (the report runs without widgets, so
// QCustomPlot is not an option): training curves, the confusion matrix, ROC curves and the
// calibration diagram; and the categorical colours every chart of the app shares.
#pragma once

#include "evaluation/metrics.h"

#include <QColor>
#include <QImage>
#include <QPointF>
#include <QSize>
#include <QString>
#include <QVector>

namespace studio {

// The colour of the index-th series of a chart (a class, a run): Tableau's ten categorical
// colours, repeating after ten.
QColor seriesColor(int index);

// One line of a chart.
struct ChartSeries
{
    QString name;
    QVector<QPointF> points;
    QColor color;
    bool dashed = false;
    bool markers = false; // a dot at every point
};

// A line chart: its series over axes that fit them (or the unit square).
struct LineChart
{
    QString title;
    QString xLabel;
    QString yLabel;
    QVector<ChartSeries> series;
    bool unitSquare = false; // both axes 0..1
    bool wholeX = false;     // x ticks on whole numbers only (epochs)
};

// Paints `chart` at `size` (logical pixels, drawn at twice that for print).
QImage paintLineChart(const LineChart& chart, QSize size);

// The confusion matrix as a heat map with the counts in the cells.
QImage paintConfusionMatrix(const EvaluationMetrics& metrics, QSize size);

// Each class's ROC curve against the rest, with its AUC in the legend.
QImage paintRocCurves(const QVector<ClassCurves>& curves, QSize size);

// The reliability diagram: accuracy per confidence bin against the diagonal.
QImage paintCalibration(const Calibration& calibration, QSize size);

} // namespace studio
