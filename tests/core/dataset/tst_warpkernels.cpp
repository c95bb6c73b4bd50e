// Tests of the one-pass warp to network values (core/dataset/warpkernels): exact bilinear
// sampling with each border rule, for random maps, both layouts and rows that end mid-step,
// against a reference written plainly here; and the jobs it declines.
#include "dataset/warpkernels_p.h"

#include "datasetfixtures.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace studio;

namespace {

// Tap i of an axis of n pixels, moved into it as OpenCV's border modes move it; -1 for outside
// with Constant.
int borderTap(int i, int n, FillMode border)
{
    if (i >= 0 && i < n) {
        return i;
    }
    switch (border) {
    case FillMode::Nearest:
        return i < 0 ? 0 : n - 1;
    case FillMode::Reflect:
        return i < 0 ? -1 - i : 2 * n - 1 - i;
    case FillMode::Wrap:
        return ((i % n) + n) % n;
    case FillMode::Constant:
        break;
    }
    return -1;
}

// The job's output, sampled in double precision one value at a time.
std::vector<double> reference(const WarpToValues& job)
{
    const int size = job.size;
    const int channels = job.channels;
    const size_t plane = size_t(size) * size_t(size);
    std::vector<double> out(plane * size_t(channels));
    for (int y = 0; y < size; ++y) {
        for (int x = 0; x < size; ++x) {
            const double sx = job.m[0] * x + job.m[1] * y + job.m[2];
            const double sy = job.m[3] * x + job.m[4] * y + job.m[5];
            const int x0 = int(std::floor(sx));
            const int y0 = int(std::floor(sy));
            const double wx = sx - x0;
            const double wy = sy - y0;
            for (int c = 0; c < channels; ++c) {
                const auto tap = [&](int tx, int ty) {
                    const int bx = borderTap(tx, job.width, job.border);
                    const int by = borderTap(ty, job.height, job.border);
                    if (bx < 0 || by < 0) {
                        return job.fill[c];
                    }
                    return double(job.source[(size_t(by) * job.width + bx) * channels + c]);
                };
                const double top = tap(x0, y0) + wx * (tap(x0 + 1, y0) - tap(x0, y0));
                const double bottom =
                    tap(x0, y0 + 1) + wx * (tap(x0 + 1, y0 + 1) - tap(x0, y0 + 1));
                const double sample = top + wy * (bottom - top);
                const size_t pixel = size_t(y) * size + x;
                out[job.interleaved ? pixel * channels + c : c * plane + pixel] =
                    sample * job.scale[c] + job.offset[c];
            }
        }
    }
    return out;
}

} // namespace

