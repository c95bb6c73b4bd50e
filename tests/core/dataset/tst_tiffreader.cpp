// Tests of reading TIFF files at full fidelity (core/dataset/tiffreader): bit depths, any number
// of channels in file order, planar, tiled and compressed files, pages as channels, ImageJ and
// OME stacks, and the refusals; and of decodeRawImageBytes() and the 8-bit path on top of it.
#include "dataset/imagedecoder.h"
#include "dataset/tiffreader.h"

#include "sciencedataset.h"
#include "testfiles.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <tiffio.h>

#include <cmath>
#include <cstring>

using namespace studio;
using testdata::TiffLayout;
using testdata::TiffSamples;
using testdata::TiffSpec;

namespace {

constexpr qint64 kNoLimit = qint64(1) << 40;

// A distinct value for every sample: channel c of pixel (x, y).
double patternValue(int x, int y, int c, TiffSamples samples)
{
    const double v = 1000.0 * c + 31.0 * y + x;
    switch (samples) {
    case TiffSamples::UInt8:
        return std::fmod(v, 251.0);
    case TiffSamples::Float32:
        return v / 7.0 - 3.5;
    case TiffSamples::Int16:
        return v - 2000.0;
    case TiffSamples::UInt16:
        break;
    }
    return v;
}

std::vector<double> pattern(const TiffSpec& spec)
{
    std::vector<double> values(size_t(spec.width * spec.height * spec.channels));
    for (int y = 0; y < spec.height; ++y) {
        for (int x = 0; x < spec.width; ++x) {
            for (int c = 0; c < spec.channels; ++c) {
                values[size_t((y * spec.width + x) * spec.channels + c)] =
                    patternValue(x, y, c, spec.samples);
            }
        }
    }
    return values;
}

// The sample (x, y, c) of a RawImage as a double.
double sampleOf(const RawImage& image, int x, int y, int c)
{
    return sampleValue(image, size_t((y * image.width + x) * image.channels + c));
}

using studio::testfiles::readAll;

// Writes `spec` with its pattern to dir/name and reads it back with readTiff.
TiffReadResult roundTrip(const QTemporaryDir& dir, const TiffSpec& spec,
                         const QString& name = QStringLiteral("image.tif"))
{
    const QString path = dir.filePath(name);
    if (!testdata::writeTiff(path, spec, pattern(spec))) {
        TiffReadResult failed;
        failed.error = QStringLiteral("the test could not write %1").arg(path);
        return failed;
    }
    return readTiff(readAll(path), kNoLimit);
}

// True when every sample of `image` equals the pattern of `spec` (floats to float precision).
bool matchesPattern(const RawImage& image, const TiffSpec& spec, QString* where)
{
    for (int y = 0; y < spec.height; ++y) {
        for (int x = 0; x < spec.width; ++x) {
            for (int c = 0; c < spec.channels; ++c) {
                const double want = spec.samples == TiffSamples::Float32
                                        ? double(float(patternValue(x, y, c, spec.samples)))
                                        : patternValue(x, y, c, spec.samples);
                if (sampleOf(image, x, y, c) != want) {
                    *where = QStringLiteral("(%1, %2) channel %3: %4, expected %5")
                                 .arg(x)
                                 .arg(y)
                                 .arg(c)
                                 .arg(sampleOf(image, x, y, c))
                                 .arg(want);
                    return false;
                }
            }
        }
    }
    return true;
}

TiffSpec spec(int width, int height, int channels, TiffSamples samples,
              TiffLayout layout = TiffLayout::Interleaved)
{
    TiffSpec s;
    s.width = width;
    s.height = height;
    s.channels = channels;
    s.samples = samples;
    s.layout = layout;
    return s;
}

} // namespace

class TestTiffReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keepsEverySample_data();
    void keepsEverySample();
    void alphaIsTold();
    void minIsWhiteIsInverted();
    void reducedPagesAreIgnored();
    void imageJChannelsArePages();
    void stacksAreRefused_data();
    void stacksAreRefused();
    void pagesThatDifferAreRefused();
    void tooManyPagesAreRefused();
    void truncatedFileIsDamaged();
    void tooLargeIsRefusedBeforeDecoding();
    void paletteImageBecomesRgb();
    void floatWithNaNIsRefused();
    void eightBitPathMatchesOpenCv_data();
    void eightBitPathMatchesOpenCv();
    void fiveChannelsAreRefusedByTheEightBitPath();
    void scienceCellsAreDim();
};

