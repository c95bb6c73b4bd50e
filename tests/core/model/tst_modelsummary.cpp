// Tests of the layer stack without LibTorch: JSON, shape inference and parameter counts against
// hand-computed Keras values, validation messages and fixes, the templates.
#include "dataset/datasetsettings.h"
#include "model/layerspec.h"
#include "model/modelbuilder.h"
#include "model/modelsummary.h"
#include "model/modeltemplates.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace studio;

namespace {

// The tutorial's CNN() with out_size classes, written out by hand.
ModelSpec tutorialNetwork(int classes)
{
    const auto conv = [](int filters) {
        return LayerSpec::conv2D(filters, {2, 2}, Padding::Valid, Activation::Relu);
    };
    ModelSpec model;
    model.layers = {conv(12),
                    conv(12),
                    LayerSpec::maxPooling2D(),
                    conv(25),
                    conv(25),
                    LayerSpec::maxPooling2D(),
                    conv(50),
                    conv(50),
                    LayerSpec::maxPooling2D(),
                    conv(100),
                    conv(100),
                    LayerSpec::maxPooling2D(),
                    LayerSpec::flatten(),
                    LayerSpec::dense(750, Activation::Relu),
                    LayerSpec::dense(250, Activation::Relu),
                    LayerSpec::dense(classes, Activation::Softmax)};
    return model;
}

// The summary of a single layer on `input`, with no output-size check.
LayerSummary single(const LayerSpec& layer, InputShape input)
{
    ModelSpec model;
    model.layers = {layer};
    const ModelSummary summary = summarizeModel(model, input, 0);
    for (const ModelIssue& issue : summary.errors()) {
        // An image-shaped output is expected here; any other error is not.
        if (issue.fix != ModelFix::AppendOutputLayer) {
            qWarning() << issue.message;
        }
    }
    return summary.layers.value(0);
}

QVector<int> shape(std::initializer_list<int> dims)
{
    return QVector<int>(dims);
}

QString errorsOf(const ModelSummary& summary)
{
    return summary.errorText();
}

} // namespace

