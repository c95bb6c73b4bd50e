#include "training/runexport_p.h"

#include "dataset/batchloader_p.h"
#include "evaluation/metrics.h"
#include "export/exporter_p.h"

#include <QDir>

#include <cmath>
#include <exception>

namespace studio {

namespace {

QJsonObject finalMetrics(const History& history)
{
    QJsonObject json;
    if (history.isEmpty()) {
        return json;
    }
    const EpochMetrics& m = history.epochs().last().metrics;
    const std::pair<const char*, double> values[] = {{"loss", m.loss},
                                                     {"accuracy", m.accuracy},
                                                     {"val_loss", m.valLoss},
                                                     {"val_accuracy", m.valAccuracy}};
    for (const auto& [key, value] : values) {
        if (!std::isnan(value)) {
            json.insert(QString::fromLatin1(key), value);
        }
    }
    return json;
}

// Probabilities of every test image from the module, in the split's order.
Result<EvaluationMetrics> evaluateTestSplit(torch::nn::Sequential& module,
                                            const QStringList& classes, const InputSpec& spec,
                                            const DatasetIndex& index, const ImageCache* cache)
{
    BatchOptions options;
    options.batchSize = 128;
    BatchLoader loader(index, Split::Test, spec, AugmentationSettings(), cache, options);
    module->eval();
    torch::NoGradGuard noGrad;
    const auto parameters = module->parameters();
    const torch::Device device =
        parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
    QVector<ScoredImage> scored;
    loader.startEpoch(0);
    TensorBatch batch;
    while (loader.next(&batch)) {
        const torch::Tensor probabilities =
            torch::softmax(module->forward(batch.images.to(device)), 1)
                .to(torch::kCPU)
                .contiguous();
        const int n = int(probabilities.size(0));
        const int c = int(probabilities.size(1));
        const float* data = probabilities.data_ptr<float>();
        for (int i = 0; i < n; ++i) {
            const DatasetItem& item = index.items[batch.items[size_t(i)]];
            scored.push_back({item.path, item.label,
                              std::vector<float>(data + size_t(i) * size_t(c),
                                                 data + size_t(i + 1) * size_t(c))});
        }
    }
    return computeMetrics(classes, scored);
}

} // namespace

RunExport exportAndEvaluateRun(torch::nn::Sequential& module, const ModelSpec& model,
                               const DatasetSettings& dataset, const InputSpec& spec,
                               const DatasetIndex& index, const ImageCache* cache,
                               const History& history, const QString& runDir, bool evaluate)
{
    RunExport done;
    QStringList& log = done.messages;
    ModelMetadata metadata = makeModelMetadata(model, dataset, index.classes);
    metadata.input = spec; // with any measured statistics
    metadata.epochs = history.size();
    metadata.finalMetrics = finalMetrics(history);
    const QString modelPath = QDir(runDir).filePath(runexportfiles::model);
    const Status exported = exportTorchScript(module, metadata, modelPath);
    if (exported) {
        done.modelPath = modelPath;
        log << QStringLiteral("Exported %1 (TorchScript with metadata.json).").arg(modelPath);
    } else {
        log << QStringLiteral("Could not export model.pt: %1").arg(exported.error());
    }
    if (!evaluate || !index.hasTest || index.count(Split::Test) == 0) {
        return done;
    }
    try {
        const Result<EvaluationMetrics> metrics =
            evaluateTestSplit(module, index.classes, spec, index, cache);
        if (!metrics) {
            log << QStringLiteral("Could not evaluate the test split: %1").arg(metrics.error());
            return done;
        }
        const QString dir = QDir(runDir).filePath(runexportfiles::evaluation);
        const Status written = writeMetricsFiles(*metrics, dir);
        if (written) {
            done.testCount = metrics->count;
            done.testAccuracy = metrics->accuracy;
        }
        log << (written ? QStringLiteral("Test split: %1 images, accuracy %2; metrics in %3.")
                              .arg(metrics->count)
                              .arg(metrics->accuracy, 0, 'f', 4)
                              .arg(dir)
                        : QStringLiteral("Could not write the test evaluation: %1")
                              .arg(written.error()));
    } catch (const std::exception& e) {
        log << QStringLiteral("Could not evaluate the test split: %1")
                   .arg(QString::fromLocal8Bit(e.what()).section(QLatin1Char('\n'), 0, 0));
    }
    return done;
}

} // namespace studio
