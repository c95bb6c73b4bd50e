// Tests of classifier-cli explain as a user runs it: models made by the exporter (a grey network
// with convolutions, an RGB one without), images in two folders with the same names, the files
// written, --class, --method, the fallback to occlusion and the messages for bad input.
#include "clirun.h"
#include "explain/npyfile.h"
#include "export/exporter_p.h"
#include "export/modelmetadata.h"
#include "model/modelbuilder_p.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cmath>

using namespace studio;

using studio::testdata::CliRun;
using studio::testdata::runCli;

namespace {

// Saves `model` with seeded random weights for 3 classes of size x size images.
QString saveModel(const ModelSpec& model, int size, ColorMode mode, const QString& path)
{
    DatasetSettings settings;
    settings.imageSize = size;
    settings.colorMode = mode;
    const int channels = mode == ColorMode::Rgb ? 3 : 1;
    torch::manual_seed(5);
    Result<torch::nn::Sequential> built = buildModule(model, {size, size, channels}, 3);
    if (!built) {
        return built.error();
    }
    const QStringList classes = {QStringLiteral("ants"), QStringLiteral("bees"),
                                 QStringLiteral("wasps")};
    const Status saved =
        exportTorchScript(*built, makeModelMetadata(model, settings, classes), path);
    return saved ? QString() : saved.error();
}

// Writes a 20 px colour picture with a bright square at (x, y).
void writeImage(const QString& path, int x, int y)
{
    cv::Mat image(20, 20, CV_8UC3, cv::Scalar(30, 60, 90));
    image(cv::Rect(x, y, 5, 5)).setTo(cv::Scalar(250, 250, 250));
    QDir().mkpath(QFileInfo(path).absolutePath());
    QVERIFY(cv::imwrite(path.toStdString(), image));
}

QJsonObject jsonOf(const CliRun& run)
{
    return QJsonDocument::fromJson(run.out.toUtf8()).object();
}

} // namespace

