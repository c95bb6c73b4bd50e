#include "classbalancechart.h"

#include "classcountsmodel.h"
#include "theme.h"

#include <QSharedPointer>

namespace studio {

ClassBalanceChart::ClassBalanceChart(QWidget* parent) : QCustomPlot(parent)
{
    setObjectName(QStringLiteral("classBalanceChart"));
    setMinimumHeight(180);
    auto* group = new QCPBarsGroup(this);
    const QStringList names = {tr("Train"), tr("Validation"), tr("Test")};
    const QVector<QColor> colors = {QColor(31, 119, 180), QColor(255, 127, 14),
                                    QColor(44, 160, 44)};
    for (int split = 0; split < kSplitCount; ++split) {
        auto* bars = new QCPBars(xAxis, yAxis);
        bars->setName(names[split]);
        bars->setPen(Qt::NoPen);
        bars->setBrush(colors[split]);
        bars->setWidth(0.25);
        bars->setBarsGroup(group);
        m_bars.append(bars);
    }
    yAxis->setLabel(tr("Images"));
    legend->setVisible(true);
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    followPalette(this);
    setToolTip(tr("How many images each class has in each split. Very unequal bars mean the "
                  "network sees some classes far more often than others; consider "
                  "class_weights \"balanced\" on the Train page."));
}

void ClassBalanceChart::setCounts(const ClassCountsModel& counts)
{
    const QStringList classes = counts.classes();
    QVector<double> keys;
    for (int i = 0; i < classes.size(); ++i) {
        keys.append(i + 1);
    }
    double maximum = 0;
    for (int split = 0; split < kSplitCount; ++split) {
        QVector<double> heights;
        for (int label = 0; label < classes.size(); ++label) {
            heights.append(counts.count(Split(split), label));
            maximum = std::max(maximum, heights.last());
        }
        m_bars[split]->setData(keys, heights, true);
    }
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    ticker->addTicks(keys, classes.toVector());
    xAxis->setTicker(ticker);
    xAxis->setTickLabelRotation(classes.size() > 6 ? 45 : 0);
    xAxis->setRange(0.3, classes.size() + 0.7);
    yAxis->setRange(0, std::max(1.0, maximum * 1.1));
    replot(QCustomPlot::rpQueuedReplot);
}

QVector<double> ClassBalanceChart::values(int split) const
{
    QVector<double> result;
    for (auto it = m_bars[split]->data()->constBegin(); it != m_bars[split]->data()->constEnd();
         ++it) {
        result.append(it->value);
    }
    return result;
}

} // namespace studio
