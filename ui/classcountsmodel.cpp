#include "classcountsmodel.h"

#include "dataset/imageformats.h"

#include <QFont>

namespace studio {

ClassCountsModel::ClassCountsModel(QObject* parent) : QAbstractTableModel(parent) {}

void ClassCountsModel::setIndex(const DatasetIndex& index)
{
    beginResetModel();
    m_classes = index.classes;
    m_counts = QVector<std::array<int, kSplitCount>>(m_classes.size(), {0, 0, 0});
    for (const DatasetItem& item : index.items) {
        if (item.label >= 0 && item.label < m_counts.size()) {
            ++m_counts[item.label][int(item.split)];
        }
    }
    m_formats = index.formats;
    m_hasSplit[int(Split::Train)] = true;
    m_hasSplit[int(Split::Validation)] = index.hasValidation;
    m_hasSplit[int(Split::Test)] = index.hasTest;
    endResetModel();
}

void ClassCountsModel::clear()
{
    beginResetModel();
    m_classes.clear();
    m_counts.clear();
    m_formats.clear();
    endResetModel();
}

int ClassCountsModel::count(Split split, int label) const
{
    if (label >= 0) {
        return label < m_counts.size() ? m_counts[label][int(split)] : 0;
    }
    int total = 0;
    for (const auto& row : m_counts) {
        total += row[int(split)];
    }
    return total;
}

int ClassCountsModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() || m_classes.isEmpty()) {
        return 0;
    }
    return int(m_classes.size()) + 1; // + Total
}

int ClassCountsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ClassCountsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid()) {
        return {};
    }
    const int row = index.row();
    const bool totalRow = row == m_classes.size();
    const int label = totalRow ? -1 : row;
    if (role == Qt::FontRole && (totalRow || index.column() == TotalColumn)) {
        QFont font;
        font.setBold(true);
        return font;
    }
    if (role == Qt::TextAlignmentRole && index.column() != ClassColumn &&
        index.column() != FormatColumn) {
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role != Qt::DisplayRole && role != Qt::EditRole) {
        return {};
    }
    switch (index.column()) {
    case ClassColumn:
        return totalRow ? tr("Total") : m_classes[row];
    case TrainColumn:
    case ValidationColumn:
    case TestColumn: {
        const Split split = Split(index.column() - TrainColumn);
        if (!m_hasSplit[int(split)]) {
            return role == Qt::DisplayRole ? QVariant(QStringLiteral("–")) : QVariant(0);
        }
        return count(split, label);
    }
    case TotalColumn:
        return count(Split::Train, label) + count(Split::Validation, label) +
               count(Split::Test, label);
    case FormatColumn:
        return describeFormats(totalRow ? combinedFormats(m_formats) : m_formats.value(label));
    }
    return {};
}

QVariant ClassCountsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case ClassColumn:
        return tr("Class");
    case TrainColumn:
        return tr("Train");
    case ValidationColumn:
        return tr("Validation");
    case TestColumn:
        return tr("Test");
    case TotalColumn:
        return tr("Total");
    case FormatColumn:
        return tr("Images");
    }
    return {};
}

} // namespace studio
