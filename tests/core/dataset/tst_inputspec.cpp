// Tests of core/dataset/inputspec: how a decoded image becomes the network's input (channels
// picked, normalised before anything is quantised, cropped or padded to a square), the spec's
// value map, the proposal from what a scan saw, and augmentation of 16-bit images with many
// channels.
#include "dataset/augmenter.h"
#include "dataset/imageformats.h"
#include "dataset/inputproposal.h"
#include "dataset/inputspec.h"
#include "sciencedataset.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace studio;
using namespace studio::testdata;

namespace {

// A 16-bit image's samples from a function of (row, column, channel).
template <typename F>
RawDecodeResult rawImage(int width, int height, int channels, F value,
                         SampleType type = SampleType::UInt16)
{
    RawDecodeResult result;
    result.ok = true;
    RawImage& raw = result.image;
    raw.width = width;
    raw.height = height;
    raw.channels = channels;
    raw.type = type;
    raw.data.resize(size_t(width) * size_t(height) * size_t(channels) *
                    size_t(sampleBits(type) / 8));
    for (int r = 0; r < height; ++r) {
        for (int c = 0; c < width; ++c) {
            for (int k = 0; k < channels; ++k) {
                const size_t i =
                    (size_t(r) * size_t(width) + size_t(c)) * size_t(channels) + size_t(k);
                const double v = value(r, c, k);
                if (type == SampleType::UInt16) {
                    reinterpret_cast<uint16_t*>(raw.data.data())[i] = uint16_t(v);
                } else if (type == SampleType::Float32) {
                    reinterpret_cast<float*>(raw.data.data())[i] = float(v);
                } else {
                    raw.data[i] = uint8_t(v);
                }
            }
        }
    }
    return result;
}

InputSpec specOf(Normalization normalization, int size, QVector<int> channels = {},
                 ResizeMode resize = ResizeMode::Stretch)
{
    DatasetSettings settings;
    settings.imageSize = size;
    settings.channelList = channels;
    settings.normalization = normalization;
    settings.resize = resize;
    return inputSpecOf(settings);
}

// The network values of a prepared square image, CHW.
std::vector<float> networkValues(const DecodeResult& prepared, const InputSpec& spec)
{
    std::vector<float> out(size_t(spec.imageSize) * size_t(spec.imageSize) *
                           size_t(spec.channels()));
    toNetworkValues(prepared.image.pixels.data(), spec, 1.0, out.data());
    return out;
}

// Rows and columns of a CHW plane whose value exceeds `threshold`: {rows, columns}.
std::pair<int, int> extentAbove(const std::vector<float>& plane, int size, float threshold)
{
    int top = size, bottom = -1, left = size, right = -1;
    for (int r = 0; r < size; ++r) {
        for (int c = 0; c < size; ++c) {
            if (plane[size_t(r) * size_t(size) + size_t(c)] > threshold) {
                top = std::min(top, r);
                bottom = std::max(bottom, r);
                left = std::min(left, c);
                right = std::max(right, c);
            }
        }
    }
    return {bottom - top + 1, right - left + 1};
}

} // namespace

