// The per-class table of an evaluation: precision, recall, F1, support, ROC AUC and average
// precision of every class, then the macro and weighted averages.
#pragma once

#include "evaluation/metrics.h"

#include <QAbstractTableModel>

namespace studio {

class ClassMetricsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        ClassColumn,
        PrecisionColumn,
        RecallColumn,
        F1Column,
        SupportColumn,
        RocAucColumn,           // one class against the rest
        AveragePrecisionColumn, // the area under the precision-recall curve
        ColumnCount
    };

    explicit ClassMetricsModel(QObject* parent = nullptr);

    void setMetrics(const EvaluationMetrics& metrics);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QVector<ClassMetrics> m_rows; // the classes, then macro and weighted averages
    int m_classCount = 0;
};

} // namespace studio
