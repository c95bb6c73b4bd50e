#include "datasetjobs.h"

#include "backgroundrunner.h"
#include "channelcomposite.h"
#include "dataset/augmenter.h"
#include "dataset/datasetscanner.h"
#include "dataset/fashionmnist.h"
#include "dataset/imagedecoder.h"

#include <QElapsedTimer>

#include <atomic>
#include <memory>

namespace studio {

namespace {

// Copies uint8 HWC pixels (1 or 3 channels) into a QImage.
QImage toImage(const uint8_t* pixels, const ImageShape& shape)
{
    const QImage::Format format =
        shape.channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888;
    const QImage view(pixels, shape.size, shape.size, shape.size * shape.channels, format);
    return view.copy();
}

} // namespace

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
    const ImageShape shape{dataset.imageSize, dataset.channels()};
    const DecodeResult decoded = decodeImageFile(path, shape);
    if (!decoded.ok) {
        preview.error = decoded.failure.reason;
        return preview;
    }
    preview.original = toImage(decoded.image.pixels.data(), shape);
    const Augmenter augmenter(augmentation, shape);
    std::vector<uint8_t> buffer(size_t(shape.bytes()));
    for (int i = 0; i < count; ++i) {
        augmenter.augment(decoded.image.pixels.data(), buffer.data(),
                          Augmenter::seedFor(seed, 0, i));
        preview.images.append(toImage(buffer.data(), shape));
    }
    return preview;
}

} // namespace studio
