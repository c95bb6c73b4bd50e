#include "export/predictor.h"

#include "common/csv.h"
#include "common/runtime.h"
#include "dataset/imagedecoder.h"
#include "dataset/inputspec.h"
#include "dataset/parallel_p.h"
#include "export/exporter_p.h"
#include "export/int8net_p.h"
#include "export/opencvnet_p.h"
#include "model/modelbuilder_p.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <numeric>
#include <optional>
#include <random>

namespace studio {

std::optional<InferenceEngine> inferenceEngineFromName(const QString& name)
{
    for (const InferenceEngine engine : {InferenceEngine::Auto, InferenceEngine::Torch,
                                         InferenceEngine::OpenCv, InferenceEngine::Int8}) {
        if (name.compare(inferenceEngineName(engine), Qt::CaseInsensitive) == 0) {
            return engine;
        }
    }
    return std::nullopt;
}

QString inferenceEngineName(InferenceEngine engine)
{
    switch (engine) {
    case InferenceEngine::Auto:
        return QStringLiteral("auto");
    case InferenceEngine::Torch:
        return QStringLiteral("torch");
    case InferenceEngine::OpenCv:
        return QStringLiteral("opencv");
    case InferenceEngine::Int8:
        return QStringLiteral("int8");
    }
    return {};
}

namespace {

// The images of the load-time check of the OpenCV engine.
constexpr int kCheckImages = 4;

// From this many images on, a batch runs on the frozen module in channels-last layout; fewer
// run on the oneDNN-optimised one. Measured on the tutorial's network at 64 px, 2 threads: the
// optimised module is faster up to 8 images (3,900 against 3,550 images/s), the channels-last
// frozen one from 16 (5,200 against 4,550 at 64).
constexpr int kChannelsLastFrom = 16;

// `count` preprocessed images (planes, as the decoder writes them) as the network's input, laid
// out in `format` (see inMemoryFormat: one channel is restrided too).
torch::Tensor inputTensor(const ModelMetadata& m, const float* images, int count,
                          torch::MemoryFormat format)
{
    const torch::Tensor planes =
        torch::from_blob(const_cast<float*>(images),
                         {count, m.channels(), m.imageSize(), m.imageSize()}, torch::kFloat);
    return inMemoryFormat(planes, format);
}

// LibTorch's probabilities (count x classes) of `count` preprocessed images.
Result<std::vector<float>> torchProbabilities(torch::jit::Module& module, const ModelMetadata& m,
                                              const float* images, int count,
                                              torch::MemoryFormat format)
{
    try {
        c10::InferenceMode inference;
        const torch::Tensor input = inputTensor(m, images, count, format);
        const torch::Tensor out = module.forward({input}).toTensor().to(torch::kFloat).contiguous();
        const float* data = out.data_ptr<float>();
        return std::vector<float>(data, data + out.numel());
    } catch (const std::exception& e) {
        return Failure{QStringLiteral("The model failed on a batch of %1 images: %2")
                           .arg(count)
                           .arg(QString::fromLocal8Bit(e.what()).section(QLatin1Char('\n'), 0, 0))};
    }
}

// `count` images of uniform random values in [0, 1), the same for every load.
std::vector<float> seededImages(const ModelMetadata& m, int count)
{
    std::mt19937 random(20261204u);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    std::vector<float> images(size_t(count) * size_t(m.channels()) * size_t(m.imageSize()) *
                              size_t(m.imageSize()));
    for (float& v : images) {
        v = uniform(random);
    }
    return images;
}

// The largest difference between two sets of probabilities; infinity when their sizes differ
// or a value is not a number.
double largestDifference(const std::vector<float>& a, const std::vector<float>& b)
{
    if (a.size() != b.size()) {
        return INFINITY;
    }
    double largest = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const double d = std::abs(double(a[i]) - double(b[i]));
        largest = std::isnan(d) ? INFINITY : std::max(largest, d);
    }
    return largest;
}

// OpenCV's DNN module on the model converted to ONNX in memory, checked against `module` (the
// LibTorch engine as it would run) on a seeded random batch. A Failure says why OpenCV cannot
// be used; *largest gets the largest difference of a probability.
Result<OpenCvNet> checkedOpenCvNet(const LoadedModel& loaded, torch::jit::Module& module,
                                   const QString& path, double* largest)
{
    const Result<QByteArray> onnx = onnxBytes(loaded, path);
    if (!onnx) {
        return Failure{onnx.error()};
    }
    Result<OpenCvNet> net = OpenCvNet::fromOnnx(*onnx);
    if (!net) {
        return net;
    }
    const ModelMetadata& m = loaded.metadata;
    const std::vector<float> images = seededImages(m, kCheckImages);
    const Result<std::vector<float>> theirs =
        net->forward(images.data(), kCheckImages, m.channels(), m.imageSize());
    if (!theirs) {
        return Failure{theirs.error()};
    }
    const Result<std::vector<float>> ours =
        torchProbabilities(module, m, images.data(), kCheckImages, torch::MemoryFormat::Contiguous);
    if (!ours) {
        return Failure{ours.error()};
    }
    *largest = largestDifference(*theirs, *ours);
    if (!(*largest <= kEngineTolerance)) {
        return Failure{QStringLiteral("OpenCV's DNN module and LibTorch differ by %1 on a "
                                      "probability of %2 random images (more than %3 allowed).")
                           .arg(*largest, 0, 'g', 3)
                           .arg(kCheckImages)
                           .arg(kEngineTolerance)};
    }
    return net;
}

// The int8 network of a model file with its calibration, run once on a seeded random batch (so
// that an operator oneDNN refuses fails here, not on the user's images). A Failure says why it
// cannot be used.
Result<Int8Net> checkedInt8Net(const LoadedModel& loaded)
{
    const Int8Calibration& calibration = loaded.metadata.int8;
    if (calibration.empty()) {
        return Failure{QStringLiteral("the model file has no int8 calibration (a run writes one "
                                      "when it exports its model, if int8 can run the "
                                      "network; files from older builds have none).")};
    }
    Result<Int8Net> net = Int8Net::plan(loaded);
    if (!net) {
        return net;
    }
    if (const Status quantized = net->quantize(calibration); !quantized) {
        return Failure{quantized.error()};
    }
    const ModelMetadata& m = loaded.metadata;
    const std::vector<float> images = seededImages(m, kCheckImages);
    if (const Result<std::vector<float>> run = net->probabilities(images.data(), kCheckImages);
        !run) {
        return Failure{run.error()};
    }
    return net;
}

// Why auto does not use int8 for this model, or an empty string when it may.
QString int8NotChosenReason(const Int8Calibration& c)
{
    if (c.empty()) {
        return QStringLiteral("the model file has no int8 calibration");
    }
    if (c.checkImages <= 0) {
        return QStringLiteral("its int8 calibration was not checked on held-out images");
    }
    if (!c.withinTolerance()) {
        return QStringLiteral("int8 lost %1 points of accuracy on the %2 split (at most %3 "
                              "allowed)")
            .arg(100.0 * (c.floatAccuracy - c.int8Accuracy), 0, 'f', 2)
            .arg(c.checkSplit)
            .arg(100.0 * kInt8AccuracyTolerance, 0, 'f', 1);
    }
    return {};
}

// The engines a Predictor may hold besides LibTorch's float32 module.
struct OtherEngines
{
    std::optional<OpenCvNet> opencv;
    std::optional<Int8Net> int8;
};

// The int8 engine when options.engine asks for it (Int8) or allows it (Auto, when the file's
// check lost at most kInt8AccuracyTolerance): true when int8 runs the network, *text then says
// so; *reason says why Auto did not take it. A Failure only when Int8 was asked for and cannot
// run.
Result<bool> chooseInt8(const LoadedModel& loaded, const QString& path,
                        const PredictorOptions& options, OtherEngines* engines, QString* text,
                        QString* reason)
{
    if (options.engine != InferenceEngine::Int8 && options.engine != InferenceEngine::Auto) {
        return false;
    }
    if (options.engine == InferenceEngine::Auto) {
        *reason = int8NotChosenReason(loaded.metadata.int8);
        if (!reason->isEmpty()) {
            return false;
        }
    }
    Result<Int8Net> net = checkedInt8Net(loaded);
    if (!net) {
        if (options.engine == InferenceEngine::Int8) {
            return Failure{QStringLiteral("Cannot run %1 with the int8 engine: %2 Use the torch "
                                          "or auto engine.")
                               .arg(path, net.error())};
        }
        *reason = net.error();
        return false;
    }
    engines->int8.emplace(std::move(net).value());
    *text = QStringLiteral("int8 (LibTorch's oneDNN quantized engine, %1)")
                .arg(loaded.metadata.int8.describe());
    return true;
}

// Chooses between LibTorch's float32 module and OpenCV's DNN module as options.engine asks
// (int8 was not chosen, for `int8Reason`): engines->opencv set when OpenCV runs the network,
// *text says which and why. A Failure only when the opencv engine was asked for and cannot
// be used.
Status chooseFloatEngine(const LoadedModel& loaded, torch::jit::Module& module, const QString& path,
                         const PredictorOptions& options, int threads, const QString& int8Reason,
                         OtherEngines* engines, QString* text)
{
    if (options.engine == InferenceEngine::Torch) {
        *text = QStringLiteral("torch (LibTorch, the torch engine)");
        return {};
    }
    // Process-wide, as setUpRuntime() sets LibTorch's threads.
    setOpenCvThreads(threads);
    double largest = 0;
    Result<OpenCvNet> checked = checkedOpenCvNet(loaded, module, path, &largest);
    if (!checked) {
        if (options.engine == InferenceEngine::OpenCv) {
            return Failure{QStringLiteral("Cannot run %1 with the opencv engine: %2 Use the "
                                          "torch or auto engine.")
                               .arg(path, checked.error())};
        }
        *text = QStringLiteral("torch (OpenCV's DNN module not used: %1; int8 not used: %2)")
                    .arg(checked.error(), int8Reason);
        return {};
    }
    engines->opencv.emplace(std::move(checked).value());
    *text = QStringLiteral("opencv (OpenCV's DNN module on the model converted to ONNX; agrees "
                           "with LibTorch within %1 on %2 random images, largest difference %3)")
                .arg(kEngineTolerance)
                .arg(kCheckImages)
                .arg(largest, 0, 'g', 2);
    return {};
}

} // namespace

