// Tests that scanning survives hostile dataset folders: empty, zero-byte, truncated, mislabelled,
// enormous and decompression-bomb images, files that are not regular files, unreadable files and
// folders, dangling and looping links, names that are not UTF-8 or near NAME_MAX, thousands of
// classes and a single class. Every scan must return in bounded time (a watchdog ends the process
// otherwise) and bounded memory, with either a Failure that names the folder and says what to do
// or an index whose report lists every bad file with its reason; `classifier-cli scan` must exit
// with 0 or 2 and name the file or folder.
#include "dataset/datasetscanner.h"
#include "dataset/scanreport.h"

#include "clirun.h"
#include "datasetfixtures.h"
#include "watchdog.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

using namespace studio;
using fixtures::writeBytes;
using fixtures::writePattern;
using studio::testdata::CliRun;
using studio::testdata::runCli;

namespace {

using studio::testdata::Watchdog;

// Set in the child that re-runs a test without the capabilities that let root read any file.
const char* const kWithoutDacVariable = "STUDIO_TEST_WITHOUT_DAC";

Result<DatasetIndex> scanWithin(const QString& root, int seconds = 60)
{
    const Watchdog watchdog(QStringLiteral("scanning ") + root, seconds);
    DatasetSettings settings;
    settings.root = root;
    settings.imageSize = 8;
    ScanOptions options;
    options.threads = 2;
    return scanDataset(settings, options);
}

CliRun scanCli(const QStringList& arguments)
{
    return runCli(QStringList{QStringLiteral("scan")} + arguments, 180000);
}

// The peak resident memory of this process (or of its largest waited-for child), in MiB.
qint64 peakMiB(int who = RUSAGE_SELF)
{
    rusage usage{};
    getrusage(who, &usage);
    return qint64(usage.ru_maxrss) / 1024;
}

QByteArray bigEndian32(quint32 v)
{
    const char bytes[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
    return QByteArray(bytes, 4);
}

// A PNG chunk with its length and CRC.
QByteArray pngChunk(const char* type, const QByteArray& data)
{
    uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(type), 4);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.constData()), uInt(data.size()));
    return bigEndian32(quint32(data.size())) + QByteArray(type, 4) + data +
           bigEndian32(quint32(crc));
}

// Signature and IHDR of an 8-bit RGB PNG of width x height.
QByteArray pngHead(quint32 width, quint32 height)
{
    QByteArray ihdr = bigEndian32(width) + bigEndian32(height);
    ihdr += QByteArray("\x08\x02\x00\x00\x00", 5); // depth 8, RGB, deflate, filter 0, no interlace
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + pngChunk("IHDR", ihdr);
}

// A well-formed PNG whose header claims width x height pixels; its data is a few bytes.
QByteArray hugeHeaderPng(quint32 width, quint32 height)
{
    const QByteArray zeros(64, '\0');
    return pngHead(width, height) + pngChunk("IDAT", qCompress(zeros).mid(4)) +
           pngChunk("IEND", QByteArray());
}

// A complete, valid PNG of side x side black RGB pixels: a few MiB that decode to side*side*3
// bytes. The zlib stream is made of one deflated block of rows repeated: after Z_FULL_FLUSH,
// deflate encodes the same input the same way, so the blocks need to be compressed only once.
QByteArray decompressionBomb(int side, int rowsPerBlock = 100)
{
    const qint64 row = 1 + qint64(side) * 3; // filter byte + pixels
    Q_ASSERT(side % rowsPerBlock == 0);
    const QByteArray block(int(row * rowsPerBlock), '\0');
    z_stream z{};
    deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY); // raw deflate
    const auto deflateBlock = [&](const QByteArray& in, int flush) {
        QByteArray out(int(deflateBound(&z, uLong(in.size()))) + 64, '\0');
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.constData()));
        z.avail_in = uInt(in.size());
        z.next_out = reinterpret_cast<Bytef*>(out.data());
        z.avail_out = uInt(out.size());
        deflate(&z, flush);
        out.truncate(out.size() - int(z.avail_out));
        return out;
    };
    const QByteArray first = deflateBlock(block, Z_FULL_FLUSH);
    const QByteArray second = deflateBlock(block, Z_FULL_FLUSH);
    const QByteArray third = deflateBlock(block, Z_FULL_FLUSH);
    const QByteArray end = deflateBlock(QByteArray(), Z_FINISH);
    deflateEnd(&z);
    if (second != third) {
        return {}; // the repetition does not hold with this zlib
    }
    QByteArray stream("\x78\xda", 2);
    stream += first;
    for (int b = 1; b < side / rowsPerBlock; ++b) {
        stream += second;
    }
    stream += end;
    // Adler-32 of n zero bytes: a stays 1, b grows by 1 per byte.
    const qint64 total = row * side;
    stream += bigEndian32(quint32((total % 65521) << 16 | 1));
    return pngHead(quint32(side), quint32(side)) + pngChunk("IDAT", stream) +
           pngChunk("IEND", QByteArray());
}

