// Tests of the augmentation: identity, flips, a 90 degree turn, each fill mode, brightness, seeds;
// the one-pass warp to network values against the warp, flips and conversion it replaces.
#include "dataset/augmenter.h"
#include "dataset/inputspec.h"

#include "datasetfixtures.h"

#include <opencv2/core.hpp>

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <utility>
#include <vector>

using namespace studio;

namespace {

// An 8x8 image whose pixel (r, c) is 10 * c + r, in every channel.
std::vector<uint8_t> ramp(int channels)
{
    std::vector<uint8_t> pixels(size_t(8 * 8 * channels));
    for (int r = 0; r < 8; ++r) {
        for (int c = 0; c < 8; ++c) {
            for (int k = 0; k < channels; ++k) {
                pixels[size_t((r * 8 + c) * channels + k)] = uint8_t(10 * c + r + 90 * k);
            }
        }
    }
    return pixels;
}

std::vector<uint8_t> run(const Augmenter& augmenter, const std::vector<uint8_t>& src,
                         const AugmentParams& params)
{
    std::vector<uint8_t> dst(src.size(), 0);
    augmenter.apply(src.data(), dst.data(), params);
    return dst;
}

// A smooth image of `size` x `size` (HWC): no pixel differs from its neighbours by more than
// about 20 levels, so that sampling the same place twice gives close values.
std::vector<uint8_t> smooth(int size, int channels)
{
    std::vector<uint8_t> pixels(size_t(size * size * channels));
    for (int r = 0; r < size; ++r) {
        for (int c = 0; c < size; ++c) {
            for (int k = 0; k < channels; ++k) {
                const double value =
                    120 + 90 * std::sin(r * 2.5 / size + k) * std::cos(c * 3.5 / size - k) +
                    30.0 * r / size;
                pixels[size_t((r * size + c) * channels + k)] = uint8_t(std::lround(value));
            }
        }
    }
    return pixels;
}

// apply()'s samples as network values: sample * scale + offset, laid out like the one pass.
std::vector<float> valuesOf(const std::vector<uint8_t>& samples, int size, int channels,
                            const ChannelAffine& values, bool interleaved)
{
    std::vector<float> out(samples.size());
    const size_t plane = size_t(size) * size_t(size);
    for (size_t p = 0; p < plane; ++p) {
        for (int k = 0; k < channels; ++k) {
            const float value = samples[p * channels + k] * values.scale[k] + values.offset[k];
            out[interleaved ? p * channels + k : k * plane + p] = value;
        }
    }
    return out;
}

int at(const std::vector<uint8_t>& image, int r, int c, int channels = 1, int k = 0)
{
    return image[size_t((r * 8 + c) * channels + k)];
}

} // namespace