class TestWarpKernels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void samplesExactlyBilinear_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<int>("channels");
        QTest::addColumn<bool>("interleaved");
        for (const auto& [name, mode] :
             {std::pair{"nearest", FillMode::Nearest}, std::pair{"reflect", FillMode::Reflect},
              std::pair{"wrap", FillMode::Wrap}, std::pair{"constant", FillMode::Constant}}) {
            QTest::addRow("%s, RGB, channels last", name) << int(mode) << 3 << true;
            QTest::addRow("%s, RGB, planes", name) << int(mode) << 3 << false;
            QTest::addRow("%s, grey", name) << int(mode) << 1 << false;
        }
    }

    void samplesExactlyBilinear()
    {
        QFETCH(int, mode);
        QFETCH(int, channels);
        QFETCH(bool, interleaved);
        std::mt19937 random(7);
        std::uniform_int_distribution<int> byte(0, 255);
        const double fill[3] = {17, 200, 93};
        const float scale[3] = {1.0f / 255, 2.0f / 255, 0.5f / 255};
        const float offset[3] = {0.0f, -1.0f, 0.25f};
        int taken = 0;
        for (int trial = 0; trial < 60; ++trial) {
            // Noise, not a smooth image: a wrong tap shows.
            const int width = 5 + trial % 23;
            const int height = 4 + (trial * 7) % 19;
            std::vector<uint8_t> source(size_t(width * height * channels));
            for (uint8_t& sample : source) {
                sample = uint8_t(byte(random));
            }
            WarpToValues job;
            job.source = source.data();
            job.width = width;
            job.height = height;
            job.channels = channels;
            job.size = 1 + trial % 37; // rows of 1 to 37 pixels: whole and partial steps
            job.border = FillMode(mode);
            job.fill = fill;
            job.scale = scale;
            job.offset = offset;
            job.interleaved = interleaved;
            // A turn, a zoom, a shear and a shift, centred, reaching past the edges.
            std::uniform_real_distribution<double> unit(-1, 1);
            const double angle = unit(random) * 3.2;
            const double zoom =
                double(std::max(width, height)) / job.size * (1 + 0.3 * unit(random));
            const double shear = 0.2 * unit(random);
            job.m[0] = zoom * std::cos(angle);
            job.m[1] = zoom * (-std::sin(angle) + shear);
            job.m[3] = zoom * std::sin(angle);
            job.m[4] = zoom * std::cos(angle);
            const double centre = (job.size - 1) / 2.0;
            job.m[2] = (width - 1) / 2.0 - job.m[0] * centre - job.m[1] * centre +
                       0.2 * width * unit(random);
            job.m[5] = (height - 1) / 2.0 - job.m[3] * centre - job.m[4] * centre +
                       0.2 * height * unit(random);
            if (!canWarpToValues(job)) {
                // Only for want of the instructions, or a Reflect or Wrap beyond one image.
                QVERIFY(!fixtures::cpuRunsOnePassWarp() || job.border == FillMode::Reflect ||
                        job.border == FillMode::Wrap);
                continue;
            }
            ++taken;
            const size_t count = size_t(job.size) * job.size * channels;
            std::vector<float> got(count + 64, -7.0f); // past the end: must stay untouched
            warpToValues(job, got.data());
            const std::vector<double> expected = reference(job);
            for (size_t i = 0; i < count; ++i) {
                // float arithmetic on places within a few hundred pixels: well under a level.
                QVERIFY2(std::abs(got[i] - expected[i]) < 0.02 * 2.0 / 255,
                         qPrintable(QStringLiteral("trial %1, value %2: %3 vs %4")
                                        .arg(trial)
                                        .arg(i)
                                        .arg(got[i])
                                        .arg(expected[i])));
            }
            for (size_t i = count; i < got.size(); ++i) {
                QCOMPARE(got[i], -7.0f);
            }
        }
        // Where the CPU has the instructions most jobs are taken (Reflect and Wrap decline the
        // maps that reach further than one image); elsewhere none is.
        QVERIFY2(fixtures::cpuRunsOnePassWarp() ? taken >= 30 : taken == 0,
                 qPrintable(QString::number(taken)));
    }

    void declinesWhatItCannotDo()
    {
        const std::vector<uint8_t> source(8 * 8 * 3, 100);
        const double fill[3] = {0, 0, 0};
        const float scale[3] = {1, 1, 1};
        const float offset[3] = {0, 0, 0};
        WarpToValues job;
        job.source = source.data();
        job.width = 8;
        job.height = 8;
        job.channels = 3;
        job.m[0] = job.m[4] = 1;
        job.size = 8;
        job.border = FillMode::Reflect;
        job.fill = fill;
        job.scale = scale;
        job.offset = offset;
        QCOMPARE(canWarpToValues(job), fixtures::cpuRunsOnePassWarp());
        WarpToValues two = job;
        two.channels = 2;
        QVERIFY(!canWarpToValues(two));
        WarpToValues tiny = job;
        tiny.width = tiny.height = tiny.channels = 1; // 1 byte: a 4-byte read would leave it
        QVERIFY(!canWarpToValues(tiny));
        WarpToValues beyond = job;
        beyond.m[2] = 20; // taps from 20 to 28: more than one reflection of 8 pixels
        QVERIFY(!canWarpToValues(beyond));
        beyond.border = FillMode::Nearest; // clamped, as far as it goes
        QCOMPARE(canWarpToValues(beyond), fixtures::cpuRunsOnePassWarp());
        WarpToValues broken = job;
        broken.m[0] = std::numeric_limits<double>::quiet_NaN();
        QVERIFY(!canWarpToValues(broken));
        WarpToValues unfilled = job;
        unfilled.border = FillMode::Constant;
        unfilled.fill = nullptr;
        QVERIFY(!canWarpToValues(unfilled));
    }
};

QTEST_GUILESS_MAIN(TestWarpKernels)
#include "tst_warpkernels.moc"
