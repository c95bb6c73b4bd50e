// Tests of the evaluation metrics on hand-made predictions: confusion matrix, accuracy, top-k,
// per-class and averaged precision / recall / F1, the order of the misclassified list, CSV
// escaping and the files written.
#include "evaluation/metrics.h"
#include "evaluation/metricsjson.h"
#include "testfiles.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace studio;

namespace {

ScoredImage image(const QString& path, int label, std::vector<float> probabilities)
{
    return {path, label, std::move(probabilities)};
}

// Three classes, eight images; worked out by hand below.
QVector<ScoredImage> handMade()
{
    return {
        image(QStringLiteral("a0.png"), 0, {0.7f, 0.2f, 0.1f}),   // 0 -> 0
        image(QStringLiteral("a1.png"), 0, {0.6f, 0.3f, 0.1f}),   // 0 -> 0
        image(QStringLiteral("a2.png"), 0, {0.2f, 0.5f, 0.3f}),   // 0 -> 1, conf 0.5, rank 2
        image(QStringLiteral("b0.png"), 1, {0.1f, 0.8f, 0.1f}),   // 1 -> 1
        image(QStringLiteral("b1.png"), 1, {0.9f, 0.05f, 0.05f}), // 1 -> 0, conf 0.9, rank 2*
        image(QStringLiteral("c0.png"), 2, {0.1f, 0.1f, 0.8f}),   // 2 -> 2
        image(QStringLiteral("c1.png"), 2, {0.6f, 0.1f, 0.3f}),   // 2 -> 0, conf 0.6, rank 2
        image(QStringLiteral("c2.png"), 2, {0.2f, 0.2f, 0.6f}),   // 2 -> 2
    };
}

const QStringList kClasses = {QStringLiteral("cat"), QStringLiteral("dog"), QStringLiteral("bird")};

using studio::testfiles::readAll;

} // namespace

class TestMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void confusionMatrixAndAccuracy()
    {
        const Result<EvaluationMetrics> m = computeMetrics(kClasses, handMade(), {1, 2, 3});
        QVERIFY2(m.ok(), qPrintable(m.error()));
        const QVector<QVector<int>> expected = {{2, 1, 0}, {1, 1, 0}, {1, 0, 2}};
        QCOMPARE(m->confusion, expected);
        QCOMPARE(m->count, 8);
        QCOMPARE(m->accuracy, 5.0 / 8.0);
        QCOMPARE(m->topKAccuracy.at(1), 5.0 / 8.0);
        // Top-2: a2 (0.2 is third) and b1 (0.05 ties 0.05 of bird, dog has the lower index so
        // it ranks second) -> b1 is in the top 2, a2 and c1 (0.3 second) -> c1 is in.
        QCOMPARE(m->topKAccuracy.at(2), 7.0 / 8.0);
        QCOMPARE(m->topKAccuracy.at(3), 1.0);
        QCOMPARE(m->confusionNormalized[0][0], 2.0 / 3.0);
        QCOMPARE(m->confusionNormalized[1][0], 0.5);
        QCOMPARE(m->confusionNormalized[2][2], 2.0 / 3.0);
    }

    void perClassAndAverages()
    {
        const Result<EvaluationMetrics> m = computeMetrics(kClasses, handMade());
        QVERIFY(m.ok());
        // cat: tp 2, predicted 4, true 3. dog: tp 1, predicted 2, true 2. bird: tp 2,
        // predicted 2, true 3.
        QCOMPARE(m->perClass[0].precision, 0.5);
        QCOMPARE(m->perClass[0].recall, 2.0 / 3.0);
        QCOMPARE(m->perClass[0].f1, 2 * 0.5 * (2.0 / 3.0) / (0.5 + 2.0 / 3.0));
        QCOMPARE(m->perClass[0].support, 3);
        QCOMPARE(m->perClass[1].precision, 0.5);
        QCOMPARE(m->perClass[1].recall, 0.5);
        QCOMPARE(m->perClass[1].f1, 0.5);
        QCOMPARE(m->perClass[2].precision, 1.0);
        QCOMPARE(m->perClass[2].recall, 2.0 / 3.0);
        QCOMPARE(m->perClass[2].f1, 0.8);
        QCOMPARE(m->perClass[2].name, QStringLiteral("bird"));

        const double f1Cat = 2 * 0.5 * (2.0 / 3.0) / (0.5 + 2.0 / 3.0);
        QCOMPARE(m->macroAverage.precision, (0.5 + 0.5 + 1.0) / 3);
        QCOMPARE(m->macroAverage.f1, (f1Cat + 0.5 + 0.8) / 3);
        QCOMPARE(m->weightedAverage.precision, (0.5 * 3 + 0.5 * 2 + 1.0 * 3) / 8);
        QCOMPARE(m->weightedAverage.recall, m->accuracy); // weighted recall is accuracy
        QCOMPARE(m->weightedAverage.support, 8);
    }

    // Wilson's interval, checked against the formula worked by hand (Python, z = 1.95996):
    // 41 of 45 -> 0.792664..0.964889; 0 of 10 -> 0..0.277533; 10 of 10 -> 0.722467..1.
    void wilsonIntervals()
    {
        const Interval a = wilsonInterval(41, 45);
        QVERIFY(std::abs(a.low - 0.7926642) < 1e-6);
        QVERIFY(std::abs(a.high - 0.9648889) < 1e-6);
        const Interval none = wilsonInterval(0, 10);
        QCOMPARE(none.low, 0.0);
        QVERIFY(std::abs(none.high - 0.2775328) < 1e-6);
        const Interval all = wilsonInterval(10, 10);
        QVERIFY(std::abs(all.low - 0.7224672) < 1e-6);
        QVERIFY(std::abs(all.high - 1.0) < 1e-9);
        QCOMPARE(wilsonInterval(0, 0).low, 0.0);
        QCOMPARE(wilsonInterval(0, 0).high, 1.0);
        QVERIFY(wilsonInterval(27, 27).high >= 1.0); // holds the 100% seen, rounding aside
        QVERIFY(wilsonInterval(0, 27).low <= 0.0);
        QCOMPARE(formatWithInterval(41.0 / 45, a, 0), QStringLiteral("91% (79–96%)"));
    }

    // Balanced accuracy is the mean recall of the classes that have images; macro F1 the mean
    // F1; both and the intervals reach evaluation.json and come back from it.
    void balancedAccuracyMacroF1AndIntervals()
    {
        const Result<EvaluationMetrics> m = computeMetrics(kClasses, handMade());
        QVERIFY(m.ok());
        QCOMPARE(m->balancedAccuracy, (2.0 / 3.0 + 0.5 + 2.0 / 3.0) / 3);
        const double f1Cat = 2 * 0.5 * (2.0 / 3.0) / (0.5 + 2.0 / 3.0);
        QCOMPARE(m->macroF1, (f1Cat + 0.5 + 0.8) / 3);
        QCOMPARE(m->accuracyInterval.low, wilsonInterval(5, 8).low);
        QCOMPARE(m->perClass[1].recallInterval.high, wilsonInterval(1, 2).high);

        const QJsonObject json = metricsToJson(*m);
        QCOMPARE(json[QStringLiteral("balanced_accuracy")].toDouble(), m->balancedAccuracy);
        QCOMPARE(json[QStringLiteral("macro_f1")].toDouble(), m->macroF1);
        QCOMPARE(json[QStringLiteral("accuracy_ci")].toArray().at(1).toDouble(),
                 m->accuracyInterval.high);
        QCOMPARE(json[QStringLiteral("per_class")]
                     .toArray()
                     .at(2)
                     .toObject()[QStringLiteral("recall_ci")]
                     .toArray()
                     .at(0)
                     .toDouble(),
                 wilsonInterval(2, 3).low);

        // Read back (also from reports written before these keys existed: derived from counts).
        QJsonObject old = json;
        old.remove(QStringLiteral("balanced_accuracy"));
        old.remove(QStringLiteral("accuracy_ci"));
        const Result<EvaluationMetrics> back = metricsFromJson(old, QStringLiteral("old.json"));
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QCOMPARE(back->balancedAccuracy, m->balancedAccuracy);
        QCOMPARE(back->accuracyInterval.high, m->accuracyInterval.high);
        QCOMPARE(back->perClass[2].recallInterval.low, wilsonInterval(2, 3).low);

        // A class without images does not count in the balanced accuracy.
        const Result<EvaluationMetrics> two =
            computeMetrics(kClasses, {image(QStringLiteral("a.png"), 0, {0.8f, 0.1f, 0.1f}),
                                      image(QStringLiteral("b.png"), 1, {0.8f, 0.1f, 0.1f})});
        QVERIFY(two.ok());
        QCOMPARE(two->balancedAccuracy, 0.5);
        QVERIFY(formatMetricsTable(*two).contains(QStringLiteral("Balanced accuracy: 0.5000")));
    }

    // The balanced accuracy's interval against a hand computation (Price & Bonett's adjusted
    // Wald, see metrics.h): 8 of 10 and 9 of 10 right gives 0.6300-0.9533; a class without images
    // is left out; 100% still has width and holds 100%; no images at all is [0, 1].
    void balancedAccuracyIntervalMatchesHandComputation()
    {
        const Interval a = balancedAccuracyInterval({{8, 2}, {1, 9}});
        QVERIFY(qAbs(a.low - 0.6300466470) < 1e-9);
        QVERIFY(qAbs(a.high - 0.9532866863) < 1e-9);
        const Interval withEmpty = balancedAccuracyInterval({{8, 2, 0}, {1, 9, 0}, {0, 0, 0}});
        QCOMPARE(withEmpty.low, a.low);
        const Interval perfect = balancedAccuracyInterval({{5, 0}, {0, 5}});
        QVERIFY(qAbs(perfect.low - 0.6738431976) < 1e-9);
        QCOMPARE(perfect.high, 1.0); // widened to hold the 100% seen
        QCOMPARE(balancedAccuracyInterval({}).high, 1.0);
        const Result<EvaluationMetrics> m = computeMetrics(kClasses, handMade());
        QVERIFY(m.ok());
        QCOMPARE(m->balancedAccuracyInterval.low, balancedAccuracyInterval(m->confusion).low);
    }

    void classNeverPredictedHasZeroPrecision()
    {
        const QVector<ScoredImage> images = {image(QStringLiteral("x"), 0, {0.9f, 0.1f}),
                                             image(QStringLiteral("y"), 1, {0.8f, 0.2f})};
        const Result<EvaluationMetrics> m =
            computeMetrics({QStringLiteral("a"), QStringLiteral("b")}, images);
        QVERIFY(m.ok());
        QCOMPARE(m->perClass[1].precision, 0.0);
        QCOMPARE(m->perClass[1].recall, 0.0);
        QCOMPARE(m->perClass[1].f1, 0.0);
        QCOMPARE(m->topKAccuracy.count(3), size_t(0)); // k above the class count is left out
    }

    void misclassifiedMostConfidentFirst()
    {
        QVector<ScoredImage> images = handMade();
        images << image(QStringLiteral("a3.png"), 0, {0.3f, 0.1f, 0.6f}); // conf 0.6, tie c1
        const Result<EvaluationMetrics> m = computeMetrics(kClasses, images);
        QVERIFY(m.ok());
        QCOMPARE(m->misclassified.size(), 4);
        QCOMPARE(m->misclassified[0].path, QStringLiteral("b1.png"));
        QCOMPARE(m->misclassified[0].trueLabel, 1);
        QCOMPARE(m->misclassified[0].predictedLabel, 0);
        QCOMPARE(m->misclassified[0].confidence, double(0.9f));
        QCOMPARE(m->misclassified[1].path, QStringLiteral("a3.png")); // equal: by path
        QCOMPARE(m->misclassified[2].path, QStringLiteral("c1.png"));
        QCOMPARE(m->misclassified[3].path, QStringLiteral("a2.png"));
        // The right answers too, in the same order (a diagonal cell's gallery).
        QStringList correct;
        for (const ClassifiedImage& right : m->correct) {
            QCOMPARE(right.trueLabel, right.predictedLabel);
            correct << right.path;
        }
        QCOMPARE(correct, (QStringList{QStringLiteral("b0.png"), QStringLiteral("c0.png"),
                                       QStringLiteral("a0.png"), QStringLiteral("a1.png"),
                                       QStringLiteral("c2.png")}));

        const QJsonObject json = metricsToJson(*m);
        const QJsonObject first = json[QStringLiteral("misclassified")].toArray()[0].toObject();
        QCOMPARE(json[QStringLiteral("correct")].toArray().size(), 5);
        QCOMPARE(first[QStringLiteral("true")].toString(), QStringLiteral("dog"));
        QCOMPARE(first[QStringLiteral("predicted")].toString(), QStringLiteral("cat"));
        QCOMPARE(json[QStringLiteral("top_k_accuracy")].toObject().keys(),
                 QStringList({QStringLiteral("3")}));
        QCOMPARE(json[QStringLiteral("confusion_matrix")].toArray()[2].toArray()[0].toInt(), 1);
        QCOMPARE(json[QStringLiteral("per_class")]
                     .toArray()[2]
                     .toObject()[QStringLiteral("class")]
                     .toString(),
                 QStringLiteral("bird"));
    }

    void badInputIsAFailure()
    {
        Result<EvaluationMetrics> m =
            computeMetrics(kClasses, {image(QStringLiteral("short.png"), 0, {0.5f, 0.5f})});
        QVERIFY(!m.ok());
        QVERIFY(m.error().contains(QStringLiteral("short.png")));
        m = computeMetrics(kClasses, {image(QStringLiteral("far.png"), 7, {0.5f, 0.25f, 0.25f})});
        QVERIFY(!m.ok());
        QVERIFY(m.error().contains(QStringLiteral("far.png")));
    }

    void csvEscaping()
    {
        QCOMPARE(csvCell(QStringLiteral("plain")), QStringLiteral("plain"));
        QCOMPARE(csvCell(QStringLiteral("=SUM(A1)")), QStringLiteral("'=SUM(A1)"));
        QCOMPARE(csvCell(QStringLiteral("+1")), QStringLiteral("'+1"));
        QCOMPARE(csvCell(QStringLiteral("-x")), QStringLiteral("'-x"));
        QCOMPARE(csvCell(QStringLiteral("@cmd")), QStringLiteral("'@cmd"));
        QCOMPARE(csvCell(QStringLiteral("a,b")), QStringLiteral("\"a,b\""));
        QCOMPARE(csvCell(QStringLiteral("say \"hi\"")), QStringLiteral("\"say \"\"hi\"\"\""));
        QCOMPARE(csvCell(QStringLiteral("=1,2")), QStringLiteral("\"'=1,2\""));
        QCOMPARE(csvCell(QStringLiteral("two\nlines")), QStringLiteral("\"two\nlines\""));
        QCOMPARE(csvCell(QString()), QString());
    }

    void filesWritten()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QStringList classes = kClasses;
        classes[2] = QStringLiteral("=bird,x");
        const Result<EvaluationMetrics> m = computeMetrics(classes, handMade());
        QVERIFY(m.ok());
        const QString out = dir.filePath(QStringLiteral("eval"));
        const Status status = writeMetricsFiles(*m, out);
        QVERIFY2(status.ok(), qPrintable(status.error()));
        const QJsonDocument doc =
            QJsonDocument::fromJson(readAll(out + QStringLiteral("/evaluation.json")));
        QCOMPARE(doc.object()[QStringLiteral("accuracy")].toDouble(), 5.0 / 8.0);
        const QList<QByteArray> counts =
            readAll(out + QStringLiteral("/confusion_matrix.csv")).split('\n');
        QCOMPARE(counts[0], QByteArray("true\\predicted,cat,dog,\"'=bird,x\""));
        QCOMPARE(counts[1], QByteArray("cat,2,1,0"));
        QCOMPARE(counts[3], QByteArray("\"'=bird,x\",1,0,2"));
        const QList<QByteArray> wrong =
            readAll(out + QStringLiteral("/misclassified.csv")).split('\n');
        QCOMPARE(wrong[0], QByteArray("path,true,predicted,confidence"));
        QVERIFY(wrong[1].startsWith("b1.png,dog,cat,0.9"));
        const QByteArray perClass = readAll(out + QStringLiteral("/per_class.csv"));
        QVERIFY(perClass.contains("macro avg,"));
        QVERIFY(perClass.contains("dog,0.5,0.5,0.5,2"));
        QVERIFY(QFile::exists(out + QStringLiteral("/confusion_matrix_normalized.csv")));
        const QList<QByteArray> roc = readAll(out + QStringLiteral("/roc_curve.csv")).split('\n');
        QCOMPARE(roc[0], QByteArray("class,false_positive_rate,true_positive_rate,threshold"));
        QCOMPARE(roc[1], QByteArray("cat,0,0,inf"));
        QVERIFY(readAll(out + QStringLiteral("/precision_recall_curve.csv"))
                    .startsWith("class,recall,precision,threshold\ncat,0,1,inf\n"));
        const QList<QByteArray> calibration =
            readAll(out + QStringLiteral("/calibration.csv")).split('\n');
        QCOMPARE(calibration[0], QByteArray("low,high,count,mean_confidence,accuracy"));
        QCOMPARE(calibration.size(), 12); // header, 10 bins, the empty last line
    }

    void rocAreaPerClassAndTheirMean()
    {
        // cat against the rest: positives 0.7, 0.6, 0.2; negatives 0.1, 0.9, 0.1, 0.6, 0.2.
        // Pairs ranked right: 0.7 -> 4; 0.6 -> 3 + a tie; 0.2 -> 2 + a tie: 10 of 15.
        const Result<EvaluationMetrics> m = computeMetrics(kClasses, handMade());
        QVERIFY(m.ok());
        QCOMPARE(m->curves.size(), 3);
        QVERIFY(std::abs(m->perClass[0].rocAuc - 10.0 / 15.0) < 1e-9);
        QCOMPARE(m->perClass[0].rocAuc, m->curves[0].rocAuc);
        const double mean =
            (m->perClass[0].rocAuc + m->perClass[1].rocAuc + m->perClass[2].rocAuc) / 3;
        QVERIFY(std::abs(m->macroAverage.rocAuc - mean) < 1e-12);
        const double weighted =
            (m->perClass[0].averagePrecision * 3 + m->perClass[1].averagePrecision * 2 +
             m->perClass[2].averagePrecision * 3) /
            8;
        QVERIFY(std::abs(m->weightedAverage.averagePrecision - weighted) < 1e-12);
        // Answers' confidence: 0.7 0.6 0.5 0.8 0.9 0.8 0.6 0.6, right: y y n y n y n y.
        int counted = 0;
        for (const CalibrationBin& bin : m->calibration.bins) {
            counted += bin.count;
        }
        QCOMPARE(counted, 8);
        // 0.8f, 0.9f and 0.8f (just below 0.9 as a float): two right, one wrong.
        QCOMPARE(m->calibration.bins[8].count, 3);
        QCOMPARE(m->calibration.bins[8].accuracy, 2.0 / 3.0);
        QVERIFY(formatMetricsTable(*m).contains(QStringLiteral("ROC AUC")));
    }

    void curvesSurviveTheReport()
    {
        QVector<ScoredImage> images = handMade();
        images << image(QStringLiteral("d.png"), 0, {0.5f, 0.25f, 0.25f});
        const Result<EvaluationMetrics> m = computeMetrics(kClasses, images);
        QVERIFY(m.ok());
        const Result<EvaluationMetrics> back = metricsFromJson(metricsToJson(*m), QString());
        QVERIFY2(back.ok(), qPrintable(back.error()));
        QCOMPARE(back->curves.size(), m->curves.size());
        for (int c = 0; c < m->curves.size(); ++c) {
            QCOMPARE(back->curves[c].name, m->curves[c].name);
            QCOMPARE(back->curves[c].rocAuc, m->curves[c].rocAuc);
            QCOMPARE(back->perClass[c].averagePrecision, m->perClass[c].averagePrecision);
            QCOMPARE(back->curves[c].roc.size(), m->curves[c].roc.size());
            QCOMPARE(back->curves[c].roc.last().y, m->curves[c].roc.last().y);
            QVERIFY(std::isinf(back->curves[c].roc.first().threshold));
        }
        QCOMPARE(back->macroAverage.rocAuc, m->macroAverage.rocAuc);
        QCOMPARE(back->calibration.bins.size(), 10);
        QCOMPARE(back->calibration.expectedError, m->calibration.expectedError);
    }

    void aClassWithoutImagesHasNoArea()
    {
        // No bird among the images: its ROC area is undefined, written as null, read as NaN.
        const QVector<ScoredImage> images = {image(QStringLiteral("a.png"), 0, {0.8f, 0.1f, 0.1f}),
                                             image(QStringLiteral("b.png"), 1, {0.3f, 0.6f, 0.1f})};
        const Result<EvaluationMetrics> m = computeMetrics(kClasses, images);
        QVERIFY(m.ok());
        QVERIFY(std::isnan(m->perClass[2].rocAuc));
        QCOMPARE(m->macroAverage.rocAuc, 1.0); // the mean of the two defined areas
        const QJsonObject json = metricsToJson(*m);
        QVERIFY(json[QStringLiteral("per_class")]
                    .toArray()[2]
                    .toObject()[QStringLiteral("roc_auc")]
                    .isNull());
        const Result<EvaluationMetrics> back = metricsFromJson(json, QString());
        QVERIFY(back.ok());
        QVERIFY(std::isnan(back->perClass[2].rocAuc));
    }

    void anOlderReportHasNoCurves()
    {
        const Result<EvaluationMetrics> m = computeMetrics(kClasses, handMade());
        QJsonObject json = metricsToJson(*m);
        json.remove(QStringLiteral("curves"));
        json.remove(QStringLiteral("calibration"));
        const Result<EvaluationMetrics> back = metricsFromJson(json, QString());
        QVERIFY(back.ok());
        QVERIFY(back->curves.isEmpty());
        QVERIFY(back->calibration.bins.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
