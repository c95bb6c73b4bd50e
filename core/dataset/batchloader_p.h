// Private to core: the batches of one split as torch tensors, for the trainer and the evaluator.
#pragma once

#include "dataset/batchproducer.h"

#include <torch/types.h>

namespace studio {

// A batch as the model takes it: images float32 [N, C, H, W] (in memory N,H,W,C when the
// options asked for channels-last), labels int64 class indices.
struct TensorBatch
{
    torch::Tensor images;
    torch::Tensor labels;
    std::vector<int> items; // positions in DatasetIndex::items
};

// BatchProducer with tensors: the tensors own the producer's buffers (no copy).
class BatchLoader
{
public:
    BatchLoader(const DatasetIndex& index, Split split, const InputSpec& spec,
                const AugmentationSettings& augmentation, const ImageCache* cache,
                const BatchOptions& options);

    int imageCount() const { return m_producer.imageCount(); }
    int batchesPerEpoch() const { return m_producer.batchesPerEpoch(); }
    void startEpoch(int epoch) { m_producer.startEpoch(epoch); }
    // The next batch, waiting for it if needed; false when the epoch is over.
    bool next(TensorBatch* batch);
    double waitSeconds() const { return m_producer.waitSeconds(); }
    QStringList problems() const { return m_producer.problems(); }
    QStringList takeProblems() { return m_producer.takeProblems(); }
    // Inverse class frequency of the training split (float32, one per class).
    torch::Tensor classWeights() const { return m_classWeights.clone(); }

private:
    BatchProducer m_producer;
    torch::Tensor m_classWeights;
};

} // namespace studio