void TestTiffReader::keepsEverySample_data()
{
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("samples");
    QTest::addColumn<int>("layout");
    QTest::addColumn<bool>("tiled");
    QTest::addColumn<bool>("compressed");
    QTest::addColumn<int>("type");
    const int u8 = int(TiffSamples::UInt8);
    const int u16 = int(TiffSamples::UInt16);
    const int f32 = int(TiffSamples::Float32);
    const int i16 = int(TiffSamples::Int16);
    const int inter = int(TiffLayout::Interleaved);
    const int planar = int(TiffLayout::Planar);
    const int pages = int(TiffLayout::Pages);
    const int toU8 = int(SampleType::UInt8);
    const int toU16 = int(SampleType::UInt16);
    const int toF32 = int(SampleType::Float32);
    QTest::newRow("grey 8-bit") << 1 << u8 << inter << false << false << toU8;
    QTest::newRow("grey 16-bit") << 1 << u16 << inter << false << false << toU16;
    QTest::newRow("grey float") << 1 << f32 << inter << false << false << toF32;
    QTest::newRow("grey signed 16-bit becomes float")
        << 1 << i16 << inter << false << false << toF32;
    QTest::newRow("2 samples 8-bit") << 2 << u8 << inter << false << false << toU8;
    QTest::newRow("RGB 16-bit") << 3 << u16 << inter << false << false << toU16;
    QTest::newRow("4 samples 16-bit") << 4 << u16 << inter << false << false << toU16;
    QTest::newRow("5 samples 16-bit") << 5 << u16 << inter << false << false << toU16;
    QTest::newRow("6 samples 16-bit deflate") << 6 << u16 << inter << false << true << toU16;
    QTest::newRow("4 planes 16-bit") << 4 << u16 << planar << false << false << toU16;
    QTest::newRow("3 planes float deflate") << 3 << f32 << planar << false << true << toF32;
    QTest::newRow("tiled 4 samples 16-bit") << 4 << u16 << inter << true << false << toU16;
    QTest::newRow("tiled 2 planes 8-bit deflate") << 2 << u8 << planar << true << true << toU8;
    QTest::newRow("3 pages 16-bit") << 3 << u16 << pages << false << false << toU16;
    QTest::newRow("6 pages float tiled") << 6 << f32 << pages << true << true << toF32;
}

void TestTiffReader::keepsEverySample()
{
    QFETCH(int, channels);
    QFETCH(int, samples);
    QFETCH(int, layout);
    QFETCH(bool, tiled);
    QFETCH(bool, compressed);
    QFETCH(int, type);
    QTemporaryDir dir;
    // 37 x 23: neither a multiple of the 16 px tiles nor of the 7-row strips.
    TiffSpec s = spec(37, 23, channels, TiffSamples(samples), TiffLayout(layout));
    s.tiled = tiled;
    s.compressed = compressed;
    const TiffReadResult read = roundTrip(dir, s);
    QVERIFY2(read.ok, qPrintable(read.error));
    QCOMPARE(read.image.width, 37);
    QCOMPARE(read.image.height, 23);
    QCOMPARE(read.image.channels, channels);
    QCOMPARE(read.image.alpha, false);
    QCOMPARE(int(read.image.type), type);
    QString where;
    QVERIFY2(matchesPattern(read.image, s, &where), qPrintable(where));
}

void TestTiffReader::alphaIsTold()
{
    QTemporaryDir dir;
    TiffSpec s = spec(9, 5, 4, TiffSamples::UInt8);
    s.alpha = true;
    const TiffReadResult rgba = roundTrip(dir, s);
    QVERIFY2(rgba.ok, qPrintable(rgba.error));
    QCOMPARE(rgba.image.channels, 4);
    QVERIFY(rgba.image.alpha);
    QCOMPARE(rgba.image.dataChannels(), 3);
    s.alpha = false; // RGB and an unspecified fourth sample: a channel of data
    const TiffReadResult four = roundTrip(dir, s, QStringLiteral("four.tif"));
    QVERIFY2(four.ok, qPrintable(four.error));
    QVERIFY(!four.image.alpha);
    QCOMPARE(four.image.dataChannels(), 4);
}

void TestTiffReader::minIsWhiteIsInverted()
{
    QTemporaryDir dir;
    TiffSpec s = spec(8, 4, 1, TiffSamples::UInt16);
    s.minIsWhite = true;
    const TiffReadResult read = roundTrip(dir, s);
    QVERIFY2(read.ok, qPrintable(read.error));
    QCOMPARE(sampleOf(read.image, 3, 2, 0), 65535.0 - patternValue(3, 2, 0, TiffSamples::UInt16));
}

