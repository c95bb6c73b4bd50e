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

// A decoded image. `pixels` is size x size x channels, row-major, interleaved (RGB order),
// uint8; empty when only the hash was asked for.
struct DecodedImage
{
    int sourceWidth = 0;
    int sourceHeight = 0;
    quint64 pixelHash = 0; // of the decoded pixels as stored in the file (before any conversion)
    std::vector<uint8_t> pixels;
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
DecodeResult decodeImageFile(const QString& path, const ImageShape& shape, bool wantPixels = true);
DecodeResult decodeImageBytes(const QByteArray& bytes, const ImageShape& shape,
                              bool wantPixels = true);

} // namespace studio
