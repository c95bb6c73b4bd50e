#include "training/runexport_p.h"

#include "dataset/batchloader_p.h"
#include "evaluation/metrics.h"
#include "export/exporter_p.h"
#include "export/int8net_p.h"

#include <QDir>

#include <algorithm>
#include <cmath>
#include <exception>
#include <optional>

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

// The training images int8's ranges are measured on (shuffled with a fixed seed, not augmented).
constexpr int kCalibrationImages = 512;

// How int8 did beside the float32 module on a held-out split.
struct Int8Check
{
    int images = 0;
    int int8Correct = 0;
    int floatCorrect = 0;
    int sameClass = 0;
    QString failure; // set when the int8 network failed on a batch
};

int mostProbable(const float* probabilities, int classes)
{
    return int(std::max_element(probabilities, probabilities + classes) - probabilities);
}

// Counts, for one batch, how often int8 and float32 are right and agree.
void checkInt8Batch(const Int8Net& int8, const torch::Tensor& images, const float* floatProbs,
                    const torch::Tensor& labels, Int8Check* check)
{
    const torch::Tensor input = images.to(torch::kCPU).to(torch::kFloat).contiguous();
    const int n = int(input.size(0));
    const Result<std::vector<float>> ours = int8.probabilities(input.data_ptr<float>(), n);
    if (!ours) {
        check->failure = ours.error();
        return;
    }
    const int classes = int(ours->size()) / std::max(1, n);
    const torch::Tensor truth = labels.to(torch::kCPU).to(torch::kLong).contiguous();
    const int64_t* truthLabels = truth.data_ptr<int64_t>();
    for (int i = 0; i < n; ++i) {
        const int label = int(truthLabels[i]);
        const int quantized = mostProbable(ours->data() + size_t(i) * size_t(classes), classes);
        const int full = mostProbable(floatProbs + size_t(i) * size_t(classes), classes);
        check->images += 1;
        check->int8Correct += quantized == label ? 1 : 0;
        check->floatCorrect += full == label ? 1 : 0;
        check->sameClass += quantized == full ? 1 : 0;
    }
}

// Probabilities of every image of `split` from the module, in the split's order; with `int8`,
// *check counts how int8 does on the same images.
QVector<ScoredImage> scoreSplit(torch::nn::Sequential& module, Split split, const InputSpec& spec,
                                const DatasetIndex& index, const ImageCache* cache,
                                const Int8Net* int8, Int8Check* check)
{
    BatchOptions options;
    options.batchSize = 128;
    BatchLoader loader(index, split, spec, AugmentationSettings(), cache, options);
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
        if (int8 != nullptr && check->failure.isEmpty()) {
            checkInt8Batch(*int8, batch.images, data, batch.labels, check);
        }
    }
    return scored;
}

// The int8 network of the exported module, calibrated on training images; nullopt (and *why
// says why, for the line "No int8 calibration: <why>") when int8 cannot run it.
std::optional<Int8Net> calibratedInt8(const torch::jit::Module& scripted,
                                      const ModelMetadata& metadata, const InputSpec& spec,
                                      const DatasetIndex& index, const ImageCache* cache,
                                      QString* why)
{
    Result<Int8Net> net = Int8Net::plan(LoadedModel{scripted, metadata});
    if (!net || index.count(Split::Train) == 0) {
        *why = net ? QStringLiteral("the dataset has no training images.") : net.error();
        return std::nullopt;
    }
    BatchOptions options;
    options.batchSize = 128;
    options.shuffle = true;
    options.seed = 20261205;
    AugmentationSettings none;
    none.enabled = false;
    BatchLoader loader(index, Split::Train, spec, none, cache, options);
    loader.startEpoch(0);
    TensorBatch batch;
    while (net->calibration().images < kCalibrationImages && loader.next(&batch)) {
        const torch::Tensor images = batch.images.to(torch::kCPU).to(torch::kFloat).contiguous();
        const int n = std::min(int(images.size(0)), kCalibrationImages - net->calibration().images);
        if (const Status observed = net->observe(images.data_ptr<float>(), n); !observed) {
            *why = observed.error();
            return std::nullopt;
        }
    }
    if (const Status quantized = net->quantize(net->calibration()); !quantized) {
        *why = quantized.error();
        return std::nullopt;
    }
    return std::move(net).value();
}

