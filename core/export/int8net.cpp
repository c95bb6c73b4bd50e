#include "export/int8net_p.h"

#include "export/exporter_p.h"
#include "export/int8kernels_p.h"
#include "model/modelbuilder_p.h"
#include "model/modelsummary.h"

#include <ATen/core/dispatch/Dispatcher.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <map>
#include <string>

namespace studio {

namespace {

enum class StepKind
{
    Conv,          // Conv2D, with its BatchNormalization folded in and its ReLU fused
    Dense,         // Dense, likewise
    MaxPool,       // MaxPooling2D without padding
    AvgPool,       // AveragePooling2D without padding
    GlobalAvgPool, // GlobalAveragePooling2D
    Flatten
};

// One operation of the int8 network.
struct Step
{
    StepKind kind = StepKind::Flatten;
    torch::Tensor weight;
    torch::Tensor bias;
    std::vector<int64_t> kernel;
    std::vector<int64_t> stride;
    std::vector<int64_t> padding;
    bool relu = false;
    int point = -1; // Conv and Dense: the quantization point of the output
    torch::Tensor quantizedWeight;
    double scale = 1;
    int64_t zeroPoint = 0;
};

// Batch sizes whose prepacked weights are kept (a folder's batch, its last batch, one image).
constexpr size_t kPackedCounts = 4;

// A layer int8 cannot run, named as the summary names layers.
Failure unsupported(int layer, const LayerSpec& spec, const QString& why)
{
    return Failure{QStringLiteral("the int8 engine cannot run layer %1 (%2): it %3.")
                       .arg(layer + 1)
                       .arg(layerTypeName(spec.type), why)};
}

// TensorFlow's "same" padding when it is the same on both sides of each axis ({rows, columns}),
// else nullopt.
std::optional<std::vector<int64_t>> symmetricPadding(const LayerSpec& spec, Size2 window,
                                                     const QVector<int>& in)
{
    if (spec.padding == Padding::Valid) {
        return std::vector<int64_t>{0, 0};
    }
    const Size2 s = spec.effectiveStrides();
    const auto rows = samePadding(in.value(0), window.height, s.height);
    const auto cols = samePadding(in.value(1), window.width, s.width);
    if (rows[0] != rows[1] || cols[0] != cols[1]) {
        return std::nullopt;
    }
    return std::vector<int64_t>{rows[0], cols[0]};
}

// Folds a BatchNormalization (inference mode) into the weighted step before it.
void foldBatchNorm(Step* step, const torch::Tensor& gamma, const torch::Tensor& beta,
                   const torch::Tensor& mean, const torch::Tensor& var, double epsilon)
{
    const torch::Tensor factor = gamma / torch::sqrt(var + epsilon);
    std::vector<int64_t> shape(size_t(step->weight.dim()), 1);
    shape[0] = -1;
    step->weight = step->weight * factor.reshape(shape);
    step->bias = (step->bias - mean) * factor + beta;
}

// The quint8 scale and zero point that cover [low, high] (widened to hold 0).
std::pair<double, int64_t> quantParameters(double low, double high)
{
    low = std::min(low, 0.0);
    high = std::max(high, 0.0);
    const double scale = high > low ? (high - low) / 255.0 : 1.0 / 255.0;
    const int64_t zero = std::clamp<int64_t>(std::llround(-low / scale), 0, 255);
    return {scale, zero};
}

// Calls a quantized operator through the dispatcher (its C++ functions are not public in
// Debian's LibTorch) and returns its one output.
c10::IValue callOperator(const char* name, const char* overload, std::vector<c10::IValue> args)
{
    const c10::OperatorHandle op = c10::Dispatcher::singleton().findSchemaOrThrow(name, overload);
    torch::jit::Stack stack(std::move(args));
    op.callBoxed(&stack);
    return stack.front();
}

QString firstLine(const std::exception& e)
{
    return QString::fromLocal8Bit(e.what()).trimmed().section(QLatin1Char('\n'), 0, 0);
}

} // namespace

struct Int8Net::Impl
{
    std::vector<Step> steps;
    int points = 1; // the input, then one per Conv and Dense step
    int channels = 1;
    int imageSize = 0;
    Int8Calibration observed;
    double inputScale = 1;
    int64_t inputZeroPoint = 0;
    bool quantized = false;
    // Prepacked weights of the Conv and Dense steps (in step order) for each batch size seen.
    // One set per size because a prepacked weight keeps oneDNN's primitive for the first input
    // shape it runs and rebuilds it on every call of any other shape (about 20 us a layer).
    mutable std::map<int, std::vector<c10::IValue>> packedByCount;

