// Tests of core/training/fusedadam: the one-pass Adam takes the steps torch::optim::Adam takes,
// with its state, and the two read each other's saved state.
#include "training/fusedadam_p.h"

#include <torch/serialize.h>

#include <QtTest>

#include <sstream>

using namespace studio;

namespace {

// Parameters of the shapes and layouts a network has: a channels-last convolution kernel, a
// bias, a Dense matrix larger than one thread's share, and a transposed (dense, not contiguous)
// one.
std::vector<torch::Tensor> someParameters()
{
    torch::manual_seed(7);
    std::vector<torch::Tensor> p = {
        torch::randn({12, 3, 2, 2}).contiguous(torch::MemoryFormat::ChannelsLast),
        torch::randn({12}),
        torch::randn({750, 400}),
        torch::randn({40, 30}).t(),
    };
    for (torch::Tensor& t : p) {
        t.set_requires_grad(true);
    }
    return p;
}

// Copies of `parameters` with the same layouts.
std::vector<torch::Tensor> copiesOf(const std::vector<torch::Tensor>& parameters)
{
    std::vector<torch::Tensor> copies;
    for (const torch::Tensor& t : parameters) {
        torch::Tensor copy = torch::empty_like(t).copy_(t.detach());
        copy.set_requires_grad(true);
        copies.push_back(copy);
    }
    return copies;
}

// Gives both sets the same gradient for step `step`; the Dense matrix's is contiguous although
// the transposed parameter is not, as a gradient computed elsewhere may be.
void setSameGradients(std::vector<torch::Tensor>& a, std::vector<torch::Tensor>& b, int step)
{
    torch::manual_seed(100 + step);
    for (size_t i = 0; i < a.size(); ++i) {
        const torch::Tensor g = torch::randn(a[i].sizes()) * (0.01 * double(i + 1));
        a[i].mutable_grad() = g.clone();
        b[i].mutable_grad() = g.clone();
    }
}

// Steps `a` over `pa` and `b` over `pb` with the same gradients, steps [from, to).
void stepBoth(torch::optim::Optimizer& a, std::vector<torch::Tensor>& pa,
              torch::optim::Optimizer& b, std::vector<torch::Tensor>& pb, int from, int to)
{
    for (int step = from; step < to; ++step) {
        setSameGradients(pa, pb, step);
        a.step();
        b.step();
    }
}

// The largest difference between the two sets, relative to the values' size.
double largestDifference(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b)
{
    double largest = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        largest = std::max(largest, (a[i] - b[i]).abs().max().item<double>() /
                                        (1 + a[i].abs().max().item<double>()));
    }
    return largest;
}

} // namespace

