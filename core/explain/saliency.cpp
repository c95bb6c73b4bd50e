#include "explain/saliency.h"

#include "explain/networkweights_p.h"

#include "common/runtime.h"
#include "dataset/inputspec.h"
#include "export/exporter_p.h"
#include "model/modelbuilder_p.h"

#include <torch/autograd.h>

#include <algorithm>
#include <cmath>
#include <exception>

namespace studio {

namespace {

QString firstLine(const std::exception& e)
{
    return QString::fromLocal8Bit(e.what()).section(QLatin1Char('\n'), 0, 0);
}

// The spec layer whose output Grad-CAM uses: the last Conv2D and the layers right after it that
// keep its cells (BatchNormalization, Activation, Dropout); -1 without a Conv2D layer or with a
// FeatureExtractor (whose file the rebuilt network would need).
int gradCamLayerOf(const ModelSpec& model)
{
    int last = -1;
    for (int i = 0; i < model.layers.size(); ++i) {
        if (model.layers[i].type == LayerType::FeatureExtractor) {
            return -1;
        }
        if (model.layers[i].type == LayerType::Conv2D) {
            last = i;
        }
    }
    if (last < 0) {
        return -1;
    }
    while (last + 1 < model.layers.size()) {
        const LayerType next = model.layers[last + 1].type;
        if (next != LayerType::BatchNormalization && next != LayerType::Activation &&
            next != LayerType::Dropout) {
            break;
        }
        ++last;
    }
    return last;
}

// The image for people: RGB bytes, stretched from the lowest to the highest value shown.
std::vector<uint8_t> displayOf(const float* image, int channels, int side)
{
    const size_t plane = size_t(side) * size_t(side);
    std::vector<float> shown(plane * 3);
    for (size_t p = 0; p < plane; ++p) {
        if (channels == 3) {
            for (int c = 0; c < 3; ++c) {
                shown[p * 3 + size_t(c)] = image[size_t(c) * plane + p];
            }
            continue;
        }
        float sum = 0;
        for (int c = 0; c < channels; ++c) {
            sum += image[size_t(c) * plane + p];
        }
        std::fill_n(shown.begin() + ptrdiff_t(p * 3), 3, sum / float(std::max(1, channels)));
    }
    const auto [low, high] = std::minmax_element(shown.begin(), shown.end());
    const float range = *high - *low;
    std::vector<uint8_t> bytes(shown.size());
    for (size_t i = 0; i < shown.size(); ++i) {
        const float v = range > 0 ? (shown[i] - *low) / range : 0.5f;
        bytes[i] = uint8_t(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
    }
    return bytes;
}

// Patch positions along one side: every stride, and the last patch flush with the edge.
std::vector<int> patchStarts(int side, int patch, int stride)
{
    std::vector<int> starts;
    for (int s = 0; s + patch <= side; s += stride) {
        starts.push_back(s);
    }
    if (starts.empty() || starts.back() + patch < side) {
        starts.push_back(std::max(0, side - patch));
    }
    return starts;
}

} // namespace

// Copies the file's tensors into the rebuilt network (child i is spec layer i); an error names
// the tensor the file lacks or whose shape differs.
QString copyFileTensors(torch::nn::Sequential& network, const torch::jit::Module& file)
{
    const std::map<std::string, torch::Tensor> source = layerTensors(file);
    torch::NoGradGuard noGrad;
    for (int i = 0; i < int(network->size()); ++i) {
        torch::nn::Module& layer = *network->ptr(size_t(i));
        std::vector<std::pair<std::string, torch::Tensor>> own;
        for (const auto& p : layer.named_parameters(false)) {
            own.emplace_back(p.key(), p.value());
        }
        for (const auto& b : layer.named_buffers(false)) {
            own.emplace_back(b.key(), b.value());
        }
        for (auto& [name, tensor] : own) {
            const auto found = source.find(layerTensorName(i, name.c_str()));
            if (found == source.end() || !found->second.sizes().equals(tensor.sizes())) {
                return QStringLiteral("the file's layer %1 has no %2 of the expected shape")
                    .arg(i)
                    .arg(QString::fromStdString(name));
            }
            tensor.copy_(found->second.to(torch::kCPU, torch::kFloat));
        }
    }
    return {};
}

std::optional<SaliencyMethod> saliencyMethodFromName(const QString& name)
{
    const QString lower = name.toLower();
    if (lower == QLatin1String("gradcam") || lower == QLatin1String("grad-cam")) {
        return SaliencyMethod::GradCam;
    }
    if (lower == QLatin1String("occlusion")) {
        return SaliencyMethod::Occlusion;
    }
    return std::nullopt;
}

QString saliencyMethodName(SaliencyMethod method)
{
    return method == SaliencyMethod::GradCam ? QStringLiteral("gradcam")
                                             : QStringLiteral("occlusion");
}

struct SaliencyExplainer::Impl
{
    torch::jit::Module module; // the file's, for the probabilities (occlusion)
    ModelMetadata metadata;
    torch::nn::Sequential network{nullptr}; // rebuilt with the file's weights, for Grad-CAM
    int layer = -1;                         // see gradCamLayer()
    QString noGradCam;                      // why Grad-CAM cannot run

