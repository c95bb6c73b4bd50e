// Tests of the Conv2D and Dense layers on oneDNN primitives (core/model/dnnllayers): values and
// gradients against LibTorch's operators, the cases left to LibTorch, and autograd's guards.
#include "model/dnnllayers_p.h"

#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <QtTest>

using namespace studio;

namespace {

namespace F = torch::nn::functional;

torch::Tensor channelsLast(const torch::Tensor& t)
{
    return t.contiguous(torch::MemoryFormat::ChannelsLast);
}

// The gradients reaching `inputs` from `up` through `y`.
std::vector<torch::Tensor> gradientsOf(const torch::Tensor& y,
                                       const std::vector<torch::Tensor>& inputs,
                                       const torch::Tensor& up)
{
    return torch::autograd::grad({y}, inputs, {up});
}

// LibTorch's convolution as Conv2DLayerImpl ran it before: asymmetric padding by F::pad.
torch::Tensor torchConvolution(const torch::Tensor& x, const torch::Tensor& w,
                               const torch::Tensor& b, const ConvolutionSteps& s, bool relu)
{
    const auto& p = s.pads;
    torch::Tensor input = x;
    std::vector<int64_t> symmetric = {0, 0};
    if (p[0] == p[1] && p[2] == p[3]) {
        symmetric = {p[0], p[2]};
    } else {
        input = F::pad(x, F::PadFuncOptions({p[2], p[3], p[0], p[1]}));
    }
    const torch::Tensor y = torch::conv2d(input, w, b, {s.strides[0], s.strides[1]}, symmetric);
    return relu ? torch::relu(y) : y;
}

// Where the gradients reaching x, w and b (when b is defined) from `up` through `ours` and
// through `theirs` part: equal to the bit (`exact`) or within float32 rounding. Empty when
// they agree.
QString gradientMismatch(const torch::Tensor& ours, const torch::Tensor& theirs,
                         const torch::Tensor& up, const torch::Tensor& x, const torch::Tensor& w,
                         const torch::Tensor& b, bool exact)
{
    std::vector<torch::Tensor> inputs = {x, w};
    if (b.defined()) {
        inputs.push_back(b);
    }
    const auto a = gradientsOf(ours, inputs, up);
    const auto e = gradientsOf(theirs, inputs, up);
    for (size_t i = 0; i < inputs.size(); ++i) {
        if (exact ? !torch::equal(a[i], e[i]) : !torch::allclose(a[i], e[i], 1e-5, 1e-5)) {
            return QStringLiteral("gradient %1 differs by %2")
                .arg(i)
                .arg((a[i] - e[i]).abs().max().item<double>());
        }
    }
    return {};
}

// A leaf copy of `t` that wants its gradient.
torch::Tensor leaf(const torch::Tensor& t)
{
    return t.detach().clone(torch::MemoryFormat::Preserve).requires_grad_();
}

} // namespace

