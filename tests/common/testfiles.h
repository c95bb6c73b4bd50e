// Reading files back in tests: a file's bytes, or its JSON object.
#pragma once

#include <QByteArray>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

namespace studio::testfiles {

// The file's bytes; empty when it cannot be read (so the comparison that follows fails).
inline QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The file's top-level JSON object; empty when it cannot be read or parsed.
inline QJsonObject readJson(const QString& path)
{
    return QJsonDocument::fromJson(readAll(path)).object();
}

} // namespace studio::testfiles
