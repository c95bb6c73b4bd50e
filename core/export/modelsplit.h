// The images of one split of a dataset folder as a model file sees them: scanned with the
// model's input settings and checked against its classes (what evaluating a model and mapping
// its features both start from). Torch-free.
#pragma once

#include "common/result.h"
#include "dataset/datasetindex.h"
#include "export/modelmetadata.h"

#include <QString>
#include <QStringList>
#include <QVector>

#include <atomic>

namespace studio {

// One split's items, their paths relative to `root`.
struct ModelSplit
{
    QString root;
    QVector<DatasetItem> items;

    // The items' absolute paths, in order.
    QStringList files() const;
};

// Scans `datasetDir` as `metadata` says (without writing a manifest) and lists the `split`'s
// items. Classes other than the model's, or an empty split, are a Failure that names the folder
// and what to do. A scan stopped by `cancel` is a Failure; callers check the flag for their own
// words.
Result<ModelSplit> scanSplitForModel(const ModelMetadata& metadata, const QString& datasetDir,
                                     Split split, int threads = 0,
                                     const std::atomic<bool>* cancel = nullptr);

} // namespace studio
