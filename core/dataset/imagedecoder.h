// Turning an image file into the pixels a model sees: decode, 8-bit, channels, square resize.
#pragma once

#include "dataset/datasetindex.h"
#include "dataset/rawimage.h"

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <vector>

namespace studio {

// The shape every image of a dataset is brought to: square side, channels and bytes per sample
// (1: uint8; 2: uint16, native byte order).
struct ImageShape
{
    int size = 64;
    int channels = 3;
    int sampleBytes = 1;

    qint64 bytes() const { return qint64(size) * size * channels * sampleBytes; }
};

// A decoded image. `pixels` is height x width x channels, row-major, interleaved (RGB order),
// uint8 (or uint16 when prepared by an InputSpec of 16-bit samples); width and height are the
// shape's size unless DecodeSize::KeepSmaller kept them; pixels is empty when only the hash was
// asked for.
struct DecodedImage
{
    int sourceWidth = 0;
    int sourceHeight = 0;
    int width = 0;
    int height = 0;
    quint64 pixelHash = 0; // of the decoded pixels as stored in the file (before any conversion)
    ImageFormat format;    // of the file's pixels, before any conversion
    std::vector<uint8_t> pixels;
};

// Square: every image is resized to the shape. KeepSmaller: an image no larger than the shape
// on both sides keeps its size (a cache then holds fewer bytes; resizeToShape() finishes it).
enum class DecodeSize
{
    Square,
    KeepSmaller
};

// Why decoding failed, and a sentence for people.
struct DecodeFailure
{
    SkipReason kind = SkipReason::NotAnImage;
    QString reason;
};

// Either a DecodedImage or a DecodeFailure.
struct DecodeResult
{
    bool ok = false;
    DecodedImage image;
    DecodeFailure failure;
};

// A file decoded at full fidelity (RawImage), with the hash of its pixels, or why it failed.
struct RawDecodeResult
{
    bool ok = false;
    RawImage image;
    quint64 pixelHash = 0;
    DecodeFailure failure;
};

// Decodes PNG, JPEG, BMP, WebP and PNM through OpenCV and TIFF through libtiff
// (readTiff()), converting nothing: channels in file order, 8/16-bit or float samples. Float
// images with NaN or infinite samples are refused. Thread-safe.
RawDecodeResult decodeRawImageFile(const QString& path);
RawDecodeResult decodeRawImageBytes(const QByteArray& bytes);

// Decodes what decodeRawImageBytes() reads (decoding decides, not the extension), then makes
// the 8-bit pixels the training pipeline takes: drops alpha (and a grey image's second
// channel), scales 16-bit to 8-bit, converts to `shape.channels` (images of more than four
// channels are refused), resizes to a square (area interpolation when shrinking, linear when
// enlarging). With wantPixels false only the hash, size and format are made. Thread-safe;
// called from worker threads.
DecodeResult decodeImageFile(const QString& path, const ImageShape& shape, bool wantPixels = true,
                             DecodeSize size = DecodeSize::Square);
DecodeResult decodeImageBytes(const QByteArray& bytes, const ImageShape& shape,
                              bool wantPixels = true, DecodeSize size = DecodeSize::Square);

// Brings width x height x shape.channels samples (of shape.sampleBytes) to shape.size x shape.size
// with the same rule as decoding (area when shrinking, linear when enlarging): decoding with
// KeepSmaller and then calling this gives exactly the pixels of DecodeSize::Square. dst must not
// overlap src.
void resizeToShape(const uint8_t* src, int width, int height, const ImageShape& shape,
                   uint8_t* dst);

} // namespace studio
