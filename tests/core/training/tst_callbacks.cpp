// Tests of EarlyStopping, ReduceLROnPlateau and the Keras decay on scripted histories, with the
// decisions Keras makes for the same numbers.
#include "project/trainingschema.h"
#include "training/callbacks.h"

#include <QtTest>

#include <cmath>

using namespace studio;

namespace {

EpochMetrics valLoss(double value)
{
    EpochMetrics m;
    m.valLoss = value;
    return m;
}

EpochMetrics valAccuracy(double value)
{
    EpochMetrics m;
    m.valAccuracy = value;
    return m;
}

// Feeds values until the callback says stop; returns the 0-based epoch it stopped at, or -1.
int stopEpoch(EarlyStopping& stopping, const QVector<EpochMetrics>& history)
{
    for (int epoch = 0; epoch < history.size(); ++epoch) {
        if (stopping.onEpochEnd(epoch, history[epoch])) {
            return epoch;
        }
    }
    return -1;
}

} // namespace

class TestCallbacks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void monitors()
    {
        EpochMetrics m;
        m.loss = 1;
        m.accuracy = 2;
        m.valLoss = 3;
        m.valAccuracy = 4;
        QCOMPARE(m.value(QStringLiteral("loss")), 1.0);
        QCOMPARE(m.value(QStringLiteral("acc")), 2.0);
        QCOMPARE(m.value(QStringLiteral("val_loss")), 3.0);
        QCOMPARE(m.value(QStringLiteral("val_accuracy")), 4.0);
        QVERIFY(std::isnan(m.value(QStringLiteral("val_f1"))));
        QVERIFY(isKnownMonitor(QStringLiteral("val_acc")));
        QVERIFY(!isKnownMonitor(QStringLiteral("val_f1")));
        QVERIFY(monitorIncreases(QStringLiteral("val_accuracy")));
        QVERIFY(!monitorIncreases(QStringLiteral("val_loss")));
    }

    void earlyStoppingOnLoss()
    {
        EarlyStopping stopping(QStringLiteral("val_loss"), 2, 0);
        const int stopped = stopEpoch(
            stopping, {valLoss(1.0), valLoss(0.9), valLoss(0.95), valLoss(0.91), valLoss(0.8)});
        QCOMPARE(stopped, 3);
        QCOMPARE(stopping.bestEpoch(), 1);
        QCOMPARE(stopping.best(), 0.9);
        QVERIFY(!stopping.lastWasImprovement());
    }

    void earlyStoppingMinDelta()
    {
        EarlyStopping stopping(QStringLiteral("val_loss"), 1, 0.1);
        QCOMPARE(stopEpoch(stopping, {valLoss(1.0), valLoss(0.95), valLoss(0.5)}), 1);
        EarlyStopping negative(QStringLiteral("val_loss"), 1, -0.1); // Keras takes |min_delta|
        QCOMPARE(stopEpoch(negative, {valLoss(1.0), valLoss(0.95)}), 1);
        EarlyStopping loose(QStringLiteral("val_loss"), 1, 0.01);
        QCOMPARE(stopEpoch(loose, {valLoss(1.0), valLoss(0.95), valLoss(0.93)}), -1);
    }

    void earlyStoppingOnAccuracyRises()
    {
        EarlyStopping stopping(QStringLiteral("val_accuracy"), 2, 0);
        QCOMPARE(stopEpoch(stopping, {valAccuracy(0.5), valAccuracy(0.6), valAccuracy(0.6),
                                      valAccuracy(0.59), valAccuracy(0.9)}),
                 3);
        QCOMPARE(stopping.bestEpoch(), 1);
    }

    void earlyStoppingPatienceZeroNeverStopsAtFirstEpoch()
    {
        EarlyStopping stopping(QStringLiteral("val_loss"), 0, 0);
        QVERIFY(!stopping.onEpochEnd(0, valLoss(std::nan(""))));
        QVERIFY(stopping.onEpochEnd(1, valLoss(std::nan(""))));
        QCOMPARE(stopping.bestEpoch(), -1);
    }

    void earlyStoppingResumesFromState()
    {
        EarlyStopping first(QStringLiteral("val_loss"), 2, 0);
        QVERIFY(!first.onEpochEnd(0, valLoss(1.0)));
        QVERIFY(!first.onEpochEnd(1, valLoss(1.1)));
        EarlyStopping resumed(QStringLiteral("val_loss"), 2, 0);
        resumed.restore(first.state());
        QVERIFY(resumed.onEpochEnd(2, valLoss(1.2)));
        QCOMPARE(resumed.bestEpoch(), 0);
    }

    void reduceLrOnPlateau()
    {
        ReduceLROnPlateau plateau(QStringLiteral("val_loss"), 0.5, 2, 0.1);
        double lr = 1.0;
        QVector<double> seen;
        for (int epoch = 0; epoch < 11; ++epoch) {
            lr = plateau.onEpochEnd(valLoss(1.0), lr);
            seen << lr;
        }
        QCOMPARE(seen, (QVector<double>{1, 1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.1, 0.1, 0.1}));
    }

    void reduceLrImprovementResetsWait()
    {
        ReduceLROnPlateau plateau(QStringLiteral("val_loss"), 0.1, 2, 0);
        double lr = 1e-3;
        lr = plateau.onEpochEnd(valLoss(1.0), lr);
        lr = plateau.onEpochEnd(valLoss(1.0), lr); // wait 1
        lr = plateau.onEpochEnd(valLoss(0.5), lr); // improvement: wait 0
        lr = plateau.onEpochEnd(valLoss(0.5), lr); // wait 1
        QCOMPARE(lr, 1e-3);
        lr = plateau.onEpochEnd(valLoss(0.49995), lr); // within min_delta 1e-4: wait 2
        QCOMPARE(lr, 1e-4);
    }

    void reduceLrCooldown()
    {
        ReduceLROnPlateau plateau(QStringLiteral("val_loss"), 0.5, 2, 0, 1e-4, 1);
        double lr = 1.0;
        QVector<double> seen;
        for (int epoch = 0; epoch < 6; ++epoch) {
            lr = plateau.onEpochEnd(valLoss(1.0), lr);
            seen << lr;
        }
        // Reduced at epoch 2; epoch 3 is cooldown; waits at 4 and 5 reduce again at 5.
        QCOMPARE(seen, (QVector<double>{1, 1, 0.5, 0.5, 0.5, 0.25}));
    }

    void kerasDecay()
    {
        QCOMPARE(decayedLearningRate(1e-3, 0, 1000), 1e-3);
        QCOMPARE(decayedLearningRate(1e-3, 1e-3, 0), 1e-3);
        QVERIFY(qFuzzyCompare(decayedLearningRate(1e-3, 1e-3, 1000), 5e-4));
        QVERIFY(qFuzzyCompare(decayedLearningRate(1e-3, 1e-3, 3000), 2.5e-4));
    }
};

QTEST_GUILESS_MAIN(TestCallbacks)
#include "tst_callbacks.moc"
