// What a scan found in a dataset folder: classes, the images of each split, and the problems.
#pragma once

#include "dataset/datasetsettings.h"

#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>

#include <array>

namespace studio {

enum class Split
{
    Train = 0,
    Validation = 1,
    Test = 2
};
constexpr int kSplitCount = 3;

// "train", "validation", "test": the names used in reports and JSON.
QString splitName(Split split);

// One usable image: where it is (relative to the dataset root, '/' separated) and its class.
struct DatasetItem
{
    QString path;
    int label = 0;
    Split split = Split::Train;
    quint64 pixelHash = 0; // hash of the decoded pixels before resizing (duplicate detection)
};

// Why a file was not used.
enum class SkipReason
{
    Empty,
    Truncated,
    NotAnImage,
    DanglingLink,
    PermissionDenied,
    Unreadable,
    ChannelMismatch // decodes, but has another number of channels than the dataset's images
};

// A file in a class folder that could not be used, with a reason a person understands.
struct SkippedFile
{
    QString path; // relative to the dataset root
    SkipReason kind = SkipReason::NotAnImage;
    QString reason;
};

// A class of the training split that has no usable image in `split` (empty), or no folder.
struct ClassProblem
{
    Split split = Split::Train;
    QString className;
    int files = 0; // for classes that are not in train: how many files were ignored
};

// Images with identical decoded pixels; crossSplit when they are in more than one split.
struct DuplicateGroup
{
    QStringList paths; // sorted: train first, then validation, then test
    bool crossSplit = false;
};

// What the usable images of one class are like (all splits): how many have each number of
// channels and each sample type, their size range, and how many are dim or grey stored as RGB.
struct ClassImageFormats
{
    QMap<int, int> channels;    // data channels (alpha not counted) -> images
    QMap<int, int> sampleTypes; // int(SampleType) -> images
    int images = 0;
    int minWidth = 0;
    int maxWidth = 0;
    int minHeight = 0;
    int maxHeight = 0;
    double minAspect = 0; // width / height
    double maxAspect = 0;
    int dim = 0;                // brightest sample under a tenth of the type's range
    int greyAsColour = 0;       // three equal channels
    int withAlpha = 0;          // alpha channel dropped
    int pictureInAlphaOnly = 0; // blank without their alpha channel (ImageFormat)
};

// The result of scanning a dataset folder. Problems are listed here; fatal ones are a Failure.
struct DatasetIndex
{
    QString root; // absolute
    SplitMode splitMode = SplitMode::Folders;
    QStringList classes; // from the training split, sorted by name (Keras / torchvision order)
    QVector<DatasetItem> items; // sorted by split, class, path
    bool hasValidation = false;
    bool hasTest = false;

    QVector<SkippedFile> skipped;
    QStringList strayFiles;               // files beside the class folders, relative paths
    QVector<ClassProblem> emptyClasses;   // class folder present, no usable image
    QVector<ClassProblem> missingClasses; // class of train without a folder in the split
    QVector<ClassProblem> unknownClasses; // class folder in validation/test that train lacks
    QVector<DuplicateGroup> duplicates;
    QVector<ClassImageFormats> formats; // per class, by label
    int imageChannels = 0;              // the dataset's channels: the training images' usual
    QStringList warnings;               // every problem above as a sentence, plus other notes

    QString manifestPath;    // auto split: where the split is recorded
    qint64 cachedImages = 0; // how many images the scan put into the cache

    // Positions in `items` of the images of one split, in order.
    QVector<int> indicesOf(Split split) const;
    int count(Split split) const;
    int count(Split split, int label) const;
    // Inverse class frequency of the training split, n / (classes * n_c); 0 for empty classes.
    QVector<float> classWeights() const;
};

} // namespace studio
