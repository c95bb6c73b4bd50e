// Tests of the int8 engine (core/export/int8net): each template, its BatchNormalization folded
// and its ReLUs fused, gives in int8 the probabilities of the float32 model file within a
// quantization tolerance; layers it cannot run are named; the Predictor's int8 engine needs the
// file's calibration, and auto takes int8 only when the file's check lost at most 0.1 point.
#include "export/exporter_p.h"
#include "export/int8net_p.h"
#include "export/predictor.h"
#include "model/modelbuilder_p.h"
#include "model/modeltemplates.h"

#include <torch/nn.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace studio;

namespace {

// Trained-looking BatchNormalization layers, far enough from the identity that a fold left out
// or done wrong changes the answers: scale 0.5..2, shift, mean and variance as after training.
void randomizeBatchNorm(torch::nn::Sequential& module)
{
    torch::NoGradGuard noGrad;
    for (auto& p : module->named_parameters()) {
        const bool isBatchNorm =
            p.value().dim() == 1 && p.key().find("weight") != std::string::npos;
        if (isBatchNorm) {
            p.value().uniform_(0.5, 2.0);
        }
    }
    for (auto& b : module->named_buffers()) {
        if (b.key().find("running_var") != std::string::npos) {
            b.value().uniform_(0.3, 3.0);
        } else if (b.key().find("running_mean") != std::string::npos) {
            b.value().normal_(0, 0.5);
        }
    }
}

QStringList classNames(int classes)
{
    QStringList names;
    for (int c = 0; c < classes; ++c) {
        names << QStringLiteral("c%1").arg(c);
    }
    return names;
}

// A model file of `model` with random weights for grey (or RGB) images of `size` px, 4 classes.
Result<LoadedModel> writeModel(const ModelSpec& model, int size, const QString& path,
                               ColorMode colorMode = ColorMode::Grayscale)
{
    DatasetSettings dataset;
    dataset.imageSize = size;
    dataset.colorMode = colorMode;
    const ModelMetadata metadata = makeModelMetadata(model, dataset, classNames(4));
    Result<torch::nn::Sequential> built = buildModule(model, {size, size, metadata.channels()}, 4);
    if (!built) {
        return Failure{built.error()};
    }
    randomizeBatchNorm(*built);
    built->get()->eval();
    if (const Status s = exportTorchScript(*built, metadata, path); !s) {
        return Failure{s.error()};
    }
    return loadModelFile(path);
}

std::vector<float> randomImages(const ModelMetadata& m, int count, uint64_t seed)
{
    torch::manual_seed(seed);
    const torch::Tensor x = torch::rand({count, m.channels(), m.imageSize(), m.imageSize()});
    return std::vector<float>(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
}

// The float32 model file's probabilities.
std::vector<float> floatProbabilities(LoadedModel& model, std::vector<float> images, int count)
{
    torch::NoGradGuard noGrad;
    const ModelMetadata& m = model.metadata;
    const torch::Tensor x = torch::from_blob(
        images.data(), {count, m.channels(), m.imageSize(), m.imageSize()}, torch::kFloat);
    const torch::Tensor p = model.module.forward({x}).toTensor().contiguous();
    return std::vector<float>(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
}

double meanDifference(const std::vector<float>& a, const std::vector<float>& b)
{
    double sum = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        sum += std::abs(double(a[i]) - double(b[i]));
    }
    return a.empty() || a.size() != b.size() ? INFINITY : sum / double(a.size());
}

// An int8 network of `model`, calibrated on 64 random images.
Result<Int8Net> calibrated(const LoadedModel& model)
{
    Result<Int8Net> net = Int8Net::plan(model);
    if (!net) {
        return net;
    }
    const std::vector<float> images = randomImages(model.metadata, 64, 3);
    if (const Status s = net->observe(images.data(), 64); !s) {
        return Failure{s.error()};
    }
    if (const Status s = net->quantize(net->calibration()); !s) {
        return Failure{s.error()};
    }
    return net;
}

} // namespace

class TestInt8Net : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::manual_seed(23); }

    void everyTemplateMatchesFloat_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("rgb");
        for (const QString& name : templateNames()) {
            QTest::newRow(qPrintable(name + QStringLiteral(" grey"))) << name << false;
            QTest::newRow(qPrintable(name + QStringLiteral(" rgb"))) << name << true;
        }
    }

    // In int8 each template, grey and RGB (channels-last input), answers as in float32 within what
    // 8 bits allow; its BatchNormalization layers are far from the identity, so a fold that is
    // missing or wrong shows.
    void everyTemplateMatchesFloat()
    {
        QFETCH(QString, name);
        QFETCH(bool, rgb);
        const Result<ModelTemplate> t = loadTemplate(name);
        QVERIFY2(t.ok(), qPrintable(t.error()));
        QTemporaryDir dir;
        const int size = t->imageSizes.first();
        Result<LoadedModel> model =
            writeModel(withOutputUnits(t->model, 4), size, dir.filePath(QStringLiteral("m.pt")),
                       rgb ? ColorMode::Rgb : ColorMode::Grayscale);
        QVERIFY2(model.ok(), qPrintable(model.error()));
        Result<Int8Net> net = calibrated(*model);
        QVERIFY2(net.ok(), qPrintable(net.error()));
        QCOMPARE(net->calibration().images, 64);

        const std::vector<float> images = randomImages(model->metadata, 32, 11);
        const Result<std::vector<float>> ours = net->probabilities(images.data(), 32);
        QVERIFY2(ours.ok(), qPrintable(ours.error()));
        const std::vector<float> theirs = floatProbabilities(*model, images, 32);
        QCOMPARE(ours->size(), size_t(32 * 4));
        const double difference = meanDifference(*ours, theirs);
        QVERIFY2(difference < 0.01, qPrintable(QString::number(difference)));
        for (int i = 0; i < 32; ++i) {
            const float* row = ours->data() + i * 4;
            QVERIFY(std::abs(row[0] + row[1] + row[2] + row[3] - 1.0f) < 1e-4f);
        }
    }

    // Average pooling and a Dense layer's BatchNormalization, which no template has, also run
    // in int8 as in float32.
    void averagePoolingAndDenseBatchNormMatchFloat()
    {
        ModelSpec model;
        model.layers = {LayerSpec::conv2D(6, {3, 3}, Padding::Same, Activation::Relu),
                        LayerSpec::averagePooling2D(),
                        LayerSpec::conv2D(8, {3, 3}),
                        LayerSpec::batchNormalization(),
                        LayerSpec::activationLayer(Activation::Relu),
                        LayerSpec::globalAveragePooling2D(),
                        LayerSpec::dense(8),
                        LayerSpec::batchNormalization(),
                        LayerSpec::activationLayer(Activation::Relu),
                        LayerSpec::dense(4, Activation::Softmax)};
        QTemporaryDir dir;
        Result<LoadedModel> loaded = writeModel(model, 12, dir.filePath(QStringLiteral("m.pt")));
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        Result<Int8Net> net = calibrated(*loaded);
        QVERIFY2(net.ok(), qPrintable(net.error()));
        QCOMPARE(net->calibration().low.size(), 5); // the input, 2 Conv2D, 2 Dense
        const std::vector<float> images = randomImages(loaded->metadata, 32, 13);
        const Result<std::vector<float>> ours = net->probabilities(images.data(), 32);
        QVERIFY2(ours.ok(), qPrintable(ours.error()));
        const double difference = meanDifference(*ours, floatProbabilities(*loaded, images, 32));
        QVERIFY2(difference < 0.01, qPrintable(QString::number(difference)));
    }

    // An image gets the same answer whatever batch it comes in: one alone, or in batches of five
    // other sizes, more sizes than the engine keeps weights packed for (each size has its own).
    void answersDoNotDependOnTheBatch()
    {
        const Result<ModelTemplate> t = loadTemplate(QStringLiteral("seed"));
        QVERIFY(t.ok());
        QTemporaryDir dir;
        Result<LoadedModel> model = writeModel(
            withOutputUnits(t->model, 4), 48, dir.filePath(QStringLiteral("m.pt")), ColorMode::Rgb);
        QVERIFY2(model.ok(), qPrintable(model.error()));
        Result<Int8Net> net = calibrated(*model);
        QVERIFY2(net.ok(), qPrintable(net.error()));
        const int count = 12;
        const std::vector<float> images = randomImages(model->metadata, count, 17);
        const size_t perImage = images.size() / count;
        const Result<std::vector<float>> whole = net->probabilities(images.data(), count);
        QVERIFY2(whole.ok(), qPrintable(whole.error()));
        for (const std::vector<int>& batches :
             {std::vector<int>{1, 2, 3, 4, 2}, std::vector<int>(count, 1)}) {
            std::vector<float> pieced;
            int first = 0;
            for (const int size : batches) {
                const Result<std::vector<float>> part =
                    net->probabilities(images.data() + first * perImage, size);
                QVERIFY2(part.ok(), qPrintable(part.error()));
                pieced.insert(pieced.end(), part->begin(), part->end());
                first += size;
            }
            QCOMPARE(first, count);
            QCOMPARE(pieced.size(), whole->size());
            for (size_t i = 0; i < pieced.size(); ++i) {
                QVERIFY2(std::abs(pieced[i] - (*whole)[i]) < 1e-6f, qPrintable(QString::number(i)));
            }
        }
    }

    // A calibration sets each point's range from what it saw: a narrow one clips, so int8 then
    // answers differently (the ranges are used, not ignored).
    void rangesComeFromTheCalibration()
    {
        const Result<ModelTemplate> t = loadTemplate(QStringLiteral("seed"));
        QVERIFY(t.ok());
        QTemporaryDir dir;
        Result<LoadedModel> model = writeModel(withOutputUnits(t->model, 4), t->imageSizes.first(),
                                               dir.filePath(QStringLiteral("m.pt")));
        QVERIFY2(model.ok(), qPrintable(model.error()));
        Result<Int8Net> net = calibrated(*model);
        QVERIFY2(net.ok(), qPrintable(net.error()));
        const Int8Calibration seen = net->calibration();
        QCOMPARE(seen.low.size(), 12); // the input, 8 Conv2D, 3 Dense
        QVERIFY(seen.low[0] >= 0 && seen.high[0] <= 1 && seen.high[0] > 0.9);
        QCOMPARE(seen.low[1], 0.0); // after a ReLU
        const std::vector<float> images = randomImages(model->metadata, 16, 5);
        const std::vector<float> good = *net->probabilities(images.data(), 16);

        Int8Calibration narrow = seen;
        for (double& high : narrow.high) {
            high /= 50;
        }
        QVERIFY(net->quantize(narrow).ok());
        const std::vector<float> clipped = *net->probabilities(images.data(), 16);
        QVERIFY(meanDifference(clipped, good) >
                10 * meanDifference(good, floatProbabilities(*model, images, 16)));

        Int8Calibration shorter = seen;
        shorter.low.removeLast();
        shorter.high.removeLast();
        const Status refused = net->quantize(shorter);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().contains(QStringLiteral("11 ranges where the network has 12")),
                 qPrintable(refused.error()));
    }

    void layersInt8CannotRunAreNamed_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("expected");
        QTest::newRow("leaky relu") << 0 << "layer 1 (Conv2D): it has the activation leaky_relu";
        QTest::newRow("uneven padding") << 1 << "layer 1 (Conv2D): it has uneven \"same\" padding";
        QTest::newRow("padded pooling") << 2 << "layer 2 (MaxPooling2D): it pads its input";
        QTest::newRow("lone batch norm") << 3
                                         << "layer 3 (BatchNormalization): it follows no Conv2D or "
                                            "Dense (without ReLU) to fold into";
        QTest::newRow("tanh") << 4 << "layer 2 (Activation): it is tanh";
    }

    void layersInt8CannotRunAreNamed()
    {
        QFETCH(int, which);
        QFETCH(QString, expected);
        ModelSpec model;
        LayerSpec pool = LayerSpec::maxPooling2D();
        pool.padding = Padding::Same;
        switch (which) {
        case 0:
            model.layers = {LayerSpec::conv2D(4, {3, 3}, Padding::Valid, Activation::LeakyRelu)};
            break;
        case 1:
            model.layers = {LayerSpec::conv2D(4, {2, 2}, Padding::Same)};
            break;
        case 2:
            model.layers = {LayerSpec::conv2D(4, {3, 3}), pool};
            break;
        case 3:
            model.layers = {LayerSpec::conv2D(4, {3, 3}), LayerSpec::maxPooling2D(),
                            LayerSpec::batchNormalization()};
            break;
        default:
            model.layers = {LayerSpec::conv2D(4, {3, 3}),
                            LayerSpec::activationLayer(Activation::Tanh)};
            break;
        }
        model.layers << LayerSpec::flatten() << LayerSpec::dense(4, Activation::Softmax);
        QTemporaryDir dir;
        Result<LoadedModel> loaded = writeModel(model, 9, dir.filePath(QStringLiteral("m.pt")));
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        const Result<Int8Net> net = Int8Net::plan(*loaded);
        QVERIFY(!net.ok());
        QVERIFY2(net.error().contains(expected), qPrintable(net.error()));
    }

    // The Predictor's int8 engine runs the file's calibration; without one it is a clear
    // failure; auto takes int8 only when the file's check lost at most 0.1 point.
    void predictorUsesTheFilesCalibration()
    {
        const Result<ModelTemplate> t = loadTemplate(QStringLiteral("small"));
        QVERIFY(t.ok());
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("m.pt"));
        Result<LoadedModel> model = writeModel(withOutputUnits(t->model, 4), 28, path);
        QVERIFY2(model.ok(), qPrintable(model.error()));

        const Result<Predictor> uncalibrated =
            Predictor::load(path, {1, true, InferenceEngine::Int8});
        QVERIFY(!uncalibrated.ok());
        QVERIFY2(uncalibrated.error().contains(QStringLiteral("has no int8 calibration")) &&
                     uncalibrated.error().contains(QStringLiteral("Use the torch or auto engine")),
                 qPrintable(uncalibrated.error()));

        Result<Int8Net> net = calibrated(*model);
        QVERIFY2(net.ok(), qPrintable(net.error()));
        ModelMetadata metadata = model->metadata;
        metadata.int8 = net->calibration();
        metadata.int8.checkSplit = QStringLiteral("test");
        metadata.int8.checkImages = 1000;
        metadata.int8.floatAccuracy = 0.9;
        metadata.int8.int8Accuracy = 0.8995;
        metadata.int8.sameClass = 0.99;
        QVERIFY(saveTorchScript(model->module, metadata, path).ok());

        Result<Predictor> int8 = Predictor::load(path, {1, true, InferenceEngine::Int8});
        QVERIFY2(int8.ok(), qPrintable(int8.error()));
        QCOMPARE(int8->engine(), InferenceEngine::Int8);
        QVERIFY2(int8->engineText().contains(QStringLiteral("on the test split's 1000 images")),
                 qPrintable(int8->engineText()));
        const std::vector<float> images = randomImages(metadata, 8, 9);
        const Result<std::vector<float>> ours = int8->probabilities(images.data(), 8);
        QVERIFY2(ours.ok(), qPrintable(ours.error()));
        QCOMPARE(*ours, *net->probabilities(images.data(), 8));
        Result<Predictor> automatic = Predictor::load(path, {1, true, InferenceEngine::Auto});
        QVERIFY(automatic.ok());
        QCOMPARE(automatic->engine(), InferenceEngine::Int8);

        metadata.int8.int8Accuracy = 0.898; // 0.2 point lost
        QVERIFY(saveTorchScript(model->module, metadata, path).ok());
        automatic = Predictor::load(path, {1, true, InferenceEngine::Auto});
        QVERIFY(automatic.ok());
        QVERIFY(automatic->engine() != InferenceEngine::Int8);
        int8 = Predictor::load(path, {1, true, InferenceEngine::Int8}); // asked for: still runs
        QVERIFY(int8.ok());
        QCOMPARE(int8->engine(), InferenceEngine::Int8);
    }

    // The calibration and its check travel in metadata.json; a malformed one reads as none.
    void calibrationRoundTrips()
    {
        ModelSpec model;
        model.layers = {LayerSpec::flatten(), LayerSpec::dense(2)};
        ModelMetadata m = makeModelMetadata(model, DatasetSettings(), classNames(2));
        m.int8.images = 512;
        m.int8.low = {0, -1.5};
        m.int8.high = {1, 2.25};
        m.int8.checkSplit = QStringLiteral("validation");
        m.int8.checkImages = 300;
        m.int8.floatAccuracy = 0.9;
        m.int8.int8Accuracy = 0.9;
        m.int8.sameClass = 0.99;
        const Result<ModelMetadata> read =
            modelMetadataFromBytes(modelMetadataToBytes(m), QStringLiteral("m.pt"));
        QVERIFY2(read.ok(), qPrintable(read.error()));
        QCOMPARE(read->int8.images, 512);
        QCOMPARE(read->int8.low, m.int8.low);
        QCOMPARE(read->int8.high, m.int8.high);
        QCOMPARE(read->int8.checkSplit, QStringLiteral("validation"));
        QCOMPARE(read->int8.checkImages, 300);
        QCOMPARE(read->int8.sameClass, 0.99);
        QVERIFY(read->int8.withinTolerance());

        QJsonObject json = modelMetadataToJson(m);
        QJsonObject int8 = json[QStringLiteral("int8")].toObject();
        int8[QStringLiteral("ranges")] = QJsonArray{QJsonArray{2, 1}}; // low above high
        json[QStringLiteral("int8")] = int8;
        const Result<ModelMetadata> bad =
            modelMetadataFromBytes(QJsonDocument(json).toJson(), QStringLiteral("m.pt"));
        QVERIFY2(bad.ok(), qPrintable(bad.error()));
        QVERIFY(bad->int8.empty());
    }
};

QTEST_GUILESS_MAIN(TestInt8Net)
#include "tst_int8net.moc"
