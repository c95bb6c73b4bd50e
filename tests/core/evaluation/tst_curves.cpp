// Tests of the ROC and precision-recall curves and the calibration, against areas and errors
// worked out by hand on small cases (ties, a class with no image, a confidence of exactly 1).
#include "evaluation/curves.h"

#include <QtTest>

#include <cmath>

using namespace studio;

namespace {

bool near(double a, double b)
{
    return std::abs(a - b) < 1e-9;
}

} // namespace

class TestCurves : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rocAreaIsThePairsRankedRight()
    {
        // Positives 0.9, 0.7, 0.6; negatives 0.8, 0.55, 0.4. Of the 9 (positive, negative)
        // pairs, 0.9 outranks 3, 0.7 and 0.6 outrank 2 each: 7/9.
        const ClassCurves c =
            oneVsRestCurves(QStringLiteral("x"), {0.9f, 0.8f, 0.7f, 0.6f, 0.55f, 0.4f},
                            {true, false, true, true, false, false});
        QCOMPARE(c.positives, 3);
        QCOMPARE(c.negatives, 3);
        QVERIFY2(near(c.rocAuc, 7.0 / 9.0), qPrintable(QString::number(c.rocAuc, 'g', 17)));
        // The ROC's corners: (0,0), (0,1/3), (1/3,1/3), (1/3,2/3), (1/3,1), (2/3,1), (1,1).
        const QVector<QPair<double, double>> corners = {
            {0, 0},      {0, 1 / 3.}, {1 / 3., 1 / 3.}, {1 / 3., 2 / 3.}, {1 / 3., 1},
            {2 / 3., 1}, {1, 1}};
        QCOMPARE(c.roc.size(), corners.size());
        for (int i = 0; i < corners.size(); ++i) {
            QVERIFY(near(c.roc[i].x, corners[i].first));
            QVERIFY(near(c.roc[i].y, corners[i].second));
        }
        QVERIFY(std::isinf(c.roc.first().threshold));
        QVERIFY(near(c.roc[1].threshold, double(0.9f)));
    }

    void averagePrecisionWeighsPrecisionByAddedRecall()
    {
        // Down the ranking: 0.9 hit (P 1, R 1/3), 0.8 miss, 0.7 hit (P 2/3, R 2/3), 0.6 hit
        // (P 3/4, R 1): AP = 1/3 * 1 + 1/3 * 2/3 + 1/3 * 3/4 = 29/36.
        const ClassCurves c =
            oneVsRestCurves(QStringLiteral("x"), {0.9f, 0.8f, 0.7f, 0.6f, 0.55f, 0.4f},
                            {true, false, true, true, false, false});
        QVERIFY2(near(c.averagePrecision, 29.0 / 36.0),
                 qPrintable(QString::number(c.averagePrecision, 'g', 17)));
        QCOMPARE(c.precisionRecall.first().x, 0.0);
        QCOMPARE(c.precisionRecall.first().y, 1.0);
        QVERIFY(near(c.precisionRecall.last().x, 1.0));
        QVERIFY(near(c.precisionRecall.last().y, 0.5));
    }

    void tiesCountHalf()
    {
        // 0.8: one of each; 0.3: one of each. Pairs: tie, win, loss, tie = 2/4.
        const ClassCurves c = oneVsRestCurves(QStringLiteral("x"), {0.8f, 0.8f, 0.3f, 0.3f},
                                              {true, false, true, false});
        QVERIFY(near(c.rocAuc, 0.5));
        QVERIFY(near(c.averagePrecision, 0.5));
        QCOMPARE(c.roc.size(), 3); // a tie is one step, not two
    }

    void perfectAndReversedRankings()
    {
        const std::vector<float> scores = {0.9f, 0.8f, 0.2f, 0.1f};
        QVERIFY(near(oneVsRestCurves(QString(), scores, {true, true, false, false}).rocAuc, 1.0));
        QVERIFY(near(oneVsRestCurves(QString(), scores, {false, false, true, true}).rocAuc, 0.0));
        // Reversed: the hits come at precision 1/3 and 2/4, each adding half the recall: 5/12.
        QVERIFY(
            near(oneVsRestCurves(QString(), scores, {false, false, true, true}).averagePrecision,
                 5.0 / 12.0));
    }

    void undefinedWithoutBothKinds()
    {
        const ClassCurves none = oneVsRestCurves(QString(), {0.2f, 0.1f}, {false, false});
        QVERIFY(std::isnan(none.rocAuc));
        QVERIFY(std::isnan(none.averagePrecision));
        const ClassCurves all = oneVsRestCurves(QString(), {0.2f, 0.1f}, {true, true});
        QVERIFY(std::isnan(all.rocAuc));
        QVERIFY(near(all.averagePrecision, 1.0));
    }

    void longCurvesAreThinnedButKeepTheirArea()
    {
        std::vector<float> scores;
        std::vector<bool> positive;
        for (int i = 0; i < 20000; ++i) {
            scores.push_back(float(i) / 20000);
            positive.push_back(i % 3 != 0 && i > 5000);
        }
        const ClassCurves c = oneVsRestCurves(QString(), scores, positive);
        QVERIFY2(c.roc.size() < 600, qPrintable(QString::number(c.roc.size())));
        QVERIFY2(c.precisionRecall.size() < 600,
                 qPrintable(QString::number(c.precisionRecall.size())));
        double area = 0;
        for (int i = 1; i < c.roc.size(); ++i) {
            area += (c.roc[i].x - c.roc[i - 1].x) * (c.roc[i].y + c.roc[i - 1].y) / 2;
        }
        QVERIFY2(std::abs(area - c.rocAuc) < 0.002,
                 qPrintable(QStringLiteral("%1 vs %2").arg(area).arg(c.rocAuc)));
        QCOMPARE(c.roc.last().x, 1.0);
        QCOMPARE(c.roc.last().y, 1.0);
    }

    void calibrationByHand()
    {
        // Bin 9: 0.95 right, 0.92 wrong: confidence 0.935, accuracy 0.5, gap 0.435.
        // Bin 6: 0.65, 0.62 right: 0.635 vs 1, gap 0.365. Bin 3: 0.35 wrong: gap 0.35.
        // ECE = (2 * 0.435 + 2 * 0.365 + 0.35) / 5 = 0.39; the largest gap 0.435.
        const Calibration c = computeCalibration({0.95f, 0.92f, 0.65f, 0.62f, 0.35f},
                                                 {true, false, true, true, false});
        QCOMPARE(c.bins.size(), 10);
        QCOMPARE(c.bins[9].count, 2);
        QCOMPARE(c.bins[6].count, 2);
        QCOMPARE(c.bins[3].count, 1);
        QCOMPARE(c.bins[0].count, 0);
        QVERIFY(std::abs(c.bins[9].meanConfidence - 0.935) < 1e-6);
        QCOMPARE(c.bins[9].accuracy, 0.5);
        QVERIFY2(std::abs(c.expectedError - 0.39) < 1e-6,
                 qPrintable(QString::number(c.expectedError, 'g', 17)));
        QVERIFY(std::abs(c.maximumError - 0.435) < 1e-6);
    }

    void aConfidenceOfOneIsInTheLastBin()
    {
        const Calibration c = computeCalibration({1.0f, 0.0f}, {true, false}, 4);
        QCOMPARE(c.bins.size(), 4);
        QCOMPARE(c.bins[3].count, 1);
        QCOMPARE(c.bins[0].count, 1);
        QCOMPARE(c.bins[3].high, 1.0);
        QCOMPARE(c.expectedError, 0.0);
    }

    void meanLeavesOutUndefined()
    {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        QCOMPARE(meanOfDefined({0.5, nan, 1.0}), 0.75);
        QVERIFY(std::isnan(meanOfDefined({nan})));
    }
};

QTEST_GUILESS_MAIN(TestCurves)
#include "tst_curves.moc"
