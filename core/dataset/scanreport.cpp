#include "dataset/scanreport.h"
#include "dataset/imageformats.h"

#include <QDir>
#include <QJsonArray>

#include <algorithm>

namespace studio {

namespace {

// "uint8", "uint16", "float32": sample types as programs name them.
QString sampleTypeKey(int type)
{
    switch (SampleType(type)) {
    case SampleType::UInt8:
        return QStringLiteral("uint8");
    case SampleType::UInt16:
        return QStringLiteral("uint16");
    case SampleType::Float32:
        return QStringLiteral("float32");
    }
    return {};
}

// {"channels": {"4": 150}, "sample_types": {"uint16": 150}, "width": [min, max], ...}
QJsonObject formatsJson(const ClassImageFormats& tally)
{
    QJsonObject channels;
    for (auto it = tally.channels.begin(); it != tally.channels.end(); ++it) {
        channels.insert(QString::number(it.key()), it.value());
    }
    QJsonObject types;
    for (auto it = tally.sampleTypes.begin(); it != tally.sampleTypes.end(); ++it) {
        types.insert(sampleTypeKey(it.key()), it.value());
    }
    return QJsonObject{{QStringLiteral("images"), tally.images},
                       {QStringLiteral("channels"), channels},
                       {QStringLiteral("sample_types"), types},
                       {QStringLiteral("width"), QJsonArray{tally.minWidth, tally.maxWidth}},
                       {QStringLiteral("height"), QJsonArray{tally.minHeight, tally.maxHeight}},
                       {QStringLiteral("dim"), tally.dim},
                       {QStringLiteral("grey_as_rgb"), tally.greyAsColour},
                       {QStringLiteral("with_alpha"), tally.withAlpha},
                       {QStringLiteral("picture_in_alpha_only"), tally.pictureInAlphaOnly}};
}

} // namespace

QJsonObject scanReportJson(const DatasetIndex& index)
{
    QJsonObject json;
    json.insert(QStringLiteral("classes"), QJsonArray::fromStringList(index.classes));
    QJsonObject splits;
    for (int s = 0; s < kSplitCount; ++s) {
        QJsonObject counts;
        for (int c = 0; c < index.classes.size(); ++c) {
            counts.insert(index.classes[c], index.count(Split(s), c));
        }
        QJsonObject split;
        split.insert(QStringLiteral("counts"), counts);
        split.insert(QStringLiteral("total"), index.count(Split(s)));
        splits.insert(splitName(Split(s)), split);
    }
    json.insert(QStringLiteral("splits"), splits);
    json.insert(QStringLiteral("split_mode"), index.splitMode == SplitMode::Folders
                                                  ? QStringLiteral("folders")
                                                  : QStringLiteral("auto"));
    QJsonArray skipped;
    for (const SkippedFile& file : index.skipped) {
        skipped.append(QJsonObject{{QStringLiteral("path"), file.path},
                                   {QStringLiteral("reason"), file.reason}});
    }
    json.insert(QStringLiteral("skipped"), skipped);
    QJsonObject formats;
    for (int c = 0; c < index.formats.size() && c < index.classes.size(); ++c) {
        formats.insert(index.classes[c], formatsJson(index.formats[c]));
    }
    json.insert(QStringLiteral("formats"), formats);
    json.insert(QStringLiteral("image_channels"), index.imageChannels);
    json.insert(QStringLiteral("warnings"), QJsonArray::fromStringList(index.warnings));
    QJsonArray duplicates;
    for (const DuplicateGroup& group : index.duplicates) {
        duplicates.append(
            QJsonObject{{QStringLiteral("paths"), QJsonArray::fromStringList(group.paths)}});
    }
    json.insert(QStringLiteral("duplicates"), duplicates);
    return json;
}

QString scanReportText(const DatasetIndex& index)
{
    QString text;
    text += QStringLiteral("Dataset: %1\n").arg(QDir::toNativeSeparators(index.root));
    text += index.splitMode == SplitMode::Folders
                ? QStringLiteral("Layout: split folders (train/validation/test)\n")
                : QStringLiteral("Layout: one folder of class folders, split automatically; the "
                                 "split is recorded in %1\n")
                      .arg(QDir::toNativeSeparators(index.manifestPath));
    int width = 5;
    for (const QString& name : index.classes) {
        width = std::max(width, int(name.size()));
    }
    text += QStringLiteral("\n  %1 %2 %3 %4\n")
                .arg(QStringLiteral("class").leftJustified(width),
                     QStringLiteral("train").rightJustified(9),
                     QStringLiteral("validation").rightJustified(11),
                     QStringLiteral("test").rightJustified(9));
    for (int c = 0; c <= index.classes.size(); ++c) {
        const bool total = c == index.classes.size();
        const auto cell = [&](Split split, int w) {
            return QString::number(total ? index.count(split) : index.count(split, c))
                .rightJustified(w);
        };
        text += QStringLiteral("  %1 %2 %3 %4\n")
                    .arg((total ? QStringLiteral("total") : index.classes[c]).leftJustified(width),
                         cell(Split::Train, 9), cell(Split::Validation, 11), cell(Split::Test, 9));
    }
    if (!index.formats.isEmpty()) {
        text += QStringLiteral("\nImages:\n");
        for (int c = 0; c < index.formats.size() && c < index.classes.size(); ++c) {
            text +=
                QStringLiteral("  %1 %2\n")
                    .arg(index.classes[c].leftJustified(width), describeFormats(index.formats[c]));
        }
    }
    if (index.cachedImages > 0) {
        text += QStringLiteral("\n%1 of %2 images are cached in memory.\n")
                    .arg(index.cachedImages)
                    .arg(index.items.size());
    }
    if (!index.skipped.isEmpty()) {
        text += QStringLiteral("\nSkipped files (%1):\n").arg(index.skipped.size());
        for (const SkippedFile& file : index.skipped) {
            text += QStringLiteral("  %1: %2\n").arg(file.path, file.reason);
        }
    }
    if (!index.duplicates.isEmpty()) {
        text += QStringLiteral("\nIdentical images (%1 groups):\n").arg(index.duplicates.size());
        for (const DuplicateGroup& group : index.duplicates) {
            text += QStringLiteral("  %1\n").arg(group.paths.join(QStringLiteral(" = ")));
        }
    }
    if (!index.warnings.isEmpty()) {
        text += QStringLiteral("\nWarnings (%1):\n").arg(index.warnings.size());
        for (const QString& warning : index.warnings) {
            text += QStringLiteral("  - %1\n").arg(warning);
        }
    }
    return text;
}

} // namespace studio
