#include "common/jsonfile.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>

namespace studio {

Result<QJsonObject> readJsonObjectFile(const QString& path)
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
    return document.object();
}

} // namespace studio
