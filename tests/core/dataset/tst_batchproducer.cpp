// Tests of batches: shapes, rescaling, order, reproducibility from a seed, streaming from disk,
// class weights, and the torch tensors of the private BatchLoader.
#include "dataset/batchloader_p.h"
#include "dataset/batchproducer.h"
#include "dataset/datasetscanner.h"
#include "dataset/imagecache.h"

#include "datasetfixtures.h"

#include <QTemporaryDir>
#include <QtTest>

#include <map>

#include <algorithm>
#include <memory>

using namespace studio;

namespace {

std::vector<HostBatch> epoch(BatchProducer& producer, int number)
{
    producer.startEpoch(number);
    std::vector<HostBatch> batches;
    HostBatch batch;
    while (producer.next(&batch)) {
        batches.push_back(std::move(batch));
    }
    return batches;
}

bool same(const std::vector<HostBatch>& a, const std::vector<HostBatch>& b)
{
    if (a.size() != b.size()) {
        return false;
    }
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].images != b[i].images || a[i].labels != b[i].labels || a[i].items != b[i].items) {
            return false;
        }
    }
    return true;
}

// The training split's options: shuffled and augmented from `seed`.
BatchOptions trainingOptions(int batchSize, quint64 seed)
{
    BatchOptions options;
    options.batchSize = batchSize;
    options.shuffle = true;
    options.augment = true;
    options.seed = seed;
    return options;
}

std::vector<int> itemsOf(const std::vector<HostBatch>& batches)
{
    std::vector<int> items;
    for (const HostBatch& batch : batches) {
        items.insert(items.end(), batch.items.begin(), batch.items.end());
    }
    return items;
}

} // namespace

