#include "classmetricsmodel.h"

#include <QFont>

#include <cmath>

namespace studio {

namespace {

// "0.987", or "–" for an area that is undefined (a class without images in the split).
QString areaText(double value)
{
    return std::isnan(value) ? QStringLiteral("–") : QString::number(value, 'f', 3);
}

} // namespace

ClassMetricsModel::ClassMetricsModel(QObject* parent) : QAbstractTableModel(parent) {}

void ClassMetricsModel::setMetrics(const EvaluationMetrics& metrics)
{
    beginResetModel();
    m_rows = metrics.perClass;
    m_classCount = int(m_rows.size());
    if (!m_rows.isEmpty()) {
        ClassMetrics macro = metrics.macroAverage;
        macro.name = tr("macro average");
        ClassMetrics weighted = metrics.weightedAverage;
        weighted.name = tr("weighted average");
        m_rows << macro << weighted;
    }
    endResetModel();
}

int ClassMetricsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ClassMetricsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ClassMetricsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size()) {
        return {};
    }
    const ClassMetrics& m = m_rows[index.row()];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case ClassColumn:
            return m.name;
        case PrecisionColumn:
            return QString::number(m.precision, 'f', 3);
        case RecallColumn:
            // Per class with its 95% interval: 45 test images make a wide one.
            return index.row() < m_classCount ? QStringLiteral("%1 (%2–%3)")
                                                    .arg(m.recall, 0, 'f', 3)
                                                    .arg(m.recallInterval.low, 0, 'f', 2)
                                                    .arg(m.recallInterval.high, 0, 'f', 2)
                                              : QString::number(m.recall, 'f', 3);
        case F1Column:
            return QString::number(m.f1, 'f', 3);
        case SupportColumn:
            return m.support;
        case RocAucColumn:
            return areaText(m.rocAuc);
        case AveragePrecisionColumn:
            return areaText(m.averagePrecision);
        default:
            return {};
        }
    }
    if (role == Qt::UserRole) { // the raw number, for sorting and tests
        switch (index.column()) {
        case PrecisionColumn:
            return m.precision;
        case RecallColumn:
            return m.recall;
        case F1Column:
            return m.f1;
        case SupportColumn:
            return m.support;
        case RocAucColumn:
            return m.rocAuc;
        case AveragePrecisionColumn:
            return m.averagePrecision;
        default:
            return m.name;
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() != ClassColumn) {
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role == Qt::FontRole && index.row() >= m_classCount) {
        QFont font;
        font.setItalic(true);
        return font;
    }
    return {};
}

QVariant ClassMetricsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal) {
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (section) {
        case ClassColumn:
            return tr("class");
        case PrecisionColumn:
            return tr("precision");
        case RecallColumn:
            return tr("recall");
        case F1Column:
            return tr("F1");
        case SupportColumn:
            return tr("support");
        case RocAucColumn:
            return tr("ROC AUC");
        case AveragePrecisionColumn:
            return tr("PR AUC");
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case PrecisionColumn:
            return tr("Of the images the model put in this class, the fraction that belong "
                      "there.");
        case RecallColumn:
            return tr("Of the images of this class, the fraction the model found, with its 95% "
                      "confidence interval (Wilson) in brackets: the range the true recall lies "
                      "in, given how few images were evaluated.");
        case F1Column:
            return tr("The harmonic mean of precision and recall: high only when both are.");
        case SupportColumn:
            return tr("How many evaluated images belong to this class.");
        case RocAucColumn:
            return tr("Area under the ROC curve of this class against the rest: the chance that "
                      "an image of the class gets a higher score for it than an image of another "
                      "class (0.5 is guessing, 1 is perfect). \"–\" when the split has no image "
                      "of the class.");
        case AveragePrecisionColumn:
            return tr("Area under the precision-recall curve (average precision, as "
                      "scikit-learn): high only when the class's images come first in the "
                      "ranking of its scores. Guessing gives the class's share of the images.");
        default:
            return {};
        }
    }
    return {};
}

} // namespace studio
