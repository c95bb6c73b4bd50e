// Private to core: a copy of a network's weights to go back to during a run.
#pragma once

#include <torch/nn/module.h>

#include <vector>

namespace studio {

// A copy of a module's parameters and buffers, to go back to (best or last good weights).
class WeightSnapshot
{
public:
    void take(torch::nn::Module& module);
    bool isEmpty() const { return m_tensors.empty(); }
    void restore(torch::nn::Module& module) const;

private:
    std::vector<torch::Tensor> m_tensors;
};

} // namespace studio