class TestBatchProducer : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    DatasetSettings m_settings;
    AugmentationSettings m_augmentation;
    DatasetIndex m_index;
    std::unique_ptr<ImageCache> m_cache;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        int n = 0;
        const int perClass[] = {9, 7, 5};
        for (int c = 0; c < 3; ++c) {
            for (int i = 0; i < perClass[c]; ++i) {
                QVERIFY(fixtures::writePattern(
                    m_dir.path() + QStringLiteral("/train/c%1/%2.png").arg(c).arg(i), n++));
            }
            for (int i = 0; i < 2; ++i) {
                QVERIFY(fixtures::writePattern(
                    m_dir.path() + QStringLiteral("/validation/c%1/%2.png").arg(c).arg(i), n++));
            }
        }
        m_settings.root = m_dir.path();
        m_settings.imageSize = 12;
        m_settings.colorMode = ColorMode::Rgb;
        m_augmentation.rotationRange = 25;
        m_augmentation.widthShiftRange = 0.1;
        m_augmentation.heightShiftRange = 0.1;
        m_augmentation.shearRange = 5;
        m_augmentation.zoomLow = 0.9;
        m_augmentation.zoomHigh = 1.1;
        m_augmentation.horizontalFlip = true;
        m_augmentation.brightnessLow = 0.8;
        m_augmentation.brightnessHigh = 1.2;
        m_cache = std::make_unique<ImageCache>(ImageShape{12, 3}, 0);
        ScanOptions options;
        options.cache = m_cache.get();
        Result<DatasetIndex> index = scanDataset(m_settings, options);
        QVERIFY2(index.ok(), qPrintable(index.error()));
        m_index = std::move(*index);
        QCOMPARE(m_index.cachedImages, qint64(27));
    }

    void shapesLabelsAndRescale()
    {
        BatchOptions options;
        options.batchSize = 4;
        BatchProducer producer(m_index, Split::Validation, inputSpecOf(m_settings), m_augmentation,
                               m_cache.get(), options);
        QCOMPARE(producer.imageCount(), 6);
        QCOMPARE(producer.batchesPerEpoch(), 2);
        const std::vector<HostBatch> batches = epoch(producer, 0);
        QCOMPARE(int(batches.size()), 2);
        QCOMPARE(batches[0].count, 4);
        QCOMPARE(batches[1].count, 2);
        // Unshuffled, unaugmented: index order, pixels / 255 in NCHW.
        const QVector<int> expected = m_index.indicesOf(Split::Validation);
        const std::vector<int> items = itemsOf(batches);
        QCOMPARE(QVector<int>(items.begin(), items.end()), expected);
        for (const HostBatch& batch : batches) {
            QCOMPARE(batch.channels, 3);
            QCOMPARE(batch.size, 12);
            QCOMPARE(batch.images.size(), size_t(batch.count * 3 * 12 * 12));
            for (int k = 0; k < batch.count; ++k) {
                const int item = batch.items[size_t(k)];
                QCOMPARE(batch.labels[size_t(k)], int64_t(m_index.items[item].label));
                const CachedImage cached = m_cache->find(item);
                const uint8_t* pixels = cached.pixels;
                QVERIFY(pixels != nullptr);
                QCOMPARE(cached.width, 12); // 16 px images are cached resized
                for (int c = 0; c < 3; ++c) {
                    for (int p = 0; p < 144; ++p) {
                        const float value = batch.images[size_t((k * 3 + c) * 144 + p)];
                        QCOMPARE(value, float(pixels[p * 3 + c]) * float(1.0 / 255.0));
                    }
                }
            }
        }
        QVERIFY(epoch(producer, 0).size() == 2);
    }

    void sameSeedSameBatches()
    {
        BatchOptions options = trainingOptions(5, 1234);
        options.threads = 1;
        BatchProducer one(m_index, Split::Train, inputSpecOf(m_settings), m_augmentation,
                          m_cache.get(), options);
        options.threads = 3;
        options.prefetch = 2;
        BatchProducer three(m_index, Split::Train, inputSpecOf(m_settings), m_augmentation,
                            m_cache.get(), options);
        const std::vector<HostBatch> a0 = epoch(one, 0);
        const std::vector<HostBatch> a1 = epoch(one, 1);
        QCOMPARE(int(a0.size()), 5);
        QVERIFY(same(a0, epoch(three, 0)));
        QVERIFY(same(a1, epoch(three, 1)));
        QVERIFY(same(a0, epoch(one, 0)));
        // Each epoch holds every training image once, in a new order.
        std::vector<int> items0 = itemsOf(a0);
        const std::vector<int> items1 = itemsOf(a1);
        QVERIFY(items0 != items1);
        std::sort(items0.begin(), items0.end());
        const QVector<int> train = m_index.indicesOf(Split::Train);
        QCOMPARE(QVector<int>(items0.begin(), items0.end()), train);
        // Another seed, other batches.
        options.seed = 99;
        BatchProducer other(m_index, Split::Train, inputSpecOf(m_settings), m_augmentation,
                            m_cache.get(), options);
        QVERIFY(!same(a0, epoch(other, 0)));
        // Augmentation changes the pixels; without it the cached pixels come through.
        options.seed = 1234;
        options.augment = false;
        BatchProducer plain(m_index, Split::Train, inputSpecOf(m_settings), m_augmentation,
                            m_cache.get(), options);
        const std::vector<HostBatch> p0 = epoch(plain, 0);
        QCOMPARE(itemsOf(p0), itemsOf(a0));
        QVERIFY(p0[0].images != a0[0].images);
    }

    // Balanced sampling: classes of 9, 7 and 5 images are drawn equally often; within a class
    // every image comes once before any comes again; the same seed, the same order.
    void balancedSamplingDrawsClassesEqually()
    {
        BatchOptions options;
        options.batchSize = 7;
        options.shuffle = true;
        options.balanceClasses = true;
        options.seed = 5;
        BatchProducer producer(m_index, Split::Train, inputSpecOf(m_settings), m_augmentation,
                               m_cache.get(), options);
        QCOMPARE(producer.imageCount(), 21); // the epoch keeps its length
        std::map<int64_t, int> perClass;
        for (int e = 0; e < 30; ++e) {
            std::map<int, int> perImage;
            for (const HostBatch& batch : epoch(producer, e)) {
                for (int k = 0; k < batch.count; ++k) {
                    ++perClass[batch.labels[size_t(k)]];
                    ++perImage[batch.items[size_t(k)]];
                }
            }
            for (int64_t c = 0; c < 3; ++c) {
                int low = 1 << 30;
                int high = 0;
                for (const auto& [item, count] : perImage) {
                    if (m_index.items[item].label == c) {
                        low = std::min(low, count);
                        high = std::max(high, count);
                    }
                }
                QVERIFY2(high - low <= 1 || low == 1 << 30,
                         qPrintable(QStringLiteral("class %1: %2..%3").arg(c).arg(low).arg(high)));
            }
        }
        // 630 draws: 210 per class expected, binomial standard deviation 11.8.
        for (int64_t c = 0; c < 3; ++c) {
            QVERIFY2(perClass[c] > 165 && perClass[c] < 255,
                     qPrintable(QString::number(perClass[c])));
        }
        BatchProducer again(m_index, Split::Train, inputSpecOf(m_settings), m_augmentation,
                            m_cache.get(), options);
        QVERIFY(same(epoch(again, 3), epoch(producer, 3)));
        options.balanceClasses = false;
        BatchProducer plain(m_index, Split::Train, inputSpecOf(m_settings), m_augmentation,
                            m_cache.get(), options);
        QVERIFY(!same(epoch(plain, 3), epoch(producer, 3)));
    }

    // Distributed training: the shards of batch k, together, are the images of batch k of one
    // process with the whole batch (so averaged gradients equal its gradient), with the same
    // augmented pixels; even shards pad by repeating the epoch's start.
    void shardsDealTheBatchesOut()
    {
        BatchOptions whole;
        whole.batchSize = 6;
        whole.shuffle = true;
        whole.augment = true;
        whole.seed = 5;
        BatchProducer one(m_index, Split::Train, inputSpecOf(m_settings), m_augmentation,
                          m_cache.get(), whole);
        QCOMPARE(one.imageCount(), 21);
        const std::vector<HostBatch> reference = epoch(one, 2);
        std::vector<std::vector<HostBatch>> shards;
        for (int shard = 0; shard < 3; ++shard) {
            BatchOptions part = whole;
            part.batchSize = 2;
            part.shard = shard;
            part.shards = 3;
            part.evenShards = true;
            BatchProducer producer(m_index, Split::Train, inputSpecOf(m_settings), m_augmentation,
                                   m_cache.get(), part);
            QCOMPARE(producer.imageCount(), 7);
            QCOMPARE(producer.batchesPerEpoch(), 4);
            shards.push_back(epoch(producer, 2));
            QCOMPARE(int(shards.back().size()), 4);
        }
        const size_t plane = 3 * 12 * 12;
        for (size_t k = 0; k < reference.size(); ++k) {
            std::vector<int> together;
            for (const auto& shard : shards) {
                together.insert(together.end(), shard[k].items.begin(), shard[k].items.end());
            }
            std::vector<int> expected = reference[k].items;
            if (k + 1 < reference.size()) {
                std::vector<int> sortedTogether = together;
                std::sort(sortedTogether.begin(), sortedTogether.end());
                std::sort(expected.begin(), expected.end());
                QCOMPARE(sortedTogether, expected);
            } else {
                // 21 images over 3 shards of 7: the last batch holds images 18-20 once each.
                QCOMPARE(int(together.size()), 3);
                std::sort(together.begin(), together.end());
                std::sort(expected.begin(), expected.end());
                QCOMPARE(together, expected);
            }
            // The same augmented pixels as the whole batch's.
            const HostBatch& first = shards[1][k];
            const auto at =
                std::find(reference[k].items.begin(), reference[k].items.end(), first.items[0]) -
                reference[k].items.begin();
            QVERIFY(std::equal(first.images.begin(), first.images.begin() + long(plane),
                               reference[k].images.begin() + long(size_t(at) * plane)));
        }
        // Validation-style shards: no padding, every image exactly once over the shards.
        std::vector<int> all;
        for (int shard = 0; shard < 4; ++shard) {
            BatchOptions part;
            part.batchSize = 4;
            part.shard = shard;
            part.shards = 4;
            BatchProducer producer(m_index, Split::Validation, inputSpecOf(m_settings),
                                   m_augmentation, m_cache.get(), part);
            QCOMPARE(producer.imageCount(), shard < 2 ? 2 : 1);
            const std::vector<int> items = itemsOf(epoch(producer, 0));
            all.insert(all.end(), items.begin(), items.end());
        }
        std::sort(all.begin(), all.end());
        const QVector<int> validation = m_index.indicesOf(Split::Validation);
        QCOMPARE(QVector<int>(all.begin(), all.end()), validation);
    }

    void streamingFromDiskGivesTheSameBatches()
    {
        BatchOptions options;
        options.batchSize = 8;
        options.shuffle = true;
        options.augment = true;
        options.seed = 7;
        options.threads = 2;
        BatchProducer cached(m_index, Split::Train, inputSpecOf(m_settings), m_augmentation,
                             m_cache.get(), options);
        BatchProducer streamed(m_index, Split::Train, inputSpecOf(m_settings), m_augmentation,
                               nullptr, options);
        QVERIFY(same(epoch(cached, 3), epoch(streamed, 3)));
        QVERIFY(streamed.problems().isEmpty());
    }

    void unreadableImagesAreLeftOut_data()
    {
        QTest::addColumn<int>("finishThreads");
        QTest::newRow("producer finishes") << 0;
        QTest::newRow("consumer finishes") << 2;
    }

    void unreadableImagesAreLeftOut()
    {
        QFETCH(int, finishThreads);
        QTemporaryDir dir;
        for (int c = 0; c < 3; ++c) {
            for (int i = 0; i < 3; ++i) {
                QVERIFY(fixtures::writePattern(
                    dir.filePath(QStringLiteral("train/c%1/%2.png").arg(c).arg(i)), 3 * c + i));
                QVERIFY(fixtures::writePattern(
                    dir.filePath(QStringLiteral("validation/c%1/%2.png").arg(c).arg(i)), i));
            }
        }
        DatasetSettings settings = m_settings;
        settings.root = dir.path();
        Result<DatasetIndex> index = scanDataset(settings, ScanOptions());
        QVERIFY2(index.ok(), qPrintable(index.error()));
        // After the scan, one image is deleted and another overwritten with garbage.
        QVERIFY(QFile::remove(dir.filePath(QStringLiteral("train/c1/0.png"))));
        QVERIFY(fixtures::writeBytes(dir.filePath(QStringLiteral("train/c2/1.png")), "garbage"));
        BatchOptions options;
        options.batchSize = 1;
        options.shuffle = true;
        options.seed = 3;
        options.threads = 2;
        options.finishThreads = finishThreads;
        BatchProducer producer(*index, Split::Train, inputSpecOf(settings), m_augmentation, nullptr,
                               options);
        const std::vector<HostBatch> batches = epoch(producer, 0);
        QCOMPARE(int(batches.size()), 9); // batch positions stay as planned...
        int empty = 0;
        int images = 0;
        for (const HostBatch& batch : batches) {
            empty += batch.count == 0 ? 1 : 0;
            images += batch.count;
            QCOMPARE(int(batch.images.size()), batch.count * 3 * 12 * 12);
            QCOMPARE(int(batch.labels.size()), batch.count);
        }
        QCOMPARE(empty, 2); // ...and the two unreadable images are left out
        QCOMPARE(images, 7);
        QStringList problems = producer.takeProblems();
        problems.sort();
        QCOMPARE(problems.size(), 2);
        QVERIFY2(problems[0].contains(QLatin1String("c1/0.png")), qPrintable(problems[0]));
        QVERIFY2(problems[1].contains(QLatin1String("c2/1.png")), qPrintable(problems[1]));
        QVERIFY(producer.problems().isEmpty());
    }

    // Augmenting and converting on the consumer (BatchOptions::finishThreads) gives the batches
    // the producer threads give, cached or streamed, on one thread or several.
    void finishingOnTheConsumerGivesTheSameBatches()
    {
        const InputSpec spec = inputSpecOf(m_settings);
        const BatchOptions options = trainingOptions(4, 11);
        BatchProducer reference(m_index, Split::Train, spec, m_augmentation, m_cache.get(),
                                options);
        const std::vector<HostBatch> want = epoch(reference, 2);
        for (const int threads : {1, 2, 3}) {
            BatchOptions consumer = options;
            consumer.finishThreads = threads;
            BatchProducer cached(m_index, Split::Train, spec, m_augmentation, m_cache.get(),
                                 consumer);
            QVERIFY2(same(epoch(cached, 2), want), qPrintable(QString::number(threads)));
            BatchProducer streamed(m_index, Split::Train, spec, m_augmentation, nullptr, consumer);
            QVERIFY2(same(epoch(streamed, 2), want), qPrintable(QString::number(threads)));
        }
        BatchOptions plain = options;
        plain.augment = false;
        BatchProducer plainReference(m_index, Split::Train, spec, m_augmentation, m_cache.get(),
                                     plain);
        plain.finishThreads = 2;
        BatchProducer plainConsumer(m_index, Split::Train, spec, m_augmentation, m_cache.get(),
                                    plain);
        QVERIFY(same(epoch(plainConsumer, 0), epoch(plainReference, 0)));
    }

    void aConsumerReadsAFullCacheItself()
    {
        // With finishThreads and every image cached, next() reads the cache itself: no producer
        // thread runs beside the consumer's. The batches are the producer threads' batches.
        const InputSpec spec = inputSpecOf(m_settings);
        const BatchOptions options = trainingOptions(4, 5);
        BatchProducer reference(m_index, Split::Train, spec, m_augmentation, m_cache.get(),
                                options);
        const std::vector<HostBatch> want = epoch(reference, 1);
        QVERIFY(!reference.readsItself());
        BatchOptions consumer = options;
        consumer.finishThreads = 2;
        BatchProducer itself(m_index, Split::Train, spec, m_augmentation, m_cache.get(), consumer);
        QVERIFY(same(epoch(itself, 1), want));
        QVERIFY(itself.readsItself());
        QVERIFY(itself.waitSeconds() > 0); // reading and finishing count as time on data

        // A cache that holds only some of the images: producer threads decode the rest.
        ImageCache partial(ImageShape{12, 3}, 5 * 12 * 12 * 3);
        ScanOptions scan;
        scan.cache = &partial;
        const Result<DatasetIndex> index = scanDataset(m_settings, scan);
        QVERIFY2(index.ok(), qPrintable(index.error()));
        QVERIFY(partial.count() > 0 && partial.count() < index->items.size());
        BatchProducer mixed(*index, Split::Train, spec, m_augmentation, &partial, consumer);
        QVERIFY(same(epoch(mixed, 1), want));
        QVERIFY(!mixed.readsItself());
    }

    void smallImagesAreCachedAtTheirOwnSize()
    {
        // 8 px colour images for 12 px training: the cache keeps 8x8x3 bytes per image, and
        // the batches are what decoding straight to 12 px gives (unaugmented), and the same
        // whether they come from the cache or from disk (augmented).
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        int n = 0;
        for (int c = 0; c < 2; ++c) {
            for (int i = 0; i < 6; ++i) {
                cv::Mat colour;
                cv::Mat channels[] = {fixtures::pattern(n, 8), fixtures::pattern(n + 1, 8),
                                      fixtures::pattern(n + 2, 8)};
                cv::merge(channels, 3, colour);
                const QString split =
                    i < 4 ? QStringLiteral("train") : QStringLiteral("validation");
                QVERIFY(fixtures::writeImage(
                    dir.path() + QStringLiteral("/%1/c%2/%3.png").arg(split).arg(c).arg(i),
                    colour));
                n += 3;
            }
        }
        DatasetSettings settings = m_settings;
        settings.root = dir.path();
        ImageCache cache(ImageShape{12, 3}, 0);
        ScanOptions scan;
        scan.cache = &cache;
        const Result<DatasetIndex> index = scanDataset(settings, scan);
        QVERIFY2(index.ok(), qPrintable(index.error()));
        QCOMPARE(cache.count(), qint64(12));
        QCOMPARE(cache.usedBytes(), qint64(12 * 8 * 8 * 3));
        QCOMPARE(cache.find(0).width, 8);

        BatchOptions options;
        options.batchSize = 3;
        BatchProducer validation(*index, Split::Validation, inputSpecOf(settings), m_augmentation,
                                 &cache, options);
        const std::vector<HostBatch> batches = epoch(validation, 0);
        QCOMPARE(int(batches.size()), 2);
        for (const HostBatch& batch : batches) {
            for (int k = 0; k < batch.count; ++k) {
                const DatasetItem& item = index->items[batch.items[size_t(k)]];
                const DecodeResult square =
                    decodeImageFile(index->root + QLatin1Char('/') + item.path, {12, 3});
                QVERIFY(square.ok);
                for (int c = 0; c < 3; ++c) {
                    for (int p = 0; p < 144; ++p) {
                        QCOMPARE(batch.images[size_t((k * 3 + c) * 144 + p)],
                                 float(square.image.pixels[size_t(p * 3 + c)]) *
                                     float(1.0 / 255.0));
                    }
                }
            }
        }

        options.shuffle = true;
        options.augment = true;
        options.seed = 11;
        BatchProducer cached(*index, Split::Train, inputSpecOf(settings), m_augmentation, &cache,
                             options);
        BatchProducer streamed(*index, Split::Train, inputSpecOf(settings), m_augmentation, nullptr,
                               options);
        const std::vector<HostBatch> a = epoch(cached, 1);
        QVERIFY(same(a, epoch(streamed, 1)));
        options.augment = false;
        BatchProducer plain(*index, Split::Train, inputSpecOf(settings), m_augmentation, &cache,
                            options);
        QVERIFY(!same(a, epoch(plain, 1)));
    }

    void abandonedEpochsStopCleanly()
    {
        BatchOptions options;
        options.batchSize = 2;
        options.threads = 2;
        options.prefetch = 1;
        BatchProducer producer(m_index, Split::Train, inputSpecOf(m_settings), m_augmentation,
                               m_cache.get(), options);
        producer.startEpoch(0);
        HostBatch batch;
        QVERIFY(producer.next(&batch));
        producer.startEpoch(1); // the rest of epoch 0 is dropped
        QVERIFY(producer.next(&batch));
        QCOMPARE(batch.epoch, 1);
        QCOMPARE(batch.number, 0);
        producer.stop();
        QVERIFY(!producer.next(&batch));
    }

    void tensorsForTheTrainer()
    {
        const BatchOptions options = trainingOptions(4, 5);
        BatchLoader loader(m_index, Split::Train, inputSpecOf(m_settings), m_augmentation,
                           m_cache.get(), options);
        BatchProducer producer(m_index, Split::Train, inputSpecOf(m_settings), m_augmentation,
                               m_cache.get(), options);
        const std::vector<HostBatch> expected = epoch(producer, 2);
        loader.startEpoch(2);
        TensorBatch batch;
        size_t n = 0;
        while (loader.next(&batch)) {
            QVERIFY(n < expected.size());
            const HostBatch& host = expected[n++];
            QCOMPARE(batch.images.scalar_type(), torch::kFloat32);
            QCOMPARE(batch.labels.scalar_type(), torch::kInt64);
            QCOMPARE(batch.images.sizes().vec(), (std::vector<int64_t>{host.count, 3, 12, 12}));
            const torch::Tensor want =
                torch::from_blob(const_cast<float*>(host.images.data()), {host.count, 3, 12, 12});
            QVERIFY(torch::equal(batch.images, want));
            QCOMPARE(std::vector<int64_t>(batch.labels.data_ptr<int64_t>(),
                                          batch.labels.data_ptr<int64_t>() + host.count),
                     host.labels);
        }
        QCOMPARE(n, expected.size());
        const torch::Tensor weights = loader.classWeights();
        QCOMPARE(weights.size(0), int64_t(3));
        QVERIFY(std::abs(weights[0].item<float>() - 21.0f / 27.0f) < 1e-6f);
        QVERIFY(std::abs(weights[2].item<float>() - 21.0f / 15.0f) < 1e-6f);
    }

    // A channels-last batch holds the same values, laid out N,H,W,C, and its tensor says so:
    // the trainer takes it without reordering it.
    void channelsLastBatchesHoldTheSameValues()
    {
        const BatchOptions options = trainingOptions(4, 5);
        BatchOptions interleaved = options;
        interleaved.channelsLast = true;
        const InputSpec spec = inputSpecOf(m_settings);
        BatchProducer planarProducer(m_index, Split::Train, spec, m_augmentation, m_cache.get(),
                                     options);
        const std::vector<HostBatch> planar = epoch(planarProducer, 1);
        BatchLoader loader(m_index, Split::Train, spec, m_augmentation, m_cache.get(), interleaved);
        loader.startEpoch(1);
        TensorBatch batch;
        size_t n = 0;
        while (loader.next(&batch)) {
            QVERIFY(n < planar.size());
            const HostBatch& host = planar[n++];
            QVERIFY(batch.images.is_contiguous(torch::MemoryFormat::ChannelsLast));
            QVERIFY(!batch.images.is_contiguous());
            const torch::Tensor want =
                torch::from_blob(const_cast<float*>(host.images.data()), {host.count, 3, 12, 12});
            QVERIFY(torch::equal(batch.images, want));
            QCOMPARE(batch.items, host.items);
        }
        QCOMPARE(n, planar.size());
    }
};

QTEST_GUILESS_MAIN(TestBatchProducer)
#include "tst_batchproducer.moc"
