#include "dataset/batchproducer.h"
#include "dataset/imagecache.h"
#include "dataset/imagedecoder.h"
#include "dataset/inputspec.h"
#include "dataset/parallel_p.h"
#include "dataset/random_p.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <utility>

namespace studio {

BatchProducer::BatchProducer(const DatasetIndex& index, Split split, const InputSpec& spec,
                             const AugmentationSettings& augmentation, const ImageCache* cache,
                             const BatchOptions& options)
    : m_options(options), m_root(index.root), m_cache(cache), m_spec(spec), m_shape(m_spec.shape()),
      m_augmenter(augmentation, m_spec)
{
    m_options.batchSize = std::max(1, m_options.batchSize);
    m_options.prefetch = std::max(1, m_options.prefetch);
    if (m_options.threads <= 0) {
        m_options.threads = std::max(1, hardwareThreads() - 1);
    }
    m_options.finishThreads = std::max(0, m_options.finishThreads);
    if (m_options.finishThreads > 0) {
        m_openCvGuard = std::make_unique<OpenCvSingleThreaded>();
    }
    m_options.shards = std::max(1, m_options.shards);
    m_options.shard = std::clamp(m_options.shard, 0, m_options.shards - 1);
    if (m_cache != nullptr &&
        (m_cache->shape().size != m_shape.size || m_cache->shape().channels != m_shape.channels ||
         m_cache->shape().sampleBytes != m_shape.sampleBytes)) {
        m_cache = nullptr; // a cache of another shape cannot serve these batches
    }
    for (int i = 0; i < index.items.size(); ++i) {
        const DatasetItem& item = index.items[i];
        if (item.split == split) {
            m_items.push_back(i);
            m_paths.push_back(item.path);
            m_labels.push_back(item.label);
        }
    }
}

BatchProducer::~BatchProducer()
{
    stop();
}

int BatchProducer::imageCount() const
{
    const int all = int(m_items.size());
    const int shards = m_options.shards;
    if (shards == 1 || all == 0) {
        return all;
    }
    if (m_options.evenShards) {
        return (all + shards - 1) / shards;
    }
    return all > m_options.shard ? (all - m_options.shard - 1) / shards + 1 : 0;
}

int BatchProducer::batchesPerEpoch() const
{
    return (imageCount() + m_options.batchSize - 1) / m_options.batchSize;
}

void BatchProducer::stop()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
    }
    m_canBuild.notify_all();
    m_readyChanged.notify_all();
    for (std::thread& worker : m_workers) {
        worker.join();
    }
    m_workers.clear();
}

namespace {

// Fisher-Yates with the seeded generator (the same order on every platform).
void shuffle(std::vector<int>& items, SplitMix& random)
{
    for (size_t i = items.size(); i > 1; --i) {
        std::swap(items[i - 1], items[size_t(random.below(i))]);
    }
}

// An order as long as `shuffled` whose every position draws a class uniformly, then that
// class's next image; each class cycles through its images, reshuffled at every new round.
std::vector<int> balancedOrder(const std::vector<int>& shuffled, const std::vector<int64_t>& labels,
                               SplitMix& random)
{
    std::map<int64_t, std::vector<int>> byClass; // each class's images in shuffled order
    for (const int i : shuffled) {
        byClass[labels[size_t(i)]].push_back(i);
    }
    std::vector<std::vector<int>*> classes;
    for (auto& [label, images] : byClass) {
        classes.push_back(&images);
    }
    std::vector<size_t> next(classes.size(), 0);
    std::vector<int> order;
    order.reserve(shuffled.size());
    while (!classes.empty() && order.size() < shuffled.size()) {
        const size_t c = size_t(random.below(classes.size()));
        std::vector<int>& images = *classes[c];
        if (next[c] == images.size()) {
            shuffle(images, random); // a new round through this class
            next[c] = 0;
        }
        order.push_back(images[next[c]++]);
    }
    return order;
}

// Asks for an image's bytes all at once: a cached image often sits in L3 or memory, and the
// warp reads it all over, one miss after the other (in the one-pass warp, two thirds of its
// time went to waiting for them).
void prefetch(const uint8_t* bytes, size_t count)
{
    for (size_t at = 0; at < count; at += 64) {
        __builtin_prefetch(bytes + at);
    }
    if (count > 0) {
        __builtin_prefetch(bytes + count - 1);
    }
}

} // namespace

