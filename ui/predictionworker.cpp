#include "predictionworker.h"

#include "backgroundrunner.h"

#include "export/predictor.h"

#include <QCoreApplication>
#include <QImageReader>

namespace studio {

namespace {

constexpr int kThumbnailSize = 96;
constexpr int kChunk = 16; // images per predicted() call

QImage thumbnail(const QString& path)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QSize size = reader.size();
    if (size.isValid() && (size.width() > kThumbnailSize || size.height() > kThumbnailSize)) {
        reader.setScaledSize(size.scaled(kThumbnailSize, kThumbnailSize, Qt::KeepAspectRatio));
    }
    QImage image = reader.read();
    if (!image.isNull() && image.width() < kThumbnailSize && image.height() < kThumbnailSize) {
        // Small images (16 px, 28 px) are enlarged without blurring, so they stay readable.
        image = image.scaled(kThumbnailSize, kThumbnailSize, Qt::KeepAspectRatio,
                             Qt::FastTransformation);
    }
    return image;
}

} // namespace

PredictionWorker::PredictionWorker() = default;

PredictionWorker::~PredictionWorker() = default;

Result<ModelMetadata> PredictionWorker::loadModel(const QString& path)
{
    Result<Predictor> loaded = Predictor::load(path);
    if (!loaded.ok()) {
        return Failure{loaded.error()};
    }
    m_predictor = std::make_unique<Predictor>(std::move(loaded).value());
    return m_predictor->metadata();
}

void PredictionWorker::classify(
    const QStringList& inputs, double threshold, const BackgroundJob& job,
    const std::function<void(const QVector<Prediction>&, const QVector<QImage>&)>& predicted) const
{
    const QStringList files = collectImageFiles(inputs);
    PredictOptions options;
    options.topK = 3;
    options.threshold = threshold;
    for (int start = 0; start < files.size() && !job.cancelled(); start += kChunk) {
        const QStringList chunk = files.mid(start, kChunk);
        QVector<Prediction> predictions;
        if (m_predictor) {
            predictions = m_predictor->predictFiles(chunk, options);
        } else {
            for (const QString& path : chunk) {
                Prediction failed;
                failed.path = path;
                failed.error = QCoreApplication::translate(
                    "PredictionWorker", "No model is loaded. Train one or open a .pt file.");
                predictions.append(failed);
            }
        }
        QVector<QImage> thumbnails;
        for (const Prediction& prediction : predictions) {
            thumbnails.append(thumbnail(prediction.path));
        }
        job.post([predicted, predictions, thumbnails] { predicted(predictions, thumbnails); });
    }
}

Status PredictionWorker::exportModel(const QString& modelPath, ExportFormat format,
                                     const QString& outPath)
{
    return exportModelFile(modelPath, format, outPath);
}

} // namespace studio
