// Scientific images made visible: any depth and number of channels to an 8-bit picture.
#pragma once

#include "dataset/rawimage.h"

#include <QColor>
#include <QImage>
#include <QString>

namespace studio {

// The colour channel `channel` of `channels` is shown in: red, green, blue for three channels;
// otherwise ImageJ's composite order (red, green, blue, grey, cyan, magenta, yellow), and white
// for a single channel.
QColor channelColour(int channel, int channels);

// A picture of the image for people. An 8-bit grey or RGB image is shown as it is; any other
// (16-bit, float, two or more than three channels) has each channel stretched between its 0.5th
// and 99.8th percentiles (so a dim fluorescence image is visible) and is shown grey (one
// channel), as RGB (three) or in false colours (added up). Alpha is left out.
QImage compositeImage(const RawImage& image);

// A thumbnail of at most side x side pixels of the image file: Qt's reader for the 8-bit
// formats it reads, compositeImage() of the decoded file for everything else (TIFF, 16-bit
// PNG). A null image when the file cannot be decoded.
QImage thumbnailOfFile(const QString& path, int side);

} // namespace studio
