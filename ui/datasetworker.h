// The Data page's work off the GUI thread: scanning a dataset folder, loading thumbnails and
// making augmented previews. Lives on its own QThread; results come back as queued signals.
#pragma once

#include "dataset/datasetindex.h"
#include "dataset/datasetsettings.h"

#include <QImage>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

class QThread;

#include <atomic>
#include <functional>
#include <memory>

Q_DECLARE_METATYPE(studio::DatasetIndex)

namespace studio {

class DatasetWorker : public QObject
{
    Q_OBJECT

public:
    explicit DatasetWorker(QObject* parent = nullptr);

    // Runs on the worker's thread: scans `settings.root`, reporting progress() and then
    // scanned() or scanFailed(); stops early when `cancel` is set.
    void scan(quint64 request, const DatasetSettings& settings,
              std::shared_ptr<std::atomic<bool>> cancel);

    // Runs on the worker's thread: loads images (absolute paths) scaled to fit `side` pixels,
    // one thumbnailReady() each; stops early when `cancel` is set.
    void loadThumbnails(quint64 request, const QStringList& paths, int side,
                        std::shared_ptr<std::atomic<bool>> cancel);

    // Runs on the worker's thread: decodes `path` as the dataset would, then makes `count`
    // augmented versions of it drawn from `seed`.
    void makePreview(quint64 request, const QString& path, const DatasetSettings& dataset,
                     const AugmentationSettings& augmentation, quint64 seed, int count);

    // Runs on the worker's thread: writes the example dataset (Fashion-MNIST as PNG class
    // folders) into `folder`, reporting progress() and then exampleWritten() or exampleFailed().
    void writeExample(quint64 request, const QString& folder,
                      std::shared_ptr<std::atomic<bool>> cancel);

Q_SIGNALS:
    void progress(quint64 request, qint64 done, qint64 total);
    void exampleWritten(quint64 request, const QString& folder);
    void exampleFailed(quint64 request, const QString& message);
    void scanned(quint64 request, const studio::DatasetIndex& index);
    void scanFailed(quint64 request, const QString& message);
    void thumbnailReady(quint64 request, int position, const QImage& image);
    // `images` is empty and `error` says why when the sample cannot be decoded.
    void previewReady(quint64 request, const QImage& original, const QVector<QImage>& images,
                      const QString& error);

private:
    // A progress callback for the scanner's or writer's threads that emits progress() at most
    // about 20 times a second (and at the end).
    std::function<void(qint64, qint64)> throttledProgress(quint64 request);
};

// A QThread running a DatasetWorker; stops (after the current job) when destroyed.
class DatasetWorkerThread : public QObject
{
    Q_OBJECT

public:
    explicit DatasetWorkerThread(QObject* parent = nullptr);
    ~DatasetWorkerThread() override;

    DatasetWorker* worker() const { return m_worker; }
    // Queues `job` to run on the worker's thread.
    template <typename Job> void post(Job job)
    {
        QMetaObject::invokeMethod(m_worker, std::move(job), Qt::QueuedConnection);
    }

private:
    QThread* m_thread;
    DatasetWorker* m_worker;
};

} // namespace studio
