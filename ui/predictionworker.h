// Owns a Predictor on its own thread: loads model files, classifies images (with thumbnails)
// and exports the model, reporting back through signals.
#pragma once

#include "export/exporter.h"
#include "uimetatypes.h"

#include <QImage>
#include <QObject>
#include <QStringList>
#include <QVector>

#include <memory>

namespace studio {

class Predictor;

class PredictionWorker : public QObject
{
    Q_OBJECT

public:
    explicit PredictionWorker(QObject* parent = nullptr);
    ~PredictionWorker() override;

    // The functions below run on the worker's thread (call them through a queued invocation).

    // Loads `path`; emits modelLoaded or modelFailed.
    void loadModel(const QString& path);
    // Expands folders, classifies the images in small batches and emits predicted() per batch,
    // then classifyFinished().
    void classify(const QStringList& inputs, double threshold);
    // Writes the loaded model file as `format` to outPath; emits exportFinished.
    void exportModel(const QString& modelPath, studio::ExportFormat format, const QString& outPath);

Q_SIGNALS:
    void modelLoaded(const QString& path, const studio::ModelMetadata& metadata);
    void modelFailed(const QString& path, const QString& message);
    void predicted(const QVector<studio::Prediction>& predictions,
                   const QVector<QImage>& thumbnails);
    void classifyFinished();
    void exportFinished(const QString& outPath, const QString& error);

private:
    std::unique_ptr<Predictor> m_predictor;
};

} // namespace studio
