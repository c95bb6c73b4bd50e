// Classifying images with a model file: the preprocessing comes from the file's metadata, so it
// is exactly the one used in training. Torch-free interface.
#pragma once

#include "common/result.h"
#include "export/modelmetadata.h"

#include <QString>
#include <QStringList>
#include <QVector>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <atomic>

namespace studio {

// One class and its probability.
struct ClassScore
{
    int index = -1;
    QString name;
    double probability = 0;
};

// The answer for one image, or why there is none (`error` set).
struct Prediction
{
    QString path;
    QString error;                    // non-empty when the file could not be classified
    int predicted = -1;               // the most probable class
    double confidence = 0;            // its probability
    bool uncertain = false;           // confidence below the threshold
    QVector<ClassScore> top;          // the top-k classes, most probable first
    std::vector<float> probabilities; // every class, in class order

    bool ok() const { return error.isEmpty(); }
};

// The library that runs the network. Torch and OpenCv give the same probabilities within
// kEngineTolerance; Int8 computes in 8-bit integers and may answer differently on a few images
// (its check on held-out images, made when the run exported the model, says how often).
// LibTorch is the default: bench_inference measured OpenCV faster for one image (0.50 against
// 0.64 ms p50) but slower over a folder in batches of 64 (2,587 against 3,569 images/s).
enum class InferenceEngine
{
    Auto,   // "auto": int8 when its check lost at most kInt8AccuracyTolerance, else OpenCV when
            // it loads the model and agrees with LibTorch, else LibTorch
    Torch,  // "torch" (default): LibTorch, the TorchScript module (frozen and optimised)
    OpenCv, // "opencv": OpenCV's DNN module on the model converted to ONNX in memory
    Int8    // "int8": LibTorch's oneDNN quantized engine with the model file's calibration
};

// "auto" / "torch" / "opencv" / "int8" (case-insensitive); nullopt for anything else.
std::optional<InferenceEngine> inferenceEngineFromName(const QString& name);
QString inferenceEngineName(InferenceEngine engine);

// The largest difference of a probability between the engines for OpenCV to be used: checked
// at load on a seeded random batch.
constexpr double kEngineTolerance = 1e-4;

// How to load a model for prediction.
struct PredictorOptions
{
    int threads = 0;      // LibTorch intra-op threads and OpenCV's threads; 0: all cores
    bool optimize = true; // freeze and optimise the module for inference (much faster)
    // OpenCv: a model OpenCV cannot run, or whose answers differ, is a Failure that says why;
    // Int8: a model without calibration, or with a layer int8 cannot run, likewise.
    InferenceEngine engine = InferenceEngine::Torch;
};

// How to classify files.
struct PredictOptions
{
    int topK = 3;
    double threshold = 0; // confidence below this makes the answer "uncertain"
    int batchSize = 64;
    int decodeThreads = 0; // 0: all cores
    // Set from another thread to stop early: the images not reached get the error "Cancelled.".
    const std::atomic<bool>* cancel = nullptr;
};

// A loaded model, ready to classify. Not thread-safe: use one Predictor per thread.
class Predictor
{
public:
    // Loads a .pt made by this app; a bad file is a Failure that says why (see loadModelFile).
    static Result<Predictor> load(const QString& path, const PredictorOptions& options = {});

    Predictor(Predictor&& other) noexcept;
    Predictor& operator=(Predictor&& other) noexcept;
    ~Predictor();

    const ModelMetadata& metadata() const;

    // The engine that runs the network: Torch, OpenCv or Int8, never Auto.
    InferenceEngine engine() const;
    // Which engine runs and why, for logs: "opencv (... agrees with LibTorch within 0.0001 ...)",
    // "int8 (... on the test split's 2000 images ...)", "torch (LibTorch, the torch engine)" or
    // "torch (int8 not used: <reason>; OpenCV's DNN module not used: <reason>)".
    QString engineText() const;

    // Probabilities (count x classes, row-major) of `count` preprocessed images: float32 NCHW,
    // imageSize x imageSize, rescaled. An error of the engine is a Failure.
    Result<std::vector<float>> probabilities(const float* images, int count) const;

    // Decodes, preprocesses and classifies files in batches. A file that cannot be read or
    // decoded gets a Prediction with `error` set; the others are classified. Runs on the
    // calling thread plus decode workers.
    QVector<Prediction> predictFiles(const QStringList& paths, const PredictOptions& options) const;

private:
    struct Impl;
    explicit Predictor(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// The top-k and threshold decision for one image's probabilities.
Prediction makePrediction(const QString& path, std::vector<float> probabilities,
                          const QStringList& classes, int topK, double threshold);

// Expands the command line's PATHs: files are kept as given, folders are searched recursively
// for images (by extension, sorted). A path that does not exist is kept too, so that it gets an
// error row.
QStringList collectImageFiles(const QStringList& inputs);

// "path,predicted,confidence,<class 1>,...,<class n>[,error]": one row per prediction; an
// uncertain answer's predicted cell is "uncertain"; class names and paths are escaped for
// spreadsheets (see csvCell()).
QString predictionsToCsv(const QVector<Prediction>& predictions, const QStringList& classes);

} // namespace studio
