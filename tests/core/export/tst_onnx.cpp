// Tests of the ONNX export: the file passes the ONNX checker, targets opset 13, carries the
// metadata, and OpenCV's DNN module (an independent runtime) computes the same probabilities as
// LibTorch for every template and every layer type.
#include "export/exporter.h"
#include "export/exporter_p.h"
#include "export/onnxexport_p.h"
#include "model/modelbuilder_p.h"
#include "model/modeltemplates.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <opencv2/dnn.hpp>

#include <torch/nn.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <fstream>

using namespace studio;

namespace {

// Every layer type, uneven "same" padding in convolution and both poolings, every activation.
ModelSpec everyLayerStack()
{
    LayerSpec strided = LayerSpec::conv2D(6, {3, 3}, Padding::Same, Activation::LeakyRelu);
    strided.strides = Size2{2, 2};
    LayerSpec maxSame = LayerSpec::maxPooling2D({3, 3});
    maxSame.padding = Padding::Same;
    maxSame.strides = Size2{2, 2};
    LayerSpec avgSame = LayerSpec::averagePooling2D({2, 2});
    avgSame.padding = Padding::Same;
    LayerSpec noBias = LayerSpec::conv2D(5, {2, 2}, Padding::Same, Activation::Elu);
    noBias.useBias = false;
    LayerSpec denseNoBias = LayerSpec::dense(12, Activation::Sigmoid);
    denseNoBias.useBias = false;
    ModelSpec model;
    model.layers = {strided,
                    LayerSpec::batchNormalization(),
                    maxSame,
                    noBias,
                    LayerSpec::activationLayer(Activation::Tanh),
                    avgSame,
                    LayerSpec::conv2D(4, {1, 1}, Padding::Valid, Activation::Relu),
                    LayerSpec::dropout(0.3),
                    LayerSpec::flatten(),
                    denseNoBias,
                    LayerSpec::batchNormalization(),
                    LayerSpec::dense(16, Activation::Relu),
                    LayerSpec::dense(4, Activation::Softmax)};
    return model;
}

ModelSpec gapStack()
{
    ModelSpec model;
    model.layers = {LayerSpec::conv2D(8, {3, 3}, Padding::Valid, Activation::Relu),
                    LayerSpec::batchNormalization(), LayerSpec::globalAveragePooling2D(),
                    LayerSpec::dense(3, Activation::Softmax)};
    return model;
}

void randomize(torch::nn::Sequential& module)
{
    torch::NoGradGuard noGrad;
    for (auto& p : module->named_parameters()) {
        p.value().normal_(0, 0.3);
    }
    for (auto& b : module->named_buffers()) {
        if (b.key().find("running_var") != std::string::npos) {
            b.value().uniform_(0.5, 2.0);
        } else {
            b.value().normal_(0, 0.5);
        }
    }
}

} // namespace

