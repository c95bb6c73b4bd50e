#include "dataset/fashionmnist.h"

#include "common/atomicfile.h"
#include "common/nativepath.h"
#include "dataset/datasetschema.h"
#include "dataset/idxreader.h"
#include "dataset/parallel_p.h"

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

// A failure when the options cannot make a dataset: negative counts, an image size out of
// range, no output folder or one that exists.
Status checkExampleOptions(const ExampleDatasetOptions& options)
{
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
    if (QFileInfo(options.outDir).exists()) {
        return Failure{QStringLiteral("'%1' already exists; nothing was written. Choose a new "
                                      "folder or delete this one first.")
                           .arg(native(options.outDir))};
    }
    return {};
}

// Loads the official training part, and the test part when test images are asked for, and
// checks that they hold as many images as asked for.
Status loadSourceParts(const ExampleDatasetOptions& options, LabelledImages* trainPart,
                       LabelledImages* testPart)
{
    Result<LabelledImages> train = loadFashionMnist(options.sourceDir, FashionMnistPart::Train);
    if (!train) {
        return Failure{train.error()};
    }
    const bool needTest = options.test > 0;
    Result<LabelledImages> test = needTest
                                      ? loadFashionMnist(options.sourceDir, FashionMnistPart::Test)
                                      : Result<LabelledImages>(LabelledImages{});
    if (!test) {
        return Failure{test.error()};
    }
    if (qint64(options.train) + options.validation > train->count) {
        return Failure{QStringLiteral("--train %1 plus --validation %2 exceed the %3 images of "
                                      "the official training set.")
                           .arg(options.train)
                           .arg(options.validation)
                           .arg(train->count)};
    }
    if (needTest && options.test > test->count) {
        return Failure{QStringLiteral("--test %1 exceeds the %2 images of the official test set.")
                           .arg(options.test)
                           .arg(test->count)};
    }
    *trainPart = std::move(*train);
    *testPart = std::move(*test);
    return {};
}

// The empty temporary folder beside `absoluteOut` that the images are written into (the
// leftover of an interrupted run is removed), creating the parent folder when needed.
Result<QString> prepareStagingFolder(const QString& absoluteOut)
{
    const QDir parent = QFileInfo(absoluteOut).dir();
    if (!parent.exists() && !QDir().mkpath(parent.absolutePath())) {
        return Failure{
            QStringLiteral("Cannot create the folder '%1'.").arg(native(parent.absolutePath()))};
    }
    const QString staging =
        parent.filePath(QStringLiteral(".%1.partial").arg(QFileInfo(absoluteOut).fileName()));
    QDir(staging).removeRecursively(); // a leftover of our own interrupted run
    return staging;
}

// The images to write: the first of the training part, the last of the training part for
// validation, and the first of the test part.
std::vector<Job> listJobs(const ExampleDatasetOptions& options, const LabelledImages& trainPart,
                          const LabelledImages& testPart)
{
    std::vector<Job> jobs;
    jobs.reserve(size_t(options.train + options.validation + options.test));
    for (qint64 i = 0; i < options.train; ++i) {
        jobs.push_back({&trainPart, i, QStringLiteral("train")});
    }
    for (qint64 i = trainPart.count - options.validation; i < trainPart.count; ++i) {
        jobs.push_back({&trainPart, i, QStringLiteral("validation")});
    }
    for (qint64 i = 0; i < options.test; ++i) {
        jobs.push_back({&testPart, i, QStringLiteral("test")});
    }
    return jobs;
}

// Creates every split's class folders under `staging`; on failure removes `staging`.
Status makeClassFolders(const QString& staging, const QStringList& classes)
{
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
    return {};
}

