#include "layerstackmodel.h"

#include <QFileInfo>

#include "projectdocument.h"

#include <QApplication>
#include <QBrush>
#include <QMimeData>
#include <QPalette>
#include <QStyle>

#include <algorithm>

namespace studio {

const QString LayerStackModel::kMimeType = QStringLiteral("application/x-classifier-studio-layer");

namespace {

QString sizeText(const Size2& size)
{
    return QStringLiteral("%1×%2").arg(size.height).arg(size.width);
}

} // namespace

LayerStackModel::LayerStackModel(ProjectDocument* document, QObject* parent)
    : QAbstractTableModel(parent), m_document(document), m_rows(int(spec().layers.size()))
{
    connect(m_document, &ProjectDocument::modelSummaryChanged, this, &LayerStackModel::refresh);
}

const ModelSpec& LayerStackModel::spec() const
{
    return m_document->project().model;
}

LayerSpec LayerStackModel::layer(int row) const
{
    return row >= 0 && row < spec().layers.size() ? spec().layers[row] : LayerSpec();
}

QString LayerStackModel::issueText(int row) const
{
    QStringList messages;
    for (const ModelIssue& issue : m_document->modelSummary().issues) {
        if (issue.layer == row) {
            messages.append(issue.message);
        }
    }
    return messages.join(QLatin1Char('\n'));
}

bool LayerStackModel::hasError(int row) const
{
    for (const ModelIssue& issue : m_document->modelSummary().issues) {
        if (issue.layer == row && issue.severity == IssueSeverity::Error) {
            return true;
        }
    }
    return false;
}

QString LayerStackModel::parameterText(const LayerSpec& layer)
{
    QStringList parts;
    const auto stridesAndPadding = [&] {
        if (layer.strides) {
            parts.append(tr("strides %1").arg(sizeText(*layer.strides)));
        }
        parts.append(paddingName(layer.padding));
    };
    switch (layer.type) {
    case LayerType::Conv2D:
        parts.append(tr("%n filter(s)", nullptr, layer.filters));
        parts.append(sizeText(layer.kernelSize));
        stridesAndPadding();
        parts.append(activationName(layer.activation));
        break;
    case LayerType::MaxPooling2D:
    case LayerType::AveragePooling2D:
        parts.append(tr("pool %1").arg(sizeText(layer.poolSize)));
        stridesAndPadding();
        break;
    case LayerType::Dense:
        parts.append(tr("%n unit(s)", nullptr, layer.units));
        parts.append(activationName(layer.activation));
        break;
    case LayerType::Dropout:
        parts.append(tr("rate %1").arg(layer.rate));
        break;
    case LayerType::BatchNormalization:
        parts.append(tr("momentum %1").arg(layer.momentum));
        parts.append(tr("epsilon %1").arg(layer.epsilon));
        break;
    case LayerType::Activation:
        parts.append(activationName(layer.activation));
        break;
    case LayerType::FeatureExtractor:
        parts.append(QFileInfo(layer.extractor.path).fileName());
        parts.append(tr("%1×%2 in")
                         .arg(layer.extractor.inputSize.height)
                         .arg(layer.extractor.inputSize.width));
        if (layer.extractor.features > 0) {
            parts.append(tr("%1 features out").arg(layer.extractor.features));
        }
        break;
    case LayerType::GlobalAveragePooling2D:
    case LayerType::Flatten:
        break;
    }
    if ((layer.type == LayerType::Conv2D || layer.type == LayerType::Dense) && !layer.useBias) {
        parts.append(tr("no bias"));
    }
    return parts.join(QStringLiteral(", "));
}

int LayerStackModel::insertLayer(int row, const LayerSpec& layer)
{
    ModelSpec next = spec();
    row = std::clamp(row, 0, int(next.layers.size()));
    next.layers.insert(row, layer);
    setLayers(next, tr("Add %1").arg(layerTypeName(layer.type)));
    return row;
}

int LayerStackModel::removeLayer(int row)
{
    if (row < 0 || row >= spec().layers.size()) {
        return -1;
    }
    ModelSpec next = spec();
    const LayerType type = next.layers[row].type;
    next.layers.removeAt(row);
    setLayers(next, tr("Remove %1").arg(layerTypeName(type)));
    return next.layers.isEmpty() ? -1 : std::min(row, int(next.layers.size()) - 1);
}

int LayerStackModel::duplicateLayer(int row)
{
    if (row < 0 || row >= spec().layers.size()) {
        return -1;
    }
    ModelSpec next = spec();
    const LayerSpec copy = next.layers[row];
    next.layers.insert(row + 1, copy);
    setLayers(next, tr("Duplicate %1").arg(layerTypeName(copy.type)));
    return row + 1;
}

int LayerStackModel::moveLayer(int from, int to)
{
    const int count = int(spec().layers.size());
    if (from < 0 || from >= count || to < 0 || to >= count || from == to) {
        return -1;
    }
    ModelSpec next = spec();
    next.layers.move(from, to);
    setLayers(next, tr("Move %1").arg(layerTypeName(next.layers[to].type)));
    return to;
}

int LayerStackModel::setLayer(int row, const LayerSpec& layer, const QString& mergeKey)
{
    if (row < 0 || row >= spec().layers.size()) {
        return -1;
    }
    ModelSpec next = spec();
    next.layers[row] = layer;
    m_document->setModel(next, tr("Edit layer %1 (%2)").arg(row + 1).arg(layerTypeName(layer.type)),
                         mergeKey.isEmpty() ? QString()
                                            : QStringLiteral("layer%1.%2").arg(row).arg(mergeKey));
    return row;
}

void LayerStackModel::setLayers(const ModelSpec& model, const QString& text)
{
    m_document->setModel(model, text);
}

void LayerStackModel::refresh()
{
    const int rows = int(spec().layers.size());
    if (rows != m_rows) {
        beginResetModel();
        m_rows = rows;
        endResetModel();
    } else if (rows > 0) {
        Q_EMIT dataChanged(index(0, 0), index(rows - 1, ColumnCount - 1));
    }
}

int LayerStackModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int LayerStackModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LayerStackModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= spec().layers.size()) {
        return {};
    }
    const int row = index.row();
    const LayerSpec& layer = spec().layers[row];
    const ModelSummary& summary = m_document->modelSummary();
    const LayerSummary* info = row < summary.layers.size() ? &summary.layers[row] : nullptr;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case PositionColumn:
            return row + 1;
        case TypeColumn:
            return layerTypeName(layer.type);
        case ParametersColumn:
            return parameterText(layer);
        case OutputShapeColumn:
            return info && info->known() ? formatKerasShape(info->outputShape)
                                         : QStringLiteral("?");
        case ParamsColumn:
            return info && info->known() ? formatThousands(info->params) : QStringLiteral("?");
        }
        return {};
    case Qt::CheckStateRole:
        if (index.column() == FrozenColumn && layerTypeHasWeights(layer.type)) {
            return layer.trainable ? Qt::Unchecked : Qt::Checked;
        }
        return {};
    case Qt::ToolTipRole: {
        if (index.column() == FrozenColumn) {
            return layerTypeHasWeights(layer.type)
                       ? tr("Frozen layers keep their weights during training (Keras: "
                            "trainable = False); a frozen BatchNormalization layer also keeps "
                            "its statistics. Freeze the layers copied from a trained model to "
                            "train only the new ones.")
                       : tr("This layer has no weights to freeze.");
        }
        const QString issues = issueText(row);
        if (!issues.isEmpty()) {
            return issues;
        }
        return info ? tr("%1: output %2, %3 parameters")
                          .arg(info->name, formatKerasShape(info->outputShape),
                               formatThousands(info->params))
                    : QVariant();
    }
    case Qt::DecorationRole:
        if (index.column() == PositionColumn && !issueText(row).isEmpty()) {
            return QApplication::style()->standardIcon(
                hasError(row) ? QStyle::SP_MessageBoxCritical : QStyle::SP_MessageBoxWarning);
        }
        return {};
    case Qt::ForegroundRole:
        if (hasError(row)) {
            return QBrush(QColor(198, 40, 40));
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == PositionColumn || index.column() == ParamsColumn) {
            return int(Qt::AlignRight | Qt::AlignVCenter);
        }
        return {};
    }
    return {};
}

