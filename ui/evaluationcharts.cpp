#include "evaluationcharts.h"

#include "qcustomplotwrapper.h"
#include "reportcharts.h"
#include "theme.h"

#include <QLabel>
#include <QVBoxLayout>

#include <cmath>

namespace studio {

namespace {

// A chart with a title row above a square-ish plot of [0, 1] x [0, 1], and a note below.
QCustomPlot* makeUnitPlot(QWidget* owner, const QString& title, const QString& xLabel,
                          const QString& yLabel, QLabel* note)
{
    auto* plot = new QCustomPlot(owner);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title));
    plot->xAxis->setLabel(xLabel);
    plot->yAxis->setLabel(yLabel);
    plot->xAxis->setRange(-0.02, 1.02);
    plot->yAxis->setRange(-0.02, 1.02);
    followPalette(plot);
    note->setWordWrap(true);
    note->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QVBoxLayout(owner);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot, 1);
    layout->addWidget(note);
    owner->setMinimumSize(300, 260);
    return plot;
}

// The images in the bin farthest from the diagonal (a far bar of few images means little).
int farthestBinCount(const Calibration& calibration)
{
    int count = 0;
    double farthest = -1;
    for (const CalibrationBin& bin : calibration.bins) {
        const double gap = std::abs(bin.accuracy - bin.meanConfidence);
        if (bin.count > 0 && gap > farthest) {
            farthest = gap;
            count = bin.count;
        }
    }
    return count;
}

QString areaText(double value)
{
    return std::isnan(value) ? QStringLiteral("–") : QString::number(value, 'f', 3);
}

} // namespace

ThresholdCurvesPlot::ThresholdCurvesPlot(Kind kind, QWidget* parent)
    : QWidget(parent), m_kind(kind), m_note(new QLabel)
{
    const bool roc = kind == Kind::Roc;
    m_plot = makeUnitPlot(
        this, roc ? tr("ROC curves: each class against the rest") : tr("Precision-recall curves"),
        roc ? tr("false positive rate (other classes' images taken for the class)")
            : tr("recall (the class's images found)"),
        roc ? tr("true positive rate (recall)") : tr("precision (right among those found)"),
        m_note);
    m_note->setObjectName(roc ? QStringLiteral("rocNote") : QStringLiteral("precisionRecallNote"));
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(font());
    m_plot->axisRect()->insetLayout()->setInsetAlignment(
        0, Qt::AlignBottom | (roc ? Qt::AlignRight : Qt::AlignLeft));
}

void ThresholdCurvesPlot::setCurves(const QVector<ClassCurves>& curves)
{
    m_curves = curves;
    m_plot->clearPlottables();
    m_lines.clear();
    m_lineClasses.clear();
    m_guess = nullptr;
    m_highlighted = -1;
    const bool roc = m_kind == Kind::Roc;
    for (int c = 0; c < curves.size(); ++c) {
        const ClassCurves& curve = curves[c];
        const double area = roc ? curve.rocAuc : curve.averagePrecision;
        if (std::isnan(area)) {
            continue; // no image of the class (or, for ROC, only images of it)
        }
        auto* line = new QCPCurve(m_plot->xAxis, m_plot->yAxis);
        for (const CurvePoint& point : roc ? curve.roc : curve.precisionRecall) {
            line->addData(point.x, point.y);
        }
        line->setName(QStringLiteral("%1: %2 %3")
                          .arg(curve.name, roc ? tr("AUC") : tr("AP"), areaText(area)));
        line->setPen(QPen(seriesColor(c), 1.6));
        m_lines << line;
        m_lineClasses << c;
    }
    drawGuessing();
    if (curves.isEmpty()) {
        m_note->setText(tr("This report was written before the app drew these curves: evaluate "
                           "the model again to see them."));
    } else {
        m_note->setText(
            roc ? tr("The higher and further left a curve, the better the class is told apart "
                     "from the others at every threshold; the dashed diagonal is guessing. Select "
                     "a class in the table to single it out.")
                : tr("Precision as the threshold is lowered to find more of the class's images: "
                     "a curve that stays high is a class found without false alarms. The dashed "
                     "line (for a selected class) is what guessing gives: its share of the "
                     "images."));
    }
    m_plot->replot();
}

