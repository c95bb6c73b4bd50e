// Comparing two runs (see runcomparison.h). Torch-free.
#include "runs/runcomparison.h"

#include "common/nativepath.h"
#include "evaluation/metricsjson.h"
#include "project/project.h"
#include "project/settingsschema.h"
#include "training/trainer.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace studio {

namespace {

// Path -> right or wrong, over every image the evaluation lists.
QHash<QString, bool> answers(const EvaluationMetrics& m)
{
    QHash<QString, bool> result;
    for (const ClassifiedImage& image : m.correct) {
        result.insert(image.path, true);
    }
    for (const ClassifiedImage& image : m.misclassified) {
        result.insert(image.path, false);
    }
    return result;
}

// "3 images only in A (test/cat/1.png, ...)".
QString onlyIn(const QHash<QString, bool>& a, const QHash<QString, bool>& b, const QString& name)
{
    QStringList missing;
    for (auto it = a.begin(); it != a.end(); ++it) {
        if (!b.contains(it.key())) {
            missing << it.key();
        }
    }
    std::sort(missing.begin(), missing.end());
    if (missing.isEmpty()) {
        return QString();
    }
    return QStringLiteral("%1 image(s) only in %2 (%3%4)")
        .arg(missing.size())
        .arg(name, missing.mid(0, 3).join(QStringLiteral(", ")),
             missing.size() > 3 ? QStringLiteral(", ...") : QString());
}

Result<EvaluationMetrics> runEvaluation(const QString& runDir)
{
    const QString path = QDir(runDir).filePath(QStringLiteral("evaluation/evaluation.json"));
    if (!QFileInfo::exists(path)) {
        return Failure{QStringLiteral("'%1' has no test evaluation (%2): the run has no test "
                                      "split or has not finished; evaluate it first "
                                      "(classifier-cli evaluate).")
                           .arg(native(runDir), QStringLiteral("evaluation/evaluation.json"))};
    }
    return loadMetricsFile(path);
}

// The name people read: the key, its section's for "enabled" and "name" ("augmentation",
// "optimizer"), with the section where two sections share the key ("early_stopping.patience").
QString displayName(const SettingField& field, const QHash<QString, int>& keyCount)
{
    const QString section = field.section.section(QLatin1Char('.'), -1);
    if (field.key == QLatin1String("enabled") || field.key == QLatin1String("name")) {
        return section;
    }
    return keyCount.value(field.key) > 1 ? section + QLatin1Char('.') + field.key : field.key;
}

void diffSettings(const QJsonObject& a, const QJsonObject& b, QVector<SettingChange>* changes)
{
    QHash<QString, int> keyCount;
    QSet<QString> paths;
    QVector<const SettingField*> fields;
    for (const SettingField* field : allSettingFields()) {
        if (!paths.contains(field->path())) { // two optimizers may share a path
            paths.insert(field->path());
            fields << field;
            ++keyCount[field->key];
        }
    }
    for (const SettingField* field : fields) {
        const QJsonValue before = projectValueAt(a, field->section, field->key);
        const QJsonValue after = projectValueAt(b, field->section, field->key);
        if (before != after) {
            changes->append({field->path(), displayName(*field, keyCount), field->label,
                             jsonValueText(before), jsonValueText(after)});
        }
    }
}

// "Conv2D (filters 16, kernel_size [3, 3])", or only the keys in `only`.
QString layerText(const QJsonObject& layer, const QStringList& only = {})
{
    QStringList parts;
    for (auto it = layer.begin(); it != layer.end(); ++it) {
        if (it.key() != QLatin1String("type") && (only.isEmpty() || only.contains(it.key()))) {
            parts << it.key() + QLatin1Char(' ') + jsonValueText(it.value());
        }
    }
    const QString type = layer.value(QStringLiteral("type")).toString();
    return parts.isEmpty()
               ? type
               : type + QStringLiteral(" (") + parts.join(QStringLiteral(", ")) + QLatin1Char(')');
}

SettingChange layerChange(int number, const QJsonObject& before, const QJsonObject& after)
{
    SettingChange change;
    change.path = QStringLiteral("model.layers");
    change.name = QStringLiteral("layer %1").arg(number);
    change.label = QStringLiteral("Layer %1").arg(number);
    if (before.isEmpty() || after.isEmpty() ||
        before.value(QStringLiteral("type")) != after.value(QStringLiteral("type"))) {
        change.before = before.isEmpty() ? QStringLiteral("none") : layerText(before);
        change.after = after.isEmpty() ? QStringLiteral("none") : layerText(after);
        return change;
    }
    QStringList keys;
    for (const QString& key : before.keys() + after.keys()) {
        if (before.value(key) != after.value(key) && !keys.contains(key)) {
            keys << key;
        }
    }
    change.before = layerText(before, keys);
    change.after = layerText(after, keys);
    return change;
}

// Pairs the removed and added layers of one stretch between unchanged ones: as many as both
// have are changed (numbered as in A), the rest removed (A's numbers) or added (B's numbers).
void flushStretch(const QJsonArray& la, const QJsonArray& lb, QVector<int>* removed,
                  QVector<int>* added, QVector<SettingChange>* changes)
{
    const int paired = int(std::min(removed->size(), added->size()));
    for (int k = 0; k < std::max(removed->size(), added->size()); ++k) {
        const bool hasA = k < removed->size();
        const bool hasB = k < added->size();
        const int number = (k < paired || hasA ? removed->at(k) : added->at(k)) + 1;
        changes->append(layerChange(number, hasA ? la[removed->at(k)].toObject() : QJsonObject(),
                                    hasB ? lb[added->at(k)].toObject() : QJsonObject()));
    }
    removed->clear();
    added->clear();
}

// The layers that differ, by a longest common subsequence of whole layers: what is in both stays
// out; between two such layers, removed and added ones are paired as changes (flushStretch()).
void diffLayers(const QJsonObject& a, const QJsonObject& b, QVector<SettingChange>* changes)
{
    const QJsonArray la =
        a.value(QStringLiteral("model")).toObject().value(QStringLiteral("layers")).toArray();
    const QJsonArray lb =
        b.value(QStringLiteral("model")).toObject().value(QStringLiteral("layers")).toArray();
    const int n = int(la.size());
    const int m = int(lb.size());
    // common[i][j]: the longest common subsequence of la[i..] and lb[j..].
    QVector<QVector<int>> common(n + 1, QVector<int>(m + 1, 0));
    for (int i = n - 1; i >= 0; --i) {
        for (int j = m - 1; j >= 0; --j) {
            common[i][j] = la[i] == lb[j] ? common[i + 1][j + 1] + 1
                                          : std::max(common[i + 1][j], common[i][j + 1]);
        }
    }
    QVector<int> removed, added;
    int i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && la[i] == lb[j]) {
            flushStretch(la, lb, &removed, &added, changes);
            ++i;
            ++j;
        } else if (j >= m || (i < n && common[i + 1][j] >= common[i][j + 1])) {
            removed << i++;
        } else {
            added << j++;
        }
    }
    flushStretch(la, lb, &removed, &added, changes);
}

