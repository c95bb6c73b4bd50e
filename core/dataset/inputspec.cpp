#include "dataset/inputspec.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace studio {

namespace {

constexpr double kSixteenBitMaximum = 65535.0;

// HWC samples to CHW network values: sample * scale[c] + offset[c].
template <typename Sample>
void toPlanes(const Sample* samples, int channels, size_t plane, const float* scale,
              const float* offset, float* out)
{
    if (channels == 1) {
        for (size_t p = 0; p < plane; ++p) {
            out[p] = float(samples[p]) * scale[0] + offset[0];
        }
        return;
    }
    for (size_t p = 0; p < plane; ++p) {
        for (int c = 0; c < channels; ++c) {
            out[size_t(c) * plane + p] =
                float(samples[p * size_t(channels) + size_t(c)]) * scale[c] + offset[c];
        }
    }
}

// HWC samples to HWC network values, a run of kRunPixels pixels at a time: each run is one
// straight loop over the scale and offset repeated for its pixels, which the compiler vectorises.
constexpr size_t kRunPixels = 16;

template <typename Sample>
void toInterleaved(const Sample* samples, int channels, size_t plane, const float* scale,
                   const float* offset, float* out)
{
    const size_t c = size_t(channels);
    std::vector<float> runScale(kRunPixels * c);
    std::vector<float> runOffset(kRunPixels * c);
    for (size_t i = 0; i < runScale.size(); ++i) {
        runScale[i] = scale[i % c];
        runOffset[i] = offset[i % c];
    }
    const size_t values = plane * c;
    const size_t run = runScale.size();
    size_t start = 0;
    for (; start + run <= values; start += run) {
        for (size_t i = 0; i < run; ++i) {
            out[start + i] = float(samples[start + i]) * runScale[i] + runOffset[i];
        }
    }
    for (size_t i = 0; start + i < values; ++i) {
        out[start + i] = float(samples[start + i]) * runScale[i] + runOffset[i];
    }
}

// Calls convert(samples) with the samples typed at the spec's width (8 or 16 bits).
template <typename Convert>
void withTypedSamples(const uint8_t* samples, const InputSpec& spec, const Convert& convert)
{
    if (spec.sampleBits() == 16) {
        convert(reinterpret_cast<const uint16_t*>(samples));
    } else {
        convert(samples);
    }
}

} // namespace

ChannelAffine channelAffine(const InputSpec& spec, double brightness)
{
    ChannelAffine affine;
    for (int c = 0; c < spec.channels(); ++c) {
        affine.scale.push_back(float(spec.valueScale(c) * brightness));
        affine.offset.push_back(float(spec.valueOffset(c) * brightness));
    }
    return affine;
}

void toNetworkValues(const uint8_t* samples, const InputSpec& spec, double brightness, float* out)
{
    const size_t plane = size_t(spec.imageSize) * size_t(spec.imageSize);
    const ChannelAffine a = channelAffine(spec, brightness);
    withTypedSamples(samples, spec, [&](const auto* typed) {
        toPlanes(typed, spec.channels(), plane, a.scale.data(), a.offset.data(), out);
    });
}

void toInterleavedNetworkValues(const uint8_t* samples, const InputSpec& spec, double brightness,
                                float* out)
{
    const size_t plane = size_t(spec.imageSize) * size_t(spec.imageSize);
    const ChannelAffine a = channelAffine(spec, brightness);
    withTypedSamples(samples, spec, [&](const auto* typed) {
        toInterleaved(typed, spec.channels(), plane, a.scale.data(), a.offset.data(), out);
    });
}

bool InputSpec::keepsSampleValues() const
{
    return normalization == Normalization::Rescale || normalization == Normalization::Legacy ||
           normalization == Normalization::Standardize;
}

bool InputSpec::hasStatistics() const
{
    return !needsStatistics() ||
           (channelMean.size() == channels() && channelStd.size() == channels());
}

double InputSpec::valueScale(int channel) const
{
    if (needsStatistics()) {
        const double deviation = channelStd.value(channel, 1.0);
        return deviation > 0 ? 1.0 / deviation : 1.0;
    }
    return keepsSampleValues() ? rescale : 1.0 / kSixteenBitMaximum;
}

double InputSpec::valueOffset(int channel) const
{
    return needsStatistics() ? -channelMean.value(channel, 0.0) * valueScale(channel) : 0.0;
}

double InputSpec::sampleFor(double value, int channel) const
{
    const double sample = (value - valueOffset(channel)) / valueScale(channel);
    const double maximum = sampleBits() == 16 ? kSixteenBitMaximum : 255.0;
    return std::clamp(std::round(sample), 0.0, maximum);
}

std::vector<double> InputSpec::samplesFor(double value) const
{
    std::vector<double> samples;
    for (int c = 0; c < channels(); ++c) {
        samples.push_back(sampleFor(value, c));
    }
    return samples;
}