class TestModelSummary : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Keras: Conv2D params = kh * kw * in_channels * filters + filters.
    void conv2DShapesAndParams()
    {
        LayerSummary s = single(LayerSpec::conv2D(12, {2, 2}), {64, 64, 3});
        QCOMPARE(s.outputShape, shape({63, 63, 12}));
        QCOMPARE(s.params, 156);
        QCOMPARE(s.trainableParams, 156);
        QCOMPARE(s.macs, qint64(63) * 63 * 12 * 2 * 2 * 3);

        LayerSpec strided = LayerSpec::conv2D(32, {3, 3}, Padding::Same);
        strided.strides = Size2{2, 2};
        s = single(strided, {28, 28, 1});
        QCOMPARE(s.outputShape, shape({14, 14, 32}));
        QCOMPARE(s.params, 3 * 3 * 1 * 32 + 32);

        LayerSpec noBias = LayerSpec::conv2D(32, {3, 3}, Padding::Same);
        noBias.useBias = false;
        s = single(noBias, {14, 14, 16});
        QCOMPARE(s.outputShape, shape({14, 14, 32}));
        QCOMPARE(s.params, 3 * 3 * 16 * 32);

        // Non-square kernel and strides, "valid": floor((in - k) / s) + 1.
        LayerSpec odd = LayerSpec::conv2D(8, {5, 3});
        odd.strides = Size2{2, 1};
        s = single(odd, {32, 20, 3});
        QCOMPARE(s.outputShape, shape({14, 18, 8}));
        QCOMPARE(s.params, 5 * 3 * 3 * 8 + 8);

        // "valid" with stride 3 on 10: floor(7 / 3) + 1 = 3; "same": ceil(10 / 3) = 4.
        LayerSpec stride3 = LayerSpec::conv2D(4, {4, 4});
        stride3.strides = Size2{3, 3};
        QCOMPARE(single(stride3, {10, 10, 1}).outputShape, shape({3, 3, 4}));
        stride3.padding = Padding::Same;
        QCOMPARE(single(stride3, {10, 10, 1}).outputShape, shape({4, 4, 4}));
    }

    void samePaddingKeepsSize()
    {
        for (int k : {1, 2, 3, 4, 5, 7}) {
            const LayerSummary s = single(LayerSpec::conv2D(6, {k, k}, Padding::Same), {28, 28, 3});
            QCOMPARE(s.outputShape, shape({28, 28, 6}));
        }
        LayerSpec pool = LayerSpec::maxPooling2D({3, 3});
        pool.strides = Size2{1, 1};
        pool.padding = Padding::Same;
        QCOMPARE(single(pool, {17, 17, 5}).outputShape, shape({17, 17, 5}));
    }

    void poolingShapes()
    {
        // Keras: strides default to pool_size; "valid" floors.
        LayerSummary s = single(LayerSpec::maxPooling2D(), {63, 63, 12});
        QCOMPARE(s.outputShape, shape({31, 31, 12}));
        QCOMPARE(s.params, 0);
        LayerSpec same = LayerSpec::maxPooling2D();
        same.padding = Padding::Same;
        QCOMPARE(single(same, {63, 63, 12}).outputShape, shape({32, 32, 12}));

        LayerSpec average = LayerSpec::averagePooling2D({3, 3});
        average.strides = Size2{1, 1};
        s = single(average, {10, 10, 4});
        QCOMPARE(s.outputShape, shape({8, 8, 4}));
        QCOMPARE(s.params, 0);
        QCOMPARE(single(LayerSpec::averagePooling2D({2, 3}), {9, 9, 2}).outputShape,
                 shape({4, 3, 2}));
    }

    void flatteningLayers()
    {
        LayerSummary s = single(LayerSpec::globalAveragePooling2D(), {7, 7, 64});
        QCOMPARE(s.outputShape, shape({64}));
        QCOMPARE(s.params, 0);
        s = single(LayerSpec::flatten(), {2, 2, 100});
        QCOMPARE(s.outputShape, shape({400}));
        QCOMPARE(s.params, 0);
    }

    // Keras: Dense params = in * units + units.
    void denseParams()
    {
        ModelSpec model;
        model.layers = {LayerSpec::flatten(), LayerSpec::dense(750, Activation::Relu)};
        ModelSummary summary = summarizeModel(model, {2, 2, 100}, 0);
        QVERIFY2(!summary.hasErrors(), qPrintable(errorsOf(summary)));
        QCOMPARE(summary.layers[1].outputShape, shape({750}));
        QCOMPARE(summary.layers[1].params, 300750);

        model.layers[1] = LayerSpec::dense(10);
        model.layers[1].useBias = false;
        summary = summarizeModel(model, {2, 2, 100}, 10);
        QCOMPARE(summary.layers[1].params, 4000);
        QCOMPARE(summary.totalParams, 4000);
    }

    // Keras: BatchNormalization has gamma, beta (trainable), moving mean and variance (not).
    void batchNormalizationParams()
    {
        LayerSummary s = single(LayerSpec::batchNormalization(), {28, 28, 16});
        QCOMPARE(s.outputShape, shape({28, 28, 16}));
        QCOMPARE(s.params, 64);
        QCOMPARE(s.trainableParams, 32);

        ModelSpec model;
        model.layers = {LayerSpec::flatten(), LayerSpec::dense(128),
                        LayerSpec::batchNormalization(), LayerSpec::dense(10)};
        const ModelSummary summary = summarizeModel(model, {4, 4, 2}, 10);
        QVERIFY2(!summary.hasErrors(), qPrintable(errorsOf(summary)));
        QCOMPARE(summary.layers[2].params, 512);
        QCOMPARE(summary.totalParams, (32 * 128 + 128) + 512 + (128 * 10 + 10));
        QCOMPARE(summary.trainableParams, summary.totalParams - 256);
        QCOMPARE(summary.nonTrainableParams, 256);
    }

    // Keras's trainable = False: a frozen layer's parameters all count as non-trainable, in the
    // summary and in the module the builder makes.
    void frozenLayersAreNonTrainable()
    {
        ModelSpec model;
        model.layers = {LayerSpec::conv2D(8, {3, 3}), LayerSpec::batchNormalization(),
                        LayerSpec::flatten(), LayerSpec::dense(10)};
        model.layers[0].trainable = false;
        model.layers[1].trainable = false;
        const ModelSummary summary = summarizeModel(model, {6, 6, 1}, 10);
        QVERIFY2(!summary.hasErrors(), qPrintable(errorsOf(summary)));
        const qint64 conv = 8 * 9 + 8;
        const qint64 dense = 4 * 4 * 8 * 10 + 10;
        QCOMPARE(summary.layers[0].trainableParams, 0);
        QCOMPARE(summary.layers[1].trainableParams, 0);
        QCOMPARE(summary.totalParams, conv + 32 + dense);
        QCOMPARE(summary.trainableParams, dense);
        QCOMPARE(summary.nonTrainableParams, conv + 32);

        const Result<ModuleProbe> probe = probeModule(model, {6, 6, 1}, 10);
        QVERIFY2(probe.ok(), qPrintable(probe.error()));
        QCOMPARE(probe->trainableParams, summary.trainableParams);
        QCOMPARE(probe->nonTrainableParams, summary.nonTrainableParams);
    }

    void shapeKeepingLayers()
    {
        for (const LayerSpec& layer :
             {LayerSpec::dropout(0.5), LayerSpec::activationLayer(Activation::Tanh)}) {
            const LayerSummary s = single(layer, {5, 6, 7});
            QCOMPARE(s.outputShape, shape({5, 6, 7}));
            QCOMPARE(s.params, 0);
        }
    }

    // The tutorial's network as Keras summarises it at in_size 64, 10 classes.
    void seedAt64Has570804Params()
    {
        const ModelSummary summary = summarizeModel(tutorialNetwork(10), {64, 64, 3}, 10, 20);
        QVERIFY2(!summary.hasErrors(), qPrintable(errorsOf(summary)));
        QCOMPARE(summary.totalParams, 570804);
        QCOMPARE(summary.trainableParams, 570804);
        QCOMPARE(summary.nonTrainableParams, 0);
        const QVector<QVector<int>> expectedShapes = {
            {63, 63, 12}, {62, 62, 12}, {31, 31, 12}, {30, 30, 25}, {29, 29, 25}, {14, 14, 25},
            {13, 13, 50}, {12, 12, 50}, {6, 6, 50},   {5, 5, 100},  {4, 4, 100},  {2, 2, 100},
            {400},        {750},        {250},        {10}};
        const QVector<qint64> expectedParams = {
            156, 588, 0, 1225, 2525, 0, 5050, 10050, 0, 20100, 40100, 0, 0, 300750, 187750, 2510};
        QCOMPARE(summary.layers.size(), expectedShapes.size());
        for (int i = 0; i < expectedShapes.size(); ++i) {
            QCOMPARE(summary.layers[i].outputShape, expectedShapes[i]);
            QCOMPARE(summary.layers[i].params, expectedParams[i]);
        }
        QCOMPARE(summary.layers[0].name, QStringLiteral("conv2d"));
        QCOMPARE(summary.layers[1].name, QStringLiteral("conv2d_1"));
        QCOMPARE(summary.layers[2].name, QStringLiteral("max_pooling2d"));
        QCOMPARE(summary.layers[15].name, QStringLiteral("dense_2"));
        // Activation memory: float32 outputs of a batch of 20.
        QCOMPARE(summary.layers[0].activationBytes, qint64(63) * 63 * 12 * 4 * 20);
        qint64 values = 0;
        for (const QVector<int>& s : expectedShapes) {
            qint64 n = 1;
            for (int d : s) {
                n *= d;
            }
            values += n;
        }
        QCOMPARE(summary.activationBytes, values * 4 * 20);
        QCOMPARE(summary.outputShape, shape({10}));
    }

    void seedAt28FailsAtLayer10()
    {
        const ModelSummary summary = summarizeModel(tutorialNetwork(10), {28, 28, 3}, 10);
        QVERIFY(summary.hasErrors());
        const QVector<ModelIssue> errors = summary.errors();
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors[0].layer, 9);
        const QString message = errors[0].message;
        QVERIFY2(message.startsWith(QLatin1String("Layer 10 (Conv2D)")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("input is 1x1")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("kernel is 2x2")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("use padding 'same', remove a pooling layer, or "
                                                "raise the image size"),
                                  Qt::CaseInsensitive),
                 qPrintable(message));
        // The layers before it are known, the ones from it on are not.
        QCOMPARE(summary.layers[8].outputShape, shape({1, 1, 50}));
        QVERIFY(!summary.layers[9].known());
        QVERIFY(!summary.complete());
        QVERIFY(formatSummaryTable(summary).contains(QLatin1String("Totals unknown")));
    }

    void poolLargerThanInputFails()
    {
        ModelSpec model;
        model.layers = {LayerSpec::maxPooling2D({3, 3}), LayerSpec::flatten(), LayerSpec::dense(2)};
        const ModelSummary summary = summarizeModel(model, {2, 2, 1}, 2);
        QCOMPARE(summary.errors().size(), 1);
        QVERIFY2(summary.errors()[0].message.startsWith(
                     QLatin1String("Layer 1 (MaxPooling2D): its input is 2x2 but its pool "
                                   "size is 3x3")),
                 qPrintable(summary.errorText()));
    }

    void denseOnImageOffersFlatten()
    {
        ModelSpec model;
        model.layers = {LayerSpec::conv2D(4, {3, 3}), LayerSpec::dense(10, Activation::Softmax)};
        const ModelSummary summary = summarizeModel(model, {8, 8, 1}, 10);
        QCOMPARE(summary.errors().size(), 1);
        const ModelIssue issue = summary.errors()[0];
        QCOMPARE(issue.layer, 1);
        QCOMPARE(issue.fix, ModelFix::InsertFlatten);
        QVERIFY2(issue.message.startsWith(QLatin1String("Layer 2 (Dense)")),
                 qPrintable(issue.message));
        QVERIFY(issue.message.contains(QLatin1String("6x6x4")));
        QVERIFY(issue.message.contains(QLatin1String("Flatten")));

        const ModelSpec fixed = applyFix(model, issue, 10);
        QCOMPARE(fixed.layers.size(), 3);
        QCOMPARE(fixed.layers[1].type, LayerType::Flatten);
        const ModelSummary after = summarizeModel(fixed, {8, 8, 1}, 10);
        QVERIFY2(!after.hasErrors(), qPrintable(after.errorText()));
        QCOMPARE(after.totalParams, (9 * 4 + 4) + (144 * 10 + 10));
    }

    void imageLayerAfterFlattenIsRejected()
    {
        ModelSpec model;
        model.layers = {LayerSpec::flatten(), LayerSpec::conv2D(4, {1, 1}), LayerSpec::dense(3)};
        const ModelSummary summary = summarizeModel(model, {4, 4, 1}, 3);
        QCOMPARE(summary.errors().size(), 1);
        QVERIFY2(summary.errorText().startsWith(QLatin1String("Layer 2 (Conv2D)")),
                 qPrintable(summary.errorText()));
        QVERIFY(summary.errorText().contains(QLatin1String("Layer 1 (Flatten)")));
    }

    void emptyStackIsRejected()
    {
        const ModelSummary summary = summarizeModel(ModelSpec(), {28, 28, 1}, 10);
        QVERIFY(summary.hasErrors());
        QCOMPARE(summary.errors()[0].layer, -1);
        QVERIFY(summary.errorText().contains(QLatin1String("no layers")));
    }

    void dropoutRateOutsideRangeIsRejected()
    {
        for (double rate : {1.0, 1.5, -0.1}) {
            ModelSpec model;
            model.layers = {LayerSpec::flatten(), LayerSpec::dropout(rate), LayerSpec::dense(2)};
            const ModelSummary summary = summarizeModel(model, {2, 2, 1}, 2);
            QCOMPARE(summary.errors().size(), 1);
            QVERIFY2(summary.errorText().startsWith(QLatin1String("Layer 2 (Dropout): rate must "
                                                                  "be a number in [0, 1)")),
                     qPrintable(summary.errorText()));
            QVERIFY(summary.complete()); // the shapes are still known
        }
        ModelSpec ok;
        ok.layers = {LayerSpec::flatten(), LayerSpec::dropout(0), LayerSpec::dense(2)};
        QVERIFY(!summarizeModel(ok, {2, 2, 1}, 2).hasErrors());
    }

    void nonPositiveSizesAreRejected()
    {
        struct Case
        {
            LayerSpec layer;
            QString expected;
        };
        LayerSpec zeroKernel = LayerSpec::conv2D(4, {0, 2});
        LayerSpec zeroStride = LayerSpec::conv2D(4, {2, 2});
        zeroStride.strides = Size2{1, 0};
        LayerSpec zeroPool = LayerSpec::averagePooling2D({2, -1});
        const QVector<Case> cases = {
            {LayerSpec::conv2D(0, {2, 2}), QStringLiteral("Layer 1 (Conv2D): filters must be an "
                                                          "integer from 1 to 4096, got 0")},
            {zeroKernel, QStringLiteral("Layer 1 (Conv2D): kernel_size must be an integer from 1 "
                                        "to 64 on each side, got 0x2")},
            {zeroStride, QStringLiteral("Layer 1 (Conv2D): strides must be an integer from 1 to "
                                        "64 on each side, got 1x0")},
            {zeroPool, QStringLiteral("Layer 1 (AveragePooling2D): pool_size must be an integer "
                                      "from 1 to 64 on each side, got 2x-1")},
            {LayerSpec::dense(0), QStringLiteral("Layer 1 (Dense): units must be an integer from "
                                                 "1 to 1048576, got 0")},
        };
        for (const Case& c : cases) {
            ModelSpec model;
            model.layers = {c.layer};
            const ModelSummary summary = summarizeModel(model, {8, 8, 1}, 0);
            QVERIFY2(summary.errorText().startsWith(c.expected), qPrintable(summary.errorText()));
            QVERIFY(!summary.layers[0].known());
        }
        QVERIFY(summarizeModel(tutorialNetwork(10), {0, 0, 3}, 10).hasErrors());
    }

    void outputUnitsMismatchOffersFix()
    {
        const ModelSpec model = tutorialNetwork(10);
        const ModelSummary summary = summarizeModel(model, {64, 64, 3}, 5);
        QCOMPARE(summary.errors().size(), 1);
        const ModelIssue issue = summary.errors()[0];
        QCOMPARE(issue.layer, 15);
        QCOMPARE(issue.fix, ModelFix::SetOutputUnits);
        QVERIFY2(issue.message.startsWith(QLatin1String("Layer 16 (Dense): it has 10 units but "
                                                        "the dataset has 5 classes")),
                 qPrintable(issue.message));
        const ModelSpec fixed = applyFix(model, issue, 5);
        QCOMPARE(fixed.layers[15].units, 5);
        const ModelSummary after = summarizeModel(fixed, {64, 64, 3}, 5);
        QVERIFY(!after.hasErrors());
        QCOMPARE(after.totalParams, 570804 - 5 * 251);
        QCOMPARE(withOutputUnits(model, 5), fixed);
    }

    void imageShapedOutputOffersOutputLayer()
    {
        ModelSpec model;
        model.layers = {LayerSpec::conv2D(4, {3, 3}), LayerSpec::activationLayer(Activation::Relu)};
        const ModelSummary summary = summarizeModel(model, {8, 8, 1}, 3);
        QCOMPARE(summary.errors().size(), 1);
        QCOMPARE(summary.errors()[0].fix, ModelFix::AppendOutputLayer);
        const ModelSpec fixed = applyFix(model, summary.errors()[0], 3);
        QCOMPARE(fixed.layers.size(), 4);
        QCOMPARE(fixed.layers[2].type, LayerType::Flatten);
        QCOMPARE(fixed.layers[3], LayerSpec::dense(3, Activation::Softmax));
        QVERIFY(!summarizeModel(fixed, {8, 8, 1}, 3).hasErrors());

        // Without a Dense layer but already flat: only the Dense is appended.
        ModelSpec gap;
        gap.layers = {LayerSpec::conv2D(4, {3, 3}), LayerSpec::globalAveragePooling2D()};
        const ModelSummary gapSummary = summarizeModel(gap, {8, 8, 1}, 3);
        QCOMPARE(gapSummary.errors().size(), 1);
        const ModelSpec gapFixed = applyFix(gap, gapSummary.errors()[0], 3);
        QCOMPARE(gapFixed.layers.size(), 3);
        QVERIFY(!summarizeModel(gapFixed, {8, 8, 1}, 3).hasErrors());
    }

    void outputLayerActivation()
    {
        ModelSpec model = tutorialNetwork(10);
        QCOMPARE(studio::outputActivation(model), Activation::Softmax);
        QCOMPARE(outputActivationLayer(model), 15);
        model.layers.append(LayerSpec::dropout(0.2));
        QCOMPARE(outputActivationLayer(model), 15);
        model.layers[15].activation = Activation::Relu;
        const ModelSummary summary = summarizeModel(model, {64, 64, 3}, 10);
        QVERIFY(!summary.hasErrors());
        QCOMPARE(summary.warnings().size(), 1);
        QVERIFY(summary.warnings()[0].message.startsWith(QLatin1String("Layer 16 (Dense)")));
        model.layers[15].activation = Activation::Linear;
        QVERIFY(summarizeModel(model, {64, 64, 3}, 10).warnings().isEmpty());
    }

    void summaryTableLooksLikeKeras()
    {
        const ModelSummary summary = summarizeModel(tutorialNetwork(10), {64, 64, 3}, 10);
        const QString table = formatSummaryTable(summary, QStringLiteral("seed"));
        QVERIFY(table.contains(QLatin1String("Model: \"seed\"")));
        QVERIFY(table.contains(QLatin1String("Layer (type)")));
        QVERIFY(table.contains(QLatin1String("conv2d (Conv2D)")));
        QVERIFY(table.contains(QLatin1String("(None, 63, 63, 12)")));
        QVERIFY(table.contains(QLatin1String("300,750")));
        QVERIFY(table.contains(QLatin1String("Total params: 570,804")));
        QVERIFY(table.contains(QLatin1String("Trainable params: 570,804")));
        QVERIFY(table.contains(QLatin1String("Non-trainable params: 0")));
        QCOMPARE(formatThousands(1234567), QStringLiteral("1,234,567"));
        QCOMPARE(formatThousands(999), QStringLiteral("999"));
        QCOMPARE(formatThousands(0), QStringLiteral("0"));

        const QJsonObject json = summaryToJson(summary);
        QCOMPARE(json.value(QStringLiteral("total_params")).toInteger(), 570804);
        QCOMPARE(json.value(QStringLiteral("trainable_params")).toInteger(), 570804);
        const QJsonArray layers = json.value(QStringLiteral("layers")).toArray();
        QCOMPARE(layers.size(), 16);
        QCOMPARE(layers[0].toObject().value(QStringLiteral("type")).toString(),
                 QStringLiteral("Conv2D"));
        QCOMPARE(layers[0].toObject().value(QStringLiteral("output_shape")).toArray(),
                 (QJsonArray{63, 63, 12}));
        QCOMPARE(layers[0].toObject().value(QStringLiteral("params")).toInteger(), 156);
    }

    void inputShapeFromDatasetSettings()
    {
        DatasetSettings dataset;
        dataset.imageSize = 28;
        dataset.colorMode = ColorMode::Grayscale;
        QCOMPARE(inputShapeFor(dataset), (InputShape{28, 28, 1}));
        dataset.colorMode = ColorMode::Rgb;
        QCOMPARE(inputShapeFor(dataset), (InputShape{28, 28, 3}));
    }

    void layerJsonRoundTrip()
    {
        LayerSpec conv = LayerSpec::conv2D(7, {3, 5}, Padding::Same, Activation::LeakyRelu);
        conv.strides = Size2{2, 1};
        conv.useBias = false;
        conv.trainable = false;
        LayerSpec pool = LayerSpec::averagePooling2D({3, 3});
        pool.strides = Size2{2, 2};
        pool.padding = Padding::Same;
        LayerSpec bn = LayerSpec::batchNormalization();
        bn.momentum = 0.9;
        bn.epsilon = 1e-5;
        bn.trainable = false;
        LayerSpec dense = LayerSpec::dense(33, Activation::Elu);
        dense.useBias = false;
        ModelSpec model;
        model.layers = {conv,
                        pool,
                        LayerSpec::maxPooling2D(),
                        LayerSpec::globalAveragePooling2D(),
                        LayerSpec::flatten(),
                        dense,
                        LayerSpec::dropout(0.25),
                        bn,
                        LayerSpec::activationLayer(Activation::Sigmoid)};
        model.initFrom = QStringLiteral("/models/fashion/model.pt");
        const QByteArray text = QJsonDocument(modelToJson(model)).toJson();
        JsonDiagnostics diagnostics;
        const ModelSpec back = modelFromJson(QJsonDocument::fromJson(text).object(),
                                             QStringLiteral("model"), &diagnostics);
        QVERIFY2(diagnostics.errors.isEmpty(), qPrintable(diagnostics.errors.join('\n')));
        QVERIFY2(diagnostics.warnings.isEmpty(), qPrintable(diagnostics.warnings.join('\n')));
        QCOMPARE(back, model);
        QCOMPARE(back.initFrom, QStringLiteral("/models/fashion/model.pt"));
        QVERIFY(!back.layers[0].trainable);
        QVERIFY(back.layers[5].trainable); // written only when false
        QVERIFY(!back.layers[7].trainable);
        QVERIFY(!back.layers[2].strides.has_value()); // Keras's default stays a default
        QCOMPARE(back.layers[2].effectiveStrides(), (Size2{2, 2}));
    }

    void layerJsonAcceptsKerasForms()
    {
        const QByteArray text = R"({"layers": [
            {"type": "Conv2D", "filters": 12, "kernel_size": 2, "activation": "relu"},
            {"type": "MaxPool2D"},
            {"type": "Dense", "units": 5, "activation": null}
        ]})";
        JsonDiagnostics diagnostics;
        const ModelSpec model = modelFromJson(QJsonDocument::fromJson(text).object(),
                                              QStringLiteral("model"), &diagnostics);
        QVERIFY2(diagnostics.errors.isEmpty(), qPrintable(diagnostics.errors.join('\n')));
        QCOMPARE(model.layers.size(), 3);
        QCOMPARE(model.layers[0].kernelSize, (Size2{2, 2}));
        QCOMPARE(model.layers[0].padding, Padding::Valid);
        QCOMPARE(model.layers[1].type, LayerType::MaxPooling2D);
        QCOMPARE(model.layers[1].poolSize, (Size2{2, 2}));
        QCOMPARE(model.layers[2].activation, Activation::Linear);
    }

    void layerJsonRejectsBadValuesWithPaths()
    {
        const QByteArray text = R"({"layers": [
            {"type": "Dropout", "rate": 1.5},
            {"type": "Conv2D", "filters": -1, "kernel_size": [2, 0], "padding": "full"},
            {"type": "Dense"},
            {"type": "Pooling"},
            {"type": "Flatten", "units": 3},
            {"type": "Activation", "activation": "swish"},
            "Dense"
        ]})";
        JsonDiagnostics diagnostics;
        modelFromJson(QJsonDocument::fromJson(text).object(), QStringLiteral("model"),
                      &diagnostics);
        const QString errors = diagnostics.errors.join('\n');
        QVERIFY2(errors.contains(
                     QLatin1String("model.layers[0].rate must be a number in [0, 1), got 1.5")),
                 qPrintable(errors));
        QVERIFY2(errors.contains(QLatin1String(
                     "model.layers[1].filters must be an integer from 1 to 4096, got -1")),
                 qPrintable(errors));
        QVERIFY2(errors.contains(QLatin1String("model.layers[1].kernel_size must be an integer "
                                               "from 1 to 64, or a list of two such integers "
                                               "[height, width], got [2,0]")),
                 qPrintable(errors));
        QVERIFY2(errors.contains(QLatin1String("model.layers[1].padding must be one of \"valid\" "
                                               "or \"same\", got \"full\"")),
                 qPrintable(errors));
        QVERIFY2(
            errors.contains(QLatin1String("model.layers[2].units is required for a Dense layer")),
            qPrintable(errors));
        QVERIFY2(errors.contains(QLatin1String("model.layers[3].type must be one of \"Conv2D\"")),
                 qPrintable(errors));
        QVERIFY2(errors.contains(QLatin1String("model.layers[5].activation must be one of")),
                 qPrintable(errors));
        QVERIFY2(errors.contains(QLatin1String("model.layers[6] must be an object, got "
                                               "\"Dense\"")),
                 qPrintable(errors));
        QCOMPARE(diagnostics.warnings,
                 QStringList{QStringLiteral("unknown key model.layers[4].units is ignored")});
    }

    void templatesLoad()
    {
        QCOMPARE(templateNames(), (QStringList{QStringLiteral("seed"), QStringLiteral("small"),
                                               QStringLiteral("vgg-bn")}));
        for (const QString& name : templateNames()) {
            const Result<ModelTemplate> t = loadTemplate(name);
            QVERIFY2(t.ok(), qPrintable(t.error()));
            QCOMPARE(t->name, name);
            QVERIFY(!t->description.isEmpty());
            QVERIFY(!t->imageSizes.isEmpty());
            for (int size : t->imageSizes) {
                const InputShape input{size, size, t->colorMode == ColorMode::Rgb ? 3 : 1};
                const ModelSummary summary = summarizeModel(t->model, input, 10);
                QVERIFY2(!summary.hasErrors(),
                         qPrintable(name + QLatin1Char(' ') + summary.errorText()));
                QVERIFY2(summary.warnings().isEmpty(), qPrintable(name));
                QCOMPARE(outputActivation(t->model), Activation::Softmax);
            }
        }
        const Result<ModelTemplate> missing = loadTemplate(QStringLiteral("resnet"));
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().contains(QLatin1String("seed, small, vgg-bn")));
    }

    void seedTemplateIsTheTutorialNetwork()
    {
        const Result<ModelTemplate> seed = loadTemplate(QStringLiteral("seed"));
        QVERIFY2(seed.ok(), qPrintable(seed.error()));
        QCOMPARE(seed->model, tutorialNetwork(10));
        QCOMPARE(seed->imageSizes, QVector<int>{64});
        QCOMPARE(seed->colorMode, ColorMode::Rgb);
        QCOMPARE(summarizeModel(seed->model, {64, 64, 3}, 10).totalParams, 570804);
    }

    // "small" must stay cheap: it is meant to train on two CPU cores.
    void smallTemplateIsSmall()
    {
        const Result<ModelTemplate> small = loadTemplate(QStringLiteral("small"));
        QVERIFY2(small.ok(), qPrintable(small.error()));
        QCOMPARE(small->colorMode, ColorMode::Grayscale);
        QCOMPARE(small->imageSizes, (QVector<int>{28, 32, 48, 64}));
        const ModelSummary at28 = summarizeModel(small->model, {28, 28, 1}, 10);
        QVERIFY(at28.totalParams < 100000);
        QVERIFY(at28.macs < 3000000);
        // Global average pooling: the same parameters at every size, so that a few hundred
        // images of 64 px do not meet a Dense layer of half a million weights.
        const ModelSummary at64 = summarizeModel(small->model, {64, 64, 1}, 10);
        QCOMPARE(at64.totalParams, at28.totalParams);
        QVERIFY(at64.macs < 16000000);
    }

    void vggTemplateDoesNotDependOnImageSize()
    {
        const Result<ModelTemplate> vgg = loadTemplate(QStringLiteral("vgg-bn"));
        QVERIFY2(vgg.ok(), qPrintable(vgg.error()));
        const qint64 at64 = summarizeModel(vgg->model, {64, 64, 3}, 10).totalParams;
        QCOMPARE(summarizeModel(vgg->model, {128, 128, 3}, 10).totalParams, at64);
        int batchNorms = 0;
        int dropouts = 0;
        for (const LayerSpec& layer : vgg->model.layers) {
            batchNorms += layer.type == LayerType::BatchNormalization;
            dropouts += layer.type == LayerType::Dropout;
        }
        QCOMPARE(batchNorms, 6);
        QVERIFY(dropouts >= 3);
    }
};

QTEST_GUILESS_MAIN(TestModelSummary)
#include "tst_modelsummary.moc"
