#include "reportcharts.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace studio {

namespace {

constexpr double kScale = 2.0; // pixels per logical pixel: sharp when printed

// The plotting area of a chart and the mapping of data to it.
struct Frame
{
    QRectF area;
    double xMin = 0, xMax = 1, yMin = 0, yMax = 1;

    QPointF map(const QPointF& p) const
    {
        const double x = area.left() + (p.x() - xMin) / (xMax - xMin) * area.width();
        const double y = area.bottom() - (p.y() - yMin) / (yMax - yMin) * area.height();
        return {x, y};
    }
};

QImage blankImage(QSize size)
{
    QImage image(size * kScale, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(kScale);
    image.fill(Qt::white);
    return image;
}

// A "nice" step for about `ticks` ticks over `span`.
double niceStep(double span, int ticks)
{
    const double raw = span / std::max(1, ticks);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (raw <= m * magnitude) {
            return m * magnitude;
        }
    }
    return 10 * magnitude;
}

// The title, the axes with their ticks and labels, and the grid.
Frame drawAxes(QPainter& p, QSize size, const QString& title, const QString& xLabel,
               const QString& yLabel, double xMin, double xMax, double yMin, double yMax,
               bool wholeX = false)
{
    Frame f;
    f.xMin = xMin;
    f.xMax = xMax > xMin ? xMax : xMin + 1;
    f.yMin = yMin;
    f.yMax = yMax > yMin ? yMax : yMin + 1;
    f.area = QRectF(58, 30, size.width() - 58 - 14, size.height() - 30 - 44);
    QFont font = p.font();
    font.setPixelSize(11);
    p.setFont(font);
    QFont bold = font;
    bold.setBold(true);
    bold.setPixelSize(12);
    p.setFont(bold);
    p.setPen(Qt::black);
    p.drawText(QRectF(0, 4, size.width(), 20), Qt::AlignCenter, title);
    p.setFont(font);
    const double xStep = wholeX ? std::max(1.0, std::round(niceStep(f.xMax - f.xMin, 6)))
                                : niceStep(f.xMax - f.xMin, 6);
    const double yStep = niceStep(f.yMax - f.yMin, 5);
    for (double x = std::ceil(f.xMin / xStep) * xStep; x <= f.xMax + 1e-9; x += xStep) {
        const QPointF at = f.map({x, f.yMin});
        p.setPen(QPen(QColor(225, 225, 225), 0.8));
        p.drawLine(QPointF(at.x(), f.area.top()), at);
        p.setPen(Qt::black);
        p.drawText(QRectF(at.x() - 30, at.y() + 3, 60, 14), Qt::AlignHCenter | Qt::AlignTop,
                   QString::number(x, 'g', 4));
    }
    for (double y = std::ceil(f.yMin / yStep) * yStep; y <= f.yMax + 1e-9; y += yStep) {
        const QPointF at = f.map({f.xMin, y});
        p.setPen(QPen(QColor(225, 225, 225), 0.8));
        p.drawLine(at, QPointF(f.area.right(), at.y()));
        p.setPen(Qt::black);
        p.drawText(QRectF(0, at.y() - 7, f.area.left() - 5, 14), Qt::AlignRight | Qt::AlignVCenter,
                   QString::number(y, 'g', 4));
    }
    p.setPen(QPen(Qt::black, 1));
    p.drawRect(f.area);
    p.drawText(QRectF(f.area.left(), size.height() - 18, f.area.width(), 16), Qt::AlignCenter,
               xLabel);
    p.save();
    p.translate(12, f.area.center().y());
    p.rotate(-90);
    p.drawText(QRectF(-f.area.height() / 2, -8, f.area.height(), 16), Qt::AlignCenter, yLabel);
    p.restore();
    return f;
}

// The names of the series in a box at the area's lower right.
void drawLegend(QPainter& p, const Frame& f, const QVector<ChartSeries>& series, bool top)
{
    QVector<const ChartSeries*> named;
    for (const ChartSeries& s : series) {
        if (!s.name.isEmpty()) {
            named << &s;
        }
    }
    if (named.isEmpty()) {
        return;
    }
    const QFontMetricsF metrics(p.font());
    double width = 0;
    for (const ChartSeries* s : named) {
        width = std::max(width, metrics.horizontalAdvance(s->name));
    }
    const double line = 14;
    const QRectF box(f.area.right() - width - 40,
                     top ? f.area.top() + 6 : f.area.bottom() - line * named.size() - 12,
                     width + 34, line * named.size() + 6);
    p.setPen(QPen(QColor(160, 160, 160), 0.8));
    p.setBrush(QColor(255, 255, 255, 230));
    p.drawRect(box);
    for (int i = 0; i < named.size(); ++i) {
        const double y = box.top() + 3 + line * i + line / 2;
        p.setPen(QPen(named[i]->color, 2, named[i]->dashed ? Qt::DashLine : Qt::SolidLine));
        p.drawLine(QPointF(box.left() + 5, y), QPointF(box.left() + 25, y));
        p.setPen(Qt::black);
        p.drawText(QRectF(box.left() + 29, y - line / 2, width + 4, line), Qt::AlignVCenter,
                   named[i]->name);
    }
}

void drawSeries(QPainter& p, const Frame& f, const ChartSeries& s)
{
    if (s.points.isEmpty()) {
        return;
    }
    QPainterPath path(f.map(s.points.first()));
    for (const QPointF& point : s.points) {
        path.lineTo(f.map(point));
    }
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(s.color, 1.6, s.dashed ? Qt::DashLine : Qt::SolidLine));
    p.drawPath(path);
    if (s.markers) {
        p.setBrush(s.color);
        for (const QPointF& point : s.points) {
            p.drawEllipse(f.map(point), 2.5, 2.5);
        }
    }
}

} // namespace

