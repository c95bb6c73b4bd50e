// The document's layer stack as a table (position, type, key parameters, output shape,
// parameters, frozen) with each layer's problems; every edit is an undoable command on the
// document.
#pragma once

#include "model/layerspec.h"

#include <QAbstractTableModel>

namespace studio {

class ProjectDocument;

class LayerStackModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        PositionColumn,
        TypeColumn,
        ParametersColumn,
        OutputShapeColumn,
        ParamsColumn,
        FrozenColumn, // a check box: Keras's trainable = False, for layers with weights
        ColumnCount
    };

    explicit LayerStackModel(ProjectDocument* document, QObject* parent = nullptr);

    const ModelSpec& spec() const;
    LayerSpec layer(int row) const;
    // The messages of the problems of layer `row`, one per line; empty when it has none.
    QString issueText(int row) const;
    bool hasError(int row) const;
    // "12 filters, 2×2, valid, relu"
    static QString parameterText(const LayerSpec& layer);

    // Edits, each one undo step. They return the row of the layer concerned afterwards (-1
    // when nothing was done).
    int insertLayer(int row, const LayerSpec& layer);
    int removeLayer(int row);
    int duplicateLayer(int row);
    // Moves layer `from` so that it ends up at position `to`.
    int moveLayer(int from, int to);
    // Replaces layer `row`; consecutive edits with the same non-empty mergeKey are one step.
    int setLayer(int row, const LayerSpec& layer, const QString& mergeKey = QString());
    void setLayers(const ModelSpec& model, const QString& text);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    // The Frozen column's check box freezes or unfreezes the layer (one undo step).
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    // Freezes (or unfreezes) the layer in `row`; false when it has no weights to freeze.
    bool setFrozen(int row, bool frozen);
    Qt::DropActions supportedDropActions() const override;
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QModelIndexList& indexes) const override;
    // Moves the dragged layer itself and returns false, so that the view removes nothing.
    bool dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column,
                      const QModelIndex& parent) override;

    static const QString kMimeType;

private:
    void refresh();

    ProjectDocument* m_document;
    int m_rows = 0;
};

} // namespace studio
