// Tests of TrainingChart: the learning-rate axis appears with the first learning rate and fits
// it, and clearing the chart hides it again.
#include "qcustomplotwrapper.h"
#include "trainingchart.h"

#include <QtTest>

using namespace studio;

class TestTrainingChart : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void learningRateAxisShowsOnceThereIsALearningRate()
    {
        TrainingChart chart(QStringLiteral("loss"), QStringLiteral("Loss"));
        chart.show();
        QCPAxis* rateAxis = chart.plot()->yAxis2;
        QVERIFY(!rateAxis->visible());

        // Batches of the first epoch: no learning rate yet, so no axis with a made-up range.
        chart.addTrainingPoint(0.1, 2.3);
        chart.addTrainingPoint(0.5, 1.9);
        chart.replotIfChanged();
        QVERIFY(!rateAxis->visible());

        // The end of the first epoch brings its learning rate: the axis shows and fits it.
        chart.addValidationPoint(1, 1.7);
        chart.addLearningRate(1, 0.001);
        chart.replotIfChanged();
        QVERIFY(rateAxis->visible());
        QCOMPARE(rateAxis->range().lower, 0.0);
        QVERIFY(qAbs(rateAxis->range().upper - 0.0011) < 1e-9);

        chart.clear();
        chart.replotIfChanged();
        QVERIFY(!rateAxis->visible());
    }
};

QTEST_MAIN(TestTrainingChart)
#include "tst_trainingchart.moc"
