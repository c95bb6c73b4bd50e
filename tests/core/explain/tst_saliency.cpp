// Saliency maps of model files: Grad-CAM and occlusion find the 8x8 marker that decides the class
// of a 64 px image, agree with the Predictor on the probabilities, fall back to occlusion
// without a Conv2D layer, and work for grey, RGB and N-channel inputs.
#include "explain/saliency.h"

#include "dataset/inputspec.h"
#include "export/exporter_p.h"
#include "export/predictor.h"
#include "model/modelbuilder_p.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <torch/optim.h>

#include <cmath>
#include <random>

using namespace studio;

// Tests of core/explain/saliency.
class TestSaliency : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void methodNames();
    void markerPeaks();
    void agreesWithPredictor();
    void classOutOfRange();
    void unreadableFile();
    void fallsBackWithoutConv();
    void gradCamLayerTakesFollowingLayers();
    void channels_data();
    void channels();
    void overlayPng();

private:
    QTemporaryDir m_dir;
    QString m_markerModel;
    QStringList m_testFiles;
    QVector<int> m_testLabels;
    QVector<QPair<double, double>> m_testCentres; // marker centres, input pixels (x, y)
};

namespace {

constexpr int kSide = 64;
constexpr int kMarker = 8;

// One 64 px grey image: noise 0..50 with an 8x8 striped marker at a random place; class 0 has
// horizontal stripes, class 1 vertical ones (2 px bright, 2 px dark).
struct MarkerImage
{
    std::vector<uint8_t> pixels;
    int label = 0;
    double centreX = 0;
    double centreY = 0;
};

MarkerImage makeMarkerImage(std::mt19937& rng)
{
    MarkerImage m;
    m.pixels.resize(size_t(kSide) * kSide);
    std::uniform_int_distribution<int> noise(0, 50);
    for (uint8_t& p : m.pixels) {
        p = uint8_t(noise(rng));
    }
    m.label = int(rng() % 2);
    std::uniform_int_distribution<int> place(0, kSide - kMarker);
    const int x0 = place(rng);
    const int y0 = place(rng);
    for (int dy = 0; dy < kMarker; ++dy) {
        for (int dx = 0; dx < kMarker; ++dx) {
            const bool bright = ((m.label == 0 ? dy : dx) / 2) % 2 == 0;
            m.pixels[size_t(y0 + dy) * kSide + size_t(x0 + dx)] = bright ? 230 : 0;
        }
    }
    m.centreX = x0 + kMarker / 2.0;
    m.centreY = y0 + kMarker / 2.0;
    return m;
}

ModelMetadata metadataFor(const ModelSpec& model, int size, const QVector<int>& channels,
                          ColorMode mode, int classes)
{
    DatasetSettings dataset;
    dataset.imageSize = size;
    dataset.colorMode = mode;
    if (!channels.isEmpty()) {
        dataset = withChannelList(dataset, channels);
    }
    QStringList names;
    for (int i = 0; i < classes; ++i) {
        names << QStringLiteral("class%1").arg(i);
    }
    return makeModelMetadata(model, dataset, names);
}

ModelSpec markerNetwork()
{
    ModelSpec model;
    model.layers = {LayerSpec::conv2D(8, {3, 3}, Padding::Same, Activation::Relu),
                    LayerSpec::maxPooling2D(),
                    LayerSpec::conv2D(16, {3, 3}, Padding::Same, Activation::Relu),
                    LayerSpec::maxPooling2D(),
                    LayerSpec::conv2D(16, {3, 3}, Padding::Same, Activation::Relu),
                    LayerSpec::globalAveragePooling2D(),
                    LayerSpec::dense(2, Activation::Softmax)};
    return model;
}

// Trains `module` on marker images with Adam and cross-entropy.
double trainMarkerNetwork(torch::nn::Sequential& module, int images, int epochs)
{
    std::mt19937 rng(7);
    torch::Tensor x = torch::empty({images, 1, kSide, kSide});
    torch::Tensor y = torch::empty({images}, torch::kLong);
    for (int i = 0; i < images; ++i) {
        const MarkerImage m = makeMarkerImage(rng);
        x[i] = torch::from_blob(const_cast<uint8_t*>(m.pixels.data()), {1, kSide, kSide},
                                torch::kUInt8)
                   .to(torch::kFloat)
                   .div(255.0);
        y[i] = m.label;
    }
    torch::optim::Adam optimizer(module->parameters(), torch::optim::AdamOptions(3e-3));
    module->train();
    double accuracy = 0;
    const int batch = 32;
    for (int epoch = 0; epoch < epochs; ++epoch) {
        const torch::Tensor order = torch::randperm(images);
        int correct = 0;
        for (int start = 0; start + batch <= images; start += batch) {
            const torch::Tensor idx = order.slice(0, start, start + batch);
            const torch::Tensor logits = module->forward(x.index_select(0, idx));
            const torch::Tensor target = y.index_select(0, idx);
            const torch::Tensor loss = torch::cross_entropy_loss(logits, target);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            correct += logits.argmax(1).eq(target).sum().item<int>();
        }
        accuracy = double(correct) / double(images - images % batch);
    }
    module->eval();
    return accuracy;
}

// Builds `model` with random weights and saves it as a model file.
QString saveModel(const ModelSpec& model, const ModelMetadata& metadata, const QString& path)
{
    torch::manual_seed(3);
    Result<torch::nn::Sequential> built =
        buildModule(model, {metadata.imageSize(), metadata.imageSize(), metadata.channels()},
                    int(metadata.classes.size()));
    if (!built) {
        return built.error();
    }
    const Status saved = exportTorchScript(*built, metadata, path);
    return saved ? QString() : saved.error();
}

} // namespace

