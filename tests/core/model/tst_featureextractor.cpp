// A user's frozen TorchScript feature extractor as the first layer: reading and measuring the
// file, the summary, training with it frozen, and the exported model file.
#include "export/exporter.h"
#include "export/exporter_p.h"
#include "model/featureextractor.h"
#include "model/featureextractor_p.h"
#include "model/modelbuilder_p.h"
#include "project/project.h"
#include "training/trainer.h"

#include "cellsdataset.h"
#include "cellsproject.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

using namespace studio;

namespace {

constexpr char kMetadata[] =
    R"({"input_size": [24, 24], "channels": 3, "mean": [0.5, 0.4, 0.3], "std": [0.2, 0.25, 0.3]})";

// A small backbone as a colleague would export it: a strided convolution and, per filter, the
// mean and the maximum over the image: 16 features from 8 * 3 * 9 + 8 = 224 parameters.
torch::jit::Module backbone(int channels = 3, int seed = 5)
{
    torch::manual_seed(seed);
    torch::jit::Module module("__torch__.Backbone");
    module.register_parameter("weight", torch::randn({8, channels, 3, 3}), false);
    module.register_parameter("bias", torch::randn({8}), false);
    module.define(R"(
def forward(self, x):
    y = torch.relu(torch.conv2d(x, self.weight, self.bias, [2, 2], [1, 1]))
    return torch.cat([torch.mean(y, [2, 3]), torch.amax(y, [2, 3])], 1)
)");
    module.eval();
    return module;
}

QString saveBackbone(const QTemporaryDir& dir, const std::string& metadata = kMetadata,
                     const QString& name = QStringLiteral("backbone.pt"))
{
    const QString path = dir.filePath(name);
    torch::jit::ExtraFilesMap extra;
    if (!metadata.empty()) {
        extra[kExtractorMetadataFile] = metadata;
    }
    backbone().save(path.toStdString(), extra);
    return path;
}

// The extractor followed by a Dense output of `classes`.
ModelSpec extractorNetwork(const FeatureExtractorSpec& extractor, int classes)
{
    ModelSpec model;
    model.layers = {LayerSpec::featureExtractor(extractor), LayerSpec::dropout(0.2),
                    LayerSpec::dense(classes, Activation::Softmax)};
    return model;
}

void write(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

} // namespace

class TestFeatureExtractor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The description comes from extractor.json in the file, the output size and parameter
    // count from one forward pass.
    void inspectsTheFile()
    {
        QTemporaryDir dir;
        const QString path = saveBackbone(dir);
        const Result<FeatureExtractorSpec> spec = inspectFeatureExtractor(path);
        QVERIFY2(spec.ok(), qPrintable(spec.error()));
        QCOMPARE(spec->path, path);
        QCOMPARE(spec->inputSize, (Size2{24, 24}));
        QCOMPARE(spec->channels, 3);
        QCOMPARE(spec->mean, (QVector<double>{0.5, 0.4, 0.3}));
        QCOMPARE(spec->std, (QVector<double>{0.2, 0.25, 0.3}));
        QCOMPARE(spec->features, 16);
        QCOMPARE(spec->parameters, qint64(224));

        // Without extractor.json the caller's description is kept (the form's defaults).
        const QString bare = saveBackbone(dir, "", QStringLiteral("bare.pt"));
        FeatureExtractorSpec defaults;
        defaults.inputSize = {40, 40};
        const Result<FeatureExtractorSpec> plain = inspectFeatureExtractor(bare, defaults);
        QVERIFY2(plain.ok(), qPrintable(plain.error()));
        QCOMPARE(plain->inputSize, (Size2{40, 40}));
        QVERIFY(plain->mean.isEmpty());
        QCOMPARE(plain->features, 16);
    }

