// Batches of one split as float32 NCHW buffers, built ahead of the trainer by background threads.
#pragma once

#include "dataset/augmenter.h"
#include "dataset/datasetindex.h"
#include "dataset/datasetsettings.h"

#include <QString>
#include <QStringList>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace studio {

class ImageCache;
class OpenCvSingleThreaded;

// One batch: `count` images as float32 network values and their class indices.
struct HostBatch
{
    int epoch = 0;
    int number = 0; // position in the epoch
    int count = 0;
    int channels = 0;
    int size = 0;
    bool channelsLast = false;   // images laid out N,H,W,C; else N,C,H,W
    std::vector<float> images;   // count * channels * size * size
    std::vector<int64_t> labels; // count
    std::vector<int> items;      // positions in DatasetIndex::items
};

// How batches are made. Training: shuffle and augment; validation and test: neither.
struct BatchOptions
{
    int batchSize = 32;
    bool shuffle = false;
    bool augment = false;
    // Images laid out N,H,W,C, for a network that runs channels-last: the consumer then takes
    // them as they are instead of reordering every batch on the training thread.
    bool channelsLast = false;
    quint64 seed = 0; // shuffling and augmentation; the same seed gives the same batches
    // With shuffle: every position of an epoch's order draws a class uniformly, then that
    // class's next image (each class cycles through its own shuffled images), so that batches
    // are balanced however unbalanced the split is. The epoch keeps its length.
    bool balanceClasses = false;
    int threads = 0;  // producer threads; 0: all cores but one (at least one)
    int prefetch = 4; // batches built ahead of the consumer
    // 0: the producer threads augment the images and convert them to network values. N: they
    // only read the images (from the cache, or decoded), and next() augments and converts each
    // batch on the consumer's thread and N-1 more OpenMP threads (LibTorch's intra-op threads
    // when N is their number). For a consumer whose own work keeps every core busy: a producer
    // thread preempts one of its threads mid-step and the others wait for it, so the work costs
    // about twice its time; spread between steps it costs its share of the cores. When the cache
    // holds every image of the split, next() also reads them itself and no producer thread runs.
    int finishThreads = 0;
    // Distributed training: this process takes every `shards`-th image of each epoch's order,
    // starting at `shard` (PyTorch's DistributedSampler). With evenShards the order is first
    // padded by repeating its start, so that every shard has as many images and batches.
    int shard = 0;
    int shards = 1;
    bool evenShards = false;
};

// Produces the batches of one split epoch by epoch. Images come from the cache when it holds
// them, else they are decoded from disk by the producer threads. Only the consumer thread calls
// startEpoch() and next().
class BatchProducer
{
public:
    // `spec` prepares the images (inputSpecOf() the dataset, with any measured statistics).
    BatchProducer(const DatasetIndex& index, Split split, const InputSpec& spec,
                  const AugmentationSettings& augmentation, const ImageCache* cache,
                  const BatchOptions& options);
    ~BatchProducer();
    BatchProducer(const BatchProducer&) = delete;
    BatchProducer& operator=(const BatchProducer&) = delete;

    // Images per epoch for this shard (all of the split when not sharded).
    int imageCount() const;
    int batchesPerEpoch() const;
    const BatchOptions& options() const { return m_options; }

    // Stops the current epoch, if any, and starts building the batches of `epoch`.
    void startEpoch(int epoch);
    // The next batch of the epoch, waiting for it if needed; false when the epoch is over.
    bool next(HostBatch* batch);
    // Stops the producer threads; next() then returns false.
    void stop();

    // True when next() reads this epoch's batches itself, with no producer thread: with
    // finishThreads, when the cache holds every image of the split.
    bool readsItself() const { return m_readsItself; }
    // Seconds next() spent on data since startEpoch(): waiting for the producer threads, and
    // augmenting and converting with finishThreads.
    double waitSeconds() const;
    // Images that could not be read at batch time (deleted or changed since the scan), each
    // "'path': reason". They are left out of their batch, which is smaller (even empty).
    QStringList problems() const;
    // problems(), emptied: what went wrong since the last call.
    QStringList takeProblems();

private:
    // A batch as read: its labels and items, and each image's pixels (in the cache, or decoded
    // into `decoded`), not yet augmented and converted into batch.images.
    struct ReadBatch
    {
        HostBatch batch;
        std::vector<const uint8_t*> pixels; // per image, of widths[k] x heights[k]
        std::vector<int> widths;
        std::vector<int> heights;
        std::vector<std::vector<uint8_t>> decoded; // the pixels of images not in the cache
        bool finished = false;                     // batch.images holds the network values
    };

    // Runs on a producer thread.
    void work(int epoch);
    // The batch's images, read (on a producer thread, or on the consumer's when it reads the
    // cache itself); unreadable ones left out.
    ReadBatch read(int epoch, int number);
    // True when the cache holds every image of the split.
    bool cacheHoldsAll() const;
    // next() when it reads the cache itself: batch `number`, read and finished here.
    void readAndFinish(int number, HostBatch* batch);
    // finish() on the consumer's threads; the seconds since `since` count as time on data.
    void finishCountingTime(ReadBatch* read, std::chrono::steady_clock::time_point since);
    // Augments and converts every image of `read` into its batch.images, on `threads` threads
    // (the calling one included); `scratch`, if given, is the single thread's image buffer.
    void finish(ReadBatch* read, int threads, std::vector<uint8_t>* scratch) const;
    // True when the images get random transforms.
    bool augments() const;
    // True when an image of `read` is warped: augmented, or resized to the shape.
    bool warps(const ReadBatch& read) const;
    // Image k of `read`, augmented and converted; `scratch` holds shape().bytes().
    void finishImage(ReadBatch* read, int k, uint8_t* scratch) const;

    BatchOptions m_options;
    QString m_root;
    std::vector<int> m_items;      // positions in the index, in split order
    std::vector<QString> m_paths;  // relative paths, parallel to m_items
    std::vector<int64_t> m_labels; // parallel to m_items
    const ImageCache* m_cache = nullptr;
    InputSpec m_spec;
    ImageShape m_shape;
    Augmenter m_augmenter;

    mutable std::mutex m_mutex;
    std::condition_variable m_canBuild;
    std::condition_variable m_readyChanged;
    std::vector<int> m_order; // this epoch's order of positions in m_items
    std::map<int, ReadBatch> m_ready;
    int m_epoch = -1;
    int m_nextToBuild = 0;
    int m_nextToDeliver = 0;
    bool m_readsItself = false; // this epoch, next() reads the cache itself (no producer threads)
    bool m_stopping = false;
    double m_waitSeconds = 0;
    QStringList m_problems;
    std::vector<std::thread> m_workers;
    // With finishThreads: OpenCV single-threaded while the consumer warps (its own pool would
    // compete with the OpenMP threads).
    std::unique_ptr<OpenCvSingleThreaded> m_openCvGuard;
};

} // namespace studio
