// Starting from a model trained earlier (model.init_from) and freezing layers (trainable false).
#include "export/exporter_p.h"
#include "export/modelmetadata.h"
#include "model/modelbuilder_p.h"
#include "project/project.h"
#include "training/trainer.h"
#include "training/transfer_p.h"

#include "cellsdataset.h"
#include "cellsproject.h"
#include "sametensors.h"

#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <string>

using namespace studio;
using studio::testdata::identical;

namespace {

// Keeps the start event's notes.
class StartRecorder : public TrainingObserver
{
public:
    QStringList notes;
    void runStarted(const RunStartedEvent& event) override { notes = event.notes; }
};

// A network with a convolution, BatchNormalization, a hidden and an output Dense layer.
ModelSpec network(int outputs, int filters = 4)
{
    ModelSpec model;
    model.layers = {LayerSpec::conv2D(filters, {3, 3}, Padding::Same, Activation::Relu),
                    LayerSpec::batchNormalization(),
                    LayerSpec::maxPooling2D(),
                    LayerSpec::flatten(),
                    LayerSpec::dense(16, Activation::Relu),
                    LayerSpec::dense(outputs, Activation::Softmax)};
    return model;
}

// Builds `model` for `size` px grey images with seeded random weights and BatchNormalization
// statistics far from their defaults, so that copies can be told from new weights.
torch::nn::Sequential randomModule(const ModelSpec& model, int size, int classes, int seed)
{
    torch::manual_seed(seed);
    Result<torch::nn::Sequential> built = buildModule(model, {size, size, 1}, classes);
    if (!built) {
        qFatal("%s", qPrintable(built.error()));
    }
    torch::NoGradGuard noGrad;
    for (auto& buffer : (*built)->named_buffers()) {
        buffer.value().uniform_(0.5, 2.0);
    }
    return *built;
}

// Writes `module` as a model file of `classes` classes at `size` px grey.
QString saveModel(torch::nn::Sequential& module, const ModelSpec& model, int size, int classes,
                  const QString& path)
{
    DatasetSettings dataset;
    dataset.imageSize = size;
    dataset.colorMode = ColorMode::Grayscale;
    QStringList names;
    for (int i = 0; i < classes; ++i) {
        names << QStringLiteral("source%1").arg(i);
    }
    const Status saved = exportTorchScript(module, makeModelMetadata(model, dataset, names), path);
    if (!saved) {
        qFatal("%s", qPrintable(saved.error()));
    }
    return path;
}

// Spec layer i's tensors ("weight", "bias", "running_mean", "running_var") in a module.
std::map<std::string, torch::Tensor> tensorsOf(torch::nn::Sequential& module, int i)
{
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& p : module->ptr(i)->named_parameters(false)) {
        tensors[p.key()] = p.value().detach().clone();
    }
    for (const auto& b : module->ptr(i)->named_buffers(false)) {
        tensors[b.key()] = b.value().clone();
    }
    return tensors;
}

// Spec layer i's tensors in a model file.
std::map<std::string, torch::Tensor> tensorsIn(const QString& modelPath, int i)
{
    Result<LoadedModel> loaded = loadModelFile(modelPath);
    if (!loaded) {
        qFatal("%s", qPrintable(loaded.error()));
    }
    const std::map<std::string, torch::Tensor> all = layerTensors(loaded->module);
    std::map<std::string, torch::Tensor> tensors;
    for (const char* what : {"weight", "bias", "running_mean", "running_var"}) {
        const auto found = all.find(layerTensorName(i, what));
        if (found != all.end()) {
            tensors[what] = found->second;
        }
    }
    return tensors;
}

// The 5-class network at 12 px saved as DIR/source.pt.
QString saveSource(torch::nn::Sequential& source, const QTemporaryDir& dir)
{
    return saveModel(source, network(5), 12, 5, dir.filePath(QStringLiteral("source.pt")));
}

} // namespace

