#include "export/predictor.h"

#include "common/csv.h"
#include "common/runtime.h"
#include "dataset/imagedecoder.h"
#include "dataset/inputspec.h"
#include "dataset/parallel_p.h"
#include "export/exporter_p.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>

#include <algorithm>
#include <atomic>
#include <exception>
#include <numeric>

namespace studio {

struct Predictor::Impl
{
    torch::jit::Module module;
    ModelMetadata metadata;
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
    setUpRuntime(options.threads > 0 ? options.threads : hardwareThreads());
    auto impl = std::make_unique<Impl>();
    impl->metadata = loaded->metadata;
    impl->module =
        options.optimize ? optimizedForInference(loaded->module) : std::move(loaded->module);
    return Predictor(std::move(impl));
}

const ModelMetadata& Predictor::metadata() const
{
    return m_impl->metadata;
}

Result<std::vector<float>> Predictor::probabilities(const float* images, int count) const
{
    const ModelMetadata& m = m_impl->metadata;
    try {
        c10::InferenceMode inference;
        const torch::Tensor input =
            torch::from_blob(const_cast<float*>(images),
                             {count, m.channels(), m.imageSize(), m.imageSize()}, torch::kFloat);
        const torch::Tensor out =
            m_impl->module.forward({input}).toTensor().to(torch::kFloat).contiguous();
        const float* data = out.data_ptr<float>();
        return std::vector<float>(data, data + out.numel());
    } catch (const std::exception& e) {
        return Failure{QStringLiteral("The model failed on a batch of %1 images: %2")
                           .arg(count)
                           .arg(QString::fromLocal8Bit(e.what()).section(QLatin1Char('\n'), 0, 0))};
    }
}

QVector<Prediction> Predictor::predictFiles(const QStringList& paths,
                                            const PredictOptions& options) const
{
    const ModelMetadata& m = m_impl->metadata;
    const InputSpec spec = m.input;
    const int plane = m.imageSize() * m.imageSize();
    const int batchSize = std::max(1, options.batchSize);
    const int threads = options.decodeThreads > 0 ? options.decodeThreads : hardwareThreads();
    QVector<Prediction> predictions(paths.size());
    Prediction* results = predictions.data();
    OpenCvSingleThreaded openCvOff;
    // Chunks of several batches: decode a chunk on all workers, then classify it batch by batch.
    const int chunk = batchSize * std::max(1, 256 / batchSize);
    std::vector<float> input;
    for (int start = 0; start < paths.size(); start += chunk) {
        if (options.cancel != nullptr && options.cancel->load()) {
            for (int k = start; k < paths.size(); ++k) {
                predictions[k].path = paths[k];
                predictions[k].error = QStringLiteral("Cancelled.");
            }
            break;
        }
        const int end = std::min<int>(int(paths.size()), start + chunk);
        const int n = end - start;
        input.assign(size_t(n) * size_t(m.channels()) * size_t(plane), 0.0f);
        std::vector<char> good(size_t(n), 0);
        std::atomic<int> next{0};
        runOnWorkers(std::min(threads, n), [&](int) {
            for (int k = next++; k < n; k = next++) {
                Prediction& p = results[start + k];
                p.path = paths[start + k];
                const DecodeResult decoded = decodeImageFile(p.path, spec);
                if (!decoded.ok) {
                    p.error = decoded.failure.reason;
                    continue;
                }
                // As the batch producer does in training.
                toNetworkValues(decoded.image.pixels.data(), spec, 1.0,
                                input.data() + size_t(k) * size_t(m.channels()) * size_t(plane));
                good[size_t(k)] = 1;
            }
        });
        // Compact the decoded images so each batch is contiguous.
        std::vector<int> rows;
        const size_t imageFloats = size_t(m.channels()) * size_t(plane);
        for (int k = 0; k < n; ++k) {
            if (good[size_t(k)]) {
                if (int(rows.size()) != k) {
                    std::copy_n(input.data() + size_t(k) * imageFloats, imageFloats,
                                input.data() + rows.size() * imageFloats);
                }
                rows.push_back(k);
            }
        }
        for (size_t b = 0; b < rows.size(); b += size_t(batchSize)) {
            const int count = int(std::min(rows.size() - b, size_t(batchSize)));
            Result<std::vector<float>> probs = probabilities(input.data() + b * imageFloats, count);
            for (int j = 0; j < count; ++j) {
                Prediction& p = predictions[start + rows[b + size_t(j)]];
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
