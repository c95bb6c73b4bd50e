#include "model/featureextractor.h"
#include "model/featureextractor_p.h"

#include <torch/csrc/jit/serialization/import.h>
#include <torch/torch.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>

#include <exception>
#include <limits>

namespace studio {

namespace {

// The first line of an exception's message (LibTorch appends a long backtrace).
QString firstLine(const std::exception& e)
{
    return QString::fromLocal8Bit(e.what()).section(QLatin1Char('\n'), 0, 0).trimmed();
}

QString shown(const QString& path)
{
    return QDir::toNativeSeparators(path);
}

// How to make a file this app reads, for the messages.
QString exportHint()
{
    return QStringLiteral("Export it with torch.jit.save(torch.jit.script(model), path) in "
                          "PyTorch 1.13 (Debian 12's python3-torch); the README shows the few "
                          "lines.");
}

Status checkIsFile(const QString& path)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        return Failure{QStringLiteral("The feature extractor %1 does not exist. Choose its "
                                      "TorchScript file (.pt) again on the Model page, or fix "
                                      "\"path\" in the project file.")
                           .arg(shown(path))};
    }
    if (!info.isFile()) {
        return Failure{QStringLiteral("The feature extractor %1 is not a file. Give the path of "
                                      "its TorchScript file (.pt).")
                           .arg(shown(path))};
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Failure{QStringLiteral("Could not read the feature extractor %1 (%2); check its "
                                      "permissions.")
                           .arg(shown(path), file.errorString())};
    }
    if (file.peek(4) != QByteArrayLiteral("PK\x03\x04")) {
        return Failure{QStringLiteral("%1 is not a TorchScript file (a TorchScript .pt is a zip "
                                      "archive and this file is not one). %2")
                           .arg(shown(path), exportHint())};
    }
    return {};
}

int64_t parameterCount(const torch::jit::Module& module)
{
    int64_t count = 0;
    for (const torch::Tensor& p : module.parameters(true)) {
        count += p.numel();
    }
    return count;
}

// Runs one image of zeros through the extractor; returns its features per image.
Result<int> measureFeatures(torch::jit::Module& module, const FeatureExtractorSpec& spec,
                            const QString& path)
{
    try {
        torch::NoGradGuard noGrad;
        const torch::Tensor zeros =
            torch::zeros({1, spec.channels, spec.inputSize.height, spec.inputSize.width});
        const torch::jit::IValue out = module.forward({featureExtractorInput(zeros, spec)});
        if (!out.isTensor()) {
            return Failure{QStringLiteral("The feature extractor %1 returns %2, not one tensor of "
                                          "features. Export a module whose forward returns a "
                                          "tensor [batch, features] (for a torchvision "
                                          "classifier, set its last layer to "
                                          "torch.nn.Identity()).")
                               .arg(shown(path), QString::fromStdString(out.tagKind()))};
        }
        const torch::Tensor features = out.toTensor();
        if (features.dim() < 2 || features.size(0) != 1 || features.numel() < 1) {
            return Failure{
                QStringLiteral("The feature extractor %1 gives a tensor of shape %2 "
                               "for one image; it must give [1, features] (or "
                               "[1, channels, height, width], which is flattened).")
                    .arg(shown(path), QString::fromStdString(c10::str(features.sizes())))};
        }
        if (features.numel() > std::numeric_limits<int>::max()) {
            return Failure{QStringLiteral("The feature extractor %1 gives %2 values per image, "
                                          "too many for a Dense layer.")
                               .arg(shown(path))
                               .arg(features.numel())};
        }
        return int(features.numel());
    } catch (const std::exception& e) {
        return Failure{QStringLiteral("The feature extractor %1 failed on an image of %2x%3 with "
                                      "%4 channel(s) (%5). Check its input size and channels "
                                      "(extractor.json in the file, or the layer's input_size "
                                      "and channels).")
                           .arg(shown(path))
                           .arg(spec.inputSize.height)
                           .arg(spec.inputSize.width)
                           .arg(spec.channels)
                           .arg(firstLine(e))};
    }
}

} // namespace

