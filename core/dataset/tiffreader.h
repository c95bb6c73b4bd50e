// Reading TIFF files through libtiff at full fidelity: every sample, every channel, every page.
#pragma once

#include "dataset/rawimage.h"

#include <QByteArray>
#include <QString>

namespace studio {

// A TIFF decoded, or why it could not be.
struct TiffReadResult
{
    bool ok = false;
    bool damaged = false; // the file is cut off or corrupt (not merely unsupported)
    RawImage image;
    QString error; // a sentence for people when !ok
};

// The most pages a TIFF without stack metadata may have to be read as channels.
constexpr int kMaxTiffChannels = 16;

// Decodes the TIFF in `bytes`. 8- and 16-bit unsigned samples stay as they are; signed, 32-bit
// integer and 64-bit float samples become 32-bit float; bilevel, palette and YCbCr images
// become 8-bit grey or RGB. Samples keep the file's order (planar files are interleaved). A
// multi-page file whose pages are one channel each, of one size and type, is read with its
// pages as channels (reduced-resolution pages are ignored); ImageJ hyperstacks and OME-TIFF
// files are read from their metadata, and those with several z-slices, time points or series
// are refused with a message, as are pages that differ. Images with more than maxPixels
// pixels are refused before decoding. Thread-safe; prints nothing.
TiffReadResult readTiff(const QByteArray& bytes, qint64 maxPixels);

} // namespace studio
