// Reading hand-edited JSON settings with checks whose messages name the JSON path.
#pragma once

#include "common/numberrange.h"
#include "model/layerspec.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>
#include <limits>
#include <optional>

namespace studio {

// How a JSON value looks in a message: -3, 2.5, "abc", true, null, an object, an array.
QString describeJsonValue(const QJsonValue& value);

// "training" + "batch_size" -> "training.batch_size"; "" + "version" -> "version".
QString jsonChildPath(const QString& path, const QString& key);

// Reads the fields of one JSON object. Each read* leaves *out unchanged when the key is absent
// and records an error naming the path when the value has the wrong type or range.
// finish() warns about the keys that no read touched.
class JsonObjectReader
{
public:
    JsonObjectReader(const QJsonValue& value, QString path, JsonDiagnostics* diagnostics);

    bool isObject() const { return m_isObject; }
    bool has(const QString& key) const { return m_object.contains(key); }
    QString path() const { return m_path; }
    QString childPath(const QString& key) const { return jsonChildPath(m_path, key); }
    JsonDiagnostics* diagnostics() const { return m_diagnostics; }

    // The raw value (marks the key as read).
    QJsonValue take(const QString& key);

    bool readInt(const QString& key, int* out, int minimum = std::numeric_limits<int>::min(),
                 int maximum = std::numeric_limits<int>::max());
    bool readInt64(const QString& key, qint64* out, qint64 minimum, qint64 maximum);
    bool readDouble(const QString& key, double* out, const NumberRange& range = {});
    bool readBool(const QString& key, bool* out);
    bool readString(const QString& key, QString* out);

    // Reads a string that must be one of `names`, converted by `parse`.
    template <typename E>
    bool readEnum(const QString& key, E* out, const std::function<std::optional<E>(QString)>& parse,
                  const QStringList& names)
    {
        QString text;
        if (!has(key)) {
            markRead(key);
            return true;
        }
        if (!m_object.value(key).isString()) {
            markRead(key);
            addError(childPath(key),
                     QStringLiteral("must be one of %1, got %2")
                         .arg(quotedList(names), describeJsonValue(m_object.value(key))));
            return false;
        }
        readString(key, &text);
        const std::optional<E> parsed = parse(text);
        if (!parsed) {
            addError(childPath(key),
                     QStringLiteral("must be one of %1, got \"%2\"").arg(quotedList(names), text));
            return false;
        }
        *out = *parsed;
        return true;
    }

    // Records an error "<path> <what>" for one of this object's keys.
    void addError(const QString& path, const QString& what);

    // Warns about every key that was never read: "unknown key training.foo is ignored".
    void finish();

    static QString quotedList(const QStringList& names); // "valid" or "same"

private:
    void markRead(const QString& key) { m_read.insert(key); }

    QJsonObject m_object;
    QString m_path;
    JsonDiagnostics* m_diagnostics = nullptr;
    QSet<QString> m_read;
    bool m_isObject = false;
};

// Reads a whole number from a JSON value; false when it is not a number or not whole.
bool jsonToInteger(const QJsonValue& value, qint64* out);

} // namespace studio