void BatchProducer::startEpoch(int epoch)
{
    stop();
    std::vector<int> order(m_items.size());
    for (size_t i = 0; i < order.size(); ++i) {
        order[i] = int(i);
    }
    if (m_options.shuffle) {
        SplitMix random(mix64(m_options.seed ^ mix64(quint64(epoch) + 0x5eedULL)));
        shuffle(order, random);
        if (m_options.balanceClasses) {
            order = balancedOrder(order, m_labels, random);
        }
    }
    if (m_options.shards > 1 && !order.empty()) {
        // The same order on every process, dealt out like cards: the shards of one batch
        // number together are the batch a single process would train on.
        const size_t shards = size_t(m_options.shards);
        std::vector<int> mine;
        mine.reserve(size_t(imageCount()));
        const size_t total = m_options.evenShards ? size_t(imageCount()) * shards : order.size();
        for (size_t i = size_t(m_options.shard); i < total; i += shards) {
            mine.push_back(order[i % order.size()]);
        }
        order = std::move(mine);
    }
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_order = std::move(order);
        m_ready.clear();
        m_epoch = epoch;
        m_nextToBuild = 0;
        m_nextToDeliver = 0;
        m_stopping = false;
        m_waitSeconds = 0;
        m_readsItself = m_options.finishThreads > 0 && cacheHoldsAll();
    }
    if (m_readsItself) {
        return;
    }
    const int threads = std::max(1, std::min(m_options.threads, batchesPerEpoch()));
    for (int t = 0; t < threads; ++t) {
        m_workers.emplace_back(&BatchProducer::work, this, epoch);
    }
}

bool BatchProducer::cacheHoldsAll() const
{
    if (m_cache == nullptr) {
        return false;
    }
    return std::all_of(m_items.begin(), m_items.end(),
                       [&](int item) { return m_cache->find(item).pixels != nullptr; });
}

void BatchProducer::readAndFinish(int number, HostBatch* batch)
{
    const auto start = std::chrono::steady_clock::now();
    ReadBatch read = this->read(m_epoch, number);
    finishCountingTime(&read, start);
    *batch = std::move(read.batch);
}

void BatchProducer::finishCountingTime(ReadBatch* read, std::chrono::steady_clock::time_point since)
{
    finish(read, m_options.finishThreads, nullptr);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
    std::lock_guard<std::mutex> lock(m_mutex);
    m_waitSeconds += seconds;
}

bool BatchProducer::next(HostBatch* batch)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    if (m_stopping || m_epoch < 0 || m_nextToDeliver >= batchesPerEpoch()) {
        return false;
    }
    if (m_readsItself) {
        const int number = m_nextToDeliver++;
        lock.unlock();
        readAndFinish(number, batch);
        return true;
    }
    const auto start = std::chrono::steady_clock::now();
    m_readyChanged.wait(lock, [&] { return m_stopping || m_ready.count(m_nextToDeliver) > 0; });
    m_waitSeconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (m_stopping) {
        return false;
    }
    auto found = m_ready.find(m_nextToDeliver);
    ReadBatch read = std::move(found->second);
    m_ready.erase(found);
    ++m_nextToDeliver;
    lock.unlock();
    m_canBuild.notify_all();
    if (!read.finished) {
        finishCountingTime(&read, std::chrono::steady_clock::now());
    }
    *batch = std::move(read.batch);
    return true;
}

double BatchProducer::waitSeconds() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_waitSeconds;
}

QStringList BatchProducer::problems() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_problems;
}

QStringList BatchProducer::takeProblems()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return std::exchange(m_problems, QStringList());
}

void BatchProducer::work(int epoch)
{
    const OpenCvSingleThreaded guard;
    std::vector<uint8_t> scratch(size_t(m_shape.bytes()));
    const int batches = batchesPerEpoch();
    for (;;) {
        int number = 0;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_canBuild.wait(lock, [&] {
                return m_stopping || m_nextToBuild >= batches ||
                       m_nextToBuild < m_nextToDeliver + m_options.prefetch;
            });
            if (m_stopping || m_nextToBuild >= batches) {
                return;
            }
            number = m_nextToBuild++;
        }
        ReadBatch batch = read(epoch, number);
        if (m_options.finishThreads == 0) {
            finish(&batch, 1, &scratch);
        }
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_ready.emplace(number, std::move(batch));
        }
        m_readyChanged.notify_all();
    }
}

