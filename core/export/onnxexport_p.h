// Private to core/export: writing an ONNX model with Debian's libonnx. Torch-free on purpose:
// the ONNX/protobuf headers stay in onnxexport.cpp, away from LibTorch's.
#pragma once

#include "common/result.h"
#include "export/modelmetadata.h"

#include <QByteArray>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace studio {

// One trained tensor: its shape and float32 values (row-major).
struct WeightArray
{
    std::vector<int64_t> shape;
    std::vector<float> values;
};

// The ONNX opset the export targets.
constexpr int kOnnxOpset = 13;

// Builds the ONNX graph of metadata.model with the tensors named as layerTensorName() names them
// ("layer0_weight", ...): input "input" float32 [batch, C, H, W], output "probabilities"
// [batch, classes]. The metadata goes into metadata_props ("metadata.json" and "classes"). The
// model passes onnx::checker::check_model before it is written atomically to `path`.
Status writeOnnxModel(const ModelMetadata& metadata,
                      const std::map<std::string, WeightArray>& weights, const QString& path);

// The same model, checked, as serialised bytes in memory (what writeOnnxModel writes); `path`
// only names the model in messages.
Result<QByteArray> onnxModelBytes(const ModelMetadata& metadata,
                                  const std::map<std::string, WeightArray>& weights,
                                  const QString& path);

} // namespace studio
