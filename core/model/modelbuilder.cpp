#include "model/modelbuilder.h"
#include "model/dnnllayers_p.h"
#include "model/featureextractor.h"
#include "model/featureextractor_p.h"
#include "model/modelbuilder_p.h"
#include "model/poolingkernels_p.h"

#include <torch/cuda.h>
#include <torch/nn.h>

#include <algorithm>

#include <cmath>
#include <exception>
#include <limits>

namespace studio {

namespace {

namespace F = torch::nn::functional;

// Keras's glorot_uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)).
void glorotUniform(torch::Tensor& weight, int64_t fanIn, int64_t fanOut)
{
    const double limit = std::sqrt(6.0 / double(fanIn + fanOut));
    torch::NoGradGuard noGrad;
    weight.uniform_(-limit, limit);
}

// The {left, right, top, bottom} padding of "same" for x's height and width.
std::array<int64_t, 4> samePads(const torch::Tensor& x, Size2 window, Size2 strides)
{
    const auto rows = samePadding(x.size(2), window.height, strides.height);
    const auto cols = samePadding(x.size(3), window.width, strides.width);
    return {cols[0], cols[1], rows[0], rows[1]};
}

bool anyPadding(const std::array<int64_t, 4>& pads)
{
    return pads[0] != 0 || pads[1] != 0 || pads[2] != 0 || pads[3] != 0;
}

QVector<int> kerasShape(const torch::Tensor& t)
{
    if (t.dim() == 4) {
        return {int(t.size(2)), int(t.size(3)), int(t.size(1))};
    }
    QVector<int> shape;
    for (int64_t d = 1; d < t.dim(); ++d) {
        shape << int(t.size(d));
    }
    return shape;
}

} // namespace

std::array<int64_t, 2> samePadding(int64_t input, int64_t window, int64_t stride)
{
    const int64_t output = (input + stride - 1) / stride;
    const int64_t total = std::max<int64_t>((output - 1) * stride + window - input, 0);
    return {total / 2, total - total / 2};
}

torch::Tensor applyActivationInPlace(torch::Tensor y, Activation activation)
{
    switch (activation) {
    case Activation::Relu:
        return torch::relu_(y);
    case Activation::LeakyRelu:
        return torch::leaky_relu_(y, 0.2);
    default:
        return applyActivation(y, activation);
    }
}

torch::Tensor applyActivation(const torch::Tensor& x, Activation activation)
{
    switch (activation) {
    case Activation::Linear:
        return x;
    case Activation::Relu:
        return torch::relu(x);
    case Activation::LeakyRelu:
        return torch::leaky_relu(x, 0.2);
    case Activation::Elu:
        return torch::elu(x);
    case Activation::Sigmoid:
        return torch::sigmoid(x);
    case Activation::Tanh:
        return torch::tanh(x);
    case Activation::Softmax:
        return torch::softmax(x, 1);
    }
    return x;
}

Conv2DLayerImpl::Conv2DLayerImpl(const LayerSpec& layer, int64_t inChannels) : spec(layer)
{
    const int64_t kh = spec.kernelSize.height;
    const int64_t kw = spec.kernelSize.width;
    weight = register_parameter("weight", torch::empty({spec.filters, inChannels, kh, kw}));
    glorotUniform(weight, inChannels * kh * kw, spec.filters * kh * kw);
    if (spec.useBias) {
        bias = register_parameter("bias", torch::zeros({spec.filters}));
    }
}

torch::Tensor Conv2DLayerImpl::forward(const torch::Tensor& x)
{
    const Size2 strides = spec.effectiveStrides();
    const std::array<int64_t, 4> pads = spec.padding == Padding::Same
                                            ? samePads(x, spec.kernelSize, strides)
                                            : std::array<int64_t, 4>{0, 0, 0, 0};
    if (canConvolveWithDnnl(x, weight)) {
        const bool fusedRelu = !activationDeferred && spec.activation == Activation::Relu;
        const ConvolutionSteps steps{{strides.height, strides.width},
                                     {pads[2], pads[3], pads[0], pads[1]}};
        const torch::Tensor y = dnnlConvolution(plans, x, weight, bias, steps, fusedRelu);
        return activationDeferred || fusedRelu ? y : applyActivationInPlace(y, spec.activation);
    }
    torch::Tensor input = x;
    std::array<int64_t, 2> symmetric = {0, 0};
    if (anyPadding(pads)) {
        if (pads[0] == pads[1] && pads[2] == pads[3]) {
            symmetric = {pads[2], pads[0]};
        } else {
            input = F::pad(x, F::PadFuncOptions({pads[0], pads[1], pads[2], pads[3]}));
        }
    }
    const torch::Tensor y = torch::conv2d(input, weight, bias, {strides.height, strides.width},
                                          {symmetric[0], symmetric[1]});
    return activationDeferred ? y : applyActivationInPlace(y, spec.activation);
}

Pooling2DLayerImpl::Pooling2DLayerImpl(const LayerSpec& layer) : spec(layer) {}

torch::Tensor Pooling2DLayerImpl::forward(const torch::Tensor& x)
{
    const Size2 strides = spec.effectiveStrides();
    const std::vector<int64_t> kernel = {spec.poolSize.height, spec.poolSize.width};
    const std::vector<int64_t> stride = {strides.height, strides.width};
    std::array<int64_t, 4> pads = {0, 0, 0, 0};
    if (spec.padding == Padding::Same) {
        pads = samePads(x, spec.poolSize, strides);
    }
    const std::vector<int64_t> padList = {pads[0], pads[1], pads[2], pads[3]};
    if (spec.type == LayerType::MaxPooling2D) {
        if (activationAfter == Activation::Relu && !anyPadding(pads) &&
            canReluMaxPool(x, kernel, stride)) {
            return reluMaxPooled(x);
        }
        const torch::Tensor input =
            anyPadding(pads)
                ? F::pad(x,
                         F::PadFuncOptions(padList).value(-std::numeric_limits<double>::infinity()))
                : x;
        return applyActivationInPlace(torch::max_pool2d(input, kernel, stride), activationAfter);
    }
    if (!anyPadding(pads)) {
        return torch::avg_pool2d(x, kernel, stride);
    }
    // TensorFlow averages over the cells inside the image only.
    const torch::Tensor sums =
        torch::avg_pool2d(F::pad(x, F::PadFuncOptions(padList)), kernel, stride);
    const torch::Tensor ones = torch::ones({1, 1, x.size(2), x.size(3)}, x.options());
    const torch::Tensor counts =
        torch::avg_pool2d(F::pad(ones, F::PadFuncOptions(padList)), kernel, stride);
    return sums / counts;
}

torch::Tensor GlobalAveragePooling2DLayerImpl::forward(const torch::Tensor& x)
{
    return x.mean({2, 3});
}

torch::Tensor FlattenLayerImpl::forward(const torch::Tensor& x)
{
    return x.flatten(1);
}

DenseLayerImpl::DenseLayerImpl(const LayerSpec& layer, int64_t inFeatures) : spec(layer)
{
    weight = register_parameter("weight", torch::empty({spec.units, inFeatures}));
    glorotUniform(weight, inFeatures, spec.units);
    if (spec.useBias) {
        bias = register_parameter("bias", torch::zeros({spec.units}));
    }
}

torch::Tensor DenseLayerImpl::forward(const torch::Tensor& x)
{
    if (canDenseWithDnnl(x, weight)) {
        const bool fusedRelu = spec.activation == Activation::Relu;
        const torch::Tensor y = dnnlDense(plans, x, weight, bias, fusedRelu);
        return fusedRelu ? y : applyActivationInPlace(y, spec.activation);
    }
    return applyActivationInPlace(torch::linear(x, weight, bias), spec.activation);
}

DropoutLayerImpl::DropoutLayerImpl(const LayerSpec& layer) : spec(layer) {}

torch::Tensor DropoutLayerImpl::forward(const torch::Tensor& x)
{
    return torch::dropout(x, spec.rate, is_training());
}

BatchNormalizationLayerImpl::BatchNormalizationLayerImpl(const LayerSpec& layer, int64_t channels)
    : spec(layer)
{
    weight = register_parameter("weight", torch::ones({channels}));
    bias = register_parameter("bias", torch::zeros({channels}));
    running_mean = register_buffer("running_mean", torch::zeros({channels}));
    running_var = register_buffer("running_var", torch::ones({channels}));
}

torch::Tensor BatchNormalizationLayerImpl::forward(const torch::Tensor& x)
{
    // A frozen layer (trainable false) normalises with its moving statistics, as in Keras.
    return torch::batch_norm(x, weight, bias, running_mean, running_var,
                             is_training() && spec.trainable, 1.0 - spec.momentum, spec.epsilon,
                             /*cudnn_enabled=*/true);
}

ActivationLayerImpl::ActivationLayerImpl(const LayerSpec& layer) : spec(layer) {}

torch::Tensor ActivationLayerImpl::forward(const torch::Tensor& x)
{
    return activationDeferred ? x : applyActivation(x, spec.activation);
}

FeatureExtractorLayerImpl::FeatureExtractorLayerImpl(const LayerSpec& layer,
                                                     torch::jit::Module module)
    : spec(layer), extractor(std::move(module))
{
    extractor.eval();
}

torch::Tensor FeatureExtractorLayerImpl::forward(const torch::Tensor& x)
{
    torch::NoGradGuard noGrad; // frozen: nothing flows back into the user's module
    const torch::Tensor input = featureExtractorInput(x, spec.extractor);
    return extractor.forward({input}).toTensor().flatten(1);
}

namespace {

std::vector<BatchNormalizationLayerImpl*> batchNormLayers(torch::nn::Sequential& module)
{
    std::vector<BatchNormalizationLayerImpl*> layers;
    for (const std::shared_ptr<torch::nn::Module>& child : module->children()) {
        auto* layer = child->as<BatchNormalizationLayerImpl>();
        if (layer != nullptr && layer->spec.trainable) {
            layers.push_back(layer);
        }
    }
    return layers;
}

} // namespace

void freezeParameters(torch::nn::Module& module)
{
    for (torch::Tensor& p : module.parameters()) {
        p.set_requires_grad(false);
    }
}

std::vector<torch::Tensor> trainableParameters(torch::nn::Module& module)
{
    std::vector<torch::Tensor> trainable;
    for (const torch::Tensor& p : module.parameters()) {
        if (p.requires_grad()) {
            trainable.push_back(p);
        }
    }
    return trainable;
}

bool hasBatchNormalization(torch::nn::Sequential& module)
{
    return !batchNormLayers(module).empty();
}

int64_t recomputeBatchNormStatistics(torch::nn::Sequential& module,
                                     const std::function<torch::Tensor()>& nextImages)
{
    const std::vector<BatchNormalizationLayerImpl*> layers = batchNormLayers(module);
    if (layers.empty()) {
        return 0;
    }
    torch::NoGradGuard noGrad;
    const bool wasTraining = module->is_training();
    std::vector<double> momenta;
    std::vector<std::array<torch::Tensor, 2>> before;
    for (BatchNormalizationLayerImpl* layer : layers) {
        momenta.push_back(layer->spec.momentum);
        before.push_back({layer->running_mean.clone(), layer->running_var.clone()});
    }
    module->eval();
    for (BatchNormalizationLayerImpl* layer : layers) {
        layer->train();
    }
    int64_t seen = 0;
    for (torch::Tensor images = nextImages(); images.defined(); images = nextImages()) {
        const int64_t n = images.size(0);
        if (n < 2) {
            continue; // no variance in one image (and torch refuses it after a Dense layer)
        }
        // torch's momentum n / (seen + n) makes the running values the size-weighted mean of
        // the batches' values; Keras's momentum is one minus torch's.
        for (BatchNormalizationLayerImpl* layer : layers) {
            layer->spec.momentum = 1.0 - double(n) / double(seen + n);
        }
        module->forward(images);
        seen += n;
    }
    for (size_t i = 0; i < layers.size(); ++i) {
        layers[i]->spec.momentum = momenta[i];
        if (seen == 0) {
            layers[i]->running_mean.copy_(before[i][0]);
            layers[i]->running_var.copy_(before[i][1]);
        }
    }
    module->train(wasTraining);
    return seen;
}

bool prefersChannelsLast(const ModelSpec& model)
{
    return std::any_of(model.layers.begin(), model.layers.end(),
                       [](const LayerSpec& layer) { return layer.type == LayerType::Conv2D; });
}

torch::Tensor inMemoryFormat(const torch::Tensor& images, torch::MemoryFormat format)
{
    // The channel stride of a channels-last batch is 1; contiguous() handles every other case.
    if (format != torch::MemoryFormat::ChannelsLast || images.dim() != 4 || images.stride(1) == 1) {
        return images.contiguous(format);
    }
    return torch::empty(images.sizes(), images.options().memory_format(format)).copy_(images);
}

namespace {

// Hands a Conv2D's or an Activation layer's ReLU to the MaxPooling2D after it; false when the
// layer has no ReLU to hand. Only ReLU: a leaky ReLU's 0.2x can round two inputs into a tie.
bool deferRelu(torch::nn::Module& layer)
{
    if (auto* conv = layer.as<Conv2DLayerImpl>();
        conv != nullptr && conv->spec.activation == Activation::Relu && !conv->activationDeferred) {
        conv->activationDeferred = true;
        return true;
    }
    if (auto* activation = layer.as<ActivationLayerImpl>();
        activation != nullptr && activation->spec.activation == Activation::Relu &&
        !activation->activationDeferred) {
        activation->activationDeferred = true;
        return true;
    }
    return false;
}

} // namespace

int activateAfterMaxPooling(torch::nn::Sequential& module)
{
    // max(relu(x)) = relu(max(x)) value for value, and the gradient reaches the same input:
    // where the window's maximum is positive both pass it to that maximum, and elsewhere both
    // pass zero.
    int moved = 0;
    for (size_t i = 0; i + 1 < module->size(); ++i) {
        auto* pool = module->ptr(i + 1)->as<Pooling2DLayerImpl>();
        if (pool != nullptr && pool->spec.type == LayerType::MaxPooling2D &&
            pool->activationAfter == Activation::Linear && deferRelu(*module->ptr(i))) {
            pool->activationAfter = Activation::Relu;
            ++moved;
        }
    }
    return moved;
}

void useChannelsLast(torch::nn::Module& module)
{
    torch::NoGradGuard noGrad;
    for (torch::Tensor& parameter : module.parameters()) {
        if (parameter.dim() == 4) {
            parameter.set_data(parameter.data().contiguous(torch::MemoryFormat::ChannelsLast));
        }
    }
}

Result<torch::nn::Sequential> buildModule(const ModelSpec& spec, const InputShape& input,
                                          int numClasses)
{
    ModelSpec model = spec;
    if (const Status measured = measureFeatureExtractors(&model); !measured) {
        return Failure{measured.error()};
    }
    const ModelSummary summary = summarizeModel(model, input, numClasses);
    if (summary.hasErrors()) {
        return Failure{summary.errorText()};
    }
    const int outputLayer = outputActivationLayer(model);
    try {
        torch::nn::Sequential sequential;
        QVector<int> shape = {input.height, input.width, input.channels};
        for (int i = 0; i < model.layers.size(); ++i) {
            LayerSpec layer = model.layers[i];
            if (i == outputLayer && layer.activation == Activation::Softmax) {
                layer.activation = Activation::Linear; // the module returns logits
            }
            switch (layer.type) {
            case LayerType::Conv2D:
                sequential->push_back(Conv2DLayer(layer, shape.last()));
                break;
            case LayerType::MaxPooling2D:
            case LayerType::AveragePooling2D:
                sequential->push_back(Pooling2DLayer(layer));
                break;
            case LayerType::GlobalAveragePooling2D:
                sequential->push_back(GlobalAveragePooling2DLayer());
                break;
            case LayerType::Flatten:
                sequential->push_back(FlattenLayer());
                break;
            case LayerType::Dense:
                sequential->push_back(DenseLayer(layer, shape.last()));
                break;
            case LayerType::Dropout:
                sequential->push_back(DropoutLayer(layer));
                break;
            case LayerType::BatchNormalization:
                sequential->push_back(BatchNormalizationLayer(layer, shape.last()));
                break;
            case LayerType::Activation:
                sequential->push_back(ActivationLayer(layer));
                break;
            case LayerType::FeatureExtractor: {
                Result<torch::jit::Module> extractor = loadFeatureExtractor(layer.extractor.path);
                if (!extractor) {
                    return Failure{extractor.error()};
                }
                sequential->push_back(FeatureExtractorLayer(layer, *extractor));
                break;
            }
            }
            shape = summary.layers[i].outputShape;
            if (!layer.trainable) {
                freezeParameters(*sequential->ptr(i));
            }
        }
        return sequential;
    } catch (const std::exception& e) {
        return Failure{QStringLiteral("Could not build the network: %1")
                           .arg(QString::fromLocal8Bit(e.what()).section(QLatin1Char('\n'), 0, 0))};
    }
}

torch::Device preferredDevice()
{
    return cudaAvailable() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
}

bool cudaAvailable()
{
    return torch::cuda::is_available();
}

QString preferredDeviceName()
{
    return QString::fromStdString(preferredDevice().str());
}

Result<ModuleProbe> probeModule(const ModelSpec& model, const InputShape& input, int numClasses,
                                int batchSize)
{
    Result<torch::nn::Sequential> built = buildModule(model, input, numClasses);
    if (!built) {
        return Failure{built.error()};
    }
    try {
        torch::nn::Sequential module = *built;
        const torch::Device device = preferredDevice();
        module->to(device);
        module->eval();
        torch::NoGradGuard noGrad;
        ModuleProbe probe;
        probe.device = QString::fromStdString(device.str());
        torch::Tensor x =
            torch::zeros({qMax(1, batchSize), input.channels, input.height, input.width},
                         torch::TensorOptions().device(device));
        for (auto it = module->begin(); it != module->end(); ++it) {
            x = it->forward(x);
            probe.layerOutputShapes << kerasShape(x);
        }
        probe.outputShape = kerasShape(x);
        for (const torch::Tensor& p : module->parameters()) {
            (p.requires_grad() ? probe.trainableParams : probe.nonTrainableParams) += p.numel();
        }
        for (const auto& buffer : module->named_buffers()) {
            const QString key = QString::fromStdString(buffer.key());
            if (key.endsWith(QLatin1String("running_mean")) ||
                key.endsWith(QLatin1String("running_var"))) {
                probe.nonTrainableParams += buffer.value().numel();
            }
        }
        return probe;
    } catch (const std::exception& e) {
        return Failure{QStringLiteral("The network failed on a batch of zeros: %1")
                           .arg(QString::fromLocal8Bit(e.what()).section(QLatin1Char('\n'), 0, 0))};
    }
}

} // namespace studio
