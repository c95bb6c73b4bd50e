// A user's TorchScript feature extractor (a backbone exported from PyTorch), read and measured
// from outside core without torch types. The layer itself is in model/modelbuilder_p.h.
#pragma once

#include "common/result.h"
#include "model/layerspec.h"

#include <QString>

namespace studio {

// The file inside a TorchScript archive (torch.jit.save's _extra_files) that describes what the
// extractor expects: {"input_size": [224, 224], "channels": 3, "mean": [...], "std": [...]}.
inline constexpr char kExtractorMetadataFile[] = "extractor.json";

// Loads the TorchScript file at `path` and describes it: input size, channels and normalisation
// from its extractor.json (else `defaults`'s), then the features it gives and its parameter
// count, measured by running one image of zeros through it. A file that is missing, not
// TorchScript, made by a PyTorch newer than LibTorch can read, or that fails on the image, is a
// Failure that says what to do.
Result<FeatureExtractorSpec> inspectFeatureExtractor(const QString& path,
                                                     const FeatureExtractorSpec& defaults = {});

// Measures the output size and parameter count of every FeatureExtractor layer of `model` with
// its own input description (what a project file written by hand leaves out). A file that now
// gives another size than the one recorded is a Failure naming the layer.
Status measureFeatureExtractors(ModelSpec* model);

} // namespace studio
