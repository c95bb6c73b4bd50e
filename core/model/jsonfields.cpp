#include "model/jsonfields.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <utility>

namespace studio {

namespace {

QString integerRangeText(qint64 minimum, qint64 maximum, qint64 typeMax)
{
    if (minimum == 1 && maximum == typeMax) {
        return QStringLiteral("a positive integer");
    }
    if (minimum == 0 && maximum == typeMax) {
        return QStringLiteral("a non-negative integer");
    }
    return QStringLiteral("an integer from %1 to %2").arg(minimum).arg(maximum);
}

} // namespace

QString describeJsonValue(const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return numberText(value.toDouble());
    case QJsonValue::String: {
        const QByteArray quoted =
            QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).mid(1);
        return QString::fromUtf8(quoted.left(quoted.size() - 1));
    }
    case QJsonValue::Array: {
        const QByteArray text = QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
        return text.size() <= 40 ? QString::fromUtf8(text) : QStringLiteral("an array");
    }
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

QString jsonChildPath(const QString& path, const QString& key)
{
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

bool jsonToInteger(const QJsonValue& value, qint64* out)
{
    if (!value.isDouble()) {
        return false;
    }
    const double d = value.toDouble();
    // 2^53: the largest range in which every integer is exact in a double.
    if (!std::isfinite(d) || d != std::floor(d) || std::abs(d) > 9007199254740992.0) {
        return false;
    }
    *out = qint64(d);
    return true;
}

JsonObjectReader::JsonObjectReader(const QJsonValue& value, QString path,
                                   JsonDiagnostics* diagnostics)
    : m_path(std::move(path)), m_diagnostics(diagnostics)
{
    m_isObject = value.isObject();
    if (m_isObject) {
        m_object = value.toObject();
    } else if (!value.isUndefined()) {
        m_diagnostics->errors << QStringLiteral("%1 must be an object, got %2")
                                     .arg(m_path.isEmpty() ? QStringLiteral("the file") : m_path,
                                          describeJsonValue(value));
    }
}

QJsonValue JsonObjectReader::take(const QString& key)
{
    markRead(key);
    return m_object.value(key);
}

void JsonObjectReader::addError(const QString& path, const QString& what)
{
    m_diagnostics->errors << path + QLatin1Char(' ') + what;
}

bool JsonObjectReader::readInt64(const QString& key, qint64* out, qint64 minimum, qint64 maximum)
{
    if (!has(key)) {
        markRead(key);
        return true;
    }
    const QJsonValue value = take(key);
    qint64 parsed = 0;
    if (!jsonToInteger(value, &parsed) || parsed < minimum || parsed > maximum) {
        addError(childPath(key),
                 QStringLiteral("must be %1, got %2")
                     .arg(integerRangeText(minimum, maximum, std::numeric_limits<qint64>::max()),
                          describeJsonValue(value)));
        return false;
    }
    *out = parsed;
    return true;
}

bool JsonObjectReader::readInt(const QString& key, int* out, int minimum, int maximum)
{
    if (!has(key)) {
        markRead(key);
        return true;
    }
    const QJsonValue value = take(key);
    qint64 parsed = 0;
    if (!jsonToInteger(value, &parsed) || parsed < minimum || parsed > maximum) {
        addError(childPath(key),
                 QStringLiteral("must be %1, got %2")
                     .arg(integerRangeText(minimum, maximum, std::numeric_limits<int>::max()),
                          describeJsonValue(value)));
        return false;
    }
    *out = int(parsed);
    return true;
}

bool JsonObjectReader::readDouble(const QString& key, double* out, const NumberRange& range)
{
    if (!has(key)) {
        markRead(key);
        return true;
    }
    const QJsonValue value = take(key);
    if (!value.isDouble() || !range.contains(value.toDouble())) {
        addError(
            childPath(key),
            QStringLiteral("must be %1, got %2").arg(range.describe(), describeJsonValue(value)));
        return false;
    }
    *out = value.toDouble();
    return true;
}

bool JsonObjectReader::readBool(const QString& key, bool* out)
{
    if (!has(key)) {
        markRead(key);
        return true;
    }
    const QJsonValue value = take(key);
    if (!value.isBool()) {
        addError(childPath(key),
                 QStringLiteral("must be true or false, got %1").arg(describeJsonValue(value)));
        return false;
    }
    *out = value.toBool();
    return true;
}

bool JsonObjectReader::readString(const QString& key, QString* out)
{
    if (!has(key)) {
        markRead(key);
        return true;
    }
    const QJsonValue value = take(key);
    if (!value.isString()) {
        addError(childPath(key),
                 QStringLiteral("must be a string, got %1").arg(describeJsonValue(value)));
        return false;
    }
    *out = value.toString();
    return true;
}

void JsonObjectReader::finish()
{
    QStringList keys = m_object.keys();
    keys.sort();
    for (const QString& key : keys) {
        if (!m_read.contains(key)) {
            m_diagnostics->warnings
                << QStringLiteral("unknown key %1 is ignored").arg(childPath(key));
        }
    }
}

QString JsonObjectReader::quotedList(const QStringList& names)
{
    QStringList quoted;
    for (const QString& name : names) {
        quoted << QLatin1Char('"') + name + QLatin1Char('"');
    }
    if (quoted.size() <= 1) {
        return quoted.join(QString());
    }
    const QString last = quoted.takeLast();
    return quoted.join(QStringLiteral(", ")) + QStringLiteral(" or ") + last;
}

} // namespace studio
