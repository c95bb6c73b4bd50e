// Tests of core/dataset/channelstatistics: the standardize normalisation's per-channel mean and
// standard deviation, measured on the training split only, the same on any number of threads,
// kept as JSON, and the spec's map that uses them.
#include "dataset/channelstatistics.h"
#include "dataset/datasetscanner.h"
#include "dataset/inputspec.h"
#include "sciencedataset.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace studio;
using namespace studio::testdata;

namespace {

constexpr int kWidth = 6;
constexpr int kHeight = 4;

// The value of pixel (row, column) of channel `channel` in image `image`: different in every
// image and channel, far higher in the validation images (so that mixing them in shows).
double valueOf(int image, int row, int column, int channel, bool validation)
{
    return (validation ? 30000 : 100) + 37.0 * image + 11.0 * row + 5.0 * column + 900.0 * channel +
           (row * column * (image + 1)) % 7;
}

} // namespace

class TestChannelStatistics : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_root;
    QVector<double> m_trainValues[2]; // every training pixel, per channel

    // Both channels, standardised.
    DatasetSettings settings() const
    {
        DatasetSettings settings;
        settings.root = m_root;
        settings.imageSize = 8;
        settings.channelList = {0, 1};
        settings.normalization = Normalization::Standardize;
        return settings;
    }
    InputSpec spec() const { return inputSpecOf(settings()); }
    Result<DatasetIndex> scan() const { return scanDataset(settings()); }

