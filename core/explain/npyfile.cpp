#include "explain/npyfile.h"

#include "common/atomicfile.h"

#include <QFile>
#include <QRegularExpression>
#include <QtEndian>

#include <cstring>

namespace studio {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr int kMagicSize = 6;

Failure npyFailure(const QString& source, const QString& what)
{
    return Failure{QStringLiteral("%1 is not a 2-D float32 .npy array as this app writes: %2")
                       .arg(source, what)};
}

} // namespace

QByteArray npyBytes(const NpyArray& array)
{
    QByteArray header = QStringLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (%1, "
                                       "%2), }")
                            .arg(array.rows)
                            .arg(array.columns)
                            .toLatin1();
    // Magic (6) + version (2) + header length (2) + header + '\n' is a multiple of 64.
    const int unpadded = kMagicSize + 4 + int(header.size()) + 1;
    header.append(QByteArray((64 - unpadded % 64) % 64, ' '));
    header.append('\n');
    QByteArray bytes(kMagic, kMagicSize);
    bytes.append(char(1)).append(char(0));
    const quint16 length = qToLittleEndian(quint16(header.size()));
    bytes.append(reinterpret_cast<const char*>(&length), 2);
    bytes.append(header);
    const size_t count = size_t(array.rows) * size_t(array.columns);
    for (size_t i = 0; i < count && i < array.values.size(); ++i) {
        const float little = qToLittleEndian(array.values[i]);
        bytes.append(reinterpret_cast<const char*>(&little), sizeof(float));
    }
    return bytes;
}

Status writeNpy(const QString& path, const NpyArray& array)
{
    if (array.rows < 0 || array.columns < 0 ||
        array.values.size() != size_t(array.rows) * size_t(array.columns)) {
        return Failure{QStringLiteral("Cannot write %1: the map holds %2 values for %3 x %4.")
                           .arg(path)
                           .arg(array.values.size())
                           .arg(array.rows)
                           .arg(array.columns)};
    }
    return writeFileAtomically(path, npyBytes(array));
}

Result<NpyArray> npyFromBytes(const QByteArray& bytes, const QString& source)
{
    if (bytes.size() < kMagicSize + 4 || std::memcmp(bytes.constData(), kMagic, kMagicSize) != 0) {
        return npyFailure(source, QStringLiteral("it does not start with NumPy's magic bytes."));
    }
    const int major = quint8(bytes[kMagicSize]);
    int headerStart = kMagicSize + 4;
    qint64 headerLength = qFromLittleEndian<quint16>(bytes.constData() + kMagicSize + 2);
    if (major >= 2) {
        if (bytes.size() < kMagicSize + 6) {
            return npyFailure(source, QStringLiteral("its header is cut short."));
        }
        headerStart = kMagicSize + 6;
        headerLength = qFromLittleEndian<quint32>(bytes.constData() + kMagicSize + 2);
    }
    if (major < 1 || major > 3 || bytes.size() < headerStart + headerLength) {
        return npyFailure(source, QStringLiteral("its version (%1) or header length is not one "
                                                 "NumPy writes.")
                                      .arg(major));
    }
    const QString header = QString::fromLatin1(bytes.mid(headerStart, int(headerLength)));
    static const QRegularExpression descr(QStringLiteral("'descr':\\s*'([^']*)'"));
    static const QRegularExpression order(QStringLiteral("'fortran_order':\\s*(True|False)"));
    static const QRegularExpression shape(QStringLiteral("'shape':\\s*\\((\\d+),\\s*(\\d+),?\\)"));
    const auto d = descr.match(header);
    const auto o = order.match(header);
    const auto s = shape.match(header);
    if (!d.hasMatch() || d.captured(1) != QLatin1String("<f4")) {
        return npyFailure(source, QStringLiteral("its type is '%1', not '<f4' (little-endian "
                                                 "float32).")
                                      .arg(d.captured(1)));
    }
    if (!o.hasMatch() || o.captured(1) != QLatin1String("False")) {
        return npyFailure(source, QStringLiteral("it is not in C (row-major) order."));
    }
    if (!s.hasMatch()) {
        return npyFailure(source, QStringLiteral("its shape is not two numbers (%1).").arg(header));
    }
    NpyArray array;
    array.rows = s.captured(1).toInt();
    array.columns = s.captured(2).toInt();
    const qint64 count = qint64(array.rows) * array.columns;
    const qint64 dataStart = headerStart + headerLength;
    if (bytes.size() - dataStart != count * qint64(sizeof(float))) {
        return npyFailure(source, QStringLiteral("it holds %1 bytes of values for a %2 x %3 "
                                                 "array, which needs %4.")
                                      .arg(bytes.size() - dataStart)
                                      .arg(array.rows)
                                      .arg(array.columns)
                                      .arg(count * qint64(sizeof(float))));
    }
    array.values.resize(size_t(count));
    for (qint64 i = 0; i < count; ++i) {
        array.values[size_t(i)] =
            qFromLittleEndian<float>(bytes.constData() + dataStart + i * qint64(sizeof(float)));
    }
    return array;
}

Result<NpyArray> readNpy(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Failure{QStringLiteral("Cannot read %1: %2").arg(path, file.errorString())};
    }
    return npyFromBytes(file.readAll(), path);
}

} // namespace studio
