#include "training/weightsnapshot_p.h"

#include <torch/nn.h>

namespace studio {

void WeightSnapshot::take(torch::nn::Module& module)
{
    torch::NoGradGuard noGrad;
    m_tensors.clear();
    for (const auto& item : module.named_parameters()) {
        m_tensors.emplace_back(item.value().detach().clone());
    }
    for (const auto& item : module.named_buffers()) {
        m_tensors.emplace_back(item.value().detach().clone());
    }
}

void WeightSnapshot::restore(torch::nn::Module& module) const
{
    torch::NoGradGuard noGrad;
    size_t i = 0;
    for (auto& item : module.named_parameters()) {
        item.value().copy_(m_tensors[i++]);
    }
    for (auto& item : module.named_buffers()) {
        item.value().copy_(m_tensors[i++]);
    }
}

} // namespace studio