class TestInputSpec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // A dim 16-bit image (values 100..1123 of 65535) fills 0..1 after percentile normalisation:
    // nothing was quantised to 8 bits first.
    void percentilesStretchADimImage()
    {
        const RawDecodeResult raw =
            rawImage(32, 32, 1, [](int r, int c, int) { return 100.0 + r * 32 + c; });
        const InputSpec spec = specOf(Normalization::Percentile, 32);
        QCOMPARE(spec.sampleBits(), 16);
        const DecodeResult prepared = prepareImage(raw, spec);
        QVERIFY2(prepared.ok, qPrintable(prepared.failure.reason));
        const std::vector<float> values = networkValues(prepared, spec);
        const auto [lowest, highest] = std::minmax_element(values.begin(), values.end());
        QCOMPARE(*lowest, 0.0f);
        QCOMPARE(*highest, 1.0f);
        // The middle pixel, as numpy.percentile would place it: (v - p0.5) / (p99.8 - p0.5).
        const double p0 = 100.0 + 0.005 * 1023;
        const double p1 = 100.0 + 0.998 * 1023;
        const double middle = 100.0 + 528; // row 16, column 16
        QVERIFY(std::abs(values[16 * 32 + 16] - (middle - p0) / (p1 - p0)) < 1e-4);
        // Many distinct levels survive (8 bits would leave at most 256).
        std::vector<float> distinct = values;
        std::sort(distinct.begin(), distinct.end());
        QVERIFY(std::unique(distinct.begin(), distinct.end()) - distinct.begin() > 1000);
    }

    void rangeMapsTheFixedRangeToZeroOne()
    {
        const RawDecodeResult raw =
            rawImage(8, 8, 1, [](int r, int, int) { return r < 4 ? 0 : 4095; });
        InputSpec spec = specOf(Normalization::Range, 8);
        spec.rangeHigh = 4095;
        const std::vector<float> values = networkValues(prepareImage(raw, spec), spec);
        QCOMPARE(values.front(), 0.0f);
        QCOMPARE(values.back(), 1.0f);
        QVERIFY(describeNormalization(spec).contains(QStringLiteral("4095")));
    }

    // Channels are picked in the settings' order, at full depth.
    // A range per channel: each channel's own [low, high] becomes 0..1.
    void aRangePerChannel()
    {
        InputSpec spec = specOf(Normalization::Range, 4, {0, 1});
        spec.channelRanges = {{0, 100}, {1000, 3000}};
        const RawDecodeResult raw =
            rawImage(4, 4, 2, [](int, int, int k) { return k == 0 ? 50.0 : 2000.0; });
        const DecodeResult prepared = prepareImage(raw, spec);
        QVERIFY2(prepared.ok, qPrintable(prepared.failure.reason));
        std::vector<float> values(4 * 4 * 2);
        toNetworkValues(prepared.image.pixels.data(), spec, 1.0, values.data());
        QVERIFY(std::abs(values[0] - 0.5f) < 1e-4);  // channel 1: 50 of 0..100
        QVERIFY(std::abs(values[16] - 0.5f) < 1e-4); // channel 2: 2000 of 1000..3000
        QVERIFY(describeNormalization(spec).contains(QStringLiteral("[0, 100], [1000, 3000]")));
    }

    // Channels-last values are the planar ones reordered, for 16-bit and 8-bit samples, with a
    // brightness, over a side whose pixel count is not a multiple of the vectorised run.
    void interleavedValuesAreThePlanarOnesReordered()
    {
        InputSpec wide = specOf(Normalization::Range, 7, {0, 1, 2, 3, 4});
        wide.channelRanges = {{0, 100}, {1000, 3000}, {0, 65535}, {5, 6}, {0, 1}};
        InputSpec photo = specOf(Normalization::Legacy, 9);
        for (const InputSpec& spec : {wide, photo}) {
            const int channels = spec.channels();
            const size_t plane = size_t(spec.imageSize) * size_t(spec.imageSize);
            std::vector<uint8_t> samples(plane * size_t(channels) * size_t(spec.sampleBits() / 8));
            for (size_t i = 0; i < samples.size(); ++i) {
                samples[i] = uint8_t((i * 37 + 11) % 251);
            }
            std::vector<float> planar(plane * size_t(channels));
            std::vector<float> interleaved(planar.size());
            toNetworkValues(samples.data(), spec, 0.8, planar.data());
            toInterleavedNetworkValues(samples.data(), spec, 0.8, interleaved.data());
            for (size_t p = 0; p < plane; ++p) {
                for (int c = 0; c < channels; ++c) {
                    QCOMPARE(interleaved[p * size_t(channels) + size_t(c)],
                             planar[size_t(c) * plane + p]);
                }
            }
        }
    }

    // With a channel list the colour mode means nothing: specs that differ only there are equal.
    void colourModeCountsOnlyWithoutAChannelList()
    {
        InputSpec a = specOf(Normalization::Range, 8, {0, 1});
        InputSpec b = a;
        a.colorMode = ColorMode::Grayscale;
        b.colorMode = ColorMode::Rgb;
        QVERIFY(a == b);
        a.channelList.clear();
        b.channelList.clear();
        QVERIFY(a != b);
    }

    // Picking channels keeps each one's own range; a channel new to the list gets the shared
    // range; grey or RGB (no list) drops them.
    void rangesFollowTheirChannels()
    {
        DatasetSettings d;
        d.channelList = {0, 1, 2, 3};
        d.normalization = Normalization::Range;
        d.rangeHigh = 9;
        d.channelRanges = {{0, 1}, {0, 2}, {0, 3}, {0, 4}};
        const DatasetSettings picked = withChannelList(d, {0, 2, 3});
        QCOMPARE(picked.channelList, (QVector<int>{0, 2, 3}));
        QCOMPARE(picked.channelRanges, (QVector<QPair<double, double>>{{0, 1}, {0, 3}, {0, 4}}));
        const DatasetSettings again = withChannelList(picked, {0, 2, 3, 1});
        QCOMPARE(again.channelRanges.last(), qMakePair(0.0, 9.0));
        QVERIFY(withChannelList(d, {}).channelRanges.isEmpty());
    }

    void channelsArePickedInOrder()
    {
        const RawDecodeResult raw =
            rawImage(4, 4, 4, [](int, int, int k) { return 1000.0 * (k + 1); });
        InputSpec spec = specOf(Normalization::Rescale, 4, {3, 0});
        spec.rescale = 1.0 / 65535;
        const DecodeResult prepared = prepareImage(raw, spec);
        QVERIFY2(prepared.ok, qPrintable(prepared.failure.reason));
        const std::vector<float> values = networkValues(prepared, spec);
        QVERIFY(std::abs(values[0] - 4000.0 / 65535) < 1e-6);  // first plane: channel 4
        QVERIFY(std::abs(values[16] - 1000.0 / 65535) < 1e-6); // second plane: channel 1

        const DecodeFailure missing =
            preparationProblem(raw.image, specOf(Normalization::Rescale, 4, {4}));
        QCOMPARE(missing.kind, SkipReason::ChannelMismatch);
        QVERIFY(missing.reason.contains(QStringLiteral("channel 5")));
    }

    // Float images cannot keep their values as 16-bit samples: a message, not a silent cast.
    void floatImagesNeedARangeOrPercentiles()
    {
        const RawDecodeResult raw = rawImage(
            4, 4, 1, [](int r, int, int) { return r * 0.25; }, SampleType::Float32);
        const DecodeResult refused = prepareImage(raw, specOf(Normalization::Rescale, 4));
        QVERIFY(!refused.ok);
        QVERIFY(refused.failure.reason.contains(QStringLiteral("dataset.normalization")));
        const InputSpec spec = specOf(Normalization::Percentile, 4);
        const DecodeResult prepared = prepareImage(raw, spec);
        QVERIFY(prepared.ok);
        QCOMPARE(networkValues(prepared, spec).back(), 1.0f);
    }

    // A wide image with a square spot: pad keeps the spot square, stretch makes it narrow,
    // crop keeps the centre at full resolution.
    void padKeepsShapesUndistorted()
    {
        // 64 x 32 px, a 16 x 16 spot in the middle.
        const RawDecodeResult raw = rawImage(64, 32, 1, [](int r, int c, int) {
            return (r >= 8 && r < 24 && c >= 24 && c < 40) ? 60000.0 : 0.0;
        });
        for (const ResizeMode mode : {ResizeMode::Pad, ResizeMode::Crop, ResizeMode::Stretch}) {
            InputSpec spec = specOf(Normalization::Rescale, 32, {}, mode);
            spec.rescale = 1.0 / 65535;
            spec.colorMode = ColorMode::Grayscale;
            const DecodeResult prepared = prepareImage(raw, spec);
            QVERIFY2(prepared.ok, qPrintable(prepared.failure.reason));
            QCOMPARE(prepared.image.width, 32);
            const auto [rows, columns] = extentAbove(networkValues(prepared, spec), 32, 0.45f);
            if (mode == ResizeMode::Pad) { // 64 -> 32: the spot is 8 x 8
                QCOMPARE(rows, 8);
                QCOMPARE(columns, 8);
            } else if (mode == ResizeMode::Crop) { // the centre 32 x 32 at full size
                QCOMPARE(rows, 16);
                QCOMPARE(columns, 16);
            } else { // twice as tall as wide
                QCOMPARE(rows, 16);
                QCOMPARE(columns, 8);
            }
        }
    }

    // The padding takes pad_value, in network units.
    void paddingTakesThePadValue()
    {
        const RawDecodeResult raw = rawImage(16, 8, 1, [](int, int, int) { return 65535.0; });
        InputSpec spec = specOf(Normalization::Range, 16, {0}, ResizeMode::Pad);
        spec.padValue = 0.5;
        const std::vector<float> values = networkValues(prepareImage(raw, spec), spec);
        QVERIFY(std::abs(values[0] - 0.5f) < 1e-4); // top row: padding
        QCOMPARE(values[8 * 16], 1.0f);             // middle row: the image
    }

    // Without a normalization key, the 8-bit path gives the bytes it always gave.
    void legacySpecGivesTheEightBitBytes()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("grey16.tif"));
        TiffSpec tiff;
        tiff.width = 40;
        tiff.height = 30;
        std::vector<double> values(size_t(40 * 30));
        for (size_t i = 0; i < values.size(); ++i) {
            values[i] = double((i * 977) % 65536);
        }
        QVERIFY(writeTiff(path, tiff, values));
        DatasetSettings settings;
        settings.imageSize = 24;
        const InputSpec spec = inputSpecOf(settings);
        QCOMPARE(spec.sampleBits(), 8);
        const DecodeResult legacy = decodeImageFile(path, ImageShape{24, 3});
        const DecodeResult prepared = decodeImageFile(path, spec);
        QVERIFY(legacy.ok && prepared.ok);
        QVERIFY(legacy.image.pixels == prepared.image.pixels);
    }

    // The proposal follows what the scan saw, and says why.
    void proposalFollowsTheImages()
    {
        const auto sample = [](int channels, SampleType type, double brightest, int images = 10) {
            FormatSample s;
            for (int i = 0; i < images; ++i) {
                ImageFormat f;
                f.channels = channels;
                f.type = type;
                f.width = f.height = 32;
                f.brightest = brightest;
                tallyFormat(f, &s.formats);
            }
            s.channels = channels;
            return s;
        };
        const DatasetSettings defaults;
        const InputProposal dim =
            proposeInputSettings(sample(1, SampleType::UInt16, 0.04), defaults);
        QCOMPARE(dim.settings.normalization, Normalization::Percentile);
        QCOMPARE(dim.settings.colorMode, ColorMode::Grayscale);
        QCOMPARE(dim.reasons().size(), 2);

        const InputProposal stack =
            proposeInputSettings(sample(4, SampleType::UInt16, 0.6), defaults);
        QCOMPARE(stack.settings.channelList, (QVector<int>{0, 1, 2, 3}));
        QCOMPARE(stack.settings.normalization, Normalization::Range);

        const InputProposal photos =
            proposeInputSettings(sample(3, SampleType::UInt8, 1), defaults);
        QCOMPARE(photos.settings.normalization, Normalization::Legacy);
        QCOMPARE(photos.settings.colorMode, ColorMode::Rgb);
        QVERIFY(photos.reasons().isEmpty());
    }

    // sampleFormats() reads a folder of TIFF cells as the scan would.
    void sampleOfAFolder()
    {
        QTemporaryDir dir;
        ScienceCells cells;
        cells.perClass = 4;
        cells.channels = 4;
        cells.classChannel = 3;
        makeScienceCells(dir.path(), cells);
        const FormatSample sample = sampleFormats(dir.path());
        QCOMPARE(sample.formats.images, 12);
        QCOMPARE(sample.channels, 4);
    }

    // 16-bit images of five channels turn, shift and flip (OpenCV's warp takes at most four
    // channels at once elsewhere); the fill is in network units.
    // More than four channels are resized too (OpenCV's area resampling takes four at most),
    // shrinking and enlarging a non-square image: each channel as it would be alone.
    void resizesImagesOfManyChannels()
    {
        const RawDecodeResult raw = rawImage(
            70, 50, 5, [](int r, int c, int k) { return 1000.0 * (k + 1) + 37.0 * r + 11.0 * c; });
        for (const int size : {48, 96}) {
            InputSpec all = specOf(Normalization::Range, size, {0, 1, 2, 3, 4});
            all.rangeLow = 0;
            all.rangeHigh = 10000;
            const DecodeResult prepared = prepareImage(raw, all);
            QVERIFY2(prepared.ok, qPrintable(prepared.failure.reason));
            const std::vector<float> values = networkValues(prepared, all);
            const size_t plane = size_t(size) * size_t(size);
            for (int k = 0; k < 5; ++k) {
                InputSpec one = all;
                one.channelList = {k};
                const DecodeResult alone = prepareImage(raw, one);
                QVERIFY2(alone.ok, qPrintable(alone.failure.reason));
                const std::vector<float> expected = networkValues(alone, one);
                QVERIFY(std::equal(expected.begin(), expected.end(),
                                   values.begin() + std::ptrdiff_t(size_t(k) * plane)));
            }
        }
    }

    void augmentsSixteenBitImagesOfManyChannels()
    {
        InputSpec spec = specOf(Normalization::Range, 16, {0, 1, 2, 3, 4});
        QCOMPARE(spec.shape().sampleBytes, 2);
        AugmentationSettings settings;
        settings.rotationRange = 30;
        settings.fillMode = FillMode::Constant;
        settings.cval = 0.5;
        const Augmenter augmenter(settings, spec);
        QVERIFY(!augmenter.brightnessOnSamples());
        std::vector<uint16_t> src(size_t(16 * 16 * 5), 65535);
        std::vector<uint16_t> dst(src.size(), 0);
        AugmentParams params;
        params.theta = 45;
        augmenter.apply(reinterpret_cast<const uint8_t*>(src.data()),
                        reinterpret_cast<uint8_t*>(dst.data()), params);
        // A corner is uncovered by the turn: every channel takes the fill, 0.5 -> 32768.
        for (int k = 0; k < 5; ++k) {
            QCOMPARE(int(dst[size_t(k)]), 32768);
        }
        // The centre stays covered.
        QCOMPARE(int(dst[(size_t(8) * 16 + 8) * 5 + 4]), 65535);
    }
};

QTEST_GUILESS_MAIN(TestInputSpec)
#include "tst_inputspec.moc"
