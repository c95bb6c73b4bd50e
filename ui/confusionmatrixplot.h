// The confusion matrix as a heat map: true classes down, predicted classes across, the count
// (or the row's fraction) written in every cell; a click on a cell reports its classes.
#pragma once

#include <QStringList>
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QCPItemText;
class QMouseEvent;

namespace studio {

class ConfusionMatrixPlot : public QWidget
{
    Q_OBJECT

public:
    explicit ConfusionMatrixPlot(QWidget* parent = nullptr);

    void setMatrix(const QStringList& classes, const QVector<QVector<int>>& counts,
                   const QVector<QVector<double>>& normalized);
    void clear();
    // Shows each row divided by its sum instead of counts.
    void setNormalized(bool normalized);
    bool isNormalized() const { return m_showNormalized; }

    int classCount() const { return int(m_classes.size()); }
    int count(int trueLabel, int predictedLabel) const;
    // The widget position of a cell's centre (for tests and tooltips).
    QPoint cellCenter(int trueLabel, int predictedLabel) const;
    QCustomPlot* plot() const { return m_plot; }
    bool savePng(const QString& path, int width = 0, int height = 0);

Q_SIGNALS:
    void cellClicked(int trueLabel, int predictedLabel);

private:
    void rebuild();
    void onMousePress(QMouseEvent* event);

    QCustomPlot* m_plot = nullptr;
    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    QVector<QCPItemText*> m_labels;
    QStringList m_classes;
    QVector<QVector<int>> m_counts;
    QVector<QVector<double>> m_normalized;
    bool m_showNormalized = false;
};

} // namespace studio
