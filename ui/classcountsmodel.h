// The table of image counts per class (rows) and split (columns) of a scanned dataset, with a
// Total row and column, and what each class's images are (channels, bit depth, size).
#pragma once

#include "dataset/datasetindex.h"

#include <QAbstractTableModel>
#include <QVector>

#include <array>

namespace studio {

class ClassCountsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        ClassColumn,
        TrainColumn,
        ValidationColumn,
        TestColumn,
        TotalColumn,
        FormatColumn,
        ColumnCount
    };

    explicit ClassCountsModel(QObject* parent = nullptr);

    void setIndex(const DatasetIndex& index);
    void clear();

    // Images of `label` in `split`; of every class when label is -1.
    int count(Split split, int label = -1) const;
    QStringList classes() const { return m_classes; }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QStringList m_classes;
    QVector<std::array<int, kSplitCount>> m_counts; // per class
    QVector<ClassImageFormats> m_formats;           // per class
    bool m_hasSplit[kSplitCount] = {true, true, true};
};

} // namespace studio
