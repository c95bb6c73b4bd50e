#include "export/exporter.h"

#include "common/atomicfile.h"
#include "export/exporter_p.h"
#include "export/onnxexport_p.h"

#include <QFileInfo>

namespace studio {

std::optional<ExportFormat> exportFormatFromName(const QString& name)
{
    const QString lower = name.toLower();
    if (lower == QLatin1String("torchscript")) {
        return ExportFormat::TorchScript;
    }
    if (lower == QLatin1String("onnx")) {
        return ExportFormat::Onnx;
    }
    return std::nullopt;
}

Status exportModelFile(const QString& modelPath, ExportFormat format, const QString& outPath)
{
    Result<LoadedModel> loaded = loadModelFile(modelPath);
    if (!loaded) {
        return Failure{loaded.error()};
    }
    if (QFileInfo(outPath).isDir()) {
        return Failure{
            QStringLiteral("%1 is a folder; give the path of the file to write.").arg(outPath)};
    }
    if (format == ExportFormat::TorchScript) {
        return saveTorchScript(loaded->module, loaded->metadata, outPath);
    }
    const Result<QByteArray> bytes = onnxBytes(*loaded, outPath);
    if (!bytes) {
        return Failure{bytes.error()};
    }
    return writeFileAtomically(outPath, *bytes);
}

Result<QByteArray> onnxBytes(const LoadedModel& model, const QString& path)
{
    std::map<std::string, WeightArray> weights;
    for (const auto& [name, tensor] : layerTensors(model.module)) {
        const torch::Tensor t = tensor.detach().to(torch::kCPU, torch::kFloat).contiguous();
        WeightArray array;
        array.shape = t.sizes().vec();
        array.values.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
        weights[name] = std::move(array);
    }
    return onnxModelBytes(model.metadata, weights, path);
}

} // namespace studio