class TestDnnlLayers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::manual_seed(5); }
    void cleanup() { at::set_num_threads(2); }

    // The tutorial's first two layers, grey images, no bias, strides, "same" padding both
    // symmetric and asymmetric (2x2 windows pad only the bottom and the right), weights in both
    // of LibTorch's layouts, one and two threads.
    void convolutionIsTorchsToTheBit_data()
    {
        QTest::addColumn<QVector<int>>("shape"); // n, c, h, w, filters, kernel rows, kernel cols
        QTest::addColumn<QVector<int>>("steps"); // stride rows, cols, pad top, bottom, left, right
        QTest::addColumn<bool>("bias");
        QTest::addColumn<bool>("relu");
        QTest::addColumn<bool>("weightsChannelsLast");
        QTest::addColumn<int>("threads");
        const QVector<int> valid = {1, 1, 0, 0, 0, 0};
        QTest::newRow("tutorial first layer, relu")
            << QVector<int>{20, 3, 64, 64, 12, 2, 2} << valid << true << true << true << 2;
        QTest::newRow("tutorial second layer, no relu")
            << QVector<int>{20, 12, 63, 63, 12, 2, 2} << valid << true << false << true << 2;
        QTest::newRow("grey, no bias, one thread")
            << QVector<int>{3, 1, 17, 15, 8, 3, 3} << valid << false << true << true << 1;
        QTest::newRow("strides 2x1, same 3x3")
            << QVector<int>{4, 5, 13, 11, 16, 3, 3} << QVector<int>{2, 1, 1, 1, 1, 1} << true
            << true << true << 2;
        QTest::newRow("same 2x2 (bottom and right)")
            << QVector<int>{2, 4, 9, 10, 6, 2, 2} << QVector<int>{1, 1, 0, 1, 0, 1} << true << true
            << true << 2;
        QTest::newRow("weights channels-first")
            << QVector<int>{2, 7, 8, 8, 33, 2, 2} << valid << true << true << false << 2;
    }

    void convolutionIsTorchsToTheBit()
    {
        QFETCH(QVector<int>, shape);
        QFETCH(QVector<int>, steps);
        QFETCH(bool, bias);
        QFETCH(bool, relu);
        QFETCH(bool, weightsChannelsLast);
        QFETCH(int, threads);
        at::set_num_threads(threads);
        const torch::Tensor x =
            leaf(channelsLast(torch::randn({shape[0], shape[1], shape[2], shape[3]})));
        torch::Tensor w = torch::randn({shape[4], shape[1], shape[5], shape[6]});
        w = leaf(weightsChannelsLast ? channelsLast(w) : w);
        const torch::Tensor b = bias ? leaf(torch::randn({shape[4]})) : torch::Tensor();
        const ConvolutionSteps s{{steps[0], steps[1]}, {steps[2], steps[3], steps[4], steps[5]}};
        QVERIFY(canConvolveWithDnnl(x, w));

        const torch::Tensor y = dnnlConvolution(makeDnnlPlans(), x, w, b, s, relu);
        const torch::Tensor expected = torchConvolution(x, w, b, s, relu);
        QCOMPARE(y.sizes().vec(), expected.sizes().vec());
        QVERIFY(y.is_contiguous(torch::MemoryFormat::ChannelsLast));
        QVERIFY(torch::equal(y, expected));

        const torch::Tensor up = channelsLast(torch::randn(y.sizes()));
        const QString mismatch = gradientMismatch(y, expected, up, x, w, b, true);
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
        const torch::Tensor again = dnnlConvolution(makeDnnlPlans(), x, w, b, s, relu);
        const torch::Tensor gradWeight = gradientsOf(again, {w}, up)[0]; // laid out as w
        QVERIFY(gradWeight.is_contiguous(weightsChannelsLast ? torch::MemoryFormat::ChannelsLast
                                                             : torch::MemoryFormat::Contiguous));
    }

    // oneDNN's inner product sums in another order than the BLAS: equal within float32's
    // rounding, for a batch of one and of the tutorial, with and without bias.
    void denseMatchesTorch_data()
    {
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("features");
        QTest::addColumn<int>("units");
        QTest::addColumn<bool>("bias");
        QTest::addColumn<bool>("relu");
        QTest::newRow("tutorial 400 -> 750, relu") << 20 << 400 << 750 << true << true;
        QTest::newRow("tutorial 250 -> 10, linear") << 20 << 250 << 10 << true << false;
        QTest::newRow("one image, no bias") << 1 << 37 << 5 << false << true;
    }

    void denseMatchesTorch()
    {
        QFETCH(int, batch);
        QFETCH(int, features);
        QFETCH(int, units);
        QFETCH(bool, bias);
        QFETCH(bool, relu);
        const torch::Tensor x = leaf(torch::randn({batch, features}));
        const torch::Tensor w = leaf(torch::randn({units, features}) * 0.05);
        const torch::Tensor b = bias ? leaf(torch::randn({units})) : torch::Tensor();
        QVERIFY(canDenseWithDnnl(x, w));
        const torch::Tensor y = dnnlDense(makeDnnlPlans(), x, w, b, relu);
        torch::Tensor expected = torch::linear(x, w, b);
        expected = relu ? torch::relu(expected) : expected;
        QVERIFY(torch::allclose(y, expected, 1e-5, 1e-5));
        QVERIFY(!relu || y.min().item<float>() == 0.0f); // some units are cut

        const torch::Tensor up = torch::randn(y.sizes());
        const QString mismatch = gradientMismatch(y, expected, up, x, w, b, false);
        QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
    }

    // One layer's plans serve every batch size it meets (the last batch of an epoch is smaller)
    // and each call's gradient uses its own shape's primitives. (A batch of one image is left
    // out: LibTorch runs it on its own convolution, not oneDNN, so the bits differ.)
    void onePlanPerShape()
    {
        const auto plans = makeDnnlPlans();
        const torch::Tensor w = leaf(channelsLast(torch::randn({6, 3, 2, 2})));
        const torch::Tensor b = leaf(torch::randn({6}));
        for (int n : {5, 2, 5, 3}) {
            const torch::Tensor x = leaf(channelsLast(torch::randn({n, 3, 7, 7})));
            const torch::Tensor y = dnnlConvolution(plans, x, w, b, {}, true);
            const torch::Tensor expected = torchConvolution(x, w, b, {}, true);
            QVERIFY(torch::equal(y, expected));
            const torch::Tensor up = channelsLast(torch::randn(y.sizes()));
            const torch::Tensor ours = gradientsOf(y, {x}, up)[0];
            const torch::Tensor theirs = gradientsOf(expected, {x}, up)[0];
            QVERIFY2(torch::equal(ours, theirs),
                     qPrintable(QStringLiteral("batch %1: %2")
                                    .arg(n)
                                    .arg((ours - theirs).abs().max().item<double>())));
        }
    }

    // A frozen layer (transfer learning) passes the gradient on to its input and gives its
    // weights none; a first layer, whose input wants no gradient, gives only its weights'.
    void onlyTheGradientsWantedAreMade()
    {
        const torch::Tensor w = channelsLast(torch::randn({4, 3, 2, 2}));
        const torch::Tensor b = torch::randn({4});
        const torch::Tensor x = leaf(channelsLast(torch::randn({2, 3, 5, 5})));
        torch::Tensor y = dnnlConvolution(makeDnnlPlans(), x, w, b, {}, false);
        y.sum().backward();
        QVERIFY(x.grad().defined());
        QVERIFY(torch::equal(x.grad(), gradientsOf(torchConvolution(x, w, b, {}, false), {x},
                                                   torch::ones(y.sizes()))[0]));

        const torch::Tensor trained = leaf(w);
        const torch::Tensor image = channelsLast(torch::randn({2, 3, 5, 5}));
        y = dnnlConvolution(makeDnnlPlans(), image, trained, b, {}, true);
        y.sum().backward();
        QVERIFY(trained.grad().defined());
        QVERIFY(!image.requires_grad());
    }

    // A window larger than its input is refused with a message that says what to change (no
    // empty output for the next layer to stumble on), as LibTorch refuses it.
    void aWindowLargerThanItsInputIsRefused()
    {
        const torch::Tensor w = channelsLast(torch::randn({4, 3, 3, 3}));
        const torch::Tensor x = channelsLast(torch::randn({2, 3, 2, 5}));
        QString message;
        try {
            dnnlConvolution(makeDnnlPlans(), x, w, torch::Tensor(), {}, true);
        } catch (const std::invalid_argument& error) {
            message = QString::fromUtf8(error.what());
        }
        QVERIFY2(message.contains(QStringLiteral("3x3 is larger than its input of 2x5")) &&
                     message.contains(QStringLiteral("larger image size")),
                 qPrintable(message));
        const ConvolutionSteps padded{{1, 1}, {1, 1, 1, 1}}; // 4x7 once padded: fits
        QCOMPARE(
            dnnlConvolution(makeDnnlPlans(), x, w, torch::Tensor(), padded, true).sizes().vec(),
            (std::vector<int64_t>{2, 4, 2, 5}));
    }

    // Under InferenceMode (validation, prediction) no gradient node is recorded.
    void inferenceRecordsNoGraph()
    {
        const torch::Tensor w = leaf(channelsLast(torch::randn({4, 3, 2, 2})));
        const torch::Tensor x = channelsLast(torch::randn({2, 3, 5, 5}));
        torch::Tensor y;
        {
            c10::InferenceMode inference;
            y = dnnlConvolution(makeDnnlPlans(), x, w, torch::Tensor(), {}, true);
            QVERIFY(!y.requires_grad());
        }
        QVERIFY(torch::equal(y, torch::relu(torch::conv2d(x, w.detach()))));
    }

    // The fused ReLU keeps its output for the gradient: changing that output in place
    // afterwards is caught, as LibTorch catches it for its own ReLU.
    void changingTheKeptOutputIsCaught()
    {
        const torch::Tensor x = leaf(torch::randn({3, 8}));
        const torch::Tensor w = leaf(torch::randn({4, 8}));
        torch::Tensor y = dnnlDense(makeDnnlPlans(), x, w, torch::Tensor(), true);
        y.mul_(2);
        bool caught = false;
        try {
            y.sum().backward();
        } catch (const c10::Error&) {
            caught = true;
        }
        QVERIFY(caught);
    }

    // What stays with LibTorch: channels-first batches of more than one channel, other types,
    // bfloat16 autocast (mixed precision), and Dense inputs that are not [N, features].
    void otherCallsStayWithTorch()
    {
        const torch::Tensor w = torch::randn({4, 3, 2, 2});
        QVERIFY(canConvolveWithDnnl(channelsLast(torch::randn({2, 3, 5, 5})), w));
        QVERIFY(!canConvolveWithDnnl(torch::randn({2, 3, 5, 5}), w));
        QVERIFY(!canConvolveWithDnnl(channelsLast(torch::randn({2, 3, 5, 5})).to(torch::kDouble),
                                     w.to(torch::kDouble)));
        QVERIFY(
            !canConvolveWithDnnl(channelsLast(torch::randn({2, 3, 5, 5})), w.to(torch::kBFloat16)));
        QVERIFY(canDenseWithDnnl(torch::randn({2, 3}), torch::randn({4, 3})));
        QVERIFY(!canDenseWithDnnl(torch::randn({2, 5, 3}), torch::randn({4, 3})));
        at::autocast::set_cpu_enabled(true);
        const bool refusedUnderAutocast =
            !canDenseWithDnnl(torch::randn({2, 3}), torch::randn({4, 3})) &&
            !canConvolveWithDnnl(channelsLast(torch::randn({2, 3, 5, 5})), w);
        at::autocast::set_cpu_enabled(false);
        QVERIFY(refusedUnderAutocast);
    }
};

QTEST_GUILESS_MAIN(TestDnnlLayers)
#include "tst_dnnllayers.moc"
