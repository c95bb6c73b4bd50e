#include "evaluation/metricsjson.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <utility>

namespace studio {

namespace {

ClassMetrics classMetricsFromJson(const QJsonObject& json, const QString& key)
{
    ClassMetrics m;
    m.name = json.value(key).toString();
    m.precision = json.value(QStringLiteral("precision")).toDouble();
    m.recall = json.value(QStringLiteral("recall")).toDouble();
    m.f1 = json.value(QStringLiteral("f1")).toDouble();
    m.support = json.value(QStringLiteral("support")).toInt();
    return m;
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
    completeSummaryMetrics(&m);
    return m;
}

Result<EvaluationMetrics> loadMetricsFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Failure{QStringLiteral("Could not read %1: %2.")
                           .arg(QDir::toNativeSeparators(path), file.errorString())};
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (!document.isObject()) {
        return Failure{QStringLiteral("%1 is not valid JSON (%2 at offset %3).")
                           .arg(QDir::toNativeSeparators(path), error.errorString())
                           .arg(error.offset)};
    }
    return metricsFromJson(document.object(), path);
}

} // namespace studio