Result<QJsonObject> normalizedProject(const QString& runDir)
{
    const QString path = QDir(runDir).filePath(runfiles::project);
    if (!QFileInfo::exists(path)) {
        return Failure{QStringLiteral("'%1' is not a run folder: it has no %2.")
                           .arg(native(runDir), runfiles::project)};
    }
    const Result<LoadedProject> loaded = loadProject(path);
    if (!loaded) {
        return Failure{loaded.error()};
    }
    return QJsonDocument::fromJson(projectToJson(loaded->project)).object();
}

} // namespace

QString jsonValueText(const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("on") : QStringLiteral("off");
    case QJsonValue::Double:
        return QString::number(value.toDouble(), 'g', 6);
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Array: {
        QStringList items;
        for (const QJsonValue& item : value.toArray()) {
            items << jsonValueText(item);
        }
        return QLatin1Char('[') + items.join(QStringLiteral(", ")) + QLatin1Char(']');
    }
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    default:
        return QStringLiteral("none");
    }
}

QJsonValue projectValueAt(const QJsonObject& root, const QString& section, const QString& key)
{
    QJsonObject object = root;
    for (const QString& part : section.split(QLatin1Char('.'), Qt::SkipEmptyParts)) {
        object = object.value(part).toObject();
    }
    return object.value(key);
}

double mcnemarExactP(int b, int c)
{
    const int n = b + c;
    if (n <= 0) {
        return 1;
    }
    const int k = std::min(b, c);
    double tail = 0;
    for (int i = 0; i <= k; ++i) {
        tail += std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) -
                         n * std::log(2.0));
    }
    return std::min(1.0, 2 * tail);
}

double mcnemarChiSquare(int b, int c)
{
    if (b + c <= 0) {
        return 0;
    }
    const double d = std::max(0.0, std::abs(double(b - c)) - 1);
    return d * d / (b + c);
}

double chiSquare1P(double statistic)
{
    return std::erfc(std::sqrt(std::max(0.0, statistic) / 2));
}

