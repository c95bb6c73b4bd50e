// Tests of the Predictor's inference engines: OpenCV's DNN module (the model converted to ONNX
// in memory) gives LibTorch's probabilities for every template and grey, RGB and N-channel
// inputs; auto picks OpenCV for a supported model and falls back to LibTorch, saying why, for
// one OpenCV cannot run; asking for opencv then is a clear failure. LibTorch is the default;
// its batches (a channels-last frozen module) agree with its single images (oneDNN-optimised).
#include "export/exporter_p.h"
#include "export/opencvnet_p.h"
#include "export/predictor.h"
#include "model/featureextractor.h"
#include "model/featureextractor_p.h"
#include "model/modelbuilder_p.h"
#include "model/modeltemplates.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <torch/nn.h>

#include <QTemporaryDir>
#include <QtTest>

using namespace studio;

namespace {

// Trained-looking statistics for the BatchNormalization layers; the weights keep LibTorch's
// initialisation, so that the probabilities stay away from 0 and 1 (where any two engines
// agree).
void randomizeStatistics(torch::nn::Sequential& module)
{
    torch::NoGradGuard noGrad;
    for (auto& b : module->named_buffers()) {
        if (b.key().find("running_var") != std::string::npos) {
            b.value().uniform_(0.5, 2.0);
        } else if (b.key().find("running_mean") != std::string::npos) {
            b.value().normal_(0, 0.2);
        }
    }
}

// Writes a model of `model` for `dataset` with random weights to `path`.
Status writeModel(const ModelSpec& model, const DatasetSettings& dataset, int classes,
                  const QString& path)
{
    QStringList names;
    for (int c = 0; c < classes; ++c) {
        names << QStringLiteral("c%1").arg(c);
    }
    const ModelMetadata metadata = makeModelMetadata(model, dataset, names);
    const int size = dataset.imageSize;
    Result<torch::nn::Sequential> built =
        buildModule(model, {size, size, metadata.channels()}, classes);
    if (!built) {
        return Failure{built.error()};
    }
    randomizeStatistics(*built);
    built->get()->eval();
    return exportTorchScript(*built, metadata, path);
}

// The tutorial's network for its smallest grey images, 3 classes.
QString writeSeedModel(const QTemporaryDir& dir)
{
    const Result<ModelTemplate> seed = loadTemplate(QStringLiteral("seed"));
    if (!seed) {
        return {};
    }
    DatasetSettings dataset;
    dataset.imageSize = seed->imageSizes.first();
    dataset.colorMode = ColorMode::Grayscale;
    const QString path = dir.filePath(QStringLiteral("seed.pt"));
    if (!writeModel(withOutputUnits(seed->model, 3), dataset, 3, path).ok()) {
        return {};
    }
    return path;
}

// A user's TorchScript feature extractor (as tst_featureextractor makes one): a model with it
// cannot be written as ONNX, so OpenCV cannot run it.
QString writeExtractorModel(const QTemporaryDir& dir)
{
    torch::manual_seed(5);
    torch::jit::Module backbone("__torch__.Backbone");
    backbone.register_parameter("weight", torch::randn({8, 3, 3, 3}), false);
    backbone.register_parameter("bias", torch::randn({8}), false);
    backbone.define(R"(
def forward(self, x):
    y = torch.relu(torch.conv2d(x, self.weight, self.bias, [2, 2], [1, 1]))
    return torch.cat([torch.mean(y, [2, 3]), torch.amax(y, [2, 3])], 1)
)");
    backbone.eval();
    const QString backbonePath = dir.filePath(QStringLiteral("backbone.pt"));
    torch::jit::ExtraFilesMap extra;
    extra[kExtractorMetadataFile] =
        R"({"input_size": [24, 24], "channels": 3, "mean": [0.5, 0.4, 0.3], "std": [0.2, 0.25, 0.3]})";
    backbone.save(backbonePath.toStdString(), extra);
    const Result<FeatureExtractorSpec> spec = inspectFeatureExtractor(backbonePath);
    if (!spec) {
        return {};
    }
    ModelSpec model;
    model.layers = {LayerSpec::featureExtractor(*spec), LayerSpec::dense(3, Activation::Softmax)};
    DatasetSettings dataset;
    dataset.imageSize = 32;
    dataset.colorMode = ColorMode::Grayscale;
    const QString path = dir.filePath(QStringLiteral("extractor.pt"));
    return writeModel(model, dataset, 3, path).ok() ? path : QString();
}

std::vector<float> randomImages(const ModelMetadata& m, int count)
{
    const torch::Tensor x = torch::rand({count, m.channels(), m.imageSize(), m.imageSize()});
    return std::vector<float>(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
}

double largestDifference(const std::vector<float>& a, const std::vector<float>& b)
{
    double largest = 0;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        largest = std::max(largest, std::abs(double(a[i]) - double(b[i])));
    }
    return largest;
}

int argmax(const std::vector<float>& p, int row, int classes)
{
    const auto first = p.begin() + ptrdiff_t(row) * classes;
    return int(std::max_element(first, first + classes) - first);
}

} // namespace

