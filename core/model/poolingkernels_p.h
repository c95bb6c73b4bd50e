// Private to core/model: a fused ReLU and 2x2 max pooling for training, where LibTorch's own
// operators pass over the tensors several times (pooling, its int64 indices, the ReLU and its
// gradient). Includes torch: for .cpp files built WITH_TORCH only.
#pragma once

#include <torch/types.h>

namespace studio {

// True when reluMaxPooled() can take `x`: a float32 CPU batch [N, C, H, W] with C > 1, laid
// out channels-last, pooled by 2x2 windows with stride 2 and no padding, on a processor with
// AVX-512 (F, BW, VL). Elsewhere torch's operators do the same work.
bool canReluMaxPool(const torch::Tensor& x, const std::vector<int64_t>& kernel,
                    const std::vector<int64_t>& stride);

// relu(max_pool2d(x, 2, 2)), with its gradient: the values, and the gradients reaching x, of
// torch::relu(torch::max_pool2d(x, {2, 2}, {2, 2})), in one pass each way, channels-last.
// Each window keeps its maximum's place in one byte (torch keeps an int64 index and x itself).
torch::Tensor reluMaxPooled(const torch::Tensor& x);

} // namespace studio
