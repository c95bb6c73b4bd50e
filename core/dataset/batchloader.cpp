#include "dataset/batchloader_p.h"

#include <memory>

namespace studio {

BatchLoader::BatchLoader(const DatasetIndex& index, Split split, const InputSpec& spec,
                         const AugmentationSettings& augmentation, const ImageCache* cache,
                         const BatchOptions& options)
    : m_producer(index, split, spec, augmentation, cache, options)
{
    const QVector<float> weights = index.classWeights();
    m_classWeights =
        torch::tensor(std::vector<float>(weights.begin(), weights.end()), torch::kFloat32);
}

bool BatchLoader::next(TensorBatch* batch)
{
    auto host = std::make_shared<HostBatch>();
    if (!m_producer.next(host.get())) {
        return false;
    }
    const int64_t count = host->count;
    batch->items = host->items;
    batch->images = torch::from_blob(
        host->images.data(), {count, host->channels, host->size, host->size},
        [host](void*) mutable { host.reset(); }, torch::kFloat32);
    batch->labels = torch::from_blob(
        host->labels.data(), {count}, [host](void*) mutable { host.reset(); }, torch::kInt64);
    return true;
}

} // namespace studio
