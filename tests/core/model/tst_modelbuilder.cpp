// Tests of the LibTorch builder: shapes of built modules equal the inferred ones, TensorFlow's
// "same" padding to the value, Keras's initialisation, logits at the output.
#include "model/modelbuilder.h"
#include "model/modelbuilder_p.h"
#include "model/modeltemplates.h"

#include <torch/nn.h>

#include <QtTest>

#include <cmath>

using namespace studio;

namespace {

ModelSpec stackOf(std::initializer_list<LayerSpec> layers)
{
    ModelSpec model;
    model.layers = layers;
    return model;
}

// 1..n*n as a [1, 1, n, n] tensor.
torch::Tensor counting(int n)
{
    return torch::arange(1, n * n + 1, torch::kFloat32).reshape({1, 1, n, n});
}

float valueAt(const torch::Tensor& t, int row, int col)
{
    return t[0][0][row][col].item<float>();
}

} // namespace

class TestModelBuilder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::manual_seed(1); }

    // The check: for every template, at its intended sizes, the built module's shapes
    // and parameter counts equal the inferred ones.
    void builtShapesEqualInferredForEveryTemplate()
    {
        for (const QString& name : templateNames()) {
            const Result<ModelTemplate> t = loadTemplate(name);
            QVERIFY2(t.ok(), qPrintable(t.error()));
            for (int size : t->imageSizes) {
                for (int classes : {10, 3}) {
                    const InputShape input{size, size, t->colorMode == ColorMode::Rgb ? 3 : 1};
                    const ModelSpec model = withOutputUnits(t->model, classes);
                    const ModelSummary summary = summarizeModel(model, input, classes);
                    const Result<ModuleProbe> probe = probeModule(model, input, classes, 2);
                    QVERIFY2(probe.ok(), qPrintable(probe.error()));
                    QCOMPARE(probe->layerOutputShapes.size(), summary.layers.size());
                    for (int i = 0; i < summary.layers.size(); ++i) {
                        QCOMPARE(probe->layerOutputShapes[i], summary.layers[i].outputShape);
                    }
                    QCOMPARE(probe->outputShape, QVector<int>{classes});
                    QCOMPARE(probe->trainableParams, summary.trainableParams);
                    QCOMPARE(probe->nonTrainableParams, summary.nonTrainableParams);
                }
            }
        }
    }

    // Every layer type and padding case, including even kernels with strides, whose "same"
    // padding is asymmetric.
    void builtShapesEqualInferredForEveryLayerType()
    {
        LayerSpec evenStrided = LayerSpec::conv2D(5, {2, 4}, Padding::Same, Activation::Elu);
        evenStrided.strides = Size2{2, 3};
        LayerSpec maxSame = LayerSpec::maxPooling2D({3, 2});
        maxSame.padding = Padding::Same;
        LayerSpec avgSame = LayerSpec::averagePooling2D({2, 2});
        avgSame.strides = Size2{1, 1};
        avgSame.padding = Padding::Same;
        const ModelSpec model =
            stackOf({evenStrided, LayerSpec::batchNormalization(), maxSame, avgSame,
                     LayerSpec::conv2D(6, {3, 3}, Padding::Valid, Activation::LeakyRelu),
                     LayerSpec::averagePooling2D(), LayerSpec::activationLayer(Activation::Tanh),
                     LayerSpec::dropout(0.5), LayerSpec::globalAveragePooling2D(),
                     LayerSpec::dense(7, Activation::Sigmoid), LayerSpec::batchNormalization(),
                     LayerSpec::flatten(), LayerSpec::dense(4, Activation::Softmax)});
        for (int size : {23, 24, 37}) {
            const InputShape input{size, size + 5, 2};
            const ModelSummary summary = summarizeModel(model, input, 4);
            QVERIFY2(!summary.hasErrors(), qPrintable(summary.errorText()));
            const Result<ModuleProbe> probe = probeModule(model, input, 4, 3);
            QVERIFY2(probe.ok(), qPrintable(probe.error()));
            for (int i = 0; i < summary.layers.size(); ++i) {
                QCOMPARE(probe->layerOutputShapes[i], summary.layers[i].outputShape);
            }
            QCOMPARE(probe->trainableParams, summary.trainableParams);
            QCOMPARE(probe->nonTrainableParams, summary.nonTrainableParams);
        }
    }

    void invalidStackIsAFailure()
    {
        const Result<ModelTemplate> seed = loadTemplate(QStringLiteral("seed"));
        QVERIFY(seed.ok());
        const Result<torch::nn::Sequential> built = buildModule(seed->model, {28, 28, 3}, 10);
        QVERIFY(!built.ok());
        QVERIFY2(built.error().contains(QLatin1String("Layer 10 (Conv2D)")),
                 qPrintable(built.error()));
        QVERIFY(!probeModule(seed->model, {64, 64, 3}, 7).ok()); // 10 units, 7 classes
    }

    // TensorFlow pads "same" with the extra row and column at the bottom and right.
    void sameConvolutionPadsLikeTensorFlow()
    {
        LayerSpec spec = LayerSpec::conv2D(1, {2, 2}, Padding::Same);
        spec.useBias = false;
        Conv2DLayer conv(spec, 1);
        {
            torch::NoGradGuard noGrad;
            conv->weight.fill_(1);
        }
        const torch::Tensor y = conv->forward(counting(3));
        QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{1, 1, 3, 3}));
        QCOMPARE(valueAt(y, 0, 0), 1.f + 2 + 4 + 5);
        QCOMPARE(valueAt(y, 0, 2), 3.f + 6);
        QCOMPARE(valueAt(y, 2, 0), 7.f + 8);
        QCOMPARE(valueAt(y, 2, 2), 9.f);

        // Stride 2 on 4x4 with a 3x3 kernel: TF pads 0 before and 1 after.
        LayerSpec strided = LayerSpec::conv2D(1, {3, 3}, Padding::Same);
        strided.strides = Size2{2, 2};
        strided.useBias = false;
        Conv2DLayer conv2(strided, 1);
        {
            torch::NoGradGuard noGrad;
            conv2->weight.fill_(1);
        }
        const torch::Tensor z = conv2->forward(counting(4));
        QCOMPARE(z.sizes().vec(), (std::vector<int64_t>{1, 1, 2, 2}));
        QCOMPARE(valueAt(z, 0, 0), 1.f + 2 + 3 + 5 + 6 + 7 + 9 + 10 + 11);
        QCOMPARE(valueAt(z, 1, 1), 11.f + 12 + 15 + 16);
        QCOMPARE(samePadding(4, 3, 2), (std::array<int64_t, 2>{0, 1}));
        QCOMPARE(samePadding(5, 3, 2), (std::array<int64_t, 2>{1, 1}));
        QCOMPARE(samePadding(28, 2, 1), (std::array<int64_t, 2>{0, 1}));
    }

    void samePoolingMatchesTensorFlow()
    {
        LayerSpec maxSpec = LayerSpec::maxPooling2D();
        maxSpec.padding = Padding::Same;
        Pooling2DLayer maxPool(maxSpec);
        // All negative: a zero pad would win the max; TF's padding never does.
        const torch::Tensor negative = -counting(3);
        const torch::Tensor m = maxPool->forward(negative);
        QCOMPARE(m.sizes().vec(), (std::vector<int64_t>{1, 1, 2, 2}));
        QCOMPARE(valueAt(m, 0, 0), -1.f);
        QCOMPARE(valueAt(m, 0, 1), -3.f);
        QCOMPARE(valueAt(m, 1, 1), -9.f);

        LayerSpec avgSpec = LayerSpec::averagePooling2D();
        avgSpec.padding = Padding::Same;
        Pooling2DLayer avgPool(avgSpec);
        // TF averages over the cells inside the image only.
        const torch::Tensor a = avgPool->forward(counting(3));
        QCOMPARE(valueAt(a, 0, 0), (1.f + 2 + 4 + 5) / 4);
        QCOMPARE(valueAt(a, 0, 1), (3.f + 6) / 2);
        QCOMPARE(valueAt(a, 1, 0), (7.f + 8) / 2);
        QCOMPARE(valueAt(a, 1, 1), 9.f);
    }

    // Keras: glorot_uniform kernels in +-sqrt(6 / (fan_in + fan_out)), zero biases, BN 1 / 0.
    void initialisationMatchesKeras()
    {
        const ModelSpec model =
            stackOf({LayerSpec::conv2D(64, {3, 3}), LayerSpec::batchNormalization(),
                     LayerSpec::flatten(), LayerSpec::dense(300)});
        const Result<torch::nn::Sequential> built = buildModule(model, {5, 5, 32}, 300);
        QVERIFY2(built.ok(), qPrintable(built.error()));
        torch::nn::Sequential module = *built;
        const auto conv = module[0]->as<Conv2DLayerImpl>();
        const auto bn = module[1]->as<BatchNormalizationLayerImpl>();
        const auto dense = module[3]->as<DenseLayerImpl>();
        QVERIFY(conv && bn && dense);

        const double convLimit = std::sqrt(6.0 / (32 * 9 + 64 * 9));
        QVERIFY(conv->weight.abs().max().item<double>() <= convLimit);
        // Uniform on [-l, l] has standard deviation l / sqrt(3); 18432 draws.
        QVERIFY(std::abs(conv->weight.std().item<double>() - convLimit / std::sqrt(3.0)) <
                0.03 * convLimit);
        QCOMPARE(conv->bias.abs().sum().item<double>(), 0.0);

        const double denseLimit = std::sqrt(6.0 / (3 * 3 * 64 + 300));
        QCOMPARE(dense->weight.sizes().vec(), (std::vector<int64_t>{300, 576}));
        QVERIFY(dense->weight.abs().max().item<double>() <= denseLimit);
        QVERIFY(dense->weight.abs().max().item<double>() > 0.95 * denseLimit);
        QCOMPARE(dense->bias.abs().sum().item<double>(), 0.0);

        QVERIFY(torch::equal(bn->weight, torch::ones({64})));
        QVERIFY(torch::equal(bn->bias, torch::zeros({64})));
        QVERIFY(torch::equal(bn->running_var, torch::ones({64})));
    }

    // Keras's momentum 0.99 updates the moving mean by 1% of the batch mean per step.
    void batchNormalizationUsesKerasMomentum()
    {
        BatchNormalizationLayer bn(LayerSpec::batchNormalization(), 2);
        bn->train();
        const torch::Tensor x = torch::full({4, 2, 3, 3}, 5.0);
        const torch::Tensor y = bn->forward(x);
        QVERIFY(torch::allclose(bn->running_mean, torch::full({2}, 0.05)));
        QVERIFY(y.abs().max().item<double>() < 1e-3); // normalised by the batch statistics
        bn->eval();
        // Eval: (5 - 0.05) / sqrt(var + 1e-3), var = 0.99 * 1 + 0.01 * 0 (unbiased var is 0).
        const double expected = (5 - 0.05) / std::sqrt(0.99 + 1e-3);
        QVERIFY(std::abs(bn->forward(x)[0][0][0][0].item<double>() - expected) < 1e-4);
    }

    // Recomputed statistics are the size-weighted mean of the batches' means and unbiased
    // variances, whatever they were before, measured with Dropout off; momenta are kept.
    void batchNormStatisticsAreRecomputed()
    {
        Result<torch::nn::Sequential> built =
            buildModule(stackOf({LayerSpec::dropout(0.5), LayerSpec::batchNormalization(),
                                 LayerSpec::flatten(), LayerSpec::dense(2, Activation::Softmax)}),
                        {2, 2, 1}, 2);
        QVERIFY2(built.ok(), qPrintable(built.error()));
        torch::nn::Sequential module = *built;
        auto* bn = module[1]->as<BatchNormalizationLayerImpl>();
        bn->running_mean.fill_(7.0);
        bn->running_var.fill_(9.0);
        torch::manual_seed(1);
        const std::vector<torch::Tensor> batches = {torch::randn({4, 1, 2, 2}) * 3 + 1,
                                                    torch::randn({2, 1, 2, 2}) + 5,
                                                    torch::randn({1, 1, 2, 2})}; // one: skipped
        size_t next = 0;
        module->train();
        const int64_t seen = recomputeBatchNormStatistics(
            module, [&] { return next < batches.size() ? batches[next++] : torch::Tensor(); });
        QCOMPARE(seen, int64_t(6));
        QVERIFY(module->is_training()); // the mode is given back
        QCOMPARE(bn->spec.momentum, 0.99);
        const auto var = [](const torch::Tensor& x) {
            return x.var(/*unbiased=*/true).item<double>();
        };
        const double mean =
            (batches[0].mean().item<double>() * 4 + batches[1].mean().item<double>() * 2) / 6;
        const double variance = (var(batches[0]) * 4 + var(batches[1]) * 2) / 6;
        QVERIFY2(std::abs(bn->running_mean.item<double>() - mean) < 1e-5,
                 qPrintable(QString::number(bn->running_mean.item<double>())));
        QVERIFY2(std::abs(bn->running_var.item<double>() - variance) < 1e-4,
                 qPrintable(QString::number(bn->running_var.item<double>())));

        // No images: the statistics stay as they were.
        QCOMPARE(recomputeBatchNormStatistics(module, [] { return torch::Tensor(); }), int64_t(0));
        QVERIFY(std::abs(bn->running_mean.item<double>() - mean) < 1e-5);
        Result<torch::nn::Sequential> plain =
            buildModule(stackOf({LayerSpec::flatten(), LayerSpec::dense(2)}), {2, 2, 1}, 2);
        QVERIFY(plain.ok());
        torch::nn::Sequential plainModule = *plain;
        QVERIFY(!hasBatchNormalization(plainModule));
        QVERIFY(hasBatchNormalization(module));
    }

    // The module returns logits; the spec's softmax stays its output activation.
    void outputIsLogits()
    {
        const Result<ModelTemplate> seed = loadTemplate(QStringLiteral("seed"));
        QVERIFY(seed.ok());
        QCOMPARE(outputActivation(seed->model), Activation::Softmax);
        Result<torch::nn::Sequential> built = buildModule(seed->model, {64, 64, 3}, 10);
        QVERIFY2(built.ok(), qPrintable(built.error()));
        torch::nn::Sequential module = *built;
        QCOMPARE(module->size(), size_t(16));
        QCOMPARE(module[15]->as<DenseLayerImpl>()->spec.activation, Activation::Linear);
        QCOMPARE(module[14]->as<DenseLayerImpl>()->spec.activation, Activation::Relu);
        module->eval();
        torch::NoGradGuard noGrad;
        const torch::Tensor logits = module->forward(torch::rand({3, 3, 64, 64}));
        QCOMPARE(logits.sizes().vec(), (std::vector<int64_t>{3, 10}));
        // Softmax output would be positive and sum to 1 per row; logits need not.
        QVERIFY(logits.min().item<double>() < 0 ||
                std::abs(logits.sum(1)[0].item<double>() - 1) > 1e-3);
        const torch::Tensor probabilities = torch::softmax(logits, 1);
        QVERIFY(torch::allclose(probabilities.sum(1), torch::ones({3})));
    }

    void dropoutOnlyInTraining()
    {
        DropoutLayer dropout(LayerSpec::dropout(0.5));
        const torch::Tensor x = torch::ones({1000, 10});
        dropout->eval();
        QVERIFY(torch::equal(dropout->forward(x), x));
        dropout->train();
        const torch::Tensor y = dropout->forward(x);
        const double zeros = (y == 0).sum().item<double>() / 10000.0;
        QVERIFY(zeros > 0.45 && zeros < 0.55);
        QVERIFY(torch::allclose(y.max(), torch::tensor(2.0f))); // inverted dropout scaling
    }

    void activations()
    {
        const torch::Tensor x = torch::tensor({-2.0f, 0.0f, 3.0f}).reshape({1, 3});
        QVERIFY(torch::allclose(applyActivation(x, Activation::Relu),
                                torch::tensor({0.0f, 0.0f, 3.0f}).reshape({1, 3})));
        QVERIFY(torch::allclose(applyActivation(x, Activation::LeakyRelu),
                                torch::tensor({-0.4f, 0.0f, 3.0f}).reshape({1, 3})));
        QVERIFY(torch::allclose(applyActivation(x, Activation::Elu),
                                torch::tensor({std::exp(-2.0f) - 1, 0.0f, 3.0f}).reshape({1, 3})));
        QVERIFY(torch::equal(applyActivation(x, Activation::Linear), x));
        QVERIFY(
            torch::allclose(applyActivation(x, Activation::Softmax).sum(), torch::tensor(1.0f)));
        QVERIFY(torch::allclose(applyActivation(x, Activation::Sigmoid), torch::sigmoid(x)));
        QVERIFY(torch::allclose(applyActivation(x, Activation::Tanh), torch::tanh(x)));
    }

    // A Conv2D or Dense layer's ReLU and leaky ReLU cost no tensor of their own: they overwrite
    // the layer's fresh output (its version counter moves), or run inside the layer's oneDNN
    // primitive (a Dense layer's ReLU; a channels-first batch keeps LibTorch's convolution).
    // Either way they give the values and gradients of the formula written out.
    void reluLayersActivateInPlace_data()
    {
        QTest::addColumn<bool>("convolution");
        QTest::addColumn<int>("activation");
        QTest::addColumn<bool>("fused");
        QTest::newRow("Conv2D relu") << true << int(Activation::Relu) << false;
        QTest::newRow("Conv2D leaky relu") << true << int(Activation::LeakyRelu) << false;
        QTest::newRow("Dense relu") << false << int(Activation::Relu) << true;
        QTest::newRow("Dense leaky relu") << false << int(Activation::LeakyRelu) << false;
    }

    void reluLayersActivateInPlace()
    {
        QFETCH(bool, convolution);
        QFETCH(int, activation);
        QFETCH(bool, fused);
        const auto act = Activation(activation);
        const torch::Tensor x = convolution ? torch::randn({2, 3, 6, 6}) : torch::randn({2, 5});
        torch::Tensor weight;
        torch::Tensor out;
        torch::Tensor w; // a copy of the weights for the formula
        torch::Tensor expected;
        if (convolution) {
            Conv2DLayer layer(LayerSpec::conv2D(4, {2, 2}, Padding::Valid, act), 3);
            weight = layer->weight;
            out = layer->forward(x);
            w = weight.detach().clone().set_requires_grad(true);
            expected = applyActivation(torch::conv2d(x, w, layer->bias.detach()), act);
        } else {
            DenseLayer layer(LayerSpec::dense(4, act), 5);
            weight = layer->weight;
            out = layer->forward(x);
            w = weight.detach().clone().set_requires_grad(true);
            expected = applyActivation(torch::linear(x, w, layer->bias.detach()), act);
        }
        if (fused) {
            QCOMPARE(QString::fromStdString(out.grad_fn()->name()),
                     QStringLiteral("DnnlLayerBackward"));
        } else {
            QVERIFY(out._version() > 0);
        }
        out.pow(2).sum().backward();
        expected.pow(2).sum().backward();
        QVERIFY(torch::allclose(out, expected));
        QVERIFY(torch::allclose(weight.grad(), w.grad()));
        QVERIFY(weight.grad().abs().sum().item<double>() > 0);
    }

    // Moving a Conv2D's or an Activation layer's ReLU past the MaxPooling2D after it changes
    // neither the network's output nor any gradient, bit for bit: with valid and same pooling,
    // overlapping windows, a BatchNormalization before the pooling, both memory layouts, and
    // inputs on a coarse grid, so that windows hold ties and windows whose maximum is negative.
    // Other activations, and a ReLU with no pooling after it, stay.
    void reluMovesPastMaxPoolingExactly_data()
    {
        QTest::addColumn<bool>("channelsLast");
        QTest::newRow("channels-first") << false;
        QTest::newRow("channels-last") << true;
    }

    void reluMovesPastMaxPoolingExactly()
    {
        QFETCH(bool, channelsLast);
        LayerSpec overlapping = LayerSpec::maxPooling2D({3, 3});
        overlapping.strides = Size2{1, 1};
        LayerSpec same = LayerSpec::maxPooling2D({2, 2});
        same.padding = Padding::Same;
        const ModelSpec model = stackOf(
            {LayerSpec::conv2D(6, {2, 2}, Padding::Valid, Activation::Relu),
             LayerSpec::maxPooling2D(), // moved
             LayerSpec::conv2D(5, {3, 3}, Padding::Same, Activation::Relu),
             overlapping,                                                    // moved
             LayerSpec::conv2D(4, {2, 2}, Padding::Valid, Activation::Relu), // no pooling after
             LayerSpec::conv2D(4, {2, 2}, Padding::Valid, Activation::LeakyRelu),
             same, // not moved: leaky
             LayerSpec::conv2D(4, {2, 2}, Padding::Valid, Activation::Linear),
             LayerSpec::batchNormalization(), LayerSpec::activationLayer(Activation::Relu),
             LayerSpec::maxPooling2D(), // moved from the Activation layer
             LayerSpec::flatten(), LayerSpec::dense(3, Activation::Softmax)});
        const InputShape input{27, 27, 2};
        torch::manual_seed(5);
        Result<torch::nn::Sequential> plain = buildModule(model, input, 3);
        Result<torch::nn::Sequential> moved = buildModule(model, input, 3);
        QVERIFY2(plain.ok() && moved.ok(), "built");
        {
            torch::NoGradGuard noGrad;
            const auto from = (*plain)->parameters();
            const auto to = (*moved)->parameters();
            for (size_t i = 0; i < from.size(); ++i) {
                // On a grid of 1/4, so that sums tie too.
                to[i].copy_(from[i].mul(4).round().div(4));
                from[i].copy_(to[i]);
            }
        }
        if (channelsLast) {
            useChannelsLast(**plain);
            useChannelsLast(**moved);
        }
        QCOMPARE(activateAfterMaxPooling(*moved), 3);
        QCOMPARE(activateAfterMaxPooling(*moved), 0); // already moved
        const torch::Tensor x = inMemoryFormat(
            torch::randint(-3, 4, {4, 2, 27, 27}).to(torch::kFloat),
            channelsLast ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous);
        const torch::Tensor a = (*plain)->forward(x);
        const torch::Tensor b = (*moved)->forward(x);
        QVERIFY(torch::equal(a, b));
        const torch::Tensor weights = torch::arange(1, 13, torch::kFloat).reshape({4, 3});
        a.mul(weights).sum().backward();
        b.mul(weights).sum().backward();
        const auto pg = (*plain)->parameters();
        const auto mg = (*moved)->parameters();
        for (size_t i = 0; i < pg.size(); ++i) {
            QVERIFY2(pg[i].grad().abs().sum().item<double>() > 0, qPrintable(QString::number(i)));
            QVERIFY2(torch::equal(pg[i].grad(), mg[i].grad()), qPrintable(QString::number(i)));
        }
        // Some windows of the first pooling have a negative maximum (their gradient is zero).
        const torch::Tensor firstConv = (*plain)->ptr(0)->as<Conv2DLayerImpl>()->forward(x);
        QVERIFY(torch::max_pool2d(firstConv, {2, 2}, {2, 2}).eq(0).sum().item<int64_t>() > 0);
    }

    // Every network with convolutions trains channels-last, whatever the image size; a network
    // of Dense layers alone has no 4-D tensors to lay out.
    void channelsLastForConvolutionalNetworks()
    {
        for (const QString& name : templateNames()) {
            const Result<ModelTemplate> t = loadTemplate(name);
            QVERIFY2(t.ok(), qPrintable(t.error()));
            QVERIFY2(prefersChannelsLast(t->model), qPrintable(name));
        }
        QVERIFY(!prefersChannelsLast(
            stackOf({LayerSpec::flatten(), LayerSpec::dense(10, Activation::Softmax)})));
    }

    // A one-channel batch is restrided (contiguous() would keep its NCHW strides, which count
    // as channels-last already); a many-channel one too; the values stay.
    void inMemoryFormatRestridesEveryBatch()
    {
        for (const int channels : {1, 3, 5}) {
            const torch::Tensor planes = torch::rand({4, channels, 6, 7});
            QCOMPARE(planes.contiguous(torch::MemoryFormat::ChannelsLast).stride(1) == 1,
                     channels > 1);
            const torch::Tensor last = inMemoryFormat(planes, torch::MemoryFormat::ChannelsLast);
            QCOMPARE(last.stride(1), int64_t(1));
            QCOMPARE(last.stride(3), int64_t(channels));
            QVERIFY(torch::equal(last, planes));
            QCOMPARE(inMemoryFormat(last, torch::MemoryFormat::ChannelsLast).data_ptr(),
                     last.data_ptr());
            const torch::Tensor back = inMemoryFormat(last, torch::MemoryFormat::Contiguous);
            QVERIFY(back.is_contiguous());
            QVERIFY(torch::equal(back, planes));
        }
    }

    void deviceSelection()
    {
        QCOMPARE(preferredDeviceName(),
                 cudaAvailable() ? QStringLiteral("cuda:0") : QStringLiteral("cpu"));
    }
};

QTEST_GUILESS_MAIN(TestModelBuilder)
#include "tst_modelbuilder.moc"
