#include "model/modelsummary.h"

#include "dataset/datasetsettings.h"
#include "model/layerschema.h"

#include <QHash>
#include <QJsonArray>

#include <limits>

namespace studio {

namespace {

// TensorFlow's output size: "same" = ceil(in / stride), "valid" = floor((in - k) / stride) + 1.
// Computed in 64 bits: a stride near INT_MAX (from a hand-edited file) overflows in + stride.
int outputSize(int input, int kernel, int stride, Padding padding)
{
    if (padding == Padding::Same) {
        return int((qint64(input) + stride - 1) / stride);
    }
    return int((qint64(input) - kernel) / stride + 1);
}

// Products and sums of counts, which are never negative, held at qint64's maximum instead of
// overflowing: a layer stack read from a file may declare sizes whose counts do not fit.
constexpr qint64 kCountMax = std::numeric_limits<qint64>::max();

qint64 countTimes(qint64 a, qint64 b)
{
    qint64 product = 0;
    return __builtin_mul_overflow(a, b, &product) ? kCountMax : product;
}

qint64 countPlus(qint64 a, qint64 b)
{
    qint64 sum = 0;
    return __builtin_add_overflow(a, b, &sum) ? kCountMax : sum;
}

QString kerasLayerBaseName(LayerType type)
{
    switch (type) {
    case LayerType::Conv2D:
        return QStringLiteral("conv2d");
    case LayerType::MaxPooling2D:
        return QStringLiteral("max_pooling2d");
    case LayerType::AveragePooling2D:
        return QStringLiteral("average_pooling2d");
    case LayerType::GlobalAveragePooling2D:
        return QStringLiteral("global_average_pooling2d");
    case LayerType::Flatten:
        return QStringLiteral("flatten");
    case LayerType::Dense:
        return QStringLiteral("dense");
    case LayerType::Dropout:
        return QStringLiteral("dropout");
    case LayerType::BatchNormalization:
        return QStringLiteral("batch_normalization");
    case LayerType::Activation:
        return QStringLiteral("activation");
    case LayerType::FeatureExtractor:
        return QStringLiteral("feature_extractor");
    }
    return QString();
}

QString layerLabel(int index, LayerType type)
{
    return QStringLiteral("Layer %1 (%2)").arg(index + 1).arg(layerTypeName(type));
}

QString shapeText(const QVector<int>& shape)
{
    QStringList parts;
    for (int d : shape) {
        parts << QString::number(d);
    }
    return parts.join(QLatin1Char('x'));
}

qint64 elementCount(const QVector<int>& shape)
{
    qint64 n = 1;
    for (int d : shape) {
        n = countTimes(n, d);
    }
    return n;
}

// The checks of a feature extractor's values; `error(text, structural)` records one.
template <typename Error>
void checkFeatureExtractor(const FeatureExtractorSpec& e, int index, const Error& error)
{
    if (index != 0) {
        error(QStringLiteral("a feature extractor takes the image itself, so it must be the "
                             "first layer. Move it to the top (or remove the layers before it)."),
              true);
    }
    if (e.path.trimmed().isEmpty()) {
        error(QStringLiteral("no TorchScript file is chosen. Choose one on the Model page (Use a "
                             "Feature Extractor…) or set \"path\" in the project file."),
              true);
    }
    if (e.inputSize.height < 1 || e.inputSize.width < 1 ||
        e.inputSize.height > kMaxExtractorInputSize || e.inputSize.width > kMaxExtractorInputSize) {
        error(QStringLiteral("input_size must be between 1x1 and %1x%1, got %2x%3.")
                  .arg(kMaxExtractorInputSize)
                  .arg(e.inputSize.height)
                  .arg(e.inputSize.width),
              true);
    }
    if (e.channels < 1 || e.channels > kMaxExtractorChannels) {
        error(QStringLiteral("channels must be between 1 and %1, got %2.")
                  .arg(kMaxExtractorChannels)
                  .arg(e.channels),
              true);
    }
    if (e.features < 1) {
        error(QStringLiteral("its output size is not known yet: it is measured by running the "
                             "file once, which training does. Choose the file again on the Model "
                             "page to see the summary now."),
              true);
    }
}

// The checks of a layer's own values; returns false when its output shape cannot be computed.
bool checkLayerValues(const LayerSpec& layer, int index, QVector<ModelIssue>* issues)
{
    const QString who = layerLabel(index, layer.type);
    bool shapeComputable = true;
    const auto error = [&](const QString& text, bool structural) {
        issues->append(
            {index, IssueSeverity::Error, who + QStringLiteral(": ") + text, ModelFix::None});
        if (structural) {
            shapeComputable = false;
        }
    };
    const LayerSchema& schema = layerSchema();
    // "filters must be an integer from 1 to 4096, got 0. Keras's default is 32."
    const auto check = [&](const SettingField& field, double value, bool structural) {
        if (!field.accepts(value)) {
            error(QStringLiteral("%1 must be %2, got %3. Keras's default is %4.")
                      .arg(field.key, field.describe())
                      .arg(value)
                      .arg(field.defaultValue.toDouble()),
                  structural);
        }
    };
    const auto checkSize = [&](const SettingField& field, Size2 size) {
        if (!field.accepts(size.height) || !field.accepts(size.width)) {
            error(QStringLiteral("%1 must be %2 on each side, got %3x%4. Use a size such as "
                                 "%5x%5.")
                      .arg(field.key, field.describe())
                      .arg(size.height)
                      .arg(size.width)
                      .arg(field.defaultValue.toInt()),
                  true);
        }
    };
    switch (layer.type) {
    case LayerType::Conv2D:
        check(schema.filters, layer.filters, true);
        checkSize(schema.kernelSize, layer.kernelSize);
        checkSize(schema.strides, layer.effectiveStrides());
        break;
    case LayerType::MaxPooling2D:
    case LayerType::AveragePooling2D:
        checkSize(schema.poolSize, layer.poolSize);
        checkSize(schema.strides, layer.effectiveStrides());
        break;
    case LayerType::Dense:
        check(schema.units, layer.units, true);
        break;
    case LayerType::Dropout:
        check(schema.rate, layer.rate, false);
        break;
    case LayerType::BatchNormalization:
        check(schema.momentum, layer.momentum, false);
        check(schema.epsilon, layer.epsilon, false);
        break;
    case LayerType::FeatureExtractor:
        checkFeatureExtractor(layer.extractor, index, error);
        break;
    case LayerType::GlobalAveragePooling2D:
    case LayerType::Flatten:
    case LayerType::Activation:
        break;
    }
    return shapeComputable;
}

bool keepsShape(LayerType type)
{
    return type == LayerType::Dropout || type == LayerType::BatchNormalization ||
           type == LayerType::Activation;
}

// A unique Keras-style name for a layer of `type` ("conv2d", "conv2d_1", ...); `nameCounts`
// counts the layers of each type named so far.
QString kerasLayerName(LayerType type, QHash<int, int>* nameCounts)
{
    const int count = nameCounts->value(int(type), 0);
    (*nameCounts)[int(type)] = count + 1;
    return count == 0 ? kerasLayerBaseName(type)
                      : QStringLiteral("%1_%2").arg(kerasLayerBaseName(type)).arg(count);
}

// False, with an error, when the input shape has a side or channel count below 1.
bool checkInputShape(const InputShape& input, QVector<ModelIssue>* issues)
{
    if (input.height < 1 || input.width < 1 || input.channels < 1) {
        issues->append({-1, IssueSeverity::Error,
                        QStringLiteral("The input shape %1x%2x%3 is not valid: the image "
                                       "size and the channels must be at least 1.")
                            .arg(input.height)
                            .arg(input.width)
                            .arg(input.channels),
                        ModelFix::None});
        return false;
    }
    return true;
}

// Where the walk through the layers is: the shape so far, which layer made it flat, and whether
// the shapes are still known (false after the first problem).
struct LayerWalk
{
    LayerWalk(const ModelSpec& m, QVector<ModelIssue>& i) : model(m), issues(i) {}

