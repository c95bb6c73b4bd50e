// What a model file says about itself (metadata.json inside the .pt, metadata_props in ONNX):
// classes, the preprocessing used in training, the layer stack and a training summary.
#pragma once

#include "common/result.h"
#include "dataset/datasetsettings.h"
#include "dataset/inputspec.h"
#include "model/layerspec.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace studio {

// The newest metadata format this build reads and writes; files with a newer one are refused.
// Version 2 adds picked channels, normalisations and resize modes; a model that uses none of
// them is written as version 1, which older builds read.
constexpr int kModelFormatVersion = 2;
// The "format" value that marks a model file made by this app.
inline const QString kModelFormatName = QStringLiteral("classifier-studio-model");
// How images are resized, in the words of core/dataset/imagedecoder.h.
inline const QString kResizeInterpolation =
    QStringLiteral("area when shrinking, linear when enlarging (OpenCV INTER_AREA / INTER_LINEAR)");

// The most the int8 engine may lose in accuracy on the model's held-out check (0.1 point): the
// auto engine uses int8 only within it.
constexpr double kInt8AccuracyTolerance = 0.001;

// What the int8 engine needs and how well it did, measured when the run exported the model
// (empty in files written before it, or when the network has a layer int8 cannot run).
struct Int8Calibration
{
    int images = 0; // training images (not augmented) the ranges were measured on
    // Per quantization point (the network's input, then each Conv2D and Dense output after its
    // folded BatchNormalization and ReLU): the smallest and largest value seen.
    QVector<double> low;
    QVector<double> high;
    // The check on held-out images: the split ("test" or "validation"), how many, the accuracy
    // of the float32 network and of int8, and the share of images both give the same class.
    // checkImages 0: not checked.
    QString checkSplit;
    int checkImages = 0;
    double floatAccuracy = 0;
    double int8Accuracy = 0;
    double sameClass = 0;

    bool empty() const { return low.isEmpty(); }
    // Checked, and int8 loses at most kInt8AccuracyTolerance.
    bool withinTolerance() const
    {
        return !empty() && checkImages > 0 &&
               int8Accuracy >= floatAccuracy - kInt8AccuracyTolerance;
    }
    // "calibrated on 512 training images; on the test split's 10000 images: accuracy 0.9147
    // against 0.9139 in float32, the same class for 99.38%" (or "...; not checked on held-out
    // images"), for logs and the engine's description.
    QString describe() const;
};

// The model's inputs, outputs and history. The network takes float32 NCHW images of
// imageSize x imageSize x channels(), prepared as `input` says (Legacy: each pixel value
// 0..255 multiplied by `rescale`), and returns class probabilities in `classes` order.
struct ModelMetadata
{
    int formatVersion = 1; // as read; written as at least the version the content needs
    QStringList classes;
    // How an image becomes the network's input, as in training: size, channels, normalisation
    // (with standardize's measured statistics), resize.
    InputSpec input;
    QString interpolation = kResizeInterpolation;
    ModelSpec model;
    int epochs = 0;           // epochs trained
    QJsonObject finalMetrics; // the last epoch's logs (loss, accuracy, val_loss, ...)
    QString appVersion;       // of the app that wrote the file
    QString created;          // ISO 8601 date and time (UTC)
    Int8Calibration int8;     // "int8": see Int8Calibration

    int channels() const { return input.channels(); }
    int imageSize() const { return input.imageSize; }
    // Dataset settings with this model's input settings (image size, channels, normalisation,
    // resize) and the others at their defaults.
    DatasetSettings inputSettings() const { return inputSettingsOf(input); }
    // True when the file needs format version 2 (older builds cannot prepare its input).
    bool needsVersion2() const;
};

// Metadata for a network trained on `dataset` with `classes`: this app's version, now.
ModelMetadata makeModelMetadata(const ModelSpec& model, const DatasetSettings& dataset,
                                const QStringList& classes);

// {"format": "classifier-studio-model", "format_version": 1, "classes": [...], "image_size",
//  "color_mode" (or version 2's "channel_list": [1, ...]), "channels", "input_layout": "NCHW",
//  "rescale", "normalization": {...; version 2: "method", "value_range", "percentiles",
//  "per_image", "sample_bits", "mean" and "std" (one per channel for standardize, else 0 and 1)},
//  version 2's "resize" and "pad_value", "resize_interpolation",
//  "output": "probabilities", "layers": [...], "training": {"epochs", "final_metrics"},
//  "app_version", "created", and when calibrated "int8": {"calibration_images", "ranges":
//  [[low, high], ...], "check": {"split", "images", "float_accuracy", "int8_accuracy",
//  "same_class"}}}
QJsonObject modelMetadataToJson(const ModelMetadata& metadata);
QByteArray modelMetadataToBytes(const ModelMetadata& metadata);

// Reads and checks metadata; `source` names the file in messages. Malformed JSON, a foreign
// format, a newer version, bad values or a layer stack that does not fit the input and
// classes are a Failure that says so.
Result<ModelMetadata> modelMetadataFromBytes(const QByteArray& json, const QString& source);

} // namespace studio
