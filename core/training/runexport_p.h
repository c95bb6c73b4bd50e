// Private to core: what the trainer calls when a run ends, so that every run folder holds a
// model.pt that works everywhere and, when the dataset has a test split, its evaluation.
#pragma once

#include "dataset/datasetindex.h"
#include "dataset/datasetsettings.h"
#include "dataset/inputspec.h"
#include "model/layerspec.h"
#include "training/history.h"

#include <torch/nn.h>

#include <QString>
#include <QStringList>

namespace studio {

class ImageCache;

// Names of the files this step adds to a run folder.
namespace runexportfiles {
inline const QString model = QStringLiteral("model.pt");
inline const QString evaluation = QStringLiteral("evaluation"); // folder of writeMetricsFiles()
} // namespace runexportfiles

// What exportAndEvaluateRun() wrote and found.
struct RunExport
{
    QString modelPath; // empty when model.pt could not be written
    int testCount = 0; // test images evaluated; 0 when not evaluated
    double testAccuracy = 0;
    QString int8Check;    // the int8 calibration's line of `messages` (see RunEndedEvent)
    QStringList messages; // sentences for the run log: what was written, or what failed
};

// Writes runDir/model.pt from the module as it is now (metadata: classes, preprocessing as `spec`
// prepared the images, statistics included, layer
// stack, epochs and the last epoch's metrics, and the int8 engine's calibration: ranges measured
// on up to 512 training images, checked against float32 on the test split, else the validation
// split) and, when `evaluate` is set and index has test images, evaluates the module on them
// and writes runDir/evaluation/. Never throws. Runs on the calling thread.
RunExport exportAndEvaluateRun(torch::nn::Sequential& module, const ModelSpec& model,
                               const DatasetSettings& dataset, const InputSpec& spec,
                               const DatasetIndex& index, const ImageCache* cache,
                               const History& history, const QString& runDir, bool evaluate);

} // namespace studio
