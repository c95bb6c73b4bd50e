#include "export/modelmetadata.h"

#include "common/version.h"
#include "dataset/datasetschema.h"
#include "model/modelsummary.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

namespace studio {

ModelMetadata makeModelMetadata(const ModelSpec& model, const DatasetSettings& dataset,
                                const QStringList& classes)
{
    ModelMetadata metadata;
    metadata.classes = classes;
    metadata.input = inputSpecOf(dataset);
    metadata.model = model;
    metadata.appVersion = QString::fromLatin1(kVersion);
    metadata.created = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    return metadata;
}

bool ModelMetadata::needsVersion2() const
{
    return !input.channelList.isEmpty() || input.normalization != Normalization::Legacy ||
           input.resize != ResizeMode::Stretch;
}

namespace {

QJsonArray pairJson(double low, double high)
{
    return QJsonArray{low, high};
}

// "value_range": [low, high], or one such pair per channel.
QJsonValue rangesJson(const ModelMetadata& m)
{
    if (m.input.channelRanges.isEmpty()) {
        return pairJson(m.input.rangeLow, m.input.rangeHigh);
    }
    QJsonArray ranges;
    for (const auto& [low, high] : m.input.channelRanges) {
        ranges.append(pairJson(low, high));
    }
    return ranges;
}

// Standardize's per-channel values, or the other normalisations' single `neutral` one.
QJsonValue statisticJson(const ModelMetadata& m, const QVector<double>& values, double neutral)
{
    if (m.input.normalization != Normalization::Standardize) {
        return neutral;
    }
    QJsonArray array;
    for (const double v : values) {
        array.append(v);
    }
    return array;
}

// Standardize's "mean" and "std": one finite number per channel, deviations 0 or more.
bool readStatistics(const QJsonObject& normalization, ModelMetadata* m)
{
    const QJsonArray mean = normalization[QStringLiteral("mean")].toArray();
    const QJsonArray deviation = normalization[QStringLiteral("std")].toArray();
    if (mean.size() != m->channels() || deviation.size() != m->channels()) {
        return false;
    }
    for (int c = 0; c < mean.size(); ++c) {
        const double mu = mean[c].toDouble(std::nan(""));
        const double sigma = deviation[c].toDouble(std::nan(""));
        if (!std::isfinite(mu) || !std::isfinite(sigma) || sigma < 0) {
            return false;
        }
        m->input.channelMean << mu;
        m->input.channelStd << sigma;
    }
    return true;
}

// The version 1 "normalization" object (8-bit pixels times rescale), or version 2's.
QJsonObject normalizationJson(const ModelMetadata& m, int version)
{
    if (version < 2) {
        return {{QStringLiteral("description"),
                 QStringLiteral("pixel values 0..255 (RGB order) times rescale, no mean "
                                "or standard deviation")},
                {QStringLiteral("rescale"), m.input.rescale},
                {QStringLiteral("mean"), 0.0},
                {QStringLiteral("std"), 1.0}};
    }
    const DatasetSchema& f = datasetSchema();
    const InputSpec& spec = m.input;
    return {{QStringLiteral("method"),
             m.input.normalization == Normalization::Legacy
                 ? QStringLiteral("legacy")
                 : f.normalization.choices.value(int(m.input.normalization)).name},
            {QStringLiteral("description"), describeNormalization(spec)},
            {QStringLiteral("rescale"), m.input.rescale},
            {f.valueRange.key, rangesJson(m)},
            {f.percentiles.key, pairJson(m.input.percentileLow, m.input.percentileHigh)},
            {QStringLiteral("per_image"), m.input.normalization == Normalization::Percentile},
            {QStringLiteral("sample_bits"), spec.sampleBits()},
            {QStringLiteral("mean"), statisticJson(m, m.input.channelMean, 0.0)},
            {QStringLiteral("std"), statisticJson(m, m.input.channelStd, 1.0)}};
}

QJsonObject int8Json(const Int8Calibration& c)
{
    QJsonArray ranges;
    for (int i = 0; i < c.low.size(); ++i) {
        ranges.append(QJsonArray{c.low[i], c.high[i]});
    }
    QJsonObject json{{QStringLiteral("calibration_images"), c.images},
                     {QStringLiteral("ranges"), ranges}};
    if (c.checkImages > 0) {
        json.insert(QStringLiteral("check"),
                    QJsonObject{{QStringLiteral("split"), c.checkSplit},
                                {QStringLiteral("images"), c.checkImages},
                                {QStringLiteral("float_accuracy"), c.floatAccuracy},
                                {QStringLiteral("int8_accuracy"), c.int8Accuracy},
                                {QStringLiteral("same_class"), c.sameClass}});
    }
    return json;
}

} // namespace

QJsonObject modelMetadataToJson(const ModelMetadata& m)
{
    const QString colorMode = datasetSchema().colorMode.choices.value(int(m.input.colorMode)).name;
    const int version = std::max(m.formatVersion, m.needsVersion2() ? 2 : 1);
    QJsonObject json{
        {QStringLiteral("format"), kModelFormatName},
        {QStringLiteral("format_version"), version},
        {QStringLiteral("classes"), QJsonArray::fromStringList(m.classes)},
        {QStringLiteral("image_size"), m.input.imageSize},
        {QStringLiteral("color_mode"), colorMode},
        {QStringLiteral("channels"), m.channels()},
        {QStringLiteral("input_layout"), QStringLiteral("NCHW")},
        {QStringLiteral("input_dtype"), QStringLiteral("float32")},
        {QStringLiteral("rescale"), m.input.rescale},
        {QStringLiteral("normalization"), normalizationJson(m, version)},
        {QStringLiteral("resize_interpolation"), m.interpolation},
        {QStringLiteral("output"), QStringLiteral("probabilities")},
        {QStringLiteral("layers"), modelToJson(m.model).value(QStringLiteral("layers"))},
        {QStringLiteral("training"),
         QJsonObject{{QStringLiteral("epochs"), m.epochs},
                     {QStringLiteral("final_metrics"), m.finalMetrics}}},
        {QStringLiteral("app_version"), m.appVersion},
        {QStringLiteral("created"), m.created}};
    if (version >= 2) {
        const DatasetSchema& f = datasetSchema();
        if (!m.input.channelList.isEmpty()) {
            QJsonArray list;
            for (const int c : m.input.channelList) {
                list.append(c + 1);
            }
            json.remove(f.colorMode.key);
            json.insert(QStringLiteral("channel_list"), list);
        }
        json.insert(f.resize.key, f.resize.choices.value(int(m.input.resize)).name);
        json.insert(f.padValue.key, m.input.padValue);
    }
    if (!m.int8.empty()) {
        json.insert(QStringLiteral("int8"), int8Json(m.int8));
    }
    return json;
}

QByteArray modelMetadataToBytes(const ModelMetadata& metadata)
{
    return QJsonDocument(modelMetadataToJson(metadata)).toJson(QJsonDocument::Indented);
}

QString Int8Calibration::describe() const
{
    const QString calibrated = QStringLiteral("calibrated on %1 training images").arg(images);
    if (checkImages <= 0) {
        return calibrated + QStringLiteral("; not checked on held-out images");
    }
    return calibrated + QStringLiteral("; on the %1 split's %2 images: accuracy %3 against %4 in "
                                       "float32, the same class for %5%")
                            .arg(checkSplit)
                            .arg(checkImages)
                            .arg(int8Accuracy, 0, 'f', 4)
                            .arg(floatAccuracy, 0, 'f', 4)
                            .arg(100.0 * sameClass, 0, 'f', 2);
}

namespace {

// The "int8" section; one that is malformed reads as none (the int8 engine then says the model
// has no calibration), since the rest of the file is still good.
Int8Calibration readInt8(const QJsonObject& json)
{
    Int8Calibration c;
    const QJsonArray ranges = json[QStringLiteral("ranges")].toArray();
    for (const QJsonValue& range : ranges) {
        const QJsonArray pair = range.toArray();
        const double low = pair.at(0).toDouble(NAN);
        const double high = pair.at(1).toDouble(NAN);
        if (pair.size() != 2 || !std::isfinite(low) || !std::isfinite(high) || low > high) {
            return {};
        }
        c.low << low;
        c.high << high;
    }
    c.images = json[QStringLiteral("calibration_images")].toInt();
    const QJsonObject check = json[QStringLiteral("check")].toObject();
    c.checkSplit = check[QStringLiteral("split")].toString();
    c.checkImages = std::max(0, check[QStringLiteral("images")].toInt());
    c.floatAccuracy = check[QStringLiteral("float_accuracy")].toDouble();
    c.int8Accuracy = check[QStringLiteral("int8_accuracy")].toDouble();
    c.sameClass = check[QStringLiteral("same_class")].toDouble();
    return c;
}

// Version 2's "channel_list": [1, ...]; a reason when it is not a list of different channels.
QString readChannelList(const QJsonObject& o, ModelMetadata* m)
{
    const SettingField& field = datasetSchema().channels;
    for (const QJsonValue& item : o[QStringLiteral("channel_list")].toArray()) {
        const double number = item.toDouble(-1);
        if (!field.accepts(number) || m->input.channelList.contains(int(number) - 1)) {
            m->input.channelList.clear();
            break;
        }
        m->input.channelList << int(number) - 1;
    }
    return m->input.channelList.isEmpty()
               ? QStringLiteral("has a bad channel_list (%1 expected)").arg(field.describe())
               : QString();
}

// A [low, high] pair with low < high, each in the field's range; false when it is not one.
bool readPairJson(const QJsonValue& value, const SettingField& field, double* low, double* high)
{
    const QJsonArray pair = value.toArray();
    if (pair.size() != 2 || !pair[0].isDouble() || !pair[1].isDouble() ||
        !field.range.contains(pair[0].toDouble()) || !field.range.contains(pair[1].toDouble()) ||
        !(pair[0].toDouble() < pair[1].toDouble())) {
        return false;
    }
    *low = pair[0].toDouble();
    *high = pair[1].toDouble();
    return true;
}

// "value_range": a pair, or one pair per channel; false when it is neither.
bool readRangesJson(const QJsonValue& value, ModelMetadata* m)
{
    const SettingField& field = datasetSchema().valueRange;
    const QJsonArray array = value.toArray();
    if (array.isEmpty() || !array[0].isArray()) {
        return readPairJson(value, field, &m->input.rangeLow, &m->input.rangeHigh);
    }
    for (const QJsonValue& item : array) {
        double low = 0;
        double high = 0;
        if (!readPairJson(item, field, &low, &high)) {
            return false;
        }
        m->input.channelRanges.append({low, high});
    }
    return m->input.channelRanges.size() == m->channels();
}

// Version 2's normalisation method and its values, resize and pad_value; a reason when bad.
QString readPreparation(const QJsonObject& o, ModelMetadata* m)
{
    const DatasetSchema& f = datasetSchema();
    const QJsonObject normalization = o[QStringLiteral("normalization")].toObject();
    const QString method = normalization[QStringLiteral("method")].toString();
    const int methodIndex = f.normalization.choiceIndex(method);
    if (method != QLatin1String("legacy") && methodIndex < 0) {
        return QStringLiteral("has normalization method '%1' (\"legacy\" or %2 expected)")
            .arg(method, f.normalization.describe());
    }
    m->input.normalization = methodIndex < 0 ? Normalization::Legacy : Normalization(methodIndex);
    if (!readRangesJson(normalization[f.valueRange.key], m) ||
        !readPairJson(normalization[f.percentiles.key], f.percentiles, &m->input.percentileLow,
                      &m->input.percentileHigh)) {
        return QStringLiteral("has a bad normalization value_range or percentiles");
    }
    if (m->input.normalization == Normalization::Standardize && !readStatistics(normalization, m)) {
        return QStringLiteral("has standardize without a mean and a standard deviation (0 or "
                              "more) for each of its %1 channels")
            .arg(m->channels());
    }
    const int resizeIndex = f.resize.choiceIndex(o[f.resize.key].toString());
    const QJsonValue pad = o[f.padValue.key];
    if (resizeIndex < 0 || !pad.isDouble() || !f.padValue.accepts(pad.toDouble())) {
        return QStringLiteral("has a bad resize or pad_value (resize: %1)")
            .arg(f.resize.describe());
    }
    m->input.resize = ResizeMode(resizeIndex);
    m->input.padValue = pad.toDouble();
    return QString();
}

} // namespace

Result<ModelMetadata> modelMetadataFromBytes(const QByteArray& json, const QString& source)
{
    const auto bad = [&](const QString& what) {
        return Failure{QStringLiteral("%1 is not a usable Classifier Studio model: its "
                                      "metadata.json %2. Export the model again from the app or "
                                      "with 'classifier-cli export'.")
                           .arg(source, what)};
    };
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        return bad(QStringLiteral("is not a JSON object (%1)").arg(error.errorString()));
    }
    const QJsonObject o = doc.object();
    if (o[QStringLiteral("format")].toString() != kModelFormatName) {
        return bad(QStringLiteral("does not say \"format\": \"%1\"").arg(kModelFormatName));
    }
    ModelMetadata m;
    const QJsonValue version = o[QStringLiteral("format_version")];
    if (!version.isDouble() || version.toDouble() < 1 ||
        version.toDouble() != std::floor(version.toDouble())) {
        return bad(QStringLiteral("has no valid format_version"));
    }
    if (version.toDouble() > kModelFormatVersion) { // compared as a number: toInt() of 1e10 is 0
        return Failure{QStringLiteral("%1 was written by a newer Classifier Studio (model format "
                                      "%2; this version reads up to %3). Update the app.")
                           .arg(source)
                           .arg(version.toDouble())
                           .arg(kModelFormatVersion)};
    }
    m.formatVersion = version.toInt();
    if (!o[QStringLiteral("classes")].isArray()) {
        return bad(QStringLiteral("has no \"classes\" list (the class names, in output order)"));
    }
    const QJsonArray classes = o[QStringLiteral("classes")].toArray();
    for (const QJsonValue& c : classes) {
        if (!c.isString() || c.toString().isEmpty()) {
            return bad(QStringLiteral("has a class name that is not a non-empty string"));
        }
        m.classes << c.toString();
    }
    if (m.classes.size() < 2) {
        return bad(QStringLiteral("lists fewer than two classes"));
    }
    const QJsonValue size = o[QStringLiteral("image_size")];
    if (!size.isDouble() || !datasetSchema().imageSize.accepts(size.toDouble())) {
        return bad(
            QStringLiteral("has no image_size (%1)").arg(datasetSchema().imageSize.describe()));
    }
    m.input.imageSize = size.toInt();
    const QJsonValue rescale = o[QStringLiteral("rescale")];
    if (!rescale.isDouble() || !(rescale.toDouble() > 0)) {
        return bad(QStringLiteral("has no positive rescale"));
    }
    m.input.rescale = rescale.toDouble();
    if (o.contains(QStringLiteral("channel_list")) && m.formatVersion >= 2) {
        if (const QString problem = readChannelList(o, &m); !problem.isEmpty()) {
            return bad(problem);
        }
    } else {
        const QString colorMode = o[QStringLiteral("color_mode")].toString();
        const int colorIndex = datasetSchema().colorMode.choiceIndex(colorMode);
        if (colorIndex < 0) {
            return bad(QStringLiteral("has color_mode '%1' (%2 expected)")
                           .arg(colorMode, datasetSchema().colorMode.describe()));
        }
        m.input.colorMode = ColorMode(colorIndex);
    }
    if (m.formatVersion >= 2) {
        if (const QString problem = readPreparation(o, &m); !problem.isEmpty()) {
            return bad(problem);
        }
    }
    m.interpolation = o[QStringLiteral("resize_interpolation")].toString(kResizeInterpolation);
    JsonDiagnostics diagnostics;
    m.model = modelFromJson(QJsonObject{{QStringLiteral("layers"), o[QStringLiteral("layers")]}},
                            QStringLiteral("model"), &diagnostics);
    if (!diagnostics.errors.isEmpty()) {
        return bad(QStringLiteral("has a bad layer stack: %1")
                       .arg(diagnostics.errors.join(QStringLiteral("; "))));
    }
    const InputShape input{m.input.imageSize, m.input.imageSize, m.channels()};
    const ModelSummary summary = summarizeModel(m.model, input, int(m.classes.size()));
    if (summary.hasErrors()) {
        return bad(QStringLiteral("describes a layer stack that does not fit its input: %1")
                       .arg(summary.errorText()));
    }
    const QJsonObject training = o[QStringLiteral("training")].toObject();
    m.epochs = training[QStringLiteral("epochs")].toInt();
    m.finalMetrics = training[QStringLiteral("final_metrics")].toObject();
    m.appVersion = o[QStringLiteral("app_version")].toString();
    m.created = o[QStringLiteral("created")].toString();
    m.int8 = readInt8(o[QStringLiteral("int8")].toObject());
    return m;
}

} // namespace studio
