// Where Classifier Studio puts new runs by default: the one rule the app's Train page and
// `classifier-cli runs` share.
#pragma once

#include <QString>

namespace studio {

// The studio app's QSettings key for the runs folder the user chose.
inline const QString kRunsFolderSettingsKey = QStringLiteral("train/runsFolder");
// The application name whose settings and data folder hold it (the CLI's own name differs).
inline const QString kStudioApplicationName = QStringLiteral("classifier-studio");

// "<AppLocalDataLocation of classifier-studio>/runs", whichever program asks.
QString appLocalRunsFolder();

// The runs folder the user chose in the app (QSettings of organization kOrganization, application
// classifier-studio, key train/runsFolder), else appLocalRunsFolder().
QString defaultRunsFolder();

} // namespace studio
