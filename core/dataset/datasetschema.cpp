#include "dataset/datasetschema.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace studio {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("studio::DatasetSchema", text);
}

using F = SettingField;

// The channels, normalisation and resize settings: how sample values become the network's.
void addValueFields(DatasetSchema& s)
{
    const QString dataset = QStringLiteral("dataset");
    s.channels =
        F::integerList(dataset, QStringLiteral("channels"), 1, 16, tr("Channels the network sees"),
                       tr("Which of the images' channels the network sees, in this order, counted "
                          "from 1 (as in ImageJ): [1, 2, 3, 4] for every channel of a 4-channel "
                          "stack, [2] for the second alone. Channels are kept as they are, not "
                          "converted to grey or RGB. A project sets either this or the colours, "
                          "not both."))
            .withOption(QStringLiteral("channels"));
    s.normalization =
        F::choice(dataset, QStringLiteral("normalization"),
                  {{QStringLiteral("rescale"), tr("Multiply by the pixel scale")},
                   {QStringLiteral("range"), tr("A fixed value range to 0..1")},
                   {QStringLiteral("percentile"), tr("Each image's own percentiles to 0..1")},
                   {QStringLiteral("standardize"),
                    tr("Each channel's mean and spread, measured on the training images")}},
                  QStringLiteral("rescale"), tr("Brightness normalisation"),
                  tr("How sample values become the network's input values. Multiply by the pixel "
                     "scale (Keras's rescale) suits 8-bit photographs. A fixed value range (say "
                     "0 to 4095 for a 12-bit camera) keeps brightness comparable between "
                     "images. Each image's own percentiles (0.5 % to 99.8 %) make dim and bright "
                     "images alike: the usual choice for fluorescence microscopy. Each channel's "
                     "mean and spread (Keras's featurewise_center and "
                     "featurewise_std_normalization) subtracts the mean of the training images' "
                     "pixels and divides by their standard deviation, measured when a run starts "
                     "and kept with the run and its model. Without this "
                     "setting, 16-bit images are scaled to 8 bit first, as in older projects."))
            .withOption(QStringLiteral("normalization"));
    s.valueRange =
        F::numberPair(dataset, QStringLiteral("value_range"), NumberRange::closed(-1e12, 1e12),
                      QJsonArray{0.0, 65535.0}, 2, tr("Value range"),
                      tr("With a fixed value range: the sample value that becomes 0 and the one "
                         "that becomes 1 (0 and 4095 for a 12-bit camera, 0 and 65535 for 16 "
                         "bits), the same for every channel; or one pair per channel the network "
                         "sees, in its order: [[0, 4095], [0, 255]] in the project file, "
                         "--value-range 0,4095,0,255 on the command line."))
            .withStrictPair()
            .withPairPerChannel()
            .withOption(QStringLiteral("value-range"));
    s.percentiles =
        F::numberPair(dataset, QStringLiteral("percentiles"), NumberRange::closed(0, 100),
                      QJsonArray{0.5, 99.8}, 2, tr("Percentiles"),
                      tr("With each image's own percentiles: the percentile of each channel's "
                         "values that becomes 0 and the one that becomes 1; values beyond them "
                         "are clipped. 0.5 and 99.8 ignore a few dead or saturated pixels."))
            .withUnit(tr(" %"))
            .withStrictPair()
            .withOption(QStringLiteral("percentiles"));
    s.resize = F::choice(dataset, QStringLiteral("resize"),
                         {{QStringLiteral("stretch"), tr("Stretch to a square")},
                          {QStringLiteral("pad"), tr("Fit inside a square, pad the rest")},
                          {QStringLiteral("crop"), tr("Cut the centre square")}},
                         QStringLiteral("stretch"), tr("Non-square images"),
                         tr("How an image that is not square becomes a square: stretch it "
                            "(Keras's behaviour; shapes are distorted), fit it whole inside "
                            "the square and fill the rest with the padding value (shapes are "
                            "kept), or cut out its centre square (shapes are kept, the edges "
                            "are lost)."))
                   .withOption(QStringLiteral("resize"));
    s.padValue = F::number(dataset, QStringLiteral("pad_value"), NumberRange::closed(-1e6, 1e6), 0,
                           3, tr("Padding value"),
                           tr("The value of the padding around fitted images, in normalised "
                              "units: the value the network sees (0 is black after a range or "
                              "percentile normalisation)."))
                     .withOption(QStringLiteral("pad-value"));
}