    int side() const { return metadata.imageSize(); }
    int channels() const { return metadata.channels(); }
    torch::Tensor input(const float* image, int count = 1) const
    {
        return torch::from_blob(const_cast<float*>(image), {count, channels(), side(), side()},
                                torch::kFloat);
    }
    std::vector<float> probabilities(const torch::Tensor& images) const;
    NpyArray gradCam(const float* image, int classIndex) const;
    NpyArray occlusion(const float* image, int classIndex, float probability,
                       const SaliencyOptions& options, QString* layerText) const;
};

std::vector<float> SaliencyExplainer::Impl::probabilities(const torch::Tensor& images) const
{
    c10::InferenceMode inference;
    torch::jit::Module copy = module; // forward() is not const
    const torch::Tensor out = copy.forward({images}).toTensor().to(torch::kFloat).contiguous();
    return std::vector<float>(out.data_ptr<float>(), out.data_ptr<float>() + out.numel());
}

NpyArray SaliencyExplainer::Impl::gradCam(const float* image, int classIndex) const
{
    torch::nn::Sequential net = network; // shares the layers; forward() is not const
    torch::Tensor x = input(image);
    torch::Tensor activations;
    {
        torch::NoGradGuard noGrad;
        for (int i = 0; i <= layer; ++i) {
            x = (net->begin() + i)->forward(x);
        }
    }
    activations = x.detach().requires_grad_(true);
    torch::AutoGradMode withGrad(true);
    x = activations;
    for (auto it = net->begin() + layer + 1; it != net->end(); ++it) {
        x = it->forward(x);
    }
    const torch::Tensor logit = x.select(0, 0).select(0, classIndex);
    const torch::Tensor gradient = torch::autograd::grad({logit}, {activations})[0];
    torch::NoGradGuard noGrad;
    const torch::Tensor weights = gradient.mean({2, 3}, true); // [1, K, 1, 1]
    const torch::Tensor cam = torch::relu((weights * activations.detach()).sum(1)).select(0, 0);
    const torch::Tensor values = cam.to(torch::kFloat).contiguous();
    NpyArray map;
    map.rows = int(values.size(0));
    map.columns = int(values.size(1));
    map.values.assign(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
    return map;
}

NpyArray SaliencyExplainer::Impl::occlusion(const float* image, int classIndex, float probability,
                                            const SaliencyOptions& options,
                                            QString* layerText) const
{
    const int s = side();
    const int c = channels();
    const int patch =
        std::clamp(options.occlusionPatch > 0 ? options.occlusionPatch : s / 8, 2, std::max(2, s));
    const int stride =
        std::max(1, options.occlusionStride > 0 ? options.occlusionStride : patch / 2);
    *layerText = QStringLiteral("%1 px patch, stride %2").arg(patch).arg(stride);
    const size_t plane = size_t(s) * size_t(s);
    std::vector<float> mean(size_t(c), 0.0f);
    for (int k = 0; k < c; ++k) {
        double sum = 0;
        for (size_t p = 0; p < plane; ++p) {
            sum += image[size_t(k) * plane + p];
        }
        mean[size_t(k)] = float(sum / double(plane));
    }
    const std::vector<int> starts = patchStarts(s, patch, stride);
    std::vector<std::pair<int, int>> positions;
    for (int y : starts) {
        for (int x : starts) {
            positions.emplace_back(y, x);
        }
    }
    std::vector<double> sum(plane, 0.0);
    std::vector<int> count(plane, 0);
    const size_t imageFloats = size_t(c) * plane;
    constexpr size_t kBatch = 32;
    std::vector<float> batch;
    for (size_t first = 0; first < positions.size(); first += kBatch) {
        const size_t n = std::min(kBatch, positions.size() - first);
        batch.resize(n * imageFloats);
        for (size_t j = 0; j < n; ++j) {
            float* out = batch.data() + j * imageFloats;
            std::copy_n(image, imageFloats, out);
            const auto [y0, x0] = positions[first + j];
            for (int k = 0; k < c; ++k) {
                for (int y = y0; y < y0 + patch; ++y) {
                    std::fill_n(out + size_t(k) * plane + size_t(y) * size_t(s) + size_t(x0), patch,
                                mean[size_t(k)]);
                }
            }
        }
        const std::vector<float> probs = probabilities(input(batch.data(), int(n)));
        const size_t classes = probs.size() / n;
        for (size_t j = 0; j < n; ++j) {
            const double drop =
                double(probability) - double(probs[j * classes + size_t(classIndex)]);
            const auto [y0, x0] = positions[first + j];
            for (int y = y0; y < y0 + patch; ++y) {
                for (int x = x0; x < x0 + patch; ++x) {
                    sum[size_t(y) * size_t(s) + size_t(x)] += drop;
                    ++count[size_t(y) * size_t(s) + size_t(x)];
                }
            }
        }
    }
    NpyArray map;
    map.rows = s;
    map.columns = s;
    map.values.resize(plane);
    for (size_t p = 0; p < plane; ++p) {
        map.values[p] = count[p] > 0 ? float(sum[p] / count[p]) : 0.0f;
    }
    return map;
}

SaliencyExplainer::SaliencyExplainer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
SaliencyExplainer::SaliencyExplainer(SaliencyExplainer&& other) noexcept = default;
SaliencyExplainer& SaliencyExplainer::operator=(SaliencyExplainer&& other) noexcept = default;
SaliencyExplainer::~SaliencyExplainer() = default;

Result<SaliencyExplainer> SaliencyExplainer::load(const QString& modelPath, int threads)
{
    Result<LoadedModel> loaded = loadModelFile(modelPath);
    if (!loaded) {
        return Failure{loaded.error()};
    }
    setUpRuntime(threads);
    auto impl = std::make_unique<Impl>();
    impl->metadata = loaded->metadata;
    impl->module = optimizedForInference(loaded->module);
    const ModelSpec& model = impl->metadata.model;
    impl->layer = gradCamLayerOf(model);
    if (impl->layer < 0) {
        const bool extractor =
            std::any_of(model.layers.begin(), model.layers.end(), [](const LayerSpec& layer) {
                return layer.type == LayerType::FeatureExtractor;
            });
        impl->noGradCam = extractor ? QStringLiteral("Grad-CAM does not reach inside the "
                                                     "network's FeatureExtractor layer")
                                    : QStringLiteral("the network has no Conv2D layer");
        return SaliencyExplainer(std::move(impl));
    }
    const InputShape shape{impl->side(), impl->side(), impl->channels()};
    Result<torch::nn::Sequential> built =
        buildModule(model, shape, int(impl->metadata.classes.size()));
    QString why = built ? copyFileTensors(*built, loaded->module) : built.error();
    if (!why.isEmpty()) {
        impl->layer = -1;
        impl->noGradCam =
            QStringLiteral("the network could not be rebuilt for Grad-CAM (%1)").arg(why);
        return SaliencyExplainer(std::move(impl));
    }
    impl->network = *built;
    impl->network->eval();
    return SaliencyExplainer(std::move(impl));
}

const ModelMetadata& SaliencyExplainer::metadata() const
{
    return m_impl->metadata;
}

bool SaliencyExplainer::hasGradCam() const
{
    return m_impl->layer >= 0;
}

int SaliencyExplainer::gradCamLayer() const
{
    return m_impl->layer;
}

SaliencyMap SaliencyExplainer::explainFile(const QString& path,
                                           const SaliencyOptions& options) const
{
    const InputSpec& spec = m_impl->metadata.input;
    const DecodeResult decoded = decodeImageFile(path, spec);
    if (!decoded.ok) {
        SaliencyMap failed;
        failed.path = path;
        failed.error = decoded.failure.reason;
        return failed;
    }
    const int side = m_impl->side();
    std::vector<float> image(size_t(m_impl->channels()) * size_t(side) * size_t(side));
    toNetworkValues(decoded.image.pixels.data(), spec, 1.0, image.data());
    SaliencyMap map = explainImage(image.data(), options);
    map.path = path;
    return map;
}

SaliencyMap SaliencyExplainer::explainImage(const float* image,
                                            const SaliencyOptions& options) const
{
    const Impl& d = *m_impl;
    const QStringList& classes = d.metadata.classes;
    SaliencyMap result;
    result.imageSize = d.side();
    result.method = options.method;
    try {
        const std::vector<float> probs = d.probabilities(d.input(image));
        result.predicted = int(std::max_element(probs.begin(), probs.end()) - probs.begin());
        result.classIndex = options.classIndex >= 0 ? options.classIndex : result.predicted;
        if (result.classIndex >= int(probs.size())) {
            result.error = QStringLiteral("There is no class %1: the model has %2 (%3).")
                               .arg(result.classIndex)
                               .arg(classes.size())
                               .arg(classes.join(QStringLiteral(", ")));
            return result;
        }
        result.className = classes.value(result.classIndex);
        result.probability = double(probs[size_t(result.classIndex)]);
        if (result.method == SaliencyMethod::GradCam && d.layer < 0) {
            result.method = SaliencyMethod::Occlusion;
            result.note = QStringLiteral("occlusion instead of Grad-CAM: %1").arg(d.noGradCam);
        }
        if (result.method == SaliencyMethod::GradCam) {
            result.map = d.gradCam(image, result.classIndex);
            result.layer = QStringLiteral("layer %1 (%2)")
                               .arg(d.layer)
                               .arg(layerTypeName(d.metadata.model.layers[d.layer].type));
        } else {
            result.map = d.occlusion(image, result.classIndex, probs[size_t(result.classIndex)],
                                     options, &result.layer);
        }
    } catch (const std::exception& e) {
        result.error =
            QStringLiteral("The model failed while explaining the image: %1").arg(firstLine(e));
        return result;
    }
    result.display = displayOf(image, d.channels(), d.side());
    return result;
}

MapPeak mapPeak(const SaliencyMap& map)
{
    const NpyArray& a = map.map;
    if (a.values.empty() || a.rows <= 0 || a.columns <= 0) {
        return {};
    }
    const size_t best =
        size_t(std::max_element(a.values.begin(), a.values.end()) - a.values.begin());
    const double cellY = double(map.imageSize) / a.rows;
    const double cellX = double(map.imageSize) / a.columns;
    return {(double(best % size_t(a.columns)) + 0.5) * cellX,
            (double(best / size_t(a.columns)) + 0.5) * cellY};
}

} // namespace studio
