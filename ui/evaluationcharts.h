// The charts that read an evaluation beyond its confusion matrix: each class's ROC or
// precision-recall curve against the rest, and the calibration (reliability) diagram.
#pragma once

#include "evaluation/curves.h"

#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPCurve;
class QCPItemText;
class QLabel;

namespace studio {

// The ROC or precision-recall curves of an evaluation, one line per class in its own colour
// with its area in the legend, and what guessing would give; one class can be singled out.
class ThresholdCurvesPlot : public QWidget
{
    Q_OBJECT

public:
    enum class Kind
    {
        Roc,
        PrecisionRecall
    };

    explicit ThresholdCurvesPlot(Kind kind, QWidget* parent = nullptr);

    // Draws the classes' curves; none (a report written before they existed) shows a note
    // saying how to get them.
    void setCurves(const QVector<ClassCurves>& curves);
    // Draws `index` bold and the others faded; -1 shows all alike.
    void setHighlightedClass(int index);
    int highlightedClass() const { return m_highlighted; }

    // The curves drawn (classes without images of their own have none).
    int curveCount() const { return int(m_lines.size()); }
    // The legend's text of the index-th curve drawn ("cat: AUC 0.987").
    QString curveName(int index) const;
    QString noteText() const;
    QCustomPlot* plot() const { return m_plot; }
    bool savePng(const QString& path, int width = 0, int height = 0);

private:
    void drawGuessing();

    Kind m_kind;
    QCustomPlot* m_plot = nullptr;
    QLabel* m_note = nullptr;
    QVector<ClassCurves> m_curves;
    QVector<QCPCurve*> m_lines;  // one per class that has a curve
    QVector<int> m_lineClasses;  // the class of each line
    QCPCurve* m_guess = nullptr; // the chance line (ROC) or the class's share (PR)
    int m_highlighted = -1;
};

// The reliability diagram: for each range of the model's confidence, how often it was right,
// against the dashed line where confidence equals accuracy, with the expected calibration error.
class CalibrationPlot : public QWidget
{
    Q_OBJECT

public:
    explicit CalibrationPlot(QWidget* parent = nullptr);

    void setCalibration(const Calibration& calibration);
    QString titleText() const;
    QString noteText() const;
    int barCount() const; // bins with images
    QCustomPlot* plot() const { return m_plot; }
    bool savePng(const QString& path, int width = 0, int height = 0);

private:
    QCustomPlot* m_plot = nullptr;
    QLabel* m_note = nullptr;
    Calibration m_calibration;
};

} // namespace studio