// Writes one job's image, resized to imageSize x imageSize, as a PNG into its class folder
// under `staging`; sets *path to the file and returns false when it cannot be written.
bool writeJobImage(const Job& job, int imageSize, const QString& staging,
                   const QStringList& classes, const std::vector<int>& pngParams, QString* path)
{
    const LabelledImages& src = *job.source;
    const int label = static_cast<unsigned char>(src.labels[int(job.index)]);
    cv::Mat image(src.rows, src.cols, CV_8UC1,
                  const_cast<char*>(src.pixels.constData()) + job.index * src.rows * src.cols);
    cv::Mat resized;
    if (imageSize == src.rows && imageSize == src.cols) {
        resized = image;
    } else {
        const bool shrink = imageSize < src.rows;
        cv::resize(image, resized, cv::Size(imageSize, imageSize), 0, 0,
                   shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
    }
    *path =
        QStringLiteral("%1/%2/%3/%4.png").arg(staging, job.split, classes[label]).arg(job.index);
    try {
        return cv::imwrite(QFile::encodeName(*path).toStdString(), resized, pngParams);
    } catch (const cv::Exception&) {
        return false;
    }
}

// Writes every job's PNG on the calling thread plus workers until all are written, one fails
// (the failure names it) or `cancel` is set.
Status writeImagesInParallel(const std::vector<Job>& jobs, const ExampleDatasetOptions& options,
                             const QString& staging, const ProgressCallback& progress,
                             const std::atomic<bool>* cancel)
{
    const QStringList classes = fashionMnistClassNames();
    const qint64 total = qint64(jobs.size());
    std::atomic<qint64> next{0};
    std::atomic<qint64> done{0};
    std::atomic<bool> failed{false};
    QString firstError;
    std::mutex errorMutex;

    // Runs on worker threads: encodes and writes PNGs until the job list is exhausted.
    auto work = [&]() {
        const std::vector<int> pngParams = {cv::IMWRITE_PNG_COMPRESSION, 3};
        for (;;) {
            if (failed.load() || (cancel != nullptr && cancel->load())) {
                return;
            }
            const qint64 j = next.fetch_add(1);
            if (j >= total) {
                return;
            }
            QString path;
            if (!writeJobImage(jobs[size_t(j)], options.imageSize, staging, classes, pngParams,
                               &path)) {
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
    // Once, here: cv::setNumThreads called from several threads at once crashed in TBB's
    // task_arena (tst_fashionmnist, one run in three under load).
    const OpenCvSingleThreaded singleThreadedOpenCv;
    std::vector<std::thread> workers;
    for (int t = 1; t < threads; ++t) {
        workers.emplace_back(work);
    }
    work();
    for (std::thread& worker : workers) {
        worker.join();
    }
    if (failed.load()) {
        return Failure{firstError};
    }
    return {};
}

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
    if (const Status valid = checkExampleOptions(options); !valid) {
        return Failure{valid.error()};
    }
    LabelledImages trainPart;
    LabelledImages testPart;
    if (const Status loaded = loadSourceParts(options, &trainPart, &testPart); !loaded) {
        return Failure{loaded.error()};
    }
    const QString absoluteOut = QFileInfo(options.outDir).absoluteFilePath();
    const Result<QString> staging = prepareStagingFolder(absoluteOut);
    if (!staging) {
        return Failure{staging.error()};
    }
    const std::vector<Job> jobs = listJobs(options, trainPart, testPart);
    if (const Status made = makeClassFolders(*staging, fashionMnistClassNames()); !made) {
        return Failure{made.error()};
    }
    if (const Status written = writeImagesInParallel(jobs, options, *staging, progress, cancel);
        !written) {
        QDir(*staging).removeRecursively();
        return Failure{written.error()};
    }
    if (cancel != nullptr && cancel->load()) {
        QDir(*staging).removeRecursively();
        return Failure{
            QStringLiteral("Cancelled; nothing was written to '%1'.").arg(native(options.outDir))};
    }
    const Status published = publishFolder(*staging, absoluteOut);
    if (!published) {
        QDir(*staging).removeRecursively();
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