// A small real JPEG whose start-of-frame is changed to claim width x height pixels.
QByteArray hugeHeaderJpeg(quint16 width, quint16 height)
{
    std::vector<uchar> bytes;
    cv::imencode(".jpg", fixtures::pattern(1), bytes);
    QByteArray jpeg(reinterpret_cast<const char*>(bytes.data()), int(bytes.size()));
    const int sof = int(jpeg.indexOf(QByteArray("\xff\xc0", 2)));
    if (sof < 0) {
        return {};
    }
    jpeg[sof + 5] = char(height >> 8);
    jpeg[sof + 6] = char(height);
    jpeg[sof + 7] = char(width >> 8);
    jpeg[sof + 8] = char(width);
    return jpeg;
}

// A JPEG of noise cut in half.
QByteArray truncatedJpeg()
{
    cv::Mat noise(64, 64, CV_8UC3);
    cv::randu(noise, 0, 256);
    std::vector<uchar> bytes;
    cv::imencode(".jpg", noise, bytes);
    return QByteArray(reinterpret_cast<const char*>(bytes.data()), int(bytes.size()) / 2);
}

QByteArray pngBytes(int n)
{
    std::vector<uchar> bytes;
    cv::imencode(".png", fixtures::pattern(n), bytes);
    return QByteArray(reinterpret_cast<const char*>(bytes.data()), int(bytes.size()));
}

// Writes `bytes` to a file whose path is any bytes, e.g. not UTF-8.
bool writeRawPath(const QByteArray& path, const QByteArray& bytes)
{
    const int fd = ::open(path.constData(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) {
        return false;
    }
    const bool written = ::write(fd, bytes.constData(), size_t(bytes.size())) == bytes.size();
    return ::close(fd) == 0 && written;
}

bool mkdirRawPath(const QByteArray& path)
{
    return ::mkdir(path.constData(), 0755) == 0;
}

// "" when `path` is among the skipped files with a reason containing `words`, else what is wrong.
QString checkSkipped(const DatasetIndex& index, const QString& path, const QString& words)
{
    for (const SkippedFile& file : index.skipped) {
        if (file.path == path) {
            return file.reason.contains(words, Qt::CaseInsensitive)
                       ? QString()
                       : QStringLiteral("%1: reason '%2' lacks '%3'").arg(path, file.reason, words);
        }
    }
    QStringList skipped;
    for (const SkippedFile& file : index.skipped) {
        skipped << file.path;
    }
    return QStringLiteral("%1 is not in the skipped list (%2)")
        .arg(path, skipped.join(QStringLiteral(", ")));
}

// "" when every skipped file is in the text and JSON reports with its reason.
QString checkReportsListSkipped(const DatasetIndex& index)
{
    const QString text = scanReportText(index);
    const QJsonArray json = scanReportJson(index).value(QStringLiteral("skipped")).toArray();
    if (json.size() != index.skipped.size()) {
        return QStringLiteral("the JSON lists %1 skipped files, the index %2")
            .arg(json.size())
            .arg(index.skipped.size());
    }
    for (int i = 0; i < index.skipped.size(); ++i) {
        const SkippedFile& file = index.skipped[i];
        if (file.reason.isEmpty()) {
            return file.path + QStringLiteral(" has no reason");
        }
        if (!text.contains(QStringLiteral("  %1: %2\n").arg(file.path, file.reason))) {
            return file.path + QStringLiteral(" is not in the text report");
        }
        if (json[i].toObject().value(QStringLiteral("path")).toString() != file.path ||
            json[i].toObject().value(QStringLiteral("reason")).toString() != file.reason) {
            return file.path + QStringLiteral(" is not in the JSON report");
        }
    }
    return {};
}

bool hasWarning(const DatasetIndex& index, const QString& words)
{
    for (const QString& warning : index.warnings) {
        if (warning.contains(words)) {
            return true;
        }
    }
    return false;
}

} // namespace