void TestTiffReader::reducedPagesAreIgnored()
{
    QTemporaryDir dir;
    TiffSpec s = spec(20, 12, 3, TiffSamples::UInt16, TiffLayout::Pages);
    s.reducedPage = 5;
    const TiffReadResult read = roundTrip(dir, s);
    QVERIFY2(read.ok, qPrintable(read.error));
    QCOMPARE(read.image.channels, 3);
    QString where;
    QVERIFY2(matchesPattern(read.image, s, &where), qPrintable(where));
}

void TestTiffReader::imageJChannelsArePages()
{
    QTemporaryDir dir;
    TiffSpec s = spec(16, 10, 2, TiffSamples::UInt16, TiffLayout::Pages);
    s.description = QStringLiteral("ImageJ=1.54f\nimages=2\nchannels=2\nmode=composite\n");
    const TiffReadResult read = roundTrip(dir, s);
    QVERIFY2(read.ok, qPrintable(read.error));
    QCOMPARE(read.image.channels, 2);
    s.description = QStringLiteral(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><OME xmlns=\"http://www.openmicroscopy.org/"
        "Schemas/OME/2016-06\"><Image ID=\"Image:0\"><Pixels DimensionOrder=\"XYCZT\" "
        "ID=\"Pixels:0\" SizeC=\"2\" SizeT=\"1\" SizeX=\"16\" SizeY=\"10\" SizeZ=\"1\" "
        "Type=\"uint16\"></Pixels></Image></OME>");
    const TiffReadResult ome = roundTrip(dir, s, QStringLiteral("ome.tif"));
    QVERIFY2(ome.ok, qPrintable(ome.error));
    QCOMPARE(ome.image.channels, 2);
}

void TestTiffReader::stacksAreRefused_data()
{
    QTest::addColumn<QString>("description");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("advice");
    const QString perFile = QStringLiteral("Save one slice or time point per file");
    QTest::newRow("ImageJ z-stack")
        << QStringLiteral("ImageJ=1.54f\nimages=3\nchannels=1\nslices=3\nhyperstack=true\n")
        << QStringLiteral("ImageJ hyperstack with 3 z-slices") << perFile;
    QTest::newRow("ImageJ time series")
        << QStringLiteral("ImageJ=1.54f\nimages=3\nframes=3\nhyperstack=true\n")
        << QStringLiteral("and 3 time points") << perFile;
    QTest::newRow("OME z-stack")
        << QStringLiteral(
               "<?xml version=\"1.0\"?><OME><Image ID=\"Image:0\"><Pixels SizeC=\"1\" SizeT=\"1\" "
               "SizeZ=\"3\" SizeX=\"16\" SizeY=\"10\"/></Image></OME>")
        << QStringLiteral("OME-TIFF stack with 3 z-slices") << perFile;
    QTest::newRow("OME series")
        << QStringLiteral(
               "<?xml version=\"1.0\"?><OME><Image ID=\"Image:0\"><Pixels SizeC=\"1\" SizeZ=\"1\" "
               "SizeT=\"1\"/></Image><Image ID=\"Image:1\"><Pixels SizeC=\"1\" SizeZ=\"1\" "
               "SizeT=\"1\"/></Image><Image ID=\"Image:2\"><Pixels/></Image></OME>")
        << QStringLiteral("holding 3 images (series)")
        << QStringLiteral("Save each series as its own file");
}

void TestTiffReader::stacksAreRefused()
{
    QFETCH(QString, description);
    QFETCH(QString, expected);
    QFETCH(QString, advice);
    QTemporaryDir dir;
    TiffSpec s = spec(16, 10, 3, TiffSamples::UInt16, TiffLayout::Pages);
    s.description = description;
    const TiffReadResult read = roundTrip(dir, s);
    QVERIFY(!read.ok);
    QVERIFY(!read.damaged);
    QVERIFY2(read.error.contains(expected), qPrintable(read.error));
    QVERIFY2(read.error.contains(advice), qPrintable(read.error));
}

void TestTiffReader::pagesThatDifferAreRefused()
{
    QTemporaryDir dir;
    // Two pages of 3 samples: an animation, not channels.
    TiffSpec s = spec(8, 8, 3, TiffSamples::UInt8);
    s.extraPages = 1;
    const TiffReadResult rgbPages = roundTrip(dir, s);
    QVERIFY(!rgbPages.ok);
    QVERIFY2(rgbPages.error.contains(QLatin1String("2 pages of 3-channel images")),
             qPrintable(rgbPages.error));
}

