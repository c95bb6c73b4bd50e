#include "cellsdataset.h"

#include <QColor>
#include <QDir>
#include <QImage>
#include <QPainter>
#include <QRandomGenerator>

#include <algorithm>

namespace studio::testdata {

namespace {

double uniform(QRandomGenerator& random, double low, double high)
{
    return low + random.generateDouble() * (high - low);
}

// One cell of class `kind` (0 elongated, 1 ring, 2 round) centred on the painter's origin.
void drawCell(QPainter& painter, QRandomGenerator& random, int kind, double scale)
{
    const int grey = int(uniform(random, 120, 200));
    if (kind == 1) {
        const double r = uniform(random, 9, 12) * scale;
        painter.setPen(QPen(QColor(grey, grey, grey), 2.5 * scale));
        painter.setBrush(Qt::NoBrush);
        painter.drawEllipse(QPointF(0, 0), r, r * uniform(random, 0.85, 1.0));
        return;
    }
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(grey, grey, grey));
    const double a = (kind == 0 ? uniform(random, 14, 18) : uniform(random, 8, 12)) * scale;
    const double b = a * (kind == 0 ? uniform(random, 0.3, 0.45) : uniform(random, 0.85, 1.0));
    painter.drawEllipse(QPointF(0, 0), a, b);
}

} // namespace

void makeCells(const QString& root, int count, quint32 seed, int width, int height)
{
    QRandomGenerator random(seed);
    const QStringList classes = {QStringLiteral("elongated"), QStringLiteral("ring"),
                                 QStringLiteral("round")};
    const double scale = std::min(width, height) / 96.0;
    for (int c = 0; c < classes.size(); ++c) {
        const QString dir = root + QLatin1Char('/') + classes[c];
        QDir().mkpath(dir);
        for (int i = 0; i < count; ++i) {
            QImage image(width, height, QImage::Format_Grayscale8);
            for (int y = 0; y < height; ++y) {
                uchar* line = image.scanLine(y);
                for (int x = 0; x < width; ++x) {
                    line[x] = uchar(10 + random.bounded(20));
                }
            }
            QPainter painter(&image);
            painter.setRenderHint(QPainter::Antialiasing);
            const int cells = 1 + random.bounded(3);
            for (int k = 0; k < cells; ++k) {
                painter.save();
                painter.translate(uniform(random, 20 * scale, width - 20 * scale),
                                  uniform(random, 20 * scale, height - 20 * scale));
                painter.rotate(uniform(random, 0, 180));
                drawCell(painter, random, c, scale);
                painter.restore();
            }
            painter.end();
            image.save(QStringLiteral("%1/%2_%3.png")
                           .arg(dir, classes[c])
                           .arg(i, 3, 10, QLatin1Char('0')));
        }
    }
}

} // namespace studio::testdata
