#include "evaluation/evaluator.h"

#include "export/modelsplit.h"
#include "export/predictor.h"

namespace studio {

namespace {

Failure cancelled()
{
    return Failure{QStringLiteral("Evaluation cancelled.")};
}

} // namespace

Result<EvaluationMetrics> evaluateModel(const QString& modelPath, const QString& datasetDir,
                                        const EvaluateOptions& options)
{
    PredictorOptions predictorOptions;
    predictorOptions.threads = options.threads;
    predictorOptions.engine = options.engine;
    Result<Predictor> predictor = Predictor::load(modelPath, predictorOptions);
    if (!predictor) {
        return Failure{predictor.error()};
    }
    const ModelMetadata& metadata = predictor->metadata();
    const Result<ModelSplit> split =
        scanSplitForModel(metadata, datasetDir, options.split, options.threads, options.cancel);
    if (options.cancel != nullptr && options.cancel->load()) {
        return cancelled();
    }
    if (!split) {
        return Failure{split.error()};
    }
    const QStringList files = split->files();
    PredictOptions predictOptions;
    predictOptions.batchSize = options.batchSize;
    predictOptions.decodeThreads = options.threads;
    predictOptions.cancel = options.cancel;
    const QVector<Prediction> predictions = predictor->predictFiles(files, predictOptions);
    if (options.cancel != nullptr && options.cancel->load()) {
        return cancelled();
    }
    QVector<ScoredImage> scored;
    for (int i = 0; i < predictions.size(); ++i) {
        const DatasetItem& item = split->items[i];
        if (!predictions[i].ok()) {
            return Failure{
                QStringLiteral("Could not classify %1: %2").arg(files[i], predictions[i].error)};
        }
        scored.push_back({item.path, item.label, predictions[i].probabilities});
    }
    Result<EvaluationMetrics> metrics = computeMetrics(metadata.classes, scored, options.topK);
    if (metrics) {
        metrics->engine = inferenceEngineName(predictor->engine());
        metrics->engineDetail = predictor->engineText();
    }
    return metrics;
}

} // namespace studio
