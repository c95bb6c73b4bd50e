// The runs table of the Runs view: RunSummary rows (cross-validation folders expand into their
// folds) with the catalog's columns, cells and order (core/runs/runcatalog.h).
#pragma once

#include "runs/runcatalog.h"

#include <QAbstractItemModel>
#include <QSortFilterProxyModel>
#include <QVector>

namespace studio {

// A tree model over the runs: top-level rows are runs and cross-validations, a cross-validation's
// children its folds. Qt::DisplayRole shows runCell(), Qt::ToolTipRole the status's reason and
// the path, Qt::UserRole the raw value (number, date, status name), kPathRole the folder.
class RunsModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    static constexpr int kPathRole = Qt::UserRole + 1;
    static constexpr int kCrossValidationRole = Qt::UserRole + 2;

    explicit RunsModel(QObject* parent = nullptr);

    void setRuns(const QVector<RunSummary>& runs);
    const QVector<RunSummary>& runs() const { return m_runs; }
    // The row's run (a fold for a child index); nullptr for an invalid index.
    const RunSummary* run(const QModelIndex& index) const;
    // The index (column 0) of the run or fold whose folder is `path`; invalid when none.
    QModelIndex indexOfPath(const QString& path) const;
    // Replaces the row of the run at `path` (after a note was written, say).
    void updateRun(const RunSummary& run);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    static QVariant rawValue(const RunSummary& run, RunColumn column);
    static QString toolTip(const RunSummary& run);

    QVector<RunSummary> m_runs;
};

// Sorts the runs table by runLess() (numbers as numbers, unknown values last), folds within
// their cross-validation.
class RunsSortModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit RunsSortModel(QObject* parent = nullptr);

protected:
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;
};

} // namespace studio