void TestSaliency::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QElapsedTimer timer;
    timer.start();
    torch::manual_seed(1);
    const ModelSpec model = markerNetwork();
    const ModelMetadata metadata = metadataFor(model, kSide, {}, ColorMode::Grayscale, 2);
    Result<torch::nn::Sequential> built = buildModule(model, {kSide, kSide, 1}, 2);
    QVERIFY2(built.ok(), qPrintable(built.error()));
    const double accuracy = trainMarkerNetwork(*built, 512, 8);
    qInfo("marker network: training accuracy %.3f after %lld ms", accuracy,
          static_cast<long long>(timer.elapsed()));
    m_markerModel = m_dir.filePath(QStringLiteral("marker.pt"));
    const Status saved = exportTorchScript(*built, metadata, m_markerModel);
    QVERIFY2(saved.ok(), qPrintable(saved.error()));

    std::mt19937 rng(2024);
    for (int i = 0; i < 120; ++i) {
        const MarkerImage m = makeMarkerImage(rng);
        const QString path = m_dir.filePath(QStringLiteral("test%1.png").arg(i));
        const cv::Mat image(kSide, kSide, CV_8UC1, const_cast<uint8_t*>(m.pixels.data()));
        QVERIFY(cv::imwrite(path.toStdString(), image));
        m_testFiles << path;
        m_testLabels << m.label;
        m_testCentres << qMakePair(m.centreX, m.centreY);
    }
}

void TestSaliency::methodNames()
{
    QCOMPARE(saliencyMethodFromName(QStringLiteral("GradCAM")), SaliencyMethod::GradCam);
    QCOMPARE(saliencyMethodFromName(QStringLiteral("occlusion")), SaliencyMethod::Occlusion);
    QVERIFY(!saliencyMethodFromName(QStringLiteral("lime")).has_value());
    QCOMPARE(saliencyMethodName(SaliencyMethod::GradCam), QStringLiteral("gradcam"));
}