void TestTiffReader::tooManyPagesAreRefused()
{
    QTemporaryDir dir;
    const TiffSpec s = spec(4, 4, kMaxTiffChannels + 1, TiffSamples::UInt16, TiffLayout::Pages);
    const TiffReadResult read = roundTrip(dir, s);
    QVERIFY(!read.ok);
    QVERIFY2(read.error.contains(QStringLiteral("it has %1 pages").arg(kMaxTiffChannels + 1)),
             qPrintable(read.error));
}

void TestTiffReader::truncatedFileIsDamaged()
{
    QTemporaryDir dir;
    const TiffSpec s = spec(64, 64, 1, TiffSamples::UInt16);
    const QString path = dir.filePath(QStringLiteral("whole.tif"));
    QVERIFY(testdata::writeTiff(path, s, pattern(s)));
    const QByteArray whole = readAll(path);
    // The strips come first and the directory last, at the end (libtiff's layout): cutting
    // the file in half loses the directory; the decoder says the file is damaged.
    const RawDecodeResult cut = decodeRawImageBytes(whole.left(whole.size() / 2));
    QVERIFY(!cut.ok);
    QCOMPARE(int(cut.failure.kind), int(SkipReason::Truncated));
    QVERIFY2(cut.failure.reason.startsWith(QLatin1String("truncated or damaged TIFF file")),
             qPrintable(cut.failure.reason));
}

void TestTiffReader::tooLargeIsRefusedBeforeDecoding()
{
    QTemporaryDir dir;
    const TiffSpec s = spec(50, 40, 3, TiffSamples::UInt16, TiffLayout::Pages);
    const QString path = dir.filePath(QStringLiteral("pages.tif"));
    QVERIFY(testdata::writeTiff(path, s, pattern(s)));
    // 50 x 40 x 3 pages = 6,000 pixels.
    const TiffReadResult read = readTiff(readAll(path), 5000);
    QVERIFY(!read.ok);
    QVERIFY2(read.error.contains(QLatin1String("50x40 pixels in 3 pages is too large")),
             qPrintable(read.error));
    QVERIFY(readTiff(readAll(path), 6000).ok);
}

// A palette image goes through libtiff's RGBA reader, as YCbCr and bilevel ones do.
void TestTiffReader::paletteImageBecomesRgb()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("palette.tif"));
    TIFF* tif = TIFFOpen(QFile::encodeName(path).constData(), "w");
    QVERIFY(tif != nullptr);
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, uint32_t(10));
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, uint32_t(6));
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, uint16_t(1));
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, uint16_t(8));
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, uint16_t(PHOTOMETRIC_PALETTE));
    std::vector<uint16_t> red(256);
    std::vector<uint16_t> green(256);
    std::vector<uint16_t> blue(256, 0);
    for (int i = 0; i < 256; ++i) {
        red[size_t(i)] = uint16_t(i * 257);
        green[size_t(i)] = uint16_t((255 - i) * 257);
    }
    TIFFSetField(tif, TIFFTAG_COLORMAP, red.data(), green.data(), blue.data());
    std::vector<uint8_t> row(10);
    for (uint32_t y = 0; y < 6; ++y) {
        for (size_t x = 0; x < 10; ++x) {
            row[x] = uint8_t(y * 40 + x);
        }
        QVERIFY(TIFFWriteScanline(tif, row.data(), y, 0) >= 0);
    }
    TIFFClose(tif);
    const TiffReadResult read = readTiff(readAll(path), kNoLimit);
    QVERIFY2(read.ok, qPrintable(read.error));
    QCOMPARE(read.image.channels, 3);
    QCOMPARE(int(read.image.type), int(SampleType::UInt8));
    QCOMPARE(sampleOf(read.image, 3, 2, 0), 83.0);
    QCOMPARE(sampleOf(read.image, 3, 2, 1), 172.0);
    QCOMPARE(sampleOf(read.image, 3, 2, 2), 0.0);
}

void TestTiffReader::floatWithNaNIsRefused()
{
    QTemporaryDir dir;
    const TiffSpec s = spec(6, 5, 1, TiffSamples::Float32);
    std::vector<double> values = pattern(s);
    values[7] = std::nan("");
    values[11] = INFINITY;
    const QString path = dir.filePath(QStringLiteral("nan.tif"));
    QVERIFY(testdata::writeTiff(path, s, values));
    const RawDecodeResult decoded = decodeRawImageFile(path);
    QVERIFY(!decoded.ok);
    QCOMPARE(int(decoded.failure.kind), int(SkipReason::NotAnImage));
    QVERIFY2(decoded.failure.reason.startsWith(QLatin1String("2 of its samples are not numbers")),
             qPrintable(decoded.failure.reason));
}

