// Shape inference, parameter counts and validation of a layer stack, as Keras's model.summary()
// reports them. Pure C++/Qt, no LibTorch: cheap enough to run on every edit.
#pragma once

#include "model/layerspec.h"

#include <QJsonObject>
#include <QString>
#include <QVector>

namespace studio {

struct DatasetSettings;

// The shape of one input image (height, width, channels).
struct InputShape
{
    int height = 64;
    int width = 64;
    int channels = 3;

    friend bool operator==(const InputShape& a, const InputShape& b)
    {
        return a.height == b.height && a.width == b.width && a.channels == b.channels;
    }
};

// image_size x image_size x (3 for rgb, 1 for grayscale).
InputShape inputShapeFor(const DatasetSettings& dataset);

enum class IssueSeverity
{
    Error,  // the stack cannot be trained as it is
    Warning // it can, but probably not as meant
};

// A change that resolves an issue, applied by applyFix().
enum class ModelFix
{
    None,
    InsertFlatten,    // insert a Flatten layer before the issue's layer
    SetOutputUnits,   // set the issue's Dense layer's units to the number of classes
    AppendOutputLayer // append (Flatten and) Dense(classes, softmax)
};

// One problem of a layer stack. The message is complete and names the layer by its 1-based
// position and type ("Layer 10 (Conv2D): ..."), says why and what to do.
struct ModelIssue
{
    int layer = -1; // 0-based index into ModelSpec::layers; -1 for the model as a whole
    IssueSeverity severity = IssueSeverity::Error;
    QString message;
    ModelFix fix = ModelFix::None;
};

// One row of the summary. Shapes are channels-last like Keras prints them, without the batch
// axis: {height, width, channels} or {features}.
struct LayerSummary
{
    QString name; // Keras-style: conv2d, conv2d_1, max_pooling2d, ...
    LayerType type = LayerType::Dense;
    QVector<int> outputShape;   // empty when an earlier problem stopped the inference
    qint64 params = 0;          // Keras's "Param #", including non-trainable ones
    qint64 trainableParams = 0; // BatchNormalization: gamma and beta only
    qint64 activationBytes = 0; // float32 output of this layer for one batch
    qint64 macs = 0;            // multiply-accumulates per image (forward pass)

    bool known() const { return !outputShape.isEmpty(); }
};

// The whole summary: per-layer rows, totals and the problems found.
struct ModelSummary
{
    InputShape input;
    int numClasses = 0; // 0: the output size was not checked
    int batchSize = 1;
    QVector<LayerSummary> layers;
    QVector<int> outputShape; // of the last layer; empty if unknown
    qint64 totalParams = 0;
    qint64 trainableParams = 0;
    qint64 nonTrainableParams = 0;
    qint64 activationBytes = 0; // sum over the layers' outputs for one batch
    qint64 macs = 0;            // per image
    QVector<ModelIssue> issues;

    bool hasErrors() const;
    bool complete() const; // every layer's shape is known
    QVector<ModelIssue> errors() const;
    QVector<ModelIssue> warnings() const;
    QString errorText() const; // the error messages, one per line
};

// Infers every layer's output shape and parameters for `input`, and validates the stack:
// sizes and rates, kernels larger than their input, Dense on an image-shaped input, an empty
// stack, and (when numClasses > 0) an output size that differs from the number of classes.
// Inference stops at the first layer whose input it cannot accept.
ModelSummary summarizeModel(const ModelSpec& model, const InputShape& input, int numClasses,
                            int batchSize = 1);

// The stack with `issue`'s fix applied (unchanged when the issue has none).
ModelSpec applyFix(const ModelSpec& model, const ModelIssue& issue, int numClasses);

// Index of the output layer, the last Dense one: the layer that fits the classes (-1 if none).
int outputDenseLayer(const ModelSpec& model);

// The stack with the last Dense layer's units set to numClasses (as templates are used).
ModelSpec withOutputUnits(const ModelSpec& model, int numClasses);

// The stack with `extractor` as its first layer in place of the layers up to the first Flatten,
// GlobalAveragePooling2D or FeatureExtractor (the image part of the network); the layers after
// that stay. A stack left without a Dense layer ends with Dense(numClasses, softmax).
ModelSpec withFeatureExtractor(const ModelSpec& model, const FeatureExtractorSpec& extractor,
                               int numClasses);

// The activation applied to the network's output: that of the last layer if it is a Dense or
// Activation layer (Dropout and the like after it are skipped), else Linear. Training works
// on logits and applies log-softmax itself, so a final softmax is left out of the module.
Activation outputActivation(const ModelSpec& model);

// Index of the layer whose activation is the output activation (-1 if none).
int outputActivationLayer(const ModelSpec& model);

// "1,234,567"
QString formatThousands(qint64 value);
// "(None, 63, 63, 12)"
QString formatKerasShape(const QVector<int>& shape);

// The Keras-like text table: Layer (type), Output Shape, Param #, then the totals.
QString formatSummaryTable(const ModelSummary& summary, const QString& title = QString());

// {"input_shape": [...], "layers": [{"name", "type", "output_shape", "params", ...}],
//  "total_params", "trainable_params", "non_trainable_params", ...}
QJsonObject summaryToJson(const ModelSummary& summary);

} // namespace studio
