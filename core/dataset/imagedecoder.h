// Turning an image file into the pixels a model sees: decode, 8-bit, channels, square resize.
#pragma once

#include "dataset/datasetindex.h"

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <vector>

namespace studio {

// The shape every image of a dataset is brought to: square side and channels (1 or 3).
struct ImageShape
{
    int size = 64;
    int channels = 3;

    qint64 bytes() const { return qint64(size) * size * channels; }
};

// A decoded image. `pixels` is height x width x channels, row-major, interleaved (RGB order),
// uint8; width and height are the shape's size unless DecodeSize::KeepSmaller kept them;
// pixels is empty when only the hash was asked for.
struct DecodedImage
{
    int sourceWidth = 0;
    int sourceHeight = 0;
    int width = 0;
    int height = 0;
    quint64 pixelHash = 0; // of the decoded pixels as stored in the file (before any conversion)
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

// Decodes any format OpenCV reads (decoding decides, not the extension). Drops alpha, scales
// 16-bit to 8-bit, converts to `shape.channels`, resizes to a square (area interpolation when
// shrinking, linear when enlarging). With wantPixels false only the hash and size are made.
// Thread-safe; called from worker threads.
DecodeResult decodeImageFile(const QString& path, const ImageShape& shape, bool wantPixels = true,
                             DecodeSize size = DecodeSize::Square);
DecodeResult decodeImageBytes(const QByteArray& bytes, const ImageShape& shape,
                              bool wantPixels = true, DecodeSize size = DecodeSize::Square);

// Brings width x height x shape.channels pixels to shape.size x shape.size with the same rule
// as decoding (area when shrinking, linear when enlarging): decoding with KeepSmaller and then
// calling this gives exactly the pixels of DecodeSize::Square. dst must not overlap src.
void resizeToShape(const uint8_t* src, int width, int height, const ImageShape& shape,
                   uint8_t* dst);

} // namespace studio
