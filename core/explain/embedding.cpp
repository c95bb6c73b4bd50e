#include "explain/embedding.h"

#include "common/csv.h"
#include "common/runtime.h"
#include "dataset/inputspec.h"
#include "dataset/parallel_p.h"
#include "explain/networkweights_p.h"
#include "export/exporter_p.h"
#include "export/modelsplit.h"
#include "model/modelbuilder_p.h"

#include <QDir>

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <numeric>
#include <random>

namespace studio {

namespace {

QString firstLine(const std::exception& e)
{
    return QString::fromLocal8Bit(e.what()).section(QLatin1Char('\n'), 0, 0);
}

Failure cancelled()
{
    return Failure{QStringLiteral("Making the map was cancelled.")};
}

bool isCancelled(const std::atomic<bool>* cancel)
{
    return cancel != nullptr && cancel->load();
}

// cv::PCA of the rows onto `components` axes: rows x components floats.
cv::Mat pcaOf(const FeatureMatrix& features, int components)
{
    const cv::Mat data(features.rows, features.columns, CV_32F,
                       const_cast<float*>(features.values.data()));
    const cv::PCA pca(data, cv::noArray(), cv::PCA::DATA_AS_ROW, components);
    return pca.project(data);
}

// Input similarities of exact t-SNE: per row a Gaussian whose width gives the perplexity (binary
// search on its precision, all rows at once), symmetrised and normalised to sum 1.
torch::Tensor affinities(const torch::Tensor& x, double perplexity)
{
    const int64_t n = x.size(0);
    const torch::Tensor squares = x.square().sum(1);
    // Squared distances less each row's smallest other one (a row's normalisation absorbs it, and
    // nothing underflows), float32 to keep to a few n x n matrices.
    torch::Tensor d = x.mm(x.t());
    d.mul_(-2).add_(squares.unsqueeze(1)).add_(squares.unsqueeze(0)).clamp_min_(0);
    d.fill_diagonal_(std::numeric_limits<float>::max());
    d.sub_(std::get<0>(d.min(1, true))).clamp_min_(0);
    d.fill_diagonal_(0);
    const double target = std::log(std::min(perplexity, double(n - 1) / 3.0 + 1e-9));
    torch::Tensor beta = torch::ones({n, 1}, torch::kDouble);
    torch::Tensor low = torch::zeros({n, 1}, torch::kDouble);
    torch::Tensor high =
        torch::full({n, 1}, std::numeric_limits<double>::infinity(), torch::kDouble);
    torch::Tensor p = torch::empty_like(d);
    torch::Tensor weighted = torch::empty_like(d);
    for (int step = 0; step < 64; ++step) {
        torch::mul_out(p, d, beta.to(torch::kFloat)).neg_().exp_();
        p.fill_diagonal_(0);
        const torch::Tensor sum = p.sum(1, true).to(torch::kDouble).clamp_min(1e-300);
        torch::mul_out(weighted, d, p);
        const torch::Tensor entropy =
            torch::log(sum) + beta * weighted.sum(1, true).to(torch::kDouble) / sum;
        const torch::Tensor tooWide = entropy > target; // raise the precision
        low = torch::where(tooWide, beta, low);
        high = torch::where(tooWide, high, beta);
        beta = torch::where(torch::isinf(high), beta * 2, (low + high) / 2);
        if ((entropy - target).abs().max().item<double>() < 1e-4) {
            break;
        }
    }
    weighted = torch::Tensor();
    d = torch::Tensor();
    p.div_(p.sum(1, true).clamp_min(1e-30));
    p = p + p.t();
    p.div_(2.0 * double(n)).clamp_min_(1e-12);
    return p;
}

// The gradient of the Kullback-Leibler divergence at y for the input similarities `p`, early
// exaggeration applied (a factor on p's term, so that no exaggerated copy of p is kept).
torch::Tensor tsneGradient(const torch::Tensor& y, const torch::Tensor& p, double exaggeration)
{
    const torch::Tensor squares = y.square().sum(1);
    torch::Tensor num = y.mm(y.t());
    num.mul_(-2).add_(squares.unsqueeze(1)).add_(squares.unsqueeze(0)).add_(1).reciprocal_();
    num.fill_diagonal_(0);
    const double total = num.sum().item<double>();
    torch::Tensor w = num.square();
    w.mul_(-1.0 / std::max(total, 1e-300)).addcmul_(p, num, exaggeration);
    return 4 * (w.sum(1, true) * y - w.mm(y));
}

// Starting positions: N(0, 1e-4) from the seed, independent of LibTorch's generator.
torch::Tensor initialPositions(int64_t n, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1e-4f);
    torch::Tensor y = torch::empty({n, 2}, torch::kFloat);
    float* data = y.data_ptr<float>();
    for (int64_t i = 0; i < n * 2; ++i) {
        data[i] = normal(rng);
    }
    return y;
}

} // namespace

