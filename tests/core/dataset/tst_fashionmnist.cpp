// Tests of the Fashion-MNIST loader and the example-dataset writer, on made-up and real IDX files.
#include "dataset/fashionmnist.h"
#include "dataset/idxreader.h"

#include <QDirIterator>
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>

#include <zlib.h>

using namespace studio;

namespace {

QByteArray idx(const QVector<quint32>& dims, const QByteArray& payload)
{
    QByteArray bytes("\0\0\x08", 3);
    bytes.append(char(dims.size()));
    for (quint32 d : dims) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            bytes.append(char((d >> shift) & 0xff));
        }
    }
    return bytes + payload;
}

void writeGzip(const QString& path, const QByteArray& bytes)
{
    gzFile file = gzopen(QFile::encodeName(path).constData(), "wb");
    gzwrite(file, bytes.constData(), unsigned(bytes.size()));
    gzclose(file);
}

// A miniature Fashion-MNIST: `count` 28x28 images with labels i % 10 and a distinct pattern each.
void writeFakeFashionMnist(const QString& dir, const QString& prefix, int count)
{
    QByteArray pixels(count * 28 * 28, 0);
    QByteArray labels(count, 0);
    for (int i = 0; i < count; ++i) {
        labels[i] = char(i % 10);
        for (int p = 0; p < 28 * 28; ++p) {
            pixels[i * 784 + p] = char((p * 3 + i * 17) % 256);
        }
    }
    writeGzip(dir + QLatin1Char('/') + prefix + QStringLiteral("-images-idx3-ubyte.gz"),
              idx({quint32(count), 28, 28}, pixels));
    writeGzip(dir + QLatin1Char('/') + prefix + QStringLiteral("-labels-idx1-ubyte.gz"),
              idx({quint32(count)}, labels));
}

int countFiles(const QString& dir)
{
    int n = 0;
    QDirIterator it(dir, QDir::Files);
    while (it.hasNext()) {
        it.next();
        ++n;
    }
    return n;
}

// Compares every PNG of OUT/<split> with the IDX image whose index is its file name.
void comparePixels(const QString& splitDir, const LabelledImages& source, int expectedFiles)
{
    const QStringList classes = fashionMnistClassNames();
    int seen = 0;
    for (int c = 0; c < classes.size(); ++c) {
        QDirIterator it(splitDir + QLatin1Char('/') + classes[c], {QStringLiteral("*.png")},
                        QDir::Files);
        while (it.hasNext()) {
            const QString path = it.next();
            bool ok = false;
            const int index = it.fileInfo().completeBaseName().toInt(&ok);
            QVERIFY2(ok, qPrintable(path));
            QCOMPARE(int(static_cast<unsigned char>(source.labels[index])), c);
            const QImage image(path);
            QCOMPARE(image.format(), QImage::Format_Grayscale8);
            QCOMPARE(image.width(), source.cols);
            QCOMPARE(image.height(), source.rows);
            for (int y = 0; y < source.rows; ++y) {
                const auto* expected = reinterpret_cast<const uchar*>(source.pixels.constData()) +
                                       qint64(index) * source.rows * source.cols + y * source.cols;
                if (memcmp(image.constScanLine(y), expected, size_t(source.cols)) != 0) {
                    QFAIL(
                        qPrintable(QStringLiteral("pixels of %1 differ from the IDX data in row %2")
                                       .arg(path)
                                       .arg(y)));
                }
            }
            ++seen;
        }
    }
    QCOMPARE(seen, expectedFiles);
}

} // namespace

