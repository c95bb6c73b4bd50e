// Private to core: making, saving and loading the TorchScript model file (.pt) with LibTorch.
//
// The scripted module holds the trained tensors as parameters and buffers named
// "layer<i>_weight", "layer<i>_bias", "layer<i>_running_mean", "layer<i>_running_var" (i = spec
// layer index) and an optional "layer<i>_counts" buffer (the in-image cell counts of an
// AveragePooling2D with uneven "same" padding). Its forward takes float32 NCHW images already
// resized and rescaled and returns class probabilities (softmax of the logits).
#pragma once

#include "common/result.h"
#include "export/modelmetadata.h"

#include <torch/nn.h>
#include <torch/script.h>

#include <map>
#include <string>

namespace studio {

// A model file read back: the scripted module (eval mode) and its metadata.
struct LoadedModel
{
    torch::jit::Module module;
    ModelMetadata metadata;
};

// The name of spec layer i's tensor `what` ("weight", "bias", "running_mean", ...).
std::string layerTensorName(int layer, const char* what);

// The TorchScript source of forward() for metadata.model (softmax at the end).
std::string torchScriptSource(const ModelMetadata& metadata);

// Builds the scripted module from a trained module (as buildModule() makes it: child i is
// spec layer i). The tensors are copied to the CPU.
Result<torch::jit::Module> scriptModule(torch::nn::Sequential& module,
                                        const ModelMetadata& metadata);

// Writes a scripted module with metadata.json beside it in the archive, through a temporary
// file and a rename.
Status saveTorchScript(const torch::jit::Module& module, const ModelMetadata& metadata,
                       const QString& path);

// scriptModule() then saveTorchScript(): what the end of training calls to write model.pt.
Status exportTorchScript(torch::nn::Sequential& module, const ModelMetadata& metadata,
                         const QString& path);

// Reads a .pt made by this app. A file that is missing, not a model, truncated, a TorchScript
// file without our metadata.json, or with metadata that does not match its tensors is a
// Failure that says which and what to do; never throws.
Result<LoadedModel> loadModelFile(const QString& path);

// A copy of the module prepared for fast inference: frozen (weights folded in as constants)
// and optimised (oneDNN where it helps). Falls back to the plain module when a pass fails.
// Fastest for one image at a time.
torch::jit::Module optimizedForInference(const torch::jit::Module& module);

// A frozen copy of the module (weights folded in as constants, no oneDNN conversion): fed
// channels-last batches it is faster than optimizedForInference() from a few images on
// (bench_inference). Its graph then passes over the activations fewer times with the same
// results: a ReLU after a convolution runs in place, and max pooling moves before the ReLU
// ahead of it. Falls back to the plain module when freezing fails.
torch::jit::Module frozenForInference(const torch::jit::Module& module);

// The layer tensors of a loaded module by name (see layerTensorName()).
std::map<std::string, torch::Tensor> layerTensors(const torch::jit::Module& module);

// The ONNX model of a loaded model file, checked, in memory: the bytes exportModelFile writes.
// `path` only names the model in messages; a model ONNX cannot hold is a Failure that says why.
Result<QByteArray> onnxBytes(const LoadedModel& model, const QString& path);

} // namespace studio
