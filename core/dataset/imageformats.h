// What a scan learns of the images' formats: tallies per class, the dataset's channel count,
// which images do not fit it, and warnings in plain words.
#pragma once

#include "dataset/datasetindex.h"
#include "dataset/datasetsettings.h"
#include "dataset/rawimage.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace studio {

// Counts one image into its class's tally.
void tallyFormat(const ImageFormat& format, ClassImageFormats* tally);

// The tallies of several classes in one.
ClassImageFormats combinedFormats(const QVector<ClassImageFormats>& tallies);

// The number of channels most of `formats` have (ties: the larger); 0 when empty.
int usualChannels(const std::vector<ImageFormat>& formats);

// Why an image of `format` cannot join a dataset of `datasetChannels` channels, or an empty
// string when it can: the same count, or grey among RGB and RGB among grey (converted as Keras
// converts them).
QString channelMismatch(const ImageFormat& format, int datasetChannels);

// Sentences on the formats: mixed channel counts or sample types, dim images, grey images
// stored as RGB, mixed aspect ratios, dropped alpha, and channels the colour mode leaves out.
// Dim images are not mentioned when the normalisation stretches them (range, percentile,
// standardize), nor mixed aspect ratios when the resize keeps shapes (pad, crop).
QStringList formatWarnings(const DatasetIndex& index, int networkChannels,
                           Normalization normalization = Normalization::Legacy,
                           ResizeMode resize = ResizeMode::Stretch);

// The warning for `count` of `images` images that hold their picture in the alpha channel
// alone (blank once it is dropped), with what to do.
QString pictureInAlphaWarning(int count, int images);

// "4 channels, 16-bit, 96-128 x 96 px": one class's tally in a few words.
QString describeFormats(const ClassImageFormats& tally);

} // namespace studio
