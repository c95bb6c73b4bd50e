// Building a LibTorch module from a layer stack, seen from outside core without torch types.
// The module itself is available to core code through model/modelbuilder_p.h.
#pragma once

#include "common/result.h"
#include "model/layerspec.h"
#include "model/modelsummary.h"

#include <QString>
#include <QVector>

namespace studio {

// What a built module did with a batch of zeros: shapes channels-last like the summary's.
struct ModuleProbe
{
    QVector<QVector<int>> layerOutputShapes; // one per spec layer, without the batch axis
    QVector<int> outputShape;                // of the whole module (logits)
    qint64 trainableParams = 0;              // the parameters that are not frozen
    qint64 nonTrainableParams = 0; // frozen parameters, BatchNormalization's moving statistics
    QString device;                // "cpu" or "cuda:0"
};

// Builds the module for `model` (validated first; a stack with errors is a Failure carrying
// the messages), runs `batchSize` zero images through it layer by layer in eval mode on the
// preferred device and reports the shapes and parameter counts.
Result<ModuleProbe> probeModule(const ModelSpec& model, const InputShape& input, int numClasses,
                                int batchSize = 2);

// True when LibTorch was built with CUDA and a GPU is present.
bool cudaAvailable();

// Where training runs: "cuda:0" when cudaAvailable(), else "cpu".
QString preferredDeviceName();

} // namespace studio
