// The layer stack of a network as plain values, with Keras's names for types and parameters.
#pragma once

#include "common/result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace studio {

enum class LayerType
{
    Conv2D,                 // "Conv2D"
    MaxPooling2D,           // "MaxPooling2D" (also read: "MaxPool2D")
    AveragePooling2D,       // "AveragePooling2D" (also read: "AvgPool2D")
    GlobalAveragePooling2D, // "GlobalAveragePooling2D" (also read: "GlobalAvgPool2D")
    Flatten,                // "Flatten"
    Dense,                  // "Dense"
    Dropout,                // "Dropout"
    BatchNormalization,     // "BatchNormalization"
    Activation,             // "Activation"
    FeatureExtractor        // "FeatureExtractor": a frozen TorchScript module, the first layer
};

enum class Padding
{
    Valid, // "valid": no padding, the output shrinks
    Same   // "same": TensorFlow's padding, output = ceil(input / stride)
};

// Keras activation names. leaky_relu uses slope 0.2 and elu alpha 1.0 (Keras's functional
// defaults).
enum class Activation
{
    Linear,    // "linear" (also JSON null)
    Relu,      // "relu"
    LeakyRelu, // "leaky_relu"
    Elu,       // "elu"
    Sigmoid,   // "sigmoid"
    Tanh,      // "tanh"
    Softmax    // "softmax": over the channel/feature axis
};

// A height and width pair, as Keras's kernel_size, strides and pool_size.
struct Size2
{
    int height = 1;
    int width = 1;

    friend bool operator==(const Size2& a, const Size2& b)
    {
        return a.height == b.height && a.width == b.width;
    }
    friend bool operator!=(const Size2& a, const Size2& b) { return !(a == b); }
};

// The most channels a feature extractor may take (the reader's and the summary's limit).
constexpr int kMaxExtractorChannels = 16;
// The largest input a feature extractor may take, per side.
constexpr int kMaxExtractorInputSize = 4096;

// A frozen TorchScript module supplied by the user (a backbone exported from torchvision, say)
// that maps an image to a feature vector: the first "layer" of a network. The image, after
// rescale, is given the module's channels (grey repeated, or colour averaged), resized to its
// input size and normalised by its mean and std, as the module was trained.
struct FeatureExtractorSpec
{
    QString path;              // "path": the .pt file, relative to the project file
    Size2 inputSize{224, 224}; // "input_size": [height, width] the module expects
    int channels = 3;          // "channels": the channels the module expects
    QVector<double> mean;      // "mean", "std": one per channel; empty: not normalised
    QVector<double> std;       //
    int features = 0;          // "features": its output size, measured (0: not yet)
    qint64 parameters = 0;     // "params": its parameter count, measured

    friend bool operator==(const FeatureExtractorSpec& a, const FeatureExtractorSpec& b)
    {
        return a.path == b.path && a.inputSize == b.inputSize && a.channels == b.channels &&
               a.mean == b.mean && a.std == b.std && a.features == b.features &&
               a.parameters == b.parameters;
    }
    friend bool operator!=(const FeatureExtractorSpec& a, const FeatureExtractorSpec& b)
    {
        return !(a == b);
    }
};

// One layer. Only the fields of its type are used; the others keep their defaults.
struct LayerSpec
{
    LayerType type = LayerType::Dense;

    // Conv2D
    int filters = 32;
    Size2 kernelSize{3, 3};
    bool useBias = true; // Conv2D and Dense: "use_bias"

    // Conv2D, MaxPooling2D, AveragePooling2D. Unset means Keras's default: (1, 1) for Conv2D,
    // pool_size for the pooling layers.
    std::optional<Size2> strides;
    Padding padding = Padding::Valid;

    // MaxPooling2D, AveragePooling2D
    Size2 poolSize{2, 2};

    // Dense
    int units = 10;

    // Conv2D, Dense, Activation
    Activation activation = Activation::Linear;

