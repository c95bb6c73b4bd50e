#include "evaluation/metricsjson.h"

#include "common/jsonfile.h"

#include <QDir>
#include <QJsonArray>

#include <limits>
#include <utility>

namespace studio {

namespace {

// A number, or NaN when the value is null or missing (an undefined area, an older report).
double numberOrNaN(const QJsonValue& value)
{
    return value.isDouble() ? value.toDouble() : std::numeric_limits<double>::quiet_NaN();
}

ClassMetrics classMetricsFromJson(const QJsonObject& json, const QString& key)
{
    ClassMetrics m;
    m.name = json.value(key).toString();
    m.precision = json.value(QStringLiteral("precision")).toDouble();
    m.recall = json.value(QStringLiteral("recall")).toDouble();
    m.f1 = json.value(QStringLiteral("f1")).toDouble();
    m.support = json.value(QStringLiteral("support")).toInt();
    m.rocAuc = numberOrNaN(json.value(QStringLiteral("roc_auc")));
    m.averagePrecision = numberOrNaN(json.value(QStringLiteral("average_precision")));
    return m;
}

// A curve's points from its x, y and threshold arrays (a null threshold: above every score).
QVector<CurvePoint> curvePointsFromJson(const QJsonObject& json, const QString& xKey,
                                        const QString& yKey)
{
    const QJsonArray x = json.value(xKey).toArray();
    const QJsonArray y = json.value(yKey).toArray();
    const QJsonArray thresholds = json.value(QStringLiteral("threshold")).toArray();
    QVector<CurvePoint> points;
    for (int i = 0; i < x.size() && i < y.size(); ++i) {
        const QJsonValue threshold = thresholds.at(i);
        points.push_back({x.at(i).toDouble(), y.at(i).toDouble(),
                          threshold.isDouble() ? threshold.toDouble()
                                               : std::numeric_limits<double>::infinity()});
    }
    return points;
}

// The per-class curves; their areas are the classes' own (read from "per_class").
QVector<ClassCurves> curvesFromJson(const QJsonArray& array, const QVector<ClassMetrics>& perClass)
{
    QVector<ClassCurves> curves;
    for (const QJsonValue& value : array) {
        const QJsonObject json = value.toObject();
        ClassCurves c;
        c.name = json.value(QStringLiteral("class")).toString();
        c.positives = json.value(QStringLiteral("positives")).toInt();
        c.negatives = json.value(QStringLiteral("negatives")).toInt();
        c.roc = curvePointsFromJson(json.value(QStringLiteral("roc")).toObject(),
                                    QStringLiteral("fpr"), QStringLiteral("tpr"));
        c.precisionRecall =
            curvePointsFromJson(json.value(QStringLiteral("precision_recall")).toObject(),
                                QStringLiteral("recall"), QStringLiteral("precision"));
        if (curves.size() < perClass.size()) {
            c.rocAuc = perClass[curves.size()].rocAuc;
            c.averagePrecision = perClass[curves.size()].averagePrecision;
        }
        curves.push_back(c);
    }
    return curves;
}

Calibration calibrationFromJson(const QJsonObject& json)
{
    Calibration calibration;
    for (const QJsonValue& value : json.value(QStringLiteral("bins")).toArray()) {
        const QJsonObject bin = value.toObject();
        calibration.bins.push_back({bin.value(QStringLiteral("low")).toDouble(),
                                    bin.value(QStringLiteral("high")).toDouble(),
                                    bin.value(QStringLiteral("count")).toInt(),
                                    bin.value(QStringLiteral("mean_confidence")).toDouble(),
                                    bin.value(QStringLiteral("accuracy")).toDouble()});
    }
    calibration.expectedError = json.value(QStringLiteral("expected_calibration_error")).toDouble();
    calibration.maximumError = json.value(QStringLiteral("maximum_calibration_error")).toDouble();
    return calibration;
}

} // namespace

Result<EvaluationMetrics> metricsFromJson(const QJsonObject& json, const QString& source)
{
    const auto bad = [&source](const QString& what) {
        return Failure{QStringLiteral("%1 is not an evaluation report of this app: %2.")
                           .arg(QDir::toNativeSeparators(source), what)};
    };
    EvaluationMetrics m;
    for (const QJsonValue& name : json.value(QStringLiteral("classes")).toArray()) {
        m.classes << name.toString();
    }
    if (m.classes.isEmpty()) {
        return bad(QStringLiteral("it lists no classes"));
    }
    const int n = int(m.classes.size());
    m.count = json.value(QStringLiteral("count")).toInt();
    m.accuracy = json.value(QStringLiteral("accuracy")).toDouble();
    const QJsonObject topK = json.value(QStringLiteral("top_k_accuracy")).toObject();
    for (auto it = topK.begin(); it != topK.end(); ++it) {
        m.topKAccuracy[it.key().toInt()] = it.value().toDouble();
    }
    const QJsonArray confusion = json.value(QStringLiteral("confusion_matrix")).toArray();
    const QJsonArray normalized =
        json.value(QStringLiteral("confusion_matrix_normalized")).toArray();
    if (confusion.size() != n) {
        return bad(QStringLiteral("its confusion matrix does not have one row per class"));
    }
    for (int r = 0; r < n; ++r) {
        const QJsonArray counts = confusion.at(r).toArray();
        const QJsonArray fractions = normalized.at(r).toArray();
        if (counts.size() != n) {
            return bad(QStringLiteral("row %1 of its confusion matrix does not have one column "
                                      "per class")
                           .arg(r + 1));
        }
        QVector<int> countRow;
        QVector<double> fractionRow;
        int sum = 0;
        for (int c = 0; c < n; ++c) {
            countRow << counts.at(c).toInt();
            sum += countRow.last();
        }
        for (int c = 0; c < n; ++c) {
            fractionRow << (fractions.size() == n ? fractions.at(c).toDouble()
                                                  : (sum > 0 ? double(countRow[c]) / sum : 0.0));
        }
        m.confusion << countRow;
        m.confusionNormalized << fractionRow;
    }
    for (const QJsonValue& row : json.value(QStringLiteral("per_class")).toArray()) {
        m.perClass << classMetricsFromJson(row.toObject(), QStringLiteral("class"));
    }
    m.macroAverage = classMetricsFromJson(json.value(QStringLiteral("macro_avg")).toObject(),
                                          QStringLiteral("name"));
    m.weightedAverage = classMetricsFromJson(json.value(QStringLiteral("weighted_avg")).toObject(),
                                             QStringLiteral("name"));
    // "correct" is absent from reports written before it existed: then it stays empty.
    for (const auto& [key, images] : {std::pair{QStringLiteral("misclassified"), &m.misclassified},
                                      std::pair{QStringLiteral("correct"), &m.correct}}) {
        for (const QJsonValue& value : json.value(key).toArray()) {
            const QJsonObject image = value.toObject();
            ClassifiedImage w;
            w.path = image.value(QStringLiteral("path")).toString();
            w.trueLabel = int(m.classes.indexOf(image.value(QStringLiteral("true")).toString()));
            w.predictedLabel =
                int(m.classes.indexOf(image.value(QStringLiteral("predicted")).toString()));
            w.confidence = image.value(QStringLiteral("confidence")).toDouble();
            if (w.trueLabel < 0 || w.predictedLabel < 0) {
                return bad(
                    QStringLiteral("the %1 image %2 names an unknown class").arg(key, w.path));
            }
            *images << w;
        }
    }
    const QJsonArray curves = json.value(QStringLiteral("curves")).toArray();
    if (!curves.isEmpty() && curves.size() != n) {
        return bad(QStringLiteral("it does not have one ROC curve per class"));
    }
    m.curves = curvesFromJson(curves, m.perClass);
    m.calibration = calibrationFromJson(json.value(QStringLiteral("calibration")).toObject());
    completeSummaryMetrics(&m);
    return m;
}

Result<EvaluationMetrics> loadMetricsFile(const QString& path)
{
    const Result<QJsonObject> json = readJsonObjectFile(path);
    if (!json) {
        return Failure{json.error()};
    }
    return metricsFromJson(*json, path);
}

} // namespace studio