// Tests of app/cli/explaincommands.
class TestCliExplain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        ModelSpec conv;
        conv.layers = {LayerSpec::conv2D(4, {3, 3}, Padding::Same, Activation::Relu),
                       LayerSpec::maxPooling2D(),
                       LayerSpec::conv2D(4, {3, 3}, Padding::Same, Activation::Relu),
                       LayerSpec::flatten(), LayerSpec::dense(3, Activation::Softmax)};
        m_convModel = m_dir.filePath(QStringLiteral("conv.pt"));
        QString error = saveModel(conv, 16, ColorMode::Grayscale, m_convModel);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        ModelSpec dense;
        dense.layers = {LayerSpec::flatten(), LayerSpec::dense(3, Activation::Softmax)};
        m_denseModel = m_dir.filePath(QStringLiteral("dense.pt"));
        error = saveModel(dense, 16, ColorMode::Rgb, m_denseModel);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        writeImage(m_dir.filePath(QStringLiteral("a/bee.png")), 2, 3);
        writeImage(m_dir.filePath(QStringLiteral("b/bee.png")), 12, 10);
        writeImage(m_dir.filePath(QStringLiteral("ant.jpg")), 7, 7);
        QVERIFY(QDir(m_dir.path()).mkdir(QStringLiteral("empty")));
    }

    // Folders and a file; same names in two folders get their folder's name in front.
    void writesOverlayAndMap()
    {
        const QString out = m_dir.filePath(QStringLiteral("out1"));
        const CliRun run = runCli(
            {QStringLiteral("explain"), QStringLiteral("--model"), m_convModel,
             QStringLiteral("--out"), out, QStringLiteral("--threads"), QStringLiteral("1"),
             QStringLiteral("--json"), m_dir.filePath(QStringLiteral("a")),
             m_dir.filePath(QStringLiteral("b")), m_dir.filePath(QStringLiteral("ant.jpg"))});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonArray maps = jsonOf(run).value(QStringLiteral("maps")).toArray();
        QCOMPARE(maps.size(), 3);
        const QStringList stems = {QStringLiteral("a_bee_gradcam"), QStringLiteral("b_bee_gradcam"),
                                   QStringLiteral("ant_gradcam")};
        for (int i = 0; i < 3; ++i) {
            const QJsonObject map = maps[i].toObject();
            QCOMPARE(map.value(QStringLiteral("method")).toString(), QStringLiteral("gradcam"));
            QCOMPARE(map.value(QStringLiteral("class")).toString(),
                     map.value(QStringLiteral("predicted")).toString());
            QCOMPARE(map.value(QStringLiteral("map_rows")).toInt(), 8);
            QCOMPARE(map.value(QStringLiteral("cell_size")).toDouble(), 2.0);
            const QString npy = QDir(out).filePath(stems[i] + QStringLiteral(".npy"));
            const QString png = QDir(out).filePath(stems[i] + QStringLiteral(".png"));
            QCOMPARE(map.value(QStringLiteral("npy")).toString(), QDir::toNativeSeparators(npy));
            const Result<NpyArray> read = readNpy(npy);
            QVERIFY2(read.ok(), qPrintable(read.error()));
            QCOMPARE(read->rows, 8);
            QCOMPARE(read->columns, 8);
            for (const float v : read->values) {
                QVERIFY(std::isfinite(v) && v >= 0);
            }
            const cv::Mat overlay = cv::imread(png.toStdString(), cv::IMREAD_UNCHANGED);
            QCOMPARE(overlay.cols, 256);
            QCOMPARE(overlay.channels(), 3);
        }
        QCOMPARE(QDir(out).entryList(QDir::Files).size(), 6);
    }

    // --class explains that class for every image; the line names it and the method.
    void classOptionAndText()
    {
        const QString out = m_dir.filePath(QStringLiteral("out2"));
        const QString image = m_dir.filePath(QStringLiteral("ant.jpg"));
        const CliRun run = runCli({QStringLiteral("explain"), QStringLiteral("--model"),
                                   m_convModel, QStringLiteral("--out"), out,
                                   QStringLiteral("--class"), QStringLiteral("wasps"), image});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.startsWith(image + QStringLiteral(": wasps 0.")), qPrintable(run.out));
        QVERIFY2(run.out.contains(QStringLiteral("gradcam at layer 2 (Conv2D), 8x8 map")),
                 qPrintable(run.out));
        QVERIFY(QFile::exists(QDir(out).filePath(QStringLiteral("ant_gradcam.npy"))));
    }

    // Occlusion asked for: a map at the image's resolution (16 px).
    void occlusionMethod()
    {
        const QString out = m_dir.filePath(QStringLiteral("out3"));
        const CliRun run = runCli(
            {QStringLiteral("explain"), QStringLiteral("--model"), m_convModel,
             QStringLiteral("--out"), out, QStringLiteral("--method"), QStringLiteral("occlusion"),
             QStringLiteral("--json"), m_dir.filePath(QStringLiteral("ant.jpg"))});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject map =
            jsonOf(run).value(QStringLiteral("maps")).toArray().first().toObject();
        QCOMPARE(map.value(QStringLiteral("method")).toString(), QStringLiteral("occlusion"));
        QCOMPARE(map.value(QStringLiteral("where")).toString(),
                 QStringLiteral("2 px patch, stride 1"));
        const Result<NpyArray> read =
            readNpy(QDir(out).filePath(QStringLiteral("ant_occlusion.npy")));
        QVERIFY2(read.ok(), qPrintable(read.error()));
        QCOMPARE(read->rows, 16);
    }

    // An RGB network without Conv2D: gradcam falls back to occlusion, and the line says why.
    void fallbackWithoutConv()
    {
        const QString out = m_dir.filePath(QStringLiteral("out4"));
        const CliRun run =
            runCli({QStringLiteral("explain"), QStringLiteral("--model"), m_denseModel,
                    QStringLiteral("--out"), out, QStringLiteral("--method"),
                    QStringLiteral("gradcam"), m_dir.filePath(QStringLiteral("a/bee.png"))});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains(QStringLiteral(", occlusion at ")), qPrintable(run.out));
        QVERIFY2(run.out.contains(QStringLiteral("occlusion instead of Grad-CAM: the network has "
                                                 "no Conv2D layer")),
                 qPrintable(run.out));
        const Result<NpyArray> read =
            readNpy(QDir(out).filePath(QStringLiteral("bee_occlusion.npy")));
        QVERIFY2(read.ok(), qPrintable(read.error()));
        QCOMPARE(read->rows, 16);
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        const QString image = m_dir.filePath(QStringLiteral("ant.jpg"));
        const QString out = m_dir.filePath(QStringLiteral("out5"));
        QTest::newRow("no out") << QStringList{QStringLiteral("--model"), m_convModel, image} << 2
                                << QStringLiteral("explain needs --model M.pt, --out DIR");
        QTest::newRow("unknown class")
            << QStringList{QStringLiteral("--model"),
                           m_convModel,
                           QStringLiteral("--out"),
                           out,
                           QStringLiteral("--class"),
                           QStringLiteral("moths"),
                           image}
            << 2
            << QStringLiteral("--class 'moths' is not one of the model's classes: ants, bees, "
                              "wasps.");
        QTest::newRow("unknown method")
            << QStringList{QStringLiteral("--model"),
                           m_convModel,
                           QStringLiteral("--out"),
                           out,
                           QStringLiteral("--method"),
                           QStringLiteral("lime"),
                           image}
            << 2 << QStringLiteral("--method must be gradcam or occlusion, got 'lime'.");
        QTest::newRow("missing model")
            << QStringList{QStringLiteral("--model"), m_dir.filePath(QStringLiteral("none.pt")),
                           QStringLiteral("--out"), out, image}
            << 2 << QStringLiteral("none.pt");
        QTest::newRow("no images")
            << QStringList{QStringLiteral("--model"), m_convModel, QStringLiteral("--out"), out,
                           m_dir.filePath(QStringLiteral("empty"))}
            << 2 << QStringLiteral("No images found in");
        QTest::newRow("out is a file")
            << QStringList{QStringLiteral("--model"), m_convModel, QStringLiteral("--out"),
                           m_convModel, image}
            << 2 << QStringLiteral("(--out): give a folder that can be written to.");
    }

    void badInput()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        const CliRun run = runCli(QStringList{QStringLiteral("explain")} + arguments);
        QCOMPARE(run.exitCode, exitCode);
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
    }

    // A file that is not an image gets an error line; the others are still explained.
    void unreadableImage()
    {
        const QString bad = m_dir.filePath(QStringLiteral("c/broken.png"));
        QDir().mkpath(QFileInfo(bad).absolutePath());
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a picture");
        file.close();
        const QString out = m_dir.filePath(QStringLiteral("out6"));
        const CliRun run =
            runCli({QStringLiteral("explain"), QStringLiteral("--model"), m_convModel,
                    QStringLiteral("--out"), out, bad, m_dir.filePath(QStringLiteral("ant.jpg"))});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.out.contains(bad + QStringLiteral(": error: ")), qPrintable(run.out));
        QVERIFY2(run.err.contains(QStringLiteral("1 of 2 files could not be explained.")),
                 qPrintable(run.err));
        QVERIFY(QFile::exists(QDir(out).filePath(QStringLiteral("ant_gradcam.png"))));
        QVERIFY(!QFile::exists(QDir(out).filePath(QStringLiteral("broken_gradcam.png"))));
    }

private:
    QTemporaryDir m_dir;
    QString m_convModel;
    QString m_denseModel;
};

QTEST_GUILESS_MAIN(TestCliExplain)
#include "tst_cli_explain.moc"
