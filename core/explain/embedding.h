// A map of what a network learned: the penultimate-layer features (the input of the last Dense
// layer) of every image of a split, projected to two dimensions with PCA (OpenCV) or t-SNE
// (exact, on LibTorch tensors, on a seeded sample). Images are prepared exactly as the Predictor
// prepares them (the model file's metadata). Torch-free interface.
#pragma once

#include "common/result.h"
#include "dataset/datasetindex.h"
#include "export/modelmetadata.h"

#include <QString>
#include <QStringList>
#include <QVector>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace studio {

enum class EmbeddingMethod
{
    Pca, // "pca": the first two principal components of all the points
    Tsne // "tsne": t-SNE of a sample of at most `sample` points
};

// "pca" or "tsne" (any case, "t-sne" too); nullopt for another name.
std::optional<EmbeddingMethod> embeddingMethodFromName(const QString& name);
QString embeddingMethodName(EmbeddingMethod method);

// Points in rows: rows x columns floats, row-major.
struct FeatureMatrix
{
    int rows = 0;
    int columns = 0;
    std::vector<float> values;

    const float* row(int i) const { return values.data() + size_t(i) * size_t(columns); }
};

// The first two principal components of the rows (cv::PCA): rows x 2 coordinates, row-major. The
// sign of each axis is fixed so that the row farthest along it is positive. A Failure for fewer
// than two rows.
Result<std::vector<double>> projectPca(const FeatureMatrix& features);

// How t-SNE runs; the defaults are scikit-learn's (learning rate max(n / 12, 200)).
struct TsneOptions
{
    double perplexity = 30;
    int iterations = 1000;
    int exaggerationIterations = 250; // with early exaggeration and momentum 0.5, then 0.8
    double exaggeration = 12;
    int pcaDimensions = 50; // the features are reduced with PCA to this many first
    uint64_t seed = 1;
    const std::atomic<bool>* cancel = nullptr;   // set from another thread to stop: a Failure
    std::function<void(int iteration)> progress; // called every 50 iterations, same thread
};

// Exact t-SNE (O(n^2) memory and time per iteration) of the rows: rows x 2 coordinates,
// row-major. The same features and options give the same map. A Failure for fewer than 4 rows,
// on cancellation or a LibTorch error. Runs on the calling thread (LibTorch's intra-op threads).
Result<std::vector<double>> projectTsne(const FeatureMatrix& features,
                                        const TsneOptions& options = {});

// Features and predictions of images.
struct ImageFeatures
{
    FeatureMatrix features; // one row per image, in the order given
    std::vector<int> predicted;
    std::vector<double> confidence;
};

// A model file's network rebuilt with its weights, to read the input of its last Dense layer.
// Not thread-safe: one per thread.
class FeatureModel
{
public:
    // Loads a .pt made by this app. A network without a Dense layer, or with a
    // FeatureExtractor layer, is a Failure that says so. threads: LibTorch intra-op threads,
    // 0: all cores.
    static Result<FeatureModel> load(const QString& modelPath, int threads = 0);

    FeatureModel(FeatureModel&& other) noexcept;
    FeatureModel& operator=(FeatureModel&& other) noexcept;
    ~FeatureModel();

    const ModelMetadata& metadata() const;
    int featureLayer() const;         // the index of the last Dense layer, whose input is read
    QString featureLayerText() const; // "input of layer 7 (Dense)"

    // Features and probabilities of `count` prepared images: float32 NCHW, network values.
    Result<ImageFeatures> run(const float* images, int count) const;

    // Decodes and prepares the files as the Predictor does, in batches, on `decodeThreads`
    // workers (0: all cores). A file that cannot be read is a Failure naming it.
    Result<ImageFeatures> runFiles(const QStringList& paths, int batchSize = 64,
                                   int decodeThreads = 0,
                                   const std::atomic<bool>* cancel = nullptr) const;

private:
    struct Impl;
    explicit FeatureModel(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// What to map and how.
struct EmbeddingOptions
{
    Split split = Split::Test;
    EmbeddingMethod method = EmbeddingMethod::Tsne;
    int sample = 3000; // t-SNE: at most this many points, chosen at random with `seed`
    uint64_t seed = 1;
    int threads = 0; // LibTorch and decoding threads, 0: all cores
    int batchSize = 64;
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(const QString& stage)> progress; // plain words, from the calling thread
};

// One image on the map. x and y are NaN for an image outside the t-SNE sample.
struct EmbeddingPoint
{
    QString path; // relative to the dataset folder, '/' separated
    int trueClass = -1;
    int predicted = -1;
    double confidence = 0;
    double x = 0;
    double y = 0;
    bool inSample = true;

    bool mistake() const { return predicted != trueClass; }
};

// The map of one split.
struct EmbeddingMap
{
    QString datasetRoot;
    QStringList classes;
    EmbeddingMethod method = EmbeddingMethod::Tsne;
    int featureDimension = 0;
    QString featureLayer;
    QVector<EmbeddingPoint> points;
};

// Scans `datasetDir` with the model's settings, extracts the features of every image of the
// split and projects them. A bad model file, other classes than the model's, an empty split or an
// unreadable image is a Failure that says so. Runs on the calling thread plus workers.
Result<EmbeddingMap> makeEmbeddingMap(const QString& modelPath, const QString& datasetDir,
                                      const EmbeddingOptions& options = {});

// The map of the given images instead of a split (the images an evaluation scored): paths
// relative to `root`, labels in the model's class order; options.split is not used. A label
// outside the model's classes or no image is a Failure that says so.
Result<EmbeddingMap> makeEmbeddingMapOfImages(const QString& modelPath, const QString& root,
                                              const QVector<DatasetItem>& items,
                                              const EmbeddingOptions& options = {});

// "path,true_class,predicted_class,confidence,x,y,in_sample": one row per point; x and y are
// empty outside the sample; paths and class names escaped for spreadsheets (csvCell()).
QString embeddingToCsv(const EmbeddingMap& map);

} // namespace studio
