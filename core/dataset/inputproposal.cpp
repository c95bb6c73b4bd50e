#include "dataset/inputproposal.h"

#include "dataset/imagedecoder.h"
#include "dataset/imageformats.h"
#include "dataset/parallel_p.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>

#include <algorithm>
#include <atomic>
#include <numeric>

namespace studio {

namespace {

QString tr(const char* text, int n = -1)
{
    return QCoreApplication::translate("studio::InputProposal", text, nullptr, n);
}

// Images of one sample type across the dataset.
int imagesOfType(const ClassImageFormats& all, SampleType type)
{
    return all.sampleTypes.value(int(type));
}

// The channels: grey for one channel and grey-as-RGB, every channel beyond RGB.
void proposeChannels(int channels, const ClassImageFormats& all, InputProposal* proposal)
{
    DatasetSettings& s = proposal->settings;
    s.channelList.clear();
    s.channelRanges.clear(); // ranges given for other channels
    if (channels == 1) {
        s.colorMode = ColorMode::Grayscale;
        proposal->channelReasons << tr("The images have one channel: the network sees it as grey.");
    } else if (channels == 3 && all.greyAsColour * 2 > all.images) {
        s.colorMode = ColorMode::Grayscale;
        proposal->channelReasons << tr(
            "%n of the images are grey stored as RGB (three equal "
            "channels): the network sees one grey channel, three times less "
            "work.",
            all.greyAsColour);
    } else if (channels == 3) {
        s.colorMode = ColorMode::Rgb;
    } else if (channels > 0) {
        s.channelList.resize(channels);
        std::iota(s.channelList.begin(), s.channelList.end(), 0);
        proposal->channelReasons << tr(
            "The images have %n channels: the network sees every one, in "
            "the file's order.",
            channels);
    }
}

// The normalisation: 8-bit keeps rescale; deep images are normalised before anything else.
void proposeNormalization(const ClassImageFormats& all, InputProposal* proposal)
{
    DatasetSettings& s = proposal->settings;
    const int deep = imagesOfType(all, SampleType::UInt16) + imagesOfType(all, SampleType::Float32);
    if (deep * 2 <= all.images) {
        s.normalization = Normalization::Legacy;
        return;
    }
    if (all.dim * 2 > all.images || imagesOfType(all, SampleType::Float32) * 2 > all.images) {
        s.normalization = Normalization::Percentile;
        proposal->normalizationReasons
            << tr("Most images are 16-bit or float and %1: in each image, each "
                  "channel's percentiles %2 to %3 become 0 to 1.")
                   .arg(all.dim * 2 > all.images ? tr("dim (they use under a tenth of their range)")
                                                 : tr("have no fixed range"))
                   .arg(s.percentileLow)
                   .arg(s.percentileHigh);
        return;
    }
    s.normalization = Normalization::Range;
    s.rangeLow = 0;
    s.rangeHigh = 65535;
    proposal->normalizationReasons
        << tr("Most images are 16-bit: their whole range, 0 to 65535, becomes 0 to "
              "1, so brightness stays comparable between images.");
}

} // namespace

InputProposal proposeInputSettings(const FormatSample& sample, const DatasetSettings& settings)
{
    InputProposal proposal;
    proposal.settings = settings;
    if (sample.formats.images == 0) {
        return proposal;
    }
    proposeChannels(sample.channels, sample.formats, &proposal);
    proposeNormalization(sample.formats, &proposal);
    return proposal;
}

InputProposal proposeInputSettings(const DatasetIndex& index, const DatasetSettings& settings)
{
    return proposeInputSettings(FormatSample{combinedFormats(index.formats), index.imageChannels},
                                settings);
}

FormatSample sampleFormats(const QString& root, int maxImages)
{
    QStringList files;
    QDirIterator it(root, QDir::Files | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (!QDir(root).relativeFilePath(path).contains(QLatin1String("/."))) {
            files << path;
        }
    }
    files.sort();
    const qsizetype step = std::max<qsizetype>(1, files.size() / std::max(1, maxImages));
    std::vector<QString> picked;
    for (qsizetype i = 0; i < files.size() && int(picked.size()) < maxImages; i += step) {
        picked.push_back(files[i]);
    }
    std::vector<ImageFormat> formats(picked.size());
    std::vector<char> usable(picked.size(), 0);
    std::atomic<size_t> next{0};
    runOnWorkers(hardwareThreads(), [&](int) {
        for (size_t i = next++; i < picked.size(); i = next++) {
            const RawDecodeResult raw = decodeRawImageFile(picked[i]);
            if (raw.ok) {
                formats[i] = describeImage(raw.image);
                usable[i] = 1;
            }
        }
    });
    FormatSample sample;
    std::vector<ImageFormat> decoded;
    for (size_t i = 0; i < picked.size(); ++i) {
        if (usable[i]) {
            tallyFormat(formats[i], &sample.formats);
            decoded.push_back(formats[i]);
        }
    }
    sample.channels = usualChannels(decoded);
    return sample;
}

} // namespace studio