class TestPredictorEngine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        torch::manual_seed(17);
        QVERIFY(m_dir.isValid());
    }

    void engineNames()
    {
        for (const InferenceEngine e :
             {InferenceEngine::Auto, InferenceEngine::Torch, InferenceEngine::OpenCv}) {
            QCOMPARE(inferenceEngineFromName(inferenceEngineName(e)), std::optional(e));
        }
        QCOMPARE(inferenceEngineFromName(QStringLiteral("OpenCV")),
                 std::optional(InferenceEngine::OpenCv));
        QVERIFY(!inferenceEngineFromName(QStringLiteral("onnx")));
        QVERIFY(!inferenceEngineFromName(QString()));
    }

    // Every template, on grey, RGB and 5-channel images: OpenCV's probabilities are LibTorch's
    // (optimised, as the Predictor runs it, and plain) within 1e-4, with the same top class.
    void opencvEqualsTorch_data()
    {
        QTest::addColumn<QString>("templateName");
        QTest::addColumn<int>("channels");
        for (const QString& name : templateNames()) {
            for (const int channels : {1, 3, 5}) {
                QTest::addRow("%s-%d", qPrintable(name), channels) << name << channels;
            }
        }
    }
    void opencvEqualsTorch()
    {
        QFETCH(QString, templateName);
        QFETCH(int, channels);
        const Result<ModelTemplate> t = loadTemplate(templateName);
        QVERIFY2(t.ok(), qPrintable(t.error()));
        DatasetSettings dataset;
        dataset.imageSize = t->imageSizes.first();
        dataset.colorMode = channels == 1 ? ColorMode::Grayscale : ColorMode::Rgb;
        if (channels == 5) {
            dataset.channelList = {0, 1, 2, 3, 4};
        }
        const int classes = 7;
        const QString path =
            m_dir.filePath(QStringLiteral("%1-%2.pt").arg(templateName).arg(channels));
        const Status written =
            writeModel(withOutputUnits(t->model, classes), dataset, classes, path);
        QVERIFY2(written.ok(), qPrintable(written.error()));

        Result<Predictor> opencv = Predictor::load(path, {2, true, InferenceEngine::OpenCv});
        QVERIFY2(opencv.ok(), qPrintable(opencv.error()));
        QCOMPARE(opencv->engine(), InferenceEngine::OpenCv);
        QCOMPARE(opencv->metadata().channels(), channels);
        Result<Predictor> torchOptimized = Predictor::load(path, {2, true, InferenceEngine::Torch});
        Result<Predictor> torchPlain = Predictor::load(path, {2, false, InferenceEngine::Torch});
        QVERIFY(torchOptimized.ok() && torchPlain.ok());
        QCOMPARE(torchOptimized->engine(), InferenceEngine::Torch);

        // Enough images for the batch path (a channels-last frozen module); single images run on
        // the oneDNN-optimised one, so each must give its row of the batch.
        const int count = 20;
        const std::vector<float> images = randomImages(opencv->metadata(), count);
        const Result<std::vector<float>> theirs = opencv->probabilities(images.data(), count);
        const Result<std::vector<float>> optimized =
            torchOptimized->probabilities(images.data(), count);
        const Result<std::vector<float>> plain = torchPlain->probabilities(images.data(), count);
        QVERIFY2(theirs.ok(), qPrintable(theirs.error()));
        QVERIFY(optimized.ok() && plain.ok());
        QCOMPARE(theirs->size(), size_t(count * classes));
        QCOMPARE(optimized->size(), size_t(count * classes));
        const double toOptimized = largestDifference(*theirs, *optimized);
        const double toPlain = largestDifference(*theirs, *plain);
        qInfo("%s: largest difference to LibTorch optimised %.3g, plain %.3g",
              QTest::currentDataTag(), toOptimized, toPlain);
        QVERIFY2(toOptimized <= 1e-4, qPrintable(QString::number(toOptimized)));
        QVERIFY2(toPlain <= 1e-4, qPrintable(QString::number(toPlain)));
        const size_t imageFloats = images.size() / size_t(count);
        for (const int row : {0, count - 1}) {
            const Result<std::vector<float>> single =
                torchOptimized->probabilities(images.data() + size_t(row) * imageFloats, 1);
            QVERIFY(single.ok());
            const std::vector<float> batchRow(optimized->begin() + row * classes,
                                              optimized->begin() + (row + 1) * classes);
            const double toSingle = largestDifference(*single, batchRow);
            QVERIFY2(toSingle <= 1e-5, qPrintable(QString::number(toSingle)));
        }
        // Not saturated: some probabilities lie well inside (0, 1).
        QVERIFY(std::any_of(optimized->begin(), optimized->end(),
                            [](float p) { return p > 0.02f && p < 0.98f; }));
        for (int r = 0; r < count; ++r) {
            double sum = 0;
            for (int c = 0; c < classes; ++c) {
                sum += double((*theirs)[size_t(r * classes + c)]);
            }
            QVERIFY(std::abs(sum - 1.0) < 1e-5); // softmax applied, row by row
            QCOMPARE(argmax(*theirs, r, classes), argmax(*optimized, r, classes));
        }
    }

    // auto picks OpenCV for a model it runs; classifying files gives LibTorch's answers.
    void autoPicksOpenCvAndFilesAgree()
    {
        const QString path = writeSeedModel(m_dir);
        QVERIFY(!path.isEmpty());
        QCOMPARE(PredictorOptions().engine, InferenceEngine::Torch); // the default
        Result<Predictor> automatic = Predictor::load(path, {0, true, InferenceEngine::Auto});
        QVERIFY2(automatic.ok(), qPrintable(automatic.error()));
        QCOMPARE(automatic->engine(), InferenceEngine::OpenCv);
        QVERIFY2(automatic->engineText().startsWith(QStringLiteral("opencv (")),
                 qPrintable(automatic->engineText()));
        Result<Predictor> torch = Predictor::load(path);
        QVERIFY(torch.ok());
        QCOMPARE(torch->engine(), InferenceEngine::Torch);
        QVERIFY2(torch->engineText().startsWith(QStringLiteral("torch (")),
                 qPrintable(torch->engineText()));

        QStringList files;
        cv::RNG rng(3);
        for (int i = 0; i < 70; ++i) {
            cv::Mat image(20 + i % 7, 20, CV_8UC1);
            rng.fill(image, cv::RNG::UNIFORM, 0, 256);
            files << m_dir.filePath(QStringLiteral("image%1.png").arg(i));
            QVERIFY(cv::imwrite(files.last().toStdString(), image));
        }
        files << m_dir.filePath(QStringLiteral("missing.png"));
        PredictOptions options;
        options.batchSize = 32; // the last batch is smaller
        const QVector<Prediction> a = automatic->predictFiles(files, options);
        const QVector<Prediction> b = torch->predictFiles(files, options);
        QCOMPARE(a.size(), files.size());
        QVERIFY(!a.last().ok() && !b.last().ok());
        for (int i = 0; i + 1 < a.size(); ++i) {
            QVERIFY2(a[i].ok(), qPrintable(a[i].error));
            QCOMPARE(a[i].predicted, b[i].predicted);
            QVERIFY(largestDifference(a[i].probabilities, b[i].probabilities) <= 1e-4);
        }
    }

    // A network OpenCV cannot run (a TorchScript feature extractor has no ONNX form): auto
    // keeps LibTorch and says why; opencv is a failure naming the file and the reason.
    void unsupportedModelFallsBack()
    {
        const QString path = writeExtractorModel(m_dir);
        QVERIFY(!path.isEmpty());
        Result<Predictor> automatic = Predictor::load(path, {0, true, InferenceEngine::Auto});
        QVERIFY2(automatic.ok(), qPrintable(automatic.error()));
        QCOMPARE(automatic->engine(), InferenceEngine::Torch);
        QVERIFY2(automatic->engineText().startsWith(QStringLiteral("torch (OpenCV")) &&
                     automatic->engineText().contains(QStringLiteral("feature extractor")),
                 qPrintable(automatic->engineText()));
        const std::vector<float> images = randomImages(automatic->metadata(), 2);
        const Result<std::vector<float>> p = automatic->probabilities(images.data(), 2);
        QVERIFY2(p.ok(), qPrintable(p.error()));
        QCOMPARE(p->size(), size_t(6));

        const Result<Predictor> forced = Predictor::load(path, {0, true, InferenceEngine::OpenCv});
        QVERIFY(!forced.ok());
        QVERIFY2(forced.error().contains(path) &&
                     forced.error().contains(QStringLiteral("opencv")) &&
                     forced.error().contains(QStringLiteral("feature extractor")),
                 qPrintable(forced.error()));
    }

    // A buffer OpenCV cannot read is a failure with OpenCV's reason, not a crash.
    void brokenOnnxIsAFailure()
    {
        const Result<OpenCvNet> garbage = OpenCvNet::fromOnnx(QByteArray("not an onnx model"));
        QVERIFY(!garbage.ok());
        QVERIFY2(garbage.error().startsWith(QStringLiteral("OpenCV's DNN module")),
                 qPrintable(garbage.error()));
        const Result<OpenCvNet> empty = OpenCvNet::fromOnnx(QByteArray());
        QVERIFY(!empty.ok());
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestPredictorEngine)
#include "tst_predictorengine.moc"
