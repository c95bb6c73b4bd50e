#include "datasetworker.h"

#include "dataset/augmenter.h"
#include "dataset/datasetscanner.h"
#include "dataset/fashionmnist.h"
#include "dataset/imagedecoder.h"

#include <QElapsedTimer>
#include <QImageReader>
#include <QThread>

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

std::function<void(qint64, qint64)> DatasetWorker::throttledProgress(quint64 request)
{
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    // Called from the workers' threads: throttled to about 20 signals a second.
    auto lastReport = std::make_shared<std::atomic<qint64>>(-1000);
    return [this, request, timer, lastReport](qint64 done, qint64 total) {
        const qint64 now = timer->elapsed();
        qint64 last = lastReport->load();
        if ((done == total || now - last >= 50) && lastReport->compare_exchange_strong(last, now)) {
            Q_EMIT progress(request, done, total);
        }
    };
}

void DatasetWorker::writeExample(quint64 request, const QString& folder,
                                 std::shared_ptr<std::atomic<bool>> cancel)
{
    ExampleDatasetOptions options;
    options.outDir = folder;
    const Result<ExampleDatasetReport> written =
        writeExampleDataset(options, throttledProgress(request), cancel.get());
    if (cancel->load()) {
        return;
    }
    if (!written) {
        Q_EMIT exampleFailed(request, written.error());
        return;
    }
    Q_EMIT exampleWritten(request, folder);
}

DatasetWorker::DatasetWorker(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<DatasetIndex>();
    qRegisterMetaType<QVector<QImage>>();
}

void DatasetWorker::scan(quint64 request, const DatasetSettings& settings,
                         std::shared_ptr<std::atomic<bool>> cancel)
{
    if (cancel->load()) {
        return;
    }
    ScanOptions options;
    options.cancel = cancel.get();
    options.progress = throttledProgress(request);
    Result<DatasetIndex> result = scanDataset(settings, options);
    if (cancel->load()) {
        return;
    }
    if (!result) {
        Q_EMIT scanFailed(request, result.error());
        return;
    }
    Q_EMIT scanned(request, *result);
}

void DatasetWorker::loadThumbnails(quint64 request, const QStringList& paths, int side,
                                   std::shared_ptr<std::atomic<bool>> cancel)
{
    for (int i = 0; i < paths.size(); ++i) {
        if (cancel->load()) {
            return;
        }
        QImageReader reader(paths[i]);
        reader.setAutoTransform(true);
        const QSize size = reader.size();
        if (size.isValid() && (size.width() > side || size.height() > side)) {
            reader.setScaledSize(size.scaled(side, side, Qt::KeepAspectRatio));
        }
        QImage image = reader.read();
        if (!image.isNull() && (image.width() < side / 2 || image.height() < side / 2)) {
            image = image.scaled(side, side, Qt::KeepAspectRatio, Qt::FastTransformation);
        }
        Q_EMIT thumbnailReady(request, i, image);
    }
}

void DatasetWorker::makePreview(quint64 request, const QString& path,
                                const DatasetSettings& dataset,
                                const AugmentationSettings& augmentation, quint64 seed, int count)
{
    const ImageShape shape{dataset.imageSize, dataset.channels()};
    const DecodeResult decoded = decodeImageFile(path, shape);
    if (!decoded.ok) {
        Q_EMIT previewReady(request, QImage(), {}, decoded.failure.reason);
        return;
    }
    const QImage original = toImage(decoded.image.pixels.data(), shape);
    const Augmenter augmenter(augmentation, shape);
    std::vector<uint8_t> buffer(size_t(shape.bytes()));
    QVector<QImage> images;
    for (int i = 0; i < count; ++i) {
        augmenter.augment(decoded.image.pixels.data(), buffer.data(),
                          Augmenter::seedFor(seed, 0, i));
        images.append(toImage(buffer.data(), shape));
    }
    Q_EMIT previewReady(request, original, images, QString());
}

DatasetWorkerThread::DatasetWorkerThread(QObject* parent)
    : QObject(parent), m_thread(new QThread(this)), m_worker(new DatasetWorker)
{
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
}

DatasetWorkerThread::~DatasetWorkerThread()
{
    m_thread->quit();
    m_thread->wait();
}

} // namespace studio
