// Private to core/export: a classifier network run in int8 on LibTorch's oneDNN quantized engine
// (the Predictor's int8 engine), and the calibration that engine needs. Torch-free interface.
#pragma once

#include "common/result.h"
#include "export/modelmetadata.h"

#include <memory>
#include <vector>

namespace studio {

struct LoadedModel;

// The network of a model file in int8: each BatchNormalization folded into the Conv2D or Dense
// before it, each ReLU fused into that layer, weights quantized per output channel (symmetric
// int8), activations per tensor (uint8) with the scales of a calibration. Not thread-safe: one
// per Predictor.
class Int8Net
{
public:
    // The network of `model`, not yet quantized. A layer int8 cannot run (another activation
    // than ReLU, uneven "same" padding, a feature extractor, ...) is a Failure that names it.
    static Result<Int8Net> plan(const LoadedModel& model);

    Int8Net(Int8Net&& other) noexcept;
    Int8Net& operator=(Int8Net&& other) noexcept;
    ~Int8Net();

    // Calibration: runs `count` preprocessed images (float32 NCHW, as Predictor::probabilities
    // takes them) through the float32 network and widens each quantization point's range.
    Status observe(const float* images, int count);
    // The ranges observed so far and the number of images they come from.
    Int8Calibration calibration() const;

    // Quantizes the weights and fixes each point's scale from `calibration` (selects LibTorch's
    // oneDNN quantized engine, process-wide). A calibration with another number of points, or a
    // LibTorch without oneDNN's quantized engine, is a Failure that says so.
    Status quantize(const Int8Calibration& calibration);

    // Probabilities (count x classes, row-major) computed in int8; quantize() first. An error of
    // LibTorch is a Failure.
    Result<std::vector<float>> probabilities(const float* images, int count) const;

private:
    struct Impl;
    explicit Int8Net(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace studio
