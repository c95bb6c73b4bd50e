#include "trainingchart.h"

#include "qcustomplotwrapper.h"
#include "theme.h"

#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QMenu>
#include <QMessageBox>
#include <QSaveFile>
#include <QVBoxLayout>

#include <cmath>
#include <iterator>
#include <numeric>

namespace studio {

namespace {

// The width of a legend whose entries (of these widths, in order) fill `columns` columns row
// by row: each column as wide as its widest entry.
int rowWidth(const QVector<int>& widths, int columns, int spacing)
{
    QVector<int> column(columns, 0);
    for (int i = 0; i < widths.size(); ++i) {
        column[i % columns] = qMax(column[i % columns], widths[i]);
    }
    return std::accumulate(column.begin(), column.end(), 0) + spacing * (columns - 1);
}

} // namespace

TrainingChart::TrainingChart(const QString& metric, const QString& title, QWidget* parent)
    : QWidget(parent), m_metric(metric), m_plot(new QCustomPlot(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    setMinimumSize(260, 180);

    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0, new QCPTextElement(m_plot, title));
    m_plot->xAxis->setLabel(tr("epoch"));
    m_plot->yAxis->setLabel(metric);
    m_plot->yAxis2->setVisible(false); // see prepareReplot()
    m_plot->yAxis2->setLabel(QStringLiteral("learning_rate"));
    placeLegendBelow();
    // The best loss is the lowest and the best accuracy the highest: the best-epoch label goes
    // to the other edge, away from the point it marks.
    m_bestLabelAtTop = !metric.contains(QLatin1String("acc"));
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal | Qt::Vertical);

    m_training = m_plot->addGraph();
    m_training->setName(metric);
    m_training->setPen(QPen(QColor(31, 119, 180), 1.5));
    m_validation = m_plot->addGraph();
    m_validation->setName(QStringLiteral("val_") + metric);
    m_validation->setPen(QPen(QColor(255, 127, 14), 2));
    m_validation->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
    m_learningRate = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    m_learningRate->setName(QStringLiteral("learning_rate"));
    m_learningRate->setPen(QPen(QColor(127, 127, 127), 1, Qt::DashLine));
    m_learningRate->setLineStyle(QCPGraph::lsStepLeft);

    m_bestLine = new QCPItemStraightLine(m_plot);
    m_bestLine->setPen(QPen(QColor(44, 160, 44), 1.5, Qt::DotLine));
    m_bestLabel = new QCPItemText(m_plot);
    m_bestLabel->setText(tr("best"));
    m_bestLabel->setColor(QColor(44, 160, 44));
    m_bestLabel->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_bestLabel->position->setTypeX(QCPItemPosition::ptPlotCoords);
    m_bestLabel->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    setBestEpoch(-1);
    // Before every replot, whatever asked for it (new points, zoom, pan, resize, saving).
    connect(m_plot, &QCustomPlot::beforeReplot, this, &TrainingChart::prepareReplot);

    followPalette(m_plot);
    m_plot->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_plot, &QWidget::customContextMenuRequested, this, &TrainingChart::showMenu);
    connect(m_plot, &QCustomPlot::mouseWheel, this, [this] { m_autoRange = false; });
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
        if (event->buttons() & Qt::LeftButton) {
            m_autoRange = false;
        }
    });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] {
        m_autoRange = true;
        fitRanges();
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    });
    setToolTip(tr("Wheel: zoom. Drag: pan. Double-click: fit. Right-click: save as PNG, PDF or "
                  "CSV."));
}

void TrainingChart::clear()
{
    for (QCPGraph* graph : m_overlays) {
        m_plot->removeGraph(graph);
    }
    m_overlays.clear();
    m_training->data()->clear();
    m_validation->data()->clear();
    m_learningRate->data()->clear();
    setBestEpoch(-1);
    m_autoRange = true;
    m_dirty = true;
}

void TrainingChart::addTrainingPoint(double x, double value)
{
    m_training->addData(x, value);
    m_dirty = true;
}

void TrainingChart::addValidationPoint(double x, double value)
{
    m_validation->addData(x, value);
    m_dirty = true;
}

