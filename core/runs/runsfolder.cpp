// The default runs folder (see runsfolder.h).
#include "runs/runsfolder.h"

#include "common/version.h"

#include <QDir>
#include <QSettings>
#include <QStandardPaths>

namespace studio {

QString appLocalRunsFolder()
{
    // AppLocalDataLocation is GenericDataLocation/<organization>/<application> on every platform
    // Qt supports; spelled out so that classifier-cli finds classifier-studio's folder.
    const QString generic = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir(generic).filePath(QString::fromLatin1(kOrganization) + QLatin1Char('/') +
                                  kStudioApplicationName + QStringLiteral("/runs"));
}

QString defaultRunsFolder()
{
    const QSettings settings(QString::fromLatin1(kOrganization), kStudioApplicationName);
    const QString chosen = settings.value(kRunsFolderSettingsKey).toString();
    return chosen.isEmpty() ? appLocalRunsFolder() : chosen;
}

} // namespace studio