void TestTiffReader::eightBitPathMatchesOpenCv_data()
{
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("samples");
    QTest::addColumn<int>("shapeChannels");
    QTest::newRow("grey 8-bit as RGB") << 1 << int(TiffSamples::UInt8) << 3;
    QTest::newRow("grey 16-bit as grey") << 1 << int(TiffSamples::UInt16) << 1;
    QTest::newRow("RGB 8-bit as RGB") << 3 << int(TiffSamples::UInt8) << 3;
    QTest::newRow("RGB 16-bit as grey") << 3 << int(TiffSamples::UInt16) << 1;
    QTest::newRow("RGB 16-bit as RGB") << 3 << int(TiffSamples::UInt16) << 3;
}

// Old projects give the same numbers: the 8-bit path on top of libtiff makes the bytes that
// OpenCV's TIFF decoder and the earlier conversion made, for the TIFFs OpenCV read right.
void TestTiffReader::eightBitPathMatchesOpenCv()
{
    QFETCH(int, channels);
    QFETCH(int, samples);
    QFETCH(int, shapeChannels);
    QTemporaryDir dir;
    const TiffSpec s = spec(40, 30, channels, TiffSamples(samples));
    const QString path = dir.filePath(QStringLiteral("image.tif"));
    QVERIFY(testdata::writeTiff(path, s, pattern(s)));
    const ImageShape shape{24, shapeChannels};
    const DecodeResult ours = decodeImageFile(path, shape);
    QVERIFY2(ours.ok, qPrintable(ours.failure.reason));

    cv::Mat raw = cv::imread(path.toStdString(), cv::IMREAD_UNCHANGED);
    QVERIFY(!raw.empty());
    if (raw.depth() == CV_16U) {
        raw.convertTo(raw, CV_8U, 1.0 / 257.0);
    }
    if (shapeChannels == 1 && raw.channels() == 3) {
        cv::cvtColor(raw, raw, cv::COLOR_BGR2GRAY);
    }
    cv::Mat resized;
    cv::resize(raw, resized, cv::Size(24, 24), 0, 0, cv::INTER_AREA);
    cv::Mat expected;
    if (shapeChannels == 1) {
        expected = resized;
    } else if (resized.channels() == 1) {
        cv::cvtColor(resized, expected, cv::COLOR_GRAY2RGB);
    } else {
        cv::cvtColor(resized, expected, cv::COLOR_BGR2RGB);
    }
    QCOMPARE(ours.image.pixels.size(), expected.total() * expected.elemSize());
    QVERIFY(std::memcmp(ours.image.pixels.data(), expected.data, ours.image.pixels.size()) == 0);
}

void TestTiffReader::fiveChannelsAreRefusedByTheEightBitPath()
{
    QTemporaryDir dir;
    const TiffSpec s = spec(8, 8, 5, TiffSamples::UInt16);
    const QString path = dir.filePath(QStringLiteral("five.tif"));
    QVERIFY(testdata::writeTiff(path, s, pattern(s)));
    const DecodeResult header = decodeImageFile(path, ImageShape{8, 3}, false);
    QVERIFY(header.ok);
    QCOMPARE(header.image.format.channels, 5);
    QCOMPARE(int(header.image.format.type), int(SampleType::UInt16));
    const DecodeResult pixels = decodeImageFile(path, ImageShape{8, 3});
    QVERIFY(!pixels.ok);
    QVERIFY2(pixels.failure.reason.contains(QLatin1String("image with 5 channels")),
             qPrintable(pixels.failure.reason));
}

void TestTiffReader::scienceCellsAreDim()
{
    QTemporaryDir dir;
    testdata::ScienceCells cells;
    cells.perClass = 2;
    cells.channels = 4;
    cells.classChannel = 3;
    testdata::makeScienceCells(dir.path(), cells);
    const RawDecodeResult decoded =
        decodeRawImageFile(dir.filePath(QStringLiteral("ring/ring_000.tif")));
    QVERIFY2(decoded.ok, qPrintable(decoded.failure.reason));
    const ImageFormat format = describeImage(decoded.image);
    QCOMPARE(format.width, 128);
    QCOMPARE(format.height, 96);
    QCOMPARE(format.channels, 4);
    QCOMPARE(int(format.type), int(SampleType::UInt16));
    QVERIFY2(format.brightest > 0.02 && format.brightest < 0.06,
             qPrintable(QString::number(format.brightest)));
    QVERIFY(!format.greyAsColour);
}

QTEST_GUILESS_MAIN(TestTiffReader)
#include "tst_tiffreader.moc"
