#include "channelcomposite.h"

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
    histogram.counts = QVector<double>(bins, 0.0);
    const double perBin = double(bins) / (histogram.high - histogram.low);
    for (const float v : values) {
        const int bin = std::clamp(int((double(v) - histogram.low) * perBin), 0, bins - 1);
        histogram.counts[bin] += 1;
    }
    return histogram;
}

ChannelPreview makeChannelPreview(const QString& path, int bins)
{
    ChannelPreview preview;
    preview.path = path;
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