// The check: for at least 90% of the correctly classified test images the map's peak
// lies within one map cell of the marker's centre (Grad-CAM: a cell of its 16 x 16 grid, 4 px;
// occlusion, at the input's resolution: within the 8 px patch). Occlusion runs 225 forward
// passes an image, so it checks the first 40 images only (the test stays a few seconds).
void TestSaliency::markerPeaks()
{
    Result<SaliencyExplainer> explainer = SaliencyExplainer::load(m_markerModel, 1);
    QVERIFY2(explainer.ok(), qPrintable(explainer.error()));
    QVERIFY(explainer->hasGradCam());
    QCOMPARE(explainer->gradCamLayer(), 4);
    for (const SaliencyMethod method : {SaliencyMethod::GradCam, SaliencyMethod::Occlusion}) {
        QElapsedTimer timer;
        timer.start();
        const int images = method == SaliencyMethod::GradCam ? int(m_testFiles.size()) : 40;
        int correct = 0;
        int near = 0;
        for (int i = 0; i < images; ++i) {
            SaliencyOptions options;
            options.method = method;
            const SaliencyMap map = explainer->explainFile(m_testFiles[i], options);
            QVERIFY2(map.ok(), qPrintable(map.error));
            QCOMPARE(map.method, method);
            QVERIFY(map.note.isEmpty());
            if (map.predicted != m_testLabels[i]) {
                continue;
            }
            ++correct;
            const double reach = method == SaliencyMethod::GradCam ? map.cellSize() : 8.0;
            if (method == SaliencyMethod::GradCam) {
                QCOMPARE(map.map.rows, 16);
                QCOMPARE(map.map.columns, 16);
                QCOMPARE(map.cellSize(), 4.0);
            } else {
                QCOMPARE(map.map.rows, kSide);
            }
            const MapPeak peak = mapPeak(map);
            near += std::abs(peak.x - m_testCentres[i].first) <= reach &&
                    std::abs(peak.y - m_testCentres[i].second) <= reach;
        }
        const double fraction = correct > 0 ? double(near) / correct : 0;
        qInfo("%s: %d of %d test images classified correctly; the peak is within one cell of "
              "the marker's centre for %d of them (%.1f%%), %lld ms",
              qPrintable(saliencyMethodName(method)), correct, images, near, 100 * fraction,
              static_cast<long long>(timer.elapsed()));
        QVERIFY2(correct >= images * 8 / 10,
                 qPrintable(QStringLiteral("only %1 correct").arg(correct)));
        QVERIFY2(fraction >= 0.9, qPrintable(QStringLiteral("%1: peak near the marker for %2%")
                                                 .arg(saliencyMethodName(method))
                                                 .arg(100 * fraction, 0, 'f', 1)));
    }
}

// The rebuilt network and the preprocessing are the Predictor's: same probabilities.
void TestSaliency::agreesWithPredictor()
{
    Result<SaliencyExplainer> explainer = SaliencyExplainer::load(m_markerModel, 1);
    QVERIFY2(explainer.ok(), qPrintable(explainer.error()));
    Result<Predictor> predictor = Predictor::load(m_markerModel);
    QVERIFY2(predictor.ok(), qPrintable(predictor.error()));
    const QStringList files = m_testFiles.mid(0, 10);
    const QVector<Prediction> predictions = predictor->predictFiles(files, {});
    for (int i = 0; i < files.size(); ++i) {
        for (int c = 0; c < 2; ++c) {
            SaliencyOptions options;
            options.classIndex = c;
            const SaliencyMap map = explainer->explainFile(files[i], options);
            QVERIFY2(map.ok(), qPrintable(map.error));
            QCOMPARE(map.classIndex, c);
            QCOMPARE(map.className, QStringLiteral("class%1").arg(c));
            QCOMPARE(map.predicted, predictions[i].predicted);
            QVERIFY(std::abs(map.probability - predictions[i].probabilities[size_t(c)]) < 1e-4);
        }
    }
}

void TestSaliency::classOutOfRange()
{
    Result<SaliencyExplainer> explainer = SaliencyExplainer::load(m_markerModel, 1);
    QVERIFY2(explainer.ok(), qPrintable(explainer.error()));
    SaliencyOptions options;
    options.classIndex = 5;
    const SaliencyMap map = explainer->explainFile(m_testFiles.first(), options);
    QVERIFY(!map.ok());
    QVERIFY2(map.error.contains(QStringLiteral("class0, class1")), qPrintable(map.error));
}

