// The Data page's work for its BackgroundRunners: scanning a dataset folder, writing the
// example dataset, loading thumbnails and making augmented previews. Each runs on a runner's
// thread, stops early when its job is cancelled, and posts its progress to the GUI thread.
#pragma once

#include "common/result.h"
#include "dataset/datasetindex.h"
#include "dataset/datasetsettings.h"

#include <QImage>
#include <QString>
#include <QStringList>
#include <QVector>

#include <functional>

namespace studio {

class BackgroundJob;

// Images done and in all, as the scanner and the example writer count them.
using JobProgress = std::function<void(qint64 done, qint64 total)>;

// A progress callback for the scanner's or writer's threads that calls `report` on the GUI
// thread at most about 20 times a second (and at the end), while the job is not cancelled.
JobProgress throttledProgress(const BackgroundJob& job, JobProgress report);

// Scans `settings.root`; a cancelled job ends with a Failure nobody sees.
Result<DatasetIndex> scanDatasetJob(const DatasetSettings& settings, const BackgroundJob& job,
                                    const JobProgress& progress);

// Writes the example dataset (Fashion-MNIST as PNG class folders) into `folder`.
Status writeExampleJob(const QString& folder, const BackgroundJob& job,
                       const JobProgress& progress);

// Loads images (absolute paths) scaled to fit `side` pixels, calling `ready` with each one's
// position on the GUI thread (a null image when it cannot be read).
void loadThumbnailsJob(const QStringList& paths, int side, const BackgroundJob& job,
                       const std::function<void(int position, const QImage& image)>& ready);

// A sample decoded as the dataset would, and augmented versions of it.
struct AugmentationPreview
{
    QImage original;
    QVector<QImage> images; // empty, with `error` saying why, when the sample cannot be decoded
    QString error;
};

// Decodes `path` as the dataset would, then makes `count` augmented versions of it drawn from
// `seed`.
AugmentationPreview makePreviewJob(const QString& path, const DatasetSettings& dataset,
                                   const AugmentationSettings& augmentation, quint64 seed,
                                   int count);

} // namespace studio