bool operator==(const InputSpec& a, const InputSpec& b)
{
    // With a channel list the colour mode means nothing.
    const auto colours = [](const InputSpec& s) {
        return s.channelList.isEmpty() ? s.colorMode : ColorMode::Rgb;
    };
    const ColorMode ca = colours(a);
    const ColorMode cb = colours(b);
    return std::tie(a.imageSize, ca, a.channelList, a.normalization, a.rescale, a.rangeLow,
                    a.rangeHigh, a.channelRanges, a.percentileLow, a.percentileHigh, a.resize,
                    a.padValue, a.channelMean, a.channelStd) ==
           std::tie(b.imageSize, cb, b.channelList, b.normalization, b.rescale, b.rangeLow,
                    b.rangeHigh, b.channelRanges, b.percentileLow, b.percentileHigh, b.resize,
                    b.padValue, b.channelMean, b.channelStd);
}

namespace {

// The input fields DatasetSettings and InputSpec share, copied from one to the other: the one
// list of them.
template <typename From, typename To> void copyInputFields(const From& from, To* to)
{
    to->imageSize = from.imageSize;
    to->colorMode = from.colorMode;
    to->channelList = from.channelList;
    to->normalization = from.normalization;
    to->rescale = from.rescale;
    to->rangeLow = from.rangeLow;
    to->rangeHigh = from.rangeHigh;
    to->channelRanges = from.channelRanges;
    to->percentileLow = from.percentileLow;
    to->percentileHigh = from.percentileHigh;
    to->resize = from.resize;
    to->padValue = from.padValue;
}

} // namespace

InputSpec inputSpecOf(const DatasetSettings& dataset)
{
    InputSpec spec;
    copyInputFields(dataset, &spec);
    // With a channel list the colour mode means nothing: one value, as operator== sees it.
    if (!spec.channelList.isEmpty()) {
        spec.colorMode = ColorMode::Rgb;
    }
    return spec;
}

DatasetSettings inputSettingsOf(const InputSpec& spec)
{
    DatasetSettings dataset;
    copyInputFields(spec, &dataset);
    return dataset;
}

DatasetSettings withChannelList(DatasetSettings dataset, const QVector<int>& channels)
{
    if (!dataset.channelRanges.isEmpty()) {
        QVector<int> before = dataset.channelList;
        if (before.isEmpty() && dataset.colorMode == ColorMode::Rgb) {
            before = {0, 1, 2};
        }
        QVector<QPair<double, double>> ranges;
        for (const int c : channels) {
            const int k = int(before.indexOf(c));
            ranges << (k >= 0 ? dataset.channelRanges.value(k)
                              : qMakePair(dataset.rangeLow, dataset.rangeHigh));
        }
        dataset.channelRanges = channels.isEmpty() ? QVector<QPair<double, double>>() : ranges;
    }
    dataset.channelList = channels;
    return dataset;
}

QString describeNormalization(const InputSpec& spec)
{
    const auto number = [](double v) { return QString::number(v, 'g', 10); };
    switch (spec.normalization) {
    case Normalization::Legacy:
        return QStringLiteral("16-bit values divided by 257 and float values in 0..1 times 255 "
                              "(8-bit), then times rescale (%1)")
            .arg(number(spec.rescale));
    case Normalization::Rescale:
        return QStringLiteral("value times rescale (%1)").arg(number(spec.rescale));
    case Normalization::Range:
        if (!spec.channelRanges.isEmpty()) {
            QStringList ranges;
            for (const auto& [low, high] : spec.channelRanges) {
                ranges << QStringLiteral("[%1, %2]").arg(number(low), number(high));
            }
            return QStringLiteral("per channel: (value - low[c]) / (high[c] - low[c]), clipped to "
                                  "0..1, with [low, high] %1")
                .arg(ranges.join(QStringLiteral(", ")));
        }
        return QStringLiteral("(value - %1) / (%2 - %1), clipped to 0..1, the same for every "
                              "channel")
            .arg(number(spec.rangeLow), number(spec.rangeHigh));
    case Normalization::Percentile:
        return QStringLiteral("per image and channel: (value - p_low) / (p_high - p_low), clipped "
                              "to 0..1, where p_low and p_high are the channel's percentiles "
                              "%1 and %2 (linear interpolation, as numpy.percentile)")
            .arg(number(spec.percentileLow), number(spec.percentileHigh));
    case Normalization::Standardize:
        return QStringLiteral("per channel: (value - mean[c]) / std[c], where mean and std are "
                              "the channel's mean and standard deviation over every pixel of the "
                              "training images (numpy.mean and numpy.std); a std of 0 counts as "
                              "1");
    }
    return QString();
}

DecodeFailure preparationProblem(const RawImage& image, const InputSpec& spec)
{
    for (const int c : spec.channelList) {
        if (c >= image.channels) {
            return {SkipReason::ChannelMismatch,
                    QStringLiteral("image with %1 channels; the settings pick channel %2 "
                                   "(dataset.channels)")
                        .arg(image.channels)
                        .arg(c + 1)};
        }
    }
    if (image.type == SampleType::Float32 && spec.keepsSampleValues() &&
        spec.normalization != Normalization::Legacy) {
        return {SkipReason::NotAnImage,
                QStringLiteral("float image, whose values the %1 normalisation cannot keep "
                               "as 16-bit samples; choose the range or percentile "
                               "normalisation (dataset.normalization)")
                    .arg(spec.normalization == Normalization::Rescale
                             ? QStringLiteral("rescale")
                             : QStringLiteral("standardize"))};
    }
    return {};
}

} // namespace studio
