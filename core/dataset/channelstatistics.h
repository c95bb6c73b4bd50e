// The standardize normalisation's statistics: each picked channel's mean and standard deviation
// over every pixel of a split's images, measured when a run starts and kept in its folder.
#pragma once

#include "common/result.h"
#include "dataset/datasetindex.h"
#include "dataset/inputspec.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QVector>

#include <atomic>

namespace studio {

// One mean and standard deviation (numpy.std: divided by the count) per picked channel, over
// every pixel of `images` images as decoded (before the square and the resize), with the
// channels picked as the spec picks them.
struct ChannelStatistics
{
    QVector<double> mean;
    QVector<double> std;
    int images = 0;     // images measured
    qint64 pixels = 0;  // pixels per channel measured
    int unreadable = 0; // images left out: unreadable since the scan

    // The spec with these statistics.
    InputSpec appliedTo(InputSpec spec) const;
};

// Measures the statistics of `split`'s images, decoding them in parallel on `threads` threads
// (0: all cores); the sums are combined in the index's order, so that the result does not
// depend on the threads. A split without a readable image, or a stop, is a Failure.
Result<ChannelStatistics> measureChannelStatistics(const DatasetIndex& index, Split split,
                                                   const InputSpec& spec, int threads = 0,
                                                   const std::atomic<bool>* cancel = nullptr);

// The statistics of one image's picked channels (the Data page's preview, before a run has
// measured the training split's); none (images 0) when the spec cannot prepare it.
ChannelStatistics imageStatistics(const RawImage& image, const InputSpec& spec);

// {"method": "standardize", "channels": [1, ...], "mean": [...], "std": [...], "images": N,
//  "pixels_per_channel": P, "split": "train"} (channels counted from 1; empty for grey or RGB).
QByteArray channelStatisticsToJson(const ChannelStatistics& statistics, const InputSpec& spec);
// Reads channelStatisticsToJson()'s bytes for `spec`; `source` names the file in messages.
// Statistics of another channel count, negative deviations or malformed JSON are a Failure.
Result<ChannelStatistics> channelStatisticsFromJson(const QByteArray& json, const InputSpec& spec,
                                                    const QString& source);

} // namespace studio
