// Test data: TIFF files as microscopes write them (16-bit, float, many channels, pages,
// stacks), and datasets of dim multi-channel "cells" made of them. Written with libtiff.
#pragma once

#include <QString>

#include <vector>

namespace studio::testdata {

// How a TIFF stores its samples.
enum class TiffSamples
{
    UInt8,
    UInt16,
    Float32,
    Int16
};

// How a TIFF stores its channels.
enum class TiffLayout
{
    Interleaved, // one page, all channels in each pixel (PlanarConfiguration 1)
    Planar,      // one page, one plane per channel (PlanarConfiguration 2)
    Pages        // one page per channel
};

// One TIFF to write.
struct TiffSpec
{
    int width = 0;
    int height = 0;
    int channels = 1;
    TiffSamples samples = TiffSamples::UInt16;
    TiffLayout layout = TiffLayout::Interleaved;
    bool tiled = false;      // 16x16 tiles instead of strips
    bool compressed = false; // deflate with the horizontal predictor
    bool alpha = false;      // the last channel is marked as (unassociated) alpha
    bool minIsWhite = false; // PhotometricInterpretation 0
    QString description;     // ImageDescription of the first page (ImageJ, OME-XML)
    int extraPages = 0;      // pages beyond the channels, each a copy of the first
    int reducedPage = 0;     // side of a reduced-resolution (thumbnail) page to add, or 0
};

// Writes `values` (height x width x channels, interleaved, in the units of the sample type)
// as a TIFF; false when libtiff fails.
bool writeTiff(const QString& path, const TiffSpec& spec, const std::vector<double>& values);

// A dataset of dim fluorescence "cells" of three shape classes (elongated, ring, round).
struct ScienceCells
{
    int perClass = 30;
    int width = 128;
    int height = 96;
    int channels = 1;
    // When >= 0: every channel shows round cells, and only this channel shows the class's
    // shape (a stain that only one filter sees).
    int classChannel = -1;
    double brightest = 0.04; // the cells' brightness as a fraction of the 16-bit range
    TiffSamples samples = TiffSamples::UInt16;
    TiffLayout layout = TiffLayout::Interleaved;
    unsigned seed = 1;
};

// Writes ROOT/{elongated,ring,round}/<class>_<i>.tif; reproducible from the seed.
void makeScienceCells(const QString& root, const ScienceCells& options);

} // namespace studio::testdata
