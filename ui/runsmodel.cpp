#include "runsmodel.h"

#include <QDir>

#include <cmath>

namespace studio {

namespace {

// Top-level rows have internal id 0, a fold the 1-based row of its cross-validation.
constexpr quintptr kTopLevel = 0;

QVariant number(double value)
{
    return std::isfinite(value) ? QVariant(value) : QVariant();
}

} // namespace

RunsModel::RunsModel(QObject* parent) : QAbstractItemModel(parent) {}

void RunsModel::setRuns(const QVector<RunSummary>& runs)
{
    beginResetModel();
    m_runs = runs;
    endResetModel();
}

const RunSummary* RunsModel::run(const QModelIndex& index) const
{
    if (!index.isValid() || index.model() != this) {
        return nullptr;
    }
    if (index.internalId() == kTopLevel) {
        return index.row() < m_runs.size() ? &m_runs[index.row()] : nullptr;
    }
    const int parentRow = int(index.internalId()) - 1;
    if (parentRow >= m_runs.size() || index.row() >= m_runs[parentRow].folds.size()) {
        return nullptr;
    }
    return &m_runs[parentRow].folds[index.row()];
}

QModelIndex RunsModel::indexOfPath(const QString& path) const
{
    const QString clean = QDir::cleanPath(path);
    for (int row = 0; row < m_runs.size(); ++row) {
        if (QDir::cleanPath(m_runs[row].path) == clean) {
            return index(row, 0);
        }
        const QVector<RunSummary>& folds = m_runs[row].folds;
        for (int fold = 0; fold < folds.size(); ++fold) {
            if (QDir::cleanPath(folds[fold].path) == clean) {
                return index(fold, 0, index(row, 0));
            }
        }
    }
    return {};
}

void RunsModel::updateRun(const RunSummary& updated)
{
    const QModelIndex found = indexOfPath(updated.path);
    if (!found.isValid()) {
        return;
    }
    RunSummary* target = found.internalId() == kTopLevel
                             ? &m_runs[found.row()]
                             : &m_runs[int(found.internalId()) - 1].folds[found.row()];
    *target = updated;
    Q_EMIT dataChanged(found, found.siblingAtColumn(columnCount() - 1));
}

QModelIndex RunsModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= columnCount() || row >= rowCount(parent)) {
        return {};
    }
    return createIndex(row, column, parent.isValid() ? quintptr(parent.row() + 1) : kTopLevel);
}

QModelIndex RunsModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == kTopLevel) {
        return {};
    }
    return createIndex(int(child.internalId()) - 1, 0, kTopLevel);
}

int RunsModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid()) {
        return int(m_runs.size());
    }
    if (parent.column() != 0 || parent.internalId() != kTopLevel) {
        return 0; // folds have no children
    }
    return parent.row() < m_runs.size() ? int(m_runs[parent.row()].folds.size()) : 0;
}

int RunsModel::columnCount(const QModelIndex&) const
{
    return int(RunColumn::Count);
}

QVariant RunsModel::data(const QModelIndex& index, int role) const
{
    const RunSummary* summary = run(index);
    if (summary == nullptr) {
        return {};
    }
    const auto column = RunColumn(index.column());
    switch (role) {
    case Qt::DisplayRole:
        return runCell(*summary, column);
    case Qt::ToolTipRole:
        return toolTip(*summary);
    case Qt::UserRole:
        return rawValue(*summary, column);
    case kPathRole:
        return summary->path;
    case kCrossValidationRole:
        return summary->crossValidation;
    default:
        return {};
    }
}

QVariant RunsModel::rawValue(const RunSummary& run, RunColumn column)
{
    const bool cv = run.crossValidation;
    switch (column) {
    case RunColumn::Started:
        return run.started;
    case RunColumn::Name:
        return run.name;
    case RunColumn::Dataset:
        return run.dataset;
    case RunColumn::Network:
        return run.network;
    case RunColumn::ImageSize:
        return run.imageSize;
    case RunColumn::Epochs:
        return run.epochsRun;
    case RunColumn::BestValidation:
        return number(run.bestValidationAccuracy);
    case RunColumn::TestAccuracy:
        return number(cv ? run.foldAccuracy.mean : run.testAccuracy);
    case RunColumn::BalancedAccuracy:
        return number(cv ? run.foldBalancedAccuracy.mean : run.balancedAccuracy);
    case RunColumn::Duration:
        return run.durationSeconds >= 0 ? QVariant(run.durationSeconds) : QVariant();
    case RunColumn::Status:
        return runStatusName(run.status);
    case RunColumn::Note:
        return run.note;
    case RunColumn::Count:
        break;
    }
    return {};
}

QString RunsModel::toolTip(const RunSummary& run)
{
    QString tip = run.path + QLatin1Char('\n') + tr("Status: %1").arg(runStatusName(run.status));
    if (!run.reason.isEmpty()) {
        tip += QStringLiteral(" (") + run.reason + QLatin1Char(')');
    }
    if (!run.note.isEmpty()) {
        tip += QLatin1Char('\n') + tr("Note: %1").arg(run.note);
    }
    return tip;
}

QVariant RunsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount()) {
        return {};
    }
    if (role == Qt::DisplayRole) {
        return runColumnTitle(RunColumn(section));
    }
    if (role == Qt::ToolTipRole) {
        // The technical name, as `classifier-cli runs --sort` and the JSON call it.
        return runColumnKey(RunColumn(section));
    }
    return {};
}

RunsSortModel::RunsSortModel(QObject* parent) : QSortFilterProxyModel(parent) {}

bool RunsSortModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const auto* model = qobject_cast<const RunsModel*>(sourceModel());
    const RunSummary* a = model != nullptr ? model->run(left) : nullptr;
    const RunSummary* b = model != nullptr ? model->run(right) : nullptr;
    if (a == nullptr || b == nullptr) {
        return QSortFilterProxyModel::lessThan(left, right);
    }
    return runLess(*a, *b, RunColumn(left.column()));
}

} // namespace studio
