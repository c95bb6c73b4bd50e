// The input settings the app proposes for a scanned dataset (channels, colours, normalisation),
// with the reasons in plain words: one rule for the Data page and 'classifier-cli train --data'.
#pragma once

#include "dataset/datasetindex.h"
#include "dataset/datasetsettings.h"

#include <QStringList>

namespace studio {

// Proposed settings and why each differs from the defaults.
struct InputProposal
{
    DatasetSettings settings;         // the given settings with the proposed input settings
    QStringList channelReasons;       // one sentence per proposal on the channels
    QStringList normalizationReasons; // one sentence per proposal on the normalisation

    QStringList reasons() const { return channelReasons + normalizationReasons; }
};

// From what the scan saw: one channel -> grey; grey images stored as RGB -> grey (three times
// less work); more channels than RGB, or two -> every channel, in file order; 16-bit or float
// images that are dim -> each image's percentiles; other 16-bit images -> their full range;
// other float images -> percentiles. 8-bit images keep Keras's rescale. Other settings are
// kept as given.
InputProposal proposeInputSettings(const DatasetIndex& index, const DatasetSettings& settings);

// What a sample of a folder's images shows: the tally of their formats and their usual channel
// count. For proposing settings before a full scan (classifier-cli train --data).
struct FormatSample
{
    ClassImageFormats formats;
    int channels = 0;
};

// Decodes up to maxImages files spread evenly over the folder (hidden folders skipped, files
// that are not images ignored).
FormatSample sampleFormats(const QString& root, int maxImages = 240);

InputProposal proposeInputSettings(const FormatSample& sample, const DatasetSettings& settings);

} // namespace studio
