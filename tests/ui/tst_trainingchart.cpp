// Tests of TrainingChart: the learning-rate axis appears with the first learning rate and fits
// it, and clearing the chart hides it again; the legend sits under the plot, wrapped to the
// chart's width; the best-epoch label stays inside the plot.
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

    void legendSitsUnderThePlotAndFitsTheWidth_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("rows");
        QTest::newRow("wide: one row") << 600 << 1;
        QTest::newRow("narrowest: wrapped") << 260 << 2;
    }

    void legendSitsUnderThePlotAndFitsTheWidth()
    {
        QFETCH(int, width);
        QFETCH(int, rows);
        // Inside the plot the legend hid the loss curve's start on a narrow chart.
        TrainingChart chart(QStringLiteral("loss"), QStringLiteral("Loss"));
        chart.resize(width, 260);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.addTrainingPoint(0.5, 2.0);
        chart.addValidationPoint(1, 1.5);
        chart.addLearningRate(1, 0.001);
        chart.replotIfChanged();
        chart.plot()->replot();
        const QCPLegend* legend = chart.plot()->legend;
        const QRect legendArea = legend->outerRect();
        const QRect plotArea = chart.plot()->axisRect()->outerRect(); // with the axes' labels
        QVERIFY2(legendArea.top() >= plotArea.bottom(),
                 qPrintable(QStringLiteral("legend from y %1, plot to y %2")
                                .arg(legendArea.top())
                                .arg(plotArea.bottom())));
        int entries = 0;
        int usedRows = 0;
        for (int i = 0; i < legend->elementCount(); ++i) {
            const QCPLayoutElement* item = legend->elementAt(i);
            if (item == nullptr) {
                continue; // an empty cell of the grid
            }
            ++entries;
            QVERIFY2(item->outerRect().left() >= 0 && item->outerRect().right() < width,
                     qPrintable(QStringLiteral("entry %1 spans x %2-%3 of %4")
                                    .arg(i)
                                    .arg(item->outerRect().left())
                                    .arg(item->outerRect().right())
                                    .arg(width)));
            int row = 0;
            int column = 0;
            legend->indexToRowCol(i, row, column);
            usedRows = qMax(usedRows, row + 1);
        }
        QCOMPARE(entries, 3); // loss, val_loss, learning_rate
        QCOMPARE(usedRows, rows);
    }

    void bestEpochLabelStaysInsideThePlot_data()
    {
        QTest::addColumn<QString>("metric");
        QTest::addColumn<int>("width");
        QTest::newRow("loss, label at the top") << QStringLiteral("loss") << 300;
        QTest::newRow("accuracy, label at the bottom") << QStringLiteral("accuracy") << 300;
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
