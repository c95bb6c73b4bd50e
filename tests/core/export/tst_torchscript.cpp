// Tests of the TorchScript model file: the scripted module equals the eager one for every
// template and every layer type, the file loads back with its metadata, a round trip train ->
// export -> load -> predict gives the same probabilities, Debian's PyTorch reads it and agrees,
// and every kind of bad file is a message, not a crash.
#include "dataset/batchloader_p.h"
#include "dataset/channelstatistics.h"
#include "dataset/datasetscanner.h"
#include "dataset/fashionmnist.h"
#include "dataset/inputspec.h"
#include "export/exporter_p.h"
#include "export/predictor.h"
#include "model/modelbuilder_p.h"
#include "model/modeltemplates.h"

#include "pythondeps.h"
#include "sciencedataset.h"

#include <torch/nn.h>
#include <torch/optim.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace studio;

namespace {

ModelSpec stackOf(std::initializer_list<LayerSpec> layers)
{
    ModelSpec model;
    model.layers = layers;
    return model;
}

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
    return stackOf({strided, LayerSpec::batchNormalization(), maxSame, noBias,
                    LayerSpec::activationLayer(Activation::Tanh), avgSame,
                    LayerSpec::conv2D(4, {1, 1}, Padding::Valid, Activation::Relu),
                    LayerSpec::dropout(0.3), LayerSpec::flatten(), denseNoBias,
                    LayerSpec::batchNormalization(), LayerSpec::dense(16, Activation::Softmax),
                    LayerSpec::dense(4, Activation::Softmax)});
}

QStringList classNames(int n)
{
    QStringList names;
    for (int i = 0; i < n; ++i) {
        names << QStringLiteral("class%1").arg(i);
    }
    return names;
}

ModelMetadata metadataFor(const ModelSpec& model, int size, ColorMode mode, int classes)
{
    DatasetSettings dataset;
    dataset.imageSize = size;
    dataset.colorMode = mode;
    return makeModelMetadata(model, dataset, classNames(classes));
}

// Random weights and BatchNormalization statistics far from the defaults.
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

torch::Tensor eagerProbabilities(torch::nn::Sequential& module, const torch::Tensor& x)
{
    module->eval();
    torch::NoGradGuard noGrad;
    return torch::softmax(module->forward(x), 1);
}

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a - b).abs().max().item<double>();
}

bool writeBytes(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QByteArray tensorBytes(const torch::Tensor& t)
{
    const torch::Tensor c = t.to(torch::kFloat).contiguous();
    return QByteArray(reinterpret_cast<const char*>(c.data_ptr<float>()),
                      qsizetype(c.numel() * sizeof(float)));
}

} // namespace