std::optional<EmbeddingMethod> embeddingMethodFromName(const QString& name)
{
    const QString lower = name.toLower();
    if (lower == QLatin1String("pca")) {
        return EmbeddingMethod::Pca;
    }
    if (lower == QLatin1String("tsne") || lower == QLatin1String("t-sne")) {
        return EmbeddingMethod::Tsne;
    }
    return std::nullopt;
}

QString embeddingMethodName(EmbeddingMethod method)
{
    return method == EmbeddingMethod::Pca ? QStringLiteral("pca") : QStringLiteral("tsne");
}

Result<std::vector<double>> projectPca(const FeatureMatrix& features)
{
    if (features.rows < 2 || features.columns < 1) {
        return Failure{QStringLiteral("PCA needs at least two points, got %1.").arg(features.rows)};
    }
    const int components = std::min(2, features.columns);
    const cv::Mat projected = pcaOf(features, components);
    std::vector<double> out(size_t(features.rows) * 2, 0.0);
    for (int c = 0; c < components; ++c) {
        double farthest = 0;
        for (int i = 0; i < features.rows; ++i) {
            const double v = double(projected.at<float>(i, c));
            farthest = std::abs(v) > std::abs(farthest) ? v : farthest;
        }
        const double sign = farthest < 0 ? -1.0 : 1.0;
        for (int i = 0; i < features.rows; ++i) {
            out[size_t(i) * 2 + size_t(c)] = sign * double(projected.at<float>(i, c));
        }
    }
    return out;
}

Result<std::vector<double>> projectTsne(const FeatureMatrix& features, const TsneOptions& options)
{
    const int n = features.rows;
    if (n < 4 || features.columns < 1) {
        return Failure{QStringLiteral("t-SNE needs at least four points, got %1.").arg(n)};
    }
    try {
        c10::InferenceMode inference;
        const int dims = std::min({options.pcaDimensions, features.columns, n});
        torch::Tensor x;
        if (dims < features.columns) {
            const cv::Mat reduced = pcaOf(features, dims);
            x = torch::from_blob(reduced.data, {n, dims}, torch::kFloat).clone();
        } else {
            x = torch::from_blob(const_cast<float*>(features.values.data()), {n, features.columns},
                                 torch::kFloat)
                    .clone();
        }
        const torch::Tensor p = affinities(x, options.perplexity);
        torch::Tensor y = initialPositions(n, options.seed);
        torch::Tensor update = torch::zeros_like(y);
        torch::Tensor gains = torch::ones_like(y);
        const double rate = std::max(double(n) / 12.0, 200.0);
        for (int it = 0; it < options.iterations; ++it) {
            if (isCancelled(options.cancel)) {
                return cancelled();
            }
            const bool early = it < options.exaggerationIterations;
            const torch::Tensor grad = tsneGradient(y, p, early ? options.exaggeration : 1.0);
            const torch::Tensor same = (grad > 0) == (update > 0);
            gains = torch::where(same, gains * 0.8, gains + 0.2).clamp_min(0.01);
            update = (early ? 0.5 : 0.8) * update - rate * gains * grad;
            y = y + update;
            if (options.progress && it % 50 == 0) {
                options.progress(it);
            }
        }
        y = (y - y.mean(0, true)).to(torch::kDouble).contiguous();
        return std::vector<double>(y.data_ptr<double>(), y.data_ptr<double>() + y.numel());
    } catch (const std::exception& e) {
        return Failure{QStringLiteral("t-SNE failed: %1").arg(firstLine(e))};
    }
}

