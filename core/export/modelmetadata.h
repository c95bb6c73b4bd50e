// What a model file says about itself (metadata.json inside the .pt, metadata_props in ONNX):
// classes, the preprocessing used in training, the layer stack and a training summary.
#pragma once

#include "common/result.h"
#include "dataset/datasetsettings.h"
#include "model/layerspec.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace studio {

// The metadata format this build writes; files with a newer one are refused.
constexpr int kModelFormatVersion = 1;
// The "format" value that marks a model file made by this app.
inline const QString kModelFormatName = QStringLiteral("classifier-studio-model");
// How images are resized, in the words of core/dataset/imagedecoder.h.
inline const QString kResizeInterpolation =
    QStringLiteral("area when shrinking, linear when enlarging (OpenCV INTER_AREA / INTER_LINEAR)");

// The model's inputs, outputs and history. The network takes float32 NCHW images of
// imageSize x imageSize x channels(), each pixel value (0..255) multiplied by `rescale`, and
// returns class probabilities in `classes` order.
struct ModelMetadata
{
    int formatVersion = kModelFormatVersion;
    QStringList classes;
    int imageSize = 64;
    ColorMode colorMode = ColorMode::Rgb;
    double rescale = 1.0 / 255.0;
    QString interpolation = kResizeInterpolation;
    ModelSpec model;
    int epochs = 0;           // epochs trained
    QJsonObject finalMetrics; // the last epoch's logs (loss, accuracy, val_loss, ...)
    QString appVersion;       // of the app that wrote the file
    QString created;          // ISO 8601 date and time (UTC)

    int channels() const { return colorMode == ColorMode::Rgb ? 3 : 1; }
};

// Metadata for a network trained on `dataset` with `classes`: this app's version, now.
ModelMetadata makeModelMetadata(const ModelSpec& model, const DatasetSettings& dataset,
                                const QStringList& classes);

// {"format": "classifier-studio-model", "format_version": 1, "classes": [...], "image_size",
//  "color_mode", "channels", "input_layout": "NCHW", "rescale", "normalization": {...},
//  "resize_interpolation", "output": "probabilities", "layers": [...], "training": {"epochs",
//  "final_metrics"}, "app_version", "created"}
QJsonObject modelMetadataToJson(const ModelMetadata& metadata);
QByteArray modelMetadataToBytes(const ModelMetadata& metadata);

// Reads and checks metadata; `source` names the file in messages. Malformed JSON, a foreign
// format, a newer version, bad values or a layer stack that does not fit the input and
// classes are a Failure that says so.
Result<ModelMetadata> modelMetadataFromBytes(const QByteArray& json, const QString& source);

} // namespace studio