class TestAugmenter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void identityLeavesPixelsUnchanged()
    {
        const AugmentationSettings none;
        const Augmenter augmenter(none, {8, 3});
        QVERIFY(augmenter.isIdentity());
        const std::vector<uint8_t> src = ramp(3);
        for (quint64 seed = 0; seed < 20; ++seed) {
            QVERIFY(augmenter.draw(seed).isIdentity());
            std::vector<uint8_t> dst(src.size(), 0);
            augmenter.augment(src.data(), dst.data(), seed);
            QCOMPARE(dst, src);
        }
        AugmentationSettings disabled;
        disabled.enabled = false;
        disabled.rotationRange = 40;
        disabled.horizontalFlip = true;
        QVERIFY(Augmenter(disabled, {8, 3}).isIdentity());
        // Identity parameters leave pixels unchanged whatever the settings.
        AugmentationSettings busy;
        busy.rotationRange = 40;
        busy.fillMode = FillMode::Constant;
        busy.cval = 200;
        QCOMPARE(run(Augmenter(busy, {8, 3}), src, AugmentParams()), src);
    }

    void horizontalAndVerticalFlip()
    {
        const Augmenter augmenter(AugmentationSettings(), {8, 3});
        const std::vector<uint8_t> src = ramp(3);
        AugmentParams h;
        h.flipHorizontal = true;
        const std::vector<uint8_t> flipped = run(augmenter, src, h);
        AugmentParams v;
        v.flipVertical = true;
        const std::vector<uint8_t> upside = run(augmenter, src, v);
        for (int r = 0; r < 8; ++r) {
            for (int c = 0; c < 8; ++c) {
                for (int k = 0; k < 3; ++k) {
                    QCOMPARE(at(flipped, r, c, 3, k), at(src, r, 7 - c, 3, k));
                    QCOMPARE(at(upside, r, c, 3, k), at(src, 7 - r, c, 3, k));
                }
            }
        }
        // With horizontal_flip on, about half the draws flip, and each output is one of the two.
        AugmentationSettings settings;
        settings.horizontalFlip = true;
        const Augmenter random(settings, {8, 3});
        int flips = 0;
        for (quint64 seed = 0; seed < 400; ++seed) {
            std::vector<uint8_t> dst(src.size());
            random.augment(src.data(), dst.data(), Augmenter::seedFor(1, 0, int(seed)));
            QVERIFY(dst == src || dst == flipped);
            flips += dst == flipped ? 1 : 0;
        }
        QVERIFY2(flips > 150 && flips < 250, qPrintable(QString::number(flips)));
    }

    void rotationBy90Degrees()
    {
        cv::Mat pattern(8, 8, CV_8UC1);
        cv::randu(pattern, 0, 256);
        pattern.at<uchar>(0, 0) = 255;
        pattern.at<uchar>(0, 1) = 128;
        const std::vector<uint8_t> src(pattern.begin<uchar>(), pattern.end<uchar>());
        const Augmenter augmenter(AugmentationSettings(), {8, 1});
        AugmentParams turn;
        turn.theta = 90;
        const std::vector<uint8_t> dst = run(augmenter, src, turn);
        // Keras's +90: the top-left corner goes to the top-right, the top row to the right column.
        QCOMPARE(at(dst, 0, 7), 255);
        QCOMPARE(at(dst, 1, 7), 128);
        for (int r = 0; r < 8; ++r) {
            for (int c = 0; c < 8; ++c) {
                QCOMPARE(at(dst, r, c), at(src, 7 - c, r));
            }
        }
        turn.theta = -90;
        const std::vector<uint8_t> back = run(augmenter, dst, turn);
        QCOMPARE(back, src);
    }

    void smallerSourceFoldsTheResizeIntoTheWarp()
    {
        // An 8 px image (as the cache keeps it) augmented to 16 px: without a warp it is the
        // decoder's resize exactly; with one, the resize folded into the warp lands where
        // resizing first and warping second does (up to interpolation rounding).
        const std::vector<uint8_t> src = ramp(1);
        const Augmenter augmenter(AugmentationSettings(), {16, 1});
        std::vector<uint8_t> resized(16 * 16);
        resizeToShape(src.data(), 8, 8, {16, 1}, resized.data());
        std::vector<uint8_t> dst(16 * 16, 0);
        augmenter.apply(src.data(), 8, 8, dst.data(), AugmentParams());
        QCOMPARE(dst, resized);

        AugmentParams flip;
        flip.flipHorizontal = true;
        augmenter.apply(src.data(), 8, 8, dst.data(), flip);
        for (int r = 0; r < 16; ++r) {
            for (int c = 0; c < 16; ++c) {
                QCOMPARE(dst[size_t(r * 16 + c)], resized[size_t(r * 16 + 15 - c)]);
            }
        }

        AugmentParams turn;
        turn.theta = 90;
        augmenter.apply(src.data(), 8, 8, dst.data(), turn);
        std::vector<uint8_t> expected(16 * 16, 0);
        augmenter.apply(resized.data(), expected.data(), turn);
        for (size_t i = 0; i < dst.size(); ++i) {
            QVERIFY2(std::abs(int(dst[i]) - int(expected[i])) <= 2,
                     qPrintable(
                         QStringLiteral("pixel %1: %2 vs %3").arg(i).arg(dst[i]).arg(expected[i])));
        }
        // The top row of the resized image became the right column.
        QVERIFY(std::abs(int(dst[15]) - int(resized[0])) <= 2);
    }

    void fillModes_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<QVector<int>>("columns"); // source columns of output columns 6 and 7
        QTest::addColumn<QVector<int>>("rows");    // source rows of output rows 0 and 1
        QTest::newRow("nearest") << int(FillMode::Nearest) << QVector<int>{7, 7}
                                 << QVector<int>{0, 0};
        QTest::newRow("reflect") << int(FillMode::Reflect) << QVector<int>{7, 6}
                                 << QVector<int>{1, 0};
        QTest::newRow("wrap") << int(FillMode::Wrap) << QVector<int>{0, 1} << QVector<int>{6, 7};
        QTest::newRow("constant") << int(FillMode::Constant) << QVector<int>{-1, -1}
                                  << QVector<int>{-1, -1};
    }

    void fillModes()
    {
        QFETCH(int, mode);
        QFETCH(QVector<int>, columns);
        QFETCH(QVector<int>, rows);
        AugmentationSettings settings;
        settings.fillMode = FillMode(mode);
        settings.cval = 77;
        const Augmenter augmenter(settings, {8, 3});
        const std::vector<uint8_t> src = ramp(3);
        AugmentParams shift;
        shift.ty = 2; // output column c shows input column c + 2
        const std::vector<uint8_t> dst = run(augmenter, src, shift);
        for (int r = 0; r < 8; ++r) {
            for (int k = 0; k < 3; ++k) {
                for (int c = 0; c < 6; ++c) {
                    QCOMPARE(at(dst, r, c, 3, k), at(src, r, c + 2, 3, k));
                }
                for (int c = 6; c < 8; ++c) {
                    const int from = columns[c - 6];
                    QCOMPARE(at(dst, r, c, 3, k), from < 0 ? 77 : at(src, r, from, 3, k));
                }
            }
        }
        // The same along the rows (height_shift): output row r shows input row r - 2.
        AugmentParams down;
        down.tx = -2;
        const std::vector<uint8_t> moved = run(augmenter, src, down);
        for (int c = 0; c < 8; ++c) {
            for (int r = 2; r < 8; ++r) {
                QCOMPARE(at(moved, r, c, 3, 1), at(src, r - 2, c, 3, 1));
            }
            for (int r = 0; r < 2; ++r) {
                const int from = rows[r];
                QCOMPARE(at(moved, r, c, 3, 1), from < 0 ? 77 : at(src, from, c, 3, 1));
            }
        }
    }

    void onePassAgreesWithWarpFlipAndConversion_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("source"); // side of the (cached, smaller) source
        QTest::addColumn<int>("size");   // side of the output
        QTest::addColumn<bool>("interleaved");
        for (const auto& [name, mode] :
             {std::pair{"nearest", FillMode::Nearest}, std::pair{"reflect", FillMode::Reflect},
              std::pair{"wrap", FillMode::Wrap}, std::pair{"constant", FillMode::Constant}}) {
            QTest::addRow("%s, RGB 28 to 64, channels last", name)
                << int(mode) << 3 << 28 << 64 << true;
            QTest::addRow("%s, grey 28 to 64", name) << int(mode) << 1 << 28 << 64 << false;
            // 20 is no multiple of the 16 pixels a step: the last step of each row is partial.
            QTest::addRow("%s, RGB 20, planes", name) << int(mode) << 3 << 20 << 20 << false;
            QTest::addRow("%s, RGB 33 to 20, channels last", name)
                << int(mode) << 3 << 33 << 20 << true;
        }
    }

    void onePassAgreesWithWarpFlipAndConversion()
    {
        QFETCH(int, mode);
        QFETCH(int, channels);
        QFETCH(int, source);
        QFETCH(int, size);
        QFETCH(bool, interleaved);
        AugmentationSettings settings;
        settings.rotationRange = 30;
        settings.widthShiftRange = 0.15;
        settings.heightShiftRange = 0.15;
        settings.shearRange = 10;
        settings.zoomLow = 0.8;
        settings.zoomHigh = 1.2;
        settings.horizontalFlip = true;
        settings.verticalFlip = true;
        settings.fillMode = FillMode(mode);
        settings.cval = 200;
        const Augmenter augmenter(settings, {size, channels});
        const std::vector<uint8_t> src = smooth(source, channels);
        ChannelAffine values;
        for (int k = 0; k < channels; ++k) {
            values.scale.push_back(float((k + 1) / 255.0));
            values.offset.push_back(float(0.25 * k - 0.5));
        }
        const size_t count = size_t(size) * size_t(size) * size_t(channels);
        double sum = 0;
        size_t far = 0; // values more than 1.5 levels away
        int flips = 0;
        for (quint64 seed = 0; seed < 40; ++seed) {
            const AugmentParams params = augmenter.draw(seed);
            flips += params.flipHorizontal + params.flipVertical;
            std::vector<float> got(count, std::numeric_limits<float>::quiet_NaN());
            const bool onePass = augmenter.applyToNetworkValues(src.data(), source, source, params,
                                                                values, interleaved, got.data());
            // Where the CPU has the instructions every one of these draws takes the one pass;
            // elsewhere none does, and nothing is written.
            QCOMPARE(onePass, fixtures::cpuRunsOnePassWarp());
            if (!onePass) {
                QVERIFY(std::all_of(got.begin(), got.end(), [](float v) { return std::isnan(v); }));
                continue;
            }
            std::vector<uint8_t> warped(count);
            augmenter.apply(src.data(), source, source, warped.data(), params);
            const std::vector<float> expected =
                valuesOf(warped, size, channels, values, interleaved);
            for (size_t i = 0; i < count; ++i) {
                const size_t k = interleaved ? i % size_t(channels) : i / (count / channels);
                // In levels: OpenCV rounds its samples to whole levels and its taps' places to
                // 1/32 of a pixel; the one pass does neither (tst_warpkernels checks it against
                // exact bilinear sampling). Where the taps straddle a wrapped edge or the
                // constant fill, a jump of up to 255 levels times 1/64 of a pixel is 4 levels.
                const double levels = std::abs(got[i] - expected[i]) / values.scale[k];
                QVERIFY2(levels <= 6, qPrintable(QStringLiteral("seed %1, value %2: %3 vs %4")
                                                     .arg(seed)
                                                     .arg(i)
                                                     .arg(got[i])
                                                     .arg(expected[i])));
                sum += levels;
                far += levels > 1.5;
            }
        }
        if (fixtures::cpuRunsOnePassWarp()) {
            QVERIFY(flips > 10); // the flips folded into the map were tried
            const double compared = 40.0 * double(count);
            QVERIFY2(sum / compared < 0.4, qPrintable(QString::number(sum / compared)));
            QVERIFY2(double(far) / compared < 0.01, qPrintable(QString::number(far / compared)));
        }
    }

    void onePassLeavesToApplyWhatItCannotDo()
    {
        AugmentationSettings settings;
        settings.fillMode = FillMode::Reflect;
        const std::vector<uint8_t> src = smooth(16, 3);
        const ChannelAffine values{{1.0f, 1.0f, 1.0f}, {0.0f, 0.0f, 0.0f}};
        const ChannelAffine grey{{1.0f}, {0.0f}};
        std::vector<float> out(16 * 16 * 3, -1.0f);
        AugmentParams turn;
        turn.theta = 10;
        const Augmenter rgb(settings, {16, 3});
        QCOMPARE(rgb.applyToNetworkValues(src.data(), 16, 16, turn, values, true, out.data()),
                 fixtures::cpuRunsOnePassWarp());
        // No warp: only a flip, which apply() does without resampling.
        AugmentParams flip;
        flip.flipHorizontal = true;
        QVERIFY(!rgb.applyToNetworkValues(src.data(), 16, 16, flip, values, true, out.data()));
        // Brightness on 8-bit samples clips them between the warp and the values.
        AugmentParams bright = turn;
        bright.brightness = 1.5;
        QVERIFY(!rgb.applyToNetworkValues(src.data(), 16, 16, bright, values, true, out.data()));
        // A shift of three images: further than one reflection.
        AugmentParams far = turn;
        far.ty = 48;
        QVERIFY(!rgb.applyToNetworkValues(src.data(), 16, 16, far, values, true, out.data()));
        // Two channels, 16-bit samples, a one-pixel grey image (fewer than 4 bytes).
        const Augmenter two(settings, {16, 2});
        const std::vector<uint8_t> pairs(16 * 16 * 2, 100);
        const ChannelAffine twoValues{{1.0f, 1.0f}, {0.0f, 0.0f}};
        QVERIFY(!two.applyToNetworkValues(pairs.data(), 16, 16, turn, twoValues, true, out.data()));
        const Augmenter deep(settings, {16, 3, 2});
        const std::vector<uint8_t> wide(16 * 16 * 3 * 2, 100);
        QVERIFY(!deep.applyToNetworkValues(wide.data(), 16, 16, turn, values, true, out.data()));
        const Augmenter single(settings, {16, 1});
        const uint8_t dot = 50;
        QVERIFY(!single.applyToNetworkValues(&dot, 1, 1, turn, grey, true, out.data()));
        // Nothing written by a refusal (the first call may have written its image).
        std::fill(out.begin(), out.end(), -1.0f);
        QVERIFY(!rgb.applyToNetworkValues(src.data(), 16, 16, far, values, true, out.data()));
        QVERIFY(std::all_of(out.begin(), out.end(), [](float v) { return v == -1.0f; }));
    }

    void brightnessScalesAndClips()
    {
        const Augmenter augmenter(AugmentationSettings(), {8, 1});
        const std::vector<uint8_t> src = ramp(1);
        AugmentParams dim;
        dim.brightness = 0.5;
        AugmentParams bright;
        bright.brightness = 4;
        const std::vector<uint8_t> darker = run(augmenter, src, dim);
        const std::vector<uint8_t> brighter = run(augmenter, src, bright);
        for (size_t i = 0; i < src.size(); ++i) {
            QVERIFY(qAbs(int(darker[i]) - src[i] * 0.5) <= 0.5);
            QCOMPARE(int(brighter[i]), std::min(255, src[i] * 4));
        }
    }

    void drawsAreSeededAndInRange()
    {
        AugmentationSettings settings;
        settings.rotationRange = 30;
        settings.widthShiftRange = 0.25;
        settings.heightShiftRange = 3; // pixels
        settings.shearRange = 10;
        settings.zoomLow = 0.8;
        settings.zoomHigh = 1.2;
        settings.brightnessLow = 0.5;
        settings.brightnessHigh = 1.5;
        const Augmenter augmenter(settings, {64, 3});
        QVERIFY(!augmenter.isIdentity());
        double minTheta = 0;
        double maxTheta = 0;
        for (int i = 0; i < 1000; ++i) {
            const quint64 seed = Augmenter::seedFor(5, 2, i);
            const AugmentParams p = augmenter.draw(seed);
            const AugmentParams q = augmenter.draw(seed);
            QCOMPARE(p.theta, q.theta);
            QCOMPARE(p.zx, q.zx);
            QVERIFY(qAbs(p.theta) <= 30);
            QVERIFY(qAbs(p.ty) <= 16);
            QVERIFY(qAbs(p.tx) <= 3);
            QVERIFY(qAbs(p.shear) <= 10);
            QVERIFY(p.zx >= 0.8 && p.zx <= 1.2 && p.zy >= 0.8 && p.zy <= 1.2);
            QVERIFY(p.brightness >= 0.5 && p.brightness <= 1.5);
            minTheta = std::min(minTheta, p.theta);
            maxTheta = std::max(maxTheta, p.theta);
        }
        QVERIFY(minTheta < -25 && maxTheta > 25);
        QVERIFY(Augmenter::seedFor(5, 2, 1) != Augmenter::seedFor(5, 3, 1));
        QVERIFY(Augmenter::seedFor(5, 2, 1) != Augmenter::seedFor(5, 2, 2));
        QVERIFY(Augmenter::seedFor(5, 2, 1) != Augmenter::seedFor(6, 2, 1));
    }
};

QTEST_GUILESS_MAIN(TestAugmenter)
#include "tst_augmenter.moc"
