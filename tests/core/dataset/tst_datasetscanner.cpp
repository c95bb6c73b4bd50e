// Tests of scanning dataset folders: layouts, every reported and fatal case, the auto split,
// decoding of every format and the cache filled by the scan.
#include "dataset/datasetscanner.h"
#include "dataset/imagecache.h"
#include "dataset/imagedecoder.h"
#include "dataset/splitmanifest.h"

#include "datasetfixtures.h"
#include "sciencedataset.h"

#include <opencv2/imgproc.hpp>

#include <QFile>
#include <QHash>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <functional>

#include <unistd.h>

using namespace studio;
using fixtures::writeBytes;
using fixtures::writePattern;

namespace {

Result<DatasetIndex> scan(const QString& root,
                          const std::function<void(DatasetSettings&)>& edit = {},
                          ScanOptions options = {})
{
    DatasetSettings settings;
    settings.root = root;
    settings.imageSize = 8;
    if (edit) {
        edit(settings);
    }
    options.threads = options.threads > 0 ? options.threads : 2;
    return scanDataset(settings, options);
}

// Root reads files whatever their permissions. Run as root, this makes the process the user
// "nobody" (65534), real and effective, for its lifetime; glibc applies setresuid to every
// thread, so the scan's worker threads lose root's file access too. The saved user stays root,
// which is what lets the destructor take it back.
class UserNobody
{
public:
    UserNobody() : m_wasRoot(geteuid() == 0)
    {
        if (m_wasRoot) {
            m_changed = setresgid(65534, 65534, 0) == 0 && setresuid(65534, 65534, 0) == 0;
        }
    }
    ~UserNobody()
    {
        if (m_wasRoot) {
            (void)setresuid(0, 0, 0);
            (void)setresgid(0, 0, 0);
        }
    }
    UserNobody(const UserNobody&) = delete;
    UserNobody& operator=(const UserNobody&) = delete;
    // False when running as root and the switch failed.
    bool ok() const { return !m_wasRoot || m_changed; }

private:
    bool m_wasRoot;
    bool m_changed = false;
};

QHash<QString, Split> splitsOf(const DatasetIndex& index)
{
    QHash<QString, Split> result;
    for (const DatasetItem& item : index.items) {
        result.insert(item.path, item.split);
    }
    return result;
}

QStringList pathsOf(const DatasetIndex& index, Split split)
{
    QStringList paths;
    for (const DatasetItem& item : index.items) {
        if (item.split == split) {
            paths.append(item.path);
        }
    }
    return paths;
}

} // namespace