class TestTorchScript : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        torch::manual_seed(7);
        torch::set_num_threads(2);
        QVERIFY(m_dir.isValid());
    }

    // The issue's check: for every template (and a stack of every layer type), the exported
    // module's output equals softmax(eager logits) within 1e-5, before and after saving.
    void scriptedEqualsEagerForEveryTemplate_data()
    {
        QTest::addColumn<QString>("name");
        for (const QString& name : templateNames()) {
            QTest::newRow(qPrintable(name)) << name;
        }
        QTest::newRow("every-layer") << QStringLiteral("every-layer");
    }
    void scriptedEqualsEagerForEveryTemplate()
    {
        QFETCH(QString, name);
        ModelSpec model;
        int size = 17;
        ColorMode mode = ColorMode::Rgb;
        int classes = 4;
        if (name == QLatin1String("every-layer")) {
            model = everyLayerStack();
        } else {
            const Result<ModelTemplate> t = loadTemplate(name);
            QVERIFY2(t.ok(), qPrintable(t.error()));
            size = t->imageSizes.first();
            mode = t->colorMode;
            classes = 3;
            model = withOutputUnits(t->model, classes);
        }
        const ModelMetadata metadata = metadataFor(model, size, mode, classes);
        Result<torch::nn::Sequential> built =
            buildModule(model, {size, size, metadata.channels()}, classes);
        QVERIFY2(built.ok(), qPrintable(built.error()));
        randomize(*built);
        const torch::Tensor x = torch::rand({3, metadata.channels(), size, size});
        const torch::Tensor expected = eagerProbabilities(*built, x);

        Result<torch::jit::Module> scripted = scriptModule(*built, metadata);
        QVERIFY2(scripted.ok(), qPrintable(scripted.error()));
        torch::NoGradGuard noGrad;
        const torch::Tensor ours = scripted->forward({x}).toTensor();
        QCOMPARE(ours.sizes().vec(), expected.sizes().vec());
        QVERIFY2(maxAbsDiff(ours, expected) < 1e-5,
                 qPrintable(QString::number(maxAbsDiff(ours, expected))));

        const QString path = m_dir.filePath(name + QStringLiteral(".pt"));
        const Status saved = saveTorchScript(*scripted, metadata, path);
        QVERIFY2(saved.ok(), qPrintable(saved.error()));
        Result<LoadedModel> loaded = loadModelFile(path);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        QCOMPARE(loaded->metadata.classes, metadata.classes);
        QCOMPARE(loaded->metadata.model, model);
        QCOMPARE(loaded->metadata.input.imageSize, size);
        QCOMPARE(loaded->metadata.input.colorMode, mode);
        const torch::Tensor reloaded = loaded->module.forward({x}).toTensor();
        QVERIFY(maxAbsDiff(reloaded, expected) < 1e-5);

        // The frozen and optimised module the predictor uses.
        torch::jit::Module fast = optimizedForInference(loaded->module);
        const torch::Tensor frozen = fast.forward({x}).toTensor();
        QVERIFY2(maxAbsDiff(frozen, expected) < 1e-5,
                 qPrintable(QString::number(maxAbsDiff(frozen, expected))));

        // The frozen module for batches, fed channels-last as the predictor feeds it: the same
        // values, with its ReLUs in place, and every 2x2 max pooling computed as maxima of
        // strided views ahead of the ReLU before it.
        torch::jit::Module batches = frozenForInference(loaded->module);
        const torch::Tensor channelsLast =
            batches.forward({inMemoryFormat(x, torch::MemoryFormat::ChannelsLast)}).toTensor();
        QVERIFY2(maxAbsDiff(channelsLast, expected) < 1e-5,
                 qPrintable(QString::number(maxAbsDiff(channelsLast, expected))));
        if (name != QLatin1String("every-layer")) {
            const std::shared_ptr<torch::jit::Graph> graph = batches.get_method("forward").graph();
            const auto is = [](const torch::jit::Node* node, const char* kind) {
                return node->kind() == c10::Symbol::fromQualString(kind);
            };
            int inPlace = 0;
            int maxima = 0;
            for (const torch::jit::Node* node : graph->nodes()) {
                inPlace += is(node, "aten::relu_") ? 1 : 0;
                maxima += is(node, "aten::maximum") ? 1 : 0;
                QVERIFY(!is(node, "aten::max_pool2d"));
                if (is(node, "aten::slice")) { // a pooling's view: of a convolution, not a ReLU
                    const std::string before = node->input(0)->node()->kind().toQualString();
                    QVERIFY2(before.rfind("aten::relu", 0) != 0, before.c_str());
                }
            }
            QVERIFY(inPlace > 0);
            QVERIFY(maxima >= 3);
        }
    }

    // A value the rewrites would overwrite or skip is left alone when something else reads it
    // (the convolution's output beside its ReLU, the ReLU's beside the pooling), and a pooling
    // other than 2x2 with stride 2 stays max_pool2d.
    void frozenRewritesKeepSharedValues()
    {
        torch::jit::Module module("Shared");
        module.register_parameter("w", torch::randn({4, 1, 2, 2}), false);
        module.define(R"(
def forward(self, x):
    c = torch.conv2d(x, self.w)
    r = torch.relu(c)
    p = torch.max_pool2d(r, [2, 2], [2, 2])
    q = torch.max_pool2d(torch.relu(torch.conv2d(x, self.w)), [3, 3], [1, 1])
    return p.sum() + r.sum() + c.sum() + q.sum()
)");
        module.eval();
        const torch::Tensor x = torch::randn({2, 1, 9, 9});
        torch::NoGradGuard noGrad;
        const torch::Tensor expected = module.forward({x}).toTensor();
        torch::jit::Module frozen = frozenForInference(module);
        const torch::Tensor got = frozen.forward({x}).toTensor();
        QVERIFY2(maxAbsDiff(got, expected) < 1e-4,
                 qPrintable(QString::number(maxAbsDiff(got, expected))));
        int inPlace = 0;
        for (const torch::jit::Node* node : frozen.get_method("forward").graph()->nodes()) {
            inPlace += node->kind() == c10::Symbol::fromQualString("aten::relu_") ? 1 : 0;
        }
        QCOMPARE(inPlace, 0);
    }

    void metadataContents()
    {
        ModelMetadata metadata = metadataFor(everyLayerStack(), 17, ColorMode::Grayscale, 4);
        metadata.epochs = 12;
        metadata.finalMetrics = {{QStringLiteral("accuracy"), 0.75}};
        const QJsonObject json = modelMetadataToJson(metadata);
        // A model of 8-bit grey or RGB pixels is written as version 1: older builds read it.
        QCOMPARE(json[QStringLiteral("format_version")].toInt(), 1);
        QVERIFY(
            !json[QStringLiteral("normalization")].toObject().contains(QStringLiteral("method")));
        QCOMPARE(json[QStringLiteral("classes")].toArray().size(), 4);
        QCOMPARE(json[QStringLiteral("image_size")].toInt(), 17);
        QCOMPARE(json[QStringLiteral("color_mode")].toString(), QStringLiteral("grayscale"));
        QCOMPARE(json[QStringLiteral("rescale")].toDouble(), 1.0 / 255.0);
        QVERIFY(json[QStringLiteral("resize_interpolation")].toString().contains(
            QStringLiteral("INTER_AREA")));
        QCOMPARE(json[QStringLiteral("layers")].toArray().size(), 13);
        QCOMPARE(json[QStringLiteral("training")].toObject()[QStringLiteral("epochs")].toInt(), 12);
        QVERIFY(!json[QStringLiteral("app_version")].toString().isEmpty());
        QVERIFY(!json[QStringLiteral("created")].toString().isEmpty());
        const Result<ModelMetadata> back =
            modelMetadataFromBytes(modelMetadataToBytes(metadata), QStringLiteral("m.pt"));
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QCOMPARE(back->model, metadata.model);
        QCOMPARE(back->finalMetrics, metadata.finalMetrics);
        QCOMPARE(back->epochs, 12);
    }

    // Picked channels, a normalisation or a resize mode need version 2, which says how to
    // prepare the input and reads back the same.
    void metadataOfScientificInput()
    {
        ModelMetadata metadata = metadataFor(everyLayerStack(), 17, ColorMode::Grayscale, 4);
        metadata.input.channelList = {3};
        metadata.input.normalization = Normalization::Percentile;
        metadata.input.percentileLow = 1;
        metadata.input.percentileHigh = 99;
        metadata.input.resize = ResizeMode::Pad;
        metadata.input.padValue = 0.25;
        const QJsonObject json = modelMetadataToJson(metadata);
        QCOMPARE(json[QStringLiteral("format_version")].toInt(), 2);
        QCOMPARE(json[QStringLiteral("channel_list")].toArray(), QJsonArray{4});
        QCOMPARE(json[QStringLiteral("channels")].toInt(), 1);
        QVERIFY(!json.contains(QStringLiteral("color_mode")));
        QCOMPARE(json[QStringLiteral("resize")].toString(), QStringLiteral("pad"));
        const QJsonObject normalization = json[QStringLiteral("normalization")].toObject();
        QCOMPARE(normalization[QStringLiteral("method")].toString(), QStringLiteral("percentile"));
        QCOMPARE(normalization[QStringLiteral("per_image")].toBool(), true);
        QCOMPARE(normalization[QStringLiteral("sample_bits")].toInt(), 16);
        QVERIFY(normalization[QStringLiteral("description")].toString().contains(
            QStringLiteral("percentiles 1 and 99")));
        const Result<ModelMetadata> back =
            modelMetadataFromBytes(modelMetadataToBytes(metadata), QStringLiteral("m.pt"));
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QVERIFY(back->input == metadata.input);
        QCOMPARE(back->formatVersion, 2);
    }

    // A value range per channel goes into the model and comes back; a count that is not the
    // channel count is refused.
    void metadataOfPerChannelRanges()
    {
        ModelMetadata metadata = metadataFor(everyLayerStack(), 17, ColorMode::Grayscale, 4);
        metadata.input.channelList = {0, 2};
        metadata.input.normalization = Normalization::Range;
        metadata.input.channelRanges = {{0, 4095}, {100, 255}};
        const QJsonObject json = modelMetadataToJson(metadata);
        const QJsonObject normalization = json[QStringLiteral("normalization")].toObject();
        QCOMPARE(normalization[QStringLiteral("value_range")].toArray(),
                 (QJsonArray{QJsonArray{0, 4095}, QJsonArray{100, 255}}));
        const Result<ModelMetadata> back =
            modelMetadataFromBytes(modelMetadataToBytes(metadata), QStringLiteral("m.pt"));
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QVERIFY(back->input == metadata.input);
        QJsonObject three = json;
        QJsonObject ranges = normalization;
        ranges.insert(QStringLiteral("value_range"),
                      QJsonArray{QJsonArray{0, 1}, QJsonArray{0, 2}, QJsonArray{0, 3}});
        three.insert(QStringLiteral("normalization"), ranges);
        QVERIFY(
            !modelMetadataFromBytes(QJsonDocument(three).toJson(), QStringLiteral("t.pt")).ok());
    }

    // Standardize's measured mean and std, one per channel, go into the model and come back;
    // a model without them, or with a negative deviation, is refused.
    void metadataOfStandardizedInput()
    {
        ModelMetadata metadata = metadataFor(everyLayerStack(), 17, ColorMode::Grayscale, 4);
        metadata.input.channelList = {2, 0};
        metadata.input.normalization = Normalization::Standardize;
        metadata.input.channelMean = {1234.5, 88.25};
        metadata.input.channelStd = {321.125, 0};
        const QJsonObject json = modelMetadataToJson(metadata);
        QCOMPARE(json[QStringLiteral("format_version")].toInt(), 2);
        const QJsonObject normalization = json[QStringLiteral("normalization")].toObject();
        QCOMPARE(normalization[QStringLiteral("method")].toString(), QStringLiteral("standardize"));
        QCOMPARE(normalization[QStringLiteral("mean")].toArray(), (QJsonArray{1234.5, 88.25}));
        QCOMPARE(normalization[QStringLiteral("std")].toArray(), (QJsonArray{321.125, 0.0}));
        QCOMPARE(normalization[QStringLiteral("per_image")].toBool(), false);
        QVERIFY(normalization[QStringLiteral("description")].toString().contains(
            QStringLiteral("(value - mean[c]) / std[c]")));
        const QByteArray bytes = modelMetadataToBytes(metadata);
        const Result<ModelMetadata> back = modelMetadataFromBytes(bytes, QStringLiteral("m.pt"));
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QVERIFY(back->input == metadata.input);
        QCOMPARE(back->input.valueOffset(0), -1234.5 / 321.125);

        QJsonObject without = json;
        QJsonObject bare = normalization;
        bare.insert(QStringLiteral("std"), QJsonArray{321.125});
        without.insert(QStringLiteral("normalization"), bare);
        const Result<ModelMetadata> short_ =
            modelMetadataFromBytes(QJsonDocument(without).toJson(), QStringLiteral("short.pt"));
        QVERIFY(!short_.ok());
        QVERIFY2(short_.error().contains(QStringLiteral("standardize")) &&
                     short_.error().contains(QStringLiteral("short.pt")),
                 qPrintable(short_.error()));
        bare.insert(QStringLiteral("std"), QJsonArray{321.125, -1.0});
        without.insert(QStringLiteral("normalization"), bare);
        QVERIFY(
            !modelMetadataFromBytes(QJsonDocument(without).toJson(), QStringLiteral("n.pt")).ok());
    }

    // Not a file, not a zip, truncated, TorchScript without our metadata, malformed metadata,
    // metadata that does not match the network: messages, never crashes.
    void badModelFiles()
    {
        const ModelSpec model = stackOf({LayerSpec::flatten(), LayerSpec::dense(3)});
        const ModelMetadata metadata = metadataFor(model, 8, ColorMode::Grayscale, 3);
        Result<torch::nn::Sequential> built = buildModule(model, {8, 8, 1}, 3);
        QVERIFY(built.ok());
        Result<torch::jit::Module> scripted = scriptModule(*built, metadata);
        QVERIFY(scripted.ok());
        const QString good = m_dir.filePath(QStringLiteral("good.pt"));
        QVERIFY(saveTorchScript(*scripted, metadata, good).ok());
        QFile goodFile(good);
        QVERIFY(goodFile.open(QIODevice::ReadOnly));
        const QByteArray bytes = goodFile.readAll();

        const auto expectFailure = [&](const QString& path, const QString& words) {
            const Result<LoadedModel> loaded = loadModelFile(path);
            QVERIFY2(!loaded.ok(), qPrintable(path));
            QVERIFY2(loaded.error().contains(words), qPrintable(loaded.error()));
            QVERIFY2(loaded.error().contains(path), qPrintable(loaded.error()));
            const Result<Predictor> predictor = Predictor::load(path);
            QVERIFY(!predictor.ok());
        };
        expectFailure(m_dir.filePath(QStringLiteral("missing.pt")),
                      QStringLiteral("does not exist"));

        const QString text = m_dir.filePath(QStringLiteral("text.pt"));
        QVERIFY(writeBytes(text, "this is not a model\n"));
        expectFailure(text, QStringLiteral("not a model file"));

        const QString empty = m_dir.filePath(QStringLiteral("empty.pt"));
        QVERIFY(writeBytes(empty, QByteArray()));
        expectFailure(empty, QStringLiteral("not a model file"));

        for (const double fraction : {0.3, 0.9, 0.99}) {
            const QString truncated =
                m_dir.filePath(QStringLiteral("truncated-%1.pt").arg(fraction));
            QVERIFY(writeBytes(truncated, bytes.left(qsizetype(bytes.size() * fraction))));
            expectFailure(truncated, QStringLiteral("truncated or damaged"));
        }

        const QString foreign = m_dir.filePath(QStringLiteral("foreign.pt"));
        {
            std::ostringstream out;
            scripted->save(out); // no extra files
            const std::string s = out.str();
            QVERIFY(writeBytes(foreign, QByteArray(s.data(), qsizetype(s.size()))));
        }
        expectFailure(foreign, QStringLiteral("no metadata.json"));

        const auto withMetadata = [&](const QString& name, const std::string& json) {
            const QString path = m_dir.filePath(name);
            std::ostringstream out;
            torch::jit::ExtraFilesMap extra;
            extra["metadata.json"] = json;
            scripted->save(out, extra);
            const std::string s = out.str();
            writeBytes(path, QByteArray(s.data(), qsizetype(s.size())));
            return path;
        };
        expectFailure(withMetadata(QStringLiteral("malformed.pt"), "{\"format\": "),
                      QStringLiteral("not a JSON object"));
        expectFailure(withMetadata(QStringLiteral("other.pt"), "{\"format\": \"other\"}"),
                      QStringLiteral("classifier-studio-model"));

        ModelMetadata newer = metadata;
        newer.formatVersion = kModelFormatVersion + 1;
        expectFailure(
            withMetadata(QStringLiteral("newer.pt"), modelMetadataToBytes(newer).toStdString()),
            QStringLiteral("newer Classifier Studio"));

        ModelMetadata wrongSize = metadata;
        wrongSize.input.imageSize = 9; // the Dense layer was made for 8x8 inputs
        expectFailure(withMetadata(QStringLiteral("wrongsize.pt"),
                                   modelMetadataToBytes(wrongSize).toStdString()),
                      QStringLiteral("does not run"));

        ModelMetadata moreClasses = metadata;
        moreClasses.classes << QStringLiteral("extra");
        moreClasses.model.layers.last().units = 4;
        expectFailure(withMetadata(QStringLiteral("classes.pt"),
                                   modelMetadataToBytes(moreClasses).toStdString()),
                      QStringLiteral("lists 4 classes"));

        // A failed write leaves the previous file intact.
        const Status failed =
            saveTorchScript(*scripted, metadata, m_dir.filePath(QStringLiteral("no/such/dir.pt")));
        QVERIFY(!failed.ok());
        QVERIFY(loadModelFile(good).ok());
    }

    // Train a little on Fashion-MNIST PNGs, export, load with the Predictor, classify the test
    // files: the probabilities equal the trained eager module's on the same preprocessed images.
    void roundTripTrainExportLoadPredict()
    {
        ExampleDatasetOptions options;
        options.outDir = m_dir.filePath(QStringLiteral("fashion"));
        options.train = 300;
        options.validation = 20;
        options.test = 40;
        options.imageSize = 28;
        const Result<ExampleDatasetReport> written = writeExampleDataset(options);
        if (!written.ok() && !QFile::exists(defaultFashionMnistDir())) {
            STUDIO_MISSING_DEPENDENCY(QStringLiteral(
                "Fashion-MNIST is not installed (packaging/install-deps.sh installs it)."));
        }
        QVERIFY2(written.ok(), qPrintable(written.error()));

        DatasetSettings settings;
        settings.root = options.outDir;
        settings.imageSize = 24; // resized by the decoder, as in training
        settings.colorMode = ColorMode::Grayscale;
        const Result<DatasetIndex> index = scanDataset(settings);
        QVERIFY2(index.ok(), qPrintable(index.error()));
        const int classes = int(index->classes.size());
        const ModelSpec model =
            stackOf({LayerSpec::conv2D(8, {3, 3}, Padding::Same, Activation::Relu),
                     LayerSpec::maxPooling2D(), LayerSpec::batchNormalization(),
                     LayerSpec::flatten(), LayerSpec::dense(classes, Activation::Softmax)});
        Result<torch::nn::Sequential> built = buildModule(model, {24, 24, 1}, classes);
        QVERIFY(built.ok());
        torch::nn::Sequential module = *built;
        torch::optim::Adam optimizer(module->parameters(), torch::optim::AdamOptions(1e-2));
        BatchOptions batchOptions;
        batchOptions.batchSize = 32;
        batchOptions.shuffle = true;
        BatchLoader train(*index, Split::Train, inputSpecOf(settings), AugmentationSettings(),
                          nullptr, batchOptions);
        module->train();
        std::vector<double> epochLoss;
        for (int epoch = 0; epoch < 3; ++epoch) {
            train.startEpoch(epoch);
            TensorBatch batch;
            double sum = 0;
            int batches = 0;
            while (train.next(&batch)) {
                optimizer.zero_grad();
                const torch::Tensor loss = torch::nll_loss(
                    torch::log_softmax(module->forward(batch.images), 1), batch.labels);
                loss.backward();
                optimizer.step();
                sum += loss.item<double>();
                ++batches;
            }
            epochLoss.push_back(sum / std::max(1, batches));
        }
        QVERIFY2(
            epochLoss.back() < epochLoss.front(),
            qPrintable(QStringLiteral("%1 -> %2").arg(epochLoss.front()).arg(epochLoss.back())));

        ModelMetadata metadata = makeModelMetadata(model, settings, index->classes);
        metadata.epochs = 3;
        const QString path = m_dir.filePath(QStringLiteral("fashion.pt"));
        const Status exported = exportTorchScript(module, metadata, path);
        QVERIFY2(exported.ok(), qPrintable(exported.error()));

        BatchOptions testOptions;
        testOptions.batchSize = 1000;
        BatchLoader test(*index, Split::Test, inputSpecOf(settings), AugmentationSettings(),
                         nullptr, testOptions);
        test.startEpoch(0);
        TensorBatch batch;
        QVERIFY(test.next(&batch));
        const torch::Tensor expected = eagerProbabilities(module, batch.images);
        QStringList files;
        for (int item : batch.items) {
            files << QDir(index->root).filePath(index->items[item].path);
        }
        files.insert(5, m_dir.filePath(QStringLiteral("not-there.png")));

        for (const bool optimize : {false, true}) {
            PredictorOptions predictorOptions;
            predictorOptions.optimize = optimize;
            Result<Predictor> predictor = Predictor::load(path, predictorOptions);
            QVERIFY2(predictor.ok(), qPrintable(predictor.error()));
            QCOMPARE(predictor->metadata().classes, index->classes);
            PredictOptions predictOptions;
            predictOptions.batchSize = 7;
            predictOptions.topK = 2;
            const QVector<Prediction> predictions = predictor->predictFiles(files, predictOptions);
            QCOMPARE(predictions.size(), files.size());
            QVERIFY(!predictions[5].ok());
            QCOMPARE(predictions[5].path, files[5]);
            double worst = 0;
            int row = 0;
            for (int i = 0; i < predictions.size(); ++i) {
                if (i == 5) {
                    continue;
                }
                const Prediction& p = predictions[i];
                QVERIFY2(p.ok(), qPrintable(p.error));
                QCOMPARE(p.top.size(), 2);
                QCOMPARE(p.predicted, expected[row].argmax().item<int>());
                for (int c = 0; c < classes; ++c) {
                    worst = std::max(worst, std::abs(double(p.probabilities[size_t(c)]) -
                                                     expected[row][c].item<double>()));
                }
                ++row;
            }
            QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
        }
        m_trainedModel = path;
        m_trainedInput = batch.images.clone();
        m_trainedExpected = expected.clone();
    }

    // Debian's python3-torch loads the file with its metadata and computes the same output.
    void pythonLoadsTheModel()
    {
        if (m_trainedModel.isEmpty()) {
            QSKIP("roundTripTrainExportLoadPredict did not produce a model.");
        }
        if (const QString missing = studio::testdata::missingPythonModules(
                {QStringLiteral("torch"), QStringLiteral("numpy")});
            !missing.isEmpty()) {
            STUDIO_MISSING_DEPENDENCY(missing);
        }
        // A second model covering every layer type, with random weights.
        const ModelSpec model = everyLayerStack();
        const ModelMetadata metadata = metadataFor(model, 17, ColorMode::Rgb, 4);
        Result<torch::nn::Sequential> built = buildModule(model, {17, 17, 3}, 4);
        QVERIFY(built.ok());
        randomize(*built);
        const QString every = m_dir.filePath(QStringLiteral("every-python.pt"));
        QVERIFY(exportTorchScript(*built, metadata, every).ok());
        const torch::Tensor x = torch::rand({5, 3, 17, 17});
        const torch::Tensor expected = eagerProbabilities(*built, x);

        const QString script = QStringLiteral(STUDIO_SOURCE_DIR) +
                               QStringLiteral("/tests/core/export/crosscheck_torchscript.py");
        const QVector<std::tuple<QString, torch::Tensor, torch::Tensor>> cases = {
            {m_trainedModel, m_trainedInput, m_trainedExpected}, {every, x, expected}};
        for (const auto& [path, input, output] : cases) {
            const QString in = path + QStringLiteral(".input.f32");
            const QString out = path + QStringLiteral(".expected.f32");
            QVERIFY(writeBytes(in, tensorBytes(input)));
            QVERIFY(writeBytes(out, tensorBytes(output)));
            QProcess python;
            python.setProcessChannelMode(QProcess::MergedChannels);
            python.start(studio::testdata::pythonInterpreter(), {script, path, in, out});
            QVERIFY(python.waitForFinished(180000));
            const QString said = QString::fromUtf8(python.readAll());
            qInfo().noquote() << "python:" << said.trimmed();
            QVERIFY2(python.exitCode() == 0, qPrintable(said));
            QVERIFY(said.contains(QStringLiteral("max_abs_diff")));
        }
    }

    // A 4-channel 16-bit padded model, normalised by percentiles, by the training split's mean
    // and std, or by a range per channel: the training pipeline, the predictor (evaluate,
    // predict, Classify page) and the README's Python reference function with Debian's
    // PyTorch give the same probabilities.
    void scientificModelAgreesEverywhere_data()
    {
        QTest::addColumn<int>("normalization");
        QTest::addColumn<double>("padValue");
        QTest::newRow("percentile") << int(Normalization::Percentile) << 0.1;
        QTest::newRow("standardize") << int(Normalization::Standardize) << 0.5;
        QTest::newRow("range-per-channel") << int(Normalization::Range) << 0.25;
    }

    void scientificModelAgreesEverywhere()
    {
        QFETCH(int, normalization);
        QFETCH(double, padValue);
        const QString root = m_dir.filePath(QStringLiteral("cells"));
        studio::testdata::ScienceCells cells;
        cells.perClass = 10;
        cells.width = 48;
        cells.height = 32;
        cells.channels = 4;
        cells.classChannel = 3;
        studio::testdata::makeScienceCells(root, cells);
        DatasetSettings settings;
        settings.root = root;
        settings.splitMode = SplitMode::Auto;
        settings.imageSize = 16;
        settings.channelList = {0, 1, 2, 3};
        settings.normalization = Normalization(normalization);
        settings.resize = ResizeMode::Pad;
        settings.padValue = padValue;
        if (settings.normalization == Normalization::Range) {
            settings.channelRanges = {{0, 3000}, {100, 2000}, {0, 65535}, {500, 2600}};
        }
        const Result<DatasetIndex> index = scanDataset(settings);
        QVERIFY2(index.ok(), qPrintable(index.error()));
        InputSpec spec = inputSpecOf(settings);
        if (spec.needsStatistics()) {
            const Result<ChannelStatistics> measured =
                measureChannelStatistics(*index, Split::Train, spec);
            QVERIFY2(measured.ok(), qPrintable(measured.error()));
            spec = measured->appliedTo(spec);
        }
        const ModelSpec model =
            stackOf({LayerSpec::conv2D(4, {3, 3}, Padding::Same, Activation::Relu),
                     LayerSpec::flatten(), LayerSpec::dense(3, Activation::Softmax)});
        Result<torch::nn::Sequential> built = buildModule(model, {16, 16, 4}, 3);
        QVERIFY(built.ok());
        ModelMetadata metadata = makeModelMetadata(model, settings, index->classes);
        metadata.input.channelMean = spec.channelMean;
        metadata.input.channelStd = spec.channelStd;
        const QString path =
            m_dir.filePath(QStringLiteral("cells-%1.pt").arg(QTest::currentDataTag()));
        QVERIFY(exportTorchScript(*built, metadata, path).ok());

        BatchOptions options;
        options.batchSize = 1000;
        BatchLoader all(*index, Split::Train, spec, AugmentationSettings(), nullptr, options);
        all.startEpoch(0);
        TensorBatch batch;
        QVERIFY(all.next(&batch));
        QCOMPARE(batch.images.size(1), 4);
        const torch::Tensor expected = eagerProbabilities(*built, batch.images);
        QStringList files;
        for (int item : batch.items) {
            files << QDir(index->root).filePath(index->items[item].path);
        }
        Result<Predictor> predictor = Predictor::load(path, PredictorOptions());
        QVERIFY2(predictor.ok(), qPrintable(predictor.error()));
        QVERIFY(predictor->metadata().input == spec);
        const QVector<Prediction> predictions = predictor->predictFiles(files, PredictOptions());
        double worst = 0;
        for (int i = 0; i < predictions.size(); ++i) {
            QVERIFY2(predictions[i].ok(), qPrintable(predictions[i].error));
            for (int c = 0; c < 3; ++c) {
                worst = std::max(worst, std::abs(double(predictions[i].probabilities[size_t(c)]) -
                                                 expected[i][c].item<double>()));
            }
        }
        QVERIFY2(worst < 1e-6, qPrintable(QString::number(worst)));

        if (const QString missing = studio::testdata::missingPythonModules(
                {QStringLiteral("torch"), QStringLiteral("numpy"), QStringLiteral("cv2"),
                 QStringLiteral("tifffile")});
            !missing.isEmpty()) {
            STUDIO_MISSING_DEPENDENCY(missing);
        }
        const QString out = path + QStringLiteral(".expected.f32");
        QVERIFY(writeBytes(out, tensorBytes(expected)));
        const QString source = QStringLiteral(STUDIO_SOURCE_DIR);
        QProcess python;
        python.setProcessChannelMode(QProcess::MergedChannels);
        python.start(
            studio::testdata::pythonInterpreter(),
            QStringList{source + QStringLiteral("/tests/core/export/crosscheck_preparation.py"),
                        source + QStringLiteral("/README.md"), path, out} +
                files);
        QVERIFY(python.waitForFinished(180000));
        const QString said = QString::fromUtf8(python.readAll());
        qInfo().noquote() << "python:" << said.trimmed();
        QVERIFY2(python.exitCode() == 0, qPrintable(said));
        QVERIFY(said.contains(QStringLiteral("input=[%1, 4, 16, 16]").arg(files.size())));
    }

private:
    QTemporaryDir m_dir;
    QString m_trainedModel;
    torch::Tensor m_trainedInput;
    torch::Tensor m_trainedExpected;
};

QTEST_GUILESS_MAIN(TestTorchScript)
#include "tst_torchscript.moc"
