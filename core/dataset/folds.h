// Splits that keep groups whole, cross-validation folds, and explicit split assignments.
//
// A group is the specimen, slide, plate or patient an image comes from: images of one group must
// stay in one split (and one fold), or the scores are too optimistic. Without grouping every
// image is its own group.
#pragma once

#include "common/result.h"
#include "dataset/datasetindex.h"
#include "dataset/datasetsettings.h"

#include <QHash>
#include <QString>
#include <QVector>

namespace studio {

class ImageCache;

// The group of an image at `path` (relative to the dataset root, '/' separated, with or without a
// split folder in front) whose class folder is `className`: the folder right below the class
// folder (group_by "folder"), or the first capture of group_pattern in the file name (or the
// whole match) for "pattern"; an image without one is its own group (its path). "" when the
// settings do not group.
QString groupOf(const QString& path, const QString& className, const DatasetSettings& settings);

// Images as units to assign: each unit is a group with its images' positions and class counts.
struct GroupUnits
{
    QStringList names;                 // one per unit
    QVector<QVector<int>> members;     // positions (in the caller's list) of each unit's images
    QVector<QVector<int>> classCounts; // [unit][class]
};

// Groups `paths` (with their `labels`, classes 0..classes-1) by groupOf().
GroupUnits groupUnits(const QStringList& paths, const QVector<int>& labels, int classes,
                      const QStringList& classNames, const DatasetSettings& settings);

// Deals whole units into bins of the given target shares (summing to 1), stratified by class as
// far as the units allow: units in an order fixed by `seed` and their names, largest first, each
// into the bin whose class counts fall furthest below their targets. Returns each unit's bin.
QVector<int> dealUnits(const GroupUnits& units, const QVector<double>& shares, quint64 seed);

// Cross-validation of every image of `index` (all its splits pooled): `folds` stratified,
// group-aware folds; for fold k its images are the test split, and the other folds' images are
// dealt again into training and validation (`validationShare` of them). One assignment (path ->
// split) per fold. Failure for fewer than 2 folds, or more folds than groups (images when not
// grouped); a class with fewer groups than folds leaves some folds without it, which their
// evaluations show.
Result<QVector<QHash<QString, Split>>> crossValidationFolds(const DatasetIndex& index, int folds,
                                                            double validationShare, quint64 seed,
                                                            const DatasetSettings& settings);

// Puts every image of a scanned `index` into the split `splits` names (and reorders the index and
// the cache's keys to match); images it does not name are left out. Failure when it names an
// image the index does not have (the dataset changed), naming it.
Status applySplits(DatasetIndex* index, ImageCache* cache, const QHash<QString, Split>& splits);

// The assignment as JSON ({"format": "classifier-studio-splits", "files": {path: split}}), and
// back; written atomically.
Status saveSplits(const QString& path, const QHash<QString, Split>& splits);
Result<QHash<QString, Split>> loadSplits(const QString& path);

} // namespace studio