void TestSaliency::unreadableFile()
{
    Result<SaliencyExplainer> explainer = SaliencyExplainer::load(m_markerModel, 1);
    QVERIFY2(explainer.ok(), qPrintable(explainer.error()));
    const QString missing = m_dir.filePath(QStringLiteral("missing.png"));
    const SaliencyMap map = explainer->explainFile(missing, {});
    QVERIFY(!map.ok());
    QCOMPARE(map.path, missing);
    QVERIFY(!map.error.isEmpty());
    QVERIFY(saliencyOverlayPng(map).isEmpty());

    const Result<SaliencyExplainer> noModel = SaliencyExplainer::load(missing, 1);
    QVERIFY(!noModel.ok());
    QVERIFY2(noModel.error().contains(QStringLiteral("missing.png")), qPrintable(noModel.error()));
}

// Without a Conv2D layer Grad-CAM has nothing to use: occlusion runs and the map says why.
void TestSaliency::fallsBackWithoutConv()
{
    ModelSpec model;
    model.layers = {LayerSpec::flatten(), LayerSpec::dense(8, Activation::Relu),
                    LayerSpec::dense(3, Activation::Softmax)};
    const ModelMetadata metadata = metadataFor(model, 16, {}, ColorMode::Grayscale, 3);
    const QString path = m_dir.filePath(QStringLiteral("dense.pt"));
    const QString error = saveModel(model, metadata, path);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    Result<SaliencyExplainer> explainer = SaliencyExplainer::load(path, 1);
    QVERIFY2(explainer.ok(), qPrintable(explainer.error()));
    QVERIFY(!explainer->hasGradCam());
    const std::vector<float> image(16 * 16, 0.5f);
    const SaliencyMap map = explainer->explainImage(image.data(), {});
    QVERIFY2(map.ok(), qPrintable(map.error));
    QCOMPARE(map.method, SaliencyMethod::Occlusion);
    QVERIFY2(map.note.contains(QStringLiteral("no Conv2D layer")), qPrintable(map.note));
    QCOMPARE(map.map.rows, 16);
    QCOMPARE(map.layer, QStringLiteral("2 px patch, stride 1"));
}

void TestSaliency::gradCamLayerTakesFollowingLayers()
{
    ModelSpec model;
    model.layers = {LayerSpec::conv2D(4, {3, 3}),
                    LayerSpec::batchNormalization(),
                    LayerSpec::activationLayer(Activation::Relu),
                    LayerSpec::maxPooling2D(),
                    LayerSpec::flatten(),
                    LayerSpec::dense(2, Activation::Softmax)};
    const ModelMetadata metadata = metadataFor(model, 12, {}, ColorMode::Grayscale, 2);
    const QString path = m_dir.filePath(QStringLiteral("bn.pt"));
    const QString error = saveModel(model, metadata, path);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    Result<SaliencyExplainer> explainer = SaliencyExplainer::load(path, 1);
    QVERIFY2(explainer.ok(), qPrintable(explainer.error()));
    QCOMPARE(explainer->gradCamLayer(), 2);
    std::vector<float> image(12 * 12);
    for (size_t i = 0; i < image.size(); ++i) {
        image[i] = float(i % 7) / 7.0f;
    }
    const SaliencyMap map = explainer->explainImage(image.data(), {});
    QVERIFY2(map.ok(), qPrintable(map.error));
    QCOMPARE(map.layer, QStringLiteral("layer 2 (Activation)"));
    QCOMPARE(map.map.rows, 10); // valid 3x3 convolution of 12 px
    for (const float v : map.map.values) {
        QVERIFY(v >= 0 && std::isfinite(v));
    }
}

void TestSaliency::channels_data()
{
    QTest::addColumn<int>("mode"); // 0 grey, 1 RGB, 2 a list of channels
    QTest::addColumn<QVector<int>>("channelList");
    QTest::addColumn<int>("channels");
    QTest::newRow("grey") << 0 << QVector<int>{} << 1;
    QTest::newRow("rgb") << 1 << QVector<int>{} << 3;
    QTest::newRow("five channels") << 0 << QVector<int>{0, 1, 2, 3, 4} << 5;
}