Result<torch::jit::Module> loadFeatureExtractor(const QString& path, std::string* metadata)
{
    if (const Status usable = checkIsFile(path); !usable) {
        return Failure{usable.error()};
    }
    torch::jit::ExtraFilesMap extra;
    extra[kExtractorMetadataFile] = std::string();
    try {
        torch::jit::Module module =
            torch::jit::load(QFile::encodeName(path).toStdString(), torch::kCPU, extra);
        module.eval();
        if (metadata != nullptr) {
            *metadata = extra[kExtractorMetadataFile];
        }
        return module;
    } catch (const std::exception& e) {
        return Failure{
            QStringLiteral("LibTorch %1 could not read %2 as TorchScript (%3). A file "
                           "saved by a newer PyTorch may not load in this version, "
                           "and a file saved with torch.save (weights only) is not "
                           "TorchScript. %4")
                .arg(QStringLiteral("%1.%2").arg(TORCH_VERSION_MAJOR).arg(TORCH_VERSION_MINOR),
                     shown(path), firstLine(e), exportHint())};
    }
}

torch::Tensor featureExtractorInput(const torch::Tensor& x, const FeatureExtractorSpec& spec)
{
    torch::Tensor y = x;
    if (y.size(1) != spec.channels) {
        if (y.size(1) != 1) {
            y = y.mean({1}, true); // colour to grey
        }
        if (spec.channels != 1) {
            y = y.expand({-1, spec.channels, -1, -1}); // grey repeated
        }
    }
    if (y.size(2) != spec.inputSize.height || y.size(3) != spec.inputSize.width) {
        y = torch::upsample_bilinear2d(y, {spec.inputSize.height, spec.inputSize.width}, false);
    }
    if (!spec.mean.isEmpty()) {
        const auto column = [&](const QVector<double>& values) {
            return torch::tensor(std::vector<double>(values.begin(), values.end()), y.options())
                .view({1, -1, 1, 1});
        };
        y = (y - column(spec.mean)) / column(spec.std);
    }
    return y;
}

Result<FeatureExtractorSpec> inspectFeatureExtractor(const QString& path,
                                                     const FeatureExtractorSpec& defaults)
{
    std::string metadata;
    Result<torch::jit::Module> module = loadFeatureExtractor(path, &metadata);
    if (!module) {
        return Failure{module.error()};
    }
    FeatureExtractorSpec spec = defaults;
    if (!metadata.empty()) {
        QJsonParseError error;
        const QJsonDocument json =
            QJsonDocument::fromJson(QByteArray::fromStdString(metadata), &error);
        if (error.error != QJsonParseError::NoError) {
            return Failure{
                QStringLiteral("The %1 inside %2 is not valid JSON (%3 at byte %4).")
                    .arg(QLatin1String(kExtractorMetadataFile), shown(path), error.errorString())
                    .arg(error.offset)};
        }
        JsonDiagnostics diagnostics;
        spec = featureExtractorFromJson(
            json.object(),
            QStringLiteral("%1 in %2").arg(QLatin1String(kExtractorMetadataFile), shown(path)),
            &diagnostics, defaults);
        if (!diagnostics.errors.isEmpty()) {
            return Failure{diagnostics.errors.join(QLatin1Char('\n'))};
        }
    }
    spec.path = path;
    Result<int> features = measureFeatures(*module, spec, path);
    if (!features) {
        return Failure{features.error()};
    }
    spec.features = *features;
    spec.parameters = parameterCount(*module);
    return spec;
}

Status measureFeatureExtractors(ModelSpec* model)
{
    for (int i = 0; i < model->layers.size(); ++i) {
        FeatureExtractorSpec& spec = model->layers[i].extractor;
        if (model->layers[i].type != LayerType::FeatureExtractor || spec.path.isEmpty()) {
            continue;
        }
        Result<torch::jit::Module> module = loadFeatureExtractor(spec.path);
        if (!module) {
            return Failure{
                QStringLiteral("Layer %1 (FeatureExtractor): %2").arg(i + 1).arg(module.error())};
        }
        Result<int> features = measureFeatures(*module, spec, spec.path);
        if (!features) {
            return Failure{
                QStringLiteral("Layer %1 (FeatureExtractor): %2").arg(i + 1).arg(features.error())};
        }
        if (spec.features > 0 && spec.features != *features) {
            return Failure{QStringLiteral("Layer %1 (FeatureExtractor): %2 now gives %3 features "
                                          "per image, but the network was made for %4: the file "
                                          "changed. Choose it again on the Model page (the layers "
                                          "after it may need new sizes).")
                               .arg(i + 1)
                               .arg(shown(spec.path))
                               .arg(*features)
                               .arg(spec.features)};
        }
        spec.features = *features;
        spec.parameters = parameterCount(*module);
    }
    return {};
}

} // namespace studio
