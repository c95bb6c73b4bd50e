// What the network's input is made of: which channels, how values are normalised, how an image
// becomes a square, and at what depth the prepared samples are kept. One definition for
// training, evaluation, prediction, the previews and the model file.
#pragma once

#include "dataset/datasetsettings.h"
#include "dataset/imagedecoder.h"

#include <QString>
#include <QVector>

#include <vector>

namespace studio {

// The preparation of every image of a dataset or model. The prepared samples (8 or 16 bit, the
// cache's and augmenter's) become network values by one affine map per channel:
// value = sample * valueScale(c) + valueOffset(c).
struct InputSpec
{
    int imageSize = 64;
    ColorMode colorMode = ColorMode::Rgb;
    QVector<int> channelList; // 0-based image channels; empty: colorMode decides
    Normalization normalization = Normalization::Legacy;
    double rescale = 1.0 / 255.0;
    double rangeLow = 0;
    double rangeHigh = 65535;
    QVector<QPair<double, double>> channelRanges; // per input channel; empty: rangeLow, rangeHigh
    double percentileLow = 0.5;
    double percentileHigh = 99.8;
    ResizeMode resize = ResizeMode::Stretch;
    double padValue = 0; // network units
    // Standardize: each picked channel's mean and standard deviation over the training images'
    // pixels, measured when a run starts; empty until then (the samples, which are the values
    // themselves, do not depend on them; the network values and the fills do).
    QVector<double> channelMean;
    QVector<double> channelStd;

    int channels() const
    {
        return !channelList.isEmpty() ? int(channelList.size())
                                      : (colorMode == ColorMode::Rgb ? 3 : 1);
    }
    // Of the prepared samples: 8 (Legacy) or 16.
    int sampleBits() const { return normalization == Normalization::Legacy ? 8 : 16; }
    ImageShape shape() const { return {imageSize, channels(), sampleBits() / 8}; }
    // The fixed value range of input channel `channel` (range normalisation).
    QPair<double, double> rangeOf(int channel) const
    {
        return channelRanges.value(channel, {rangeLow, rangeHigh});
    }
    // True when the prepared samples are the image's own values (Legacy: their 8-bit ones).
    bool keepsSampleValues() const;
    // True for standardize, whose map needs channelMean and channelStd.
    bool needsStatistics() const { return normalization == Normalization::Standardize; }
    // True when the map is known: no statistics needed, or one mean and std per channel.
    bool hasStatistics() const;
    double valueScale(int channel) const;
    double valueOffset(int channel) const;
    // A prepared sample for a network value, clipped to the samples' range (fills, padding).
    double sampleFor(double value, int channel) const;
    // sampleFor() for every channel.
    std::vector<double> samplesFor(double value) const;

    friend bool operator==(const InputSpec& a, const InputSpec& b);
    friend bool operator!=(const InputSpec& a, const InputSpec& b) { return !(a == b); }
};

// The spec of a dataset's settings. Legacy keeps 8-bit samples; the normalisations keep 16-bit
// ones: the values themselves (rescale and standardize; integer images only) or 0..1 as
// 0..65535. Standardize's statistics are not settings: the spec has none (hasStatistics()).
InputSpec inputSpecOf(const DatasetSettings& dataset);

// `dataset` seeing `channels` (0-based, in input order; empty: color_mode decides). Per-channel
// value ranges follow their channels; a channel new to the list gets the shared range.
DatasetSettings withChannelList(DatasetSettings dataset, const QVector<int>& channels);

// The dataset settings whose spec is `spec` (its statistics aside; the others at their
// defaults): what a model's metadata says as settings, for scanning a dataset to evaluate.
DatasetSettings inputSettingsOf(const InputSpec& spec);

// In plain words, with the formula (for the model file and the ONNX metadata): "each image's
// 0.5th and 99.8th percentiles of each channel to 0 and 1, clipped".
QString describeNormalization(const InputSpec& spec);

// Each channel's factor and offset from samples to network values:
// value = sample * scale[c] + offset[c] = (sample * valueScale(c) + valueOffset(c)) * brightness.
struct ChannelAffine
{
    std::vector<float> scale;
    std::vector<float> offset;
};
ChannelAffine channelAffine(const InputSpec& spec, double brightness);

// A square of prepared samples (HWC, the spec's shape) as network values, CHW:
// (sample * valueScale(c) + valueOffset(c)) * brightness. `out` takes shape().size^2 * channels().
void toNetworkValues(const uint8_t* samples, const InputSpec& spec, double brightness, float* out);
// The same values laid out HWC, as the samples are (a channels-last batch's image).
void toInterleavedNetworkValues(const uint8_t* samples, const InputSpec& spec, double brightness,
                                float* out);

// Why the spec cannot prepare an image (a picked channel it lacks, a float image whose values
// the rescale normalisation would keep), or an empty reason.
DecodeFailure preparationProblem(const RawImage& image, const InputSpec& spec);

// Decodes a file and prepares it for `spec`: the channels picked (in their order) or converted
// to grey or RGB, normalised (per image for percentiles), cropped or padded to a square, and
// resized to the spec's shape (KeepSmaller keeps a smaller square as it is). A Legacy spec
// gives exactly decodeImageFile()'s bytes. Thread-safe.
DecodeResult decodeImageFile(const QString& path, const InputSpec& spec,
                             DecodeSize size = DecodeSize::Square);
DecodeResult prepareImage(const RawDecodeResult& decoded, const InputSpec& spec,
                          DecodeSize size = DecodeSize::Square);

} // namespace studio
