// How a dataset is found, split, loaded and augmented: the project file's "dataset" and
// "augmentation" sections. Plain values; JSON names (Keras's) are given beside each field.
#pragma once

#include <QPair>
#include <QString>
#include <QVector>

#include <tuple>

namespace studio {

enum class ColorMode
{
    Rgb,
    Grayscale
}; // "rgb" | "grayscale"
enum class SplitMode
{
    Folders,
    Auto
}; // "folders" | "auto"
enum class FillMode
{
    Nearest,
    Constant,
    Reflect,
    Wrap
}; // "nearest" | "constant" | ...

// What keeps images together in one split (and one fold): their specimen, slide, plate or patient.
enum class GroupBy
{
    None,   // "none": every image on its own
    Folder, // "folder": the folder right below the class folder (class/specimen/img.png)
    Pattern // "pattern": group_pattern's first capture (or whole match) in the file name
};

// How sample values become the network's input values. Legacy: no "normalization" key in the
// project file (older projects): 16-bit values scaled to 8 bit, then multiplied by rescale.
enum class Normalization
{
    Rescale,     // "rescale": value times rescale (Keras)
    Range,       // "range": value_range [low, high] -> [0, 1], the same for every channel
    Percentile,  // "percentile": per image and channel, percentiles [low, high] -> [0, 1], clipped
    Standardize, // "standardize": per channel, (value - mean) / std, both measured on the training
                 // split when a run starts (kept in the run folder and the model, not here)
    Legacy       // no key: not one of the file's names
};

// How an image of any shape becomes a square.
enum class ResizeMode
{
    Stretch, // "stretch": both sides to the square (Keras); shapes distort
    Pad,     // "pad": the longer side to the square, the rest filled with pad_value
    Crop     // "crop": the centred square of the shorter side's length
};

// Where the images are and how they become tensors.
struct DatasetSettings
{
    QString root;                             // "root": folder of splits or of class folders
    SplitMode splitMode = SplitMode::Folders; // "split_mode"
    double trainRatio = 0.8; // "split": {"train", "validation", "test"} (auto mode)
    double validationRatio = 0.1;
    double testRatio = 0.1;
    quint64 splitSeed = 42;               // "split_seed"
    GroupBy groupBy = GroupBy::None;      // "group_by"
    QString groupPattern;                 // "group_pattern": a regular expression
    int imageSize = 64;                   // "image_size": square side in pixels (in_size)
    ColorMode colorMode = ColorMode::Rgb; // "color_mode"
    double rescale = 1.0 / 255.0;         // "rescale"
    qint64 cacheBudgetBytes = 0;          // "cache_budget_mb" * 2^20; 0 = a share of RAM
    // "channels": the image channels the network sees, in order, counted from 0 here (from 1 in
    // the file). Empty: color_mode decides (grey or RGB, converted as Keras converts).
    QVector<int> channelList;
    Normalization normalization = Normalization::Legacy; // "normalization"
    double rangeLow = 0;                                 // "value_range": [low, high]
    double rangeHigh = 65535;
    // "value_range" as [[low, high], ...]: one range per channel the network sees, in input
    // order. Empty: the one pair above serves every channel.
    QVector<QPair<double, double>> channelRanges;
    double percentileLow = 0.5; // "percentiles": [low, high], in percent
    double percentileHigh = 99.8;
    ResizeMode resize = ResizeMode::Stretch; // "resize"
    double padValue = 0;                     // "pad_value": in normalised units

    int channels() const
    {
        return !channelList.isEmpty() ? int(channelList.size())
                                      : (colorMode == ColorMode::Rgb ? 3 : 1);
    }

    // Every member (a member added here must be compared here, and given an unusual value in
    // tst_project's unusualProject(), or sameProject() cannot see it dropped).
    friend bool operator==(const DatasetSettings& a, const DatasetSettings& b)
    {
        return std::tie(a.root, a.splitMode, a.trainRatio, a.validationRatio, a.testRatio,
                        a.splitSeed, a.groupBy, a.groupPattern, a.imageSize, a.colorMode, a.rescale,
                        a.cacheBudgetBytes, a.channelList, a.normalization, a.rangeLow, a.rangeHigh,
                        a.channelRanges, a.percentileLow, a.percentileHigh, a.resize, a.padValue) ==
               std::tie(b.root, b.splitMode, b.trainRatio, b.validationRatio, b.testRatio,
                        b.splitSeed, b.groupBy, b.groupPattern, b.imageSize, b.colorMode, b.rescale,
                        b.cacheBudgetBytes, b.channelList, b.normalization, b.rangeLow, b.rangeHigh,
                        b.channelRanges, b.percentileLow, b.percentileHigh, b.resize, b.padValue);
    }
    friend bool operator!=(const DatasetSettings& a, const DatasetSettings& b) { return !(a == b); }
};

// Keras ImageDataGenerator augmentation, applied to the training split only.
struct AugmentationSettings
{
    bool enabled = true;         // "enabled"
    double rotationRange = 0;    // "rotation_range": degrees
    double widthShiftRange = 0;  // "width_shift_range": fraction of width
    double heightShiftRange = 0; // "height_shift_range": fraction of height
    double shearRange = 0;       // "shear_range": degrees
    double zoomLow = 1;          // "zoom_range": a number z means [1-z, 1+z]
    double zoomHigh = 1;
    bool horizontalFlip = false; // "horizontal_flip"
    bool verticalFlip = false;   // "vertical_flip"
    double brightnessLow = 1;    // "brightness_range": [low, high]; 1 = unchanged
    double brightnessHigh = 1;
    FillMode fillMode = FillMode::Nearest; // "fill_mode"
    double cval = 0;                       // "cval": fill value for "constant", 0..255

    // Every member (a member added here must be compared here, and given an unusual value in
    // tst_project's unusualProject(), or sameProject() cannot see it dropped).
    friend bool operator==(const AugmentationSettings& a, const AugmentationSettings& b)
    {
        return std::tie(a.enabled, a.rotationRange, a.widthShiftRange, a.heightShiftRange,
                        a.shearRange, a.zoomLow, a.zoomHigh, a.horizontalFlip, a.verticalFlip,
                        a.brightnessLow, a.brightnessHigh, a.fillMode, a.cval) ==
               std::tie(b.enabled, b.rotationRange, b.widthShiftRange, b.heightShiftRange,
                        b.shearRange, b.zoomLow, b.zoomHigh, b.horizontalFlip, b.verticalFlip,
                        b.brightnessLow, b.brightnessHigh, b.fillMode, b.cval);
    }
    friend bool operator!=(const AugmentationSettings& a, const AugmentationSettings& b)
    {
        return !(a == b);
    }
};

} // namespace studio