QColor seriesColor(int index)
{
    static const QColor colors[] = {
        {31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
        {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
    constexpr int count = int(sizeof(colors) / sizeof(colors[0]));
    return colors[((index % count) + count) % count];
}

QImage paintLineChart(const LineChart& chart, QSize size)
{
    QImage image = blankImage(size);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    double xMin = 0, xMax = 1, yMin = 0, yMax = 1;
    if (!chart.unitSquare) {
        xMin = yMin = std::numeric_limits<double>::max();
        xMax = yMax = std::numeric_limits<double>::lowest();
        for (const ChartSeries& s : chart.series) {
            for (const QPointF& point : s.points) {
                xMin = std::min(xMin, point.x());
                xMax = std::max(xMax, point.x());
                yMin = std::min(yMin, point.y());
                yMax = std::max(yMax, point.y());
            }
        }
        if (xMin > xMax) {
            xMin = yMin = 0;
            xMax = yMax = 1;
        }
        const double margin = (yMax - yMin) * 0.05;
        yMin -= margin;
        yMax += margin;
    }
    const Frame f = drawAxes(p, size, chart.title, chart.xLabel, chart.yLabel, xMin, xMax, yMin,
                             yMax, chart.wholeX);
    p.setClipRect(f.area);
    for (const ChartSeries& s : chart.series) {
        drawSeries(p, f, s);
    }
    p.setClipping(false);
    drawLegend(p, f, chart.series,
               !chart.unitSquare && chart.yLabel.contains(QLatin1String("loss")));
    return image;
}

QImage paintConfusionMatrix(const EvaluationMetrics& m, QSize size)
{
    QImage image = blankImage(size);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    const int n = int(m.classes.size());
    QFont font = p.font();
    font.setPixelSize(n > 12 ? 8 : 11);
    p.setFont(font);
    const QFontMetricsF metrics(font);
    double labelWidth = 0;
    for (const QString& name : m.classes) {
        labelWidth = std::max(labelWidth, metrics.horizontalAdvance(name));
    }
    const double left = labelWidth + 28;
    const double bottom = labelWidth * 0.75 + 34;
    const double cell =
        std::max(4.0, std::min((size.width() - left - 10) / n, (size.height() - bottom - 10) / n));
    int largest = 1;
    for (const QVector<int>& row : m.confusion) {
        largest = std::max(largest, *std::max_element(row.begin(), row.end()));
    }
    for (int t = 0; t < n; ++t) {
        for (int c = 0; c < n; ++c) {
            const QRectF box(left + c * cell, 10 + t * cell, cell, cell);
            const double share = double(m.confusion[t][c]) / largest;
            const QColor fill = QColor::fromRgbF(1 - 0.9 * share, 1 - 0.6 * share, 1 - 0.3 * share);
            p.fillRect(box, fill);
            p.setPen(share > 0.55 ? Qt::white : Qt::black);
            if (cell >= 16) {
                p.drawText(box, Qt::AlignCenter, QString::number(m.confusion[t][c]));
            }
        }
        p.setPen(Qt::black);
        p.drawText(QRectF(0, 10 + t * cell, left - 6, cell), Qt::AlignRight | Qt::AlignVCenter,
                   m.classes[t]);
    }
    for (int c = 0; c < n; ++c) {
        p.save();
        p.translate(left + (c + 0.5) * cell, 10 + n * cell + 4);
        p.rotate(45);
        p.drawText(QRectF(0, -7, labelWidth + 4, 14), Qt::AlignLeft | Qt::AlignVCenter,
                   m.classes[c]);
        p.restore();
    }
    p.drawText(QRectF(left, size.height() - 16, n * cell, 14), Qt::AlignCenter,
               QStringLiteral("predicted class (rows: true class)"));
    return image;
}

QImage paintRocCurves(const QVector<ClassCurves>& curves, QSize size)
{
    LineChart chart;
    chart.title = QStringLiteral("ROC curves, each class against the rest");
    chart.xLabel = QStringLiteral("false positive rate");
    chart.yLabel = QStringLiteral("true positive rate");
    chart.unitSquare = true;
    chart.series << ChartSeries{QString(), {{0, 0}, {1, 1}}, QColor(150, 150, 150), true, false};
    for (int c = 0; c < curves.size(); ++c) {
        if (std::isnan(curves[c].rocAuc)) {
            continue;
        }
        ChartSeries s;
        s.name = QStringLiteral("%1 (AUC %2)").arg(curves[c].name).arg(curves[c].rocAuc, 0, 'f', 3);
        s.color = seriesColor(c);
        for (const CurvePoint& point : curves[c].roc) {
            s.points << QPointF(point.x, point.y);
        }
        chart.series << s;
    }
    return paintLineChart(chart, size);
}

QImage paintCalibration(const Calibration& calibration, QSize size)
{
    QImage image = blankImage(size);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    const Frame f = drawAxes(p, size,
                             QStringLiteral("Calibration: expected calibration error %1%")
                                 .arg(calibration.expectedError * 100, 0, 'f', 1),
                             QStringLiteral("confidence of the answer"),
                             QStringLiteral("fraction right"), 0, 1, 0, 1);
    for (const CalibrationBin& bin : calibration.bins) {
        if (bin.count == 0) {
            continue;
        }
        const QRectF bar(f.map({bin.low, bin.accuracy}), f.map({bin.high, 0}));
        p.fillRect(bar.adjusted(1, 0, -1, 0), seriesColor(0).lighter(130));
        p.setPen(Qt::black);
        p.drawText(QRectF(bar.left(), bar.top() - 14, bar.width(), 13),
                   Qt::AlignHCenter | Qt::AlignBottom, QString::number(bin.count));
    }
    p.setPen(QPen(Qt::black, 1, Qt::DashLine));
    p.drawLine(f.map({0, 0}), f.map({1, 1}));
    return image;
}

} // namespace studio