// The calibration with the check's figures, for the model file's metadata.
Int8Calibration checkedCalibration(const Int8Net& int8, const Int8Check& check, Split split)
{
    Int8Calibration c = int8.calibration();
    if (check.images > 0 && check.failure.isEmpty()) {
        c.checkSplit = split == Split::Test ? QStringLiteral("test") : QStringLiteral("validation");
        c.checkImages = check.images;
        c.floatAccuracy = double(check.floatCorrect) / check.images;
        c.int8Accuracy = double(check.int8Correct) / check.images;
        c.sameClass = double(check.sameClass) / check.images;
    }
    return c;
}

QString int8LogLine(const Int8Calibration& c, const Int8Check& check)
{
    if (!check.failure.isEmpty()) {
        return QStringLiteral("int8 calibration not kept: %1").arg(check.failure);
    }
    const QString autoVerdict =
        c.withinTolerance()  ? QStringLiteral(": the auto engine may use it.")
        : c.checkImages <= 0 ? QStringLiteral(", so the auto engine will not use it.")
                             : QStringLiteral(": more than 0.1 point lost, the auto engine will "
                                              "not use it.");
    return QStringLiteral("int8 engine %1%2").arg(c.describe(), autoVerdict);
}

QString firstLine(const std::exception& e)
{
    return QString::fromLocal8Bit(e.what()).section(QLatin1Char('\n'), 0, 0);
}

// Writes the test split's metrics files and says so in done->messages.
void writeTestEvaluation(const Result<EvaluationMetrics>& metrics, const QString& runDir,
                         RunExport* done)
{
    if (!metrics) {
        done->messages
            << QStringLiteral("Could not evaluate the test split: %1").arg(metrics.error());
        return;
    }
    const QString dir = QDir(runDir).filePath(runexportfiles::evaluation);
    const Status written = writeMetricsFiles(*metrics, dir);
    if (written) {
        done->testCount = metrics->count;
        done->testAccuracy = metrics->accuracy;
    }
    done->messages
        << (written
                ? QStringLiteral("Test split: %1 images, accuracy %2; metrics in %3.")
                      .arg(metrics->count)
                      .arg(metrics->accuracy, 0, 'f', 4)
                      .arg(dir)
                : QStringLiteral("Could not write the test evaluation: %1").arg(written.error()));
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
    const Result<torch::jit::Module> scripted = scriptModule(module, metadata);
    if (!scripted) {
        log << QStringLiteral("Could not export model.pt: %1").arg(scripted.error());
        return done;
    }
    std::optional<Int8Net> int8;
    QString why;
    try {
        int8 = calibratedInt8(*scripted, metadata, spec, index, cache, &why);
    } catch (const std::exception& e) {
        why = firstLine(e);
    }
    const bool testing = evaluate && index.hasTest && index.count(Split::Test) > 0;
    const Split checkSplit = testing ? Split::Test : Split::Validation;
    Int8Check check;
    std::optional<Result<EvaluationMetrics>> metrics;
    try {
        if (testing || (int8 && index.count(Split::Validation) > 0)) {
            const QVector<ScoredImage> scored =
                scoreSplit(module, checkSplit, spec, index, cache, int8 ? &*int8 : nullptr, &check);
            if (testing) {
                metrics = computeMetrics(index.classes, scored);
            }
        }
    } catch (const std::exception& e) {
        log << QStringLiteral("Could not evaluate the %1 split: %2")
                   .arg(testing ? QStringLiteral("test") : QStringLiteral("validation"),
                        firstLine(e));
    }
    if (int8) {
        const Int8Calibration calibration = checkedCalibration(*int8, check, checkSplit);
        done.int8Check = int8LogLine(calibration, check);
        if (check.failure.isEmpty()) {
            metadata.int8 = calibration;
        }
    } else {
        done.int8Check = QStringLiteral("No int8 calibration: %1").arg(why);
    }
    log << done.int8Check;
    const Status exported = saveTorchScript(*scripted, metadata, modelPath);
    if (exported) {
        done.modelPath = modelPath;
        log << QStringLiteral("Exported %1 (TorchScript with metadata.json).").arg(modelPath);
    } else {
        log << QStringLiteral("Could not export model.pt: %1").arg(exported.error());
    }
    if (metrics) {
        writeTestEvaluation(*metrics, runDir, &done);
    }
    return done;
}

} // namespace studio
