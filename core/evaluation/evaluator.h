// Evaluating a model file on one split of a dataset folder.
#pragma once

#include "common/result.h"
#include "dataset/datasetindex.h"
#include "evaluation/metrics.h"
#include "export/predictor.h"

#include <QString>
#include <QVector>

#include <atomic>

namespace studio {

// How to evaluate.
struct EvaluateOptions
{
    Split split = Split::Test;
    QVector<int> topK = {3, 5};
    int batchSize = 64;
    int threads = 0; // 0: all cores
    InferenceEngine engine = InferenceEngine::Torch;
    // Set from another thread to stop early: the result is then a Failure saying so.
    const std::atomic<bool>* cancel = nullptr;
};

// Scans `datasetDir` with the model's image size and colour mode, classifies every image of
// the split with the model's preprocessing and computes the metrics; misclassified paths are
// relative to the dataset folder. A bad model file, a dataset whose classes differ from the
// model's, or an empty split is a Failure that says so. Runs on the calling thread plus workers.
Result<EvaluationMetrics> evaluateModel(const QString& modelPath, const QString& datasetDir,
                                        const EvaluateOptions& options = {});

} // namespace studio
