// bench_scale: how the cost grows with the number of images (issue 18 §4). For each size
// (default 10,000, 100,000 and 1,000,000 28 px Fashion-MNIST PNGs, nine in ten in train/ and one
// in validation/, in flat class folders, written once into --work and kept), it measures:
// - the Data page (offscreen, its own process): seconds from opening the folder to the class
//   counts and to the first class's thumbnails, and the process's peak memory;
// - `classifier-cli train` of the `small` template, 1 epoch, --threads, with a cache budget of
//   --cache-mb (so that the larger sizes stream from disk): seconds to the list of files (the
//   first loading event), to the first batch (the run's start, after scanning and caching), the
//   epoch's training time and images/s, the share of it the trainer waited for images, the
//   whole command, and the peak memory.
// Prints a table and one JSON line.
//
//   bench_scale [--sizes 10000,100000,1000000] [--work DIR] [--cache-mb 64] [--threads 2]
//               [--cli PATH]
#include "dataset/fashionmnist.h"
#include "model/modelsummary.h"
#include "model/modeltemplates.h"
#include "project/project.h"

#include "datapage.h"
#include "projectdocument.h"

#include "commandrun.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QImage>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

using namespace studio;

namespace {

QString optionValue(const QStringList& args, const QString& name, const QString& fallback)
{
    const int i = int(args.indexOf(name));
    return i >= 0 && i + 1 < args.size() ? args[i + 1] : fallback;
}

// Writes `count` PNGs into `dir` (train/ and validation/, one folder per class), cycling
// through Fashion-MNIST's training images; nothing when `dir` is already complete.
bool writeScaleDataset(const QString& dir, qint64 count, int threads)
{
    const QString complete = dir + QStringLiteral("/.complete");
    if (QFile::exists(complete)) {
        return true;
    }
    const Result<LabelledImages> source =
        loadFashionMnist(defaultFashionMnistDir(), FashionMnistPart::Train);
    if (!source) {
        std::fprintf(stderr, "%s\n", qPrintable(source.error()));
        return false;
    }
    const QStringList classes = fashionMnistClassNames();
    QDir(dir).removeRecursively();
    for (const char* split : {"train", "validation"}) {
        for (const QString& name : classes) {
            QDir().mkpath(QStringLiteral("%1/%2/%3").arg(dir, QLatin1String(split), name));
        }
    }
    const int side = source->rows;
    std::atomic<qint64> next{0};
    std::atomic<bool> failed{false};
    const auto work = [&] {
        for (qint64 i = next++; i < count && !failed; i = next++) {
            const qint64 k = i % source->count;
            const QImage image(reinterpret_cast<const uchar*>(source->pixels.constData()) +
                                   k * side * side,
                               side, side, side, QImage::Format_Grayscale8);
            const QString path =
                QStringLiteral("%1/%2/%3/%4.png")
                    .arg(dir, i % 10 == 9 ? QStringLiteral("validation") : QStringLiteral("train"),
                         classes[source->labels[k]])
                    .arg(i, 7, 10, QLatin1Char('0'));
            if (!image.save(path, "PNG")) {
                std::fprintf(stderr, "could not write %s\n", qPrintable(path));
                failed = true;
            }
        }
    };
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back(work);
    }
    for (std::thread& worker : workers) {
        worker.join();
    }
    return !failed && QFile(complete).open(QIODevice::WriteOnly);
}

// Child: the Data page opens `dir`; prints the seconds to the counts and to the thumbnails.
int childDataPage(const QString& dir)
{
    ProjectDocument document;
    DataPage page(&document, nullptr);
    page.resize(1200, 800);
    page.show();
    QSignalSpy scanned(&page, &DataPage::scanFinished);
    QSignalSpy thumbnails(&page, &DataPage::thumbnailsLoaded);
    QElapsedTimer clock;
    clock.start();
    page.openFolder(dir);
    if (!scanned.wait(3600 * 1000) || !scanned.last().first().toBool()) {
        std::fprintf(stderr, "the Data page could not scan %s\n", qPrintable(dir));
        return 1;
    }
    const double counts = double(clock.nsecsElapsed()) / 1e9;
    if (thumbnails.isEmpty() && !thumbnails.wait(600 * 1000)) {
        std::fprintf(stderr, "no thumbnails\n");
        return 1;
    }
    const double shown = double(clock.nsecsElapsed()) / 1e9;
    const QJsonObject out{{QStringLiteral("event"), QStringLiteral("data_page")},
                          {QStringLiteral("counts_seconds"), counts},
                          {QStringLiteral("thumbnails_seconds"), shown}};
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
    return 0;
}

// The project the scale runs train: `small` at 28 px grey, one epoch, no augmentation.
Project scaleProject(const QString& dir, int threads, int cacheMb)
{
    Project project = defaultProject();
    project.dataset.root = dir;
    project.dataset.imageSize = 28;
    project.dataset.colorMode = ColorMode::Grayscale;
    project.dataset.cacheBudgetBytes = qint64(cacheMb) << 20;
    project.model = withOutputUnits(loadTemplate(QStringLiteral("small"))->model, 10);
    project.augmentation.enabled = false;
    project.training.epochs = 1;
    project.training.threads = threads;
    return project;
}

// One size's figures.
struct ScaleRow
{
    qint64 images = 0;
    double writeSeconds = 0;
    bench::CommandRun page;
    bench::CommandRun train;
};

