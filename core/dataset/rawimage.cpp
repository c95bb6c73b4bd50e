#include "dataset/rawimage.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace studio {

int sampleBits(SampleType type)
{
    switch (type) {
    case SampleType::UInt8:
        return 8;
    case SampleType::UInt16:
        return 16;
    case SampleType::Float32:
        return 32;
    }
    return 8;
}

QString sampleTypeName(SampleType type)
{
    switch (type) {
    case SampleType::UInt8:
        return QStringLiteral("8-bit");
    case SampleType::UInt16:
        return QStringLiteral("16-bit");
    case SampleType::Float32:
        return QStringLiteral("32-bit float");
    }
    return {};
}

double sampleTypeMaximum(SampleType type)
{
    switch (type) {
    case SampleType::UInt8:
        return 255.0;
    case SampleType::UInt16:
        return 65535.0;
    case SampleType::Float32:
        return 1.0;
    }
    return 1.0;
}

double sampleValue(const RawImage& image, size_t index)
{
    switch (image.type) {
    case SampleType::UInt8:
        return image.data[index];
    case SampleType::UInt16: {
        uint16_t v;
        std::memcpy(&v, image.data.data() + 2 * index, 2);
        return v;
    }
    case SampleType::Float32: {
        float v;
        std::memcpy(&v, image.data.data() + 4 * index, 4);
        return v;
    }
    }
    return 0;
}

qint64 countNonFinite(const RawImage& image)
{
    if (image.type != SampleType::Float32) {
        return 0;
    }
    const size_t count = image.data.size() / 4;
    qint64 bad = 0;
    for (size_t i = 0; i < count; ++i) {
        bad += std::isfinite(sampleValue(image, i)) ? 0 : 1;
    }
    return bad;
}

namespace {

// Whether every pixel's data samples equal the first pixel's while the alpha sample varies.
bool pictureInAlphaOnly(const RawImage& image)
{
    const size_t pixels = size_t(image.width) * size_t(image.height);
    if (!image.alpha || pixels < 2) {
        return false;
    }
    const size_t stride = size_t(image.channels);
    const size_t alpha = stride - 1;
    const double firstAlpha = sampleValue(image, alpha);
    bool alphaVaries = false;
    for (size_t p = 1; p < pixels; ++p) {
        const size_t base = p * stride;
        for (size_t c = 0; c < alpha; ++c) {
            if (sampleValue(image, base + c) != sampleValue(image, c)) {
                return false;
            }
        }
        alphaVaries = alphaVaries || sampleValue(image, base + alpha) != firstAlpha;
    }
    return alphaVaries;
}

} // namespace

ImageFormat describeImage(const RawImage& image)
{
    ImageFormat format;
    format.width = image.width;
    format.height = image.height;
    format.channels = image.dataChannels();
    format.alpha = image.alpha;
    format.type = image.type;
    const size_t pixels = size_t(image.width) * size_t(image.height);
    const size_t stride = size_t(image.channels);
    const size_t data = size_t(format.channels);
    double brightest = 0;
    bool equalChannels = data == 3;
    for (size_t p = 0; p < pixels; ++p) {
        const size_t base = p * stride;
        for (size_t c = 0; c < data; ++c) {
            brightest = std::max(brightest, sampleValue(image, base + c));
        }
        if (equalChannels) {
            const double r = sampleValue(image, base);
            equalChannels = r == sampleValue(image, base + 1) && r == sampleValue(image, base + 2);
        }
    }
    format.brightest = brightest / sampleTypeMaximum(image.type);
    format.greyAsColour = equalChannels && pixels > 0;
    format.pictureInAlphaOnly = pictureInAlphaOnly(image);
    return format;
}

} // namespace studio
