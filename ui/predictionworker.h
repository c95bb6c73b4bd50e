// The Classify page's work for its BackgroundRunner: holds the loaded Predictor, classifies
// images (with thumbnails) and exports the model. Used only from the runner's one thread.
#pragma once

#include "common/result.h"
#include "export/exporter.h"
#include "uimetatypes.h"

#include <QImage>
#include <QStringList>
#include <QVector>

#include <functional>
#include <memory>

namespace studio {

class BackgroundJob;
class Predictor;

// A model loaded for classifying, kept between the jobs that use it.
class PredictionWorker
{
public:
    PredictionWorker();
    ~PredictionWorker();

    // Loads `path`, replacing the model loaded so far when it works.
    Result<ModelMetadata> loadModel(const QString& path);
    // Expands folders and classifies the images in small batches, calling `predicted` on the
    // GUI thread with each batch and its thumbnails; stops when the job is cancelled.
    void classify(const QStringList& inputs, double threshold, const BackgroundJob& job,
                  const std::function<void(const QVector<Prediction>&, const QVector<QImage>&)>&
                      predicted) const;
    // Writes the model file as `format` to outPath.
    static Status exportModel(const QString& modelPath, ExportFormat format,
                              const QString& outPath);

private:
    std::unique_ptr<Predictor> m_predictor;
};

} // namespace studio