// Untrained networks of each kind of input: both methods give finite maps of the expected size
// and a display image; the probability matches the Predictor's.
void TestSaliency::channels()
{
    QFETCH(int, mode);
    QFETCH(QVector<int>, channelList);
    QFETCH(int, channels);
    ModelSpec model;
    model.layers = {LayerSpec::conv2D(4, {3, 3}, Padding::Same, Activation::Relu),
                    LayerSpec::maxPooling2D(),
                    LayerSpec::conv2D(4, {3, 3}, Padding::Same, Activation::Relu),
                    LayerSpec::flatten(), LayerSpec::dense(3, Activation::Softmax)};
    const ModelMetadata metadata =
        metadataFor(model, 24, channelList, mode == 1 ? ColorMode::Rgb : ColorMode::Grayscale, 3);
    QCOMPARE(metadata.channels(), channels);
    const QString path = m_dir.filePath(QStringLiteral("channels%1.pt").arg(channels));
    const QString error = saveModel(model, metadata, path);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    Result<SaliencyExplainer> explainer = SaliencyExplainer::load(path, 1);
    QVERIFY2(explainer.ok(), qPrintable(explainer.error()));
    Result<Predictor> predictor = Predictor::load(path);
    QVERIFY2(predictor.ok(), qPrintable(predictor.error()));
    std::mt19937 rng(channels);
    std::uniform_real_distribution<float> value(0, 1);
    std::vector<float> image(size_t(channels) * 24 * 24);
    for (float& v : image) {
        v = value(rng);
    }
    const Result<std::vector<float>> probabilities = predictor->probabilities(image.data(), 1);
    QVERIFY2(probabilities.ok(), qPrintable(probabilities.error()));
    for (const SaliencyMethod method : {SaliencyMethod::GradCam, SaliencyMethod::Occlusion}) {
        SaliencyOptions options;
        options.method = method;
        options.classIndex = 1;
        const SaliencyMap map = explainer->explainImage(image.data(), options);
        QVERIFY2(map.ok(), qPrintable(map.error));
        QCOMPARE(map.method, method);
        QCOMPARE(map.map.rows, method == SaliencyMethod::GradCam ? 12 : 24);
        QCOMPARE(map.map.values.size(), size_t(map.map.rows) * size_t(map.map.columns));
        QCOMPARE(map.display.size(), size_t(24 * 24 * 3));
        QVERIFY(std::abs(map.probability - (*probabilities)[1]) < 1e-4);
        for (const float v : map.map.values) {
            QVERIFY(std::isfinite(v));
        }
        QVERIFY(!saliencyOverlayPng(map).isEmpty());
    }
}

void TestSaliency::overlayPng()
{
    Result<SaliencyExplainer> explainer = SaliencyExplainer::load(m_markerModel, 1);
    QVERIFY2(explainer.ok(), qPrintable(explainer.error()));
    const SaliencyMap map = explainer->explainFile(m_testFiles.first(), {});
    QVERIFY2(map.ok(), qPrintable(map.error));
    const QString path = m_dir.filePath(QStringLiteral("overlay.png"));
    const Status written = writeSaliencyOverlay(path, map);
    QVERIFY2(written.ok(), qPrintable(written.error()));
    const cv::Mat overlay = cv::imread(path.toStdString(), cv::IMREAD_UNCHANGED);
    QCOMPARE(overlay.cols, 256); // 64 px enlarged four times
    QCOMPARE(overlay.rows, 256);
    QCOMPARE(overlay.channels(), 3);
    // The map's peak is red-ish (JET's high end), its far corner blue-ish, unless the marker
    // is there.
    const MapPeak peak = mapPeak(map);
    const cv::Vec3b atPeak = overlay.at<cv::Vec3b>(int(peak.y * 4), int(peak.x * 4));
    QVERIFY2(
        atPeak[2] > atPeak[0],
        qPrintable(QStringLiteral("BGR %1 %2 %3").arg(atPeak[0]).arg(atPeak[1]).arg(atPeak[2])));
}

QTEST_GUILESS_MAIN(TestSaliency)
#include "tst_saliency.moc"
