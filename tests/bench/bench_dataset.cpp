// Benchmark of the dataset pipeline: cold decode, augmentation per core, how far the batch
// producer keeps ahead of the tutorial's network, and peak memory while caching 60,000 images.
// Prints a table and one JSON line. Usage: bench_dataset [--data DIR] [--batches N] [--repeats N]
#include "dataset/augmenter.h"
#include "dataset/batchproducer.h"
#include "dataset/datasetscanner.h"
#include "dataset/fashionmnist.h"
#include "dataset/imagecache.h"

#include <torch/nn.h>
#include <torch/optim.h>

#include "commandrun.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <time.h>
#include <vector>

using namespace studio;

namespace {

double seconds(const QElapsedTimer& timer)
{
    return double(timer.nsecsElapsed()) / 1e9;
}

// CPU time of the calling thread: per-core figures that other processes on the machine do not
// distort (wall time on a shared machine counts the time the thread was not running).
double threadCpuSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[values.size() / 2];
}

// The tutorial's augmentation (ImageDataGenerator of the seed text's usual values).
AugmentationSettings tutorialAugmentation()
{
    AugmentationSettings a;
    a.rotationRange = 40;
    a.widthShiftRange = 0.2;
    a.heightShiftRange = 0.2;
    a.shearRange = 11.5; // 0.2 rad
    a.zoomLow = 0.8;
    a.zoomHigh = 1.2;
    a.horizontalFlip = true;
    a.fillMode = FillMode::Nearest;
    return a;
}

// The tutorial's CNN: 2x(Conv 2x2 valid relu) + maxpool, four times; Dense 750, 250, out.
struct TutorialNetImpl : torch::nn::Module
{
    TutorialNetImpl(int channels, int size, int classes)
    {
        const int widths[] = {12, 25, 50, 100};
        int in = channels;
        int side = size;
        for (int block = 0; block < 4; ++block) {
            for (int k = 0; k < 2; ++k) {
                convs.push_back(register_module(
                    "conv" + std::to_string(block * 2 + k),
                    torch::nn::Conv2d(torch::nn::Conv2dOptions(in, widths[block], 2))));
                in = widths[block];
                side -= 1;
            }
            side /= 2;
        }
        dense1 = register_module("dense1", torch::nn::Linear(in * side * side, 750));
        dense2 = register_module("dense2", torch::nn::Linear(750, 250));
        out = register_module("out", torch::nn::Linear(250, classes));
    }

    torch::Tensor forward(torch::Tensor x)
    {
        for (size_t i = 0; i < convs.size(); ++i) {
            x = torch::relu(convs[i]->forward(x));
            if (i % 2 == 1) {
                x = torch::max_pool2d(x, 2);
            }
        }
        x = x.flatten(1);
        x = torch::relu(dense1->forward(x));
        x = torch::relu(dense2->forward(x));
        return out->forward(x);
    }

    std::vector<torch::nn::Conv2d> convs;
    torch::nn::Linear dense1{nullptr};
    torch::nn::Linear dense2{nullptr};
    torch::nn::Linear out{nullptr};
};
TORCH_MODULE(TutorialNet);

