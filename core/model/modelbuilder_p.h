// The LibTorch side of the model builder, for core's .cpp files only (trainer, exporter).
//
// buildModule() returns a torch::nn::Sequential whose child i is spec layer i, so parameters
// are named "<i>.weight", "<i>.bias" (and "<i>.running_mean", "<i>.running_var" buffers for
// BatchNormalization). Tensors are channels-first (NCHW) inside; Flatten flattens NCHW, so the
// weights are not interchangeable with Keras's even though the parameter counts are equal.
// The module returns logits: a final softmax (output activation) is not applied inside; the
// trainer uses log_softmax + NLL, and predictors apply softmax to the logits.
#pragma once

#include "common/result.h"
#include "model/dnnllayers_p.h"
#include "model/layerspec.h"
#include "model/modelsummary.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/nn.h>

#include <array>
#include <functional>

namespace studio {

// TensorFlow's "same" padding of one spatial axis: {before, after}; the extra cell goes after.
std::array<int64_t, 2> samePadding(int64_t input, int64_t window, int64_t stride);

// Applies a Keras activation; softmax is taken over dimension 1 (channels / features).
torch::Tensor applyActivation(const torch::Tensor& x, Activation activation);

// The same on `y`, which the caller owns and nothing else reads (a layer's fresh output):
// ReLU and leaky ReLU overwrite it instead of writing a new tensor. Their gradients read only
// the result, so autograd allows it.
torch::Tensor applyActivationInPlace(torch::Tensor y, Activation activation);

// Conv2D: weight [filters, in_channels, kh, kw], bias [filters]; TF-exact "same" padding.
class Conv2DLayerImpl : public torch::nn::Module
{
public:
    Conv2DLayerImpl(const LayerSpec& spec, int64_t inChannels);
    torch::Tensor forward(const torch::Tensor& x);

    LayerSpec spec;
    torch::Tensor weight;
    torch::Tensor bias;              // undefined when use_bias is false
    bool activationDeferred = false; // the MaxPooling2D after it applies the activation
    std::shared_ptr<DnnlPlans> plans = makeDnnlPlans(); // its oneDNN primitives
};
TORCH_MODULE(Conv2DLayer);

// MaxPooling2D / AveragePooling2D with TF-exact "same" padding (max pads with -inf, average
// leaves the padded cells out of the mean, as TensorFlow does).
class Pooling2DLayerImpl : public torch::nn::Module
{
public:
    explicit Pooling2DLayerImpl(const LayerSpec& spec);
    torch::Tensor forward(const torch::Tensor& x);

    LayerSpec spec;
    Activation activationAfter = Activation::Linear; // the Conv2D before it deferred to it
};
TORCH_MODULE(Pooling2DLayer);

// GlobalAveragePooling2D: mean over height and width, [N, C, H, W] -> [N, C].
class GlobalAveragePooling2DLayerImpl : public torch::nn::Module
{
public:
    torch::Tensor forward(const torch::Tensor& x);
};
TORCH_MODULE(GlobalAveragePooling2DLayer);

// Flatten: [N, ...] -> [N, features] in NCHW order.
class FlattenLayerImpl : public torch::nn::Module
{
public:
    torch::Tensor forward(const torch::Tensor& x);
};
TORCH_MODULE(FlattenLayer);

// Dense: weight [units, in_features], bias [units].
class DenseLayerImpl : public torch::nn::Module
{
public:
    DenseLayerImpl(const LayerSpec& spec, int64_t inFeatures);
    torch::Tensor forward(const torch::Tensor& x);

    LayerSpec spec;
    torch::Tensor weight;
    torch::Tensor bias;                                 // undefined when use_bias is false
    std::shared_ptr<DnnlPlans> plans = makeDnnlPlans(); // its oneDNN primitives
};
TORCH_MODULE(DenseLayer);

// Dropout with Keras's rate (the fraction dropped), active in training mode only.
class DropoutLayerImpl : public torch::nn::Module
{
public:
    explicit DropoutLayerImpl(const LayerSpec& spec);
    torch::Tensor forward(const torch::Tensor& x);

    LayerSpec spec;
};
TORCH_MODULE(DropoutLayer);

// BatchNormalization over the channel axis (1) for 2-D and 4-D inputs, Keras's momentum and
// epsilon (torch momentum = 1 - Keras momentum).
class BatchNormalizationLayerImpl : public torch::nn::Module
{
public:
    BatchNormalizationLayerImpl(const LayerSpec& spec, int64_t channels);
    torch::Tensor forward(const torch::Tensor& x);