QJsonObject rowJson(const ScaleRow& row)
{
    const QVector<bench::TimedLine> pageLine = row.page.events(QStringLiteral("data_page"));
    const QVector<bench::TimedLine> epochs = row.train.events(QStringLiteral("epoch"));
    const QJsonObject page = pageLine.isEmpty() ? QJsonObject() : pageLine.first().object;
    const QJsonObject epoch = epochs.isEmpty() ? QJsonObject() : epochs.first().object;
    const double epochSeconds = epoch.value(QStringLiteral("seconds")).toDouble();
    const double wait = epoch.value(QStringLiteral("data_wait_seconds")).toDouble();
    return QJsonObject{
        {QStringLiteral("images"), row.images},
        {QStringLiteral("write_seconds"), row.writeSeconds},
        {QStringLiteral("data_page_counts_seconds"), page.value(QStringLiteral("counts_seconds"))},
        {QStringLiteral("data_page_thumbnails_seconds"),
         page.value(QStringLiteral("thumbnails_seconds"))},
        {QStringLiteral("data_page_peak_rss_mb"), row.page.peakRssMb},
        {QStringLiteral("files_listed_seconds"), row.train.firstSeconds(QStringLiteral("loading"))},
        {QStringLiteral("first_batch_seconds"), row.train.firstSeconds(QStringLiteral("started"))},
        {QStringLiteral("epoch_seconds"), epochSeconds},
        {QStringLiteral("images_per_second"),
         epoch.value(QStringLiteral("images_per_second")).toDouble()},
        {QStringLiteral("data_wait_share"), wait / std::max(epochSeconds, 1e-9)},
        {QStringLiteral("train_wall_seconds"), row.train.wallSeconds},
        {QStringLiteral("train_peak_rss_mb"), row.train.peakRssMb}};
}

void printRows(const QVector<ScaleRow>& rows, int cacheMb, int threads)
{
    std::printf("bench_scale: 28 px Fashion-MNIST PNGs (9/10 train), `small` template, 1 epoch, "
                "batch 20, %d threads, cache budget %d MiB\n",
                threads, cacheMb);
    std::printf("%10s | %-27s | %-70s\n", "", "Data page", "classifier-cli train");
    std::printf("%10s | %7s %8s %8s | %7s %8s %8s %8s %7s %8s %8s\n", "images", "counts", "thumbs",
                "RSS MB", "listed", "1st batch", "epoch", "img/s", "wait", "whole", "RSS MB");
    for (const ScaleRow& row : rows) {
        const QJsonObject j = rowJson(row);
        const auto n = [&](const char* key) { return j.value(QLatin1String(key)).toDouble(); };
        std::printf("%10lld | %6.1fs %7.1fs %8.0f | %6.1fs %8.1fs %7.1fs %8.0f %6.1f%% %7.1fs "
                    "%8.0f\n",
                    static_cast<long long>(row.images), n("data_page_counts_seconds"),
                    n("data_page_thumbnails_seconds"), n("data_page_peak_rss_mb"),
                    n("files_listed_seconds"), n("first_batch_seconds"), n("epoch_seconds"),
                    n("images_per_second"), 100 * n("data_wait_share"), n("train_wall_seconds"),
                    n("train_peak_rss_mb"));
    }
}

} // namespace

int main(int argc, char* argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.contains(QStringLiteral("--child-data-page"))) {
        return childDataPage(optionValue(args, QStringLiteral("--child-data-page"), QString()));
    }
    const int threads = optionValue(args, QStringLiteral("--threads"), QStringLiteral("2")).toInt();
    const int cacheMb =
        optionValue(args, QStringLiteral("--cache-mb"), QStringLiteral("64")).toInt();
    const QString cli = optionValue(args, QStringLiteral("--cli"), QStringLiteral(STUDIO_CLI_PATH));
    const QString work = optionValue(args, QStringLiteral("--work"),
                                     QDir::temp().filePath(QStringLiteral("bench_scale")));
    QTemporaryDir scratch;
    const QString errors = scratch.filePath(QStringLiteral("stderr.txt"));
    QVector<ScaleRow> rows;
    for (const QString& size :
         optionValue(args, QStringLiteral("--sizes"), QStringLiteral("10000,100000,1000000"))
             .split(QLatin1Char(','))) {
        ScaleRow row;
        row.images = size.toLongLong();
        const QString dir = QStringLiteral("%1/%2").arg(work, size);
        QElapsedTimer clock;
        clock.start();
        if (!writeScaleDataset(dir, row.images, threads)) {
            return 2;
        }
        row.writeSeconds = double(clock.nsecsElapsed()) / 1e9;
        std::fprintf(stderr, "%s images ready in %.1f s\n", qPrintable(size), row.writeSeconds);
        row.page = bench::runCommand(app.applicationFilePath(),
                                     {QStringLiteral("--child-data-page"), dir}, errors);
        const QString projectFile = scratch.filePath(QStringLiteral("project.json"));
        const QString runDir = scratch.filePath(QStringLiteral("run-") + size);
        if (const Status saved = saveProject(projectFile, scaleProject(dir, threads, cacheMb));
            !saved) {
            std::fprintf(stderr, "%s\n", qPrintable(saved.error()));
            return 2;
        }
        row.train =
            bench::runCommand(cli,
                              {QStringLiteral("train"), QStringLiteral("--project"), projectFile,
                               QStringLiteral("--json"), QStringLiteral("--out"), runDir},
                              errors);
        if (!row.page.ok || !row.train.ok) {
            return 1;
        }
        QDir(runDir).removeRecursively();
        rows << row;
        printRows({row}, cacheMb, threads);
    }
    printRows(rows, cacheMb, threads);
    QJsonArray json;
    for (const ScaleRow& row : rows) {
        json.append(rowJson(row));
    }
    const QJsonObject out{{QStringLiteral("benchmark"), QStringLiteral("scale")},
                          {QStringLiteral("cache_budget_mb"), cacheMb},
                          {QStringLiteral("threads"), threads},
                          {QStringLiteral("sizes"), json}};
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    return 0;
}
