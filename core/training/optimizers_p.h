// Private to core: the torch optimizer a project's training settings name.
#pragma once

#include "project/trainingsettings.h"

#include <torch/optim/optimizer.h>

#include <memory>
#include <vector>

namespace studio {

// The optimizer of `settings` (Adam, SGD or RMSprop with their Keras parameters, the learning
// rate and L2 weight decay) over `parameters`. Adam is FusedAdam, torch's Adam in one pass.
std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const TrainingSettings& settings,
                                                       std::vector<torch::Tensor> parameters);

} // namespace studio