void ThresholdCurvesPlot::drawGuessing()
{
    m_guess = new QCPCurve(m_plot->xAxis, m_plot->yAxis);
    m_guess->setPen(QPen(QColor(127, 127, 127), 1, Qt::DashLine));
    m_guess->removeFromLegend();
    if (m_kind == Kind::Roc) {
        m_guess->addData(0, 0);
        m_guess->addData(1, 1);
        return;
    }
    if (m_highlighted >= 0 && m_highlighted < m_curves.size()) {
        const ClassCurves& c = m_curves[m_highlighted];
        const double share = double(c.positives) / std::max(1, c.positives + c.negatives);
        m_guess->addData(0, share);
        m_guess->addData(1, share);
    }
}

void ThresholdCurvesPlot::setHighlightedClass(int index)
{
    m_highlighted = index >= 0 && index < m_curves.size() ? index : -1;
    for (int i = 0; i < m_lines.size(); ++i) {
        QColor color = seriesColor(m_lineClasses[i]);
        const bool chosen = m_lineClasses[i] == m_highlighted;
        if (m_highlighted >= 0 && !chosen) {
            color.setAlpha(50);
        }
        m_lines[i]->setPen(QPen(color, chosen ? 3.0 : 1.6));
    }
    if (m_guess) {
        m_plot->removePlottable(m_guess);
    }
    drawGuessing();
    m_plot->replot();
}

QString ThresholdCurvesPlot::curveName(int index) const
{
    return m_lines.value(index) ? m_lines[index]->name() : QString();
}

QString ThresholdCurvesPlot::noteText() const
{
    return m_note->text();
}

bool ThresholdCurvesPlot::savePng(const QString& path, int width, int height)
{
    return m_plot->savePng(path, width, height);
}

CalibrationPlot::CalibrationPlot(QWidget* parent) : QWidget(parent), m_note(new QLabel)
{
    m_plot = makeUnitPlot(this, tr("Calibration"), tr("the model's confidence in its answer"),
                          tr("fraction answered right"), m_note);
    m_note->setObjectName(QStringLiteral("calibrationNote"));
}

void CalibrationPlot::setCalibration(const Calibration& calibration)
{
    m_calibration = calibration;
    m_plot->clearPlottables();
    m_plot->clearItems();
    auto* bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    bars->setPen(QPen(seriesColor(0).darker(130)));
    bars->setBrush(seriesColor(0).lighter(130));
    for (const CalibrationBin& bin : calibration.bins) {
        if (bin.count == 0) {
            continue;
        }
        bars->setWidth(bin.high - bin.low);
        bars->addData((bin.low + bin.high) / 2, bin.accuracy);
        auto* label = new QCPItemText(m_plot);
        label->position->setCoords((bin.low + bin.high) / 2, bin.accuracy);
        label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        label->setText(QString::number(bin.count));
        label->setColor(palette().color(QPalette::WindowText));
        label->setFont(QFont(font().family(), std::max(7, font().pointSize() - 2)));
    }
    auto* diagonal = new QCPCurve(m_plot->xAxis, m_plot->yAxis); // over the bars
    diagonal->setPen(QPen(palette().color(QPalette::WindowText), 1, Qt::DashLine));
    diagonal->addData(0, 0);
    diagonal->addData(1, 1);
    auto* title = qobject_cast<QCPTextElement*>(m_plot->plotLayout()->element(0, 0));
    if (calibration.bins.isEmpty()) {
        title->setText(tr("Calibration"));
        m_note->setText(tr("This report was written before the app measured calibration: "
                           "evaluate the model again to see it."));
    } else {
        title->setText(tr("Calibration: expected calibration error %1 % (%2 bins)")
                           .arg(calibration.expectedError * 100, 0, 'f', 1)
                           .arg(calibration.bins.size()));
        m_note->setText(
            tr("Is the model's confidence honest? Each bar shows how often the model was right "
               "when its confidence fell in that range (the number of images above it). On the "
               "dashed line confidence equals accuracy; bars below it mean an over-confident "
               "model. The expected calibration error is the bars' mean distance from the line, "
               "weighted by their images; the farthest bar, of %2 images, is %1 % away.")
                .arg(calibration.maximumError * 100, 0, 'f', 1)
                .arg(farthestBinCount(calibration)));
    }
    m_plot->replot();
}

QString CalibrationPlot::titleText() const
{
    auto* title = qobject_cast<QCPTextElement*>(m_plot->plotLayout()->element(0, 0));
    return title ? title->text() : QString();
}

QString CalibrationPlot::noteText() const
{
    return m_note->text();
}

int CalibrationPlot::barCount() const
{
    int count = 0;
    for (const CalibrationBin& bin : m_calibration.bins) {
        count += bin.count > 0 ? 1 : 0;
    }
    return count;
}

bool CalibrationPlot::savePng(const QString& path, int width, int height)
{
    return m_plot->savePng(path, width, height);
}

} // namespace studio