void TrainingChart::addLearningRate(double x, double learningRate)
{
    if (m_learningRate->data()->isEmpty() && x >= 1) {
        m_learningRate->addData(x - 1, learningRate);
    }
    m_learningRate->addData(x, learningRate);
    m_dirty = true;
}

void TrainingChart::setBestEpoch(double x)
{
    const bool visible = x >= 0;
    m_bestLine->setVisible(visible);
    m_bestLabel->setVisible(visible);
    if (visible) {
        m_bestLine->point1->setCoords(x, 0);
        m_bestLine->point2->setCoords(x, 1);
        m_bestLabel->position->setCoords(x, m_bestLabelAtTop ? 0.02 : 0.98);
    }
    m_dirty = true;
}

void TrainingChart::placeLegendBelow()
{
    QCPLegend* legend = m_plot->legend;
    legend->setVisible(true);
    legend->setFont(font());
    legend->setIconSize(24, 18); // the default height: lower, underscores are cut off
    legend->setRowSpacing(0);
    legend->setColumnSpacing(12);
    // Rows: the title, the plot, the legend (taken out of the plot's inset layout).
    m_plot->plotLayout()->addElement(2, 0, legend);
    m_plot->plotLayout()->setRowStretchFactor(2, 0.001);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
}

void TrainingChart::fitLegendColumns()
{
    QCPLegend* legend = m_plot->legend;
    QVector<int> widths; // each entry's, in order
    for (int i = 0; i < legend->elementCount(); ++i) {
        if (const QCPLayoutElement* item = legend->elementAt(i)) { // the grid has empty cells
            widths << item->minimumOuterSizeHint().width();
        }
    }
    const QMargins margins = legend->margins();
    const int room = m_plot->width() - margins.left() - margins.right();
    int columns = int(widths.size());
    while (columns > 1 && rowWidth(widths, columns, legend->columnSpacing()) > room) {
        --columns;
    }
    columns = qMax(columns, 1);
    if (columns != legend->wrap()) {
        legend->setWrap(columns);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true); // re-flows the entries
    }
}

void TrainingChart::prepareReplot()
{
    m_plot->yAxis2->setVisible(!m_learningRate->data()->isEmpty());
    fitLegendColumns();
    if (m_bestLabel->visible()) {
        placeBestLabel();
    }
}

void TrainingChart::placeBestLabel()
{
    // Beside the mark where the whole label fits, else on the side with more room and short:
    // the best epoch is often the last one, at the right edge, where a label to its right
    // would be cut off.
    const double x = m_bestLabel->position->coords().x();
    const QString full = tr("best: epoch %1").arg(qRound(x));
    const QRect area = m_plot->axisRect()->rect();
    const double mark = m_plot->xAxis->coordToPixel(x);
    const double roomRight = area.right() - mark;
    const double roomLeft = mark - area.left();
    const double width = QFontMetricsF(m_bestLabel->font()).horizontalAdvance(full) + 8;
    const bool right = roomRight >= width || (roomLeft < width && roomRight >= roomLeft);
    m_bestLabel->setText(roomRight >= width || roomLeft >= width ? full : tr("best"));
    m_bestLabel->setPositionAlignment((right ? Qt::AlignLeft : Qt::AlignRight) |
                                      (m_bestLabelAtTop ? Qt::AlignTop : Qt::AlignBottom));
    m_bestLabel->setPadding(right ? QMargins(4, 0, 0, 0) : QMargins(0, 0, 4, 0));
}

void TrainingChart::keepAsOverlay(const QString& name)
{
    // Matplotlib's tab10 without the live curves' blue and orange.
    static const QColor colors[] = {
        QColor(44, 160, 44),   QColor(214, 39, 40),  QColor(148, 103, 189), QColor(140, 86, 75),
        QColor(227, 119, 194), QColor(188, 189, 34), QColor(23, 190, 207)};
    QColor color = colors[overlayCount() % int(std::size(colors))];
    QCPGraph* training = m_plot->addGraph();
    training->data()->set(*m_training->data());
    color.setAlpha(70);
    training->setPen(QPen(color, 1));
    training->setName(name + QLatin1Char(' ') + m_metric);
    training->removeFromLegend();
    QCPGraph* validation = m_plot->addGraph();
    validation->data()->set(*m_validation->data());
    color.setAlpha(200);
    validation->setPen(QPen(color, 1.5));
    validation->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
    validation->setName(name + QStringLiteral(" val_") + m_metric);
    m_overlays << training << validation;
    m_training->data()->clear();
    m_validation->data()->clear();
    m_learningRate->data()->clear();
    setBestEpoch(-1);
    m_dirty = true;
}

