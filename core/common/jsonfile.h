// Reading a JSON file whose top level is an object, with a message that names the file.
#pragma once

#include "common/result.h"

#include <QJsonObject>
#include <QString>

namespace studio {

// The file's object; a Failure naming the file when it cannot be read or is not a JSON object.
Result<QJsonObject> readJsonObjectFile(const QString& path);

} // namespace studio
