// Private to core/export: the int8 engine's byte-level kernels, where LibTorch's own operators
// cost more than the work (quantizing the input, max pooling). Includes torch: for .cpp files
// built WITH_TORCH only.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace studio {

// `count` images (float32 NCHW, `channels` x `size` x `size`) as quint8 with `scale` and
// `zeroPoint`, channels-last: the values of torch::quantize_per_tensor.
torch::Tensor quantizedInput(const float* images, int64_t count, int64_t channels, int64_t size,
                             double scale, int64_t zeroPoint);

// Max pooling without padding of a quint8 batch: the values of torch::max_pool2d on it, laid
// out channels-last, with the input's scale and zero point.
torch::Tensor maxPooled(const torch::Tensor& x, const std::vector<int64_t>& kernel,
                        const std::vector<int64_t>& stride);

} // namespace studio