int TrainingChart::trainingPointCount() const
{
    return m_training->dataCount();
}

int TrainingChart::validationPointCount() const
{
    return m_validation->dataCount();
}

void TrainingChart::replotIfChanged()
{
    if (!m_dirty) {
        return;
    }
    m_dirty = false;
    prepareReplot(); // now, so that the axes are fitted as they will be shown
    if (m_autoRange) {
        fitRanges();
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void TrainingChart::fitRanges()
{
    bool found = false;
    QCPRange values;
    QVector<QCPGraph*> curves = m_overlays;
    curves << m_training << m_validation;
    for (QCPGraph* graph : curves) {
        bool ok = false;
        const QCPRange range = graph->getValueRange(ok);
        if (ok) {
            values =
                found ? QCPRange(qMin(values.lower, range.lower), qMax(values.upper, range.upper))
                      : range;
            found = true;
        }
    }
    if (found) {
        const double margin = qMax(values.size() * 0.05, 1e-3);
        m_plot->yAxis->setRange(values.lower - margin, values.upper + margin);
    }
    bool ok = false;
    QCPRange keys;
    for (QCPGraph* graph : curves) {
        bool okGraph = false;
        const QCPRange graphKeys = graph->getKeyRange(okGraph);
        if (okGraph) {
            keys =
                ok ? QCPRange(qMin(keys.lower, graphKeys.lower), qMax(keys.upper, graphKeys.upper))
                   : graphKeys;
            ok = true;
        }
    }
    // A little room right of the last epoch keeps its point and the best-epoch mark visible.
    m_plot->xAxis->setRange(0, (ok ? qMax(1.0, std::ceil(keys.upper - 1e-9)) : 1.0) + 0.2);
    bool okRate = false;
    const QCPRange rates = m_learningRate->getValueRange(okRate);
    if (okRate) {
        m_plot->yAxis2->setRange(0, rates.upper * 1.1);
    }
}

void TrainingChart::showMenu(const QPoint& position)
{
    QMenu menu(this);
    menu.addAction(tr("Save as PNG, PDF or CSV..."), this, &TrainingChart::saveAs);
    menu.addAction(tr("Fit to data"), this, [this] {
        m_autoRange = true;
        fitRanges();
        m_plot->replot();
    });
    menu.exec(m_plot->mapToGlobal(position));
}

void TrainingChart::saveAs()
{
    QString selected;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save Chart"), m_metric + QStringLiteral(".png"),
        tr("PNG image (*.png);;PDF document (*.pdf);;CSV table (*.csv)"), &selected);
    if (path.isEmpty()) {
        return;
    }
    const QString suffix = QFileInfo(path).suffix().toLower();
    const bool saved = suffix == QLatin1String("pdf")   ? savePdf(path)
                       : suffix == QLatin1String("csv") ? saveCsv(path)
                                                        : savePng(path);
    if (!saved) {
        QMessageBox::warning(this, tr("Save Chart"),
                             tr("Could not write '%1'. Choose a folder you can write to.")
                                 .arg(QDir::toNativeSeparators(path)));
    }
}

bool TrainingChart::savePng(const QString& path)
{
    return m_plot->savePng(path, 0, 0, 2.0);
}

bool TrainingChart::savePdf(const QString& path)
{
    return m_plot->savePdf(path);
}

bool TrainingChart::saveCsv(const QString& path) const
{
    QString text = QStringLiteral("series,epoch,value\n");
    QVector<QCPGraph*> graphs = m_overlays;
    graphs << m_training << m_validation << m_learningRate;
    for (QCPGraph* graph : graphs) {
        for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
            text += QStringLiteral("%1,%2,%3\n")
                        .arg(graph->name(), QString::number(it->key, 'g', 8),
                             QString::number(it->value, 'g', 8));
        }
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        return false;
    }
    file.write(text.toUtf8());
    return file.commit();
}

} // namespace studio
