#include "export/modelsplit.h"

#include "dataset/datasetscanner.h"

#include <QDir>

namespace studio {

QStringList ModelSplit::files() const
{
    const QDir dir(root);
    QStringList paths;
    paths.reserve(items.size());
    for (const DatasetItem& item : items) {
        paths << dir.filePath(item.path);
    }
    return paths;
}

Result<ModelSplit> scanSplitForModel(const ModelMetadata& metadata, const QString& datasetDir,
                                     Split split, int threads, const std::atomic<bool>* cancel)
{
    DatasetSettings settings = metadata.inputSettings();
    settings.root = datasetDir;
    ScanOptions scanOptions;
    scanOptions.threads = threads;
    scanOptions.writeManifest = false;
    scanOptions.cancel = cancel;
    Result<DatasetIndex> index = scanDataset(settings, scanOptions);
    if (cancel != nullptr && cancel->load()) {
        return Failure{QStringLiteral("Reading %1 was cancelled.").arg(datasetDir)};
    }
    if (!index) {
        return Failure{index.error()};
    }
    if (index->classes != metadata.classes) {
        return Failure{QStringLiteral("The classes of %1 (%2) are not the model's (%3): use a "
                                      "dataset with the same class folders.")
                           .arg(datasetDir, index->classes.join(QStringLiteral(", ")),
                                metadata.classes.join(QStringLiteral(", ")))};
    }
    ModelSplit chosen;
    chosen.root = index->root;
    for (int i : index->indicesOf(split)) {
        chosen.items << index->items[i];
    }
    if (chosen.items.isEmpty()) {
        return Failure{QStringLiteral("%1 has no %2 images. Choose another split, or add a %2 "
                                      "folder.")
                           .arg(datasetDir, splitName(split))};
    }
    return chosen;
}

} // namespace studio