class TestFusedAdam : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stepsAsTorchAdamDoes_data()
    {
        QTest::addColumn<double>("weightDecay");
        QTest::addColumn<bool>("amsgrad");
        QTest::newRow("plain") << 0.0 << false;
        QTest::newRow("weight decay") << 0.01 << false;
        QTest::newRow("amsgrad") << 0.0 << true;
    }

    void stepsAsTorchAdamDoes()
    {
        QFETCH(double, weightDecay);
        QFETCH(bool, amsgrad);
        std::vector<torch::Tensor> ours = someParameters();
        std::vector<torch::Tensor> theirs = copiesOf(ours);
        const auto options = torch::optim::AdamOptions(3e-3)
                                 .betas({0.9, 0.999})
                                 .eps(1e-7)
                                 .weight_decay(weightDecay)
                                 .amsgrad(amsgrad);
        FusedAdam fused(ours, options);
        torch::optim::Adam reference(theirs, options);
        stepBoth(fused, ours, reference, theirs, 0, 30);
        // 30 steps of 3e-3 move the values by up to 0.09; float rounding apart, they agree.
        QVERIFY2(largestDifference(ours, theirs) < 1e-6,
                 qPrintable(QString::number(largestDifference(ours, theirs))));
        QVERIFY(largestDifference(ours, someParameters()) > 1e-2); // they did move
        // The layouts are kept: a channels-last kernel stays channels-last.
        QVERIFY(ours[0].is_contiguous(torch::MemoryFormat::ChannelsLast));
        QCOMPARE(ours[3].strides(), theirs[3].strides());
    }

    // A checkpoint holds the optimizer's state: what FusedAdam saves, torch::optim::Adam loads
    // and continues from, and the other way round.
    void savedStateIsTorchAdams()
    {
        std::vector<torch::Tensor> ours = someParameters();
        std::vector<torch::Tensor> theirs = copiesOf(ours);
        const auto options = torch::optim::AdamOptions(1e-3).eps(1e-7);
        FusedAdam fused(ours, options);
        torch::optim::Adam reference(theirs, options);
        stepBoth(fused, ours, reference, theirs, 0, 5);
        std::stringstream fusedSaved;
        torch::save(fused, fusedSaved);
        std::stringstream referenceSaved;
        torch::save(reference, referenceSaved);

        std::vector<torch::Tensor> a = copiesOf(ours);
        std::vector<torch::Tensor> b = copiesOf(theirs);
        torch::optim::Adam referenceResumed(a, options);
        torch::load(referenceResumed, fusedSaved);
        FusedAdam fusedResumed(b, options);
        torch::load(fusedResumed, referenceSaved);
        stepBoth(referenceResumed, a, fusedResumed, b, 5, 10);
        stepBoth(fused, ours, reference, theirs, 5, 10);
        QVERIFY(largestDifference(a, theirs) < 1e-6);
        QVERIFY(largestDifference(b, ours) < 1e-6);
        QVERIFY(largestDifference(a, b) < 1e-6);
    }

    // State saved while the parameters had another layout (a checkpoint from before the kernels
    // were made channels-last) is laid out as the parameters are, and the steps go on alike.
    void stateInAnotherLayoutIsRelaid()
    {
        std::vector<torch::Tensor> theirs = someParameters();
        for (torch::Tensor& t : theirs) {
            t = t.detach().contiguous().set_requires_grad(true);
        }
        std::vector<torch::Tensor> ours = copiesOf(someParameters()); // channels-last, transposed
        const auto options = torch::optim::AdamOptions(1e-3).eps(1e-7).amsgrad(true);
        torch::optim::Adam reference(theirs, options);
        std::vector<torch::Tensor> alongside = copiesOf(theirs); // only to step `reference`
        torch::optim::Adam other(alongside, options);
        stepBoth(reference, theirs, other, alongside, 0, 5);
        std::stringstream saved;
        torch::save(reference, saved);
        for (size_t i = 0; i < ours.size(); ++i) {
            ours[i].detach().copy_(theirs[i].detach());
        }
        FusedAdam fused(ours, options);
        torch::load(fused, saved);
        stepBoth(fused, ours, reference, theirs, 5, 15);
        QVERIFY2(largestDifference(ours, theirs) < 1e-6,
                 qPrintable(QString::number(largestDifference(ours, theirs))));
        const auto& kernelState = static_cast<const torch::optim::AdamParamState&>(
            *fused.state().at(c10::guts::to_string(ours[0].unsafeGetTensorImpl())));
        QVERIFY(kernelState.exp_avg().is_contiguous(torch::MemoryFormat::ChannelsLast));
        QVERIFY(kernelState.max_exp_avg_sq().is_contiguous(torch::MemoryFormat::ChannelsLast));
    }

    // Only dense float32 parameters are stepped; another is refused with a message naming it.
    void otherParametersAreRefused()
    {
        torch::Tensor wide = torch::zeros({3, 2}, torch::kDouble).set_requires_grad(true);
        FusedAdam fused({wide}, torch::optim::AdamOptions(1e-2));
        wide.mutable_grad() = torch::ones_like(wide);
        try {
            fused.step();
            QFAIL("a float64 parameter was stepped");
        } catch (const c10::Error& e) {
            QVERIFY2(QString::fromStdString(e.what_without_backtrace())
                         .contains(QStringLiteral("not a dense float32 tensor")),
                     e.what_without_backtrace());
        }
    }

    // A parameter without a gradient is left alone and gets no state, as in torch's Adam.
    void parameterWithoutGradientIsSkipped()
    {
        std::vector<torch::Tensor> p = someParameters();
        const torch::Tensor before = p[1].detach().clone();
        FusedAdam fused(p, torch::optim::AdamOptions(1e-2));
        p[0].mutable_grad() = torch::ones_like(p[0]);
        fused.step();
        QVERIFY(torch::equal(p[1].detach(), before));
        QVERIFY(!torch::equal(p[0].detach(), someParameters()[0].detach()));
    }
};

QTEST_GUILESS_MAIN(TestFusedAdam)
#include "tst_fusedadam.moc"
