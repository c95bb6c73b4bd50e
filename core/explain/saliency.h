// Saliency maps: which parts of an image made a model file give a class its score. Grad-CAM on
// the last convolutional layer (LibTorch autograd), or occlusion sensitivity, which works for any
// network. The image is prepared exactly as the Predictor prepares it (the model file's
// metadata), so the map explains the input the model classifies. Torch-free interface.
#pragma once

#include "common/result.h"
#include "explain/npyfile.h"
#include "export/modelmetadata.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace studio {

enum class SaliencyMethod
{
    GradCam,  // "gradcam": gradients of the class's logit at the last Conv2D layer
    Occlusion // "occlusion": the drop of the class's probability when a patch is covered
};

// "gradcam" or "occlusion" (any case); nullopt for another name.
std::optional<SaliencyMethod> saliencyMethodFromName(const QString& name);
QString saliencyMethodName(SaliencyMethod method);

// What to explain and how.
struct SaliencyOptions
{
    SaliencyMethod method = SaliencyMethod::GradCam;
    int classIndex = -1; // the class whose score is explained; -1: the predicted class
    // Occlusion: the square patch's side and its step in input pixels; 0: imageSize / 8 (at
    // least 2) and half of the patch.
    int occlusionPatch = 0;
    int occlusionStride = 0;
};

// The map of one image, or why there is none (`error` set).
//
// `map` is the raw map, unnormalised, row-major:
// - Grad-CAM: at the resolution of the last convolutional layer's output (map.rows x
//   map.columns cells, each imageSize / map.rows input pixels), ReLU(sum_k w_k A_k) with w_k the
//   spatial mean of d(logit of the class)/d(A_k), in the logit's units;
// - occlusion: at the input's resolution (imageSize x imageSize), each pixel the mean over the
//   patches covering it of p(class) - p(class with the patch filled with the image's mean).
struct SaliencyMap
{
    QString path;
    QString error;
    SaliencyMethod method = SaliencyMethod::GradCam; // the method used (see note)
    QString note;  // why another method than the one asked for was used, else empty
    QString layer; // Grad-CAM: "layer 4 (Conv2D)"; occlusion: "8 px patch, stride 4"
    int classIndex = -1;
    QString className;
    double probability = 0; // of the class explained
    int predicted = -1;     // the most probable class
    NpyArray map;
    int imageSize = 0; // the model's input side, in pixels
    // The input as the model sees it, for people: imageSize x imageSize x 3 RGB bytes (one
    // channel shown grey, three as RGB, other counts as the mean of the channels; values
    // stretched from the image's lowest to its highest network value).
    std::vector<uint8_t> display;

    bool ok() const { return error.isEmpty(); }
    // The side of one map cell in input pixels (map rows and columns are equal).
    double cellSize() const { return map.rows > 0 ? double(imageSize) / map.rows : 0; }
};

// A loaded model ready to explain its decisions. Not thread-safe: one per thread.
class SaliencyExplainer
{
public:
    // Loads a .pt made by this app (see loadModelFile: a bad file is a Failure saying why) and,
    // when its layer stack has a Conv2D layer and no FeatureExtractor, rebuilds the network
    // with the file's weights for Grad-CAM. threads: LibTorch intra-op threads, 0: all cores.
    static Result<SaliencyExplainer> load(const QString& modelPath, int threads = 0);

    SaliencyExplainer(SaliencyExplainer&& other) noexcept;
    SaliencyExplainer& operator=(SaliencyExplainer&& other) noexcept;
    ~SaliencyExplainer();

    const ModelMetadata& metadata() const;
    // Whether Grad-CAM can run: false without a Conv2D layer (or with a FeatureExtractor),
    // where explain() falls back to occlusion and says so in SaliencyMap::note.
    bool hasGradCam() const;
    // The index of the spec layer whose output Grad-CAM uses (the last Conv2D, with the
    // BatchNormalization, Activation and Dropout layers right after it), or -1.
    int gradCamLayer() const;

    // Decodes and prepares the file as the Predictor does, then explains it. A file that
    // cannot be read, or a class index out of range, gives a map with `error` set.
    SaliencyMap explainFile(const QString& path, const SaliencyOptions& options) const;

    // Explains one prepared image: float32 CHW, channels() x imageSize x imageSize, network
    // values (as toNetworkValues() makes them).
    SaliencyMap explainImage(const float* image, const SaliencyOptions& options) const;

private:
    struct Impl;
    explicit SaliencyExplainer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// The location of the map's largest value in input pixels (the centre of its cell), or
// {-1, -1} for an empty map.
struct MapPeak
{
    double x = -1;
    double y = -1;
};
MapPeak mapPeak(const SaliencyMap& map);

// The overlay picture as PNG bytes: the display image enlarged to at least 256 px (whole
// multiples, nearest neighbour) blended half and half with the map stretched from 0 to its
// largest value (negative values show as 0), upsampled bilinearly and coloured with OpenCV's
// JET colour map (blue low, red high). Empty for a map with an error.
QByteArray saliencyOverlayPng(const SaliencyMap& map);

// Writes saliencyOverlayPng() through a temporary file and a rename.
Status writeSaliencyOverlay(const QString& path, const SaliencyMap& map);

} // namespace studio
