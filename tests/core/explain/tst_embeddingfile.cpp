// A map kept as JSON reads back as it was written (points outside the t-SNE sample stay off the
// map); a damaged or foreign file is refused with a message naming it.
#include "explain/embeddingfile.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <limits>

using namespace studio;

namespace {

EmbeddingMap handMadeMap()
{
    EmbeddingMap map;
    map.datasetRoot = QStringLiteral("/data/shapes");
    map.classes = {QStringLiteral("bars"), QStringLiteral("discs, round")};
    map.method = EmbeddingMethod::Tsne;
    map.featureDimension = 32;
    map.featureLayer = QStringLiteral("input of layer 7 (Dense)");
    const double nan = std::numeric_limits<double>::quiet_NaN();
    map.points = {{QStringLiteral("test/bars/0.png"), 0, 0, 0.875, -1.5, 2.25, true},
                  {QStringLiteral("test/discs, round/1.png"), 1, 0, 0.5, 3.0, -0.125, true},
                  {QStringLiteral("test/discs, round/2.png"), 1, 1, 0.75, nan, nan, false}};
    return map;
}

void write(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

} // namespace

class TestEmbeddingFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsBackWhatItWrote()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("map.json"));
        const EmbeddingMap map = handMadeMap();
        QVERIFY(saveEmbeddingMap(map, path).ok());
        const Result<EmbeddingMap> read = loadEmbeddingMap(path);
        QVERIFY2(read.ok(), qPrintable(read.error()));
        QCOMPARE(read->datasetRoot, map.datasetRoot);
        QCOMPARE(read->classes, map.classes);
        QCOMPARE(read->method, EmbeddingMethod::Tsne);
        QCOMPARE(read->featureDimension, 32);
        QCOMPARE(read->featureLayer, map.featureLayer);
        QCOMPARE(read->points.size(), 3);
        for (int i = 0; i < 3; ++i) {
            const EmbeddingPoint& a = map.points[i];
            const EmbeddingPoint& b = read->points[i];
            QCOMPARE(b.path, a.path);
            QCOMPARE(b.trueClass, a.trueClass);
            QCOMPARE(b.predicted, a.predicted);
            QCOMPARE(b.confidence, a.confidence);
            QCOMPARE(b.inSample, a.inSample);
            if (a.inSample) {
                QCOMPARE(b.x, a.x);
                QCOMPARE(b.y, a.y);
            } else {
                QVERIFY(std::isnan(b.x) && std::isnan(b.y));
            }
        }
        QVERIFY(read->points[1].mistake());
    }

    void refusesDamagedFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("says");
        QTest::newRow("not JSON") << QByteArray("{\"format\": 1,") << "is not valid JSON";
        QTest::newRow("another format") << QByteArray("{\"format\": 7}") << "unknown format";
        QTest::newRow("unknown method")
            << QByteArray("{\"format\": 1, \"method\": \"umap\"}") << "unknown method";
        QTest::newRow("class out of range")
            << QByteArray("{\"format\": 1, \"method\": \"pca\", \"classes\": [\"a\"], "
                          "\"points\": [[\"a/1.png\", 0, 3, 0.5, 1, 2]]}")
            << "point 1 is malformed";
        QTest::newRow("short row") << QByteArray("{\"format\": 1, \"method\": \"pca\", "
                                                 "\"classes\": [\"a\"], \"points\": [[\"a\"]]}")
                                   << "point 1 is malformed";
    }

    void refusesDamagedFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, says);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("map.json"));
        write(path, content);
        const Result<EmbeddingMap> read = loadEmbeddingMap(path);
        QVERIFY(!read.ok());
        QVERIFY2(read.error().contains(says), qPrintable(read.error()));
        QVERIFY2(read.error().contains(QStringLiteral("map.json")), qPrintable(read.error()));
    }

    void missingFileNamesIt()
    {
        const Result<EmbeddingMap> read = loadEmbeddingMap(QStringLiteral("/nowhere/map.json"));
        QVERIFY(!read.ok());
        QVERIFY2(read.error().contains(QStringLiteral("Could not read /nowhere/map.json")),
                 qPrintable(read.error()));
    }
};

QTEST_MAIN(TestEmbeddingFile)
#include "tst_embeddingfile.moc"
