// Tests of core/training/optimizers: each optimizer of the settings is made with the settings'
// values, and Adam is the one-pass FusedAdam.
#include "training/fusedadam_p.h"
#include "training/optimizers_p.h"

#include <torch/optim/rmsprop.h>
#include <torch/optim/sgd.h>

#include <QtTest>

using namespace studio;

namespace {

// Training settings with values no default has.
TrainingSettings unusualSettings(OptimizerKind kind)
{
    TrainingSettings s;
    s.learningRate = 0.0123;
    s.weightDecay = 0.0042;
    s.optimizer.kind = kind;
    s.optimizer.adam.beta1 = 0.81;
    s.optimizer.adam.beta2 = 0.97;
    s.optimizer.adam.epsilon = 3e-6;
    s.optimizer.adam.amsgrad = true;
    s.optimizer.sgd.momentum = 0.77;
    s.optimizer.sgd.nesterov = true;
    s.optimizer.rmsprop.rho = 0.83;
    s.optimizer.rmsprop.momentum = 0.11;
    s.optimizer.rmsprop.epsilon = 4e-6;
    s.optimizer.rmsprop.centered = true;
    return s;
}

std::vector<torch::Tensor> someParameters()
{
    return {torch::zeros({3, 2}).set_requires_grad(true)};
}

} // namespace

class TestOptimizers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void adamIsFusedAdamWithTheSettings()
    {
        const auto optimizer =
            makeOptimizer(unusualSettings(OptimizerKind::Adam), someParameters());
        QVERIFY(dynamic_cast<FusedAdam*>(optimizer.get()) != nullptr);
        const auto& o =
            static_cast<const torch::optim::AdamOptions&>(optimizer->param_groups()[0].options());
        QCOMPARE(o.lr(), 0.0123);
        QCOMPARE(std::get<0>(o.betas()), 0.81);
        QCOMPARE(std::get<1>(o.betas()), 0.97);
        QCOMPARE(o.eps(), 3e-6);
        QVERIFY(o.amsgrad());
        QCOMPARE(o.weight_decay(), 0.0042);
    }

    void sgdHasTheSettings()
    {
        const auto optimizer = makeOptimizer(unusualSettings(OptimizerKind::Sgd), someParameters());
        QVERIFY(dynamic_cast<torch::optim::SGD*>(optimizer.get()) != nullptr);
        const auto& o =
            static_cast<const torch::optim::SGDOptions&>(optimizer->param_groups()[0].options());
        QCOMPARE(o.lr(), 0.0123);
        QCOMPARE(o.momentum(), 0.77);
        QVERIFY(o.nesterov());
        QCOMPARE(o.weight_decay(), 0.0042);
    }

    void rmsPropHasTheSettings()
    {
        const auto optimizer =
            makeOptimizer(unusualSettings(OptimizerKind::RmsProp), someParameters());
        QVERIFY(dynamic_cast<torch::optim::RMSprop*>(optimizer.get()) != nullptr);
        const auto& o = static_cast<const torch::optim::RMSpropOptions&>(
            optimizer->param_groups()[0].options());
        QCOMPARE(o.lr(), 0.0123);
        QCOMPARE(o.alpha(), 0.83);
        QCOMPARE(o.momentum(), 0.11);
        QCOMPARE(o.eps(), 4e-6);
        QVERIFY(o.centered());
        QCOMPARE(o.weight_decay(), 0.0042);
    }
};

QTEST_GUILESS_MAIN(TestOptimizers)
#include "tst_optimizers.moc"