class TestDatasetScanner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void folderLayoutReportsEveryProblem()
    {
        QTemporaryDir dir;
        const QString r = dir.path();
        QVERIFY(writeBytes(r + QStringLiteral("/README.txt"), "about this dataset"));
        QVERIFY(QDir().mkpath(r + QStringLiteral("/extra")));
        QVERIFY(writeBytes(r + QStringLiteral("/train/notes.txt"), "stray"));
        QVERIFY(writePattern(r + QStringLiteral("/train/A/a1.png"), 1));
        QVERIFY(writePattern(r + QStringLiteral("/train/A/a2.png"), 2));
        QVERIFY(writePattern(r + QStringLiteral("/train/A/sub/a3.png"), 3));
        QVERIFY(writePattern(r + QStringLiteral("/train/A/.hidden.png"), 4));
        QVERIFY(writeBytes(r + QStringLiteral("/train/A/empty.png"), QByteArray()));
        QVERIFY(writeBytes(r + QStringLiteral("/train/A/trunc.png"), fixtures::truncatedPng(9)));
        QVERIFY(writeBytes(r + QStringLiteral("/train/A/text.png"), "hello, not an image"));
        QVERIFY(QFile::link(r + QStringLiteral("/nowhere.png"),
                            r + QStringLiteral("/train/A/dangling.png")));
        QVERIFY(writePattern(r + QStringLiteral("/train/B/b1.PNG"), 5));
        QVERIFY(writePattern(r + QStringLiteral("/train/B/b2.jpg"), 6)); // PNG bytes, .jpg name
        QVERIFY(fixtures::writeImage(r + QStringLiteral("/train/B/b3.bmp"), fixtures::pattern(7)));
        QVERIFY(writePattern(r + QStringLiteral("/train/B/b_dup.png"), 1)); // = train/A/a1.png
        QVERIFY(QDir().mkpath(r + QStringLiteral("/train/C")));
        QVERIFY(writePattern(r + QStringLiteral("/train/.cache/x.png"), 8));
        QVERIFY(writePattern(r + QStringLiteral("/val/A/v1.png"), 10));
        QVERIFY(writePattern(r + QStringLiteral("/test/A/t1.png"), 2)); // = train/A/a2.png
        QVERIFY(writePattern(r + QStringLiteral("/test/B/t2.png"), 11));
        QVERIFY(writePattern(r + QStringLiteral("/test/D/t3.png"), 12));
        QVERIFY(writePattern(r + QStringLiteral("/test/D/t4.png"), 13));

        const Result<DatasetIndex> result = scan(r);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        const DatasetIndex& index = *result;
        QCOMPARE(index.splitMode, SplitMode::Folders);
        QCOMPARE(index.classes, (QStringList{"A", "B", "C"}));
        QVERIFY(index.hasValidation);
        QVERIFY(index.hasTest);
        QCOMPARE(
            pathsOf(index, Split::Train),
            (QStringList{"train/A/a1.png", "train/A/a2.png", "train/A/sub/a3.png", "train/B/b1.PNG",
                         "train/B/b2.jpg", "train/B/b3.bmp", "train/B/b_dup.png"}));
        QCOMPARE(pathsOf(index, Split::Validation), (QStringList{"val/A/v1.png"}));
        QCOMPARE(pathsOf(index, Split::Test), (QStringList{"test/A/t1.png", "test/B/t2.png"}));
        QCOMPARE(index.count(Split::Train, 0), 3);
        QCOMPARE(index.count(Split::Train, 1), 4);
        QCOMPARE(index.count(Split::Train, 2), 0);

        QCOMPARE(index.skipped.size(), 4);
        QCOMPARE(index.skipped[0].path, QStringLiteral("train/A/dangling.png"));
        QCOMPARE(index.skipped[0].kind, SkipReason::DanglingLink);
        QVERIFY(index.skipped[0].reason.contains(QLatin1String("dangling symbolic link")));
        QCOMPARE(index.skipped[1].path, QStringLiteral("train/A/empty.png"));
        QCOMPARE(index.skipped[1].kind, SkipReason::Empty);
        QCOMPARE(index.skipped[1].reason, QStringLiteral("empty file (0 bytes)"));
        QCOMPARE(index.skipped[2].path, QStringLiteral("train/A/text.png"));
        QCOMPARE(index.skipped[2].kind, SkipReason::NotAnImage);
        QCOMPARE(index.skipped[2].reason, QStringLiteral("not an image (could not decode)"));
        QCOMPARE(index.skipped[3].path, QStringLiteral("train/A/trunc.png"));
        QCOMPARE(index.skipped[3].kind, SkipReason::Truncated);
        QVERIFY(index.skipped[3].reason.contains(QLatin1String("truncated")));

        QCOMPARE(index.strayFiles, (QStringList{"train/notes.txt"}));
        QCOMPARE(index.emptyClasses.size(), 1);
        QCOMPARE(index.emptyClasses[0].split, Split::Train);
        QCOMPARE(index.emptyClasses[0].className, QStringLiteral("C"));
        QCOMPARE(index.missingClasses.size(), 3);
        QCOMPARE(index.missingClasses[0].split, Split::Validation);
        QCOMPARE(index.missingClasses[0].className, QStringLiteral("B"));
        QCOMPARE(index.missingClasses[1].className, QStringLiteral("C"));
        QCOMPARE(index.missingClasses[2].split, Split::Test);
        QCOMPARE(index.missingClasses[2].className, QStringLiteral("C"));
        QCOMPARE(index.unknownClasses.size(), 1);
        QCOMPARE(index.unknownClasses[0].split, Split::Test);
        QCOMPARE(index.unknownClasses[0].className, QStringLiteral("D"));
        QCOMPARE(index.unknownClasses[0].files, 2);

        QCOMPARE(index.duplicates.size(), 2);
        int within = 0;
        int across = 0;
        for (const DuplicateGroup& group : index.duplicates) {
            if (group.crossSplit) {
                ++across;
                QCOMPARE(group.paths, (QStringList{"train/A/a2.png", "test/A/t1.png"}));
            } else {
                ++within;
                QCOMPARE(group.paths, (QStringList{"train/A/a1.png", "train/B/b_dup.png"}));
            }
        }
        QCOMPARE(within, 1);
        QCOMPARE(across, 1);

        const QString warnings = index.warnings.join(QLatin1Char('\n'));
        QVERIFY(warnings.contains(QLatin1String("Leakage")));
        QVERIFY(warnings.contains(QLatin1String("test/A/t1.png")));
        QVERIFY(warnings.contains(QLatin1String("'extra'")));
        QVERIFY(warnings.contains(QLatin1String("train/notes.txt")));
        QVERIFY(warnings.contains(QLatin1String("'D'")));
        QVERIFY(!warnings.contains(QLatin1String("README")));

        const QVector<float> weights = index.classWeights();
        QCOMPARE(weights.size(), 3);
        QVERIFY(qAbs(weights[0] - 7.0f / 6.0f) < 1e-6f);
        QVERIFY(qAbs(weights[1] - 7.0f / 8.0f) < 1e-6f);
        QCOMPARE(weights[2], 0.0f);
    }

    void splitNamesAreCaseInsensitive_data()
    {
        QTest::addColumn<QString>("train");
        QTest::addColumn<QString>("validation");
        QTest::addColumn<QString>("test");
        QTest::newRow("lower") << "train"
                               << "validation"
                               << "test";
        QTest::newRow("upper") << "TRAIN"
                               << "VALIDATION"
                               << "TEST";
        QTest::newRow("val") << "Train"
                             << "Val"
                             << "Test";
        QTest::newRow("valid") << "train"
                               << "valid"
                               << "tEsT";
    }

    void splitNamesAreCaseInsensitive()
    {
        QFETCH(QString, train);
        QFETCH(QString, validation);
        QFETCH(QString, test);
        QTemporaryDir dir;
        int n = 0;
        for (const QString& split : {train, validation, test}) {
            for (const QString& cls : {QStringLiteral("x"), QStringLiteral("y")}) {
                QVERIFY(writePattern(
                    dir.path() + QStringLiteral("/%1/%2/%3.png").arg(split, cls).arg(n), n));
                ++n;
            }
        }
        const Result<DatasetIndex> result = scan(dir.path());
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(result->splitMode, SplitMode::Folders);
        QCOMPARE(result->count(Split::Train), 2);
        QCOMPARE(result->count(Split::Validation), 2);
        QCOMPARE(result->count(Split::Test), 2);
        QVERIFY(result->warnings.isEmpty());
    }

    void testSplitIsOptional()
    {
        QTemporaryDir dir;
        QVERIFY(writePattern(dir.path() + QStringLiteral("/train/x/1.png"), 1));
        QVERIFY(writePattern(dir.path() + QStringLiteral("/train/y/2.png"), 2));
        QVERIFY(writePattern(dir.path() + QStringLiteral("/validation/x/3.png"), 3));
        QVERIFY(writePattern(dir.path() + QStringLiteral("/validation/y/4.png"), 4));
        const Result<DatasetIndex> result = scan(dir.path());
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QVERIFY(!result->hasTest);
        QCOMPARE(result->count(Split::Test), 0);
        QVERIFY(result->missingClasses.isEmpty());
        QVERIFY(result->warnings.isEmpty());
    }

    // More than three times the images of the smallest class in the largest: a warning that
    // names both and the Train page's setting; three times exactly is not.
    void unbalancedClassesAreReported()
    {
        QTemporaryDir dir;
        int n = 0;
        const auto write = [&](const QString& cls, int count) {
            for (int i = 0; i < count; ++i, ++n) {
                if (!writePattern(dir.path() + QStringLiteral("/train/%1/%2.png").arg(cls).arg(n),
                                  n)) {
                    return false;
                }
            }
            const int image = n++;
            return writePattern(
                dir.path() + QStringLiteral("/validation/%1/%2.png").arg(cls).arg(image), image);
        };
        QVERIFY(write(QStringLiteral("many"), 9));
        QVERIFY(write(QStringLiteral("few"), 3));
        Result<DatasetIndex> result = scan(dir.path());
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QVERIFY2(result->warnings.isEmpty(), qPrintable(result->warnings.join('\n')));

        QVERIFY(writePattern(dir.path() + QStringLiteral("/train/many/extra.png"), 99));
        result = scan(dir.path());
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(result->warnings.size(), 1);
        const QString warning = result->warnings.first();
        QVERIFY2(warning.contains(QStringLiteral("'many' has 10 training images, 'few' only 3")),
                 qPrintable(warning));
        QVERIFY(warning.contains(QStringLiteral("class_weights")));
    }

    // Icons drawn in the transparency alone (black under a shape-shaped alpha) are blank once
    // the alpha is dropped: the scan says so, names the count and how to give them a background.
    // Transparent images with a picture under the alpha get only the usual note.
    void picturesInTransparencyAloneAreWarnedAbout()
    {
        QTemporaryDir dir;
        const auto icon = [](int n, bool colourToo) {
            cv::Mat bgra(16, 16, CV_8UC4, cv::Scalar(0, 0, 0, 0));
            cv::circle(bgra, {4 + n % 8, 8}, 3 + n % 3, cv::Scalar(0, 0, 0, 255), cv::FILLED);
            if (colourToo) {
                cv::circle(bgra, {4 + n % 8, 8}, 2, cv::Scalar(200, 100, 50, 255), cv::FILLED);
            }
            return bgra;
        };
        for (int i = 0; i < 4; ++i) {
            for (const char* split : {"train", "validation"}) {
                for (const char* cls : {"a", "b"}) {
                    QVERIFY(fixtures::writeImage(
                        dir.path() + QStringLiteral("/%1/%2/%3.png").arg(split, cls).arg(i),
                        icon(i + (cls[0] == 'b' ? 3 : 0), false)));
                }
            }
        }
        Result<DatasetIndex> result = scan(dir.path());
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QString warnings = result->warnings.join(QLatin1Char('\n'));
        QVERIFY2(warnings.contains(QStringLiteral("All 16 images hold their picture in the "
                                                  "transparency (alpha) channel alone")),
                 qPrintable(warnings));
        QVERIFY(warnings.contains(QStringLiteral("-alpha remove")));

        for (int i = 0; i < 4; ++i) {
            QVERIFY(fixtures::writeImage(dir.path() + QStringLiteral("/train/a/%1.png").arg(i),
                                         icon(i, true)));
        }
        result = scan(dir.path());
        QVERIFY2(result.ok(), qPrintable(result.error()));
        warnings = result->warnings.join(QLatin1Char('\n'));
        QVERIFY2(warnings.contains(QStringLiteral("12 images hold their picture in the")),
                 qPrintable(warnings));
        QVERIFY(warnings.contains(QStringLiteral("16 images have a transparency (alpha) channel")));
    }

    // Many groups leaking across splits: the first five are named, the rest counted in one
    // warning, so that the other warnings stay in sight.
    void manyLeakingGroupsAreCountedNotListed()
    {
        QTemporaryDir dir;
        for (int n = 0; n < 7; ++n) {
            QVERIFY(writePattern(dir.path() + QStringLiteral("/train/A/%1.png").arg(n), n));
            QVERIFY(writePattern(dir.path() + QStringLiteral("/validation/A/v%1.png").arg(n), n));
            QVERIFY(writePattern(dir.path() + QStringLiteral("/train/B/%1.png").arg(n), 20 + n));
        }
        QVERIFY(writePattern(dir.path() + QStringLiteral("/validation/B/v.png"), 40));
        const Result<DatasetIndex> result = scan(dir.path());
        QVERIFY2(result.ok(), qPrintable(result.error()));
        const QStringList named =
            result->warnings.filter(QStringLiteral("Leakage: identical images in"));
        QCOMPARE(named.size(), 5);
        QVERIFY2(!result->warnings.filter(QStringLiteral("Leakage: 2 more groups")).isEmpty(),
                 qPrintable(result->warnings.join('\n')));
        QCOMPARE(std::count_if(result->duplicates.begin(), result->duplicates.end(),
                               [](const DuplicateGroup& g) { return g.crossSplit; }),
                 7);
    }

    void classesAreSortedByName()
    {
        QTemporaryDir dir;
        int n = 0;
        for (const QString& cls :
             {QStringLiteral("b"), QStringLiteral("B"), QStringLiteral("a"), QStringLiteral("A"),
              QStringLiteral("10"), QStringLiteral("9")}) {
            QVERIFY(writePattern(dir.path() + QStringLiteral("/%1/%2.png").arg(cls).arg(n), n));
            ++n;
        }
        const Result<DatasetIndex> result = scan(dir.path(), [](DatasetSettings& s) {
            s.validationRatio = 0;
            s.testRatio = 0;
        });
        QVERIFY2(result.ok(), qPrintable(result.error()));
        // Python's sorted(): code point order, as Keras and torchvision use.
        QCOMPARE(result->classes, (QStringList{"10", "9", "A", "B", "a", "b"}));
        for (const DatasetItem& item : result->items) {
            QCOMPARE(item.path.section(QLatin1Char('/'), 0, 0), result->classes[item.label]);
        }
    }

    void fatalCases_data()
    {
        QTest::addColumn<QString>("layout");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing root") << "missing"
                                      << "does not exist";
        QTest::newRow("root is a file") << "file"
                                        << "is a file, not a folder";
        QTest::newRow("empty root") << "empty"
                                    << "has no class folders";
        QTest::newRow("only files") << "files"
                                    << "has no class folders";
        QTest::newRow("train without classes") << "train-no-classes"
                                               << "has no class folders";
        QTest::newRow("no train folder") << "no-train"
                                         << "The training split is empty";
        QTest::newRow("train all broken") << "train-broken"
                                          << "The training split is empty";
        QTest::newRow("one class") << "one-class"
                                   << "Only one class ('solo')";
        QTest::newRow("one class with images") << "one-with-images"
                                               << "Only one class ('full')";
    }

    void fatalCases()
    {
        QFETCH(QString, layout);
        QFETCH(QString, message);
        QTemporaryDir dir;
        QString root = dir.path() + QStringLiteral("/data");
        if (layout == QLatin1String("missing")) {
            // nothing
        } else if (layout == QLatin1String("file")) {
            QVERIFY(writeBytes(root, "x"));
        } else if (layout == QLatin1String("empty")) {
            QVERIFY(QDir().mkpath(root));
        } else if (layout == QLatin1String("files")) {
            QVERIFY(writePattern(root + QStringLiteral("/a.png"), 1));
        } else if (layout == QLatin1String("train-no-classes")) {
            QVERIFY(writePattern(root + QStringLiteral("/train/a.png"), 1));
            QVERIFY(writePattern(root + QStringLiteral("/validation/x/a.png"), 1));
        } else if (layout == QLatin1String("no-train")) {
            QVERIFY(writePattern(root + QStringLiteral("/validation/x/a.png"), 1));
            QVERIFY(writePattern(root + QStringLiteral("/test/y/b.png"), 2));
        } else if (layout == QLatin1String("train-broken")) {
            QVERIFY(writeBytes(root + QStringLiteral("/train/x/a.png"), "no"));
            QVERIFY(writeBytes(root + QStringLiteral("/train/y/b.png"), QByteArray()));
        } else if (layout == QLatin1String("one-class")) {
            QVERIFY(writePattern(root + QStringLiteral("/solo/a.png"), 1));
            QVERIFY(writePattern(root + QStringLiteral("/solo/b.png"), 2));
        } else if (layout == QLatin1String("one-with-images")) {
            QVERIFY(writePattern(root + QStringLiteral("/train/full/a.png"), 1));
            QVERIFY(writeBytes(root + QStringLiteral("/train/hollow/b.png"), "broken"));
        }
        const Result<DatasetIndex> result = scan(root);
        QVERIFY(!result.ok());
        QVERIFY2(result.error().contains(message), qPrintable(result.error()));
    }

    void unreadableFileIsReported()
    {
        QTemporaryDir dir;
        const QString locked = dir.path() + QStringLiteral("/train/x/locked.png");
        QVERIFY(writePattern(locked, 1));
        QVERIFY(writePattern(dir.path() + QStringLiteral("/train/x/ok.png"), 2));
        QVERIFY(writePattern(dir.path() + QStringLiteral("/train/y/ok.png"), 3));
        QVERIFY(QFile::setPermissions(locked, QFileDevice::Permissions()));
        // The other files stay readable to anyone (the temporary folder itself is owner-only).
        QVERIFY(QFile::setPermissions(
            dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                            QFileDevice::ReadOther | QFileDevice::ExeOther));
        const UserNobody unprivileged;
        QVERIFY2(unprivileged.ok(), "Running as root, could not switch to the user nobody.");
        QFile probe(locked);
        QVERIFY2(!probe.open(QIODevice::ReadOnly),
                 "A file without permissions is still readable (a process with "
                 "CAP_DAC_OVERRIDE but not root?), so permission denied cannot be provoked.");
        const Result<DatasetIndex> result = scan(dir.path());
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(result->skipped.size(), 1);
        QCOMPARE(result->skipped[0].path, QStringLiteral("train/x/locked.png"));
        QCOMPARE(result->skipped[0].kind, SkipReason::PermissionDenied);
        QVERIFY(result->skipped[0].reason.contains(QLatin1String("permission denied")));
    }

    void everyFormatDecodes()
    {
        QTemporaryDir dir;
        const cv::Mat grey = fixtures::pattern(3);
        cv::Mat colour;
        cv::cvtColor(grey, colour, cv::COLOR_GRAY2BGR);
        colour.col(0).setTo(cv::Scalar(10, 20, 30));
        const QStringList extensions = {"png",  "jpg", "jpeg", "bmp", "tif", "tiff",
                                        "webp", "pgm", "ppm",  "pbm", "PNG", "JPG"};
        for (const QString& ext : extensions) {
            const QString path = dir.path() + QStringLiteral("/image.") + ext;
            const cv::Mat& source = ext == QLatin1String("ppm") ? colour : grey;
            const cv::Mat image = ext == QLatin1String("pbm") ? (grey > 100) : source;
            QVERIFY2(fixtures::writeImage(path, image), qPrintable(ext));
            const DecodeResult result = decodeImageFile(path, {16, 3});
            QVERIFY2(result.ok, qPrintable(ext + QStringLiteral(": ") + result.failure.reason));
            QCOMPARE(result.image.sourceWidth, 16);
            QCOMPARE(result.image.pixels.size(), size_t(16 * 16 * 3));
        }
        // A PNG named .jpg decodes: the bytes decide, not the extension.
        QVERIFY(fixtures::writeImage(dir.path() + QStringLiteral("/real.jpg"), grey,
                                     QStringLiteral(".png")));
        const DecodeResult png = decodeImageFile(dir.path() + QStringLiteral("/real.jpg"), {16, 1});
        QVERIFY(png.ok);
        QVERIFY(std::equal(png.image.pixels.begin(), png.image.pixels.end(), grey.data));
    }

    void pixelConversions()
    {
        QTemporaryDir dir;
        // 16-bit scales to 8-bit.
        cv::Mat deep(4, 4, CV_16UC1, cv::Scalar(257 * 100));
        deep.at<quint16>(0, 0) = 65535;
        QVERIFY(fixtures::writeImage(dir.path() + QStringLiteral("/deep.png"), deep));
        DecodeResult r = decodeImageFile(dir.path() + QStringLiteral("/deep.png"), {4, 1});
        QVERIFY(r.ok);
        QCOMPARE(int(r.image.pixels[0]), 255);
        QCOMPARE(int(r.image.pixels[1]), 100);
        // Alpha is dropped; BGR in the file becomes RGB in memory.
        cv::Mat rgba(4, 4, CV_8UC4, cv::Scalar(10, 20, 30, 0)); // B, G, R, A (transparent)
        QVERIFY(fixtures::writeImage(dir.path() + QStringLiteral("/alpha.png"), rgba));
        r = decodeImageFile(dir.path() + QStringLiteral("/alpha.png"), {4, 3});
        QVERIFY(r.ok);
        QCOMPARE(r.image.pixels.size(), size_t(48));
        QCOMPARE(int(r.image.pixels[0]), 30);
        QCOMPARE(int(r.image.pixels[1]), 20);
        QCOMPARE(int(r.image.pixels[2]), 10);
        // Grey expands to three equal channels when the model wants RGB.
        r = decodeImageFile(dir.path() + QStringLiteral("/deep.png"), {4, 3});
        QVERIFY(r.ok);
        QCOMPARE(int(r.image.pixels[3]), 100);
        QCOMPARE(int(r.image.pixels[4]), 100);
        QCOMPARE(int(r.image.pixels[5]), 100);
        // Colour to grey with the ITU-R 601 weights (as PIL's "L").
        r = decodeImageFile(dir.path() + QStringLiteral("/alpha.png"), {4, 1});
        QVERIFY(r.ok);
        QCOMPARE(int(r.image.pixels[0]), qRound(0.299 * 30 + 0.587 * 20 + 0.114 * 10));
        // Shrinking averages (area), enlarging interpolates (linear).
        cv::Mat blocks(4, 4, CV_8UC1, cv::Scalar(0));
        blocks(cv::Rect(0, 0, 2, 2)).setTo(200);
        blocks.at<uchar>(0, 0) = 100;
        QVERIFY(fixtures::writeImage(dir.path() + QStringLiteral("/blocks.png"), blocks));
        r = decodeImageFile(dir.path() + QStringLiteral("/blocks.png"), {2, 1});
        QVERIFY(r.ok);
        QCOMPARE(int(r.image.pixels[0]), 175);
        QCOMPARE(int(r.image.pixels[1]), 0);
        r = decodeImageFile(dir.path() + QStringLiteral("/blocks.png"), {8, 1});
        QVERIFY(r.ok);
        QCOMPARE(r.image.pixels.size(), size_t(64));
        QCOMPARE(int(r.image.pixels[7 * 8 + 7]), 0);
        // A cut JPEG decodes to grey in libjpeg; it is reported as truncated.
        std::vector<uchar> jpeg;
        cv::imencode(".jpg", fixtures::pattern(5, 64), jpeg);
        const QByteArray cut(reinterpret_cast<const char*>(jpeg.data()), int(jpeg.size()) / 2);
        r = decodeImageBytes(cut, {8, 1});
        QVERIFY(!r.ok);
        QCOMPARE(r.failure.kind, SkipReason::Truncated);
    }

    // Issue 16's mixed or bad inputs: a 3-channel image among 4-channel ones, an 8-bit image
    // among 16-bit ones and a float TIFF with NaNs end in a counted, listed report.
    void mixedScientificInputsAreCountedAndListed()
    {
        QTemporaryDir dir;
        testdata::ScienceCells cells;
        cells.perClass = 4;
        cells.channels = 4;
        testdata::makeScienceCells(dir.path(), cells);
        const auto add = [&](const QString& name, int channels, testdata::TiffSamples samples,
                             double value) {
            testdata::TiffSpec spec;
            spec.width = 32;
            spec.height = 24;
            spec.channels = channels;
            spec.samples = samples;
            std::vector<double> values(size_t(32 * 24 * channels), 10.0);
            values[5] = value;
            return testdata::writeTiff(dir.filePath(name), spec, values);
        };
        QVERIFY(add("ring/three.tif", 3, testdata::TiffSamples::UInt16, 100));
        QVERIFY(add("ring/eight_bit.tif", 4, testdata::TiffSamples::UInt8, 100));
        QVERIFY(add("round/nan.tif", 4, testdata::TiffSamples::Float32, std::nan("")));
        const Result<DatasetIndex> index = scan(dir.path());
        QVERIFY2(index, qPrintable(index.error()));
        QCOMPARE(index->imageChannels, 4);
        QCOMPARE(index->items.size(), 13);
        QCOMPARE(index->skipped.size(), 2);
        QHash<QString, SkippedFile> skipped;
        for (const SkippedFile& file : index->skipped) {
            skipped.insert(file.path, file);
        }
        QCOMPARE(skipped.value("ring/three.tif").kind, SkipReason::ChannelMismatch);
        QVERIFY(skipped.value("ring/three.tif")
                    .reason.startsWith(
                        QLatin1String("it has 3 channels but the dataset's images have 4")));
        QCOMPARE(skipped.value("round/nan.tif").reason,
                 QStringLiteral("1 of its samples are not numbers (NaN or infinite); replace "
                                "them (with 0, say) or leave the image out"));
        const int ring = int(index->classes.indexOf(QStringLiteral("ring")));
        QCOMPARE(index->formats[ring].sampleTypes,
                 (QMap<int, int>{{int(SampleType::UInt8), 1}, {int(SampleType::UInt16), 4}}));
        const QString warnings = index->warnings.join(QLatin1Char('\n'));
        QVERIFY2(warnings.contains(QLatin1String("different bit depths (1 8-bit, 12 16-bit)")),
                 qPrintable(warnings));
        QVERIFY2(warnings.contains(QLatin1String("2 files could not be used")),
                 qPrintable(warnings));
    }

    void autoSplitIsStratifiedAndStable()
    {
        QTemporaryDir dir;
        const QString r = dir.path();
        const int sizes[] = {50, 30, 21};
        const QStringList classes = {"cat", "dog", "eel"};
        int n = 0;
        for (int c = 0; c < 3; ++c) {
            for (int i = 0; i < sizes[c]; ++i) {
                QVERIFY(writePattern(r + QStringLiteral("/%1/%2.png")
                                             .arg(classes[c])
                                             .arg(i, 3, 10, QLatin1Char('0')),
                                     n++));
            }
        }
        const Result<DatasetIndex> first = scan(r);
        QVERIFY2(first.ok(), qPrintable(first.error()));
        QCOMPARE(first->splitMode, SplitMode::Auto);
        QCOMPARE(first->classes, classes);
        QCOMPARE(first->manifestPath, r + QStringLiteral("/.classifier-studio/split.json"));
        QVERIFY(QFileInfo::exists(first->manifestPath));
        QVERIFY(first->warnings.isEmpty());
        const int expected[3][3] = {{40, 5, 5}, {24, 3, 3}, {17, 2, 2}};
        for (int c = 0; c < 3; ++c) {
            for (int s = 0; s < 3; ++s) {
                QCOMPARE(first->count(Split(s), c), expected[c][s]);
            }
        }
        const QHash<QString, Split> before = splitsOf(*first);

        // Scanning again (the manifest folder is hidden, not a class) changes nothing.
        const Result<DatasetIndex> again = scan(r);
        QVERIFY(again.ok());
        QCOMPARE(again->classes, classes);
        QCOMPARE(splitsOf(*again), before);

        // The same files, seed and ratios give the same split even without the record.
        QVERIFY(QFile::remove(first->manifestPath));
        const Result<DatasetIndex> remade = scan(r);
        QVERIFY(remade.ok());
        QCOMPARE(splitsOf(*remade), before);

        // New files are assigned; the existing ones do not move; removed ones are forgotten.
        for (int i = 0; i < 10; ++i) {
            QVERIFY(writePattern(r + QStringLiteral("/cat/new%1.png").arg(i), 1000 + i));
        }
        QVERIFY(QFile::remove(r + QStringLiteral("/dog/000.png")));
        const Result<DatasetIndex> grown = scan(r);
        QVERIFY(grown.ok());
        const QHash<QString, Split> after = splitsOf(*grown);
        QCOMPARE(after.size(), before.size() + 10 - 1);
        for (auto it = before.constBegin(); it != before.constEnd(); ++it) {
            if (it.key() != QLatin1String("dog/000.png")) {
                QCOMPARE(after.value(it.key()), it.value());
            }
        }
        QCOMPARE(grown->count(Split::Train, 0), 48);
        QCOMPARE(grown->count(Split::Validation, 0), 6);
        QCOMPARE(grown->count(Split::Test, 0), 6);

        // Another seed is a new split, and the scan says so.
        const Result<DatasetIndex> reseeded = scan(r, [](DatasetSettings& s) { s.splitSeed = 7; });
        QVERIFY(reseeded.ok());
        QVERIFY(reseeded->warnings.join(QLatin1Char(' ')).contains(QLatin1String("split again")));
        QVERIFY(splitsOf(*reseeded) != after);
        QCOMPARE(reseeded->count(Split::Train, 0), 48);
    }

    void manifestCanLiveElsewhere()
    {
        QTemporaryDir dir;
        for (int i = 0; i < 6; ++i) {
            QVERIFY(
                writePattern(dir.path() + QStringLiteral("/data/%1/%2.png").arg(i % 2).arg(i), i));
        }
        ScanOptions options;
        options.manifestPath = dir.path() + QStringLiteral("/project/split.json");
        const Result<DatasetIndex> result = scan(dir.path() + QStringLiteral("/data"), {}, options);
        QVERIFY(result.ok());
        QVERIFY(QFileInfo::exists(options.manifestPath));
        QVERIFY(!QFileInfo::exists(dir.path() + QStringLiteral("/data/.classifier-studio")));
        const Result<SplitManifest> manifest = SplitManifest::load(options.manifestPath);
        QVERIFY2(manifest.ok(), qPrintable(manifest.error()));
        QCOMPARE(manifest->size(), 6);
        QCOMPARE(manifest->seed(), quint64(42));
    }

    void splitModeSettingIsComparedWithTheFolders()
    {
        QTemporaryDir dir;
        QVERIFY(writePattern(dir.path() + QStringLiteral("/train/x/1.png"), 1));
        QVERIFY(writePattern(dir.path() + QStringLiteral("/train/y/2.png"), 2));
        QVERIFY(writePattern(dir.path() + QStringLiteral("/validation/x/3.png"), 3));
        QVERIFY(writePattern(dir.path() + QStringLiteral("/validation/y/4.png"), 4));
        const Result<DatasetIndex> result =
            scan(dir.path(), [](DatasetSettings& s) { s.splitMode = SplitMode::Auto; });
        QVERIFY(result.ok());
        QCOMPARE(result->splitMode, SplitMode::Folders);
        QCOMPARE(result->warnings.size(), 1);
        QVERIFY(result->warnings[0].contains(QLatin1String("automatic split")));
    }

    void cancelledScanIsAFailure()
    {
        QTemporaryDir dir;
        QVERIFY(writePattern(dir.path() + QStringLiteral("/x/1.png"), 1));
        QVERIFY(writePattern(dir.path() + QStringLiteral("/y/2.png"), 2));
        const std::atomic<bool> cancel{true};
        ImageCache cache({8, 3}, 0);
        ScanOptions options;
        options.cancel = &cancel;
        options.cache = &cache;
        const Result<DatasetIndex> result = scan(dir.path(), {}, options);
        QVERIFY(!result.ok());
        QVERIFY(result.error().contains(QLatin1String("cancelled")));
        QCOMPARE(cache.count(), qint64(0));
        QVERIFY(!QFileInfo::exists(dir.path() + QStringLiteral("/.classifier-studio")));
    }

    void scanFillsTheCache()
    {
        QTemporaryDir dir;
        for (int i = 0; i < 12; ++i) {
            QVERIFY(
                writePattern(dir.path() + QStringLiteral("/train/%1/%2.png").arg(i % 3).arg(i), i));
        }
        QVERIFY(writeBytes(dir.path() + QStringLiteral("/train/0/bad.png"), "bad"));
        ImageCache cache({8, 3}, 0);
        ScanOptions options;
        options.cache = &cache;
        qint64 lastDone = 0;
        qint64 lastTotal = 0;
        options.progress = [&](qint64 done, qint64 total) {
            lastDone = std::max(lastDone, done);
            lastTotal = total;
        };
        const Result<DatasetIndex> result = scan(dir.path(), {}, options);
        QVERIFY(result.ok());
        QCOMPARE(lastDone, qint64(13));
        QCOMPARE(lastTotal, qint64(13));
        QCOMPARE(result->items.size(), 12);
        QCOMPARE(result->cachedImages, qint64(12));
        for (int i = 0; i < result->items.size(); ++i) {
            const DecodeResult decoded =
                decodeImageFile(result->root + QLatin1Char('/') + result->items[i].path, {8, 3});
            const uint8_t* cached = cache.find(i).pixels;
            QVERIFY(cached != nullptr);
            QVERIFY(std::equal(decoded.image.pixels.begin(), decoded.image.pixels.end(), cached));
        }

        ImageCache small({8, 3}, 5 * 8 * 8 * 3);
        options.cache = &small;
        const Result<DatasetIndex> partial = scan(dir.path(), {}, options);
        QVERIFY(partial.ok());
        QCOMPARE(partial->cachedImages, qint64(5));
        int found = 0;
        for (int i = 0; i < partial->items.size(); ++i) {
            found += small.find(i).pixels != nullptr ? 1 : 0;
        }
        QCOMPARE(found, 5);
    }
};

QTEST_GUILESS_MAIN(TestDatasetScanner)
#include "tst_datasetscanner.moc"
