// Tests of the augmentation: identity, flips, a 90 degree turn, each fill mode, brightness, seeds.
#include "dataset/augmenter.h"

#include "datasetfixtures.h"

#include <opencv2/core.hpp>

#include <QtTest>

#include <cstdlib>
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