    // Each file it cannot use is a message that names the file and says what to do.
    void refusesWhatItCannotUse()
    {
        QTemporaryDir dir;
        const QString missing = dir.filePath(QStringLiteral("missing.pt"));
        Result<FeatureExtractorSpec> spec = inspectFeatureExtractor(missing);
        QVERIFY(!spec.ok());
        QVERIFY2(spec.error().contains(QStringLiteral("does not exist")) &&
                     spec.error().contains(QStringLiteral("missing.pt")),
                 qPrintable(spec.error()));

        const QString text = dir.filePath(QStringLiteral("notes.pt"));
        write(text, "not a model");
        spec = inspectFeatureExtractor(text);
        QVERIFY(!spec.ok());
        QVERIFY2(spec.error().contains(QStringLiteral("is not a TorchScript file")) &&
                     spec.error().contains(QStringLiteral("torch.jit.save")),
                 qPrintable(spec.error()));

        // A zip archive that is not TorchScript (what torch.save writes, or a newer format).
        const QString weightsOnly = dir.filePath(QStringLiteral("weights.pt"));
        write(weightsOnly, QByteArray("PK\x03\x04", 4) + QByteArray(200, 'x'));
        spec = inspectFeatureExtractor(weightsOnly);
        QVERIFY(!spec.ok());
        QVERIFY2(spec.error().contains(QStringLiteral("could not read")) &&
                     spec.error().contains(QStringLiteral("newer PyTorch")),
                 qPrintable(spec.error()));

        // Told the wrong channels, it fails on the image of zeros and says which size it tried.
        const QString wrong = saveBackbone(dir, R"({"input_size": [24, 24], "channels": 2})",
                                           QStringLiteral("wrong.pt"));
        spec = inspectFeatureExtractor(wrong);
        QVERIFY(!spec.ok());
        QVERIFY2(spec.error().contains(QStringLiteral("failed on an image of 24x24 with 2")),
                 qPrintable(spec.error()));

        const QString badJson =
            saveBackbone(dir, R"({"input_size": [24, 24], "channels": 3, "mean": [0.5]})",
                         QStringLiteral("badjson.pt"));
        spec = inspectFeatureExtractor(badJson);
        QVERIFY(!spec.ok());
        QVERIFY2(spec.error().contains(QStringLiteral("extractor.json")) &&
                     spec.error().contains(QStringLiteral("one number per channel")),
                 qPrintable(spec.error()));
    }

    // The layer in the project file (relative path resolved like the dataset's), the summary's
    // shapes and frozen parameters, and the stack's rules.
    void readSummarizedAndChecked()
    {
        QTemporaryDir dir;
        const QString path = saveBackbone(dir);
        const Result<FeatureExtractorSpec> spec = inspectFeatureExtractor(path);
        QVERIFY2(spec.ok(), qPrintable(spec.error()));
        const ModelSpec model = extractorNetwork(*spec, 3);

        Project project = defaultProject();
        project.dataset.root = dir.path();
        project.model = model;
        QJsonObject json = QJsonDocument::fromJson(projectToJson(project)).object();
        QJsonObject modelJson = json.value(QStringLiteral("model")).toObject();
        QJsonArray layers = modelJson.value(QStringLiteral("layers")).toArray();
        QJsonObject first = layers[0].toObject();
        QCOMPARE(first.value(QStringLiteral("type")).toString(),
                 QStringLiteral("FeatureExtractor"));
        QCOMPARE(first.value(QStringLiteral("features")).toInt(), 16);
        first.insert(QStringLiteral("path"), QStringLiteral("backbone.pt")); // relative
        layers[0] = first;
        modelJson.insert(QStringLiteral("layers"), layers);
        json.insert(QStringLiteral("model"), modelJson);
        const QString projectPath = dir.filePath(QStringLiteral("project.json"));
        write(projectPath, QJsonDocument(json).toJson());
        const Result<LoadedProject> loaded = loadProject(projectPath);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        QCOMPARE(loaded->project.model, model);

        const ModelSummary summary = summarizeModel(model, {32, 32, 1}, 3);
        QVERIFY2(!summary.hasErrors(), qPrintable(summary.errorText()));
        QCOMPARE(summary.layers[0].outputShape, QVector<int>{16});
        QCOMPARE(summary.layers[0].params, qint64(224));
        QCOMPARE(summary.nonTrainableParams, qint64(224));
        QCOMPARE(summary.trainableParams, qint64(16 * 3 + 3));

        ModelSpec second = model;
        second.layers.move(0, 1);
        QVERIFY(summarizeModel(second, {32, 32, 1}, 3)
                    .errorText()
                    .contains(QStringLiteral("it must be the first layer")));
        ModelSpec unmeasured = model;
        unmeasured.layers[0].extractor.features = 0;
        QVERIFY(summarizeModel(unmeasured, {32, 32, 1}, 3)
                    .errorText()
                    .contains(QStringLiteral("output size is not known yet")));
        QVERIFY(summarizeModel(model, {32, 32, 4}, 3)
                    .errorText()
                    .contains(QStringLiteral("the images have 4 channels but the extractor "
                                             "takes 3")));

        // What the Model page and --feature-extractor do: the image part is replaced, the
        // classifier head after the Flatten stays.
        ModelSpec small;
        small.layers = {LayerSpec::conv2D(8, {3, 3}), LayerSpec::maxPooling2D(),
                        LayerSpec::flatten(), LayerSpec::dense(32, Activation::Relu),
                        LayerSpec::dense(3, Activation::Softmax)};
        const ModelSpec replaced = withFeatureExtractor(small, *spec, 3);
        QCOMPARE(replaced.layers.size(), 3);
        QCOMPARE(replaced.layers[0].type, LayerType::FeatureExtractor);
        QCOMPARE(replaced.layers[1], small.layers[3]);
        QCOMPARE(withFeatureExtractor(replaced, *spec, 3), replaced);
    }