struct FeatureModel::Impl
{
    ModelMetadata metadata;
    torch::nn::Sequential network{nullptr};
    int layer = -1;
};

FeatureModel::FeatureModel(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
FeatureModel::FeatureModel(FeatureModel&& other) noexcept = default;
FeatureModel& FeatureModel::operator=(FeatureModel&& other) noexcept = default;
FeatureModel::~FeatureModel() = default;

Result<FeatureModel> FeatureModel::load(const QString& modelPath, int threads)
{
    Result<LoadedModel> loaded = loadModelFile(modelPath);
    if (!loaded) {
        return Failure{loaded.error()};
    }
    setUpRuntime(threads > 0 ? threads : hardwareThreads());
    auto impl = std::make_unique<Impl>();
    impl->metadata = loaded->metadata;
    const ModelSpec& model = impl->metadata.model;
    for (int i = 0; i < model.layers.size(); ++i) {
        if (model.layers[i].type == LayerType::FeatureExtractor) {
            return Failure{QStringLiteral("%1: a map of the features does not reach inside the "
                                          "network's FeatureExtractor layer.")
                               .arg(modelPath)};
        }
        if (model.layers[i].type == LayerType::Dense) {
            impl->layer = i;
        }
    }
    if (impl->layer < 0) {
        return Failure{QStringLiteral("%1: the network has no Dense layer whose input could be "
                                      "mapped.")
                           .arg(modelPath)};
    }
    const InputShape shape{impl->metadata.imageSize(), impl->metadata.imageSize(),
                           impl->metadata.channels()};
    Result<torch::nn::Sequential> built =
        buildModule(model, shape, int(impl->metadata.classes.size()));
    const QString why = built ? copyFileTensors(*built, loaded->module) : built.error();
    if (!why.isEmpty()) {
        return Failure{
            QStringLiteral("%1: the network could not be rebuilt (%2).").arg(modelPath, why)};
    }
    impl->network = *built;
    impl->network->eval();
    return FeatureModel(std::move(impl));
}

const ModelMetadata& FeatureModel::metadata() const
{
    return m_impl->metadata;
}

int FeatureModel::featureLayer() const
{
    return m_impl->layer;
}

QString FeatureModel::featureLayerText() const
{
    return QStringLiteral("input of layer %1 (Dense)").arg(m_impl->layer);
}

Result<ImageFeatures> FeatureModel::run(const float* images, int count) const
{
    const ModelMetadata& m = m_impl->metadata;
    try {
        c10::InferenceMode inference;
        torch::nn::Sequential net = m_impl->network; // shares the layers; forward() is not const
        torch::Tensor x =
            torch::from_blob(const_cast<float*>(images),
                             {count, m.channels(), m.imageSize(), m.imageSize()}, torch::kFloat);
        for (int i = 0; i < m_impl->layer; ++i) {
            x = (net->begin() + i)->forward(x);
        }
        const torch::Tensor features = x.flatten(1).to(torch::kFloat).contiguous();
        for (auto it = net->begin() + m_impl->layer; it != net->end(); ++it) {
            x = it->forward(x);
        }
        const auto [best, index] = torch::softmax(x.to(torch::kFloat), 1).max(1);
        ImageFeatures out;
        out.features.rows = count;
        out.features.columns = int(features.size(1));
        out.features.values.assign(features.data_ptr<float>(),
                                   features.data_ptr<float>() + features.numel());
        const torch::Tensor conf = best.to(torch::kDouble).contiguous();
        const torch::Tensor idx = index.to(torch::kInt).contiguous();
        out.confidence.assign(conf.data_ptr<double>(), conf.data_ptr<double>() + count);
        out.predicted.assign(idx.data_ptr<int>(), idx.data_ptr<int>() + count);
        return out;
    } catch (const std::exception& e) {
        return Failure{QStringLiteral("The model failed on a batch of %1 images: %2")
                           .arg(count)
                           .arg(firstLine(e))};
    }
}

namespace {

// Decodes files [start, start + n) into `input` on workers; the first failure's message, or empty.
QString decodeChunk(const QStringList& paths, int start, int n, const InputSpec& spec,
                    size_t imageFloats, int threads, std::vector<float>& input)
{
    input.assign(size_t(n) * imageFloats, 0.0f);
    std::vector<QString> errors(static_cast<size_t>(n));
    std::atomic<int> next{0};
    runOnWorkers(std::min(threads, n), [&](int) {
        for (int k = next++; k < n; k = next++) {
            const DecodeResult decoded = decodeImageFile(paths[start + k], spec);
            if (!decoded.ok) {
                errors[size_t(k)] = decoded.failure.reason;
                continue;
            }
            toNetworkValues(decoded.image.pixels.data(), spec, 1.0,
                            input.data() + size_t(k) * imageFloats);
        }
    });
    for (int k = 0; k < n; ++k) {
        if (!errors[size_t(k)].isEmpty()) {
            return QStringLiteral("Could not read %1: %2").arg(paths[start + k], errors[size_t(k)]);
        }
    }
    return {};
}

void append(ImageFeatures& all, ImageFeatures&& part)
{
    all.features.columns = part.features.columns;
    all.features.rows += part.features.rows;
    all.features.values.insert(all.features.values.end(), part.features.values.begin(),
                               part.features.values.end());
    all.predicted.insert(all.predicted.end(), part.predicted.begin(), part.predicted.end());
    all.confidence.insert(all.confidence.end(), part.confidence.begin(), part.confidence.end());
}

} // namespace

Result<ImageFeatures> FeatureModel::runFiles(const QStringList& paths, int batchSize,
                                             int decodeThreads,
                                             const std::atomic<bool>* cancel) const
{
    const ModelMetadata& m = m_impl->metadata;
    const size_t imageFloats = size_t(m.channels()) * size_t(m.imageSize()) * size_t(m.imageSize());
    const int batch = std::max(1, batchSize);
    const int threads = decodeThreads > 0 ? decodeThreads : hardwareThreads();
    const int chunk = batch * std::max(1, 256 / batch);
    OpenCvSingleThreaded openCvOff;
    ImageFeatures all;
    std::vector<float> input;
    for (int start = 0; start < paths.size(); start += chunk) {
        if (isCancelled(cancel)) {
            return cancelled();
        }
        const int n = std::min<int>(int(paths.size()) - start, chunk);
        const QString error = decodeChunk(paths, start, n, m.input, imageFloats, threads, input);
        if (!error.isEmpty()) {
            return Failure{error};
        }
        for (int b = 0; b < n; b += batch) {
            Result<ImageFeatures> part =
                run(input.data() + size_t(b) * imageFloats, std::min(batch, n - b));
            if (!part) {
                return Failure{part.error()};
            }
            append(all, std::move(*part));
        }
    }
    return all;
}

namespace {

// The rows of the seeded t-SNE sample (sorted), or all of them.
std::vector<int> sampleRows(int rows, int sample, uint64_t seed)
{
    std::vector<int> all(static_cast<size_t>(rows));
    std::iota(all.begin(), all.end(), 0);
    if (sample <= 0 || sample >= rows) {
        return all;
    }
    std::mt19937_64 rng(seed);
    std::shuffle(all.begin(), all.end(), rng);
    all.resize(size_t(sample));
    std::sort(all.begin(), all.end());
    return all;
}

// Projects the features into the points' x and y (NaN outside the t-SNE sample).
Status project(const FeatureMatrix& features, const EmbeddingOptions& options,
               QVector<EmbeddingPoint>& points)
{
    std::vector<int> rows = sampleRows(features.rows, options.sample, options.seed);
    if (options.method == EmbeddingMethod::Pca) {
        rows.resize(size_t(features.rows));
        std::iota(rows.begin(), rows.end(), 0);
    }
    FeatureMatrix chosen;
    chosen.rows = int(rows.size());
    chosen.columns = features.columns;
    for (int r : rows) {
        chosen.values.insert(chosen.values.end(), features.row(r),
                             features.row(r) + features.columns);
    }
    TsneOptions tsne;
    tsne.seed = options.seed;
    tsne.cancel = options.cancel;
    if (options.progress) {
        tsne.progress = [&](int it) {
            options.progress(QStringLiteral("Placing the points (t-SNE step %1 of %2)")
                                 .arg(it)
                                 .arg(tsne.iterations));
        };
    }
    Result<std::vector<double>> xy =
        options.method == EmbeddingMethod::Pca ? projectPca(chosen) : projectTsne(chosen, tsne);
    if (!xy) {
        return Failure{xy.error()};
    }
    for (EmbeddingPoint& p : points) {
        p.inSample = false;
        p.x = p.y = std::numeric_limits<double>::quiet_NaN();
    }
    for (size_t k = 0; k < rows.size(); ++k) {
        EmbeddingPoint& p = points[rows[k]];
        p.inSample = true;
        p.x = (*xy)[k * 2];
        p.y = (*xy)[k * 2 + 1];
    }
    return {};
}

} // namespace

namespace {

void sayStage(const EmbeddingOptions& options, const QString& stage)
{
    if (options.progress) {
        options.progress(stage);
    }
}

// The map of `items` (paths relative to `root`) with the loaded model.
Result<EmbeddingMap> mapItems(const FeatureModel& model, const QString& root,
                              const QVector<DatasetItem>& items, const EmbeddingOptions& options)
{
    const QDir dir(root);
    QStringList files;
    for (const DatasetItem& item : items) {
        files << dir.filePath(item.path);
    }
    sayStage(options,
             QStringLiteral("Reading what the network sees in %1 images").arg(files.size()));
    Result<ImageFeatures> features =
        model.runFiles(files, options.batchSize, options.threads, options.cancel);
    if (!features) {
        return Failure{features.error()};
    }
    EmbeddingMap map;
    map.datasetRoot = root;
    map.classes = model.metadata().classes;
    map.method = options.method;
    map.featureDimension = features->features.columns;
    map.featureLayer = model.featureLayerText();
    for (int i = 0; i < items.size(); ++i) {
        map.points.push_back({items[i].path, items[i].label, features->predicted[size_t(i)],
                              features->confidence[size_t(i)], 0, 0, true});
    }
    sayStage(options, QStringLiteral("Placing the points"));
    const Status projected = project(features->features, options, map.points);
    if (!projected) {
        return Failure{projected.error()};
    }
    return map;
}

} // namespace

Result<EmbeddingMap> makeEmbeddingMap(const QString& modelPath, const QString& datasetDir,
                                      const EmbeddingOptions& options)
{
    Result<FeatureModel> model = FeatureModel::load(modelPath, options.threads);
    if (!model) {
        return Failure{model.error()};
    }
    sayStage(options, QStringLiteral("Reading the dataset folder"));
    const Result<ModelSplit> split = scanSplitForModel(model->metadata(), datasetDir, options.split,
                                                       options.threads, options.cancel);
    if (isCancelled(options.cancel)) {
        return cancelled();
    }
    if (!split) {
        return Failure{split.error()};
    }
    return mapItems(*model, split->root, split->items, options);
}

Result<EmbeddingMap> makeEmbeddingMapOfImages(const QString& modelPath, const QString& root,
                                              const QVector<DatasetItem>& items,
                                              const EmbeddingOptions& options)
{
    Result<FeatureModel> model = FeatureModel::load(modelPath, options.threads);
    if (!model) {
        return Failure{model.error()};
    }
    const int classes = int(model->metadata().classes.size());
    for (const DatasetItem& item : items) {
        if (item.label < 0 || item.label >= classes) {
            return Failure{QStringLiteral("%1 has class %2, but the model has %3 classes: map "
                                          "images of the model's own classes.")
                               .arg(item.path)
                               .arg(item.label)
                               .arg(classes)};
        }
    }
    if (items.isEmpty()) {
        return Failure{QStringLiteral("There are no images to map.")};
    }
    return mapItems(*model, root, items, options);
}

QString embeddingToCsv(const EmbeddingMap& map)
{
    QString text = QStringLiteral("path,true_class,predicted_class,confidence,x,y,in_sample\n");
    for (const EmbeddingPoint& p : map.points) {
        QStringList row = {csvCell(p.path), csvCell(map.classes.value(p.trueClass)),
                           csvCell(map.classes.value(p.predicted)),
                           QString::number(p.confidence, 'g', 7)};
        row << (p.inSample ? QString::number(p.x, 'g', 9) : QString())
            << (p.inSample ? QString::number(p.y, 'g', 9) : QString())
            << (p.inSample ? QStringLiteral("1") : QStringLiteral("0"));
        text += row.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return text;
}

} // namespace studio
