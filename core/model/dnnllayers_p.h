// Private to core/model: the Conv2D and Dense layers run on oneDNN primitives made once for
// each input shape. LibTorch calls the same oneDNN convolutions but describes and looks them up
// again on every call, and runs Dense layers on the system BLAS, whose small matrix products
// cost about twice oneDNN's. Includes torch: for .cpp files built WITH_TORCH only.
#pragma once

#include <torch/types.h>

#include <array>
#include <memory>

namespace studio {

// How a convolution's window moves: strides {rows, columns} and zero padding {top, bottom,
// left, right}.
struct ConvolutionSteps
{
    std::array<int64_t, 2> strides = {1, 1};
    std::array<int64_t, 4> pads = {0, 0, 0, 0};
};

// One layer's oneDNN primitives, by input shape; shared by the layer and the gradient nodes of
// its calls, safe to use from several threads.
class DnnlPlans;

std::shared_ptr<DnnlPlans> makeDnnlPlans();

// True when dnnlConvolution() takes this call: a float32 CPU batch [N, C, H, W] laid out
// channels-last (LibTorch runs such a batch through oneDNN too), float32 weights, and no
// bfloat16 autocast (mixed precision runs LibTorch's own operators).
bool canConvolveWithDnnl(const torch::Tensor& x, const torch::Tensor& weight);

// torch::conv2d(x, weight, bias, strides, pads), then a ReLU when `relu` is set (fused into
// the convolution), with its gradient for x, weight and bias; channels-last output. Equal to
// LibTorch's result to the bit wherever LibTorch runs oneDNN too (the same primitives on the
// same layouts); it does not for a batch of one image.
torch::Tensor dnnlConvolution(const std::shared_ptr<DnnlPlans>& plans, const torch::Tensor& x,
                              const torch::Tensor& weight, const torch::Tensor& bias,
                              const ConvolutionSteps& steps, bool relu);

// True when dnnlDense() takes this call: a float32 CPU batch [N, features], float32 weights
// [units, features], and no bfloat16 autocast.
bool canDenseWithDnnl(const torch::Tensor& x, const torch::Tensor& weight);

// torch::linear(x, weight, bias), then a ReLU when `relu` is set (fused), with its gradient,
// on oneDNN's inner product. Not bitwise equal to the BLAS's products: another summation order.
torch::Tensor dnnlDense(const std::shared_ptr<DnnlPlans>& plans, const torch::Tensor& x,
                        const torch::Tensor& weight, const torch::Tensor& bias, bool relu);

} // namespace studio
