#include "shapesdataset.h"

#include <QColor>
#include <QDir>
#include <QImage>
#include <QPainter>
#include <QRandomGenerator>

namespace studio::testdata {

void makeShapes(const QString& root, const QString& split, int count, quint32 seed)
{
    QRandomGenerator random(seed);
    const QStringList classes = {QStringLiteral("bars"), QStringLiteral("discs"),
                                 QStringLiteral("squares")};
    for (int c = 0; c < classes.size(); ++c) {
        const QString dir = root + QLatin1Char('/') + split + QLatin1Char('/') + classes[c];
        QDir().mkpath(dir);
        for (int i = 0; i < count; ++i) {
            QImage image(16, 16, QImage::Format_RGB888);
            for (int y = 0; y < 16; ++y) {
                for (int x = 0; x < 16; ++x) {
                    const int g = 100 + random.bounded(60);
                    image.setPixelColor(x, y, QColor(g, g, g));
                }
            }
            QPainter painter(&image);
            painter.setPen(Qt::NoPen);
            const int x = random.bounded(2, 7);
            const int y = random.bounded(2, 7);
            if (c == 0) {
                painter.setBrush(QColor(30, 30, 230));
                painter.drawRect(x, 1, 3, 14);
            } else if (c == 1) {
                painter.setBrush(QColor(30, 200, 30));
                painter.drawEllipse(x, y, 8, 8);
            } else {
                painter.setBrush(QColor(220, 30, 30));
                painter.drawRect(x, y, 7, 7);
            }
            painter.end();
            image.save(QStringLiteral("%1/%2.png").arg(dir).arg(i));
        }
    }
}

} // namespace studio::testdata