private Q_SLOTS:
    // train/ and validation/ with two classes of 2-channel 16-bit 6 x 4 TIFFs.
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_root = m_dir.filePath(QStringLiteral("data"));
        int image = 0;
        for (const QString& split : {QStringLiteral("train"), QStringLiteral("validation")}) {
            const bool validation = split == QLatin1String("validation");
            for (const QString& label : {QStringLiteral("a"), QStringLiteral("b")}) {
                const QString folder = QDir(m_root).filePath(split + QLatin1Char('/') + label);
                QVERIFY(QDir().mkpath(folder));
                for (int k = 0; k < 3; ++k, ++image) {
                    std::vector<double> values;
                    for (int r = 0; r < kHeight; ++r) {
                        for (int c = 0; c < kWidth; ++c) {
                            for (int channel = 0; channel < 2; ++channel) {
                                const double v = valueOf(image, r, c, channel, validation);
                                values.push_back(v);
                                if (!validation) {
                                    m_trainValues[channel] << v;
                                }
                            }
                        }
                    }
                    TiffSpec tiff;
                    tiff.width = kWidth;
                    tiff.height = kHeight;
                    tiff.channels = 2;
                    QVERIFY(writeTiff(QDir(folder).filePath(QStringLiteral("%1.tif").arg(k)), tiff,
                                      values));
                }
            }
        }
    }

    // The training images' pixels (as decoded, before the resize), as numpy.mean and numpy.std
    // give them; the validation images are left out.
    void meanAndDeviationOfTheTrainingPixels()
    {
        const Result<DatasetIndex> index = scan();
        QVERIFY2(index.ok(), qPrintable(index.error()));
        const Result<ChannelStatistics> measured =
            measureChannelStatistics(*index, Split::Train, spec());
        QVERIFY2(measured.ok(), qPrintable(measured.error()));
        QCOMPARE(measured->images, 6);
        QCOMPARE(measured->pixels, qint64(6 * kWidth * kHeight));
        QCOMPARE(measured->unreadable, 0);
        for (int channel = 0; channel < 2; ++channel) {
            const QVector<double>& values = m_trainValues[channel];
            double mean = 0;
            for (const double v : values) {
                mean += v / double(values.size());
            }
            double variance = 0;
            for (const double v : values) {
                variance += (v - mean) * (v - mean) / double(values.size());
            }
            QVERIFY2(std::abs(measured->mean[channel] - mean) < 1e-9 * mean,
                     qPrintable(QStringLiteral("%1 vs %2").arg(measured->mean[channel]).arg(mean)));
            QVERIFY(std::abs(measured->std[channel] - std::sqrt(variance)) < 1e-9 * mean);
        }
        QVERIFY(measured->mean[1] > measured->mean[0] + 800); // channels kept apart, in order
    }

    // The sums are combined in the split's order: one thread and two give the same bits.
    void theSameOnAnyNumberOfThreads()
    {
        const Result<DatasetIndex> index = scan();
        QVERIFY(index.ok());
        const Result<ChannelStatistics> one =
            measureChannelStatistics(*index, Split::Train, spec(), 1);
        const Result<ChannelStatistics> two =
            measureChannelStatistics(*index, Split::Train, spec(), 2);
        QVERIFY(one.ok() && two.ok());
        QCOMPARE(one->mean, two->mean);
        QCOMPARE(one->std, two->std);
    }

    // With no training image left to read (the folder moved since the scan), a Failure that
    // names the setting.
    void noReadableImageIsRefused()
    {
        QTemporaryDir copy;
        const Result<DatasetIndex> index = scan();
        QVERIFY(index.ok());
        DatasetIndex moved = *index;
        moved.root = copy.path(); // nothing there
        const Result<ChannelStatistics> none =
            measureChannelStatistics(moved, Split::Train, spec());
        QVERIFY(!none.ok());
        QVERIFY2(none.error().contains(QStringLiteral("dataset.normalization")),
                 qPrintable(none.error()));
    }

    // A training image gone since the scan is left out and counted (the run log says so).
    void anImageGoneSinceTheScanIsCounted()
    {
        const Result<DatasetIndex> index = scan();
        QVERIFY(index.ok());
        DatasetIndex gone = *index;
        const auto first =
            std::find_if(gone.items.begin(), gone.items.end(),
                         [](const DatasetItem& item) { return item.split == Split::Train; });
        QVERIFY(first != gone.items.end());
        first->path += QStringLiteral(".gone");
        const Result<ChannelStatistics> measured =
            measureChannelStatistics(gone, Split::Train, spec());
        QVERIFY2(measured.ok(), qPrintable(measured.error()));
        QCOMPARE(measured->images, 5);
        QCOMPARE(measured->unreadable, 1);
    }

    // Written and read back exactly; a file of another channel count or a negative deviation is
    // refused, naming the file.
    void keptAsJson()
    {
        ChannelStatistics statistics;
        statistics.mean = {123.456789012345, 0.1};
        statistics.std = {9.87654321, 0};
        statistics.images = 6;
        statistics.pixels = 144;
        const QByteArray json = channelStatisticsToJson(statistics, spec());
        const Result<ChannelStatistics> read =
            channelStatisticsFromJson(json, spec(), QStringLiteral("run/input_statistics.json"));
        QVERIFY2(read.ok(), qPrintable(read.error()));
        QCOMPARE(read->mean, statistics.mean);
        QCOMPARE(read->std, statistics.std);
        QCOMPARE(read->images, 6);

        InputSpec three = spec();
        three.channelList = {0, 1, 2};
        const Result<ChannelStatistics> wrong =
            channelStatisticsFromJson(json, three, QStringLiteral("run/input_statistics.json"));
        QVERIFY(!wrong.ok());
        QVERIFY2(wrong.error().contains(QStringLiteral("input_statistics.json")) &&
                     wrong.error().contains(QStringLiteral("3 channels")),
                 qPrintable(wrong.error()));
        QByteArray negative = json;
        negative.replace("9.87654321", "-1");
        QVERIFY(!channelStatisticsFromJson(negative, spec(), QStringLiteral("f")).ok());
        QVERIFY(!channelStatisticsFromJson("{not json", spec(), QStringLiteral("f")).ok());
    }

    // The map: the mean becomes 0 and one deviation above it 1, per channel; fills and padding
    // in normalised units become mean + value * std; a constant channel (std 0) is only shifted.
    void theMapStandardises()
    {
        ChannelStatistics statistics;
        statistics.mean = {1000, 200};
        statistics.std = {100, 0};
        InputSpec s = statistics.appliedTo(spec());
        QVERIFY(s.hasStatistics());
        QVERIFY(!spec().hasStatistics());
        QCOMPARE(s.sampleFor(0.5, 0), 1050.0);
        QCOMPARE(s.sampleFor(-20, 0), 0.0); // clipped to the samples' range
        QCOMPARE(s.sampleFor(3, 1), 203.0);
        const int plane = s.imageSize * s.imageSize;
        std::vector<uint16_t> samples(size_t(plane) * 2);
        for (int p = 0; p < plane; ++p) {
            samples[size_t(p) * 2] = uint16_t(900 + p);
            samples[size_t(p) * 2 + 1] = 205;
        }
        std::vector<float> values(size_t(plane) * 2);
        toNetworkValues(reinterpret_cast<const uint8_t*>(samples.data()), s, 1.0, values.data());
        for (int p = 0; p < plane; ++p) {
            QVERIFY(std::abs(values[size_t(p)] - (900 + p - 1000) / 100.0) < 1e-5);
            QCOMPARE(values[size_t(plane + p)], 5.0f);
        }
    }

    // Standardize keeps the values themselves as 16-bit samples: a float image is refused with
    // the setting to change.
    void floatImagesAreRefused()
    {
        RawImage image;
        image.width = 2;
        image.height = 2;
        image.channels = 2;
        image.type = SampleType::Float32;
        image.data.resize(2 * 2 * 2 * 4);
        const DecodeFailure problem = preparationProblem(image, spec());
        QVERIFY2(problem.reason.contains(QStringLiteral("standardize")) &&
                     problem.reason.contains(QStringLiteral("dataset.normalization")),
                 qPrintable(problem.reason));
        QCOMPARE(imageStatistics(image, spec()).images, 0);
    }
};

QTEST_GUILESS_MAIN(TestChannelStatistics)
#include "tst_channelstatistics.moc"
