// Scientific images made visible: any depth and number of channels to an 8-bit picture.
#pragma once

#include "dataset/datasetsettings.h"
#include "dataset/imagedecoder.h"
#include "dataset/inputspec.h"
#include "dataset/rawimage.h"

#include <QColor>
#include <QImage>
#include <QString>
#include <QVector>

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

// The network's input as a picture: CHW values (0 black, 1 full brightness, clipped) of
// `channels` planes of size x size, grey, RGB or in false colours as compositeImage().
QImage networkInputImage(const float* values, int channels, int size);

// One channel in grey, stretched between its 0.5th and 99.8th percentiles (8-bit channels of
// grey or RGB images as they are).
QImage channelImage(const RawImage& image, int channel);

// How a channel's values are spread: `counts` of equal bins from `low` to `high` (the type's
// range: 0-255, 0-65535; a float channel's own minimum and maximum).
struct ChannelHistogram
{
    double low = 0;
    double high = 0;
    double minimum = 0; // the channel's smallest and largest values
    double maximum = 0;
    QVector<double> counts;
};
ChannelHistogram channelHistogram(const RawImage& image, int channel, int bins);
// How `count` network values are spread, from min(0, smallest) to max(1, largest).
ChannelHistogram valueHistogram(const float* values, size_t count, int bins);

// The dataset's input spec for previewing one decoded image. Standardize's statistics are
// measured on the training split when a run starts; until then the image's own stand in, with
// black to white their mean -2.5 to +2.5 standard deviations.
InputSpec previewInputSpec(const DatasetSettings& dataset, const RawDecodeResult& raw);

// What becomes of an image channel in the network's input.
enum : int
{
    kChannelLeftOut = -1, // not seen
    kChannelMixed = -2    // converted to grey with the other colour channels (color_mode)
};

// The pictures and histograms of every channel of one image file, made on a worker thread.
struct ChannelPreview
{
    QString path;
    QString description; // "4 channels, 16-bit, 128 x 96 px"
    QImage composite;
    QVector<QImage> channels;
    QVector<ChannelHistogram> histograms;
    QString error; // when the file cannot be decoded
    // After normalisation, for the dataset settings the preview was made with (`spec`):
    InputSpec spec;
    QVector<int> planeOf; // per image channel: its input plane, kChannelLeftOut or kChannelMixed
    QVector<ChannelHistogram> normalised; // per image channel: the values the network sees
                                          // (no counts when the channel is no plane of its own)
    QString normalisationError;           // when the settings cannot prepare the image
};
// The file's channels as stored and as the network sees them with `dataset`'s settings
// (normalised and resized to the input square).
ChannelPreview makeChannelPreview(const QString& path, const DatasetSettings& dataset,
                                  int bins = 64);

// A thumbnail of at most side x side pixels of the image file: Qt's reader for the 8-bit
// formats it reads, compositeImage() of the decoded file for everything else (TIFF, 16-bit
// PNG). A null image when the file cannot be decoded.
QImage thumbnailOfFile(const QString& path, int side);

} // namespace studio