BatchProducer::ReadBatch BatchProducer::read(int epoch, int number)
{
    const int first = number * m_options.batchSize;
    const int count = std::min(m_options.batchSize, imageCount() - first);
    ReadBatch read;
    HostBatch& batch = read.batch;
    batch.epoch = epoch;
    batch.number = number;
    batch.channels = m_shape.channels;
    batch.size = m_shape.size;
    batch.channelsLast = m_options.channelsLast;
    read.decoded.reserve(size_t(count));
    for (int position = 0; position < count; ++position) {
        const int local = m_order[size_t(first + position)];
        const int item = m_items[size_t(local)];
        const CachedImage cached = m_cache != nullptr ? m_cache->find(item) : CachedImage();
        if (cached.pixels != nullptr) {
            read.pixels.push_back(cached.pixels);
            read.widths.push_back(cached.width);
            read.heights.push_back(cached.height);
        } else {
            // Kept smaller like the cache keeps it, so streamed batches equal cached ones.
            DecodeResult result =
                decodeImageFile(m_root + QLatin1Char('/') + m_paths[size_t(local)], m_spec,
                                DecodeSize::KeepSmaller);
            if (!result.ok) {
                std::lock_guard<std::mutex> lock(m_mutex);
                m_problems.append(
                    QStringLiteral("'%1': %2").arg(m_paths[size_t(local)], result.failure.reason));
                continue; // left out of the batch
            }
            read.decoded.push_back(std::move(result.image.pixels));
            read.pixels.push_back(read.decoded.back().data());
            read.widths.push_back(result.image.width);
            read.heights.push_back(result.image.height);
        }
        batch.labels.push_back(m_labels[size_t(local)]);
        batch.items.push_back(item);
    }
    batch.count = int(batch.items.size());
    batch.images.resize(size_t(batch.count) * size_t(m_shape.channels) * m_shape.size *
                        m_shape.size);
    return read;
}

void BatchProducer::finish(ReadBatch* read, int threads, std::vector<uint8_t>* scratch) const
{
    const int count = read->batch.count;
#ifdef _OPENMP
    // Below this many samples to convert, a batch that is not warped takes microseconds on one
    // thread: waking the other threads (each must get a core) would cost more than it saves.
    constexpr size_t kSamplesWorthThreads = size_t(1) << 17;
    const size_t samples =
        size_t(count) * size_t(m_shape.channels) * size_t(m_shape.size) * size_t(m_shape.size);
    if (threads > 1 && count > 1 && (warps(*read) || samples >= kSamplesWorthThreads)) {
        // A plain OpenMP loop: the consumer's LibTorch threads are this thread's OpenMP team,
        // waiting for its next parallel region.
#pragma omp parallel num_threads(threads)
        {
            std::vector<uint8_t> own(size_t(m_shape.bytes()));
#pragma omp for schedule(static)
            for (int k = 0; k < count; ++k) {
                finishImage(read, k, own.data());
            }
        }
        read->finished = true;
        return;
    }
#endif
    (void)threads;
    std::vector<uint8_t> own;
    if (scratch == nullptr) {
        own.resize(size_t(m_shape.bytes()));
        scratch = &own;
    }
    for (int k = 0; k < count; ++k) {
        finishImage(read, k, scratch->data());
    }
    read->finished = true;
}

bool BatchProducer::augments() const
{
    return m_options.augment && !m_augmenter.isIdentity();
}

bool BatchProducer::warps(const ReadBatch& read) const
{
    if (augments()) {
        return true;
    }
    for (size_t k = 0; k < read.widths.size(); ++k) {
        if (read.widths[k] != m_shape.size || read.heights[k] != m_shape.size) {
            return true; // resized
        }
    }
    return false;
}

void BatchProducer::finishImage(ReadBatch* read, int k, uint8_t* scratch) const
{
    HostBatch& batch = read->batch;
    const uint8_t* pixels = read->pixels[size_t(k)];
    const int width = read->widths[size_t(k)];
    const int height = read->heights[size_t(k)];
    const int size = m_shape.size;
    float* image = batch.images.data() + size_t(k) * size_t(batch.channels) * size * size;
    prefetch(pixels,
             size_t(width) * size_t(height) * size_t(m_shape.channels * m_shape.sampleBytes));
    double brightness = 1;
    if (augments()) {
        const AugmentParams params = m_augmenter.draw(
            Augmenter::seedFor(m_options.seed, batch.epoch, batch.items[size_t(k)]));
        brightness = m_augmenter.brightnessOnSamples() ? 1.0 : params.brightness;
        if (m_augmenter.applyToNetworkValues(pixels, width, height, params,
                                             channelAffine(m_spec, brightness), batch.channelsLast,
                                             image)) {
            return; // warped, flipped and converted in one pass
        }
        m_augmenter.apply(pixels, width, height, scratch, params);
        pixels = scratch;
    } else if (width != size || height != size) {
        resizeToShape(pixels, width, height, m_shape, scratch);
        pixels = scratch;
    }
    if (batch.channelsLast) {
        toInterleavedNetworkValues(pixels, m_spec, brightness, image);
    } else {
        toNetworkValues(pixels, m_spec, brightness, image);
    }
}

} // namespace studio
