#include "training/transfer_p.h"

#include "export/exporter_p.h"
#include "model/modelsummary.h"

#include <QDir>

#include <map>
#include <string>
#include <vector>

namespace studio {

namespace {

// The indices of the layers with weights, in order.
QVector<int> weightedLayers(const ModelSpec& model)
{
    QVector<int> layers;
    for (int i = 0; i < model.layers.size(); ++i) {
        if (layerTypeHasWeights(model.layers[i].type)) {
            layers << i;
        }
    }
    return layers;
}

// A layer's own tensors by name ("weight", "bias", "running_mean", "running_var").
std::map<std::string, torch::Tensor> ownTensors(torch::nn::Module& layer)
{
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& p : layer.named_parameters(false)) {
        tensors[p.key()] = p.value();
    }
    for (const auto& b : layer.named_buffers(false)) {
        tensors[b.key()] = b.value();
    }
    return tensors;
}

QString shapeText(const torch::Tensor& t)
{
    QStringList sizes;
    for (const int64_t size : t.sizes()) {
        sizes << QString::number(size);
    }
    return QLatin1Char('[') + sizes.join(QStringLiteral(", ")) + QLatin1Char(']');
}

// Why layer `from` of the source cannot seed `target`, or an empty string when it can.
QString mismatch(const std::map<std::string, torch::Tensor>& target,
                 const std::map<std::string, torch::Tensor>& source, int from)
{
    for (const auto& [name, tensor] : target) {
        const auto found = source.find(layerTensorName(from, name.c_str()));
        if (found == source.end()) {
            return QStringLiteral("the model file's layer %1 has no %2")
                .arg(from)
                .arg(QString::fromStdString(name));
        }
        if (!found->second.sizes().equals(tensor.sizes())) {
            return QStringLiteral("its %1 is %2 here and %3 in the model file")
                .arg(QString::fromStdString(name), shapeText(tensor), shapeText(found->second));
        }
    }
    return {};
}

} // namespace

QStringList TransferReport::text() const
{
    QStringList text;
    text << QStringLiteral("Started from '%1' (trained on %2 classes): %3 layer(s) with weights "
                           "copied, %4 left new.")
                .arg(QDir::toNativeSeparators(source))
                .arg(classes.size())
                .arg(copied)
                .arg(kept);
    for (const QString& line : lines) {
        text << QStringLiteral("  ") + line;
    }
    return text;
}

Result<TransferReport> copyMatchingLayers(torch::nn::Sequential& module, const ModelSpec& model,
                                          const QString& modelPath)
{
    Result<LoadedModel> loaded = loadModelFile(modelPath);
    if (!loaded) {
        return Failure{QStringLiteral("The model to start from (model.init_from) cannot be "
                                      "used: %1")
                           .arg(loaded.error())};
    }
    const ModelSpec& sourceModel = loaded->metadata.model;
    const std::map<std::string, torch::Tensor> source = layerTensors(loaded->module);
    const QVector<int> targets = weightedLayers(model);
    const QVector<int> sources = weightedLayers(sourceModel);
    const int output = outputDenseLayer(model);

    TransferReport report;
    report.source = modelPath;
    report.classes = loaded->metadata.classes;
    torch::NoGradGuard noGrad;
    for (int k = 0; k < targets.size(); ++k) {
        const int to = targets[k];
        const LayerSpec& layer = model.layers[to];
        const QString who = QStringLiteral("Layer %1 (%2)").arg(to).arg(layerTypeName(layer.type));
        QString why;
        int from = -1;
        if (to == output) {
            why = QStringLiteral("the output layer, new for these classes");
        } else if (k >= sources.size()) {
            why = QStringLiteral("the model file has no layer with weights left to pair it with");
        } else {
            from = sources[k];
            if (sourceModel.layers[from].type != layer.type) {
                why = QStringLiteral("the model file's layer %1 is a %2")
                          .arg(from)
                          .arg(layerTypeName(sourceModel.layers[from].type));
            }
        }
        std::map<std::string, torch::Tensor> tensors = ownTensors(*module->ptr(to));
        if (why.isEmpty()) {
            why = mismatch(tensors, source, from);
        }
        if (!why.isEmpty()) {
            report.lines << QStringLiteral("%1: new weights (%2).").arg(who, why);
            ++report.kept;
            continue;
        }
        for (auto& [name, tensor] : tensors) {
            tensor.copy_(source.at(layerTensorName(from, name.c_str())));
        }
        report.lines << QStringLiteral("%1: copied from layer %2%3.")
                            .arg(who)
                            .arg(from)
                            .arg(layer.trainable ? QString() : QStringLiteral(", frozen"));
        ++report.copied;
    }
    if (report.copied == 0) {
        return Failure{
            QStringLiteral("No layer of '%1' fits this network, so nothing would be "
                           "transferred: %2 Use the same template and image size as "
                           "the model was trained with, or clear model.init_from.")
                .arg(QDir::toNativeSeparators(modelPath), report.lines.join(QLatin1Char(' ')))};
    }
    return report;
}

} // namespace studio
