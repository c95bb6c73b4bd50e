#include "dataset/fashionmnist.h"

#include "common/atomicfile.h"
#include "dataset/datasetschema.h"
#include "dataset/idxreader.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>

#include <algorithm>
#include <mutex>
#include <thread>
#include <vector>

namespace studio {

namespace {

QString native(const QString& path)
{
    return QDir::toNativeSeparators(path);
}

// The IDX file of `stem` in `dir`, compressed or not.
QString idxPath(const QString& dir, const QString& stem)
{
    const QString plain = QDir(dir).filePath(stem);
    if (QFileInfo::exists(plain + QStringLiteral(".gz")) || !QFileInfo::exists(plain)) {
        return plain + QStringLiteral(".gz");
    }
    return plain;
}

// One image to write: which part, which index, to which split folder.
struct Job
{
    const LabelledImages* source;
    qint64 index;
    QString split;
};

} // namespace

QString defaultFashionMnistDir()
{
    const QByteArray fromEnv = qgetenv("STUDIO_FASHION_MNIST_DIR");
    if (!fromEnv.isEmpty()) {
        return QString::fromLocal8Bit(fromEnv);
    }
    return QStringLiteral("/usr/share/datasets/fashion-mnist");
}

QStringList fashionMnistClassNames()
{
    return {QStringLiteral("T-shirt_top"), QStringLiteral("Trouser"), QStringLiteral("Pullover"),
            QStringLiteral("Dress"),       QStringLiteral("Coat"),    QStringLiteral("Sandal"),
            QStringLiteral("Shirt"),       QStringLiteral("Sneaker"), QStringLiteral("Bag"),
            QStringLiteral("Ankle_boot")};
}

Result<LabelledImages> loadFashionMnist(const QString& dir, FashionMnistPart part)
{
    if (!QFileInfo(dir).isDir()) {
        return Failure{QStringLiteral("The Fashion-MNIST folder '%1' does not exist. Install "
                                      "Debian's dataset-fashion-mnist package "
                                      "(packaging/install-deps.sh) or pass --source DIR.")
                           .arg(native(dir))};
    }
    const QString prefix =
        part == FashionMnistPart::Train ? QStringLiteral("train") : QStringLiteral("t10k");
    const QString imagesPath = idxPath(dir, prefix + QStringLiteral("-images-idx3-ubyte"));
    const QString labelsPath = idxPath(dir, prefix + QStringLiteral("-labels-idx1-ubyte"));

    Result<IdxArray> images = readIdxFile(imagesPath);
    if (!images) {
        return Failure{images.error()};
    }
    Result<IdxArray> labels = readIdxFile(labelsPath);
    if (!labels) {
        return Failure{labels.error()};
    }
    if (images->dims.size() != 3) {
        return Failure{QStringLiteral("'%1' should hold images (3 dimensions) but has %2.")
                           .arg(native(imagesPath))
                           .arg(images->dims.size())};
    }
    if (labels->dims.size() != 1) {
        return Failure{QStringLiteral("'%1' should hold labels (1 dimension) but has %2.")
                           .arg(native(labelsPath))
                           .arg(labels->dims.size())};
    }
    if (images->count() != labels->count()) {
        return Failure{QStringLiteral("'%1' holds %2 images but '%3' holds %4 labels; the files "
                                      "do not belong together.")
                           .arg(native(imagesPath))
                           .arg(images->count())
                           .arg(native(labelsPath))
                           .arg(labels->count())};
    }
    const int classes = fashionMnistClassNames().size();
    for (qint64 i = 0; i < labels->count(); ++i) {
        const int label = static_cast<unsigned char>(labels->bytes[int(i)]);
        if (label >= classes) {
            return Failure{QStringLiteral("'%1': label %2 of image %3 is not a Fashion-MNIST "
                                          "class (0-9).")
                               .arg(native(labelsPath))
                               .arg(label)
                               .arg(i)};
        }
    }
    LabelledImages result;
    result.count = images->count();
    result.rows = int(images->dims[1]);
    result.cols = int(images->dims[2]);
    result.pixels = std::move(images->bytes);
    result.labels = std::move(labels->bytes);
    return result;
}

Result<ExampleDatasetReport> writeExampleDataset(const ExampleDatasetOptions& options,
                                                 const ProgressCallback& progress,
                                                 const std::atomic<bool>* cancel)
{
    QElapsedTimer timer;
    timer.start();
    if (options.train < 0 || options.validation < 0 || options.test < 0) {
        return Failure{QStringLiteral("Image counts cannot be negative.")};
    }
    if (const SettingField& size = datasetSchema().imageSize; !size.accepts(options.imageSize)) {
        return Failure{QStringLiteral("The image size must be %1, got %2.")
                           .arg(size.describe())
                           .arg(options.imageSize)};
    }
    if (options.outDir.isEmpty()) {
        return Failure{QStringLiteral("No output folder given.")};
    }
    const QFileInfo outInfo(options.outDir);
    if (outInfo.exists()) {
        return Failure{QStringLiteral("'%1' already exists; nothing was written. Choose a new "
                                      "folder or delete this one first.")
                           .arg(native(options.outDir))};
    }

    Result<LabelledImages> trainPart = loadFashionMnist(options.sourceDir, FashionMnistPart::Train);
    if (!trainPart) {
        return Failure{trainPart.error()};
    }
    const bool needTest = options.test > 0;
    Result<LabelledImages> testPart =
        needTest ? loadFashionMnist(options.sourceDir, FashionMnistPart::Test)
                 : Result<LabelledImages>(LabelledImages{});
    if (!testPart) {
        return Failure{testPart.error()};
    }
    if (qint64(options.train) + options.validation > trainPart->count) {
        return Failure{QStringLiteral("--train %1 plus --validation %2 exceed the %3 images of "
                                      "the official training set.")
                           .arg(options.train)
                           .arg(options.validation)
                           .arg(trainPart->count)};
    }
    if (needTest && options.test > testPart->count) {
        return Failure{QStringLiteral("--test %1 exceeds the %2 images of the official test set.")
                           .arg(options.test)
                           .arg(testPart->count)};
    }

    const QString absoluteOut = outInfo.absoluteFilePath();
    const QDir parent = QFileInfo(absoluteOut).dir();
    if (!parent.exists() && !QDir().mkpath(parent.absolutePath())) {
        return Failure{
            QStringLiteral("Cannot create the folder '%1'.").arg(native(parent.absolutePath()))};
    }
    const QString staging =
        parent.filePath(QStringLiteral(".%1.partial").arg(QFileInfo(absoluteOut).fileName()));
    QDir(staging).removeRecursively(); // a leftover of our own interrupted run

    std::vector<Job> jobs;
    jobs.reserve(size_t(options.train + options.validation + options.test));
    for (qint64 i = 0; i < options.train; ++i) {
        jobs.push_back({&*trainPart, i, QStringLiteral("train")});
    }
    for (qint64 i = trainPart->count - options.validation; i < trainPart->count; ++i) {
        jobs.push_back({&*trainPart, i, QStringLiteral("validation")});
    }
    for (qint64 i = 0; i < options.test; ++i) {
        jobs.push_back({&*testPart, i, QStringLiteral("test")});
    }

    const QStringList classes = fashionMnistClassNames();
    for (const QString& split :
         {QStringLiteral("train"), QStringLiteral("validation"), QStringLiteral("test")}) {
        for (const QString& name : classes) {
            const QString folder = staging + QLatin1Char('/') + split + QLatin1Char('/') + name;
            if (!QDir().mkpath(folder)) {
                QDir(staging).removeRecursively();
                return Failure{QStringLiteral("Cannot create '%1'. Check that the folder is "
                                              "writable and the disk is not full.")
                                   .arg(native(folder))};
            }
        }
    }

    const qint64 total = qint64(jobs.size());
    std::atomic<qint64> next{0};
    std::atomic<qint64> done{0};
    std::atomic<bool> failed{false};
    QString firstError;
    std::mutex errorMutex;

    // Runs on worker threads: encodes and writes PNGs until the job list is exhausted.
    auto work = [&]() {
        cv::setNumThreads(1);
        const std::vector<int> pngParams = {cv::IMWRITE_PNG_COMPRESSION, 3};
        for (;;) {
            if (failed.load() || (cancel != nullptr && cancel->load())) {
                return;
            }
            const qint64 j = next.fetch_add(1);
            if (j >= total) {
                return;
            }
            const Job& job = jobs[size_t(j)];
            const LabelledImages& src = *job.source;
            const int label = static_cast<unsigned char>(src.labels[int(job.index)]);
            cv::Mat image(src.rows, src.cols, CV_8UC1,
                          const_cast<char*>(src.pixels.constData()) +
                              job.index * src.rows * src.cols);
            cv::Mat resized;
            if (options.imageSize == src.rows && options.imageSize == src.cols) {
                resized = image;
            } else {
                const bool shrink = options.imageSize < src.rows;
                cv::resize(image, resized, cv::Size(options.imageSize, options.imageSize), 0, 0,
                           shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
            }
            const QString path = QStringLiteral("%1/%2/%3/%4.png")
                                     .arg(staging, job.split, classes[label])
                                     .arg(job.index);
            bool written = false;
            try {
                written = cv::imwrite(QFile::encodeName(path).toStdString(), resized, pngParams);
            } catch (const cv::Exception&) {
                written = false;
            }
            if (!written) {
                std::lock_guard<std::mutex> lock(errorMutex);
                if (!failed.exchange(true)) {
                    firstError = QStringLiteral("Cannot write '%1'. Check that the disk is not "
                                                "full and the folder is writable.")
                                     .arg(native(path));
                }
                return;
            }
            const qint64 finished = done.fetch_add(1) + 1;
            if (progress && (finished % 500 == 0 || finished == total)) {
                progress(finished, total);
            }
        }
    };

    const int threads = options.threads > 0 ? options.threads
                                            : std::max(1, int(std::thread::hardware_concurrency()));
    std::vector<std::thread> workers;
    for (int t = 1; t < threads; ++t) {
        workers.emplace_back(work);
    }
    work();
    for (std::thread& worker : workers) {
        worker.join();
    }

    if (failed.load()) {
        QDir(staging).removeRecursively();
        return Failure{firstError};
    }
    if (cancel != nullptr && cancel->load()) {
        QDir(staging).removeRecursively();
        return Failure{
            QStringLiteral("Cancelled; nothing was written to '%1'.").arg(native(options.outDir))};
    }
    const Status published = publishFolder(staging, absoluteOut);
    if (!published) {
        QDir(staging).removeRecursively();
        return Failure{published.error()};
    }
    ExampleDatasetReport report;
    report.train = options.train;
    report.validation = options.validation;
    report.test = options.test;
    report.seconds = double(timer.nsecsElapsed()) / 1e9;
    return report;
}

} // namespace studio
