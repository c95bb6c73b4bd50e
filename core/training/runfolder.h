// Moving a run folder elsewhere without risking it: a verified copy the source outlives.
#pragma once

#include "common/result.h"

#include <QString>

namespace studio {

// Copies every file of the run folder `from` (sub-folders too) into the new folder `to`, which
// must not exist or be an empty folder. The files are written into a hidden staging folder
// beside `to`, each flushed to disk and its size checked against the source's, and the staging
// folder is renamed to `to` only when all of them are complete. `from` is never changed: the
// caller deletes it once this returns success. On failure nothing is left at `to` and the
// message names the file and the folder that could not be written.
Status copyRunFolder(const QString& from, const QString& to);

// `path` when nothing by that name exists, else the first free "path-2", "path-3", ...
QString unusedPath(const QString& path);

} // namespace studio