class TestTransfer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Same layers, new classes: everything but the output layer is copied, BatchNormalization's
    // statistics included.
    void copiesEveryLayerButTheOutput()
    {
        QTemporaryDir dir;
        torch::nn::Sequential source = randomModule(network(5), 12, 5, 1);
        const QString path = saveSource(source, dir);
        torch::nn::Sequential target = randomModule(network(3), 12, 3, 2);
        const auto outputBefore = tensorsOf(target, 5);

        const Result<TransferReport> report = copyMatchingLayers(target, network(3), path);
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->copied, 3);
        QCOMPARE(report->kept, 1);
        QCOMPARE(report->classes.size(), 5);
        for (const int i : {0, 1, 4}) {
            QVERIFY2(identical(tensorsOf(target, i), tensorsOf(source, i)),
                     qPrintable(QStringLiteral("layer %1 was not copied").arg(i)));
        }
        QVERIFY(identical(tensorsOf(target, 5), outputBefore));
        QCOMPARE(tensorsOf(target, 5).at("weight").size(0), 3);
        const QString text = report->text().join(QLatin1Char('\n'));
        QVERIFY2(text.contains(QStringLiteral("Layer 5 (Dense): new weights (the output layer")),
                 qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Layer 1 (BatchNormalization): copied from layer 1")),
                 qPrintable(text));
    }

    // A larger image changes the hidden Dense layer's input: the convolution and
    // BatchNormalization still come over, the Dense layer keeps its new weights and says why.
    void layersWhoseShapesDifferKeepTheirNewWeights()
    {
        QTemporaryDir dir;
        torch::nn::Sequential source = randomModule(network(5), 12, 5, 1);
        const QString path = saveSource(source, dir);
        torch::nn::Sequential target = randomModule(network(3), 16, 3, 2);
        const auto hiddenBefore = tensorsOf(target, 4);

        const Result<TransferReport> report = copyMatchingLayers(target, network(3), path);
        QVERIFY2(report.ok(), qPrintable(report.error()));
        QCOMPARE(report->copied, 2);
        QCOMPARE(report->kept, 2);
        QVERIFY(identical(tensorsOf(target, 0), tensorsOf(source, 0)));
        QVERIFY(identical(tensorsOf(target, 4), hiddenBefore));
        const QString text = report->text().join(QLatin1Char('\n'));
        QVERIFY2(text.contains(QStringLiteral("its weight is [16, 256] here and [16, 144] in the "
                                              "model file")),
                 qPrintable(text));
    }

    // Nothing fits (other filters), or no model file: a Failure that says so, not a silent
    // start from scratch.
    void nothingToTransferIsRefused()
    {
        QTemporaryDir dir;
        torch::nn::Sequential source = randomModule(network(5), 12, 5, 1);
        const QString path = saveSource(source, dir);
        torch::nn::Sequential other = randomModule(network(3, 6), 16, 3, 2);
        const Result<TransferReport> none = copyMatchingLayers(other, network(3, 6), path);
        QVERIFY(!none.ok());
        QVERIFY2(none.error().contains(QStringLiteral("nothing would be transferred")),
                 qPrintable(none.error()));

        const QString missing = dir.filePath(QStringLiteral("missing.pt"));
        const Result<TransferReport> absent = copyMatchingLayers(other, network(3, 6), missing);
        QVERIFY(!absent.ok());
        QVERIFY2(absent.error().contains(QStringLiteral("model.init_from")) &&
                     absent.error().contains(QStringLiteral("missing.pt")),
                 qPrintable(absent.error()));
    }

    // The whole path through the trainer: a run starts from an earlier run's model.pt with the
    // convolution and BatchNormalization frozen. After training (Adam with weight decay) the
    // frozen layers are bit-identical to the source, BatchNormalization's statistics too (a
    // frozen layer runs in inference mode); the layers that train have moved.
    void frozenLayersStayBitIdenticalThroughTraining()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("cells"));
        testdata::makeCells(data, 40, 11, 48, 48);
        Project project = testdata::cellsProject(data, 1, 2);
        project.model.layers.insert(1, LayerSpec::batchNormalization());
        TrainOptions first;
        first.runDir = dir.filePath(QStringLiteral("first"));
        const Result<TrainResult> pretrained = trainProject(project, first);
        QVERIFY2(pretrained.ok(), qPrintable(pretrained.error()));
        const QString source = dir.filePath(QStringLiteral("first/model.pt"));
        QVERIFY(QFileInfo::exists(source));

        Project fineTune = project;
        fineTune.model.initFrom = source;
        fineTune.model.layers[0].trainable = false;
        fineTune.model.layers[1].trainable = false;
        fineTune.training.epochs = 2;
        fineTune.training.weightDecay = 0.01;
        TrainOptions second;
        second.runDir = dir.filePath(QStringLiteral("second"));
        StartRecorder recorder;
        const Result<TrainResult> tuned = trainProject(fineTune, second, &recorder);
        QVERIFY2(tuned.ok(), qPrintable(tuned.error()));
        QCOMPARE(tuned->ended.outcome, RunEndedEvent::Outcome::Finished);
        const QString notes = recorder.notes.join(QLatin1Char('\n'));
        QVERIFY2(notes.contains(QStringLiteral("Layer 0 (Conv2D): copied from layer 0, frozen")),
                 qPrintable(notes));

        const QString result = dir.filePath(QStringLiteral("second/model.pt"));
        QVERIFY(identical(tensorsIn(result, 0), tensorsIn(source, 0)));
        QVERIFY(identical(tensorsIn(result, 1), tensorsIn(source, 1)));
        QCOMPARE(tensorsIn(result, 1).size(), size_t(4)); // gamma, beta, mean, variance
        QVERIFY(!identical(tensorsIn(result, 3), tensorsIn(source, 3)));

        // Every layer frozen: refused before anything is trained.
        Project allFrozen = fineTune;
        for (LayerSpec& layer : allFrozen.model.layers) {
            layer.trainable = false;
        }
        TrainOptions third;
        third.runDir = dir.filePath(QStringLiteral("third"));
        const Result<TrainResult> refused = trainProject(allFrozen, third);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().contains(QStringLiteral("Every layer of the network is frozen")),
                 qPrintable(refused.error()));
    }
};

QTEST_GUILESS_MAIN(TestTransfer)
#include "tst_transfer.moc"