Result<McNemarResult> mcnemarTest(const EvaluationMetrics& a, const EvaluationMetrics& b,
                                  const QString& nameA, const QString& nameB)
{
    const QHash<QString, bool> ra = answers(a);
    const QHash<QString, bool> rb = answers(b);
    if (ra.isEmpty() || rb.isEmpty()) {
        return Failure{QStringLiteral("%1 lists no test image; McNemar's test needs each image's "
                                      "answer.")
                           .arg(ra.isEmpty() ? nameA : nameB)};
    }
    QStringList differences = {onlyIn(ra, rb, nameA), onlyIn(rb, ra, nameB)};
    differences.removeAll(QString());
    if (!differences.isEmpty() || a.classes != b.classes) {
        return Failure{QStringLiteral("%1 and %2 were not evaluated on the same test split (%3); "
                                      "McNemar's test compares two runs on the same images.")
                           .arg(nameA, nameB,
                                differences.isEmpty() ? QStringLiteral("their classes differ")
                                                      : differences.join(QStringLiteral("; ")))};
    }
    McNemarResult result;
    for (auto it = ra.begin(); it != ra.end(); ++it) {
        const bool right = it.value();
        const bool other = rb.value(it.key());
        ++result.images;
        (right && other ? result.bothRight
         : right        ? result.onlyARight
         : other        ? result.onlyBRight
                        : result.bothWrong)++;
    }
    result.exactP = mcnemarExactP(result.onlyARight, result.onlyBRight);
    result.chiSquare = mcnemarChiSquare(result.onlyARight, result.onlyBRight);
    result.chiSquareP = chiSquare1P(result.chiSquare);
    return result;
}

Result<McNemarResult> mcnemarTestOfRuns(const QString& runA, const QString& runB)
{
    const Result<EvaluationMetrics> a = runEvaluation(runA);
    if (!a) {
        return Failure{a.error()};
    }
    const Result<EvaluationMetrics> b = runEvaluation(runB);
    if (!b) {
        return Failure{b.error()};
    }
    return mcnemarTest(*a, *b, QStringLiteral("'%1'").arg(native(runA)),
                       QStringLiteral("'%1'").arg(native(runB)));
}

QString describeMcNemar(const McNemarResult& r)
{
    const QString verdict = r.exactP < 0.05
                                ? QStringLiteral("the difference is more than chance (p < 0.05)")
                                : QStringLiteral("the difference may be chance (p >= 0.05)");
    return QStringLiteral("Of %1 test images, A right where B wrong: %2, B right where A wrong: "
                          "%3 (both right %4, both wrong %5). McNemar's exact p = %6: %7. "
                          "Chi-square with continuity correction %8, p = %9.")
        .arg(r.images)
        .arg(r.onlyARight)
        .arg(r.onlyBRight)
        .arg(r.bothRight)
        .arg(r.bothWrong)
        .arg(QString::number(r.exactP, 'g', 4), verdict, QString::number(r.chiSquare, 'g', 4),
             QString::number(r.chiSquareP, 'g', 4));
}

QJsonObject mcnemarToJson(const McNemarResult& r)
{
    return {{QStringLiteral("images"), r.images},
            {QStringLiteral("both_right"), r.bothRight},
            {QStringLiteral("only_a_right"), r.onlyARight},
            {QStringLiteral("only_b_right"), r.onlyBRight},
            {QStringLiteral("both_wrong"), r.bothWrong},
            {QStringLiteral("exact_p"), r.exactP},
            {QStringLiteral("chi_square"), r.chiSquare},
            {QStringLiteral("chi_square_p"), r.chiSquareP}};
}

QVector<SettingChange> diffProjects(const QJsonObject& a, const QJsonObject& b)
{
    QVector<SettingChange> changes;
    diffSettings(a, b, &changes);
    const QJsonValue initA =
        projectValueAt(a, QStringLiteral("model"), QStringLiteral("init_from"));
    const QJsonValue initB =
        projectValueAt(b, QStringLiteral("model"), QStringLiteral("init_from"));
    if (initA != initB) {
        changes.append({QStringLiteral("model.init_from"), QStringLiteral("init_from"),
                        QStringLiteral("Start from model"), jsonValueText(initA),
                        jsonValueText(initB)});
    }
    diffLayers(a, b, &changes);
    return changes;
}

Result<QVector<SettingChange>> diffRunProjects(const QString& runA, const QString& runB)
{
    const Result<QJsonObject> a = normalizedProject(runA);
    if (!a) {
        return Failure{a.error()};
    }
    const Result<QJsonObject> b = normalizedProject(runB);
    if (!b) {
        return Failure{b.error()};
    }
    return diffProjects(*a, *b);
}

QString describeChanges(const QVector<SettingChange>& changes)
{
    QStringList parts;
    for (const SettingChange& change : changes) {
        parts << QStringLiteral("%1 %2 → %3").arg(change.name, change.before, change.after);
    }
    return parts.isEmpty() ? QStringLiteral("no setting differs")
                           : parts.join(QStringLiteral("; "));
}

} // namespace studio
