#include "datasetjobs.h"

#include "backgroundrunner.h"
#include "channelcomposite.h"
#include "dataset/augmenter.h"
#include "dataset/datasetscanner.h"
#include "dataset/fashionmnist.h"
#include "dataset/imagedecoder.h"
#include "dataset/inputspec.h"

#include <QElapsedTimer>

#include <atomic>
#include <memory>

namespace studio {

JobProgress throttledProgress(const BackgroundJob& job, JobProgress report)
{
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    // Called from the workers' threads: throttled to about 20 calls a second.
    auto lastReport = std::make_shared<std::atomic<qint64>>(-1000);
    return [job, report = std::move(report), timer, lastReport](qint64 done, qint64 total) {
        const qint64 now = timer->elapsed();
        qint64 last = lastReport->load();
        if ((done == total || now - last >= 50) && lastReport->compare_exchange_strong(last, now)) {
            job.post([report, done, total] { report(done, total); });
        }
    };
}

Result<DatasetIndex> scanDatasetJob(const DatasetSettings& settings, const BackgroundJob& job,
                                    const JobProgress& progress)
{
    ScanOptions options;
    options.cancel = job.cancelFlag();
    options.progress = progress;
    return scanDataset(settings, options);
}

Status writeExampleJob(const QString& folder, const BackgroundJob& job, const JobProgress& progress)
{
    ExampleDatasetOptions options;
    options.outDir = folder;
    const Result<ExampleDatasetReport> written =
        writeExampleDataset(options, progress, job.cancelFlag());
    if (!written) {
        return Failure{written.error()};
    }
    return {};
}

void loadThumbnailsJob(const QStringList& paths, int side, const BackgroundJob& job,
                       const std::function<void(int position, const QImage& image)>& ready)
{
    for (int i = 0; i < paths.size() && !job.cancelled(); ++i) {
        const QImage image = thumbnailOfFile(paths[i], side);
        job.post([ready, i, image] { ready(i, image); });
    }
}

AugmentationPreview makePreviewJob(const QString& path, const DatasetSettings& dataset,
                                   const AugmentationSettings& augmentation, quint64 seed,
                                   int count)
{
    AugmentationPreview preview;
    const RawDecodeResult raw = decodeRawImageFile(path);
    const InputSpec spec = previewInputSpec(dataset, raw);
    const DecodeResult decoded = prepareImage(raw, spec);
    if (!decoded.ok) {
        preview.error = decoded.failure.reason;
        return preview;
    }
    // What the network sees: its input values, 0 black and 1 full brightness.
    std::vector<float> values(size_t(spec.imageSize) * size_t(spec.imageSize) *
                              size_t(spec.channels()));
    const auto networkView = [&](const uint8_t* samples, double brightness) {
        toNetworkValues(samples, spec, brightness, values.data());
        return networkInputImage(values.data(), spec.channels(), spec.imageSize);
    };
    preview.original = networkView(decoded.image.pixels.data(), 1.0);
    const Augmenter augmenter(augmentation, spec);
    std::vector<uint8_t> buffer(size_t(spec.shape().bytes()));
    for (int i = 0; i < count; ++i) {
        const AugmentParams params = augmenter.draw(Augmenter::seedFor(seed, 0, i));
        augmenter.apply(decoded.image.pixels.data(), buffer.data(), params);
        preview.images.append(
            networkView(buffer.data(), augmenter.brightnessOnSamples() ? 1.0 : params.brightness));
    }
    return preview;
}

} // namespace studio
