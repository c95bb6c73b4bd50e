// Tests of the fused ReLU and 2x2 max pooling (core/model/poolingkernels): it gives exactly
// the values and the gradients of torch::relu(torch::max_pool2d(x, 2, 2)).
#include "model/poolingkernels_p.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <QtTest>

using namespace studio;

namespace {

bool hasAvx512()
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl");
}

const std::vector<int64_t> kTwo = {2, 2};

// Whole numbers from -3 to 3, channels-last: windows with ties, and windows whose maximum is
// zero or negative (the ReLU blocks their gradient).
torch::Tensor tiedBatch(int64_t n, int64_t c, int64_t h, int64_t w)
{
    return torch::randint(-3, 4, {n, c, h, w})
        .to(torch::kFloat)
        .contiguous(torch::MemoryFormat::ChannelsLast)
        .requires_grad_();
}

// The gradient reaching x from `up` through f(x).
torch::Tensor gradientOf(const torch::Tensor& y, const torch::Tensor& x, const torch::Tensor& up)
{
    return torch::autograd::grad({y}, {x}, {up})[0];
}

torch::Tensor reference(const torch::Tensor& x)
{
    return torch::relu(torch::max_pool2d(x, kTwo, kTwo));
}

} // namespace

class TestPoolingKernels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::manual_seed(11); }

    // Odd sides (a last row and column no window reaches), channel counts below, at and across
    // the 16-lane blocks (whose stores may spill into the next pixel, never past a row), one
    // and two threads.
    void valuesAndGradientsAreTorchs_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("c");
        QTest::addColumn<int>("h");
        QTest::addColumn<int>("w");
        QTest::newRow("tutorial's first pooling") << 4 << 12 << 62 << 62;
        QTest::newRow("two channels, odd sides") << 3 << 2 << 7 << 9;
        QTest::newRow("sixteen channels") << 2 << 16 << 6 << 8;
        QTest::newRow("seventeen channels, odd width") << 2 << 17 << 4 << 5;
        QTest::newRow("twenty-five channels, odd height") << 3 << 25 << 29 << 28;
        QTest::newRow("a hundred channels") << 2 << 100 << 5 << 4;
        QTest::newRow("one window") << 1 << 3 << 2 << 3;
    }

    void valuesAndGradientsAreTorchs()
    {
        QFETCH(int, n);
        QFETCH(int, c);
        QFETCH(int, h);
        QFETCH(int, w);
        const torch::Tensor x = tiedBatch(n, c, h, w);
        QCOMPARE(canReluMaxPool(x, kTwo, kTwo), hasAvx512());
        if (!canReluMaxPool(x, kTwo, kTwo)) {
            return; // never used here: the layer runs torch's operators (tst_modelbuilder)
        }
        const int threads = at::get_num_threads();
        for (const int t : {1, 2}) {
            at::set_num_threads(t);
            const torch::Tensor expected = reference(x);
            const torch::Tensor actual = reluMaxPooled(x);
            QVERIFY(actual.is_contiguous(torch::MemoryFormat::ChannelsLast));
            QVERIFY(torch::equal(actual, expected));
            QVERIFY(expected.eq(0).any().item<bool>()); // some windows are blocked
            const torch::Tensor up = torch::randn_like(expected);
            const torch::Tensor want = gradientOf(expected, x, up);
            const torch::Tensor got = gradientOf(actual, x, up);
            QVERIFY(got.is_contiguous(torch::MemoryFormat::ChannelsLast));
            QVERIFY2(torch::equal(got, want),
                     qPrintable(QStringLiteral("largest difference %1")
                                    .arg(got.sub(want).abs().max().item<double>())));
        }
        at::set_num_threads(threads);
    }

    // The gradient arriving channels-first, or broadcast from a sum, gives the same.
    void gradientInAnyLayoutIsTaken()
    {
        const torch::Tensor x = tiedBatch(2, 5, 6, 7);
        if (!canReluMaxPool(x, kTwo, kTwo)) {
            QVERIFY(!hasAvx512());
            return;
        }
        const torch::Tensor up = torch::randn({2, 5, 3, 3}); // channels-first
        QVERIFY(torch::equal(gradientOf(reluMaxPooled(x), x, up), gradientOf(reference(x), x, up)));
        const torch::Tensor summed = torch::autograd::grad({reluMaxPooled(x).sum()}, {x})[0];
        QVERIFY(torch::equal(summed, torch::autograd::grad({reference(x).sum()}, {x})[0]));
    }

    // A NaN wins its window, as in torch, and its gradient passes the ReLU.
    void notANumberWinsItsWindow()
    {
        torch::Tensor values = torch::randint(-3, 4, {1, 3, 4, 4}).to(torch::kFloat);
        values[0][1][2][3] = std::numeric_limits<float>::quiet_NaN();
        const torch::Tensor x =
            values.contiguous(torch::MemoryFormat::ChannelsLast).requires_grad_();
        if (!canReluMaxPool(x, kTwo, kTwo)) {
            QVERIFY(!hasAvx512());
            return;
        }
        const torch::Tensor actual = reluMaxPooled(x);
        const torch::Tensor expected = reference(x);
        QVERIFY(std::isnan(actual[0][1][1][1].item<float>()));
        QVERIFY(torch::allclose(actual, expected, 0, 0, /*equal_nan=*/true));
        const torch::Tensor up = torch::ones_like(expected);
        const torch::Tensor gradient = gradientOf(actual, x, up);
        QVERIFY(torch::equal(gradient, gradientOf(expected, x, up)));
        QCOMPARE(gradient[0][1][2][3].item<float>(), 1.0f);
    }

    // Everything else is left to torch's operators.
    void otherPoolingsAreRefused()
    {
        const torch::Tensor last = tiedBatch(2, 4, 6, 6);
        const torch::Tensor first = torch::rand({2, 4, 6, 6});
        QVERIFY(!canReluMaxPool(first, kTwo, kTwo));
        QVERIFY(!canReluMaxPool(last, {3, 3}, kTwo));
        QVERIFY(!canReluMaxPool(last, kTwo, {1, 1}));
        QVERIFY(!canReluMaxPool(last.to(torch::kDouble), kTwo, kTwo));
        QVERIFY(!canReluMaxPool(torch::rand({2, 1, 6, 6}), kTwo, kTwo)); // one channel
        QVERIFY(!canReluMaxPool(tiedBatch(2, 4, 1, 6), kTwo, kTwo));     // no whole window
        QCOMPARE(canReluMaxPool(last, kTwo, kTwo), hasAvx512());
    }
};

QTEST_GUILESS_MAIN(TestPoolingKernels)
#include "tst_poolingkernels.moc"
