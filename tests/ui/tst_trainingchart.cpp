// Tests of TrainingChart: the learning-rate axis appears with the first learning rate and fits
// it, and clearing the chart hides it again; the best-epoch label stays inside the plot.
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

    void bestEpochLabelStaysInsideThePlot_data()
    {
        QTest::addColumn<QString>("metric");
        QTest::addColumn<int>("width");
        QTest::newRow("loss, legend at the top") << QStringLiteral("loss") << 300;
        QTest::newRow("accuracy, legend at the bottom") << QStringLiteral("accuracy") << 300;
        // The chart's smallest width: beside epoch 1 there is room for "best" only.
        QTest::newRow("narrowest") << QStringLiteral("loss") << 260;
    }

    void bestEpochLabelStaysInsideThePlot()
    {
        QFETCH(QString, metric);
        QFETCH(int, width);
        // Three epochs, the last the best: its mark is at the right edge, and the label must
        // not run off the plot (it used to show only its first letter).
        TrainingChart chart(metric, metric);
        chart.resize(width, 220);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        for (int epoch = 1; epoch <= 3; ++epoch) {
            const double value = metric == QLatin1String("loss") ? 2.0 / epoch : 0.9 - 0.3 / epoch;
            chart.addTrainingPoint(epoch - 0.5, value);
            chart.addValidationPoint(epoch, value);
            chart.addLearningRate(epoch, 0.001);
        }
        QCPItemText* label = nullptr;
        for (int i = 0; i < chart.plot()->itemCount(); ++i) {
            if (auto* text = qobject_cast<QCPItemText*>(chart.plot()->item(i))) {
                label = text;
            }
        }
        QVERIFY(label != nullptr);
        for (const int best : {3, 1}) {
            chart.setBestEpoch(best);
            chart.replotIfChanged();
            chart.plot()->replot(); // lays out the learning-rate axis
            chart.plot()->replot(); // places the label in that layout
            const QRect plotArea = chart.plot()->axisRect()->rect();
            const double mark = chart.plot()->xAxis->coordToPixel(best);
            const double left = label->topLeft->pixelPosition().x();
            const double right = label->bottomRight->pixelPosition().x();
            QVERIFY2(left >= plotArea.left() && right <= plotArea.right(),
                     qPrintable(QStringLiteral("best %1: label %2-%3, plot %4-%5")
                                    .arg(best)
                                    .arg(left)
                                    .arg(right)
                                    .arg(plotArea.left())
                                    .arg(plotArea.right())));
            QVERIFY(label->text() == QStringLiteral("best: epoch %1").arg(best) ||
                    label->text() == QStringLiteral("best"));
            // Beside its mark, not across it, and not under the legend.
            QVERIFY(right <= mark + 1 || left >= mark - 1);
            const QRectF labelArea(label->topLeft->pixelPosition(),
                                   label->bottomRight->pixelPosition());
            QVERIFY(!labelArea.intersects(chart.plot()->legend->outerRect()));
        }
    }
};

QTEST_MAIN(TestTrainingChart)
#include "tst_trainingchart.moc"
