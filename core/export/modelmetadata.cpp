#include "export/modelmetadata.h"

#include "common/version.h"
#include "dataset/datasetschema.h"
#include "model/modelsummary.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace studio {

ModelMetadata makeModelMetadata(const ModelSpec& model, const DatasetSettings& dataset,
                                const QStringList& classes)
{
    ModelMetadata metadata;
    metadata.classes = classes;
    metadata.imageSize = dataset.imageSize;
    metadata.colorMode = dataset.colorMode;
    metadata.rescale = dataset.rescale;
    metadata.model = model;
    metadata.appVersion = QString::fromLatin1(kVersion);
    metadata.created = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    return metadata;
}

QJsonObject modelMetadataToJson(const ModelMetadata& m)
{
    const QString colorMode = datasetSchema().colorMode.choices.value(int(m.colorMode)).name;
    return {{QStringLiteral("format"), kModelFormatName},
            {QStringLiteral("format_version"), m.formatVersion},
            {QStringLiteral("classes"), QJsonArray::fromStringList(m.classes)},
            {QStringLiteral("image_size"), m.imageSize},
            {QStringLiteral("color_mode"), colorMode},
            {QStringLiteral("channels"), m.channels()},
            {QStringLiteral("input_layout"), QStringLiteral("NCHW")},
            {QStringLiteral("input_dtype"), QStringLiteral("float32")},
            {QStringLiteral("rescale"), m.rescale},
            {QStringLiteral("normalization"),
             QJsonObject{{QStringLiteral("description"),
                          QStringLiteral("pixel values 0..255 (RGB order) times rescale, no mean "
                                         "or standard deviation")},
                         {QStringLiteral("rescale"), m.rescale},
                         {QStringLiteral("mean"), 0.0},
                         {QStringLiteral("std"), 1.0}}},
            {QStringLiteral("resize_interpolation"), m.interpolation},
            {QStringLiteral("output"), QStringLiteral("probabilities")},
            {QStringLiteral("layers"), modelToJson(m.model).value(QStringLiteral("layers"))},
            {QStringLiteral("training"),
             QJsonObject{{QStringLiteral("epochs"), m.epochs},
                         {QStringLiteral("final_metrics"), m.finalMetrics}}},
            {QStringLiteral("app_version"), m.appVersion},
            {QStringLiteral("created"), m.created}};
}

QByteArray modelMetadataToBytes(const ModelMetadata& metadata)
{
    return QJsonDocument(modelMetadataToJson(metadata)).toJson(QJsonDocument::Indented);
}

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
    m.imageSize = size.toInt();
    const QString colorMode = o[QStringLiteral("color_mode")].toString();
    const int colorIndex = datasetSchema().colorMode.choiceIndex(colorMode);
    if (colorIndex < 0) {
        return bad(QStringLiteral("has color_mode '%1' (%2 expected)")
                       .arg(colorMode, datasetSchema().colorMode.describe()));
    }
    m.colorMode = ColorMode(colorIndex);
    const QJsonValue rescale = o[QStringLiteral("rescale")];
    if (!rescale.isDouble() || !(rescale.toDouble() > 0)) {
        return bad(QStringLiteral("has no positive rescale"));
    }
    m.rescale = rescale.toDouble();
    m.interpolation = o[QStringLiteral("resize_interpolation")].toString(kResizeInterpolation);
    JsonDiagnostics diagnostics;
    m.model = modelFromJson(QJsonObject{{QStringLiteral("layers"), o[QStringLiteral("layers")]}},
                            QStringLiteral("model"), &diagnostics);
    if (!diagnostics.errors.isEmpty()) {
        return bad(QStringLiteral("has a bad layer stack: %1")
                       .arg(diagnostics.errors.join(QStringLiteral("; "))));
    }
    const InputShape input{m.imageSize, m.imageSize, m.channels()};
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
    return m;
}

} // namespace studio
