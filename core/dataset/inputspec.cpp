#include "dataset/inputspec.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace studio {

namespace {

constexpr double kSixteenBitMaximum = 65535.0;

// HWC samples to CHW network values: sample * scale + offset.
template <typename Sample>
void toPlanes(const Sample* samples, int channels, size_t plane, float scale, float offset,
              float* out)
{
    if (channels == 1) {
        for (size_t p = 0; p < plane; ++p) {
            out[p] = float(samples[p]) * scale + offset;
        }
        return;
    }
    for (size_t p = 0; p < plane; ++p) {
        for (int c = 0; c < channels; ++c) {
            out[size_t(c) * plane + p] =
                float(samples[p * size_t(channels) + size_t(c)]) * scale + offset;
        }
    }
}

} // namespace

void toNetworkValues(const uint8_t* samples, const InputSpec& spec, double brightness, float* out)
{
    const size_t plane = size_t(spec.imageSize) * size_t(spec.imageSize);
    const auto scale = float(spec.valueScale() * brightness);
    const auto offset = float(spec.valueOffset() * brightness);
    if (spec.sampleBits == 16) {
        toPlanes(reinterpret_cast<const uint16_t*>(samples), spec.channels(), plane, scale, offset,
                 out);
    } else {
        toPlanes(samples, spec.channels(), plane, scale, offset, out);
    }
}

bool InputSpec::keepsSampleValues() const
{
    return normalization == Normalization::Rescale || normalization == Normalization::Legacy;
}

double InputSpec::valueScale() const
{
    return keepsSampleValues() ? rescale : 1.0 / kSixteenBitMaximum;
}

double InputSpec::valueOffset() const
{
    return 0;
}

double InputSpec::sampleFor(double value) const
{
    const double sample = (value - valueOffset()) / valueScale();
    const double maximum = sampleBits == 16 ? kSixteenBitMaximum : 255.0;
    return std::clamp(std::round(sample), 0.0, maximum);
}

bool operator==(const InputSpec& a, const InputSpec& b)
{
    return std::tie(a.imageSize, a.colorMode, a.channelList, a.normalization, a.rescale, a.rangeLow,
                    a.rangeHigh, a.percentileLow, a.percentileHigh, a.resize, a.padValue,
                    a.sampleBits) == std::tie(b.imageSize, b.colorMode, b.channelList,
                                              b.normalization, b.rescale, b.rangeLow, b.rangeHigh,
                                              b.percentileLow, b.percentileHigh, b.resize,
                                              b.padValue, b.sampleBits);
}

InputSpec inputSpecOf(const DatasetSettings& dataset)
{
    InputSpec spec;
    spec.imageSize = dataset.imageSize;
    // With a channel list the colour mode means nothing: one value, so that equal specs compare
    // equal.
    spec.colorMode = dataset.channelList.isEmpty() ? dataset.colorMode : ColorMode::Rgb;
    spec.channelList = dataset.channelList;
    spec.normalization = dataset.normalization;
    spec.rescale = dataset.rescale;
    spec.rangeLow = dataset.rangeLow;
    spec.rangeHigh = dataset.rangeHigh;
    spec.percentileLow = dataset.percentileLow;
    spec.percentileHigh = dataset.percentileHigh;
    spec.resize = dataset.resize;
    spec.padValue = dataset.padValue;
    spec.sampleBits = dataset.normalization == Normalization::Legacy ? 8 : 16;
    return spec;
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
        return QStringLiteral("(value - %1) / (%2 - %1), clipped to 0..1, the same for every "
                              "channel")
            .arg(number(spec.rangeLow), number(spec.rangeHigh));
    case Normalization::Percentile:
        return QStringLiteral("per image and channel: (value - p_low) / (p_high - p_low), clipped "
                              "to 0..1, where p_low and p_high are the channel's percentiles "
                              "%1 and %2 (linear interpolation, as numpy.percentile)")
            .arg(number(spec.percentileLow), number(spec.percentileHigh));
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
    if (image.type == SampleType::Float32 && spec.normalization == Normalization::Rescale) {
        return {SkipReason::NotAnImage,
                QStringLiteral("float image, whose values the rescale normalisation cannot keep "
                               "as 16-bit samples; choose the range or percentile "
                               "normalisation (dataset.normalization)")};
    }
    return {};
}

} // namespace studio
