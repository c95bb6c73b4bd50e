// Fuzz target: the IDX reader (Fashion-MNIST image and label files). parseIdx() on the bytes,
// and readIdxFile() on the same bytes written to a file (plain or gzip). Either gives an array
// whose dimensions account for every payload byte, or a message naming the file; never a crash.
// For bytes that are not gzip, reading the file gives exactly what parsing the bytes gives.
#include "fuzzcheck.h"

#include "dataset/idxreader.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

#include <cstdlib>

namespace {

// A file of this process's own in the temporary folder, removed at exit.
const QString& scratchPath()
{
    static const QString path = [] {
        const QString p = QDir::temp().filePath(
            QStringLiteral("studio-fuzz-idx-%1.idx").arg(QCoreApplication::applicationPid()));
        std::atexit([] { QFile::remove(scratchPath()); });
        return p;
    }();
    return path;
}

void checkArray(const studio::IdxArray& array, const QString& context)
{
    FUZZ_CHECK(array.dims.size() >= 1 && array.dims.size() <= 4, context);
    qint64 payload = 1;
    for (qint64 dim : array.dims) {
        FUZZ_CHECK(dim >= 0, context);
        payload *= dim;
    }
    FUZZ_CHECK(payload == array.bytes.size(), context);
    FUZZ_CHECK(array.count() == array.dims.first(), context);
    // What loadFashionMnist() and the example-dataset writer compute per image.
    FUZZ_CHECK(array.count() * array.itemSize() == array.bytes.size(), context);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace studio;
    const QByteArray bytes = fuzz::inputBytes(data, size);
    const QString& path = scratchPath();

    const Result<IdxArray> parsed = parseIdx(bytes, path);
    if (parsed) {
        checkArray(*parsed, QStringLiteral("parseIdx of %1 bytes").arg(bytes.size()));
    } else {
        FUZZ_CHECK(parsed.error().contains(path), parsed.error());
    }

    QFile file(path);
    FUZZ_CHECK(file.open(QIODevice::WriteOnly | QIODevice::Truncate), file.errorString());
    FUZZ_CHECK(file.write(bytes) == bytes.size(), file.errorString());
    file.close();

    const Result<IdxArray> read = readIdxFile(path);
    if (read) {
        checkArray(*read, QStringLiteral("readIdxFile of %1 bytes").arg(bytes.size()));
    } else {
        FUZZ_CHECK(read.error().contains(QDir::toNativeSeparators(path)), read.error());
    }
    const bool gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    if (!gzip) {
        FUZZ_CHECK(read.ok() == parsed.ok(), read.ok() ? parsed.error() : read.error());
        if (read) {
            FUZZ_CHECK(read->dims == parsed->dims && read->bytes == parsed->bytes,
                       QStringLiteral("readIdxFile and parseIdx disagree"));
        } else {
            FUZZ_CHECK(read.error() == parsed.error(),
                       read.error() + QLatin1Char('\n') + parsed.error());
        }
    }
    return 0;
}
