#include "training/optimizers_p.h"

#include "training/fusedadam_p.h"

#include <torch/optim/rmsprop.h>
#include <torch/optim/sgd.h>

namespace studio {

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const TrainingSettings& settings,
                                                       std::vector<torch::Tensor> parameters)
{
    const OptimizerSettings& o = settings.optimizer;
    switch (o.kind) {
    case OptimizerKind::Sgd:
        return std::make_unique<torch::optim::SGD>(parameters,
                                                   torch::optim::SGDOptions(settings.learningRate)
                                                       .momentum(o.sgd.momentum)
                                                       .nesterov(o.sgd.nesterov)
                                                       .weight_decay(settings.weightDecay));
    case OptimizerKind::RmsProp:
        return std::make_unique<torch::optim::RMSprop>(
            parameters, torch::optim::RMSpropOptions(settings.learningRate)
                            .alpha(o.rmsprop.rho)
                            .eps(o.rmsprop.epsilon)
                            .momentum(o.rmsprop.momentum)
                            .centered(o.rmsprop.centered)
                            .weight_decay(settings.weightDecay));
    case OptimizerKind::Adam:
        break;
    }
    return std::make_unique<FusedAdam>(parameters, torch::optim::AdamOptions(settings.learningRate)
                                                       .betas({o.adam.beta1, o.adam.beta2})
                                                       .eps(o.adam.epsilon)
                                                       .amsgrad(o.adam.amsgrad)
                                                       .weight_decay(settings.weightDecay));
}

} // namespace studio
