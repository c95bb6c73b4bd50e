// Private to core: starting a network from the weights of a model trained earlier (transfer
// learning, the project's model.init_from).
#pragma once

#include "common/result.h"
#include "model/layerspec.h"

#include <QString>
#include <QStringList>

#include <torch/nn.h>

namespace studio {

// What copyMatchingLayers() did, one line per layer with weights, for the log and the run's
// start event.
struct TransferReport
{
    QString source;      // the model file
    QStringList classes; // the classes it was trained on
    int copied = 0;      // layers whose weights were copied
    int kept = 0;        // layers left as initialised (shape or type differs, or the output)
    QStringList lines;   // "Layer 0 (Conv2D): copied from layer 0." ...

    // "Started from 'M.pt' (10 classes: T-shirt/top, ...): 5 layers copied, 1 new." and the lines.
    QStringList text() const;
};

// Copies into `module` (as buildModule() made it from `model`) the weights of the model file at
// `modelPath`, a .pt this app wrote. The layers with weights (Conv2D, Dense,
// BatchNormalization) of both networks are paired in order, as Keras's load_weights pairs them;
// a pair whose types or tensor shapes differ keeps its new weights, and so does the output layer
// (the last Dense), which fits the new classes. A file that cannot be read is a Failure that
// names it; a file of which no layer fits is a Failure too (nothing would be transferred).
Result<TransferReport> copyMatchingLayers(torch::nn::Sequential& module, const ModelSpec& model,
                                          const QString& modelPath);

} // namespace studio
