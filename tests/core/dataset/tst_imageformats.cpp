// Tests of what the scan says about image formats (core/dataset/imageformats): the dataset's
// channel count, which images cannot join it, the tallies and the warnings.
#include "dataset/imageformats.h"

#include <QtTest>

using namespace studio;

namespace {

ImageFormat format(int channels, SampleType type = SampleType::UInt16, int width = 64,
                   int height = 64, double brightest = 0.5)
{
    ImageFormat f;
    f.channels = channels;
    f.type = type;
    f.width = width;
    f.height = height;
    f.brightest = brightest;
    return f;
}

// An index of one class whose images have these formats.
DatasetIndex indexOf(const std::vector<ImageFormat>& formats)
{
    DatasetIndex index;
    index.classes = QStringList{QStringLiteral("a")};
    index.formats = QVector<ClassImageFormats>(1);
    for (const ImageFormat& f : formats) {
        tallyFormat(f, &index.formats[0]);
    }
    index.imageChannels = usualChannels(formats);
    return index;
}

bool anyContains(const QStringList& warnings, const QString& text)
{
    return std::any_of(warnings.begin(), warnings.end(),
                       [&](const QString& w) { return w.contains(text); });
}

} // namespace

class TestImageFormats : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void usualChannelsIsTheMostCommon()
    {
        QCOMPARE(usualChannels({}), 0);
        QCOMPARE(usualChannels({format(4), format(3), format(4)}), 4);
        QCOMPARE(usualChannels({format(1), format(3)}), 3); // a tie: the larger
    }

    void greyAndRgbMixButOthersDoNot()
    {
        QVERIFY(channelMismatch(format(1), 3).isEmpty());
        QVERIFY(channelMismatch(format(3), 1).isEmpty());
        QVERIFY(channelMismatch(format(4), 4).isEmpty());
        QCOMPARE(channelMismatch(format(3), 4),
                 QStringLiteral("it has 3 channels but the dataset's images have 4 (most training "
                                "images do); save it with 4 channels, or move it out of the "
                                "dataset"));
        QVERIFY(channelMismatch(format(1), 2).startsWith(QLatin1String("it has 1 channel but")));
        QVERIFY(!channelMismatch(format(5), 3).isEmpty());
    }

    void tallyKeepsRanges()
    {
        ClassImageFormats tally;
        tallyFormat(format(4, SampleType::UInt16, 128, 96), &tally);
        tallyFormat(format(4, SampleType::UInt8, 100, 100, 0.05), &tally);
        QCOMPARE(tally.images, 2);
        QCOMPARE(tally.channels, (QMap<int, int>{{4, 2}}));
        QCOMPARE(tally.sampleTypes,
                 (QMap<int, int>{{int(SampleType::UInt8), 1}, {int(SampleType::UInt16), 1}}));
        QCOMPARE(tally.minWidth, 100);
        QCOMPARE(tally.maxWidth, 128);
        QCOMPARE(tally.minHeight, 96);
        QCOMPARE(tally.maxHeight, 100);
        QCOMPARE(tally.dim, 1);
        QCOMPARE(describeFormats(tally), QStringLiteral("4 channels, 8-bit/16-bit, 100-128 x "
                                                        "96-100 px"));
    }

    void uniformBrightSquaresRaiseNoWarning()
    {
        const DatasetIndex index = indexOf({format(3), format(3), format(3)});
        QCOMPARE(formatWarnings(index, 3), QStringList());
    }

    void eachOddityIsWarnedAbout()
    {
        ImageFormat grey = format(3, SampleType::UInt8);
        grey.greyAsColour = true;
        ImageFormat alpha = format(3, SampleType::UInt8);
        alpha.alpha = true;
        const QStringList w = formatWarnings(
            indexOf({grey, grey, alpha, format(1, SampleType::UInt16, 128, 64, 0.02)}), 3);
        QVERIFY2(anyContains(w, QStringLiteral("different numbers of channels (1 with 1 "
                                               "channel, 3 with 3 channels)")),
                 qPrintable(w.join('\n')));
        QVERIFY2(anyContains(w, QStringLiteral("different bit depths (3 8-bit, 1 16-bit)")),
                 qPrintable(w.join('\n')));
        QVERIFY2(anyContains(w, QStringLiteral("1 of 4 images are dim")), qPrintable(w.join('\n')));
        // Normalised by percentiles, dim images are no longer a problem.
        QVERIFY(!anyContains(formatWarnings(indexOf({format(1, SampleType::UInt16, 64, 64, 0.02)}),
                                            1, Normalization::Percentile),
                             QStringLiteral("dim")));
        QVERIFY2(anyContains(w, QStringLiteral("2 of 4 images are grey stored as RGB")),
                 qPrintable(w.join('\n')));
        QVERIFY2(anyContains(w, QStringLiteral("width/height from 1.00 to 2.00")),
                 qPrintable(w.join('\n')));
        QVERIFY2(anyContains(w, QStringLiteral("1 image has a transparency (alpha) channel")),
                 qPrintable(w.join('\n')));
        QVERIFY(!anyContains(w, QStringLiteral("alpha) channel alone")));
        // An image drawn in its transparency alone is blank without it.
        ImageFormat icon = alpha;
        icon.pictureInAlphaOnly = true;
        icon.brightest = 0; // black under the alpha: blank, not "dim"
        QVERIFY(!anyContains(formatWarnings(indexOf({icon, alpha}), 3), QStringLiteral("dim")));
        QVERIFY2(anyContains(formatWarnings(indexOf({icon, alpha}), 3),
                             QStringLiteral("1 image holds its picture in the transparency "
                                            "(alpha) channel alone: under it it is one flat")),
                 qPrintable(formatWarnings(indexOf({icon, alpha}), 3).join('\n')));
        // Padded or cropped, shapes are kept: mixed aspect ratios are no longer a problem; nor
        // are dim images for standardize.
        const DatasetIndex mixed = indexOf({format(1, SampleType::UInt16, 128, 64, 0.02),
                                            format(1, SampleType::UInt16, 64, 64, 0.02)});
        QVERIFY(anyContains(formatWarnings(mixed, 1), QStringLiteral("\"resize\"")));
        for (const ResizeMode mode : {ResizeMode::Pad, ResizeMode::Crop}) {
            QVERIFY(!anyContains(formatWarnings(mixed, 1, Normalization::Legacy, mode),
                                 QStringLiteral("width/height")));
        }
        QVERIFY(!anyContains(formatWarnings(mixed, 1, Normalization::Standardize),
                             QStringLiteral("dim")));
    }

    void channelsTheColourModeDropsAreNamed()
    {
        const DatasetIndex four = indexOf({format(4)});
        QVERIFY(anyContains(formatWarnings(four, 3), QStringLiteral("channel 4 is left out")));
        const DatasetIndex six = indexOf({format(6)});
        QVERIFY(
            anyContains(formatWarnings(six, 1), QStringLiteral("channels 2 to 6 are left out")));
        QVERIFY(!anyContains(formatWarnings(indexOf({format(3)}), 1), QStringLiteral("left out")));
    }
};

QTEST_GUILESS_MAIN(TestImageFormats)
#include "tst_imageformats.moc"
