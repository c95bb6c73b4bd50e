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
