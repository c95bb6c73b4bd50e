#include "dataset/idxreader.h"

#include "common/nativepath.h"

#include <QFileInfo>

#include <zlib.h>

namespace studio {

namespace {

constexpr qint64 kMaxPayload = qint64(1) << 31; // 2 GiB: larger claims are damaged headers
constexpr int kIdxUnsignedByte = 0x08;

quint32 readBigEndian32(const unsigned char* p)
{
    return (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | quint32(p[3]);
}

// Reads a whole file through zlib, which passes uncompressed files through unchanged.
Result<QByteArray> readMaybeGzip(const QString& path)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        return Failure{QStringLiteral("'%1' does not exist. Install Debian's "
                                      "dataset-fashion-mnist package (packaging/install-deps.sh) "
                                      "or point to the folder that holds the IDX files.")
                           .arg(native(path))};
    }
    if (!info.isFile()) {
        return Failure{QStringLiteral("'%1' is not a file.").arg(native(path))};
    }
    gzFile file = gzopen(QFile::encodeName(path).constData(), "rb");
    if (file == nullptr) {
        return Failure{
            QStringLiteral("Cannot open '%1': permission denied or unreadable.").arg(native(path))};
    }
    QByteArray content;
    char buffer[1 << 16];
    for (;;) {
        const int n = gzread(file, buffer, sizeof buffer);
        if (n < 0) {
            int code = 0;
            const QString reason = QString::fromLocal8Bit(gzerror(file, &code));
            gzclose(file);
            return Failure{QStringLiteral("'%1' is damaged (%2). Reinstall it or download it "
                                          "again.")
                               .arg(native(path), reason)};
        }
        if (n == 0) {
            break;
        }
        if (content.size() + n > kMaxPayload + 64) {
            gzclose(file);
            return Failure{QStringLiteral("'%1' is larger than 2 GiB; it is not an IDX file "
                                          "this program can read.")
                               .arg(native(path))};
        }
        content.append(buffer, n);
    }
    // A gzip stream cut short reads as end-of-file with a pending error.
    int code = Z_OK;
    const char* message = gzerror(file, &code);
    const QString reason = QString::fromLocal8Bit(message);
    gzclose(file);
    if (code != Z_OK && code != Z_STREAM_END) {
        return Failure{QStringLiteral("'%1' is truncated or damaged (%2). Reinstall it or "
                                      "download it again.")
                           .arg(native(path), reason)};
    }
    return content;
}

} // namespace

qint64 IdxArray::itemSize() const
{
    qint64 size = 1;
    for (int i = 1; i < dims.size(); ++i) {
        size *= dims[i];
    }
    return size;
}

Result<IdxArray> parseIdx(const QByteArray& content, const QString& name)
{
    const auto* data = reinterpret_cast<const unsigned char*>(content.constData());
    if (content.size() < 4) {
        return Failure{QStringLiteral("'%1' is too short to be an IDX file (%2 bytes).")
                           .arg(native(name))
                           .arg(content.size())};
    }
    if (data[0] != 0 || data[1] != 0) {
        return Failure{QStringLiteral("'%1' is not an IDX file: its first two bytes are not "
                                      "zero.")
                           .arg(native(name))};
    }
    if (data[2] != kIdxUnsignedByte) {
        return Failure{QStringLiteral("'%1' holds elements of type 0x%2; only unsigned bytes "
                                      "(0x08) are supported.")
                           .arg(native(name))
                           .arg(int(data[2]), 2, 16, QLatin1Char('0'))};
    }
    const int rank = data[3];
    if (rank < 1 || rank > 4) {
        return Failure{QStringLiteral("'%1' declares %2 dimensions; an IDX image or label file "
                                      "has 1 to 4.")
                           .arg(native(name))
                           .arg(rank)};
    }
    const qint64 headerSize = 4 + 4 * qint64(rank);
    if (content.size() < headerSize) {
        return Failure{QStringLiteral("'%1' is truncated: its header needs %2 bytes, the file has "
                                      "%3.")
                           .arg(native(name))
                           .arg(headerSize)
                           .arg(content.size())};
    }
    IdxArray array;
    qint64 payload = 1;
    qint64 itemSize = 1; // bounded on its own: with a count of 0 the payload stays 0
    for (int i = 0; i < rank; ++i) {
        const qint64 dim = readBigEndian32(data + 4 + 4 * i);
        if (dim == 0 && i > 0) {
            return Failure{QStringLiteral("'%1' declares a zero-sized dimension %2.")
                               .arg(native(name))
                               .arg(i + 1)};
        }
        array.dims.append(dim);
        payload *= dim;
        if (i > 0) {
            itemSize *= dim;
        }
        if (payload > kMaxPayload || itemSize > kMaxPayload) {
            return Failure{QStringLiteral("'%1' declares more than 2 GiB of data; its header is "
                                          "damaged. Reinstall it or download it again.")
                               .arg(native(name))};
        }
    }
    const qint64 actual = content.size() - headerSize;
    if (actual < payload) {
        return Failure{QStringLiteral("'%1' is truncated: its header announces %2 bytes of data, "
                                      "the file holds %3. Reinstall it or download it again.")
                           .arg(native(name))
                           .arg(payload)
                           .arg(actual)};
    }
    if (actual > payload) {
        return Failure{QStringLiteral("'%1' has %2 bytes after the data its header announces; it "
                                      "is not a valid IDX file.")
                           .arg(native(name))
                           .arg(actual - payload)};
    }
    array.bytes = content.mid(int(headerSize));
    return array;
}

Result<IdxArray> readIdxFile(const QString& path)
{
    Result<QByteArray> content = readMaybeGzip(path);
    if (!content) {
        return Failure{content.error()};
    }
    return parseIdx(*content, path);
}

} // namespace studio