    const ModelSpec& model;
    QVector<ModelIssue>& issues;
    QVector<int> shape;
    int flattenedBy = -1; // the layer that turned the image-shaped tensor into a vector
    bool known = true;
};

// The error of a layer that needs an image-shaped input but gets a flat vector.
void reportNeedsImage(LayerWalk& walk, int i)
{
    const LayerType type = walk.model.layers[i].type;
    const QString after =
        walk.flattenedBy >= 0
            ? QStringLiteral(" (made flat by %1)")
                  .arg(layerLabel(walk.flattenedBy, walk.model.layers[walk.flattenedBy].type))
            : QString();
    walk.issues.append(
        {i, IssueSeverity::Error,
         QStringLiteral("%1: its input is a flat vector of %2 values%3, but %4 needs an "
                        "image-shaped input (height, width, channels). Move it before "
                        "the Flatten, GlobalAveragePooling2D and Dense layers.")
             .arg(layerLabel(i, type))
             .arg(walk.shape.value(0))
             .arg(after, layerTypeName(type)),
         ModelFix::None});
    walk.known = false;
}

// Conv2D, MaxPooling2D and AveragePooling2D: the output shape, parameters and multiply-adds of
// a window sliding over the image.
void walkWindowLayer(LayerWalk& walk, int i, LayerSummary* row)
{
    if (walk.shape.size() != 3) {
        reportNeedsImage(walk, i);
        return;
    }
    const LayerSpec& layer = walk.model.layers[i];
    QVector<int>& shape = walk.shape;
    const bool conv = layer.type == LayerType::Conv2D;
    const Size2 window = conv ? layer.kernelSize : layer.poolSize;
    const Size2 strides = layer.effectiveStrides();
    if (layer.padding == Padding::Valid && (shape[0] < window.height || shape[1] < window.width)) {
        walk.issues.append(
            {i, IssueSeverity::Error,
             QStringLiteral("%1: its input is %2x%3 but its %4 is %5x%6, so it has no "
                            "valid position. Use padding 'same', remove a pooling "
                            "layer, or raise the image size.")
                 .arg(layerLabel(i, layer.type))
                 .arg(shape[0])
                 .arg(shape[1])
                 .arg(conv ? QStringLiteral("kernel") : QStringLiteral("pool size"))
                 .arg(window.height)
                 .arg(window.width),
             ModelFix::None});
        walk.known = false;
        return;
    }
    const int inChannels = shape[2];
    const int outChannels = conv ? layer.filters : inChannels;
    shape = {outputSize(shape[0], window.height, strides.height, layer.padding),
             outputSize(shape[1], window.width, strides.width, layer.padding), outChannels};
    if (conv) {
        const qint64 weights = countTimes(countTimes(window.height, window.width), inChannels);
        row->params =
            countPlus(countTimes(weights, layer.filters), layer.useBias ? layer.filters : 0);
        row->trainableParams = layer.trainable ? row->params : 0;
        row->macs = countTimes(elementCount(shape), weights);
    } else {
        row->macs = countTimes(countTimes(elementCount(shape), window.height), window.width);
    }
}

// Dense: needs a flat input; one weight per input value and unit.
void walkDenseLayer(LayerWalk& walk, int i, LayerSummary* row)
{
    const LayerSpec& layer = walk.model.layers[i];
    QVector<int>& shape = walk.shape;
    if (shape.size() == 3) {
        walk.issues.append(
            {i, IssueSeverity::Error,
             QStringLiteral("%1: its input is image-shaped (%2), but Dense needs a flat "
                            "vector. Insert a Flatten layer before it (or a "
                            "GlobalAveragePooling2D layer).")
                 .arg(layerLabel(i, layer.type), shapeText(shape)),
             ModelFix::InsertFlatten});
        walk.known = false;
        return;
    }
    row->params = qint64(shape[0]) * layer.units + (layer.useBias ? layer.units : 0);
    row->trainableParams = layer.trainable ? row->params : 0;
    row->macs = qint64(shape[0]) * layer.units;
    shape = {layer.units};
}

// A feature extractor: takes the image (when its channels fit) and gives a frozen vector.
void walkFeatureExtractor(LayerWalk& walk, int i, LayerSummary* row)
{
    const LayerSpec& layer = walk.model.layers[i];
    QVector<int>& shape = walk.shape;
    if (shape[2] != 1 && layer.extractor.channels != 1 && shape[2] != layer.extractor.channels) {
        walk.issues.append({i, IssueSeverity::Error,
                            QStringLiteral("%1: the images have %2 channels but the extractor "
                                           "takes %3. Use images with %3 channels (or grey ones, "
                                           "which are repeated), or an extractor made for %2.")
                                .arg(layerLabel(i, layer.type))
                                .arg(shape[2])
                                .arg(layer.extractor.channels),
                            ModelFix::None});
        walk.known = false;
        return;
    }
    row->params = layer.extractor.parameters;
    row->trainableParams = 0; // always frozen
    shape = {layer.extractor.features};
    walk.flattenedBy = i;
}

// One layer's output shape, parameters and multiply-adds, from the shape before it; an error
// (and walk.known false) when its input does not fit it.
void walkLayer(LayerWalk& walk, int i, LayerSummary* row)
{
    const LayerSpec& layer = walk.model.layers[i];
    QVector<int>& shape = walk.shape;
    const bool spatial = shape.size() == 3;
    switch (layer.type) {
    case LayerType::Conv2D:
    case LayerType::MaxPooling2D:
    case LayerType::AveragePooling2D:
        walkWindowLayer(walk, i, row);
        break;
    case LayerType::GlobalAveragePooling2D:
        if (!spatial) {
            reportNeedsImage(walk, i);
            break;
        }
        row->macs = elementCount(shape);
        shape = {shape[2]};
        walk.flattenedBy = i;
        break;
    case LayerType::Flatten:
        if (spatial) {
            walk.flattenedBy = i;
        }
        shape = {int(qMin<qint64>(elementCount(shape), std::numeric_limits<int>::max()))};
        break;
    case LayerType::Dense:
        walkDenseLayer(walk, i, row);
        break;
    case LayerType::BatchNormalization:
        row->params = 4 * qint64(shape.last());
        row->trainableParams = layer.trainable ? 2 * qint64(shape.last()) : 0;
        row->macs = elementCount(shape);
        break;
    case LayerType::FeatureExtractor:
        walkFeatureExtractor(walk, i, row);
        break;
    case LayerType::Dropout:
    case LayerType::Activation:
        break;
    }
}

// Records a layer's output shape and activation memory, and adds its counts to the totals.
void addToTotals(const QVector<int>& shape, qint64 bytesPerValue, LayerSummary* row,
                 ModelSummary* summary)
{
    row->outputShape = shape;
    row->activationBytes = countTimes(elementCount(shape), bytesPerValue);
    summary->totalParams = countPlus(summary->totalParams, row->params);
    summary->trainableParams = countPlus(summary->trainableParams, row->trainableParams);
    summary->activationBytes = countPlus(summary->activationBytes, row->activationBytes);
    summary->macs = countPlus(summary->macs, row->macs);
}

// The errors of a network whose output is not one score per class: image-shaped, or (when
// numClasses is known) another number of values.
void checkOutputShape(const ModelSpec& model, const QVector<int>& shape, int numClasses,
                      QVector<ModelIssue>* issues)
{
    const int last = int(model.layers.size()) - 1;
    if (shape.size() == 3) {
        issues->append(
            {last, IssueSeverity::Error,
             QStringLiteral("The network's output is image-shaped (%1), but a classifier must "
                            "end with one score per class. Append a Flatten layer and "
                            "Dense(units %2, activation softmax).")
                 .arg(shapeText(shape), numClasses > 0 ? QString::number(numClasses)
                                                       : QStringLiteral("= number of classes")),
             ModelFix::AppendOutputLayer});
        return;
    }
    if (numClasses <= 0 || shape[0] == numClasses) {
        return;
    }
    if (const int lastDense = outputDenseLayer(model); lastDense >= 0) {
        issues->append({lastDense, IssueSeverity::Error,
                        QStringLiteral("%1: it has %2 units but the dataset has %3 classes; the "
                                       "output layer needs one unit per class. Set its units to "
                                       "%3.")
                            .arg(layerLabel(lastDense, LayerType::Dense))
                            .arg(shape[0])
                            .arg(numClasses),
                        ModelFix::SetOutputUnits});
    } else {
        issues->append({last, IssueSeverity::Error,
                        QStringLiteral("The network ends with %1 values but the dataset has %2 "
                                       "classes. Append Dense(units %2, activation softmax).")
                            .arg(shape[0])
                            .arg(numClasses),
                        ModelFix::AppendOutputLayer});
    }
}

// A warning when the output activation is neither softmax nor linear.
void checkOutputActivation(const ModelSpec& model, QVector<ModelIssue>* issues)
{
    const int outputLayer = outputActivationLayer(model);
    const Activation output = outputActivation(model);
    if (outputLayer >= 0 && output != Activation::Softmax && output != Activation::Linear) {
        issues->append(
            {outputLayer, IssueSeverity::Warning,
             QStringLiteral("%1: the output activation is '%2'. Training applies log-softmax to "
                            "the network's output itself, so '%2' only limits the class "
                            "scores. Use 'softmax' (or 'linear').")
                 .arg(layerLabel(outputLayer, model.layers[outputLayer].type),
                      activationName(output)),
             ModelFix::None});
    }
}

} // namespace

InputShape inputShapeFor(const DatasetSettings& dataset)
{
    return {dataset.imageSize, dataset.imageSize, dataset.channels()};
}

bool ModelSummary::hasErrors() const
{
    for (const ModelIssue& issue : issues) {
        if (issue.severity == IssueSeverity::Error) {
            return true;
        }
    }
    return false;
}

bool ModelSummary::complete() const
{
    if (layers.isEmpty()) {
        return false;
    }
    for (const LayerSummary& layer : layers) {
        if (!layer.known()) {
            return false;
        }
    }
    return true;
}

QVector<ModelIssue> ModelSummary::errors() const
{
    QVector<ModelIssue> result;
    for (const ModelIssue& issue : issues) {
        if (issue.severity == IssueSeverity::Error) {
            result << issue;
        }
    }
    return result;
}

QVector<ModelIssue> ModelSummary::warnings() const
{
    QVector<ModelIssue> result;
    for (const ModelIssue& issue : issues) {
        if (issue.severity == IssueSeverity::Warning) {
            result << issue;
        }
    }
    return result;
}

QString ModelSummary::errorText() const
{
    QStringList lines;
    for (const ModelIssue& issue : errors()) {
        lines << issue.message;
    }
    return lines.join(QLatin1Char('\n'));
}

ModelSummary summarizeModel(const ModelSpec& model, const InputShape& input, int numClasses,
                            int batchSize)
{
    ModelSummary summary;
    summary.input = input;
    summary.numClasses = numClasses;
    summary.batchSize = qMax(1, batchSize);
    const qint64 bytesPerValue = 4 * qint64(summary.batchSize);

    const bool inputValid = checkInputShape(input, &summary.issues);
    if (model.layers.isEmpty()) {
        summary.issues.append(
            {-1, IssueSeverity::Error,
             QStringLiteral("The network has no layers. Start from a template (seed, small or "
                            "vgg-bn) or add layers that end with Dense(units = number of "
                            "classes, activation softmax)."),
             ModelFix::None});
        return summary;
    }

    LayerWalk walk(model, summary.issues);
    walk.shape = {input.height, input.width, input.channels};
    walk.known = inputValid;
    QHash<int, int> nameCounts;
    for (int i = 0; i < model.layers.size(); ++i) {
        const LayerSpec& layer = model.layers[i];
        LayerSummary row;
        row.type = layer.type;
        row.name = kerasLayerName(layer.type, &nameCounts);
        const bool valuesOk = checkLayerValues(layer, i, &summary.issues);
        if (walk.known && valuesOk) {
            walkLayer(walk, i, &row);
            if (walk.known) {
                addToTotals(walk.shape, bytesPerValue, &row, &summary);
            }
        } else {
            walk.known = false;
        }
        summary.layers.append(row);
    }
    summary.nonTrainableParams = summary.totalParams - summary.trainableParams;

    if (!walk.known) {
        return summary;
    }
    summary.outputShape = walk.shape;
    checkOutputShape(model, walk.shape, numClasses, &summary.issues);
    checkOutputActivation(model, &summary.issues);
    return summary;
}

ModelSpec applyFix(const ModelSpec& model, const ModelIssue& issue, int numClasses)
{
    ModelSpec fixed = model;
    switch (issue.fix) {
    case ModelFix::None:
        break;
    case ModelFix::InsertFlatten:
        if (issue.layer >= 0 && issue.layer <= fixed.layers.size()) {
            fixed.layers.insert(issue.layer, LayerSpec::flatten());
        }
        break;
    case ModelFix::SetOutputUnits:
        if (issue.layer >= 0 && issue.layer < fixed.layers.size() &&
            fixed.layers[issue.layer].type == LayerType::Dense && numClasses > 0) {
            fixed.layers[issue.layer].units = numClasses;
        }
        break;
    case ModelFix::AppendOutputLayer: {
        if (numClasses < 1) {
            break;
        }
        bool spatial = true; // the input is an image
        for (int i = int(fixed.layers.size()) - 1; i >= 0; --i) {
            const LayerType type = fixed.layers[i].type;
            if (!keepsShape(type)) {
                spatial = type == LayerType::Conv2D || type == LayerType::MaxPooling2D ||
                          type == LayerType::AveragePooling2D;
                break;
            }
        }
        if (spatial) {
            fixed.layers.append(LayerSpec::flatten());
        }
        fixed.layers.append(LayerSpec::dense(numClasses, Activation::Softmax));
        break;
    }
    }
    return fixed;
}

int outputDenseLayer(const ModelSpec& model)
{
    for (int i = int(model.layers.size()) - 1; i >= 0; --i) {
        if (model.layers[i].type == LayerType::Dense) {
            return i;
        }
    }
    return -1;
}

ModelSpec withOutputUnits(const ModelSpec& model, int numClasses)
{
    ModelSpec result = model;
    if (const int output = outputDenseLayer(result); output >= 0) {
        result.layers[output].units = numClasses;
    }
    return result;
}

ModelSpec withFeatureExtractor(const ModelSpec& model, const FeatureExtractorSpec& extractor,
                               int numClasses)
{
    ModelSpec result = model;
    result.layers = {LayerSpec::featureExtractor(extractor)};
    int cut = -1;
    for (int i = 0; i < model.layers.size() && cut < 0; ++i) {
        const LayerType type = model.layers[i].type;
        if (type == LayerType::Flatten || type == LayerType::GlobalAveragePooling2D ||
            type == LayerType::FeatureExtractor) {
            cut = i;
        }
    }
    if (cut >= 0) {
        result.layers += model.layers.mid(cut + 1);
    }
    if (outputDenseLayer(result) < 0) {
        result.layers.append(LayerSpec::dense(qMax(numClasses, 2), Activation::Softmax));
    }
    return result;
}

int outputActivationLayer(const ModelSpec& model)
{
    for (int i = int(model.layers.size()) - 1; i >= 0; --i) {
        const LayerType type = model.layers[i].type;
        if (type == LayerType::Dropout) {
            continue;
        }
        return type == LayerType::Dense || type == LayerType::Activation ? i : -1;
    }
    return -1;
}

Activation outputActivation(const ModelSpec& model)
{
    const int index = outputActivationLayer(model);
    return index >= 0 ? model.layers[index].activation : Activation::Linear;
}

QString formatThousands(qint64 value)
{
    QString digits = QString::number(value < 0 ? -value : value);
    for (int i = int(digits.size()) - 3; i > 0; i -= 3) {
        digits.insert(i, QLatin1Char(','));
    }
    return value < 0 ? QLatin1Char('-') + digits : digits;
}

QString formatKerasShape(const QVector<int>& shape)
{
    QStringList parts = {QStringLiteral("None")};
    for (int d : shape) {
        parts << QString::number(d);
    }
    return QLatin1Char('(') + parts.join(QStringLiteral(", ")) + QLatin1Char(')');
}

QString formatSummaryTable(const ModelSummary& summary, const QString& title)
{
    QStringList names = {QStringLiteral("input (InputLayer)")};
    QStringList shapes = {
        formatKerasShape({summary.input.height, summary.input.width, summary.input.channels})};
    QStringList params = {QStringLiteral("0")};
    for (const LayerSummary& layer : summary.layers) {
        names << QStringLiteral("%1 (%2)").arg(layer.name, layerTypeName(layer.type));
        shapes << (layer.known() ? formatKerasShape(layer.outputShape) : QStringLiteral("?"));
        params << (layer.known() ? formatThousands(layer.params) : QStringLiteral("?"));
    }
    int nameWidth = int(QStringLiteral("Layer (type)").size());
    int shapeWidth = int(QStringLiteral("Output Shape").size());
    for (int i = 0; i < names.size(); ++i) {
        nameWidth = qMax(nameWidth, int(names[i].size()));
        shapeWidth = qMax(shapeWidth, int(shapes[i].size()));
    }
    nameWidth += 3;
    shapeWidth += 3;
    const int lineWidth = 1 + nameWidth + shapeWidth + 12;
    const QString thin = QString(lineWidth, QLatin1Char('_'));
    const QString thick = QString(lineWidth, QLatin1Char('='));

    QStringList lines;
    if (!title.isEmpty()) {
        lines << QStringLiteral("Model: \"%1\"").arg(title);
    }
    lines << thin;
    lines << QLatin1Char(' ') + QStringLiteral("Layer (type)").leftJustified(nameWidth) +
                 QStringLiteral("Output Shape").leftJustified(shapeWidth) +
                 QStringLiteral("Param #");
    lines << thick;
    for (int i = 0; i < names.size(); ++i) {
        lines << QLatin1Char(' ') + names[i].leftJustified(nameWidth) +
                     shapes[i].leftJustified(shapeWidth) + params[i];
    }
    lines << thick;
    if (summary.complete()) {
        lines << QStringLiteral("Total params: %1").arg(formatThousands(summary.totalParams));
        lines
            << QStringLiteral("Trainable params: %1").arg(formatThousands(summary.trainableParams));
        lines << QStringLiteral("Non-trainable params: %1")
                     .arg(formatThousands(summary.nonTrainableParams));
        lines << QStringLiteral("Activation memory for a batch of %1: %2 MiB")
                     .arg(summary.batchSize)
                     .arg(double(summary.activationBytes) / (1024.0 * 1024.0), 0, 'f', 2);
        lines << QStringLiteral("Multiply-adds per image: %1").arg(formatThousands(summary.macs));
    } else {
        lines << QStringLiteral("Totals unknown: the shapes stop at the first problem.");
    }
    lines << thin;
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

QJsonObject summaryToJson(const ModelSummary& summary)
{
    const auto shapeJson = [](const QVector<int>& shape) {
        QJsonArray array;
        for (int d : shape) {
            array.append(d);
        }
        return array;
    };
    QJsonArray layers;
    for (const LayerSummary& layer : summary.layers) {
        QJsonObject row;
        row.insert(QStringLiteral("name"), layer.name);
        row.insert(QStringLiteral("type"), layerTypeName(layer.type));
        row.insert(QStringLiteral("output_shape"),
                   layer.known() ? QJsonValue(shapeJson(layer.outputShape)) : QJsonValue());
        row.insert(QStringLiteral("params"), double(layer.params));
        row.insert(QStringLiteral("trainable_params"), double(layer.trainableParams));
        row.insert(QStringLiteral("activation_bytes"), double(layer.activationBytes));
        row.insert(QStringLiteral("macs"), double(layer.macs));
        layers.append(row);
    }
    QJsonObject json;
    json.insert(QStringLiteral("input_shape"),
                shapeJson({summary.input.height, summary.input.width, summary.input.channels}));
    json.insert(QStringLiteral("layers"), layers);
    json.insert(QStringLiteral("total_params"), double(summary.totalParams));
    json.insert(QStringLiteral("trainable_params"), double(summary.trainableParams));
    json.insert(QStringLiteral("non_trainable_params"), double(summary.nonTrainableParams));
    json.insert(QStringLiteral("batch_size"), summary.batchSize);
    json.insert(QStringLiteral("activation_bytes"), double(summary.activationBytes));
    json.insert(QStringLiteral("macs"), double(summary.macs));
    QJsonArray issues;
    for (const ModelIssue& issue : summary.issues) {
        QJsonObject entry;
        entry.insert(QStringLiteral("layer"), issue.layer >= 0 ? issue.layer + 1 : 0);
        entry.insert(QStringLiteral("severity"), issue.severity == IssueSeverity::Error
                                                     ? QStringLiteral("error")
                                                     : QStringLiteral("warning"));
        entry.insert(QStringLiteral("message"), issue.message);
        issues.append(entry);
    }
    json.insert(QStringLiteral("issues"), issues);
    return json;
}

} // namespace studio
