// How core writes a file path into a message for a person: with the platform's separators.
#pragma once

#include <QDir>
#include <QString>

namespace studio {

// `path` with the platform's separators (backslashes on Windows), for messages and logs.
inline QString native(const QString& path)
{
    return QDir::toNativeSeparators(path);
}

} // namespace studio
