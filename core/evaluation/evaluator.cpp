#include "evaluation/evaluator.h"

#include "dataset/datasetscanner.h"
#include "export/predictor.h"

#include <QDir>

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
    Result<Predictor> predictor = Predictor::load(modelPath, predictorOptions);
    if (!predictor) {
        return Failure{predictor.error()};
    }
    const ModelMetadata& metadata = predictor->metadata();
    DatasetSettings settings = metadata.inputSettings();
    settings.root = datasetDir;
    ScanOptions scanOptions;
    scanOptions.threads = options.threads;
    scanOptions.writeManifest = false;
    scanOptions.cancel = options.cancel;
    Result<DatasetIndex> index = scanDataset(settings, scanOptions);
    if (options.cancel != nullptr && options.cancel->load()) {
        return cancelled();
    }
    if (!index) {
        return Failure{index.error()};
    }
    if (index->classes != metadata.classes) {
        return Failure{QStringLiteral("The classes of %1 (%2) are not the model's (%3): the model "
                                      "can only be evaluated on a dataset with the same class "
                                      "folders.")
                           .arg(datasetDir, index->classes.join(QStringLiteral(", ")),
                                metadata.classes.join(QStringLiteral(", ")))};
    }
    const QVector<int> items = index->indicesOf(options.split);
    if (items.isEmpty()) {
        return Failure{QStringLiteral("%1 has no %2 images to evaluate on. Choose another split "
                                      "with --split, or add a %2 folder.")
                           .arg(datasetDir, splitName(options.split))};
    }
    const QDir root(index->root);
    QStringList files;
    for (int item : items) {
        files << root.filePath(index->items[item].path);
    }
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
        const DatasetItem& item = index->items[items[i]];
        if (!predictions[i].ok()) {
            return Failure{
                QStringLiteral("Could not classify %1: %2").arg(files[i], predictions[i].error)};
        }
        scored.push_back({item.path, item.label, predictions[i].probabilities});
    }
    return computeMetrics(metadata.classes, scored, options.topK);
}

} // namespace studio
