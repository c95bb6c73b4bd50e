// Benchmark of the cache with deep images: peak memory while scanning and caching 60,000
// 64 px 4-channel 16-bit TIFFs (normalised by percentiles, kept as 16-bit samples) under a
// cache budget. Issue 16 asks that the peak resident set stay within cache_budget_mb + 300 MiB.
// Each repeat runs in a fresh process. Prints a table and one JSON line.
// Usage: bench_deep_cache [--data DIR] [--budget-mb N] [--repeats N]
#include "dataset/datasetscanner.h"
#include "dataset/imagecache.h"
#include "dataset/inputspec.h"
#include "sciencedataset.h"

#include "commandrun.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace studio;

namespace {

double option(const QStringList& args, const QString& name, double fallback)
{
    const qsizetype at = args.indexOf(name);
    return at > 0 && at + 1 < args.size() ? args[at + 1].toDouble() : fallback;
}

DatasetSettings deepSettings(const QString& data, double budgetMiB)
{
    DatasetSettings settings;
    settings.root = data;
    settings.imageSize = 64;
    settings.channelList = {0, 1, 2, 3};
    settings.normalization = Normalization::Percentile;
    settings.cacheBudgetBytes = qint64(budgetMiB * 1048576.0);
    return settings;
}

// Child mode: scan and cache every image as training does; prints one JSON line.
int child(const QString& data, double budgetMiB)
{
    const double baseline = bench::procStatusMiB(QStringLiteral("self"), "VmRSS:");
    const DatasetSettings settings = deepSettings(data, budgetMiB);
    ImageCache cache(inputSpecOf(settings).shape(), settings.cacheBudgetBytes);
    ScanOptions options;
    options.cache = &cache;
    QElapsedTimer timer;
    timer.start();
    const Result<DatasetIndex> index = scanDataset(settings, options);
    if (!index) {
        std::fprintf(stderr, "%s\n", qPrintable(index.error()));
        return 1;
    }
    QJsonObject json;
    json.insert(QStringLiteral("images"), index->items.size());
    json.insert(QStringLiteral("cached"), cache.count());
    json.insert(QStringLiteral("cache_mib"), double(cache.usedBytes()) / 1048576.0);
    json.insert(QStringLiteral("seconds"), double(timer.nsecsElapsed()) / 1e9);
    json.insert(QStringLiteral("baseline_rss_mib"), baseline);
    json.insert(QStringLiteral("peak_rss_mib"),
                bench::procStatusMiB(QStringLiteral("self"), "VmHWM:"));
    std::printf("%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    return 0;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values.empty() ? 0 : values[values.size() / 2];
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    const double budget = option(args, QStringLiteral("--budget-mb"), 1024);
    if (args.size() >= 3 && args[1] == QLatin1String("--child")) {
        return child(args[2], budget);
    }
    const int repeats = int(option(args, QStringLiteral("--repeats"), 3));
    const qsizetype dataAt = args.indexOf(QStringLiteral("--data"));
    const QString data = dataAt > 0 ? args.value(dataAt + 1)
                                    : QDir::temp().filePath(QStringLiteral("deep-cells-60000"));
    if (!QFileInfo::exists(data)) {
        std::fprintf(stderr, "writing 60,000 64 px 4-channel 16-bit TIFFs to %s ...\n",
                     qPrintable(data));
        testdata::ScienceCells cells;
        cells.perClass = 20000;
        cells.width = 64;
        cells.height = 64;
        cells.channels = 4;
        cells.classChannel = 3;
        testdata::makeScienceCells(data, cells);
    }
    std::vector<double> peaks;
    std::vector<double> rates;
    QJsonObject last;
    for (int r = 0; r < repeats; ++r) {
        QProcess process;
        process.start(QCoreApplication::applicationFilePath(),
                      {QStringLiteral("--child"), data, QStringLiteral("--budget-mb"),
                       QString::number(budget)});
        process.waitForFinished(-1);
        last = QJsonDocument::fromJson(process.readAllStandardOutput()).object();
        if (process.exitCode() != 0 || last.isEmpty()) {
            std::fprintf(stderr, "child failed: %s\n", process.readAllStandardError().constData());
            return 1;
        }
        peaks.push_back(last.value(QStringLiteral("peak_rss_mib")).toDouble());
        rates.push_back(last.value(QStringLiteral("images")).toDouble() /
                        last.value(QStringLiteral("seconds")).toDouble());
    }
    const double peak = median(peaks);
    const auto [fewest, most] = std::minmax_element(peaks.begin(), peaks.end());
    std::printf("deep cache: %d images, 64 px, 4 channels, 16-bit samples, percentiles\n",
                last.value(QStringLiteral("images")).toInt());
    std::printf("  %-40s %10.0f MiB\n", "cache budget", budget);
    std::printf("  %-40s %10.1f MiB (%lld images)\n", "cache used",
                last.value(QStringLiteral("cache_mib")).toDouble(),
                static_cast<long long>(last.value(QStringLiteral("cached")).toDouble()));
    std::printf("  %-40s %10.1f MiB (min %.1f, max %.1f, %d runs)\n", "peak RSS, median", peak,
                *fewest, *most, repeats);
    std::printf("  %-40s %10.1f MiB\n", "limit: budget + 300 MiB", budget + 300);
    std::printf("  %-40s %10.0f images/s (median)\n", "scan and cache", median(rates));
    QJsonObject json{{QStringLiteral("budget_mib"), budget},
                     {QStringLiteral("peak_rss_mib_median"), peak},
                     {QStringLiteral("peak_rss_mib_min"), *fewest},
                     {QStringLiteral("peak_rss_mib_max"), *most},
                     {QStringLiteral("cache_mib"), last.value(QStringLiteral("cache_mib"))},
                     {QStringLiteral("cached"), last.value(QStringLiteral("cached"))},
                     {QStringLiteral("images_per_second"), median(rates)},
                     {QStringLiteral("within_budget_plus_300"), peak <= budget + 300}};
    std::printf("%s\n", QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
    return 0;
}