struct Predictor::Impl
{
    // LibTorch's float32 network (not built when int8 runs it):
    torch::jit::Module module;      // for one image or a few (kChannelsLastFrom)
    torch::jit::Module batchModule; // for larger batches, fed channels-last
    ModelMetadata metadata;
    OtherEngines engines; // one set when OpenCV's DNN module or int8 runs the network
    QString engineText;
};

Predictor::Predictor(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Predictor::Predictor(Predictor&& other) noexcept = default;
Predictor& Predictor::operator=(Predictor&& other) noexcept = default;
Predictor::~Predictor() = default;

Result<Predictor> Predictor::load(const QString& path, const PredictorOptions& options)
{
    Result<LoadedModel> loaded = loadModelFile(path);
    if (!loaded) {
        return Failure{loaded.error()};
    }
    const int threads = setUpRuntime(options.threads > 0 ? options.threads : hardwareThreads());
    auto impl = std::make_unique<Impl>();
    impl->metadata = loaded->metadata;
    QString int8Reason;
    const Result<bool> int8 =
        chooseInt8(*loaded, path, options, &impl->engines, &impl->engineText, &int8Reason);
    if (!int8) {
        return Failure{int8.error()};
    }
    if (*int8) {
        return Predictor(std::move(impl)); // the float32 modules would never run
    }
    impl->module = options.optimize ? optimizedForInference(loaded->module) : loaded->module;
    impl->batchModule = options.optimize ? frozenForInference(loaded->module) : loaded->module;
    if (const Status chosen = chooseFloatEngine(*loaded, impl->module, path, options, threads,
                                                int8Reason, &impl->engines, &impl->engineText);
        !chosen) {
        return Failure{chosen.error()};
    }
    return Predictor(std::move(impl));
}

const ModelMetadata& Predictor::metadata() const
{
    return m_impl->metadata;
}

InferenceEngine Predictor::engine() const
{
    if (m_impl->engines.int8) {
        return InferenceEngine::Int8;
    }
    return m_impl->engines.opencv ? InferenceEngine::OpenCv : InferenceEngine::Torch;
}

QString Predictor::engineText() const
{
    return m_impl->engineText;
}

Result<std::vector<float>> Predictor::probabilities(const float* images, int count) const
{
    const ModelMetadata& m = m_impl->metadata;
    if (m_impl->engines.opencv) {
        return m_impl->engines.opencv->forward(images, count, m.channels(), m.imageSize());
    }
    if (m_impl->engines.int8) {
        return m_impl->engines.int8->probabilities(images, count);
    }
    if (count >= kChannelsLastFrom) {
        return torchProbabilities(m_impl->batchModule, m, images, count,
                                  torch::MemoryFormat::ChannelsLast);
    }
    return torchProbabilities(m_impl->module, m, images, count, torch::MemoryFormat::Contiguous);
}

namespace {

// A chunk of images decoded into the network's input: the rows of `input` hold the images that
// decoded, in order; rows[i] is the chunk index of row i.
struct DecodedChunk
{
    int start = 0;
    std::vector<float> input;
    std::vector<int> rows;
};

// Decodes paths[start, start + n) on `threads` workers into the network's input. An image that
// does not decode gets its reason in results[k].error and no row.
DecodedChunk decodeChunk(const QStringList& paths, int start, int n, const ModelMetadata& m,
                         int threads, Prediction* results)
{
    const size_t imageFloats = size_t(m.channels()) * size_t(m.imageSize()) * size_t(m.imageSize());
    DecodedChunk chunk;
    chunk.start = start;
    chunk.input.assign(size_t(n) * imageFloats, 0.0f);
    std::vector<char> good(size_t(n), 0);
    std::atomic<int> next{0};
    runOnWorkers(std::min(threads, n), [&](int) {
        for (int k = next++; k < n; k = next++) {
            Prediction& p = results[start + k];
            p.path = paths[start + k];
            const DecodeResult decoded = decodeImageFile(p.path, m.input);
            if (!decoded.ok) {
                p.error = decoded.failure.reason;
                continue;
            }
            // As the batch producer does in training.
            toNetworkValues(decoded.image.pixels.data(), m.input, 1.0,
                            chunk.input.data() + size_t(k) * imageFloats);
            good[size_t(k)] = 1;
        }
    });
    // Compact the decoded images so each batch is contiguous.
    for (int k = 0; k < n; ++k) {
        if (good[size_t(k)]) {
            if (int(chunk.rows.size()) != k) {
                std::copy_n(chunk.input.data() + size_t(k) * imageFloats, imageFloats,
                            chunk.input.data() + chunk.rows.size() * imageFloats);
            }
            chunk.rows.push_back(k);
        }
    }
    return chunk;
}

void markCancelled(const QStringList& paths, int from, QVector<Prediction>* predictions)
{
    for (int k = from; k < paths.size(); ++k) {
        (*predictions)[k].path = paths[k];
        (*predictions)[k].error = QStringLiteral("Cancelled.");
    }
}

// Classifies a decoded chunk batch by batch into results.
void classifyChunk(const Predictor& predictor, const DecodedChunk& chunk,
                   const PredictOptions& options, Prediction* results)
{
    const ModelMetadata& m = predictor.metadata();
    const size_t imageFloats = size_t(m.channels()) * size_t(m.imageSize()) * size_t(m.imageSize());
    const size_t batchSize = size_t(std::max(1, options.batchSize));
    for (size_t b = 0; b < chunk.rows.size(); b += batchSize) {
        const int count = int(std::min(chunk.rows.size() - b, batchSize));
        Result<std::vector<float>> probs =
            predictor.probabilities(chunk.input.data() + b * imageFloats, count);
        for (int j = 0; j < count; ++j) {
            Prediction& p = results[chunk.start + chunk.rows[b + size_t(j)]];
            if (!probs) {
                p.error = probs.error();
                continue;
            }
            const auto first = probs->begin() + ptrdiff_t(j) * m.classes.size();
            p = makePrediction(p.path, std::vector<float>(first, first + m.classes.size()),
                               m.classes, options.topK, options.threshold);
        }
    }
}

} // namespace

QVector<Prediction> Predictor::predictFiles(const QStringList& paths,
                                            const PredictOptions& options) const
{
    const ModelMetadata& m = m_impl->metadata;
    const int batchSize = std::max(1, options.batchSize);
    const int threads = options.decodeThreads > 0 ? options.decodeThreads : hardwareThreads();
    QVector<Prediction> predictions(paths.size());
    Prediction* results = predictions.data();
    // OpenCV's own threads stay off here, unless OpenCV runs the network: then only the decode
    // workers turn them off (runOnWorkers).
    std::optional<OpenCvSingleThreaded> openCvOff;
    if (!m_impl->engines.opencv) {
        openCvOff.emplace();
    }
    // Chunks of several batches: decode a chunk on all workers, then classify it batch by batch.
    // (Decoding the next chunk on one worker while the network runs was measured: no faster,
    // the network's threads already keep both cores busy.)
    const int chunkSize = batchSize * std::max(1, 256 / batchSize);
    for (int start = 0; start < paths.size(); start += chunkSize) {
        if (options.cancel != nullptr && options.cancel->load()) {
            markCancelled(paths, start, &predictions);
            break;
        }
        const int n = std::min<int>(int(paths.size()) - start, chunkSize);
        classifyChunk(*this, decodeChunk(paths, start, n, m, threads, results), options, results);
    }
    return predictions;
}

Prediction makePrediction(const QString& path, std::vector<float> probabilities,
                          const QStringList& classes, int topK, double threshold)
{
    Prediction p;
    p.path = path;
    std::vector<int> order(probabilities.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return probabilities[size_t(a)] > probabilities[size_t(b)];
    });
    if (order.empty()) {
        p.error = QStringLiteral("The model returned no probabilities.");
        return p;
    }
    const int k = std::clamp(topK, 1, int(order.size()));
    for (int i = 0; i < k; ++i) {
        const int c = order[size_t(i)];
        p.top.push_back({c, classes.value(c), double(probabilities[size_t(c)])});
    }
    p.predicted = order[0];
    p.confidence = double(probabilities[size_t(order[0])]);
    p.uncertain = p.confidence < threshold;
    p.probabilities = std::move(probabilities);
    return p;
}

