#include "channelcomposite.h"

#include "dataset/channelstatistics.h"
#include "dataset/imagedecoder.h"
#include "dataset/imageformats.h"

#include <QImageReader>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

namespace studio {

namespace {

// Every sample of one channel as a float.
std::vector<float> channelValues(const RawImage& image, int channel)
{
    const size_t pixels = size_t(image.width) * size_t(image.height);
    std::vector<float> values(pixels);
    const size_t stride = size_t(image.channels);
    for (size_t p = 0; p < pixels; ++p) {
        values[p] = float(sampleValue(image, p * stride + size_t(channel)));
    }
    return values;
}

// Counts `values` into `bins` equal bins from histogram->low to histogram->high.
void countInto(ChannelHistogram* histogram, const float* values, size_t count, int bins)
{
    histogram->counts = QVector<double>(bins, 0.0);
    const double perBin = double(bins) / (histogram->high - histogram->low);
    for (size_t i = 0; i < count; ++i) {
        const int bin = std::clamp(int((double(values[i]) - histogram->low) * perBin), 0, bins - 1);
        histogram->counts[bin] += 1;
    }
}

// Per image channel, the input plane it becomes (kChannelLeftOut, kChannelMixed).
QVector<int> planesOf(const RawImage& image, const InputSpec& spec)
{
    QVector<int> planes(image.dataChannels(), kChannelLeftOut);
    if (!spec.channelList.isEmpty()) {
        for (int k = 0; k < spec.channelList.size(); ++k) {
            if (spec.channelList[k] < planes.size()) {
                planes[spec.channelList[k]] = k;
            }
        }
    } else if (planes.size() < 3) {
        planes[0] = 0; // grey (repeated for RGB)
    } else {
        for (int c = 0; c < 3; ++c) {
            planes[c] = spec.colorMode == ColorMode::Rgb ? c : int(kChannelMixed);
        }
    }
    return planes;
}

// The network's values of `image` prepared as `spec` says, and each channel's histogram of them.
void addNormalisedHistograms(const RawDecodeResult& decoded, const InputSpec& spec, int bins,
                             ChannelPreview* preview)
{
    preview->planeOf = planesOf(decoded.image, spec);
    preview->normalised = QVector<ChannelHistogram>(preview->planeOf.size());
    const DecodeResult prepared = prepareImage(decoded, spec);
    if (!prepared.ok) {
        preview->normalisationError = prepared.failure.reason;
        return;
    }
    const size_t plane = size_t(spec.imageSize) * size_t(spec.imageSize);
    std::vector<float> values(plane * size_t(spec.channels()));
    toNetworkValues(prepared.image.pixels.data(), spec, 1.0, values.data());
    for (int c = 0; c < preview->planeOf.size(); ++c) {
        if (const int k = preview->planeOf[c]; k >= 0) {
            preview->normalised[c] = valueHistogram(values.data() + size_t(k) * plane, plane, bins);
        }
    }
}

// The value below which `share` of the values lie (values is reordered).
float percentile(std::vector<float>& values, double share)
{
    const size_t k = std::min(values.size() - 1, size_t(share * double(values.size() - 1)));
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(k), values.end());
    return values[k];
}

// One channel brought to 0..1 between its 0.5th and 99.8th percentiles.
std::vector<float> stretchedChannel(const RawImage& image, int channel)
{
    std::vector<float> values = channelValues(image, channel);
    std::vector<float> sorted = values;
    const float low = percentile(sorted, 0.005);
    const float high = percentile(sorted, 0.998);
    const float scale = high > low ? 1.0f / (high - low) : 0.0f;
    for (float& v : values) {
        v = std::clamp((v - low) * scale, 0.0f, 1.0f);
    }
    return values;
}

bool showsAsItIs(const RawImage& image)
{
    const int data = image.dataChannels();
    return image.type == SampleType::UInt8 && (data == 1 || data == 3);
}

// An 8-bit grey or RGB image copied into a QImage (alpha left out).
QImage copyEightBit(const RawImage& image)
{
    const int data = image.dataChannels();
    QImage out(image.width, image.height,
               data == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
    for (int y = 0; y < image.height; ++y) {
        uchar* line = out.scanLine(y);
        const uint8_t* row = image.data.data() + size_t(y) * size_t(image.width * image.channels);
        for (int x = 0; x < image.width; ++x) {
            std::memcpy(line + x * data, row + x * image.channels, size_t(data));
        }
    }
    return out;
}

// Channels of values in 0..1 (clipped), each shown in its channelColour() and added up.
QImage addedColours(const std::vector<std::vector<float>>& planes, int width, int height)
{
    const size_t pixels = size_t(width) * size_t(height);
    std::vector<float> rgb(pixels * 3, 0.0f);
    const int channels = int(planes.size());
    for (int c = 0; c < channels; ++c) {
        const QColor colour = channelColour(c, channels);
        const float weights[3] = {float(colour.redF()), float(colour.greenF()),
                                  float(colour.blueF())};
        for (size_t p = 0; p < pixels; ++p) {
            const float v = std::clamp(planes[size_t(c)][p], 0.0f, 1.0f);
            for (int k = 0; k < 3; ++k) {
                rgb[p * 3 + size_t(k)] += v * weights[k];
            }
        }
    }
    QImage out(width, height, QImage::Format_RGB888);
    for (int y = 0; y < height; ++y) {
        uchar* line = out.scanLine(y);
        for (int x = 0; x < width * 3; ++x) {
            const float v = rgb[size_t(y) * size_t(width) * 3 + size_t(x)];
            line[x] = uchar(std::clamp(v, 0.0f, 1.0f) * 255.0f + 0.5f);
        }
    }
    return out;
}

} // namespace

QColor channelColour(int channel, int channels)
{
    if (channels == 1) {
        return Qt::white;
    }
    static const std::array<QColor, 7> composite = {
        QColor(255, 0, 0),   QColor(0, 255, 0),   QColor(0, 0, 255),  QColor(160, 160, 160),
        QColor(0, 255, 255), QColor(255, 0, 255), QColor(255, 255, 0)};
    return composite[size_t(channel) % composite.size()];
}

QImage compositeImage(const RawImage& image)
{
    if (image.isEmpty() || image.width <= 0 || image.height <= 0) {
        return {};
    }
    if (showsAsItIs(image)) {
        return copyEightBit(image);
    }
    std::vector<std::vector<float>> planes;
    for (int c = 0; c < image.dataChannels(); ++c) {
        planes.push_back(stretchedChannel(image, c));
    }
    return addedColours(planes, image.width, image.height);
}

QImage networkInputImage(const float* values, int channels, int size)
{
    const size_t plane = size_t(size) * size_t(size);
    std::vector<std::vector<float>> planes;
    for (int c = 0; c < channels; ++c) {
        planes.emplace_back(values + size_t(c) * plane, values + size_t(c + 1) * plane);
    }
    return addedColours(planes, size, size);
}

QImage channelImage(const RawImage& image, int channel)
{
    if (image.isEmpty() || channel < 0 || channel >= image.channels) {
        return {};
    }
    QImage out(image.width, image.height, QImage::Format_Grayscale8);
    const std::vector<float> values =
        showsAsItIs(image) ? channelValues(image, channel) : stretchedChannel(image, channel);
    const float scale = showsAsItIs(image) ? 1.0f : 255.0f;
    for (int y = 0; y < image.height; ++y) {
        uchar* line = out.scanLine(y);
        for (int x = 0; x < image.width; ++x) {
            line[x] =
                uchar(std::clamp(values[size_t(y * image.width + x)] * scale + 0.5f, 0.0f, 255.0f));
        }
    }
    return out;
}

ChannelHistogram valueHistogram(const float* values, size_t count, int bins)
{
    ChannelHistogram histogram;
    if (count == 0 || bins <= 0) {
        return histogram;
    }
    const auto [lo, hi] = std::minmax_element(values, values + count);
    histogram.minimum = *lo;
    histogram.maximum = *hi;
    histogram.low = std::min(0.0, histogram.minimum);
    histogram.high = std::max(1.0, histogram.maximum);
    countInto(&histogram, values, count, bins);
    return histogram;
}

InputSpec previewInputSpec(const DatasetSettings& dataset, const RawDecodeResult& raw)
{
    InputSpec spec = inputSpecOf(dataset);
    if (!spec.needsStatistics() || !raw.ok) {
        return spec;
    }
    const ChannelStatistics own = imageStatistics(raw.image, spec);
    for (int c = 0; c < own.mean.size(); ++c) {
        spec.channelMean << own.mean[c] - 2.5 * own.std[c];
        spec.channelStd << 5.0 * own.std[c];
    }
    return spec;
}

ChannelHistogram channelHistogram(const RawImage& image, int channel, int bins)
{
    ChannelHistogram histogram;
    if (image.isEmpty() || channel < 0 || channel >= image.channels || bins <= 0) {
        return histogram;
    }
    const std::vector<float> values = channelValues(image, channel);
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    histogram.minimum = *lo;
    histogram.maximum = *hi;
    const bool floating = image.type == SampleType::Float32;
    histogram.low = floating ? histogram.minimum : 0.0;
    histogram.high = floating ? histogram.maximum : sampleTypeMaximum(image.type);
    if (histogram.high <= histogram.low) {
        histogram.high = histogram.low + 1;
    }
    countInto(&histogram, values.data(), values.size(), bins);
    return histogram;
}

ChannelPreview makeChannelPreview(const QString& path, const DatasetSettings& dataset, int bins)
{
    ChannelPreview preview;
    preview.path = path;
    preview.spec = inputSpecOf(dataset);
    const RawDecodeResult decoded = decodeRawImageFile(path);
    if (!decoded.ok) {
        preview.error = decoded.failure.reason;
        return preview;
    }
    const RawImage& image = decoded.image;
    ClassImageFormats tally;
    tallyFormat(describeImage(image), &tally);
    preview.description = describeFormats(tally);
    preview.composite = compositeImage(image);
    for (int c = 0; c < image.dataChannels(); ++c) {
        preview.channels.append(channelImage(image, c));
        preview.histograms.append(channelHistogram(image, c, bins));
    }
    addNormalisedHistograms(decoded, previewInputSpec(dataset, decoded), bins, &preview);
    return preview;
}

QImage thumbnailOfFile(const QString& path, int side)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    const QByteArray format = reader.format();
    const QImage::Format pixels = reader.imageFormat();
    const bool deep = pixels == QImage::Format_Grayscale16 || pixels == QImage::Format_RGBA64 ||
                      pixels == QImage::Format_RGBX64;
    QImage image;
    if (!format.isEmpty() && format != "tif" && format != "tiff" && !deep) {
        const QSize size = reader.size();
        if (size.isValid() && (size.width() > side || size.height() > side)) {
            reader.setScaledSize(size.scaled(side, side, Qt::KeepAspectRatio));
        }
        image = reader.read();
    }
    if (image.isNull()) {
        const RawDecodeResult decoded = decodeRawImageFile(path);
        if (!decoded.ok) {
            return {};
        }
        image = compositeImage(decoded.image);
        if (image.width() > side || image.height() > side) {
            image = image.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation);
        }
    }
    if (!image.isNull() && (image.width() < side / 2 || image.height() < side / 2)) {
        image = image.scaled(side, side, Qt::KeepAspectRatio, Qt::FastTransformation);
    }
    return image;
}

} // namespace studio
