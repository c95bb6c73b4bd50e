#include "common/atomicfile.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

namespace studio {

Status writeFileAtomically(const QString& path, const QByteArray& data)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return Failure{QStringLiteral("Cannot write '%1': %2. Choose a folder you can write to.")
                           .arg(QDir::toNativeSeparators(path), file.errorString())};
    }
    if (file.write(data) != data.size()) {
        const QString reason = file.errorString();
        file.cancelWriting();
        return Failure{QStringLiteral("Cannot write '%1': %2. Free some disk space or choose "
                                      "another folder; the previous file is unchanged.")
                           .arg(QDir::toNativeSeparators(path), reason)};
    }
    if (!file.commit()) {
        return Failure{QStringLiteral("Cannot finish writing '%1': %2. The previous file is "
                                      "unchanged.")
                           .arg(QDir::toNativeSeparators(path), file.errorString())};
    }
    return {};
}

Status publishFolder(const QString& temporaryPath, const QString& finalPath)
{
    if (QFileInfo::exists(finalPath)) {
        return Failure{QStringLiteral("'%1' already exists; nothing was overwritten. Choose "
                                      "another folder or delete it first.")
                           .arg(QDir::toNativeSeparators(finalPath))};
    }
    if (!QDir().rename(temporaryPath, finalPath)) {
        return Failure{
            QStringLiteral("Cannot rename '%1' to '%2'. Check the permissions of the "
                           "parent folder.")
                .arg(QDir::toNativeSeparators(temporaryPath), QDir::toNativeSeparators(finalPath))};
    }
    return {};
}

} // namespace studio