    LayerSpec spec;
    torch::Tensor weight;       // gamma, 1
    torch::Tensor bias;         // beta, 0
    torch::Tensor running_mean; // buffer, 0
    torch::Tensor running_var;  // buffer, 1
};
TORCH_MODULE(BatchNormalizationLayer);

// Activation layer.
class ActivationLayerImpl : public torch::nn::Module
{
public:
    explicit ActivationLayerImpl(const LayerSpec& spec);
    torch::Tensor forward(const torch::Tensor& x);

    LayerSpec spec;
    bool activationDeferred = false; // the MaxPooling2D after it applies the activation
};
TORCH_MODULE(ActivationLayer);

// FeatureExtractor: the user's frozen TorchScript module, run without gradients on the images
// prepared by featureExtractorInput(); its output is flattened to [N, features]. Its weights are
// not parameters of this module (the optimizer and checkpoints never see them); they stay in
// the file, and the exported model embeds the module.
class FeatureExtractorLayerImpl : public torch::nn::Module
{
public:
    FeatureExtractorLayerImpl(const LayerSpec& spec, torch::jit::Module extractor);
    torch::Tensor forward(const torch::Tensor& x);

    LayerSpec spec;
    torch::jit::Module extractor;
};
TORCH_MODULE(FeatureExtractorLayer);

// Builds the module on the CPU with Keras's default initialisation (Glorot-uniform kernels,
// zero biases, BatchNormalization gamma 1 and beta 0); the layers with trainable false are frozen
// (freezeParameters()); a FeatureExtractor layer's file is loaded and measured
// (measureFeatureExtractors()). The stack is validated first with
// summarizeModel(model, input, numClasses) (numClasses 0 skips the output-size check); its
// errors make a Failure. Seed torch (torch::manual_seed) before calling for repeatable weights.
Result<torch::nn::Sequential> buildModule(const ModelSpec& model, const InputShape& input,
                                          int numClasses);

// Whether the trainer keeps 4-D tensors channels-last (NHWC): for every network with
// convolutions. On this CPU build oneDNN's convolutions run faster channels-last: the tutorial's
// network at 64 px about 3x; the `small` template at 28 px, grey or RGB, 20-30% per epoch once
// the input is channels-last too (see inMemoryFormat); the tutorial's network at 28 px the same.
bool prefersChannelsLast(const ModelSpec& model);

// A batch of images (N, C, H, W) in `format`. Unlike contiguous(format), a one-channel batch is
// restrided too: its contiguous strides already count as channels-last, so contiguous() would
// leave them, and oneDNN would run the first convolution, and every layer up to the next
// channels-last weight, in the NCHW layout.
torch::Tensor inMemoryFormat(const torch::Tensor& images, torch::MemoryFormat format);

// Puts the module's 4-D parameters in channels-last memory. Values, names and the NCHW meaning
// of every tensor are unchanged (only strides change); call it again after loading weights.
void useChannelsLast(torch::nn::Module& module);

// Moves the ReLU of each Conv2D or Activation layer that a MaxPooling2D follows to after the
// pooling, where it runs on a quarter of the values (or fewer). The two commute exactly, in the
// values and in the gradients, so the network computes the same; only the layer's own output,
// read alone, is then before its activation. For the trainer, which reads the whole network
// only. Returns the number of layers changed.
int activateAfterMaxPooling(torch::nn::Sequential& module);

// Keras's trainable = false: the module's parameters take no gradient (buildModule() calls it for
// the frozen layers).
void freezeParameters(torch::nn::Module& module);

// The parameters that training changes (not frozen): what the optimizer and the distributed
// gradient average are given.
std::vector<torch::Tensor> trainableParameters(torch::nn::Module& module);

// Whether the module has BatchNormalization layers that train (frozen ones keep their
// statistics, and recomputeBatchNormStatistics() leaves them alone).
bool hasBatchNormalization(torch::nn::Sequential& module);

// Measures every BatchNormalization layer's moving mean and variance anew for the weights as they
// are now, as torch.optim.swa_utils.update_bn does: the layers forget their statistics and take
// the average of the batch statistics of the images `nextImages` yields (an undefined tensor
// ends them), each batch weighted by its size, with every other layer (Dropout included) in
// inference mode. Returns the images seen; with none, the statistics are left as they were.
int64_t recomputeBatchNormStatistics(torch::nn::Sequential& module,
                                     const std::function<torch::Tensor()>& nextImages);

// CUDA when LibTorch has it and a GPU is present, else the CPU.
torch::Device preferredDevice();

} // namespace studio