    // Dropout
    double rate = 0.5;

    // BatchNormalization (Keras's defaults)
    double momentum = 0.99;
    double epsilon = 1e-3;

    // Conv2D, Dense, BatchNormalization: Keras's "trainable". A frozen layer keeps its weights
    // through training (the optimizer never sees them); a frozen BatchNormalization layer also
    // runs in inference mode, with its moving statistics fixed, as in Keras.
    bool trainable = true;

    // FeatureExtractor (always frozen)
    FeatureExtractorSpec extractor;

    Size2 effectiveStrides() const;

    friend bool operator==(const LayerSpec& a, const LayerSpec& b);
    friend bool operator!=(const LayerSpec& a, const LayerSpec& b) { return !(a == b); }

    static LayerSpec conv2D(int filters, Size2 kernel, Padding padding = Padding::Valid,
                            Activation activation = Activation::Linear);
    static LayerSpec maxPooling2D(Size2 pool = {2, 2});
    static LayerSpec averagePooling2D(Size2 pool = {2, 2});
    static LayerSpec globalAveragePooling2D();
    static LayerSpec flatten();
    static LayerSpec dense(int units, Activation activation = Activation::Linear);
    static LayerSpec dropout(double rate);
    static LayerSpec batchNormalization();
    static LayerSpec activationLayer(Activation activation);
    static LayerSpec featureExtractor(const FeatureExtractorSpec& extractor);
};

// A network: the layers in order, from the input to the class scores.
struct ModelSpec
{
    QVector<LayerSpec> layers;
    // A model file (.pt) trained earlier, maybe on other data and classes, whose layers seed this
    // network's weights where their shapes match (transfer learning, JSON "init_from"); empty:
    // Keras's random initialisation.
    QString initFrom;

    friend bool operator==(const ModelSpec& a, const ModelSpec& b)
    {
        return a.layers == b.layers && a.initFrom == b.initFrom;
    }
    friend bool operator!=(const ModelSpec& a, const ModelSpec& b) { return !(a == b); }
};

QString layerTypeName(LayerType type); // "Conv2D"
// Whether layers of this type have weights (Conv2D, Dense, BatchNormalization), and so a
// "trainable" flag that matters.
bool layerTypeHasWeights(LayerType type);
std::optional<LayerType> layerTypeFromName(const QString& name);
QStringList layerTypeNames();
QString activationName(Activation activation); // "relu"
std::optional<Activation> activationFromName(const QString& name);
QStringList activationNames();
QString paddingName(Padding padding); // "valid"
std::optional<Padding> paddingFromName(const QString& name);

// Which parameters a layer type has (JSON keys besides "type").
QStringList layerParameterKeys(LayerType type);

// A layer as JSON with Keras's names: {"type": "Conv2D", "filters": 12, "kernel_size": [2, 2],
// ...}.
QJsonObject layerToJson(const LayerSpec& layer);
// The model section of a project file: {"layers": [...]}.
QJsonObject modelToJson(const ModelSpec& model);

// Problems found while reading JSON: errors make the result unusable, warnings (such as an
// unknown key) do not. Each message starts with the JSON path, e.g. "model.layers[3].rate".
struct JsonDiagnostics
{
    QStringList errors;
    QStringList warnings;
};

// Reads one layer / the model section; `path` names it in messages ("model.layers[2]").
LayerSpec layerFromJson(const QJsonValue& value, const QString& path, JsonDiagnostics* diagnostics);
ModelSpec modelFromJson(const QJsonValue& value, const QString& path, JsonDiagnostics* diagnostics);
// Reads a feature extractor's description (the FeatureExtractor layer's keys but "type", as an
// extractor.json inside the TorchScript file has them), starting from `defaults`.
FeatureExtractorSpec featureExtractorFromJson(const QJsonValue& value, const QString& path,
                                              JsonDiagnostics* diagnostics,
                                              const FeatureExtractorSpec& defaults);

} // namespace studio
