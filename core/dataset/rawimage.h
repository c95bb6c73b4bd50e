// Pixels exactly as an image file holds them: any number of channels, 8/16-bit or float.
#pragma once

#include <QString>

#include <cstdint>
#include <vector>

namespace studio {

// How one sample (one channel of one pixel) is stored.
enum class SampleType
{
    UInt8,
    UInt16,
    Float32
};

// Bits per sample: 8, 16 or 32.
int sampleBits(SampleType type);
// "8-bit", "16-bit", "32-bit float": the words reports use.
QString sampleTypeName(SampleType type);
// The largest value of the type's range: 255, 65535, or 1 for floats (their nominal range).
double sampleTypeMaximum(SampleType type);

// A decoded image before any conversion: height x width x channels samples, row-major,
// interleaved, channels in the file's order (RGB, not OpenCV's BGR). `alpha` tells that the
// last channel is transparency, not data.
struct RawImage
{
    int width = 0;
    int height = 0;
    int channels = 0;
    bool alpha = false;
    SampleType type = SampleType::UInt8;
    std::vector<uint8_t> data;

    int bytesPerSample() const { return sampleBits(type) / 8; }
    // The channels that carry data (alpha not counted).
    int dataChannels() const { return alpha ? channels - 1 : channels; }
    bool isEmpty() const { return data.empty(); }
};

// The sample at `index` of the image's data (pixel * channels + channel), as a double.
double sampleValue(const RawImage& image, size_t index);

// What a scan learns of one image: its shape, its depth, and how it uses its range.
struct ImageFormat
{
    int width = 0;
    int height = 0;
    int channels = 0; // data channels (alpha not counted)
    bool alpha = false;
    SampleType type = SampleType::UInt8;
    double brightest = 0;      // the largest data sample over sampleTypeMaximum(type)
    bool greyAsColour = false; // three channels, equal in every pixel
    // The picture is in the alpha channel alone: the data channels hold one flat colour while
    // the alpha varies (symbolic icons, masks saved as transparency). Without alpha it is blank.
    bool pictureInAlphaOnly = false;
};

ImageFormat describeImage(const RawImage& image);

// How many samples of a float image are NaN or infinite (0 for integer images).
qint64 countNonFinite(const RawImage& image);

} // namespace studio
