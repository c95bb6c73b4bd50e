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
    const int64_t channels = host->channels;
    const int64_t size = host->size;
    // Sizes N,C,H,W either way; a channels-last batch's strides say its memory is N,H,W,C.
    const std::vector<int64_t> strides =
        host->channelsLast
            ? std::vector<int64_t>{channels * size * size, 1, size * channels, channels}
            : std::vector<int64_t>{channels * size * size, size * size, size, 1};
    batch->images = torch::from_blob(
        host->images.data(), {count, channels, size, size}, strides,
        [host](void*) mutable { host.reset(); }, torch::kFloat32);
    batch->labels = torch::from_blob(
        host->labels.data(), {count}, [host](void*) mutable { host.reset(); }, torch::kInt64);
    return true;
}

} // namespace studio
