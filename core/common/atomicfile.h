// Writing files so that an interrupted write never leaves a damaged file behind.
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QString>

namespace studio {

// Writes data to a temporary file beside path, flushes it and renames it over path.
Status writeFileAtomically(const QString& path, const QByteArray& data);

// Renames a finished temporary folder to its final name; fails if the final name exists.
Status publishFolder(const QString& temporaryPath, const QString& finalPath);

} // namespace studio