class TestMessyDataset : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void emptyDatasetFolder()
    {
        const QString root = m_dir.filePath(QStringLiteral("empty"));
        QVERIFY(QDir().mkpath(root));
        Result<DatasetIndex> result = scanWithin(root);
        QVERIFY(!result.ok());
        QVERIFY2(result.error().contains(root), qPrintable(result.error()));
        QVERIFY2(result.error().contains(QLatin1String("has no class folders")) &&
                     result.error().contains(QLatin1String("Put the images of each class")),
                 qPrintable(result.error()));
        const CliRun run = scanCli({root});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.isEmpty());
        QVERIFY2(run.err.contains(root) && run.err.contains(QLatin1String("no class folders")),
                 qPrintable(run.err));

        // Class folders that hold nothing usable.
        QVERIFY(QDir().mkpath(root + QStringLiteral("/cats")));
        QVERIFY(writeBytes(root + QStringLiteral("/dogs/zero.png"), QByteArray()));
        result = scanWithin(root);
        QVERIFY(!result.ok());
        QVERIFY2(result.error().contains(QLatin1String("The training split is empty")) &&
                     result.error().contains(root) &&
                     result.error().contains(QLatin1String("dogs/zero.png")) &&
                     result.error().contains(QLatin1String("empty file")) &&
                     result.error().contains(QLatin1String("PNG, JPEG, TIFF, BMP or PNM")),
                 qPrintable(result.error()));
    }

    void onlyOneClass()
    {
        const QString root = m_dir.filePath(QStringLiteral("one"));
        QVERIFY(writePattern(root + QStringLiteral("/solo/a.png"), 1));
        QVERIFY(writePattern(root + QStringLiteral("/solo/b.png"), 2));
        const Result<DatasetIndex> result = scanWithin(root);
        QVERIFY(!result.ok());
        QVERIFY2(result.error().contains(QLatin1String("Only one class ('solo')")) &&
                     result.error().contains(root) &&
                     result.error().contains(QLatin1String("Add a folder of images")),
                 qPrintable(result.error()));
        const CliRun run = scanCli({root, QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.isEmpty());
        QVERIFY2(run.err.contains(root) && run.err.contains(QLatin1String("'solo'")),
                 qPrintable(run.err));
    }

    // One dataset with every kind of bad file beside good ones: the scan succeeds and lists each
    // bad file with its reason; the enormous images are refused before they are decoded.
    void everyKindOfBadFile()
    {
        const QString root = m_dir.filePath(QStringLiteral("messy"));
        const QString a = root + QStringLiteral("/train/A");
        QVERIFY(writePattern(a + QStringLiteral("/good1.png"), 1));
        QVERIFY(writePattern(a + QStringLiteral("/good2.png"), 2));
        QVERIFY(writePattern(root + QStringLiteral("/train/B/good3.png"), 3));
        QVERIFY(writePattern(root + QStringLiteral("/validation/A/good4.png"), 4));
        QVERIFY(writePattern(root + QStringLiteral("/validation/B/good5.png"), 5));

        QVERIFY(writeBytes(a + QStringLiteral("/zero.png"), QByteArray()));
        QVERIFY(writeBytes(a + QStringLiteral("/cut.png"), fixtures::truncatedPng(3)));
        QVERIFY(writeBytes(a + QStringLiteral("/cut.jpg"), truncatedJpeg()));
        QVERIFY(writeBytes(a + QStringLiteral("/text.png"), "this is a text file\n"));
        QVERIFY(writeBytes(a + QStringLiteral("/png-named.jpg"), pngBytes(6))); // usable
        QVERIFY(writePattern(a + QStringLiteral("/folder.png/inner.png"), 7));  // a sub-folder

        QVERIFY(writeBytes(a + QStringLiteral("/huge.png"), hugeHeaderPng(100000, 100000)));
        const QByteArray bomb = decompressionBomb(30000);
        QVERIFY2(!bomb.isEmpty(), "zlib does not repeat a flushed block identically");
        QVERIFY2(bomb.size() < 4 * 1024 * 1024, qPrintable(QString::number(bomb.size())));
        QVERIFY(writeBytes(a + QStringLiteral("/bomb.png"), bomb));
        QVERIFY(writeBytes(a + QStringLiteral("/huge.jpg"), hugeHeaderJpeg(20000, 20000)));
        QVERIFY(writeBytes(a + QStringLiteral("/huge.pgm"),
                           QByteArray("P5\n100000 100000\n255\n") + QByteArray(64, '\0')));
        {
            QFile sparse(a + QStringLiteral("/sparse.png")); // 8 GiB of nothing, no disk used
            QVERIFY(sparse.open(QIODevice::WriteOnly));
            QVERIFY(sparse.write(pngBytes(8)) > 0);
            QVERIFY(sparse.resize(qint64(8) << 30));
        }

        QVERIFY(::mkfifo(QFile::encodeName(a + QStringLiteral("/pipe.png")).constData(), 0644) ==
                0);
        QVERIFY(QFile::link(QStringLiteral("/dev/zero"), a + QStringLiteral("/zero-device.png")));
        QVERIFY(QFile::link(root + QStringLiteral("/nowhere.png"),
                            a + QStringLiteral("/dangling.png")));
        QVERIFY(QFile::link(QStringLiteral("loop2.png"), a + QStringLiteral("/loop1.png")));
        QVERIFY(QFile::link(QStringLiteral("loop1.png"), a + QStringLiteral("/loop2.png")));
        QVERIFY(QFile::link(QStringLiteral("self.png"), a + QStringLiteral("/self.png")));
        QVERIFY(QFile::link(QStringLiteral(".."), a + QStringLiteral("/up"))); // to train/
        QVERIFY(QFile::link(QStringLiteral("."), root + QStringLiteral("/train/loop"))); // train/
        QVERIFY(QFile::link(QStringLiteral("."), root + QStringLiteral("/loop")));       // the root

        // Names that are not UTF-8: a Latin-1 file name and a class folder of two stray bytes.
        // Qt does not list them (and QTemporaryDir cannot remove them), so they go by hand.
        const QByteArray rawFile = QFile::encodeName(a) + "/caf\xe9.png";
        const QByteArray rawClass = QFile::encodeName(root) + "/train/\xff\xfe";
        const auto removeRaw = qScopeGuard([&] {
            ::unlink(rawFile.constData());
            ::unlink((rawClass + "/x.png").constData());
            ::rmdir(rawClass.constData());
        });
        QVERIFY(writeRawPath(rawFile, pngBytes(9)));
        QVERIFY(mkdirRawPath(rawClass));
        QVERIFY(writeRawPath(rawClass + "/x.png", pngBytes(10)));
        const QString longName = QString(251, QLatin1Char('n')) + QStringLiteral(".png");
        QCOMPARE(QFile::encodeName(longName).size(), 255); // NAME_MAX
        QVERIFY(writePattern(a + QLatin1Char('/') + longName, 11));
        const QString longUtf8 = QString(125, QChar(0xe9)) + QStringLiteral(".png"); // 254 bytes
        QCOMPARE(QFile::encodeName(longUtf8).size(), 254);
        QVERIFY(writePattern(a + QLatin1Char('/') + longUtf8, 12));
        const QString longClass = QString(255, QLatin1Char('c'));
        QVERIFY(writePattern(
            root + QStringLiteral("/train/") + longClass + QLatin1Char('/') + longName, 13));

        const qint64 peakBefore = peakMiB();
        const Result<DatasetIndex> result = scanWithin(root);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        const DatasetIndex& index = *result;
        QVERIFY2(peakMiB() - peakBefore < 256,
                 qPrintable(
                     QStringLiteral("the peak memory grew by %1 MiB").arg(peakMiB() - peakBefore)));

        const QString bad = QString(QChar::ReplacementCharacter);
        QCOMPARE(index.classes, (QStringList{"A", "B", longClass}));
        const QStringList expected = {
            "train/A/good1.png",     "train/A/good2.png",
            "train/A/png-named.jpg", "train/A/folder.png/inner.png",
            "train/A/" + longName,   "train/A/" + longUtf8,
            "train/B/good3.png",     "train/" + longClass + "/" + longName};
        QStringList train;
        for (const int i : index.indicesOf(Split::Train)) {
            train << index.items[i].path;
        }
        for (const QString& path : expected) {
            QVERIFY2(train.contains(path), qPrintable(path));
        }
        QCOMPARE(train.size(), expected.size());

        const QVector<QPair<QString, QString>> reasons = {
            {"train/A/zero.png", "empty file (0 bytes)"},
            {"train/A/cut.png", "truncated PNG"},
            {"train/A/cut.jpg", "truncated"},
            {"train/A/text.png", "not an image"},
            {"train/A/huge.png", "100000x100000 pixels is too large"},
            {"train/A/bomb.png", "30000x30000 pixels is too large"},
            {"train/A/huge.jpg", "20000x20000 pixels is too large"},
            {"train/A/huge.pgm", "too large"},
            {"train/A/sparse.png", "8192 MiB is too large"},
            {"train/A/pipe.png", "not a regular file"},
            {"train/A/zero-device.png", "not a regular file"},
            {"train/A/dangling.png", "dangling symbolic link"},
            {"train/A/loop1.png", "symbolic link loop"},
            {"train/A/loop2.png", "symbolic link loop"},
            {"train/A/self.png", "symbolic link loop"},
            {"train/A/caf" + bad + ".png", "not valid UTF-8"},
        };
        for (const auto& [path, words] : reasons) {
            const QString problem = checkSkipped(index, path, words);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
        QCOMPARE(index.skipped.size(), reasons.size());
        const QString reports = checkReportsListSkipped(index);
        QVERIFY2(reports.isEmpty(), qPrintable(reports));

        const QString warnings = index.warnings.join(QLatin1Char('\n'));
        QVERIFY2(hasWarning(index, QStringLiteral("The link 'train/A/up' to a folder is not "
                                                  "followed")),
                 qPrintable(warnings));
        QVERIFY2(hasWarning(index, QStringLiteral("The link 'train/loop' points to a folder that "
                                                  "contains it")),
                 qPrintable(warnings));
        QVERIFY2(hasWarning(index, QStringLiteral("The link 'loop' points to a folder")),
                 qPrintable(warnings));
        QVERIFY2(hasWarning(index, QStringLiteral("The name 'train/") + bad + bad +
                                       QStringLiteral("' is not valid UTF-8")),
                 qPrintable(warnings));
        QVERIFY2(hasWarning(index, QStringLiteral("16 files could not be used")),
                 qPrintable(warnings));

        // The command line: exit 0 (usable), each bad file named with its reason on stdout, and
        // nothing from the image libraries on stderr.
        const CliRun run = scanCli({root});
        QCOMPARE(run.exitCode, 0);
        for (const auto& [path, words] : reasons) {
            QVERIFY2(run.out.contains(QStringLiteral("  %1: ").arg(path)), qPrintable(path));
        }
        QVERIFY2(run.out.contains(QLatin1String("train/A/bomb.png: image of 30000x30000 pixels")),
                 qPrintable(run.out));
        QVERIFY2(run.err.isEmpty(), qPrintable(run.err));
        QVERIFY2(
            peakMiB(RUSAGE_CHILDREN) < 1024,
            qPrintable(
                QStringLiteral("classifier-cli scan used %1 MiB").arg(peakMiB(RUSAGE_CHILDREN))));
    }

    // Thousands of classes with one tiny image each: a quick scan and a short report.
    void thousandsOfClasses()
    {
        const int classes = 2000;
        const QString root = m_dir.filePath(QStringLiteral("many"));
        for (int c = 0; c < classes; ++c) {
            QVERIFY(writePattern(
                root + QStringLiteral("/c%1/img.png").arg(c, 4, 10, QLatin1Char('0')), c));
        }
        const Result<DatasetIndex> result = scanWithin(root);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(result->classes.size(), classes);
        QCOMPARE(result->count(Split::Train), classes);
        QVERIFY(result->skipped.isEmpty());
        QVERIFY(result->duplicates.isEmpty());
        // One sentence per split, not one per class.
        QVERIFY2(result->warnings.size() <= 4,
                 qPrintable(result->warnings.mid(0, 10).join(QLatin1Char('\n'))));
        QVERIFY2(hasWarning(*result, QStringLiteral("2000 classes have no usable images in the "
                                                    "validation split: 'c0000', 'c0001'")),
                 qPrintable(result->warnings.join(QLatin1Char('\n'))));

        const CliRun run = scanCli({root, QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject json = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(json.value(QStringLiteral("classes")).toArray().size(), classes);
        QCOMPARE(json.value(QStringLiteral("splits"))
                     .toObject()
                     .value(QStringLiteral("train"))
                     .toObject()
                     .value(QStringLiteral("total"))
                     .toInt(),
                 classes);
    }

    // Files and folders this user may not read. Root reads everything, so as root the test runs
    // itself again under setpriv without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH: then the
    // permission bits apply to it as to any user, and open() really fails with EACCES.
    void unreadableFilesAndFolders()
    {
        QTemporaryDir dir;
        const QString root = dir.path();
        QVERIFY(writePattern(root + QStringLiteral("/train/A/ok1.png"), 1));
        QVERIFY(writePattern(root + QStringLiteral("/train/A/locked.png"), 2));
        QVERIFY(writePattern(root + QStringLiteral("/train/B/ok2.png"), 3));
        QVERIFY(writePattern(root + QStringLiteral("/train/B/closed/inside.png"), 4));
        QVERIFY(writePattern(root + QStringLiteral("/validation/A/ok3.png"), 5));
        const QString locked = root + QStringLiteral("/train/A/locked.png");
        const QString closed = root + QStringLiteral("/train/B/closed");
        QVERIFY(QFile::setPermissions(locked, QFileDevice::Permissions()));
        QVERIFY(QFile::setPermissions(closed, QFileDevice::Permissions()));
        const auto unlock = qScopeGuard([&] {
            QFile::setPermissions(closed, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                              QFileDevice::ExeOwner);
            QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        });
        QFile probe(locked);
        if (probe.open(QIODevice::ReadOnly)) {
            if (qEnvironmentVariableIsSet(kWithoutDacVariable)) {
                QFAIL("setpriv did not take away the right to read any file");
            }
            const QString setpriv = QStandardPaths::findExecutable(QStringLiteral("setpriv"));
            if (setpriv.isEmpty()) {
                QSKIP("Running as root and setpriv (util-linux) is missing: a file without "
                      "permissions stays readable, so unreadable files cannot be made here.");
            }
            QProcess child;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QString::fromLatin1(kWithoutDacVariable), QStringLiteral("1"));
            child.setProcessEnvironment(env);
            child.setProcessChannelMode(QProcess::MergedChannels);
            child.start(setpriv, {QStringLiteral("--bounding-set=-dac_override,-dac_read_search"),
                                  QStringLiteral("--"), QCoreApplication::applicationFilePath(),
                                  QStringLiteral("unreadableFilesAndFolders")});
            QVERIFY(child.waitForFinished(600000));
            const QString said = QString::fromLocal8Bit(child.readAll());
            if (said.startsWith(QLatin1String("setpriv:"))) {
                QSKIP(qPrintable(QStringLiteral("Running as root and setpriv cannot drop the "
                                                "capabilities here: %1")
                                     .arg(said.trimmed())));
            }
            QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0,
                     qPrintable(said));
            QVERIFY2(said.contains(QLatin1String("PASS   : TestMessyDataset::"
                                                 "unreadableFilesAndFolders")),
                     qPrintable(said));
            return;
        }

        const Result<DatasetIndex> result = scanWithin(root);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(result->skipped.size(), 1);
        QCOMPARE(result->skipped[0].path, QStringLiteral("train/A/locked.png"));
        QCOMPARE(result->skipped[0].kind, SkipReason::PermissionDenied);
        QVERIFY(result->skipped[0].reason.contains(QLatin1String("permission denied")));
        QVERIFY2(hasWarning(*result, QStringLiteral("The folder 'train/B/closed' cannot be read "
                                                    "(permission denied")),
                 qPrintable(result->warnings.join(QLatin1Char('\n'))));
        QCOMPARE(result->count(Split::Train), 2);

        const CliRun run = scanCli({root});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(QLatin1String("train/A/locked.png: permission denied")),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains(QLatin1String("'train/B/closed' cannot be read")),
                 qPrintable(run.out));

        // A training folder that cannot be read is a Failure naming it.
        const QString train = root + QStringLiteral("/train");
        QVERIFY(QFile::setPermissions(train, QFileDevice::Permissions()));
        const auto reopen = qScopeGuard([&] {
            QFile::setPermissions(train, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                             QFileDevice::ExeOwner);
        });
        const Result<DatasetIndex> failed = scanWithin(root);
        QVERIFY(!failed.ok());
        QVERIFY2(failed.error().contains(QLatin1String("Cannot read the training folder")) &&
                     failed.error().contains(train) &&
                     failed.error().contains(QLatin1String("permission denied")),
                 qPrintable(failed.error()));
        const CliRun cli = scanCli({root});
        QCOMPARE(cli.exitCode, 2);
        QVERIFY2(cli.err.contains(train), qPrintable(cli.err));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestMessyDataset)
#include "tst_messydataset.moc"
