#include "confusionmatrixplot.h"

#include "qcustomplotwrapper.h"
#include "theme.h"

#include <QVBoxLayout>

namespace studio {

ConfusionMatrixPlot::ConfusionMatrixPlot(QWidget* parent)
    : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    setMinimumSize(280, 240);

    m_plot->xAxis->setLabel(tr("predicted class"));
    m_plot->yAxis->setLabel(tr("true class"));
    m_plot->yAxis->setRangeReversed(true);
    m_plot->xAxis->grid()->setVisible(false);
    m_plot->yAxis->grid()->setVisible(false);
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(false);
    QCPColorGradient gradient;
    gradient.setColorStopAt(0, QColor(247, 251, 255));
    gradient.setColorStopAt(0.5, QColor(107, 174, 214));
    gradient.setColorStopAt(1, QColor(8, 48, 107));
    m_scale = new QCPColorScale(m_plot);
    m_scale->setType(QCPAxis::atRight);
    m_plot->plotLayout()->addElement(0, 1, m_scale);
    m_map->setColorScale(m_scale); // the map takes the scale's gradient: set it afterwards
    m_map->setGradient(gradient);
    auto* margins = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    connect(m_plot, &QCustomPlot::mousePress, this, &ConfusionMatrixPlot::onMousePress);
    followPalette(m_plot);
    setToolTip(tr("Rows: the true class; columns: the class the model chose. The diagonal holds "
                  "the correct answers. Click a cell to see its images."));
    rebuild();
}

void ConfusionMatrixPlot::setMatrix(const QStringList& classes, const QVector<QVector<int>>& counts,
                                    const QVector<QVector<double>>& normalized)
{
    m_classes = classes;
    m_counts = counts;
    m_normalized = normalized;
    rebuild();
}

void ConfusionMatrixPlot::clear()
{
    setMatrix({}, {}, {});
}

void ConfusionMatrixPlot::setNormalized(bool normalized)
{
    if (m_showNormalized != normalized) {
        m_showNormalized = normalized;
        rebuild();
    }
}

int ConfusionMatrixPlot::count(int trueLabel, int predictedLabel) const
{
    return m_counts.value(trueLabel).value(predictedLabel);
}

QPoint ConfusionMatrixPlot::cellCenter(int trueLabel, int predictedLabel) const
{
    const QPoint inPlot(qRound(m_plot->xAxis->coordToPixel(predictedLabel)),
                        qRound(m_plot->yAxis->coordToPixel(trueLabel)));
    return m_plot->mapTo(this, inPlot);
}

bool ConfusionMatrixPlot::savePng(const QString& path, int width, int height)
{
    return m_plot->savePng(path, width, height, 2.0);
}

void ConfusionMatrixPlot::rebuild()
{
    for (QCPItemText* label : std::as_const(m_labels)) {
        m_plot->removeItem(label);
    }
    m_labels.clear();
    const int n = int(m_classes.size());
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int i = 0; i < n; ++i) {
        ticker->addTick(i, m_classes[i]);
    }
    m_plot->xAxis->setTicker(ticker);
    m_plot->yAxis->setTicker(ticker);
    m_plot->xAxis->setTickLabelRotation(n > 6 ? 45 : 0);
    m_map->data()->setSize(qMax(1, n), qMax(1, n));
    m_map->data()->setRange(QCPRange(0, qMax(1, n) - 1), QCPRange(0, qMax(1, n) - 1));
    m_map->data()->fill(0);
    double maximum = 0;
    for (int t = 0; t < n; ++t) {
        for (int p = 0; p < n; ++p) {
            const double value = m_showNormalized ? m_normalized.value(t).value(p)
                                                  : double(m_counts.value(t).value(p));
            m_map->data()->setCell(p, t, value);
            maximum = qMax(maximum, value);
        }
    }
    const double top = m_showNormalized ? 1.0 : qMax(1.0, maximum);
    m_map->setDataRange(QCPRange(0, top));
    m_scale->axis()->setLabel(m_showNormalized ? tr("fraction of the row") : tr("images"));
    const int fontSize = n <= 10 ? 10 : (n <= 20 ? 8 : 6);
    for (int t = 0; t < n; ++t) {
        for (int p = 0; p < n; ++p) {
            const double value = m_showNormalized ? m_normalized.value(t).value(p)
                                                  : double(m_counts.value(t).value(p));
            auto* label = new QCPItemText(m_plot);
            label->position->setCoords(p, t);
            label->setText(m_showNormalized ? QString::number(value, 'f', 2)
                                            : QString::number(m_counts.value(t).value(p)));
            QFont font = label->font();
            font.setPointSize(fontSize);
            font.setBold(t == p);
            label->setFont(font);
            label->setColor(value / top > 0.55 ? Qt::white : Qt::black);
            label->setClipToAxisRect(true);
            m_labels.append(label);
        }
    }
    m_plot->xAxis->setRange(-0.5, qMax(1, n) - 0.5);
    m_plot->yAxis->setRange(-0.5, qMax(1, n) - 0.5);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void ConfusionMatrixPlot::onMousePress(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || m_classes.isEmpty()) {
        return;
    }
    const QPointF position = event->position();
    if (!m_plot->axisRect()->rect().contains(position.toPoint())) {
        return;
    }
    const int predicted = qRound(m_plot->xAxis->pixelToCoord(position.x()));
    const int trueLabel = qRound(m_plot->yAxis->pixelToCoord(position.y()));
    const int n = int(m_classes.size());
    if (predicted >= 0 && predicted < n && trueLabel >= 0 && trueLabel < n) {
        Q_EMIT cellClicked(trueLabel, predicted);
    }
}

} // namespace studio
