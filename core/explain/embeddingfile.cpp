#include "explain/embeddingfile.h"

#include "common/atomicfile.h"
#include "common/jsonfile.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <limits>

namespace studio {

namespace {

constexpr int kFormat = 1;

QJsonValue coordinate(double value, bool inSample)
{
    return inSample && std::isfinite(value) ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

// One point from its row; false when the row is malformed.
bool pointFromRow(const QJsonArray& row, int classCount, EmbeddingPoint& point)
{
    if (row.size() != 6 || !row[0].isString() || !row[1].isDouble() || !row[2].isDouble() ||
        !row[3].isDouble()) {
        return false;
    }
    point.path = row[0].toString();
    point.trueClass = row[1].toInt(-1);
    point.predicted = row[2].toInt(-1);
    point.confidence = row[3].toDouble();
    point.inSample = row[4].isDouble() && row[5].isDouble();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    point.x = point.inSample ? row[4].toDouble() : nan;
    point.y = point.inSample ? row[5].toDouble() : nan;
    return point.trueClass >= 0 && point.trueClass < classCount && point.predicted >= 0 &&
           point.predicted < classCount;
}

} // namespace

QJsonObject embeddingToJson(const EmbeddingMap& map)
{
    QJsonArray points;
    for (const EmbeddingPoint& p : map.points) {
        points.append(QJsonArray{p.path, p.trueClass, p.predicted, p.confidence,
                                 coordinate(p.x, p.inSample), coordinate(p.y, p.inSample)});
    }
    return {{QStringLiteral("format"), kFormat},
            {QStringLiteral("method"), embeddingMethodName(map.method)},
            {QStringLiteral("feature_layer"), map.featureLayer},
            {QStringLiteral("feature_dimension"), map.featureDimension},
            {QStringLiteral("dataset_root"), map.datasetRoot},
            {QStringLiteral("classes"), QJsonArray::fromStringList(map.classes)},
            {QStringLiteral("points"), points}};
}

Result<EmbeddingMap> embeddingFromJson(const QJsonObject& json, const QString& source)
{
    const auto bad = [&](const QString& what) {
        return Failure{QStringLiteral("%1 is not a map this app wrote (%2): make the map again.")
                           .arg(QDir::toNativeSeparators(source), what)};
    };
    if (json.value(QStringLiteral("format")).toInt() != kFormat) {
        return bad(QStringLiteral("unknown format"));
    }
    const std::optional<EmbeddingMethod> method =
        embeddingMethodFromName(json.value(QStringLiteral("method")).toString());
    if (!method) {
        return bad(QStringLiteral("unknown method"));
    }
    EmbeddingMap map;
    map.method = *method;
    map.featureLayer = json.value(QStringLiteral("feature_layer")).toString();
    map.featureDimension = json.value(QStringLiteral("feature_dimension")).toInt();
    map.datasetRoot = json.value(QStringLiteral("dataset_root")).toString();
    for (const QJsonValue& name : json.value(QStringLiteral("classes")).toArray()) {
        map.classes << name.toString();
    }
    const QJsonArray rows = json.value(QStringLiteral("points")).toArray();
    for (int i = 0; i < rows.size(); ++i) {
        EmbeddingPoint point;
        if (!pointFromRow(rows[i].toArray(), int(map.classes.size()), point)) {
            return bad(QStringLiteral("point %1 is malformed").arg(i + 1));
        }
        map.points << point;
    }
    return map;
}

Status saveEmbeddingMap(const EmbeddingMap& map, const QString& path)
{
    return writeFileAtomically(path,
                               QJsonDocument(embeddingToJson(map)).toJson(QJsonDocument::Compact));
}

Result<EmbeddingMap> loadEmbeddingMap(const QString& path)
{
    const Result<QJsonObject> json = readJsonObjectFile(path);
    if (!json) {
        return Failure{json.error()};
    }
    return embeddingFromJson(*json, path);
}

} // namespace studio
