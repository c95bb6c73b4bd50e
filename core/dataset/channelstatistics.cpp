#include "dataset/channelstatistics.h"

#include "dataset/imageops_p.h"
#include "dataset/parallel_p.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>

#include <opencv2/core.hpp>

#include <cmath>
#include <vector>

namespace studio {

namespace {

// One image's count, means and sums of squared deviations per channel (Chan et al.).
struct Moments
{
    double count = 0;
    std::vector<double> mean;
    std::vector<double> m2;
};

Moments momentsOf(const cv::Mat& picked)
{
    Moments m;
    m.count = double(picked.total());
    cv::Mat mean;
    cv::Mat deviation;
    cv::meanStdDev(picked, mean, deviation);
    for (int c = 0; c < picked.channels(); ++c) {
        m.mean.push_back(mean.at<double>(c));
        m.m2.push_back(deviation.at<double>(c) * deviation.at<double>(c) * m.count);
    }
    return m;
}

// Adds `b` to `a`: the moments of both sets of pixels together.
void combine(Moments* a, const Moments& b)
{
    if (a->count == 0) {
        *a = b;
        return;
    }
    const double count = a->count + b.count;
    for (size_t c = 0; c < a->mean.size(); ++c) {
        const double delta = b.mean[c] - a->mean[c];
        a->mean[c] += delta * b.count / count;
        a->m2[c] += b.m2[c] + delta * delta * a->count * b.count / count;
    }
    a->count = count;
}

// The moments of the image at `path`, or none (count 0) when it cannot be read or prepared.
Moments momentsOfFile(const QString& path, const InputSpec& spec)
{
    const RawDecodeResult decoded = decodeRawImageFile(path);
    if (!decoded.ok || !preparationProblem(decoded.image, spec).reason.isEmpty()) {
        return {};
    }
    try {
        return momentsOf(pickChannels(decoded.image, spec));
    } catch (const cv::Exception&) {
        return {};
    }
}

ChannelStatistics statisticsOf(const Moments& all)
{
    ChannelStatistics statistics;
    statistics.pixels = qint64(all.count);
    for (size_t c = 0; c < all.mean.size(); ++c) {
        statistics.mean << all.mean[c];
        statistics.std << std::sqrt(all.m2[c] / all.count);
    }
    return statistics;
}

QJsonArray numbersJson(const QVector<double>& values)
{
    QJsonArray array;
    for (const double v : values) {
        array.append(v);
    }
    return array;
}

} // namespace

InputSpec ChannelStatistics::appliedTo(InputSpec spec) const
{
    spec.channelMean = mean;
    spec.channelStd = std;
    return spec;
}

Result<ChannelStatistics> measureChannelStatistics(const DatasetIndex& index, Split split,
                                                   const InputSpec& spec, int threads,
                                                   const std::atomic<bool>* cancel)
{
    const QVector<int> items = index.indicesOf(split);
    std::vector<Moments> moments(size_t(items.size()));
    std::atomic<int> next{0};
    const QDir root(index.root);
    {
        const OpenCvSingleThreaded openCvSingleThreaded;
        runOnWorkers(threads > 0 ? threads : hardwareThreads(), [&](int) {
            for (int k = next++; k < items.size(); k = next++) {
                if (cancel != nullptr && cancel->load()) {
                    return;
                }
                moments[size_t(k)] = momentsOfFile(root.filePath(index.items[items[k]].path), spec);
            }
        });
    }
    if (cancel != nullptr && cancel->load()) {
        return Failure{QStringLiteral("Stopped while measuring the channels' mean and standard "
                                      "deviation.")};
    }
    Moments all;
    int images = 0;
    for (const Moments& m : moments) {
        if (m.count != 0) {
            combine(&all, m);
            ++images;
        }
    }
    if (images == 0) {
        return Failure{QStringLiteral("No %1 image of '%2' could be read to measure the channels' "
                                      "mean and standard deviation (dataset.normalization "
                                      "standardize).")
                           .arg(splitName(split), QDir::toNativeSeparators(index.root))};
    }
    ChannelStatistics statistics = statisticsOf(all);
    statistics.images = images;
    statistics.unreadable = int(moments.size()) - images;
    return statistics;
}

ChannelStatistics imageStatistics(const RawImage& image, const InputSpec& spec)
{
    if (!preparationProblem(image, spec).reason.isEmpty()) {
        return {};
    }
    try {
        ChannelStatistics statistics = statisticsOf(momentsOf(pickChannels(image, spec)));
        statistics.images = 1;
        return statistics;
    } catch (const cv::Exception&) {
        return {};
    }
}

QByteArray channelStatisticsToJson(const ChannelStatistics& statistics, const InputSpec& spec)
{
    QJsonArray channels;
    for (const int c : spec.channelList) {
        channels.append(c + 1);
    }
    const QJsonObject json{{QStringLiteral("method"), QStringLiteral("standardize")},
                           {QStringLiteral("channels"), channels},
                           {QStringLiteral("mean"), numbersJson(statistics.mean)},
                           {QStringLiteral("std"), numbersJson(statistics.std)},
                           {QStringLiteral("images"), statistics.images},
                           {QStringLiteral("pixels_per_channel"), double(statistics.pixels)},
                           {QStringLiteral("split"), QStringLiteral("train")}};
    return QJsonDocument(json).toJson(QJsonDocument::Indented);
}

Result<ChannelStatistics> channelStatisticsFromJson(const QByteArray& json, const InputSpec& spec,
                                                    const QString& source)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    const QJsonObject o = document.object();
    ChannelStatistics statistics;
    const QJsonArray mean = o[QStringLiteral("mean")].toArray();
    const QJsonArray deviation = o[QStringLiteral("std")].toArray();
    bool good = error.error == QJsonParseError::NoError && document.isObject() &&
                mean.size() == spec.channels() && deviation.size() == spec.channels();
    for (int c = 0; good && c < mean.size(); ++c) {
        good = mean[c].isDouble() && deviation[c].isDouble() && deviation[c].toDouble() >= 0;
        statistics.mean << mean[c].toDouble();
        statistics.std << deviation[c].toDouble();
    }
    if (!good) {
        return Failure{QStringLiteral("%1 does not hold a mean and a standard deviation (0 or "
                                      "more) for each of the %2 channels. Delete it to measure "
                                      "them again.")
                           .arg(QDir::toNativeSeparators(source))
                           .arg(spec.channels())};
    }
    statistics.images = o[QStringLiteral("images")].toInt();
    statistics.pixels = qint64(o[QStringLiteral("pixels_per_channel")].toDouble());
    return statistics;
}

} // namespace studio
