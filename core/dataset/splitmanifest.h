// The recorded auto split of a single folder of class folders, so it never silently changes.
#pragma once

#include "common/result.h"
#include "dataset/datasetindex.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <QVector>

#include <functional>

namespace studio {

// Which split each image file belongs to, and the seed and ratios that made the split. New files
// are assigned without moving the existing ones; the split stays stratified per class.
class SplitManifest
{
public:
    SplitManifest() = default;
    // `grouping` names how images are grouped ("" for none, "folder", "pattern:REGEX"): a split
    // made with another grouping is made again.
    SplitManifest(quint64 seed, double train, double validation, double test,
                  const QString& grouping = QString());

    quint64 seed() const { return m_seed; }
    double ratio(Split split) const { return m_ratios[int(split)]; }
    bool sameRecipe(const SplitManifest& other) const;

    // Assigns every file not yet assigned: within its class, in an order fixed by the seed and
    // the file's path alone, to the split furthest below its share of the class. With `groupOf`
    // (a file's group, "" for none), a file whose group already has a split goes there, and a
    // new group is assigned as a whole (its size counted). Files no longer present are
    // forgotten. Returns true when anything changed.
    bool update(const QVector<QStringList>& filesPerClass,
                const std::function<QString(const QString&)>& groupOf = {});

    bool contains(const QString& path) const { return m_assignment.contains(path); }
    Split splitOf(const QString& path) const { return m_assignment.value(path, Split::Train); }
    int size() const { return int(m_assignment.size()); }

    QByteArray toJson() const;
    static Result<SplitManifest> fromJson(const QByteArray& json, const QString& name);
    static Result<SplitManifest> load(const QString& path);
    // Creates the folder if needed and writes atomically.
    Status save(const QString& path) const;

private:
    quint64 m_seed = 42;
    QString m_grouping;
    double m_ratios[kSplitCount] = {0.8, 0.1, 0.1};
    QHash<QString, Split> m_assignment;
};

// Where the manifest of `root` is (if it exists) or should be written: ROOT/.classifier-studio/
// split.json, or, when ROOT is not writable, a file in the user's cache folder named after ROOT.
QString defaultManifestPath(const QString& root);

} // namespace studio