QStringList collectImageFiles(const QStringList& inputs)
{
    static const QStringList kPatterns = {
        QStringLiteral("*.png"),  QStringLiteral("*.jpg"), QStringLiteral("*.jpeg"),
        QStringLiteral("*.bmp"),  QStringLiteral("*.tif"), QStringLiteral("*.tiff"),
        QStringLiteral("*.webp"), QStringLiteral("*.pgm"), QStringLiteral("*.ppm"),
        QStringLiteral("*.pbm"),  QStringLiteral("*.pnm"), QStringLiteral("*.jp2")};
    QStringList files;
    for (const QString& input : inputs) {
        if (!QFileInfo(input).isDir()) {
            files << input;
            continue;
        }
        QStringList found;
        QDirIterator it(input, kPatterns, QDir::Files | QDir::NoDotAndDotDot,
                        QDirIterator::Subdirectories | QDirIterator::FollowSymlinks);
        while (it.hasNext()) {
            found << it.next();
        }
        std::sort(found.begin(), found.end());
        files << found;
    }
    return files;
}

QString predictionsToCsv(const QVector<Prediction>& predictions, const QStringList& classes)
{
    bool anyError = false;
    for (const Prediction& p : predictions) {
        anyError = anyError || !p.ok();
    }
    QStringList header = {QStringLiteral("path"), QStringLiteral("predicted"),
                          QStringLiteral("confidence")};
    for (const QString& name : classes) {
        header << csvCell(name);
    }
    if (anyError) {
        header << QStringLiteral("error");
    }
    QString text = header.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (const Prediction& p : predictions) {
        QStringList row = {csvCell(p.path)};
        if (p.ok()) {
            row << (p.uncertain ? QStringLiteral("uncertain") : csvCell(classes.value(p.predicted)))
                << QString::number(p.confidence, 'g', 7);
            for (float v : p.probabilities) {
                row << QString::number(double(v), 'g', 7);
            }
        } else {
            row << QString() << QString();
            for (int c = 0; c < classes.size(); ++c) {
                row << QString();
            }
        }
        if (anyError) {
            row << csvCell(p.error);
        }
        text += row.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return text;
}

} // namespace studio