// Child mode: scan + cache every image at 64 px grayscale; prints one JSON line.
int rssChild(const QString& data)
{
    const double baseline = bench::procStatusMiB(QStringLiteral("self"), "VmRSS:");
    DatasetSettings settings;
    settings.root = data;
    settings.imageSize = 64;
    settings.colorMode = ColorMode::Grayscale;
    ImageCache cache({64, 1}, 0);
    ScanOptions options;
    options.cache = &cache;
    QElapsedTimer timer;
    timer.start();
    const Result<DatasetIndex> index = scanDataset(settings, options);
    const double elapsed = seconds(timer);
    if (!index) {
        std::fprintf(stderr, "%s\n", qPrintable(index.error()));
        return 1;
    }
    QJsonObject json;
    json.insert(QStringLiteral("images"), index->items.size() + index->skipped.size());
    json.insert(QStringLiteral("cached"), index->cachedImages);
    json.insert(QStringLiteral("cache_mib"), double(cache.usedBytes()) / 1048576.0);
    json.insert(QStringLiteral("seconds"), elapsed);
    json.insert(QStringLiteral("baseline_rss_mib"), baseline);
    json.insert(QStringLiteral("peak_rss_mib"),
                bench::procStatusMiB(QStringLiteral("self"), "VmHWM:"));
    std::printf("%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    return 0;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() == 3 && args[1] == QLatin1String("--rss-child")) {
        return rssChild(args[2]);
    }
    QString data = args.indexOf(QStringLiteral("--data")) > 0
                       ? args.value(args.indexOf(QStringLiteral("--data")) + 1)
                       : QString();
    const int batches = args.indexOf(QStringLiteral("--batches")) > 0
                            ? args.value(args.indexOf(QStringLiteral("--batches")) + 1).toInt()
                            : 200;
    const int repeats = args.indexOf(QStringLiteral("--repeats")) > 0
                            ? args.value(args.indexOf(QStringLiteral("--repeats")) + 1).toInt()
                            : 3;
    const int cores = std::max(1, int(std::thread::hardware_concurrency()));

    // The example dataset: 54,000 + 6,000 Fashion-MNIST PNGs (28 px), made once.
    QTemporaryDir temp;
    if (data.isEmpty() || !QFileInfo::exists(data)) {
        if (data.isEmpty()) {
            data = temp.path() + QStringLiteral("/fashion-mnist");
        }
        ExampleDatasetOptions example;
        example.outDir = data;
        example.test = 0;
        std::fprintf(stderr, "writing the example dataset to %s ...\n", qPrintable(data));
        const Result<ExampleDatasetReport> written = writeExampleDataset(example);
        if (!written) {
            std::fprintf(stderr, "%s\n", qPrintable(written.error()));
            return 1;
        }
    }

    // 1 + 4. Cold decode and peak RSS, each in a fresh process.
    std::vector<double> decodeRates;
    std::vector<double> peaks;
    double baseline = 0;
    qint64 cachedInChild = 0;
    double cacheMiB = 0;
    for (int r = 0; r < repeats; ++r) {
        QProcess child;
        child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--rss-child"), data});
        child.waitForFinished(-1);
        const QJsonObject json = QJsonDocument::fromJson(child.readAllStandardOutput()).object();
        if (child.exitCode() != 0 || json.isEmpty()) {
            std::fprintf(stderr, "child failed: %s\n", child.readAllStandardError().constData());
            return 1;
        }
        decodeRates.push_back(json.value(QStringLiteral("images")).toDouble() /
                              json.value(QStringLiteral("seconds")).toDouble());
        peaks.push_back(json.value(QStringLiteral("peak_rss_mib")).toDouble());
        baseline = json.value(QStringLiteral("baseline_rss_mib")).toDouble();
        cachedInChild = qint64(json.value(QStringLiteral("cached")).toDouble());
        cacheMiB = json.value(QStringLiteral("cache_mib")).toDouble();
    }

    // The cache at the tutorial's setting (64 px RGB) for the rest.
    DatasetSettings settings;
    settings.root = data;
    settings.imageSize = 64;
    settings.colorMode = ColorMode::Rgb;
    ImageCache cache({64, 3}, 0);
    ScanOptions scanOptions;
    scanOptions.cache = &cache;
    const Result<DatasetIndex> index = scanDataset(settings, scanOptions);
    if (!index) {
        std::fprintf(stderr, "%s\n", qPrintable(index.error()));
        return 1;
    }
    const QVector<int> train = index->indicesOf(Split::Train);

    // 2. Augmentation from the cache, one thread, 64 px out. The cache keeps Fashion-MNIST at
    // its 28 px (the resize is folded into the warp); the same from images already at 64 px,
    // as a cache of larger pictures holds them.
    const Augmenter augmenter(tutorialAugmentation(), {64, 3});
    std::vector<uint8_t> out(size_t(64 * 64 * 3));
    const int augmentCount = std::min<int>(20000, train.size());
    const int presized = std::min(2000, augmentCount);
    std::vector<uint8_t> big(size_t(presized) * out.size());
    for (int i = 0; i < presized; ++i) {
        const CachedImage image = cache.find(train[i]);
        resizeToShape(image.pixels, image.width, image.height, {64, 3},
                      &big[size_t(i) * out.size()]);
    }
    std::vector<double> augmentRates;
    std::vector<double> augmentWallRates;
    std::vector<double> augmentBigRates;
    for (int r = 0; r < repeats; ++r) {
        QElapsedTimer timer;
        timer.start();
        double cpu = threadCpuSeconds();
        for (int i = 0; i < augmentCount; ++i) {
            const int item = train[i];
            const CachedImage image = cache.find(item);
            augmenter.augment(image.pixels, image.width, image.height, out.data(),
                              Augmenter::seedFor(1, r, item));
        }
        augmentRates.push_back(augmentCount / (threadCpuSeconds() - cpu));
        augmentWallRates.push_back(augmentCount / seconds(timer));
        cpu = threadCpuSeconds();
        for (int i = 0; i < augmentCount; ++i) {
            augmenter.augment(&big[size_t(i % presized) * out.size()], out.data(),
                              Augmenter::seedFor(1, r, train[i]));
        }
        augmentBigRates.push_back(augmentCount / (threadCpuSeconds() - cpu));
    }
    // The same through the producer (augment + float NCHW), one producer thread.
    std::vector<double> producerRates;
    {
        BatchOptions options;
        options.batchSize = 20;
        options.shuffle = true;
        options.augment = true;
        options.threads = 1;
        options.prefetch = 8;
        BatchProducer producer(*index, Split::Train, inputSpecOf(settings), tutorialAugmentation(),
                               &cache, options);
        for (int r = 0; r < repeats; ++r) {
            QElapsedTimer timer;
            timer.start();
            producer.startEpoch(r);
            HostBatch batch;
            int images = 0;
            while (images < augmentCount && producer.next(&batch)) {
                images += batch.count;
            }
            producerRates.push_back(images / seconds(timer));
        }
    }

    // 3. The producer against the tutorial's network at 64 px, batch 20, Adam.
    at::globalContext().setFlushDenormal(true);
    torch::set_num_threads(cores);
    torch::manual_seed(0);
    TutorialNet net(3, 64, int(index->classes.size()));
    torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(1e-3));
    BatchOptions options;
    options.batchSize = 20;
    options.shuffle = true;
    options.augment = true;
    options.seed = 1;
    BatchProducer producer(*index, Split::Train, inputSpecOf(settings), tutorialAugmentation(),
                           &cache, options);
    producer.startEpoch(0);
    QElapsedTimer trainTimer;
    trainTimer.start();
    HostBatch batch;
    int steps = 0;
    double lastLoss = 0;
    while (steps < batches && producer.next(&batch)) {
        const torch::Tensor x =
            torch::from_blob(batch.images.data(), {batch.count, 3, 64, 64}, torch::kFloat32);
        const torch::Tensor y = torch::from_blob(batch.labels.data(), {batch.count}, torch::kInt64);
        optimizer.zero_grad();
        const torch::Tensor loss = torch::nn::functional::cross_entropy(net->forward(x), y);
        loss.backward();
        optimizer.step();
        lastLoss = loss.item<double>();
        ++steps;
    }
    const double trainSeconds = seconds(trainTimer);
    const double waitFraction = producer.waitSeconds() / trainSeconds;
    producer.stop();

    const double decode = median(decodeRates);
    const double augment = median(augmentRates);
    const double augmentWall = median(augmentWallRates);
    const double augmentBig = median(augmentBigRates);
    const double produce = median(producerRates);
    const double peak = median(peaks);
    std::printf("dataset pipeline benchmark (%d cores, %lld images, %d repeats, medians)\n", cores,
                static_cast<long long>(index->items.size()), repeats);
    std::printf("  %-52s %12.0f images/s\n",
                "cold decode, PNG folders -> 64 px grey cache, all cores", decode);
    std::printf("  %-52s %12.0f images/s (wall %.0f)\n",
                "augmentation from cache, 28 -> 64 px RGB, per core", augment, augmentWall);
    std::printf("  %-52s %12.0f images/s\n", "augmentation of 64 px RGB images, per core",
                augmentBig);
    std::printf("  %-52s %12.0f images/s\n", "  + float NCHW batches (producer, 1 thread)",
                produce);
    std::printf("  %-52s %12.2f %% (%d batches of 20, %.1f s, loss %.3f)\n",
                "trainer waiting on data (tutorial CNN, 64 px RGB)", 100 * waitFraction, steps,
                trainSeconds, lastLoss);
    std::printf("  %-52s %12.1f MiB (%lld cached in %.1f MiB; before the scan %.1f MiB)\n",
                "peak RSS caching 60,000 images at 64 px grey", peak,
                static_cast<long long>(cachedInChild), cacheMiB, baseline);
    QJsonObject json;
    json.insert(QStringLiteral("benchmark"), QStringLiteral("dataset"));
    json.insert(QStringLiteral("cores"), cores);
    json.insert(QStringLiteral("images"), index->items.size());
    json.insert(QStringLiteral("cold_decode_images_per_s"), decode);
    json.insert(QStringLiteral("augment_images_per_s_per_core"), augment);
    json.insert(QStringLiteral("augment_images_per_s_wall"), augmentWall);
    json.insert(QStringLiteral("augment_64px_source_images_per_s_per_core"), augmentBig);
    json.insert(QStringLiteral("producer_images_per_s_per_thread"), produce);
    json.insert(QStringLiteral("trainer_wait_fraction"), waitFraction);
    json.insert(QStringLiteral("train_batches"), steps);
    json.insert(QStringLiteral("train_seconds"), trainSeconds);
    json.insert(QStringLiteral("peak_rss_mib_caching_60000_64px_grey"), peak);
    json.insert(QStringLiteral("rss_before_scan_mib"), baseline);
    json.insert(QStringLiteral("cache_mib"), cacheMiB);
    std::printf("%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    return 0;
}
