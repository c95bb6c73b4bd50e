// Tests of classifier-cli embed as a user runs it: a model saved by the exporter and a shapes
// dataset, the CSV of t-SNE (on a sample) and PCA maps, the same seed giving the same file, and
// the messages for bad input.
#include "clirun.h"
#include "export/exporter_p.h"
#include "export/modelmetadata.h"
#include "model/modelbuilder_p.h"
#include "shapesdataset.h"
#include "testfiles.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace studio;

using studio::testdata::CliRun;
using studio::testdata::runCli;

using studio::testfiles::readAll;

// Tests of app/cli/embedcommands.
class TestCliEmbed : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_data = m_dir.filePath(QStringLiteral("shapes"));
        testdata::makeShapes(m_data, QStringLiteral("train"), 4, 1);
        testdata::makeShapes(m_data, QStringLiteral("test"), 10, 2);
        ModelSpec model;
        model.layers = {LayerSpec::conv2D(4, {3, 3}, Padding::Same, Activation::Relu),
                        LayerSpec::maxPooling2D(), LayerSpec::flatten(),
                        LayerSpec::dense(6, Activation::Relu),
                        LayerSpec::dense(3, Activation::Softmax)};
        DatasetSettings settings;
        settings.imageSize = 16;
        settings.colorMode = ColorMode::Rgb;
        torch::manual_seed(5);
        Result<torch::nn::Sequential> built = buildModule(model, {16, 16, 3}, 3);
        QVERIFY2(built.ok(), qPrintable(built.error()));
        const QStringList classes = {QStringLiteral("bars"), QStringLiteral("discs"),
                                     QStringLiteral("squares")};
        m_model = m_dir.filePath(QStringLiteral("model.pt"));
        const Status saved =
            exportTorchScript(*built, makeModelMetadata(model, settings, classes), m_model);
        QVERIFY2(saved.ok(), qPrintable(saved.error()));
    }

    // t-SNE on a sample of 20 of the 30 test images: a row per image, coordinates for the
    // sample only; --json says so.
    void tsneOnASample()
    {
        const QString out = m_dir.filePath(QStringLiteral("tsne.csv"));
        const CliRun run = embed({QStringLiteral("--out"), out, QStringLiteral("--sample"),
                                  QStringLiteral("20"), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject json = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(json.value(QStringLiteral("images")).toInt(), 30);
        QCOMPARE(json.value(QStringLiteral("mapped")).toInt(), 20);
        QCOMPARE(json.value(QStringLiteral("feature_dimension")).toInt(), 6);
        QCOMPARE(json.value(QStringLiteral("method")).toString(), QStringLiteral("tsne"));
        const QStringList lines =
            QString::fromUtf8(readAll(out)).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 31);
        QCOMPARE(lines[0],
                 QStringLiteral("path,true_class,predicted_class,confidence,x,y,in_sample"));
        int inSample = 0;
        for (int i = 1; i < lines.size(); ++i) {
            const QStringList cells = lines[i].split(QLatin1Char(','));
            QCOMPARE(cells.size(), 7);
            QVERIFY2(cells[0].startsWith(QStringLiteral("test/") + cells[1] + QLatin1Char('/')),
                     qPrintable(lines[i]));
            const bool sampled = cells[6] == QLatin1String("1");
            QCOMPARE(!cells[4].isEmpty(), sampled);
            inSample += sampled ? 1 : 0;
        }
        QCOMPARE(inSample, 20);
    }

    void sameSeedSameFile()
    {
        const QString a = m_dir.filePath(QStringLiteral("a.csv"));
        const QString b = m_dir.filePath(QStringLiteral("b.csv"));
        const QStringList options = {QStringLiteral("--seed"), QStringLiteral("7"),
                                     QStringLiteral("--threads"), QStringLiteral("1")};
        QCOMPARE(embed(QStringList{QStringLiteral("--out"), a} + options).exitCode, 0);
        QCOMPARE(embed(QStringList{QStringLiteral("--out"), b} + options).exitCode, 0);
        QVERIFY(!readAll(a).isEmpty());
        QCOMPARE(readAll(a), readAll(b));
    }

    void pcaMapsEveryImage()
    {
        const QString out = m_dir.filePath(QStringLiteral("pca.csv"));
        const CliRun run =
            embed({QStringLiteral("--out"), out, QStringLiteral("--method"), QStringLiteral("pca"),
                   QStringLiteral("--split"), QStringLiteral("train")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains(QStringLiteral("12 images, 12 on the map")), qPrintable(run.out));
        const QStringList lines =
            QString::fromUtf8(readAll(out)).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 13);
        for (int i = 1; i < lines.size(); ++i) {
            QVERIFY(lines[i].endsWith(QStringLiteral(",1")));
        }
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        const QString out = QDir::temp().filePath(QStringLiteral("never-written-map.csv"));
        QTest::newRow("no --out") << QStringList{} << QStringLiteral("--out map.csv");
        QTest::newRow("bad method")
            << QStringList{QStringLiteral("--out"), out, QStringLiteral("--method"),
                           QStringLiteral("umap")}
            << QStringLiteral("--method must be tsne or pca");
        QTest::newRow("bad split")
            << QStringList{QStringLiteral("--out"), out, QStringLiteral("--split"),
                           QStringLiteral("holdout")}
            << QStringLiteral("--split must be");
        QTest::newRow("small sample")
            << QStringList{QStringLiteral("--out"), out, QStringLiteral("--sample"),
                           QStringLiteral("2")}
            << QStringLiteral("--sample");
        QTest::newRow("out is a folder")
            << QStringList{QStringLiteral("--out"), QDir::tempPath()} << QStringLiteral("folder");
        QTest::newRow("no validation split")
            << QStringList{QStringLiteral("--out"), out, QStringLiteral("--split"),
                           QStringLiteral("validation")}
            << QStringLiteral("no validation images");
    }

    void badInput()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const CliRun run = embed(arguments);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
    }

    void missingFiles()
    {
        const QString out = m_dir.filePath(QStringLiteral("missing.csv"));
        const QString noModel = m_dir.filePath(QStringLiteral("nope.pt"));
        CliRun run = runCli({QStringLiteral("embed"), QStringLiteral("--model"), noModel,
                             QStringLiteral("--data"), m_data, QStringLiteral("--out"), out});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("nope.pt")), qPrintable(run.err));
        const QString noData = m_dir.filePath(QStringLiteral("nodata"));
        run = runCli({QStringLiteral("embed"), QStringLiteral("--model"), m_model,
                      QStringLiteral("--data"), noData, QStringLiteral("--out"), out});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("nodata")), qPrintable(run.err));
        QVERIFY(!QFile::exists(out));
    }

private:
    CliRun embed(const QStringList& options)
    {
        return runCli(QStringList{QStringLiteral("embed"), QStringLiteral("--model"), m_model,
                                  QStringLiteral("--data"), m_data} +
                      options);
    }

    QTemporaryDir m_dir;
    QString m_data;
    QString m_model;
};

QTEST_GUILESS_MAIN(TestCliEmbed)
#include "tst_cli_embed.moc"