    // Adds a Conv2D or Dense step; a Failure when its activation is neither linear nor ReLU.
    Status addWeighted(int i, const LayerSpec& spec, bool isOutput, const QVector<int>& in,
                       std::map<std::string, torch::Tensor>& tensors);
    // Adds a pooling or Flatten step; a Failure when the pooling pads its input.
    Status addUnweighted(int i, const LayerSpec& spec, const QVector<int>& in);
    // Folds spec layer i (BatchNormalization) or fuses it (ReLU) into the step before it.
    Status foldIntoLast(int i, const LayerSpec& spec, bool isOutput,
                        std::map<std::string, torch::Tensor>& tensors);
    // The prepacked weights for batches of `count` images, packed on first use.
    const std::vector<c10::IValue>& packedFor(int count) const;
    // The float32 network, recording each point's range when `record`.
    torch::Tensor floatForward(torch::Tensor x, bool record);
    void widen(int point, const torch::Tensor& x);
};

Status Int8Net::Impl::addWeighted(int i, const LayerSpec& spec, bool isOutput,
                                  const QVector<int>& in,
                                  std::map<std::string, torch::Tensor>& tensors)
{
    const bool softmaxOut = isOutput && spec.activation == Activation::Softmax;
    if (spec.activation != Activation::Linear && spec.activation != Activation::Relu &&
        !softmaxOut) {
        return unsupported(i, spec,
                           QStringLiteral("has the activation %1; int8 runs linear and relu")
                               .arg(activationName(spec.activation)));
    }
    Step step;
    step.relu = spec.activation == Activation::Relu;
    step.weight = tensors[layerTensorName(i, "weight")].detach().to(torch::kFloat).clone();
    const int64_t outputs = step.weight.size(0);
    step.bias = spec.useBias
                    ? tensors[layerTensorName(i, "bias")].detach().to(torch::kFloat).clone()
                    : torch::zeros({outputs});
    if (spec.type == LayerType::Conv2D) {
        const std::optional<std::vector<int64_t>> padding =
            symmetricPadding(spec, spec.kernelSize, in);
        if (!padding) {
            return unsupported(i, spec, QStringLiteral("has uneven \"same\" padding"));
        }
        step.kind = StepKind::Conv;
        step.stride = {spec.effectiveStrides().height, spec.effectiveStrides().width};
        step.padding = *padding;
    } else {
        step.kind = StepKind::Dense;
    }
    step.point = points++;
    steps.push_back(std::move(step));
    return {};
}

Status Int8Net::Impl::addUnweighted(int i, const LayerSpec& spec, const QVector<int>& in)
{
    Step step;
    switch (spec.type) {
    case LayerType::MaxPooling2D:
    case LayerType::AveragePooling2D: {
        const std::optional<std::vector<int64_t>> padding =
            symmetricPadding(spec, spec.poolSize, in);
        if (!padding || (*padding)[0] != 0 || (*padding)[1] != 0) {
            return unsupported(i, spec, QStringLiteral("pads its input"));
        }
        step.kind = spec.type == LayerType::MaxPooling2D ? StepKind::MaxPool : StepKind::AvgPool;
        step.kernel = {spec.poolSize.height, spec.poolSize.width};
        step.stride = {spec.effectiveStrides().height, spec.effectiveStrides().width};
        break;
    }
    case LayerType::GlobalAveragePooling2D:
        step.kind = StepKind::GlobalAvgPool;
        break;
    default:
        step.kind = StepKind::Flatten;
        break;
    }
    steps.push_back(std::move(step));
    return {};
}

Status Int8Net::Impl::foldIntoLast(int i, const LayerSpec& spec, bool isOutput,
                                   std::map<std::string, torch::Tensor>& tensors)
{
    Step* last = steps.empty() ? nullptr : &steps.back();
    const bool weighted = last && (last->kind == StepKind::Conv || last->kind == StepKind::Dense);
    if (spec.type == LayerType::Activation) {
        if (spec.activation == Activation::Linear ||
            (isOutput && spec.activation == Activation::Softmax)) {
            return {};
        }
        if (spec.activation != Activation::Relu) {
            return unsupported(
                i, spec,
                QStringLiteral("is %1; int8 runs relu").arg(activationName(spec.activation)));
        }
        if (!weighted) {
            return unsupported(i, spec, QStringLiteral("follows no Conv2D or Dense to fuse into"));
        }
        last->relu = true;
        return {};
    }
    if (!weighted || last->relu) {
        return unsupported(i, spec,
                           QStringLiteral("follows no Conv2D or Dense (without ReLU) to fold "
                                          "into"));
    }
    const auto tensor = [&](const char* what) {
        return tensors[layerTensorName(i, what)].detach().to(torch::kFloat);
    };
    foldBatchNorm(last, tensor("weight"), tensor("bias"), tensor("running_mean"),
                  tensor("running_var"), spec.epsilon);
    return {};
}

Result<Int8Net> Int8Net::plan(const LoadedModel& model)
{
    const ModelMetadata& m = model.metadata;
    auto impl = std::make_unique<Impl>();
    impl->channels = m.channels();
    impl->imageSize = m.imageSize();
    const InputShape input{m.imageSize(), m.imageSize(), m.channels()};
    const ModelSummary summary = summarizeModel(m.model, input, int(m.classes.size()));
    const int outputLayer = outputActivationLayer(m.model);
    std::map<std::string, torch::Tensor> tensors = layerTensors(model.module);
    QVector<int> in = {input.height, input.width, input.channels};
    try {
        for (int i = 0; i < m.model.layers.size(); ++i) {
            const LayerSpec& spec = m.model.layers[i];
            const bool isOutput = i == outputLayer;
            Status added;
            switch (spec.type) {
            case LayerType::Conv2D:
            case LayerType::Dense:
                added = impl->addWeighted(i, spec, isOutput, in, tensors);
                break;
            case LayerType::BatchNormalization:
            case LayerType::Activation:
                added = impl->foldIntoLast(i, spec, isOutput, tensors);
                break;
            case LayerType::MaxPooling2D:
            case LayerType::AveragePooling2D:
            case LayerType::GlobalAveragePooling2D:
            case LayerType::Flatten:
                added = impl->addUnweighted(i, spec, in);
                break;
            case LayerType::Dropout:
                break; // identity at inference
            case LayerType::FeatureExtractor:
                return unsupported(i, spec, QStringLiteral("is a TorchScript module of its own"));
            }
            if (!added) {
                return Failure{added.error()};
            }
            in = summary.layers.value(i).outputShape;
        }
    } catch (const std::exception& e) {
        return Failure{QStringLiteral("the int8 engine cannot read the model's tensors: %1")
                           .arg(firstLine(e))};
    }
    impl->observed.low = QVector<double>(impl->points, INFINITY);
    impl->observed.high = QVector<double>(impl->points, -INFINITY);
    return Int8Net(std::move(impl));
}

Int8Net::Int8Net(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Int8Net::Int8Net(Int8Net&& other) noexcept = default;
Int8Net& Int8Net::operator=(Int8Net&& other) noexcept = default;
Int8Net::~Int8Net() = default;

void Int8Net::Impl::widen(int point, const torch::Tensor& x)
{
    const auto [low, high] = torch::aminmax(x);
    observed.low[point] = std::min(observed.low[point], low.item<double>());
    observed.high[point] = std::max(observed.high[point], high.item<double>());
}

torch::Tensor Int8Net::Impl::floatForward(torch::Tensor x, bool record)
{
    if (record) {
        widen(0, x);
    }
    for (const Step& step : steps) {
        switch (step.kind) {
        case StepKind::Conv:
            x = torch::conv2d(x, step.weight, step.bias, step.stride, step.padding);
            break;
        case StepKind::Dense:
            x = torch::linear(x, step.weight, step.bias);
            break;
        case StepKind::MaxPool:
            x = torch::max_pool2d(x, step.kernel, step.stride);
            break;
        case StepKind::AvgPool:
            x = torch::avg_pool2d(x, step.kernel, step.stride);
            break;
        case StepKind::GlobalAvgPool:
            x = torch::adaptive_avg_pool2d(x, {1, 1}).reshape({x.size(0), -1});
            break;
        case StepKind::Flatten:
            x = x.contiguous().reshape({x.size(0), -1});
            break;
        }
        if (step.relu) {
            x = torch::relu(x);
        }
        if (record && step.point >= 0) {
            widen(step.point, x);
        }
    }
    return x;
}

Status Int8Net::observe(const float* images, int count)
{
    try {
        c10::InferenceMode inference;
        const torch::Tensor x = torch::from_blob(
            const_cast<float*>(images),
            {count, m_impl->channels, m_impl->imageSize, m_impl->imageSize}, torch::kFloat);
        m_impl->floatForward(x, true);
        m_impl->observed.images += count;
        return {};
    } catch (const std::exception& e) {
        return Failure{QStringLiteral("Calibrating the int8 engine failed on %1 images: %2")
                           .arg(count)
                           .arg(firstLine(e))};
    }
}

Int8Calibration Int8Net::calibration() const
{
    return m_impl->observed;
}

Status Int8Net::quantize(const Int8Calibration& calibration)
{
    Impl& d = *m_impl;
    if (calibration.low.size() != d.points || calibration.high.size() != d.points) {
        return Failure{QStringLiteral("its int8 calibration has %1 ranges where the network has "
                                      "%2 quantization points.")
                           .arg(calibration.low.size())
                           .arg(d.points)};
    }
    const std::vector<at::QEngine>& engines = at::globalContext().supportedQEngines();
    if (std::find(engines.begin(), engines.end(), at::QEngine::ONEDNN) == engines.end()) {
        return Failure{QStringLiteral("this LibTorch has no oneDNN quantized engine.")};
    }
    try {
        at::globalContext().setQEngine(at::QEngine::ONEDNN);
        std::tie(d.inputScale, d.inputZeroPoint) =
            quantParameters(calibration.low[0], calibration.high[0]);
        for (Step& step : d.steps) {
            if (step.point < 0) {
                continue;
            }
            std::tie(step.scale, step.zeroPoint) =
                quantParameters(calibration.low[step.point], calibration.high[step.point]);
            // Symmetric int8 per output channel.
            const torch::Tensor largest =
                step.weight.abs().reshape({step.weight.size(0), -1}).amax(1).clamp_min(1e-8);
            step.quantizedWeight = torch::quantize_per_channel(
                step.weight, (largest / 127.0).to(torch::kDouble),
                torch::zeros({step.weight.size(0)}, torch::kLong), 0, torch::kQInt8);
        }
        d.packedByCount.clear();
        d.packedFor(1); // a weight oneDNN cannot pack fails here
    } catch (const std::exception& e) {
        return Failure{
            QStringLiteral("LibTorch could not quantize the network: %1").arg(firstLine(e))};
    }
    d.observed = calibration;
    d.quantized = true;
    return {};
}

const std::vector<c10::IValue>& Int8Net::Impl::packedFor(int count) const
{
    if (const auto found = packedByCount.find(count); found != packedByCount.end()) {
        return found->second;
    }
    if (packedByCount.size() >= kPackedCounts) {
        packedByCount.clear();
    }
    std::vector<c10::IValue> packed;
    for (const Step& step : steps) {
        if (step.kind == StepKind::Conv) {
            packed.push_back(callOperator("quantized::conv2d_prepack", "",
                                          {step.quantizedWeight, step.bias,
                                           c10::IValue(step.stride), c10::IValue(step.padding),
                                           c10::IValue(std::vector<int64_t>{1, 1}), int64_t(1)}));
        } else if (step.kind == StepKind::Dense) {
            packed.push_back(
                callOperator("quantized::linear_prepack", "", {step.quantizedWeight, step.bias}));
        }
    }
    return packedByCount.emplace(count, std::move(packed)).first->second;
}

Result<std::vector<float>> Int8Net::probabilities(const float* images, int count) const
{
    const Impl& d = *m_impl;
    if (!d.quantized) {
        return Failure{QStringLiteral("The int8 network is not quantized yet.")};
    }
    try {
        c10::InferenceMode inference;
        const std::vector<c10::IValue>& packed = d.packedFor(count);
        auto weights = packed.begin();
        torch::Tensor x =
            quantizedInput(images, count, d.channels, d.imageSize, d.inputScale, d.inputZeroPoint);
        for (const Step& step : d.steps) {
            switch (step.kind) {
            case StepKind::Conv:
                x = callOperator(step.relu ? "quantized::conv2d_relu" : "quantized::conv2d", "new",
                                 {x, *weights++, step.scale, step.zeroPoint})
                        .toTensor();
                break;
            case StepKind::Dense:
                x = callOperator(step.relu ? "quantized::linear_relu" : "quantized::linear", "",
                                 {x, *weights++, step.scale, step.zeroPoint})
                        .toTensor();
                break;
            case StepKind::MaxPool:
                x = maxPooled(x, step.kernel, step.stride);
                break;
            case StepKind::AvgPool:
                x = torch::avg_pool2d(x, step.kernel, step.stride);
                break;
            case StepKind::GlobalAvgPool:
                x = torch::adaptive_avg_pool2d(x, {1, 1}).contiguous().reshape({count, -1});
                break;
            case StepKind::Flatten:
                x = x.contiguous().reshape({count, -1});
                break;
            }
        }
        const torch::Tensor out = torch::softmax(x.dequantize(), 1).contiguous();
        const float* data = out.data_ptr<float>();
        return std::vector<float>(data, data + out.numel());
    } catch (const std::exception& e) {
        return Failure{QStringLiteral("The int8 engine failed on a batch of %1 images: %2")
                           .arg(count)
                           .arg(firstLine(e))};
    }
}

} // namespace studio
