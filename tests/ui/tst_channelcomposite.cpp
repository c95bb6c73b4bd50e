// Tests of making scientific images visible (ui/channelcomposite): 8-bit photos as they are,
// dim 16-bit images stretched, several channels in false colours, thumbnails of TIFF files.
#include "channelcomposite.h"

#include "sciencedataset.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <functional>

using namespace studio;

namespace {

// A width x height image of `channels` 16-bit channels, channel c of every pixel `value(c)`,
// except the first row, which is 0 in every channel.
RawImage sixteenBit(int width, int height, int channels, const std::function<int(int)>& value)
{
    RawImage image;
    image.width = width;
    image.height = height;
    image.channels = channels;
    image.type = SampleType::UInt16;
    image.data.resize(size_t(width * height * channels) * 2);
    auto* samples = reinterpret_cast<uint16_t*>(image.data.data());
    for (int p = width; p < width * height; ++p) {
        for (int c = 0; c < channels; ++c) {
            samples[p * channels + c] = uint16_t(value(c));
        }
    }
    return image;
}

} // namespace

class TestChannelComposite : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eightBitRgbIsShownAsItIs()
    {
        RawImage image;
        image.width = 2;
        image.height = 1;
        image.channels = 4;
        image.alpha = true;
        image.data = {10, 20, 30, 0, 40, 50, 60, 255};
        const QImage shown = compositeImage(image);
        QCOMPARE(shown.size(), QSize(2, 1));
        QCOMPARE(shown.pixel(0, 0), qRgb(10, 20, 30));
        QCOMPARE(shown.pixel(1, 0), qRgb(40, 50, 60));
    }

    void dimSixteenBitIsStretched()
    {
        // Values 0 and 2,000 of 65,535 (3 % of the range): 0 and 255 once stretched.
        const QImage shown = compositeImage(sixteenBit(20, 20, 1, [](int) { return 2000; }));
        QCOMPARE(qGray(shown.pixel(0, 0)), 0);
        QCOMPARE(qGray(shown.pixel(5, 5)), 255);
    }

    void channelsHaveTheirColours()
    {
        // Only channel c is bright: the composite shows channelColour(c, 4).
        for (int c = 0; c < 4; ++c) {
            const QImage shown = compositeImage(
                sixteenBit(10, 10, 4, [c](int channel) { return channel == c ? 900 : 0; }));
            QCOMPARE(QColor(shown.pixel(3, 3)), channelColour(c, 4));
        }
        QCOMPARE(channelColour(0, 1), QColor(Qt::white));
        QCOMPARE(channelColour(3, 4), QColor(160, 160, 160));
        QCOMPARE(channelColour(7, 8), channelColour(0, 8));
    }

    void histogramsCoverTheTypesRange()
    {
        const RawImage image = sixteenBit(10, 10, 2, [](int c) { return c == 0 ? 2000 : 65535; });
        const ChannelHistogram first = channelHistogram(image, 0, 64);
        QCOMPARE(first.low, 0.0);
        QCOMPARE(first.high, 65535.0);
        QCOMPARE(first.minimum, 0.0);
        QCOMPARE(first.maximum, 2000.0);
        QCOMPARE(first.counts.size(), 64);
        QCOMPARE(first.counts[0], 10.0); // the first row
        QCOMPARE(first.counts[1], 90.0); // 2000 / (65536 / 64) = 1.95
        QCOMPARE(channelHistogram(image, 1, 64).counts[63], 90.0);
        QVERIFY(channelHistogram(image, 2, 64).counts.isEmpty());
    }

    void channelImagesAreStretchedGrey()
    {
        const RawImage image = sixteenBit(10, 10, 2, [](int c) { return c == 0 ? 2000 : 0; });
        const QImage first = channelImage(image, 0);
        QCOMPARE(first.format(), QImage::Format_Grayscale8);
        QCOMPARE(qGray(first.pixel(4, 4)), 255);
        QCOMPARE(qGray(first.pixel(4, 0)), 0);
        QCOMPARE(qGray(channelImage(image, 1).pixel(4, 4)), 0);
    }

    void previewOfAFourChannelFile()
    {
        QTemporaryDir dir;
        testdata::ScienceCells cells;
        cells.perClass = 1;
        cells.channels = 4;
        cells.classChannel = 3;
        testdata::makeScienceCells(dir.path(), cells);
        const ChannelPreview preview = makeChannelPreview(
            dir.filePath(QStringLiteral("ring/ring_000.tif")), DatasetSettings(), 32);
        QVERIFY2(preview.error.isEmpty(), qPrintable(preview.error));
        QCOMPARE(preview.description, QStringLiteral("4 channels, 16-bit, 128 x 96 px"));
        QCOMPARE(preview.channels.size(), 4);
        QCOMPARE(preview.histograms.size(), 4);
        QCOMPARE(preview.composite.size(), QSize(128, 96));
        double pixels = 0;
        for (const double count : preview.histograms[3].counts) {
            pixels += count;
        }
        QCOMPARE(pixels, 128.0 * 96.0);
        QVERIFY(preview.channels[3] != preview.channels[0]);
        const ChannelPreview missing =
            makeChannelPreview(dir.filePath(QStringLiteral("no.tif")), DatasetSettings());
        QVERIFY(missing.error.contains(QLatin1String("does not exist")));
    }

    // After normalisation: each picked channel's histogram of the values the network sees
    // (percentiles: 0 to 1, over the input square); the others are left out; RGB's colour
    // channels mixed into grey have none of their own; settings that cannot prepare the image
    // say why.
    void histogramsAfterNormalisation()
    {
        QTemporaryDir dir;
        testdata::ScienceCells cells;
        cells.perClass = 1;
        cells.channels = 4;
        testdata::makeScienceCells(dir.path(), cells);
        const QString file = dir.filePath(QStringLiteral("ring/ring_000.tif"));
        DatasetSettings settings;
        settings.imageSize = 24;
        settings.channelList = {3, 0};
        settings.normalization = Normalization::Percentile;
        const ChannelPreview picked = makeChannelPreview(file, settings, 16);
        QVERIFY2(picked.normalisationError.isEmpty(), qPrintable(picked.normalisationError));
        QCOMPARE(picked.planeOf, (QVector<int>{1, kChannelLeftOut, kChannelLeftOut, 0}));
        QVERIFY(picked.spec == inputSpecOf(settings));
        for (const int c : {0, 3}) {
            const ChannelHistogram& after = picked.normalised[c];
            QCOMPARE(after.low, 0.0);
            QCOMPARE(after.high, 1.0);
            QVERIFY2(after.minimum >= 0 && after.maximum <= 1 && after.maximum > 0.5,
                     qPrintable(QStringLiteral("%1 to %2").arg(after.minimum).arg(after.maximum)));
            double pixels = 0;
            for (const double count : after.counts) {
                pixels += count;
            }
            QCOMPARE(pixels, 24.0 * 24.0);
        }
        QVERIFY(picked.normalised[1].counts.isEmpty());

        settings.channelList.clear();
        settings.colorMode = ColorMode::Grayscale;
        const ChannelPreview grey = makeChannelPreview(file, settings, 16);
        QCOMPARE(grey.planeOf,
                 (QVector<int>{kChannelMixed, kChannelMixed, kChannelMixed, kChannelLeftOut}));
        QVERIFY(grey.normalised[0].counts.isEmpty());

        settings.channelList = {5};
        const ChannelPreview beyond = makeChannelPreview(file, settings, 16);
        QVERIFY2(beyond.normalisationError.contains(QLatin1String("channel 6")),
                 qPrintable(beyond.normalisationError));
    }

    void thumbnailOfATiff()
    {
        QTemporaryDir dir;
        testdata::TiffSpec spec;
        spec.width = 200;
        spec.height = 100;
        spec.channels = 2;
        std::vector<double> values(200 * 100 * 2, 0.0);
        for (int x = 100; x < 200; ++x) {
            for (int y = 0; y < 100; ++y) {
                values[size_t((y * 200 + x) * 2)] = 3000; // the right half is red
            }
        }
        const QString path = dir.filePath(QStringLiteral("two.tif"));
        QVERIFY(testdata::writeTiff(path, spec, values));
        const QImage thumb = thumbnailOfFile(path, 64);
        QCOMPARE(thumb.size(), QSize(64, 32));
        QCOMPARE(QColor(thumb.pixel(60, 16)), QColor(255, 0, 0));
        QCOMPARE(QColor(thumb.pixel(2, 16)), QColor(0, 0, 0));
        QVERIFY(thumbnailOfFile(dir.filePath(QStringLiteral("missing.tif")), 64).isNull());
    }
};

QTEST_MAIN(TestChannelComposite)
#include "tst_channelcomposite.moc"
