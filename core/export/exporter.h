// Exporting a model file to another format, seen from outside core without torch types.
#pragma once

#include "common/result.h"

#include <QString>

#include <optional>

namespace studio {

enum class ExportFormat
{
    TorchScript, // "torchscript": a .pt for torch.jit.load / torch::jit::load
    Onnx         // "onnx": opset 13, checked with the ONNX checker
};

// "torchscript" / "onnx" (case-insensitive); nullopt for anything else.
std::optional<ExportFormat> exportFormatFromName(const QString& name);

// Reads a .pt made by this app and writes it as `format` to outPath (through a temporary file
// and a rename, so an interrupted export leaves the previous file intact). A bad model file or
// an unwritable destination is a Failure that says so.
Status exportModelFile(const QString& modelPath, ExportFormat format, const QString& outPath);

} // namespace studio
