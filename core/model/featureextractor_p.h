// The LibTorch side of feature extractors, for core's .cpp files only (builder, exporter).
#pragma once

#include "common/result.h"
#include "model/layerspec.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/types.h>

namespace studio {

// Loads a TorchScript feature extractor on the CPU in inference mode; `metadata`, if given,
// receives the text of its extractor.json (empty when it has none).
Result<torch::jit::Module> loadFeatureExtractor(const QString& path,
                                                std::string* metadata = nullptr);

// What the extractor is given for a batch of images x [N, C, H, W] (after rescale): grey
// repeated to its channels (or colour averaged to one), resized bilinearly to its input size,
// then normalised by its mean and std. The exported TorchScript does the same operations.
torch::Tensor featureExtractorInput(const torch::Tensor& x, const FeatureExtractorSpec& spec);

} // namespace studio
