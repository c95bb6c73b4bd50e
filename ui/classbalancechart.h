// The class-balance bar chart of the Data page: images per class, one bar per split.
#pragma once

#include "qcustomplotwrapper.h"

#include <QStringList>
#include <QVector>

namespace studio {

class ClassCountsModel;

class ClassBalanceChart : public QCustomPlot
{
    Q_OBJECT

public:
    explicit ClassBalanceChart(QWidget* parent = nullptr);

    // Redraws the bars from `counts` (empty: no bars).
    void setCounts(const ClassCountsModel& counts);
    // The bar heights of one split ("train" is 0), in class order.
    QVector<double> values(int split) const;

private:
    QVector<QCPBars*> m_bars;
};

} // namespace studio
