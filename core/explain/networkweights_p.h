// Private to core/explain: a model file's weights copied into the network rebuilt from its layer
// stack, so that it can be run layer by layer (Grad-CAM, penultimate-layer features).
#pragma once

#include <QString>

#include <torch/nn.h>
#include <torch/script.h>

namespace studio {

// Copies the file's tensors into the rebuilt network (child i is spec layer i); an error names
// the tensor the file lacks or whose shape differs, empty on success.
QString copyFileTensors(torch::nn::Sequential& network, const torch::jit::Module& file);

} // namespace studio
