#include "model/layerschema.h"

#include <QCoreApplication>

namespace studio {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("studio::LayerSchema", text);
}

using F = SettingField;

LayerSchema makeLayerSchema()
{
    const QString layer = QStringLiteral("layer");
    LayerSchema s;
    s.filters =
        F::integer(layer, QStringLiteral("filters"), 1, 4096, 32, tr("Features to scan for"),
                   tr("The number of filter matrices slid over the input: the number of "
                      "features the layer scans for."));
    s.kernelSize = F::integer(layer, QStringLiteral("kernel_size"), 1, 64, 3, tr("Filter size"),
                              tr("Height and width of each filter. Small filters near the input "
                                 "detect basic shapes; after pooling, the same size covers more "
                                 "of the image."));
    s.strides = F::integer(layer, QStringLiteral("strides"), 1, 64, 1, tr("Step"),
                           tr("How far the window moves at each step. Unset: 1 for Conv2D, the "
                              "pool size for pooling layers."));
    s.poolSize = F::integer(layer, QStringLiteral("pool_size"), 1, 64, 2, tr("Window"),
                            tr("The pooling window: each output value summarises this many input "
                               "values."));
    s.units = F::integer(layer, QStringLiteral("units"), 1, 1 << 20, 10, tr("Neurons"),
                         tr("The number of neurons. Keep the step from the Flatten output to the "
                            "class vector smooth; the last Dense layer has one unit per class."));
    s.rate = F::number(layer, QStringLiteral("rate"), NumberRange::halfOpen(0, 1), 0.5, 2,
                       tr("Share dropped"),
                       tr("The fraction of inputs set to zero at random during training, against "
                          "over-fitting."));
    s.momentum = F::number(layer, QStringLiteral("momentum"), NumberRange::halfOpen(0, 1), 0.99, 4,
                           tr("Statistics' memory"),
                           tr("How slowly the running mean and variance follow the batches. "
                              "Keras: 0.99."));
    s.epsilon = F::number(layer, QStringLiteral("epsilon"), NumberRange{0, 1, true, false}, 0.001,
                          6, tr("Stability term"),
                          tr("A small number added to the variance to avoid dividing by zero. "
                             "Keras: 0.001."));
    s.type = F::text(layer, QStringLiteral("type"), tr("Kind of layer"), tr("The kind of layer."));
    s.padding = F::choice(layer, QStringLiteral("padding"),
                          {{QStringLiteral("valid"), tr("None: the output shrinks")},
                           {QStringLiteral("same"), tr("Zeros: the output keeps its size")}},
                          QStringLiteral("valid"), tr("Edges"),
                          tr("valid: no padding, the output shrinks; same: the edges are padded "
                             "with zeros so that the output keeps the input's size (at stride "
                             "1)."));
    s.activation = F::text(layer, QStringLiteral("activation"), tr("Non-linearity"),
                           tr("The non-linearity applied to the layer's output. relu is the "
                              "usual choice; the output layer of a classifier uses softmax."));
    s.useBias = F::flag(layer, QStringLiteral("use_bias"), true, tr("Learn an offset"),
                        tr("Whether the layer adds a learned offset to each output."));
    s.trainable = F::flag(layer, QStringLiteral("trainable"), true, tr("Train its weights"),
                          tr("Whether training changes this layer's weights. Untick it to freeze "
                             "a layer copied from a trained model (the Frozen column of the "
                             "table does the same); a frozen BatchNormalization layer also keeps "
                             "its statistics."));
    const QString extractor = QStringLiteral("layer.extractor");
    s.extractorPath = F::text(extractor, QStringLiteral("path"), tr("File"),
                              tr("The TorchScript file of the frozen feature extractor. Choose "
                                 "another with Use a Feature Extractor…"));
    s.extractorInput = F::text(extractor, QStringLiteral("input_size"), tr("Input it expects"),
                               tr("What the extractor expects: each image is resized to this "
                                  "size and given these channels (grey is repeated). From "
                                  "extractor.json inside the file, or the project file's layer "
                                  "entry."));
    s.extractorMean = F::text(extractor, QStringLiteral("mean"), tr("Subtracted"),
                              tr("Subtracted from each channel (after rescale), as the extractor "
                                 "was trained."));
    s.extractorStd = F::text(extractor, QStringLiteral("std"), tr("Then divided by"),
                             tr("Each channel is then divided by this, as the extractor was "
                                "trained."));
    s.extractorFeatures = F::text(extractor, QStringLiteral("features"), tr("Features it gives"),
                                  tr("The features it gives per image, measured by running it "
                                     "once; its weights stay frozen."));
    return s;
}

} // namespace

QVector<const SettingField*> LayerSchema::all() const
{
    return {&type,          &filters,      &kernelSize,       &strides,       &padding,
            &poolSize,      &units,        &activation,       &useBias,       &rate,
            &momentum,      &epsilon,      &trainable,        &extractorPath, &extractorInput,
            &extractorMean, &extractorStd, &extractorFeatures};
}

const LayerSchema& layerSchema()
{
    static const LayerSchema schema = makeLayerSchema();
    return schema;
}

} // namespace studio