DatasetSchema makeDatasetSchema()
{
    const QString dataset = QStringLiteral("dataset");
    const QString split = QStringLiteral("dataset.split");
    DatasetSchema s;
    s.root = F::text(dataset, QStringLiteral("root"), tr("Images folder"),
                     tr("The folder of class folders (or of train/, validation/ and test/ folders "
                        "holding class folders). Relative to the project file."));
    s.splitMode = F::choice(
        dataset, QStringLiteral("split_mode"),
        {{QStringLiteral("folders"), tr("Use my train, validation and test folders")},
         {QStringLiteral("auto"), tr("Split one folder of classes for me")}},
        QStringLiteral("folders"), tr("How images are split"),
        tr("The training images (about 80 %) teach the network; the validation images (about "
           "10 %) show during training whether it generalises or only memorises; the test "
           "images (about 10 %) judge the finished model. The first choice uses your train/, "
           "validation/ and test/ folders; the second splits a single folder of class folders, "
           "stratified per class, and records the split so it never changes silently. The "
           "folders decide: this setting is checked against them."));
    s.trainRatio = F::number(split, QStringLiteral("train"), NumberRange{0, 1, true, false}, 0.8, 2,
                             tr("Share for training"),
                             tr("Share of each class used for training (automatic split)."));
    s.validationRatio =
        F::number(split, QStringLiteral("validation"), NumberRange::halfOpen(0, 1), 0.1, 2,
                  tr("Share for validation"),
                  tr("Share of each class held back to watch for over-fitting during training "
                     "(automatic split)."));
    s.testRatio = F::number(split, QStringLiteral("test"), NumberRange::halfOpen(0, 1), 0.1, 2,
                            tr("Share for the final test"),
                            tr("Share of each class kept for the final test (automatic split)."));
    s.splitSeed = F::integer(dataset, QStringLiteral("split_seed"), 0, kLargestExactInteger, 42,
                             tr("Split seed"),
                             tr("The random seed of the automatic split: the same seed gives the "
                                "same split."));
    s.groupBy = F::choice(
        dataset, QStringLiteral("group_by"),
        {{QStringLiteral("none"), tr("Every image on its own")},
         {QStringLiteral("folder"), tr("By the folder inside each class folder")},
         {QStringLiteral("pattern"), tr("By a part of the file name")}},
        QStringLiteral("none"), tr("Keep together"),
        tr("Images of one specimen, slide, plate or patient go to the same split (and fold), so "
           "that the test measures new specimens, not new pictures of known ones."));
    s.groupPattern = F::text(dataset, QStringLiteral("group_pattern"), tr("Group pattern"),
                             tr("A regular expression that finds the group in a file name: its "
                                "first capture, e.g. ^(slide\\d+)_."));
    s.imageSize = F::integer(dataset, QStringLiteral("image_size"), 8, 1024, 64, tr("Image size"),
                             tr("Every image is brought to a square of this edge length (the "
                                "tutorial's in_size). Higher resolutions take more time to "
                                "process; lower ones can lose details that matter for the "
                                "classification."))
                      .withKeras(QStringLiteral("target_size"))
                      .withUnit(tr(" px"))
                      .withOption(QStringLiteral("image-size"));
    s.colorMode = F::choice(dataset, QStringLiteral("color_mode"),
                            {{QStringLiteral("rgb"), tr("Colour (3 channels)")},
                             {QStringLiteral("grayscale"), tr("Grey (1 channel)")}},
                            QStringLiteral("rgb"), tr("Colours"),
                            tr("Colour: three channels; grey: one channel, for images where "
                               "colour carries no information (three times less work)."))
                      .withOption(QStringLiteral("color-mode"));
    addValueFields(s);
    s.rescale = F::number(dataset, QStringLiteral("rescale"), NumberRange{0, 1, true, false},
                          1.0 / 255.0, 6, tr("Pixel scale"),
                          tr("Pixel values are multiplied by this. 1/255 = 0.003922 brings them "
                             "from 0..255 into 0..1: model fitting works best when all inputs "
                             "lie in a similar, small range."));
    s.cacheBudgetMb =
        F::number(dataset, QStringLiteral("cache_budget_mb"), NumberRange::closed(0, 1 << 30), 0, 0,
                  tr("Memory for decoded images"),
                  tr("How many MiB of decoded images are kept in memory between "
                     "epochs; 0 takes a share of the computer's memory."))
            .withUnit(tr(" MiB"));
    return s;
}