class TestFashionMnist : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void classNamesAreFolderSafe()
    {
        const QStringList names = fashionMnistClassNames();
        QCOMPARE(names.size(), 10);
        QCOMPARE(names.first(), QStringLiteral("T-shirt_top"));
        QCOMPARE(names.last(), QStringLiteral("Ankle_boot"));
        for (const QString& name : names) {
            QVERIFY(!name.contains(QLatin1Char('/')) && !name.contains(QLatin1Char(' ')));
        }
    }

    void writesFakeDatasetWithExactPixels()
    {
        QTemporaryDir source;
        writeFakeFashionMnist(source.path(), QStringLiteral("train"), 50);
        writeFakeFashionMnist(source.path(), QStringLiteral("t10k"), 20);
        QTemporaryDir out;
        ExampleDatasetOptions options;
        options.sourceDir = source.path();
        options.outDir = out.filePath(QStringLiteral("fm"));
        options.train = 30;
        options.validation = 10;
        options.test = 20;
        qint64 lastDone = 0;
        const Result<ExampleDatasetReport> report =
            writeExampleDataset(options, [&](qint64 done, qint64) { lastDone = done; });
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(lastDone, 60);
        QCOMPARE(report->train, 30);

        const Result<LabelledImages> train =
            loadFashionMnist(source.path(), FashionMnistPart::Train);
        const Result<LabelledImages> test = loadFashionMnist(source.path(), FashionMnistPart::Test);
        QVERIFY(train.ok() && test.ok());
        comparePixels(options.outDir + QStringLiteral("/train"), *train, 30);
        comparePixels(options.outDir + QStringLiteral("/validation"), *train, 10);
        comparePixels(options.outDir + QStringLiteral("/test"), *test, 20);
        // Validation comes from the end of the training file: indices 40..49.
        QVERIFY(QFile::exists(options.outDir + QStringLiteral("/validation/T-shirt_top/40.png")));
        QVERIFY(QFile::exists(options.outDir + QStringLiteral("/validation/Ankle_boot/49.png")));
        QVERIFY(!QFile::exists(options.outDir + QStringLiteral("/train/T-shirt_top/40.png")));
        // No staging folder is left behind.
        QCOMPARE(QDir(out.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList{QStringLiteral("fm")});
    }

    void resizesWhenAsked()
    {
        QTemporaryDir source;
        writeFakeFashionMnist(source.path(), QStringLiteral("train"), 20);
        writeFakeFashionMnist(source.path(), QStringLiteral("t10k"), 10);
        QTemporaryDir out;
        ExampleDatasetOptions options;
        options.sourceDir = source.path();
        options.outDir = out.filePath(QStringLiteral("fm64"));
        options.train = 10;
        options.validation = 0;
        options.test = 0;
        options.imageSize = 64;
        const Result<ExampleDatasetReport> report = writeExampleDataset(options);
        QVERIFY2(report.ok(), qPrintable(report.error()));
        const QImage image(options.outDir + QStringLiteral("/train/T-shirt_top/0.png"));
        QCOMPARE(image.size(), QSize(64, 64));
        QVERIFY(QDir(options.outDir + QStringLiteral("/test/Bag")).exists());
    }

    void refusesExistingFolderAndLosesNothing()
    {
        QTemporaryDir source;
        writeFakeFashionMnist(source.path(), QStringLiteral("train"), 20);
        writeFakeFashionMnist(source.path(), QStringLiteral("t10k"), 10);
        QTemporaryDir out;
        QFile keep(out.filePath(QStringLiteral("precious.txt")));
        QVERIFY(keep.open(QIODevice::WriteOnly));
        keep.write("mine");
        keep.close();
        ExampleDatasetOptions options;
        options.sourceDir = source.path();
        options.outDir = out.path();
        options.train = 5;
        const Result<ExampleDatasetReport> report = writeExampleDataset(options);
        QVERIFY(!report.ok());
        QVERIFY2(report.error().contains(QLatin1String("already exists")),
                 qPrintable(report.error()));
        QCOMPARE(countFiles(out.path()), 1);
    }

    void rejectsImpossibleCounts()
    {
        QTemporaryDir source;
        writeFakeFashionMnist(source.path(), QStringLiteral("train"), 20);
        writeFakeFashionMnist(source.path(), QStringLiteral("t10k"), 10);
        QTemporaryDir out;
        ExampleDatasetOptions options;
        options.sourceDir = source.path();
        options.outDir = out.filePath(QStringLiteral("x"));
        options.train = 15;
        options.validation = 10;
        options.test = 0;
        Result<ExampleDatasetReport> report = writeExampleDataset(options);
        QVERIFY(!report.ok());
        QVERIFY2(report.error().contains(QLatin1String("exceed the 20 images")),
                 qPrintable(report.error()));
        options.validation = 0;
        options.test = 11;
        report = writeExampleDataset(options);
        QVERIFY(!report.ok());
        QVERIFY2(report.error().contains(QLatin1String("--test 11")), qPrintable(report.error()));
        QVERIFY(!QFileInfo::exists(options.outDir));
    }

    void rejectsMismatchedFiles()
    {
        QTemporaryDir source;
        writeFakeFashionMnist(source.path(), QStringLiteral("train"), 20);
        writeGzip(source.filePath(QStringLiteral("train-labels-idx1-ubyte.gz")),
                  idx({19}, QByteArray(19, 1)));
        const Result<LabelledImages> loaded =
            loadFashionMnist(source.path(), FashionMnistPart::Train);
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.error().contains(QLatin1String("20 images")), qPrintable(loaded.error()));
        QVERIFY(loaded.error().contains(QLatin1String("19 labels")));

        writeGzip(source.filePath(QStringLiteral("train-labels-idx1-ubyte.gz")),
                  idx({20}, QByteArray(20, 10)));
        const Result<LabelledImages> badLabel =
            loadFashionMnist(source.path(), FashionMnistPart::Train);
        QVERIFY(!badLabel.ok());
        QVERIFY2(badLabel.error().contains(QLatin1String("label 10")),
                 qPrintable(badLabel.error()));
    }

    void rejectsMissingSource()
    {
        const Result<LabelledImages> loaded =
            loadFashionMnist(QStringLiteral("/nonexistent/fm"), FashionMnistPart::Train);
        QVERIFY(!loaded.ok());
        QVERIFY(loaded.error().contains(QLatin1String("/nonexistent/fm")));
        QVERIFY(loaded.error().contains(QLatin1String("install-deps.sh")));
    }

    // The acceptance case on the real data Debian installs: 1000 / 200 / 200.
    void realFashionMnistPixelsEqualIdx()
    {
        const QString real = QStringLiteral(STUDIO_FASHION_MNIST_DIR);
        if (!QFileInfo::exists(real + QStringLiteral("/train-images-idx3-ubyte.gz"))) {
            if (qEnvironmentVariableIsSet("CI")) {
                QFAIL("Fashion-MNIST is not installed; packaging/install-deps.sh installs it.");
            }
            QSKIP("Fashion-MNIST is not installed (packaging/install-deps.sh installs it).");
        }
        QTemporaryDir out;
        ExampleDatasetOptions options;
        options.sourceDir = real;
        options.outDir = out.filePath(QStringLiteral("fm"));
        options.train = 1000;
        options.validation = 200;
        options.test = 200;
        const Result<ExampleDatasetReport> report = writeExampleDataset(options);
        QVERIFY2(report.ok(), qPrintable(report.error()));
        for (const QString& split :
             {QStringLiteral("train"), QStringLiteral("validation"), QStringLiteral("test")}) {
            QCOMPARE(QDir(options.outDir + QLatin1Char('/') + split)
                         .entryList(QDir::Dirs | QDir::NoDotAndDotDot)
                         .size(),
                     10);
        }
        const Result<LabelledImages> train = loadFashionMnist(real, FashionMnistPart::Train);
        const Result<LabelledImages> test = loadFashionMnist(real, FashionMnistPart::Test);
        QVERIFY(train.ok() && test.ok());
        QCOMPARE(train->count, 60000);
        QCOMPARE(test->count, 10000);
        comparePixels(options.outDir + QStringLiteral("/train"), *train, 1000);
        comparePixels(options.outDir + QStringLiteral("/validation"), *train, 200);
        comparePixels(options.outDir + QStringLiteral("/test"), *test, 200);
    }
};

QTEST_GUILESS_MAIN(TestFashionMnist)
#include "tst_fashionmnist.moc"
