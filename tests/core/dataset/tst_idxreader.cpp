// Tests of the IDX reader: valid files, plain and gzip, and every rejected header.
#include "dataset/idxreader.h"

#include <QTemporaryDir>
#include <QtTest>

#include <zlib.h>

using namespace studio;

namespace {

QByteArray idxHeader(unsigned char type, const QVector<quint32>& dims)
{
    QByteArray header;
    header.append(char(0));
    header.append(char(0));
    header.append(char(type));
    header.append(char(dims.size()));
    for (quint32 d : dims) {
        header.append(char((d >> 24) & 0xff));
        header.append(char((d >> 16) & 0xff));
        header.append(char((d >> 8) & 0xff));
        header.append(char(d & 0xff));
    }
    return header;
}

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        qFatal("cannot write test file");
    }
    file.write(bytes);
    return path;
}

QString writeGzip(const QTemporaryDir& dir, const QString& name, const QByteArray& bytes)
{
    const QString path = dir.filePath(name);
    gzFile file = gzopen(QFile::encodeName(path).constData(), "wb");
    gzwrite(file, bytes.constData(), unsigned(bytes.size()));
    gzclose(file);
    return path;
}

} // namespace

class TestIdxReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsPlainImages()
    {
        QTemporaryDir dir;
        QByteArray payload;
        for (int i = 0; i < 2 * 3 * 4; ++i) {
            payload.append(char(i * 7));
        }
        const QString path =
            writeFile(dir, QStringLiteral("x.idx"), idxHeader(8, {2, 3, 4}) + payload);
        const Result<IdxArray> result = readIdxFile(path);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(result->dims, (QVector<qint64>{2, 3, 4}));
        QCOMPARE(result->count(), 2);
        QCOMPARE(result->itemSize(), 12);
        QCOMPARE(result->bytes, payload);
    }

    void readsGzipLabels()
    {
        QTemporaryDir dir;
        const QByteArray payload("\x01\x02\x03\x09\x00", 5);
        const QString path = writeGzip(dir, QStringLiteral("l.gz"), idxHeader(8, {5}) + payload);
        const Result<IdxArray> result = readIdxFile(path);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(result->count(), 5);
        QCOMPARE(result->itemSize(), 1);
        QCOMPARE(result->bytes, payload);
    }

    void rejectsMissingFile()
    {
        const Result<IdxArray> result = readIdxFile(QStringLiteral("/nonexistent/idx-file.gz"));
        QVERIFY(!result.ok());
        QVERIFY(result.error().contains(QLatin1String("/nonexistent/idx-file.gz")));
        QVERIFY(result.error().contains(QLatin1String("dataset-fashion-mnist")));
    }

    void rejectsBadHeaders_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("too short") << QByteArray("\0\0", 2) << QStringLiteral("too short");
        QTest::newRow("bad magic") << (QByteArray("\x01", 1) + idxHeader(8, {1}).mid(1) + "x")
                                   << QStringLiteral("first two bytes");
        QTest::newRow("float type")
            << (idxHeader(0x0d, {1}) + QByteArray(4, 0)) << QStringLiteral("0x0d");
        QTest::newRow("rank zero")
            << QByteArray("\0\0\x08\0", 4) << QStringLiteral("declares 0 dimensions");
        QTest::newRow("header cut")
            << idxHeader(8, {2, 3, 4}).left(10) << QStringLiteral("header needs 16 bytes");
        QTest::newRow("payload cut")
            << (idxHeader(8, {2, 3, 4}) + QByteArray(23, 'a'))
            << QStringLiteral("announces 24 bytes of data, the file holds 23");
        QTest::newRow("trailing bytes")
            << (idxHeader(8, {2}) + QByteArray(3, 'a')) << QStringLiteral("1 bytes after the data");
        QTest::newRow("absurd size")
            << idxHeader(8, {0xffffffffu, 0xffffffffu, 2}) << QStringLiteral("more than 2 GiB");
    }

    void rejectsBadHeaders()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("bad.idx"), content);
        const Result<IdxArray> result = readIdxFile(path);
        QVERIFY(!result.ok());
        QVERIFY2(result.error().contains(expected), qPrintable(result.error()));
        QVERIFY2(result.error().contains(path), qPrintable(result.error()));
    }

    void rejectsTruncatedGzip()
    {
        QTemporaryDir dir;
        QByteArray payload(5000, 'z');
        for (int i = 0; i < payload.size(); ++i) {
            payload[i] = char((i * 131) % 251);
        }
        const QString whole =
            writeGzip(dir, QStringLiteral("whole.gz"), idxHeader(8, {5000}) + payload);
        QFile file(whole);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray compressed = file.readAll();
        const QString cut =
            writeFile(dir, QStringLiteral("cut.gz"), compressed.left(compressed.size() / 2));
        const Result<IdxArray> result = readIdxFile(cut);
        QVERIFY(!result.ok());
        QVERIFY2(result.error().contains(QLatin1String("truncated")), qPrintable(result.error()));
    }
};

QTEST_GUILESS_MAIN(TestIdxReader)
#include "tst_idxreader.moc"
