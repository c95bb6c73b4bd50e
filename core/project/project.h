// The project file: one JSON file that describes a whole experiment (dataset, augmentation,
// layers, training), shared by the GUI and the CLI, readable and editable by hand.
//
// Format: {"version": "1.0", "dataset": {...}, "augmentation": {...}, "model": {"layers":
// [...]}, "training": {...}} with Keras's names. "version" is "MAJOR.MINOR" (an integer MAJOR
// is accepted too): a newer MAJOR is refused, a newer MINOR loads with a warning. A relative
// dataset root is relative to the project file's folder.
#pragma once

#include "common/result.h"
#include "dataset/datasetsettings.h"
#include "model/layerspec.h"
#include "project/trainingsettings.h"

#include <QByteArray>
#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace studio {

// The format this build writes.
constexpr int kProjectFormatMajor = 1;
constexpr int kProjectFormatMinor = 0;

// A whole experiment.
struct Project
{
    DatasetSettings dataset;
    AugmentationSettings augmentation;
    ModelSpec model;
    TrainingSettings training;
};

// A project read from JSON, with the warnings about it (unknown keys, a newer minor version).
struct LoadedProject
{
    Project project;
    QStringList warnings;
};

// A new project: default settings and the seed template's network.
Project defaultProject();

// Reads a project from JSON text. `baseDir` resolves a relative dataset root (empty: keep it
// relative); `sourceName` names the text in messages (a file name). Wrong types and values are
// reported together, one per line, each with its JSON path ("training.batch_size must be a
// positive integer, got -3"). Layer-stack problems that need shapes (a kernel larger than its
// input, ...) are not checked here but by summarizeModel().
Result<LoadedProject> projectFromJson(const QByteArray& json, const QString& baseDir = QString(),
                                      const QString& sourceName = QString());

// The project as readable JSON. With a `baseDir`, a dataset root inside it is written relative.
QByteArray projectToJson(const Project& project, const QString& baseDir = QString());

// Sets one value at a JSON path of the project file ("training.class_weights") through the
// project reader, so that it is checked exactly as loading checks it; on a Failure (its message
// names the path) the project is unchanged.
Status setProjectValue(Project* project, const QString& path, const QJsonValue& value);

// Reads the project file at `path`.
Result<LoadedProject> loadProject(const QString& path);

// Writes the project file at `path` through a temporary file and a rename. A project the reader
// would refuse (a setting out of its range) is a Failure with the reader's messages, and nothing
// is written: every saved file opens again.
Status saveProject(const QString& path, const Project& project);

// Field-by-field equality, used by round-trip tests and "unsaved changes" checks.
bool sameProject(const Project& a, const Project& b);

} // namespace studio
