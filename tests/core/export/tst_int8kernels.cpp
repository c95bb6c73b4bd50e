// Tests of the int8 engine's byte-level kernels (core/export/int8kernels): each gives exactly
// what the LibTorch operator it replaces gives.
#include "export/int8kernels_p.h"

#include <torch/torch.h>

#include <QtTest>

using namespace studio;

namespace {

// Random images with values beyond the range a scale covers, and values on the half-way points
// between two steps, where rounding half to even and half away from zero differ.
torch::Tensor awkwardImages(int64_t count, int64_t channels, int64_t size, double scale)
{
    torch::Tensor x = torch::rand({count, channels, size, size}) * 3.0 - 1.0;
    const torch::Tensor halves =
        (torch::randint(-40, 300, {count, channels, size, size}) + 0.5) * scale;
    const torch::Tensor pick = torch::rand({count, channels, size, size}) < 0.3;
    return torch::where(pick, halves.to(torch::kFloat), x).contiguous();
}

} // namespace

class TestInt8Kernels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::manual_seed(5); }

    void inputIsQuantizedAsLibTorchDoes_data()
    {
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("channels");
        QTest::addColumn<double>("scale");
        QTest::addColumn<int>("zeroPoint");
        QTest::newRow("one grey image") << 1 << 1 << 1.0 / 255.0 << 0;
        QTest::newRow("RGB batch, zero point inside") << 9 << 3 << 0.0117 << 87;
        QTest::newRow("four channels, wide scale") << 5 << 4 << 0.25 << 255;
    }

    // The same bytes as torch::quantize_per_tensor, channels-last, the out-of-range values
    // clamped and the half-way values rounded to even.
    void inputIsQuantizedAsLibTorchDoes()
    {
        QFETCH(int, count);
        QFETCH(int, channels);
        QFETCH(double, scale);
        QFETCH(int, zeroPoint);
        const torch::Tensor images = awkwardImages(count, channels, 13, scale);
        const torch::Tensor ours =
            quantizedInput(images.data_ptr<float>(), count, channels, 13, scale, zeroPoint);
        const torch::Tensor theirs =
            torch::quantize_per_tensor(images, scale, zeroPoint, torch::kQUInt8);
        QVERIFY(ours.is_contiguous(torch::MemoryFormat::ChannelsLast));
        QCOMPARE(ours.sizes().vec(), theirs.sizes().vec());
        QCOMPARE(ours.q_scale(), scale);
        QCOMPARE(ours.q_zero_point(), int64_t(zeroPoint));
        const torch::Tensor differ = ours.int_repr().ne(theirs.int_repr());
        QCOMPARE(differ.sum().item<int64_t>(), int64_t(0));
        QVERIFY(zeroPoint > 0 || ours.int_repr().eq(0).any().item<bool>()); // clamped below
        QVERIFY(ours.int_repr().eq(255).any().item<bool>());                // and above
    }

    void maxPoolingIsLibTorchs_data()
    {
        QTest::addColumn<int>("kernel");
        QTest::addColumn<int>("stride");
        QTest::addColumn<bool>("channelsLast");
        QTest::newRow("2x2, Keras's default") << 2 << 2 << true;
        QTest::newRow("3x3 stride 2, overlapping") << 3 << 2 << true;
        QTest::newRow("3x3 stride 3, channels-first input") << 3 << 3 << false;
    }

    // The same values as torch::max_pool2d on the quantized batch (odd, non-square sizes whose
    // last row and column fall outside every window), with the input's scale and zero point.
    void maxPoolingIsLibTorchs()
    {
        QFETCH(int, kernel);
        QFETCH(int, stride);
        QFETCH(bool, channelsLast);
        const torch::Tensor x = torch::quantize_per_tensor(torch::rand({3, 5, 11, 8}) * 4.0 - 1.0,
                                                           0.02, 50, torch::kQUInt8);
        const torch::Tensor input =
            channelsLast ? x.contiguous(torch::MemoryFormat::ChannelsLast) : x.contiguous();
        const torch::Tensor ours = maxPooled(input, {kernel, kernel}, {stride, stride});
        const torch::Tensor theirs =
            torch::max_pool2d(x, {kernel, kernel}, {stride, stride}, {0, 0}, {1, 1});
        QCOMPARE(ours.sizes().vec(), theirs.sizes().vec());
        QCOMPARE(ours.q_scale(), 0.02);
        QCOMPARE(ours.q_zero_point(), int64_t(50));
        QVERIFY(ours.int_repr().equal(theirs.int_repr()));
    }
};

QTEST_GUILESS_MAIN(TestInt8Kernels)
#include "tst_int8kernels.moc"
