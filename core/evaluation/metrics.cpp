#include "evaluation/metrics.h"

#include "common/atomicfile.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace studio {

namespace {

double ratio(double numerator, double denominator)
{
    return denominator > 0 ? numerator / denominator : 0.0;
}

QJsonArray intervalToJson(const Interval& interval)
{
    return {interval.low, interval.high};
}

// A number for JSON, or null when it is NaN or infinite (JSON has neither).
QJsonValue finiteOrNull(double value)
{
    return std::isfinite(value) ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

QJsonObject classMetricsToJson(const ClassMetrics& m, const QString& key, bool withInterval)
{
    QJsonObject object{{key, m.name},
                       {QStringLiteral("precision"), m.precision},
                       {QStringLiteral("recall"), m.recall},
                       {QStringLiteral("f1"), m.f1},
                       {QStringLiteral("support"), m.support},
                       {QStringLiteral("roc_auc"), finiteOrNull(m.rocAuc)},
                       {QStringLiteral("average_precision"), finiteOrNull(m.averagePrecision)}};
    if (withInterval) {
        object.insert(QStringLiteral("recall_ci"), intervalToJson(m.recallInterval));
    }
    return object;
}

QString number(double value)
{
    return QString::number(value, 'g', 7);
}

// "0.9876", or "-" for an undefined (NaN) value.
QString fixedOrDash(double value, int decimals)
{
    return std::isnan(value) ? QStringLiteral("-") : QString::number(value, 'f', decimals);
}

// A number for a CSV cell: empty when NaN, "inf" for a threshold above every score.
QString csvNumber(double value)
{
    if (std::isnan(value)) {
        return QString();
    }
    return std::isinf(value) ? QStringLiteral("inf") : number(value);
}

// The mean of the classes' defined values weighted by their images (NaN when none is defined).
double weightedMeanOfDefined(const QVector<double>& values, const QVector<ClassCurves>& curves)
{
    double sum = 0;
    double weight = 0;
    for (int c = 0; c < values.size(); ++c) {
        if (!std::isnan(values[c])) {
            sum += values[c] * curves[c].positives;
            weight += curves[c].positives;
        }
    }
    return weight > 0 ? sum / weight : std::numeric_limits<double>::quiet_NaN();
}

// Every class's curves against the rest and the calibration of the answers' confidence; the
// classes' areas go into their metrics and the macro average.
void addCurvesAndCalibration(EvaluationMetrics* m, const QVector<ScoredImage>& images)
{
    const int n = int(m->classes.size());
    std::vector<float> confidence;
    std::vector<bool> correct;
    for (const ScoredImage& image : images) {
        const int predicted = argmaxClass(image.probabilities);
        confidence.push_back(image.probabilities[size_t(predicted)]);
        correct.push_back(predicted == image.trueLabel);
    }
    m->calibration = computeCalibration(confidence, correct);
    QVector<double> aucs;
    QVector<double> precisions;
    for (int c = 0; c < n; ++c) {
        std::vector<float> scores;
        std::vector<bool> positive;
        for (const ScoredImage& image : images) {
            scores.push_back(image.probabilities[size_t(c)]);
            positive.push_back(image.trueLabel == c);
        }
        m->curves.push_back(oneVsRestCurves(m->classes[c], scores, positive));
        m->perClass[c].rocAuc = m->curves.last().rocAuc;
        m->perClass[c].averagePrecision = m->curves.last().averagePrecision;
        aucs << m->perClass[c].rocAuc;
        precisions << m->perClass[c].averagePrecision;
    }
    m->macroAverage.rocAuc = meanOfDefined(aucs);
    m->macroAverage.averagePrecision = meanOfDefined(precisions);
    m->weightedAverage.rocAuc = weightedMeanOfDefined(aucs, m->curves);
    m->weightedAverage.averagePrecision = weightedMeanOfDefined(precisions, m->curves);
}

QJsonObject curvePointsToJson(const QVector<CurvePoint>& points, const QString& xKey,
                              const QString& yKey)
{
    QJsonArray x;
    QJsonArray y;
    QJsonArray thresholds;
    for (const CurvePoint& point : points) {
        x.append(point.x);
        y.append(point.y);
        thresholds.append(finiteOrNull(point.threshold));
    }
    return {{xKey, x}, {yKey, y}, {QStringLiteral("threshold"), thresholds}};
}

QJsonArray curvesToJson(const QVector<ClassCurves>& curves)
{
    QJsonArray array;
    for (const ClassCurves& c : curves) {
        array.append(
            QJsonObject{{QStringLiteral("class"), c.name},
                        {QStringLiteral("positives"), c.positives},
                        {QStringLiteral("negatives"), c.negatives},
                        {QStringLiteral("roc"),
                         curvePointsToJson(c.roc, QStringLiteral("fpr"), QStringLiteral("tpr"))},
                        {QStringLiteral("precision_recall"),
                         curvePointsToJson(c.precisionRecall, QStringLiteral("recall"),
                                           QStringLiteral("precision"))}});
    }
    return array;
}

QJsonObject calibrationToJson(const Calibration& calibration)
{
    QJsonArray bins;
    for (const CalibrationBin& bin : calibration.bins) {
        bins.append(QJsonObject{{QStringLiteral("low"), bin.low},
                                {QStringLiteral("high"), bin.high},
                                {QStringLiteral("count"), bin.count},
                                {QStringLiteral("mean_confidence"), bin.meanConfidence},
                                {QStringLiteral("accuracy"), bin.accuracy}});
    }
    return {{QStringLiteral("bins"), bins},
            {QStringLiteral("expected_calibration_error"), calibration.expectedError},
            {QStringLiteral("maximum_calibration_error"), calibration.maximumError}};
}

// "class,x,y,threshold" rows of every class's curve.
QByteArray curvesCsv(const QVector<ClassCurves>& curves, bool roc)
{
    QString text = roc ? QStringLiteral("class,false_positive_rate,true_positive_rate,threshold\n")
                       : QStringLiteral("class,recall,precision,threshold\n");
    for (const ClassCurves& c : curves) {
        for (const CurvePoint& point : roc ? c.roc : c.precisionRecall) {
            text += QStringLiteral("%1,%2,%3,%4\n")
                        .arg(csvCell(c.name), number(point.x), number(point.y),
                             csvNumber(point.threshold));
        }
    }
    return text.toUtf8();
}

QByteArray calibrationCsv(const Calibration& calibration)
{
    QString text = QStringLiteral("low,high,count,mean_confidence,accuracy\n");
    for (const CalibrationBin& bin : calibration.bins) {
        text += QStringLiteral("%1,%2,%3,%4,%5\n")
                    .arg(number(bin.low), number(bin.high))
                    .arg(bin.count)
                    .arg(number(bin.meanConfidence), number(bin.accuracy));
    }
    return text.toUtf8();
}

} // namespace

int argmaxClass(const std::vector<float>& probabilities)
{
    if (probabilities.empty()) {
        return -1;
    }
    return int(std::max_element(probabilities.begin(), probabilities.end()) -
               probabilities.begin());
}

Result<EvaluationMetrics> computeMetrics(const QStringList& classes,
                                         const QVector<ScoredImage>& images,
                                         const QVector<int>& topK)
{
    const int n = int(classes.size());
    if (n == 0) {
        return Failure{QStringLiteral("Cannot compute metrics without classes.")};
    }
    EvaluationMetrics m;
    m.classes = classes;
    m.count = int(images.size());
    m.confusion = QVector<QVector<int>>(n, QVector<int>(n, 0));
    std::map<int, int> topKHits;
    for (int k : topK) {
        if (k >= 1 && k <= n) {
            topKHits[k] = 0;
        }
    }
    int correct = 0;
    for (const ScoredImage& image : images) {
        if (int(image.probabilities.size()) != n) {
            return Failure{QStringLiteral("%1 has %2 class probabilities, the model has %3 "
                                          "classes.")
                               .arg(image.path)
                               .arg(image.probabilities.size())
                               .arg(n)};
        }
        if (image.trueLabel < 0 || image.trueLabel >= n) {
            return Failure{QStringLiteral("%1 has class index %2, outside 0..%3.")
                               .arg(image.path)
                               .arg(image.trueLabel)
                               .arg(n - 1)};
        }
        const int predicted = argmaxClass(image.probabilities);
        ++m.confusion[image.trueLabel][predicted];
        const ClassifiedImage classified{image.path, image.trueLabel, predicted,
                                         double(image.probabilities[size_t(predicted)])};
        if (predicted == image.trueLabel) {
            ++correct;
            m.correct.push_back(classified);
        } else {
            m.misclassified.push_back(classified);
        }
        // Rank of the true class: classes strictly more probable, plus equals with a lower
        // index (the order argmax uses).
        const float p = image.probabilities[size_t(image.trueLabel)];
        int rank = 0;
        for (int c = 0; c < n; ++c) {
            const float q = image.probabilities[size_t(c)];
            if (q > p || (q == p && c < image.trueLabel)) {
                ++rank;
            }
        }
        for (auto& [k, hits] : topKHits) {
            if (rank < k) {
                ++hits;
            }
        }
    }
    m.accuracy = ratio(correct, m.count);
    for (const auto& [k, hits] : topKHits) {
        m.topKAccuracy[k] = ratio(hits, m.count);
    }

    m.confusionNormalized = QVector<QVector<double>>(n, QVector<double>(n, 0.0));
    double macroP = 0, macroR = 0, macroF = 0, weightedP = 0, weightedR = 0, weightedF = 0;
    for (int c = 0; c < n; ++c) {
        int rowSum = 0;
        int columnSum = 0;
        for (int j = 0; j < n; ++j) {
            rowSum += m.confusion[c][j];
            columnSum += m.confusion[j][c];
        }
        for (int j = 0; j < n; ++j) {
            m.confusionNormalized[c][j] = ratio(m.confusion[c][j], rowSum);
        }
        ClassMetrics cm;
        cm.name = classes[c];
        cm.support = rowSum;
        cm.precision = ratio(m.confusion[c][c], columnSum);
        cm.recall = ratio(m.confusion[c][c], rowSum);
        cm.f1 = ratio(2 * cm.precision * cm.recall, cm.precision + cm.recall);
        m.perClass.push_back(cm);
        macroP += cm.precision;
        macroR += cm.recall;
        macroF += cm.f1;
        weightedP += cm.precision * cm.support;
        weightedR += cm.recall * cm.support;
        weightedF += cm.f1 * cm.support;
    }
    m.macroAverage = {QStringLiteral("macro avg"), macroP / n, macroR / n, macroF / n, m.count, {}};
    m.weightedAverage = {QStringLiteral("weighted avg"),
                         ratio(weightedP, m.count),
                         ratio(weightedR, m.count),
                         ratio(weightedF, m.count),
                         m.count,
                         {}};

    const auto mostConfidentFirst = [](const ClassifiedImage& a, const ClassifiedImage& b) {
        if (a.confidence != b.confidence) {
            return a.confidence > b.confidence;
        }
        return a.path < b.path;
    };
    std::stable_sort(m.misclassified.begin(), m.misclassified.end(), mostConfidentFirst);
    std::stable_sort(m.correct.begin(), m.correct.end(), mostConfidentFirst);
    addCurvesAndCalibration(&m, images);
    completeSummaryMetrics(&m);
    return m;
}

void completeSummaryMetrics(EvaluationMetrics* m)
{
    int correct = 0;
    double recallSum = 0;
    int present = 0;
    for (int c = 0; c < m->confusion.size() && c < m->perClass.size(); ++c) {
        const QVector<int>& row = m->confusion[c];
        const int support = std::accumulate(row.begin(), row.end(), 0);
        correct += row.value(c);
        m->perClass[c].recallInterval = wilsonInterval(row.value(c), support);
        if (support > 0) {
            recallSum += m->perClass[c].recall;
            ++present;
        }
    }
    m->accuracyInterval = wilsonInterval(correct, m->count);
    m->balancedAccuracy = present > 0 ? recallSum / present : 0;
    m->balancedAccuracyInterval = balancedAccuracyInterval(m->confusion);
    m->macroF1 = m->macroAverage.f1;
}

QJsonObject metricsToJson(const EvaluationMetrics& m)
{
    QJsonObject topK;
    for (const auto& [k, value] : m.topKAccuracy) {
        topK.insert(QString::number(k), value);
    }
    QJsonArray confusion;
    for (const QVector<int>& row : m.confusion) {
        QJsonArray r;
        for (int v : row) {
            r.append(v);
        }
        confusion.append(r);
    }
    QJsonArray normalized;
    for (const QVector<double>& row : m.confusionNormalized) {
        QJsonArray r;
        for (double v : row) {
            r.append(v);
        }
        normalized.append(r);
    }
    QJsonArray perClass;
    for (const ClassMetrics& c : m.perClass) {
        perClass.append(classMetricsToJson(c, QStringLiteral("class"), true));
    }
    const auto imagesToJson = [&](const QVector<ClassifiedImage>& images) {
        QJsonArray array;
        for (const ClassifiedImage& w : images) {
            array.append(
                QJsonObject{{QStringLiteral("path"), w.path},
                            {QStringLiteral("true"), m.classes.value(w.trueLabel)},
                            {QStringLiteral("predicted"), m.classes.value(w.predictedLabel)},
                            {QStringLiteral("confidence"), w.confidence}});
        }
        return array;
    };
    return {{QStringLiteral("count"), m.count},
            {QStringLiteral("accuracy"), m.accuracy},
            {QStringLiteral("accuracy_ci"), intervalToJson(m.accuracyInterval)},
            {QStringLiteral("balanced_accuracy"), m.balancedAccuracy},
            {QStringLiteral("macro_f1"), m.macroF1},
            {QStringLiteral("top_k_accuracy"), topK},
            {QStringLiteral("classes"), QJsonArray::fromStringList(m.classes)},
            {QStringLiteral("confusion_matrix"), confusion},
            {QStringLiteral("confusion_matrix_normalized"), normalized},
            {QStringLiteral("per_class"), perClass},
            {QStringLiteral("macro_avg"),
             classMetricsToJson(m.macroAverage, QStringLiteral("name"), false)},
            {QStringLiteral("weighted_avg"),
             classMetricsToJson(m.weightedAverage, QStringLiteral("name"), false)},
            {QStringLiteral("misclassified"), imagesToJson(m.misclassified)},
            {QStringLiteral("correct"), imagesToJson(m.correct)},
            {QStringLiteral("curves"), curvesToJson(m.curves)},
            {QStringLiteral("calibration"), calibrationToJson(m.calibration)}};
}

Interval wilsonInterval(int successes, int trials)
{
    if (trials <= 0) {
        return {0, 1};
    }
    constexpr double z = 1.959963984540054; // the normal distribution's 97.5% quantile
    const double n = trials;
    const double p = double(successes) / n;
    const double denominator = 1 + z * z / n;
    const double centre = (p + z * z / (2 * n)) / denominator;
    const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator;
    // It holds p in exact arithmetic; min/max keep 27 of 27 inside it in floating point too.
    return {std::max(0.0, std::min(p, centre - half)), std::min(1.0, std::max(p, centre + half))};
}

Interval balancedAccuracyInterval(const QVector<QVector<int>>& confusion)
{
    constexpr double z = 1.959963984540054;
    QVector<std::pair<int, int>> classes; // right, images
    for (int c = 0; c < confusion.size(); ++c) {
        const QVector<int>& row = confusion[c];
        const int support = std::accumulate(row.begin(), row.end(), 0);
        if (support > 0) {
            classes.append({row.value(c), support});
        }
    }
    if (classes.isEmpty()) {
        return {0, 1};
    }
    const double k = double(classes.size());
    double sum = 0;
    double observed = 0; // the balanced accuracy itself
    double variance = 0;
    for (const auto& [right, images] : classes) {
        const double n = images + 4 / k;
        const double p = (right + 2 / k) / n;
        sum += p;
        observed += double(right) / images;
        variance += p * (1 - p) / n;
    }
    const double centre = sum / k;
    const double half = z * std::sqrt(variance) / k;
    observed /= k;
    return {std::max(0.0, std::min(observed, centre - half)),
            std::min(1.0, std::max(observed, centre + half))};
}

QString formatWithInterval(double value, const Interval& interval, int decimals)
{
    return QStringLiteral("%1% (%2–%3%)")
        .arg(value * 100, 0, 'f', decimals)
        .arg(interval.low * 100, 0, 'f', decimals)
        .arg(interval.high * 100, 0, 'f', decimals);
}

QString formatMetricsTable(const EvaluationMetrics& m)
{
    int width = 12;
    for (const QString& name : m.classes) {
        width = std::max(width, int(name.size()) + 2);
    }
    QString text = QStringLiteral("Images: %1\nAccuracy: %2 (95% CI %3-%4)\n"
                                  "Balanced accuracy: %5\nMacro F1: %6\n")
                       .arg(m.count)
                       .arg(m.accuracy, 0, 'f', 4)
                       .arg(m.accuracyInterval.low, 0, 'f', 4)
                       .arg(m.accuracyInterval.high, 0, 'f', 4)
                       .arg(m.balancedAccuracy, 0, 'f', 4)
                       .arg(m.macroF1, 0, 'f', 4);
    for (const auto& [k, value] : m.topKAccuracy) {
        text += QStringLiteral("Top-%1 accuracy: %2\n").arg(k).arg(value, 0, 'f', 4);
    }
    if (!m.curves.isEmpty()) {
        text += QStringLiteral("ROC AUC (one class against the rest, macro): %1\n"
                               "Average precision (PR AUC, macro): %2\n"
                               "Expected calibration error: %3 (%4 bins)\n")
                    .arg(fixedOrDash(m.macroAverage.rocAuc, 4),
                         fixedOrDash(m.macroAverage.averagePrecision, 4),
                         fixedOrDash(m.calibration.expectedError, 4))
                    .arg(m.calibration.bins.size());
    }
    text += QStringLiteral("\n%1%2%3%4%5%6%7\n")
                .arg(QString().leftJustified(width), QStringLiteral("precision").rightJustified(11),
                     QStringLiteral("recall").rightJustified(11),
                     QStringLiteral("f1-score").rightJustified(11),
                     QStringLiteral("support").rightJustified(10),
                     QStringLiteral("roc-auc").rightJustified(10),
                     QStringLiteral("avg-prec").rightJustified(10));
    auto row = [&](const ClassMetrics& c) {
        return QStringLiteral("%1%2%3%4%5%6%7\n")
            .arg(c.name.leftJustified(width))
            .arg(c.precision, 11, 'f', 4)
            .arg(c.recall, 11, 'f', 4)
            .arg(c.f1, 11, 'f', 4)
            .arg(c.support, 10)
            .arg(fixedOrDash(c.rocAuc, 4).rightJustified(10),
                 fixedOrDash(c.averagePrecision, 4).rightJustified(10));
    };
    for (const ClassMetrics& c : m.perClass) {
        text += row(c);
    }
    text += QLatin1Char('\n') + row(m.macroAverage) + row(m.weightedAverage);
    text += QStringLiteral("\nMisclassified: %1\n").arg(m.misclassified.size());
    return text;
}

Status writeMetricsFiles(const EvaluationMetrics& m, const QString& dir)
{
    if (!QDir().mkpath(dir)) {
        return Failure{QStringLiteral("Could not create the folder %1; check that it is "
                                      "writable.")
                           .arg(dir)};
    }
    const QDir out(dir);
    QStringList header = {QStringLiteral("true\\predicted")};
    for (const QString& name : m.classes) {
        header << csvCell(name);
    }
    QString counts = header.join(QLatin1Char(',')) + QLatin1Char('\n');
    QString normalized = counts;
    for (int r = 0; r < m.confusion.size(); ++r) {
        QStringList countRow = {csvCell(m.classes[r])};
        QStringList normalizedRow = countRow;
        for (int c = 0; c < m.confusion[r].size(); ++c) {
            countRow << QString::number(m.confusion[r][c]);
            normalizedRow << number(m.confusionNormalized[r][c]);
        }
        counts += countRow.join(QLatin1Char(',')) + QLatin1Char('\n');
        normalized += normalizedRow.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    QString perClass =
        QStringLiteral("class,precision,recall,f1,support,roc_auc,average_precision\n");
    QVector<ClassMetrics> rows = m.perClass;
    rows << m.macroAverage << m.weightedAverage;
    for (const ClassMetrics& c : rows) {
        perClass += QStringLiteral("%1,%2,%3,%4,%5,%6,%7\n")
                        .arg(csvCell(c.name), number(c.precision), number(c.recall), number(c.f1))
                        .arg(c.support)
                        .arg(csvNumber(c.rocAuc), csvNumber(c.averagePrecision));
    }
    QString wrong = QStringLiteral("path,true,predicted,confidence\n");
    for (const ClassifiedImage& w : m.misclassified) {
        wrong += QStringLiteral("%1,%2,%3,%4\n")
                     .arg(csvCell(w.path), csvCell(m.classes.value(w.trueLabel)),
                          csvCell(m.classes.value(w.predictedLabel)), number(w.confidence));
    }
    const std::vector<std::pair<QString, QByteArray>> files = {
        {QStringLiteral("evaluation.json"),
         QJsonDocument(metricsToJson(m)).toJson(QJsonDocument::Indented)},
        {QStringLiteral("confusion_matrix.csv"), counts.toUtf8()},
        {QStringLiteral("confusion_matrix_normalized.csv"), normalized.toUtf8()},
        {QStringLiteral("per_class.csv"), perClass.toUtf8()},
        {QStringLiteral("misclassified.csv"), wrong.toUtf8()},
        {QStringLiteral("roc_curve.csv"), curvesCsv(m.curves, true)},
        {QStringLiteral("precision_recall_curve.csv"), curvesCsv(m.curves, false)},
        {QStringLiteral("calibration.csv"), calibrationCsv(m.calibration)}};
    for (const auto& [name, bytes] : files) {
        if (Status status = writeFileAtomically(out.filePath(name), bytes); !status) {
            return status;
        }
    }
    return {};
}

} // namespace studio