    // The built network and the exported model file compute the same probabilities: grey
    // 32 px images repeated to three channels, resized to 24 px and normalised on both sides.
    // ONNX export is refused with a message.
    void builtAndExportedAgree()
    {
        QTemporaryDir dir;
        const Result<FeatureExtractorSpec> spec = inspectFeatureExtractor(saveBackbone(dir));
        QVERIFY2(spec.ok(), qPrintable(spec.error()));
        const ModelSpec model = extractorNetwork(*spec, 3);
        torch::manual_seed(3);
        Result<torch::nn::Sequential> built = buildModule(model, {32, 32, 1}, 3);
        QVERIFY2(built.ok(), qPrintable(built.error()));
        torch::nn::Sequential module = *built;
        module->eval();
        QCOMPARE(module->parameters().size(), size_t(2)); // the Dense layer's only

        DatasetSettings dataset;
        dataset.imageSize = 32;
        dataset.colorMode = ColorMode::Grayscale;
        const QString modelPath = dir.filePath(QStringLiteral("model.pt"));
        const Status saved = exportTorchScript(
            module, makeModelMetadata(model, dataset, {"a", "b", "c"}), modelPath);
        QVERIFY2(saved.ok(), qPrintable(saved.error()));
        Result<LoadedModel> loaded = loadModelFile(modelPath);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));

        const torch::Tensor images = torch::rand({5, 1, 32, 32});
        torch::NoGradGuard noGrad;
        const torch::Tensor expected = torch::softmax(module->forward(images), 1);
        const torch::Tensor actual = loaded->module.forward({images}).toTensor();
        QVERIFY2(torch::allclose(actual, expected, 1e-5, 1e-6),
                 qPrintable(QStringLiteral("largest difference %1")
                                .arg((actual - expected).abs().max().item<double>())));
        const torch::Tensor optimized =
            optimizedForInference(loaded->module).forward({images}).toTensor();
        QVERIFY(torch::allclose(optimized, expected, 1e-5, 1e-6));

        const Status onnx = exportModelFile(modelPath, ExportFormat::Onnx,
                                            dir.filePath(QStringLiteral("model.onnx")));
        QVERIFY(!onnx.ok());
        QVERIFY2(onnx.error().contains(QStringLiteral("TorchScript feature extractor")) &&
                     onnx.error().contains(QStringLiteral("backbone.pt")),
                 qPrintable(onnx.error()));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("model.onnx"))));
    }

    // A whole run: only the layers after the extractor train, the file's weights are the same
    // in the run's model.pt, and the run's project records the measured features.
    void trainsWithTheExtractorFrozen()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("cells"));
        testdata::makeCells(data, 30, 4, 32, 32);
        FeatureExtractorSpec extractor;
        extractor.path = saveBackbone(dir);
        extractor.inputSize = {24, 24};
        extractor.channels = 3; // features not measured: a project file written by hand
        Project project = testdata::cellsProject(data, 2, 2);
        project.model = extractorNetwork(extractor, 3);
        TrainOptions options;
        options.runDir = dir.filePath(QStringLiteral("run"));
        const Result<TrainResult> trained = trainProject(project, options);
        QVERIFY2(trained.ok(), qPrintable(trained.error()));
        QCOMPARE(trained->ended.outcome, RunEndedEvent::Outcome::Finished);

        const Result<LoadedProject> runProject =
            loadProject(dir.filePath(QStringLiteral("run/project.json")));
        QVERIFY2(runProject.ok(), qPrintable(runProject.error()));
        QCOMPARE(runProject->project.model.layers[0].extractor.features, 16);

        Result<LoadedModel> loaded = loadModelFile(dir.filePath(QStringLiteral("run/model.pt")));
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        const torch::jit::Module embedded = loaded->module.attr("layer0_extractor").toModule();
        const torch::jit::Module original = backbone();
        QVERIFY(
            torch::equal(embedded.attr("weight").toTensor(), original.attr("weight").toTensor()));
        QVERIFY(torch::equal(embedded.attr("bias").toTensor(), original.attr("bias").toTensor()));

        // The file changed under the project: training says so instead of mis-sizing.
        Project changed = runProject->project;
        changed.model.layers[0].extractor.features = 12;
        TrainOptions again;
        again.runDir = dir.filePath(QStringLiteral("again"));
        const Result<TrainResult> refused = trainProject(changed, again);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().contains(QStringLiteral("now gives 16 features")),
                 qPrintable(refused.error()));
    }
};

QTEST_GUILESS_MAIN(TestFeatureExtractor)
#include "tst_featureextractor.moc"