QVariant LayerStackModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    switch (section) {
    case PositionColumn:
        return tr("#");
    case TypeColumn:
        return tr("Layer");
    case ParametersColumn:
        return tr("Settings");
    case OutputShapeColumn:
        return tr("Output Shape");
    case ParamsColumn:
        return tr("Param #");
    case FrozenColumn:
        return tr("Frozen");
    }
    return {};
}

bool LayerStackModel::setFrozen(int row, bool frozen)
{
    if (row < 0 || row >= spec().layers.size() || !layerTypeHasWeights(spec().layers[row].type)) {
        return false;
    }
    LayerSpec layer = spec().layers[row];
    if (layer.trainable == !frozen) {
        return true;
    }
    layer.trainable = !frozen;
    ModelSpec next = spec();
    next.layers[row] = layer;
    setLayers(next, (frozen ? tr("Freeze layer %1 (%2)") : tr("Unfreeze layer %1 (%2)"))
                        .arg(row + 1)
                        .arg(layerTypeName(layer.type)));
    return true;
}

bool LayerStackModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (!index.isValid() || index.column() != FrozenColumn || role != Qt::CheckStateRole) {
        return false;
    }
    return setFrozen(index.row(), value.toInt() == Qt::Checked);
}

Qt::ItemFlags LayerStackModel::flags(const QModelIndex& index) const
{
    if (!index.isValid()) {
        return Qt::ItemIsDropEnabled;
    }
    Qt::ItemFlags flags =
        Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled | Qt::ItemIsDropEnabled;
    if (index.column() == FrozenColumn && index.row() < spec().layers.size() &&
        layerTypeHasWeights(spec().layers[index.row()].type)) {
        flags |= Qt::ItemIsUserCheckable;
    }
    return flags;
}

Qt::DropActions LayerStackModel::supportedDropActions() const
{
    return Qt::MoveAction;
}

QStringList LayerStackModel::mimeTypes() const
{
    return {kMimeType};
}

QMimeData* LayerStackModel::mimeData(const QModelIndexList& indexes) const
{
    if (indexes.isEmpty()) {
        return nullptr;
    }
    auto* data = new QMimeData;
    data->setData(kMimeType, QByteArray::number(indexes.first().row()));
    return data;
}

bool LayerStackModel::dropMimeData(const QMimeData* data, Qt::DropAction action, int row,
                                   int column, const QModelIndex& parent)
{
    Q_UNUSED(column);
    if (action != Qt::MoveAction || !data || !data->hasFormat(kMimeType)) {
        return false;
    }
    bool ok = false;
    const int from = data->data(kMimeType).toInt(&ok);
    if (!ok) {
        return false;
    }
    // Dropped between rows (row), onto a row (parent) or below the last row.
    int before = row >= 0 ? row : parent.isValid() ? parent.row() : rowCount();
    const int to = before > from ? before - 1 : before;
    moveLayer(from, std::clamp(to, 0, rowCount() - 1));
    return false;
}

} // namespace studio
