#include "model/layerspec.h"

#include "model/jsonfields.h"
#include "model/layerschema.h"

#include <array>
#include <cmath>
#include <limits>
#include <utility>

namespace studio {

namespace {

struct TypeName
{
    LayerType type;
    const char* name;
};

constexpr std::array<TypeName, 10> kTypeNames = {{
    {LayerType::Conv2D, "Conv2D"},
    {LayerType::MaxPooling2D, "MaxPooling2D"},
    {LayerType::AveragePooling2D, "AveragePooling2D"},
    {LayerType::GlobalAveragePooling2D, "GlobalAveragePooling2D"},
    {LayerType::Flatten, "Flatten"},
    {LayerType::Dense, "Dense"},
    {LayerType::Dropout, "Dropout"},
    {LayerType::BatchNormalization, "BatchNormalization"},
    {LayerType::Activation, "Activation"},
    {LayerType::FeatureExtractor, "FeatureExtractor"},
}};

// Keras's aliases, accepted when reading (the tutorial writes MaxPool2D).
constexpr std::array<TypeName, 4> kTypeAliases = {{
    {LayerType::MaxPooling2D, "MaxPool2D"},
    {LayerType::AveragePooling2D, "AvgPool2D"},
    {LayerType::GlobalAveragePooling2D, "GlobalAvgPool2D"},
    {LayerType::Conv2D, "Convolution2D"},
}};

struct ActivationName
{
    Activation activation;
    const char* name;
};

constexpr std::array<ActivationName, 7> kActivationNames = {{
    {Activation::Relu, "relu"},
    {Activation::LeakyRelu, "leaky_relu"},
    {Activation::Elu, "elu"},
    {Activation::Sigmoid, "sigmoid"},
    {Activation::Tanh, "tanh"},
    {Activation::Softmax, "softmax"},
    {Activation::Linear, "linear"},
}};

QJsonArray sizeToJson(Size2 size)
{
    return QJsonArray{size.height, size.width};
}

// Reads kernel_size / strides / pool_size: a positive integer n (meaning [n, n]) or [h, w].
// Reads a size: one whole number for both sides, or [height, width], each in
// [minimum, maximum].
bool readSize(JsonObjectReader& reader, const QString& key, Size2* out, qint64 minimum = 1,
              qint64 maximum = std::numeric_limits<int>::max())
{
    if (!reader.has(key)) {
        reader.take(key);
        return true;
    }
    const QJsonValue value = reader.take(key);
    const auto inside = [&](qint64 n) { return n >= minimum && n <= maximum; };
    qint64 n = 0;
    if (jsonToInteger(value, &n) && inside(n)) {
        *out = {int(n), int(n)};
        return true;
    }
    if (value.isArray() && value.toArray().size() == 2) {
        qint64 h = 0;
        qint64 w = 0;
        const QJsonArray array = value.toArray();
        if (jsonToInteger(array[0], &h) && jsonToInteger(array[1], &w) && inside(h) && inside(w)) {
            *out = {int(h), int(w)};
            return true;
        }
    }
    reader.addError(reader.childPath(key),
                    QStringLiteral("must be an integer from %1 to %2, or a list of two such "
                                   "integers [height, width], got %3")
                        .arg(minimum)
                        .arg(maximum)
                        .arg(describeJsonValue(value)));
    return false;
}

// A layer's size setting, with the schema's range.
bool readSize(JsonObjectReader& reader, const SettingField& field, Size2* out)
{
    return readSize(reader, field.key, out, qint64(field.formMinimum()),
                    qint64(field.formMaximum()));
}

void requireKey(JsonObjectReader& reader, const QString& key, LayerType type)
{
    if (!reader.has(key)) {
        reader.addError(reader.childPath(key),
                        QStringLiteral("is required for a %1 layer").arg(layerTypeName(type)));
    }
}

bool readActivation(JsonObjectReader& reader, Activation* out)
{
    const QString key = QStringLiteral("activation");
    if (reader.has(key) && reader.take(key).isNull()) {
        *out = Activation::Linear;
        return true;
    }
    return reader.readEnum<Activation>(key, out, &activationFromName, activationNames());
}

QJsonArray numbersToJson(const QVector<double>& values)
{
    QJsonArray array;
    for (const double v : values) {
        array.append(v);
    }
    return array;
}

// Reads a list of numbers such as "mean": [0.485, 0.456, 0.406]; `positive` for "std".
bool readNumbers(JsonObjectReader& reader, const QString& key, bool positive, QVector<double>* out)
{
    if (!reader.has(key)) {
        reader.take(key);
        return true;
    }
    const QJsonValue value = reader.take(key);
    QVector<double> numbers;
    bool ok = value.isArray() && !value.toArray().isEmpty();
    for (const QJsonValue& item : value.toArray()) {
        ok = ok && item.isDouble() && std::isfinite(item.toDouble()) &&
             (!positive || item.toDouble() > 0);
        numbers << item.toDouble();
    }
    if (!ok) {
        reader.addError(reader.childPath(key),
                        QStringLiteral("must be a list of %1numbers, one per channel, such as "
                                       "%2, got %3")
                            .arg(positive ? QStringLiteral("positive ") : QString(),
                                 positive ? QStringLiteral("[0.229, 0.224, 0.225]")
                                          : QStringLiteral("[0.485, 0.456, 0.406]"),
                                 describeJsonValue(value)));
        return false;
    }
    *out = numbers;
    return true;
}

void writeFeatureExtractor(const FeatureExtractorSpec& e, QJsonObject* json)
{
    json->insert(QStringLiteral("path"), e.path);
    json->insert(QStringLiteral("input_size"), sizeToJson(e.inputSize));
    json->insert(QStringLiteral("channels"), e.channels);
    if (!e.mean.isEmpty()) {
        json->insert(QStringLiteral("mean"), numbersToJson(e.mean));
        json->insert(QStringLiteral("std"), numbersToJson(e.std));
    }
    if (e.features > 0) {
        json->insert(QStringLiteral("features"), e.features);
        json->insert(QStringLiteral("params"), double(e.parameters));
    }
}

void readFeatureExtractor(JsonObjectReader& reader, FeatureExtractorSpec* e)
{
    reader.readString(QStringLiteral("path"), &e->path);
    if (reader.has(QStringLiteral("path")) && e->path.trimmed().isEmpty()) {
        reader.addError(reader.childPath(QStringLiteral("path")),
                        QStringLiteral("is empty: give the TorchScript file (.pt) of the feature "
                                       "extractor"));
    }
    readSize(reader, QStringLiteral("input_size"), &e->inputSize);
    reader.readInt(QStringLiteral("channels"), &e->channels, 1, kMaxExtractorChannels);
    const bool meanOk = readNumbers(reader, QStringLiteral("mean"), false, &e->mean);
    const bool stdOk = readNumbers(reader, QStringLiteral("std"), true, &e->std);
    if (meanOk && stdOk &&
        (e->mean.size() != e->std.size() ||
         (!e->mean.isEmpty() && e->mean.size() != e->channels))) {
        reader.addError(reader.childPath(QStringLiteral("mean")),
                        QStringLiteral("and std must both be given, with one number per channel "
                                       "(%1), or both left out")
                            .arg(e->channels));
    }
    reader.readInt(QStringLiteral("features"), &e->features, 0, std::numeric_limits<int>::max());
    reader.readInt64(QStringLiteral("params"), &e->parameters, 0,
                     std::numeric_limits<qint64>::max());
}

} // namespace

Size2 LayerSpec::effectiveStrides() const
{
    if (strides) {
        return *strides;
    }
    if (type == LayerType::MaxPooling2D || type == LayerType::AveragePooling2D) {
        return poolSize;
    }
    return {1, 1};
}

bool layerTypeHasWeights(LayerType type)
{
    return type == LayerType::Conv2D || type == LayerType::Dense ||
           type == LayerType::BatchNormalization;
}

bool operator==(const LayerSpec& a, const LayerSpec& b)
{
    if (a.type != b.type || (layerTypeHasWeights(a.type) && a.trainable != b.trainable)) {
        return false;
    }
    switch (a.type) {
    case LayerType::Conv2D:
        return a.filters == b.filters && a.kernelSize == b.kernelSize && a.strides == b.strides &&
               a.padding == b.padding && a.activation == b.activation && a.useBias == b.useBias;
    case LayerType::MaxPooling2D:
    case LayerType::AveragePooling2D:
        return a.poolSize == b.poolSize && a.strides == b.strides && a.padding == b.padding;
    case LayerType::GlobalAveragePooling2D:
    case LayerType::Flatten:
        return true;
    case LayerType::Dense:
        return a.units == b.units && a.activation == b.activation && a.useBias == b.useBias;
    case LayerType::Dropout:
        return a.rate == b.rate;
    case LayerType::BatchNormalization:
        return a.momentum == b.momentum && a.epsilon == b.epsilon;
    case LayerType::Activation:
        return a.activation == b.activation;
    case LayerType::FeatureExtractor:
        return a.extractor == b.extractor;
    }
    return false;
}

LayerSpec LayerSpec::conv2D(int filters, Size2 kernel, Padding padding, Activation activation)
{
    LayerSpec layer;
    layer.type = LayerType::Conv2D;
    layer.filters = filters;
    layer.kernelSize = kernel;
    layer.padding = padding;
    layer.activation = activation;
    return layer;
}

LayerSpec LayerSpec::maxPooling2D(Size2 pool)
{
    LayerSpec layer;
    layer.type = LayerType::MaxPooling2D;
    layer.poolSize = pool;
    return layer;
}

LayerSpec LayerSpec::averagePooling2D(Size2 pool)
{
    LayerSpec layer;
    layer.type = LayerType::AveragePooling2D;
    layer.poolSize = pool;
    return layer;
}

LayerSpec LayerSpec::globalAveragePooling2D()
{
    LayerSpec layer;
    layer.type = LayerType::GlobalAveragePooling2D;
    return layer;
}

LayerSpec LayerSpec::flatten()
{
    LayerSpec layer;
    layer.type = LayerType::Flatten;
    return layer;
}

LayerSpec LayerSpec::dense(int units, Activation activation)
{
    LayerSpec layer;
    layer.type = LayerType::Dense;
    layer.units = units;
    layer.activation = activation;
    return layer;
}

LayerSpec LayerSpec::dropout(double rate)
{
    LayerSpec layer;
    layer.type = LayerType::Dropout;
    layer.rate = rate;
    return layer;
}

LayerSpec LayerSpec::batchNormalization()
{
    LayerSpec layer;
    layer.type = LayerType::BatchNormalization;
    return layer;
}

LayerSpec LayerSpec::activationLayer(Activation activation)
{
    LayerSpec layer;
    layer.type = LayerType::Activation;
    layer.activation = activation;
    return layer;
}

LayerSpec LayerSpec::featureExtractor(const FeatureExtractorSpec& extractor)
{
    LayerSpec layer;
    layer.type = LayerType::FeatureExtractor;
    layer.extractor = extractor;
    layer.trainable = false;
    return layer;
}

QString layerTypeName(LayerType type)
{
    for (const TypeName& entry : kTypeNames) {
        if (entry.type == type) {
            return QString::fromLatin1(entry.name);
        }
    }
    return QString();
}

std::optional<LayerType> layerTypeFromName(const QString& name)
{
    for (const TypeName& entry : kTypeNames) {
        if (name == QLatin1String(entry.name)) {
            return entry.type;
        }
    }
    for (const TypeName& entry : kTypeAliases) {
        if (name == QLatin1String(entry.name)) {
            return entry.type;
        }
    }
    return std::nullopt;
}

QStringList layerTypeNames()
{
    QStringList names;
    for (const TypeName& entry : kTypeNames) {
        names << QString::fromLatin1(entry.name);
    }
    return names;
}

QString activationName(Activation activation)
{
    for (const ActivationName& entry : kActivationNames) {
        if (entry.activation == activation) {
            return QString::fromLatin1(entry.name);
        }
    }
    return QString();
}

std::optional<Activation> activationFromName(const QString& name)
{
    for (const ActivationName& entry : kActivationNames) {
        if (name == QLatin1String(entry.name)) {
            return entry.activation;
        }
    }
    return std::nullopt;
}

QStringList activationNames()
{
    QStringList names;
    for (const ActivationName& entry : kActivationNames) {
        names << QString::fromLatin1(entry.name);
    }
    return names;
}

QString paddingName(Padding padding)
{
    return padding == Padding::Same ? QStringLiteral("same") : QStringLiteral("valid");
}

std::optional<Padding> paddingFromName(const QString& name)
{
    if (name == QLatin1String("valid")) {
        return Padding::Valid;
    }
    if (name == QLatin1String("same")) {
        return Padding::Same;
    }
    return std::nullopt;
}

QStringList layerParameterKeys(LayerType type)
{
    switch (type) {
    case LayerType::Conv2D:
        return {QStringLiteral("filters"),    QStringLiteral("kernel_size"),
                QStringLiteral("strides"),    QStringLiteral("padding"),
                QStringLiteral("activation"), QStringLiteral("use_bias"),
                QStringLiteral("trainable")};
    case LayerType::MaxPooling2D:
    case LayerType::AveragePooling2D:
        return {QStringLiteral("pool_size"), QStringLiteral("strides"), QStringLiteral("padding")};
    case LayerType::GlobalAveragePooling2D:
    case LayerType::Flatten:
        return {};
    case LayerType::Dense:
        return {QStringLiteral("units"), QStringLiteral("activation"), QStringLiteral("use_bias"),
                QStringLiteral("trainable")};
    case LayerType::Dropout:
        return {QStringLiteral("rate")};
    case LayerType::BatchNormalization:
        return {QStringLiteral("momentum"), QStringLiteral("epsilon"), QStringLiteral("trainable")};
    case LayerType::Activation:
        return {QStringLiteral("activation")};
    case LayerType::FeatureExtractor:
        return {QStringLiteral("path"),  QStringLiteral("input_size"), QStringLiteral("channels"),
                QStringLiteral("mean"),  QStringLiteral("std"),        QStringLiteral("features"),
                QStringLiteral("params")};
    }
    return {};
}

QJsonObject layerToJson(const LayerSpec& layer)
{
    QJsonObject json;
    json.insert(QStringLiteral("type"), layerTypeName(layer.type));
    switch (layer.type) {
    case LayerType::Conv2D:
        json.insert(QStringLiteral("filters"), layer.filters);
        json.insert(QStringLiteral("kernel_size"), sizeToJson(layer.kernelSize));
        if (layer.strides) {
            json.insert(QStringLiteral("strides"), sizeToJson(*layer.strides));
        }
        json.insert(QStringLiteral("padding"), paddingName(layer.padding));
        json.insert(QStringLiteral("activation"), activationName(layer.activation));
        json.insert(QStringLiteral("use_bias"), layer.useBias);
        break;
    case LayerType::MaxPooling2D:
    case LayerType::AveragePooling2D:
        json.insert(QStringLiteral("pool_size"), sizeToJson(layer.poolSize));
        if (layer.strides) {
            json.insert(QStringLiteral("strides"), sizeToJson(*layer.strides));
        }
        json.insert(QStringLiteral("padding"), paddingName(layer.padding));
        break;
    case LayerType::GlobalAveragePooling2D:
    case LayerType::Flatten:
        break;
    case LayerType::Dense:
        json.insert(QStringLiteral("units"), layer.units);
        json.insert(QStringLiteral("activation"), activationName(layer.activation));
        json.insert(QStringLiteral("use_bias"), layer.useBias);
        break;
    case LayerType::Dropout:
        json.insert(QStringLiteral("rate"), layer.rate);
        break;
    case LayerType::BatchNormalization:
        json.insert(QStringLiteral("momentum"), layer.momentum);
        json.insert(QStringLiteral("epsilon"), layer.epsilon);
        break;
    case LayerType::Activation:
        json.insert(QStringLiteral("activation"), activationName(layer.activation));
        break;
    case LayerType::FeatureExtractor:
        writeFeatureExtractor(layer.extractor, &json);
        break;
    }
    if (layerTypeHasWeights(layer.type) && !layer.trainable) {
        json.insert(QStringLiteral("trainable"), false); // written only when it differs
    }
    return json;
}

QJsonObject modelToJson(const ModelSpec& model)
{
    QJsonArray layers;
    for (const LayerSpec& layer : model.layers) {
        layers.append(layerToJson(layer));
    }
    QJsonObject json{{QStringLiteral("layers"), layers}};
    if (!model.initFrom.isEmpty()) {
        json.insert(QStringLiteral("init_from"), model.initFrom);
    }
    return json;
}

LayerSpec layerFromJson(const QJsonValue& value, const QString& path, JsonDiagnostics* diagnostics)
{
    LayerSpec layer;
    JsonObjectReader reader(value, path, diagnostics);
    if (!reader.isObject()) {
        if (value.isUndefined()) {
            diagnostics->errors << path + QStringLiteral(" is missing");
        }
        return layer;
    }
    if (!reader.has(QStringLiteral("type"))) {
        reader.addError(reader.childPath(QStringLiteral("type")),
                        QStringLiteral("is required: one of %1")
                            .arg(JsonObjectReader::quotedList(layerTypeNames())));
        return layer;
    }
    if (!reader.readEnum<LayerType>(QStringLiteral("type"), &layer.type, &layerTypeFromName,
                                    layerTypeNames())) {
        return layer;
    }
    // Keras writes "trainable" for every layer; it matters for the layers with weights only.
    reader.readBool(QStringLiteral("trainable"), &layer.trainable);
    const LayerSchema& schema = layerSchema();
    switch (layer.type) {
    case LayerType::Conv2D:
        requireKey(reader, QStringLiteral("filters"), layer.type);
        requireKey(reader, QStringLiteral("kernel_size"), layer.type);
        reader.readInt(schema.filters.key, &layer.filters, int(schema.filters.formMinimum()),
                       int(schema.filters.formMaximum()));
        readSize(reader, schema.kernelSize, &layer.kernelSize);
        if (reader.has(QStringLiteral("strides"))) {
            Size2 strides;
            if (readSize(reader, schema.strides, &strides)) {
                layer.strides = strides;
            }
        }
        reader.readEnum<Padding>(schema.padding.key, &layer.padding, &paddingFromName,
                                 schema.padding.choiceNames());
        readActivation(reader, &layer.activation);
        reader.readBool(QStringLiteral("use_bias"), &layer.useBias);
        break;
    case LayerType::MaxPooling2D:
    case LayerType::AveragePooling2D:
        readSize(reader, schema.poolSize, &layer.poolSize);
        if (reader.has(QStringLiteral("strides")) &&
            !reader.take(QStringLiteral("strides")).isNull()) {
            Size2 strides;
            if (readSize(reader, schema.strides, &strides)) {
                layer.strides = strides;
            }
        }
        reader.readEnum<Padding>(schema.padding.key, &layer.padding, &paddingFromName,
                                 schema.padding.choiceNames());
        break;
    case LayerType::GlobalAveragePooling2D:
    case LayerType::Flatten:
        break;
    case LayerType::Dense:
        requireKey(reader, QStringLiteral("units"), layer.type);
        reader.readInt(schema.units.key, &layer.units, int(schema.units.formMinimum()),
                       int(schema.units.formMaximum()));
        readActivation(reader, &layer.activation);
        reader.readBool(QStringLiteral("use_bias"), &layer.useBias);
        break;
    case LayerType::Dropout:
        requireKey(reader, QStringLiteral("rate"), layer.type);
        reader.readDouble(schema.rate.key, &layer.rate, schema.rate.range);
        break;
    case LayerType::BatchNormalization:
        reader.readDouble(schema.momentum.key, &layer.momentum, schema.momentum.range);
        reader.readDouble(schema.epsilon.key, &layer.epsilon, schema.epsilon.range);
        break;
    case LayerType::Activation:
        requireKey(reader, QStringLiteral("activation"), layer.type);
        readActivation(reader, &layer.activation);
        break;
    case LayerType::FeatureExtractor:
        requireKey(reader, QStringLiteral("path"), layer.type);
        readFeatureExtractor(reader, &layer.extractor);
        layer.trainable = false; // always frozen
        break;
    }
    reader.finish();
    return layer;
}

FeatureExtractorSpec featureExtractorFromJson(const QJsonValue& value, const QString& path,
                                              JsonDiagnostics* diagnostics,
                                              const FeatureExtractorSpec& defaults)
{
    FeatureExtractorSpec extractor = defaults;
    JsonObjectReader reader(value, path, diagnostics);
    if (reader.isObject()) {
        readFeatureExtractor(reader, &extractor);
        reader.finish();
    }
    return extractor;
}

ModelSpec modelFromJson(const QJsonValue& value, const QString& path, JsonDiagnostics* diagnostics)
{
    ModelSpec model;
    JsonObjectReader reader(value, path, diagnostics);
    if (!reader.isObject()) {
        return model;
    }
    const QString layersPath = reader.childPath(QStringLiteral("layers"));
    if (!reader.has(QStringLiteral("layers"))) {
        reader.addError(layersPath, QStringLiteral("is missing: a list of layers such as "
                                                   "[{\"type\": \"Conv2D\", ...}, ...]"));
        reader.finish();
        return model;
    }
    const QJsonValue layers = reader.take(QStringLiteral("layers"));
    if (!layers.isArray()) {
        reader.addError(
            layersPath,
            QStringLiteral("must be a list of layers, got %1").arg(describeJsonValue(layers)));
        reader.finish();
        return model;
    }
    const QJsonArray array = layers.toArray();
    for (int i = 0; i < array.size(); ++i) {
        model.layers.append(
            layerFromJson(array[i], QStringLiteral("%1[%2]").arg(layersPath).arg(i), diagnostics));
    }
    reader.readString(QStringLiteral("init_from"), &model.initFrom);
    reader.finish();
    return model;
}

} // namespace studio
