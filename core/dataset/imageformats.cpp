#include "dataset/imageformats.h"

#include <algorithm>
#include <functional>

namespace studio {

namespace {

// Below this share of its type's range an image is "dim".
constexpr double kDimShare = 0.1;
// Aspect ratios further apart than this factor are "mixed".
constexpr double kAspectSpread = 1.1;

bool greyOrRgb(int channels)
{
    return channels == 1 || channels == 3;
}

} // namespace

ClassImageFormats combinedFormats(const QVector<ClassImageFormats>& tallies)
{
    ClassImageFormats all;
    for (const ClassImageFormats& c : tallies) {
        if (c.images == 0) {
            continue;
        }
        for (auto it = c.channels.begin(); it != c.channels.end(); ++it) {
            all.channels[it.key()] += it.value();
        }
        for (auto it = c.sampleTypes.begin(); it != c.sampleTypes.end(); ++it) {
            all.sampleTypes[it.key()] += it.value();
        }
        const bool first = all.images == 0;
        all.minWidth = first ? c.minWidth : std::min(all.minWidth, c.minWidth);
        all.maxWidth = std::max(all.maxWidth, c.maxWidth);
        all.minHeight = first ? c.minHeight : std::min(all.minHeight, c.minHeight);
        all.maxHeight = std::max(all.maxHeight, c.maxHeight);
        all.minAspect = first ? c.minAspect : std::min(all.minAspect, c.minAspect);
        all.maxAspect = std::max(all.maxAspect, c.maxAspect);
        all.images += c.images;
        all.dim += c.dim;
        all.greyAsColour += c.greyAsColour;
        all.withAlpha += c.withAlpha;
        all.pictureInAlphaOnly += c.pictureInAlphaOnly;
    }
    return all;
}

namespace {

// "150 with 4 channels and 3 with 3" for a tally of counts.
QString listCounts(const QMap<int, int>& counts, const std::function<QString(int)>& name)
{
    QStringList parts;
    for (auto it = counts.begin(); it != counts.end(); ++it) {
        parts.append(QStringLiteral("%1 %2").arg(it.value()).arg(name(it.key())));
    }
    return parts.join(QStringLiteral(", "));
}

QString range(int low, int high)
{
    return low == high ? QString::number(low) : QStringLiteral("%1-%2").arg(low).arg(high);
}

} // namespace

void tallyFormat(const ImageFormat& format, ClassImageFormats* tally)
{
    const bool first = tally->images == 0;
    ++tally->images;
    ++tally->channels[format.channels];
    ++tally->sampleTypes[int(format.type)];
    const double aspect = format.height > 0 ? double(format.width) / format.height : 1.0;
    tally->minWidth = first ? format.width : std::min(tally->minWidth, format.width);
    tally->maxWidth = std::max(tally->maxWidth, format.width);
    tally->minHeight = first ? format.height : std::min(tally->minHeight, format.height);
    tally->maxHeight = std::max(tally->maxHeight, format.height);
    tally->minAspect = first ? aspect : std::min(tally->minAspect, aspect);
    tally->maxAspect = std::max(tally->maxAspect, aspect);
    // Blank without their alpha, not dim: their own warning says so (normalising cannot help).
    tally->dim += format.brightest < kDimShare && !format.pictureInAlphaOnly ? 1 : 0;
    tally->greyAsColour += format.greyAsColour ? 1 : 0;
    tally->withAlpha += format.alpha ? 1 : 0;
    tally->pictureInAlphaOnly += format.pictureInAlphaOnly ? 1 : 0;
}

int usualChannels(const std::vector<ImageFormat>& formats)
{
    QMap<int, int> counts;
    for (const ImageFormat& format : formats) {
        ++counts[format.channels];
    }
    int best = 0;
    int bestCount = 0;
    for (auto it = counts.begin(); it != counts.end(); ++it) {
        if (it.value() >= bestCount) {
            best = it.key();
            bestCount = it.value();
        }
    }
    return best;
}

QString channelMismatch(const ImageFormat& format, int datasetChannels)
{
    if (datasetChannels == 0 || format.channels == datasetChannels ||
        (greyOrRgb(format.channels) && greyOrRgb(datasetChannels))) {
        return {};
    }
    return QStringLiteral("it has %1 channel%2 but the dataset's images have %3 (most training "
                          "images do); save it with %3 channels, or move it out of the dataset")
        .arg(format.channels)
        .arg(format.channels == 1 ? QString() : QStringLiteral("s"))
        .arg(datasetChannels);
}

QStringList formatWarnings(const DatasetIndex& index, int networkChannels,
                           Normalization normalization, ResizeMode resize)
{
    const ClassImageFormats all = combinedFormats(index.formats);
    QStringList warnings;
    if (all.images == 0) {
        return warnings;
    }
    const auto channelsName = [](int n) {
        return n == 1 ? QStringLiteral("with 1 channel")
                      : QStringLiteral("with %1 channels").arg(n);
    };
    if (all.channels.size() > 1) {
        warnings.append(QStringLiteral("The images have different numbers of channels (%1); grey "
                                       "and RGB images are converted to the colour mode.")
                            .arg(listCounts(all.channels, channelsName)));
    }
    if (all.sampleTypes.size() > 1) {
        warnings.append(
            QStringLiteral("The images have different bit depths (%1); a fixed intensity range "
                           "suits only one of them, so keep one kind, or normalise each image "
                           "by its own percentiles.")
                .arg(listCounts(all.sampleTypes,
                                [](int type) { return sampleTypeName(SampleType(type)); })));
    }
    const bool stretched = normalization == Normalization::Percentile ||
                           normalization == Normalization::Range ||
                           normalization == Normalization::Standardize;
    if (all.dim > 0 && !stretched) {
        warnings.append(QStringLiteral("%1 of %2 images are dim: their brightest pixel is under a "
                                       "tenth of the range of their bit depth, so scaled to 0-1 "
                                       "the network sees values near zero and may learn nothing. "
                                       "Normalise each image by its percentiles (Brightness "
                                       "normalisation; \"normalization\": \"percentile\").")
                            .arg(all.dim)
                            .arg(all.images));
    }
    if (all.greyAsColour > 0 && all.greyAsColour * 2 >= all.images) {
        warnings.append(QStringLiteral("%1 of %2 images are grey stored as RGB (three equal "
                                       "channels); the colour mode 'grayscale' gives the network "
                                       "the same information with three times less work.")
                            .arg(all.greyAsColour)
                            .arg(all.images));
    }
    if (all.maxAspect > all.minAspect * kAspectSpread && resize == ResizeMode::Stretch) {
        warnings.append(QStringLiteral("The images have different shapes (width/height from %1 "
                                       "to %2); each is stretched to a square, which distorts "
                                       "the shapes of some more than others. To keep shapes, "
                                       "fit them inside the square or cut out its centre "
                                       "(Non-square images; \"resize\": \"pad\" or \"crop\").")
                            .arg(all.minAspect, 0, 'f', 2)
                            .arg(all.maxAspect, 0, 'f', 2));
    }
    if (all.withAlpha > 0) {
        warnings.append(all.withAlpha == 1
                            ? QStringLiteral("1 image has a transparency (alpha) channel; it is "
                                             "dropped.")
                            : QStringLiteral("%1 images have a transparency (alpha) channel; it "
                                             "is dropped.")
                                  .arg(all.withAlpha));
    }
    if (all.pictureInAlphaOnly > 0) {
        warnings.append(pictureInAlphaWarning(all.pictureInAlphaOnly, all.images));
    }
    if (index.imageChannels > networkChannels && !greyOrRgb(index.imageChannels)) {
        const int first = networkChannels + 1;
        warnings.append(QStringLiteral("The images have %1 channels, but the colour mode gives "
                                       "the network only %2: %3 left out, and what only %4 "
                                       "cannot be learned.")
                            .arg(index.imageChannels)
                            .arg(networkChannels)
                            .arg(first == index.imageChannels
                                     ? QStringLiteral("channel %1 is").arg(first)
                                     : QStringLiteral("channels %1 to %2 are")
                                           .arg(first)
                                           .arg(index.imageChannels),
                                 first == index.imageChannels ? QStringLiteral("it shows")
                                                              : QStringLiteral("they show")));
    }
    return warnings;
}

QString describeFormats(const ClassImageFormats& tally)
{
    if (tally.images == 0) {
        return {};
    }
    QStringList channels;
    for (auto it = tally.channels.begin(); it != tally.channels.end(); ++it) {
        channels.append(QString::number(it.key()));
    }
    QStringList types;
    for (auto it = tally.sampleTypes.begin(); it != tally.sampleTypes.end(); ++it) {
        types.append(sampleTypeName(SampleType(it.key())));
    }
    return QStringLiteral("%1 channel%2, %3, %4 x %5 px")
        .arg(channels.join(QLatin1Char('/')))
        .arg(channels.size() == 1 && channels.first() == QLatin1String("1") ? QString()
                                                                            : QStringLiteral("s"))
        .arg(types.join(QLatin1Char('/')))
        .arg(range(tally.minWidth, tally.maxWidth), range(tally.minHeight, tally.maxHeight));
}

QString pictureInAlphaWarning(int count, int images)
{
    const QString who = count == 1        ? QStringLiteral("%1 image holds its picture")
                        : count == images ? QStringLiteral("All %1 images hold their picture")
                                          : QStringLiteral("%1 images hold their picture");
    return QStringLiteral("%1 in the transparency (alpha) channel alone: under it %2 one flat "
                          "colour, as symbolic icons and masks saved as transparency are. The "
                          "alpha channel is dropped, so the network would see %3 blank. Give "
                          "%4 an opaque background first, on a copy of the folder (with "
                          "ImageMagick: mogrify -background white -alpha remove -alpha off "
                          "*.png).")
        .arg(who.arg(count), count == 1 ? QStringLiteral("it is") : QStringLiteral("they are"),
             count == 1 ? QStringLiteral("it") : QStringLiteral("them"),
             count == 1 ? QStringLiteral("it") : QStringLiteral("them"));
}

} // namespace studio
