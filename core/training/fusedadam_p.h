// Private to core: Adam that updates each parameter in one pass over its elements.
#pragma once

#include <torch/optim/adam.h>

namespace studio {

// torch::optim::Adam with the same options, state and saved form (checkpoints are unchanged),
// whose step reads and writes each parameter's values, gradient and moments once instead of in
// a dozen tensor operations. For small batches the optimizer's share of a step is large: the
// tutorial network's 22 tensors cost about 260 operator calls per step in torch's version.
class FusedAdam : public torch::optim::Adam
{
public:
    using torch::optim::Adam::Adam;
    torch::Tensor step(LossClosure closure = nullptr) override;

private:
    // The state of `parameter`, made as torch::optim::Adam makes it on its first step.
    torch::optim::AdamParamState& stateOf(const torch::Tensor& parameter,
                                          const torch::optim::AdamOptions& options);
};

} // namespace studio
