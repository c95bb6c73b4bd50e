// The .npy writer and reader: NumPy's version 1.0 layout, a round trip, and refused files.
#include "explain/npyfile.h"

#include <QTemporaryDir>
#include <QTest>

#include <cstring>

using namespace studio;

// Tests of core/explain/npyfile.
class TestNpyFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void headerIsNumpys();
    void roundTrip();
    void refusesOtherFiles_data();
    void refusesOtherFiles();
    void writeRefusesWrongCount();
};

namespace {

NpyArray sample()
{
    NpyArray a;
    a.rows = 3;
    a.columns = 5;
    for (int i = 0; i < 15; ++i) {
        a.values.push_back(float(i) * 0.25f - 1.0f);
    }
    a.values[7] = 1e-30f;
    return a;
}

} // namespace

void TestNpyFile::headerIsNumpys()
{
    const QByteArray bytes = npyBytes(sample());
    QVERIFY(bytes.startsWith(QByteArray("\x93NUMPY\x01\x00", 8)));
    const int headerLength = quint8(bytes[8]) | (quint8(bytes[9]) << 8);
    QCOMPARE((10 + headerLength) % 64, 0);
    const QByteArray header = bytes.mid(10, headerLength);
    QVERIFY(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }"));
    QVERIFY(header.endsWith('\n'));
    QCOMPARE(bytes.size(), 10 + headerLength + 15 * 4);
    // The values, little-endian float32 in C order.
    float third = 0;
    std::memcpy(&third, bytes.constData() + 10 + headerLength + 2 * 4, 4);
    QCOMPARE(third, -0.5f);
}

void TestNpyFile::roundTrip()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("map.npy"));
    const Status written = writeNpy(path, sample());
    QVERIFY2(written.ok(), qPrintable(written.error()));
    const Result<NpyArray> read = readNpy(path);
    QVERIFY2(read.ok(), qPrintable(read.error()));
    QCOMPARE(read->rows, 3);
    QCOMPARE(read->columns, 5);
    QCOMPARE(read->values, sample().values);
}

void TestNpyFile::refusesOtherFiles_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    const QByteArray good = npyBytes(sample());
    QByteArray doubles = good;
    doubles.replace("'<f4'", "'<f8'");
    QByteArray fortran = good;
    fortran.replace("False", "True ");
    QByteArray threeAxes = good;
    threeAxes.replace("(3, 5), }", "(3,5,1),}");
    QTest::newRow("not npy") << QByteArray("PNG\r\n...") << QStringLiteral("magic");
    QTest::newRow("float64") << doubles << QStringLiteral("'<f8'");
    QTest::newRow("fortran order") << fortran << QStringLiteral("row-major");
    QTest::newRow("three axes") << threeAxes << QStringLiteral("shape");
    QTest::newRow("cut short") << good.left(good.size() - 4) << QStringLiteral("needs 60");
}

void TestNpyFile::refusesOtherFiles()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    const Result<NpyArray> read = npyFromBytes(bytes, QStringLiteral("bad.npy"));
    QVERIFY(!read.ok());
    QVERIFY2(read.error().contains(QStringLiteral("bad.npy")), qPrintable(read.error()));
    QVERIFY2(read.error().contains(expected), qPrintable(read.error()));
}

void TestNpyFile::writeRefusesWrongCount()
{
    QTemporaryDir dir;
    NpyArray a = sample();
    a.values.pop_back();
    const QString path = dir.filePath(QStringLiteral("short.npy"));
    const Status written = writeNpy(path, a);
    QVERIFY(!written.ok());
    QVERIFY2(written.error().contains(QStringLiteral("14 values for 3 x 5")),
             qPrintable(written.error()));
    QVERIFY(!QFile::exists(path));
}

QTEST_GUILESS_MAIN(TestNpyFile)
#include "tst_npyfile.moc"