AugmentationSchema makeAugmentationSchema()
{
    const QString section = QStringLiteral("augmentation");
    AugmentationSchema s;
    s.enabled = F::flag(section, QStringLiteral("enabled"), true, tr("Augment the training images"),
                        tr("Augmentation shows the network slightly altered copies of the "
                           "training images in every epoch, so that it learns the objects rather "
                           "than the particular pictures: a guard against over-fitting when "
                           "there are few images. Validation and test images are never "
                           "augmented."));
    s.rotationRange = F::number(section, QStringLiteral("rotation_range"),
                                NumberRange::closed(0, 180), 0, 1, tr("Turn by up to"),
                                tr("Turns each image by a random angle between minus and plus "
                                   "this many degrees."))
                          .withUnit(tr(" °"));
    // Below 1: Keras reads 1 and more as pixels, not as a fraction.
    s.widthShiftRange = F::number(section, QStringLiteral("width_shift_range"),
                                  NumberRange::halfOpen(0, 1), 0, 2, tr("Shift sideways up to"),
                                  tr("Moves each image sideways by up to this fraction of its "
                                     "width (0.1 = 10 %)."));
    s.heightShiftRange = F::number(section, QStringLiteral("height_shift_range"),
                                   NumberRange::halfOpen(0, 1), 0, 2, tr("Shift up or down up to"),
                                   tr("Moves each image up or down by up to this fraction of its "
                                      "height."));
    s.shearRange = F::number(section, QStringLiteral("shear_range"), NumberRange::halfOpen(0, 90),
                             0, 1, tr("Slant by up to"),
                             tr("Slants each image by a random shear angle up to this many "
                                "degrees, as if seen at an angle."))
                       .withUnit(tr(" °"));
    s.zoomRange =
        F::numberPair(section, QStringLiteral("zoom_range"), NumberRange{0, 5, true, false},
                      QJsonArray{1.0, 1.0}, 2, tr("Zoom between"),
                      tr("Each image is zoomed by a random factor in [low, high]; "
                         "above 1 shows more of the image (smaller objects), below 1 "
                         "zooms in. Keras's zoom_range=z means [1-z, 1+z]."));
    s.horizontalFlip =
        F::flag(section, QStringLiteral("horizontal_flip"), false, tr("Flip left-right"),
                tr("Mirrors half of the images left to right. Use it when a "
                   "mirrored object is still the same class."));
    s.verticalFlip =
        F::flag(section, QStringLiteral("vertical_flip"), false, tr("Flip upside down"),
                tr("Turns half of the images upside down. Right for microscopy or "
                   "aerial images, wrong for letters or faces."));
    s.brightnessRange =
        F::numberPair(section, QStringLiteral("brightness_range"), NumberRange::closed(0, 5),
                      QJsonValue(), 2, tr("Brightness between"),
                      tr("Pixel values are multiplied by a random factor in "
                         "[low, high]; 1 leaves them unchanged."));
    s.fillMode = F::choice(section, QStringLiteral("fill_mode"),
                           {{QStringLiteral("nearest"), tr("Repeat the edge pixels")},
                            {QStringLiteral("constant"), tr("One grey value")},
                            {QStringLiteral("reflect"), tr("Mirror the image")},
                            {QStringLiteral("wrap"), tr("Tile the image")}},
                           QStringLiteral("nearest"), tr("Fill uncovered corners with"),
                           tr("How the corners uncovered by a turn, shift or zoom are filled: "
                              "repeat the edge pixels, one grey value, a mirror image or tiles "
                              "of the image."));
    s.cval = F::number(section, QStringLiteral("cval"), NumberRange::closed(0, 255), 0, 3,
                       tr("Fill grey value"),
                       tr("The grey value of the filled corners when they are filled with one "
                          "grey value: 0 black to 255 white, or, once a brightness "
                          "normalisation is chosen, in normalised units (0 to 1)."));
    return s;
}

} // namespace

QVector<const SettingField*> DatasetSchema::all() const
{
    return {&root,       &splitMode,    &trainRatio, &validationRatio, &testRatio, &splitSeed,
            &groupBy,    &groupPattern, &imageSize,  &colorMode,       &channels,  &normalization,
            &valueRange, &percentiles,  &rescale,    &resize,          &padValue,  &cacheBudgetMb};
}

QVector<const SettingField*> AugmentationSchema::all() const
{
    return {&enabled,   &rotationRange,  &widthShiftRange, &heightShiftRange, &shearRange,
            &zoomRange, &horizontalFlip, &verticalFlip,    &brightnessRange,  &fillMode,
            &cval};
}

const DatasetSchema& datasetSchema()
{
    static const DatasetSchema schema = makeDatasetSchema();
    return schema;
}

const AugmentationSchema& augmentationSchema()
{
    static const AugmentationSchema schema = makeAugmentationSchema();
    return schema;
}

} // namespace studio