class TestOnnx : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        torch::manual_seed(11);
        torch::set_num_threads(2);
        QVERIFY(m_dir.isValid());
    }

    void opencvAgreesWithTorch_data()
    {
        QTest::addColumn<QString>("name");
        for (const QString& name : templateNames()) {
            QTest::newRow(qPrintable(name)) << name;
        }
        QTest::newRow("every-layer") << QStringLiteral("every-layer");
        QTest::newRow("global-average") << QStringLiteral("global-average");
        QTest::newRow("four-channel-16-bit") << QStringLiteral("four-channel-16-bit");
    }
    void opencvAgreesWithTorch()
    {
        QFETCH(QString, name);
        ModelSpec model;
        DatasetSettings dataset;
        dataset.imageSize = 17;
        int classes = 0;
        if (name == QLatin1String("every-layer")) {
            model = everyLayerStack();
            classes = 4;
        } else if (name == QLatin1String("global-average")) {
            model = gapStack();
            classes = 3;
            dataset.colorMode = ColorMode::Grayscale;
        } else if (name == QLatin1String("four-channel-16-bit")) {
            // A stack microscope's model: its preparation is described in the metadata.
            model = everyLayerStack();
            classes = 4;
            dataset.channelList = {0, 1, 2, 3};
            dataset.normalization = Normalization::Percentile;
            dataset.resize = ResizeMode::Pad;
        } else {
            const Result<ModelTemplate> t = loadTemplate(name);
            QVERIFY2(t.ok(), qPrintable(t.error()));
            dataset.imageSize = t->imageSizes.first();
            dataset.colorMode = t->colorMode;
            classes = 5;
            model = withOutputUnits(t->model, classes);
        }
        QStringList names;
        for (int c = 0; c < classes; ++c) {
            names << QStringLiteral("c%1").arg(c);
        }
        const ModelMetadata metadata = makeModelMetadata(model, dataset, names);
        const int size = dataset.imageSize;
        const int channels = metadata.channels();
        Result<torch::nn::Sequential> built = buildModule(model, {size, size, channels}, classes);
        QVERIFY2(built.ok(), qPrintable(built.error()));
        randomize(*built);
        const QString pt = m_dir.filePath(name + QStringLiteral(".pt"));
        QVERIFY(exportTorchScript(*built, metadata, pt).ok());
        const QString onnxPath = m_dir.filePath(name + QStringLiteral(".onnx"));
        const Status exported = exportModelFile(pt, ExportFormat::Onnx, onnxPath);
        QVERIFY2(exported.ok(), qPrintable(exported.error()));

        // The file itself: checker, opset, metadata.
        onnx::ModelProto proto;
        {
            std::ifstream in(onnxPath.toStdString(), std::ios::binary);
            QVERIFY(proto.ParseFromIstream(&in));
        }
        onnx::checker::check_model(proto);
        QCOMPARE(proto.opset_import(0).version(), int64_t(kOnnxOpset));
        QVERIFY(kOnnxOpset >= 13);
        bool hasMetadata = false;
        for (const auto& entry : proto.metadata_props()) {
            if (entry.key() == "metadata.json") {
                const Result<ModelMetadata> back =
                    modelMetadataFromBytes(QByteArray::fromStdString(entry.value()), onnxPath);
                QVERIFY2(back.ok(), qPrintable(back.error()));
                QCOMPARE(back->classes, names);
                QCOMPARE(back->model, model);
                QVERIFY(back->input == metadata.input);
                hasMetadata = true;
            }
        }
        QVERIFY(hasMetadata);

        // OpenCV's DNN module against LibTorch on 16 random images.
        const int batch = 16;
        const torch::Tensor x = torch::rand({batch, channels, size, size});
        Result<LoadedModel> loaded = loadModelFile(pt);
        QVERIFY(loaded.ok());
        const torch::Tensor expected = loaded->module.forward({x}).toTensor().contiguous();

        cv::dnn::Net net = cv::dnn::readNetFromONNX(onnxPath.toStdString());
        QVERIFY(!net.empty());
        const int dims[] = {batch, channels, size, size};
        cv::Mat blob(4, dims, CV_32F);
        std::memcpy(blob.ptr<float>(), x.data_ptr<float>(), size_t(x.numel()) * sizeof(float));
        net.setInput(blob);
        const cv::Mat out = net.forward();
        QCOMPARE(out.total(), size_t(batch) * size_t(classes));
        const torch::Tensor theirs =
            torch::from_blob(const_cast<float*>(out.ptr<float>()), {batch, classes}).clone();
        const double diff = (theirs - expected).abs().max().item<double>();
        qInfo().noquote() << name << "max abs diff OpenCV DNN vs LibTorch:" << diff;
        QVERIFY2(diff < 1e-4, qPrintable(QString::number(diff)));
        QVERIFY(torch::equal(theirs.argmax(1), expected.argmax(1)));
    }

    void badModelIsAMessage()
    {
        const QString text = m_dir.filePath(QStringLiteral("text.pt"));
        QFile file(text);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("hello");
        file.close();
        const QString out = m_dir.filePath(QStringLiteral("out.onnx"));
        const Status status = exportModelFile(text, ExportFormat::Onnx, out);
        QVERIFY(!status.ok());
        QVERIFY(status.error().contains(text));
        QVERIFY(!QFile::exists(out));
        QVERIFY(exportFormatFromName(QStringLiteral("ONNX")) == ExportFormat::Onnx);
        QVERIFY(!exportFormatFromName(QStringLiteral("h5")));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestOnnx)
#include "tst_onnx.moc"
