// Fashion-MNIST as Debian's dataset-fashion-mnist package installs it, and the example dataset.
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

namespace studio {

// Images and labels of one official Fashion-MNIST part (train: 60,000, test: 10,000).
struct LabelledImages
{
    int rows = 0;
    int cols = 0;
    qint64 count = 0;
    QByteArray pixels; // count * rows * cols bytes, row-major, 0 = background
    QByteArray labels; // count bytes, 0..9
};

enum class FashionMnistPart
{
    Train,
    Test
};

// Where the IDX files are: $STUDIO_FASHION_MNIST_DIR, else Debian's install location.
QString defaultFashionMnistDir();

// Readable class names in label order, usable as folder names (T-shirt_top, Trouser, ...).
QStringList fashionMnistClassNames();

// Loads and cross-checks the image and label files of one part from `dir`.
Result<LabelledImages> loadFashionMnist(const QString& dir, FashionMnistPart part);

// What the example dataset holds and where it comes from.
struct ExampleDatasetOptions
{
    QString sourceDir = defaultFashionMnistDir();
    QString outDir;
    int train = 54000;     // from the start of the official training set
    int validation = 6000; // from the end of the official training set
    int test = 10000;      // from the start of the official test set
    int imageSize = 28;    // square side of the written PNGs
    int threads = 0;       // 0: all cores
};

// What was written.
struct ExampleDatasetReport
{
    qint64 train = 0;
    qint64 validation = 0;
    qint64 test = 0;
    double seconds = 0;
};

// Reports (images written, images in total); may be called from worker threads.
using ProgressCallback = std::function<void(qint64 done, qint64 total)>;

// Writes OUT/{train,validation,test}/<class>/<n>.png, where n is the image's index in its
// official file. Writes into a temporary folder beside OUT and renames it at the end, so an
// interrupted run leaves no half-written dataset. Runs on the calling thread plus workers.
Result<ExampleDatasetReport> writeExampleDataset(const ExampleDatasetOptions& options,
                                                 const ProgressCallback& progress = {},
                                                 const std::atomic<bool>* cancel = nullptr);

} // namespace studio
