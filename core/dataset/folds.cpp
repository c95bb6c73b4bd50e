#include "dataset/folds.h"

#include "common/atomicfile.h"
#include "dataset/imagecache.h"
#include "dataset/random_p.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>
#include <numeric>

namespace studio {

namespace {

const char* const kSplitsFormat = "classifier-studio-splits";

// The path below the class folder: "specimen/img.png" for "train/cls/specimen/img.png".
QString belowClass(const QString& path, const QString& className)
{
    const QStringList parts = path.split(QLatin1Char('/'));
    const int at = int(parts.lastIndexOf(className, int(parts.size()) - 2));
    return at < 0 ? path : parts.mid(at + 1).join(QLatin1Char('/'));
}

GroupUnits subset(const GroupUnits& units, const QVector<int>& chosen)
{
    GroupUnits part;
    for (const int u : chosen) {
        part.names.append(units.names[u]);
        part.members.append(units.members[u]);
        part.classCounts.append(units.classCounts[u]);
    }
    return part;
}

} // namespace

QString groupOf(const QString& path, const QString& className, const DatasetSettings& settings)
{
    const QString inClass = belowClass(path, className);
    switch (settings.groupBy) {
    case GroupBy::None:
        return {};
    case GroupBy::Folder: {
        const int slash = int(inClass.indexOf(QLatin1Char('/')));
        return slash < 0 ? path : className + QLatin1Char('/') + inClass.left(slash);
    }
    case GroupBy::Pattern: {
        const QRegularExpression pattern(settings.groupPattern);
        const QRegularExpressionMatch match = pattern.match(inClass.section(QLatin1Char('/'), -1));
        if (!match.hasMatch()) {
            return path;
        }
        return match.lastCapturedIndex() >= 1 ? match.captured(1) : match.captured(0);
    }
    }
    return {};
}

GroupUnits groupUnits(const QStringList& paths, const QVector<int>& labels, int classes,
                      const QStringList& classNames, const DatasetSettings& settings)
{
    GroupUnits units;
    QHash<QString, int> unitOf;
    for (int i = 0; i < paths.size(); ++i) {
        QString name = groupOf(paths[i], classNames.value(labels[i]), settings);
        if (name.isEmpty()) {
            name = paths[i];
        }
        auto found = unitOf.constFind(name);
        if (found == unitOf.constEnd()) {
            found = unitOf.insert(name, int(units.names.size()));
            units.names.append(name);
            units.members.append(QVector<int>());
            units.classCounts.append(QVector<int>(classes, 0));
        }
        units.members[*found].append(i);
        ++units.classCounts[*found][labels[i]];
    }
    return units;
}

QVector<int> dealUnits(const GroupUnits& units, const QVector<double>& shares, quint64 seed)
{
    const int n = int(units.names.size());
    const int classes = units.classCounts.isEmpty() ? 0 : int(units.classCounts[0].size());
    QVector<double> classTotals(classes, 0);
    for (const QVector<int>& counts : units.classCounts) {
        for (int c = 0; c < classes; ++c) {
            classTotals[c] += counts[c];
        }
    }
    std::vector<int> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::vector<quint64> keys(static_cast<size_t>(n));
    for (int u = 0; u < n; ++u) {
        keys[size_t(u)] = mix64(seed ^ mix64(stableHash(units.names[u])));
    }
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        const int sizeA = int(units.members[a].size());
        const int sizeB = int(units.members[b].size());
        return sizeA != sizeB ? sizeA > sizeB : keys[size_t(a)] < keys[size_t(b)];
    });
    QVector<QVector<double>> filled(shares.size(), QVector<double>(classes, 0));
    QVector<int> binOf(n, 0);
    for (const int u : order) {
        int best = -1;
        double bestDeficit = 0;
        for (int b = 0; b < shares.size(); ++b) {
            if (shares[b] <= 0) {
                continue;
            }
            // How far below its target share the bin is, for the classes of this unit.
            double deficit = 0;
            for (int c = 0; c < classes; ++c) {
                if (units.classCounts[u][c] > 0) {
                    deficit += units.classCounts[u][c] *
                               (shares[b] * classTotals[c] - filled[b][c]) / classTotals[c];
                }
            }
            if (best < 0 || deficit > bestDeficit + 1e-9) {
                best = b;
                bestDeficit = deficit;
            }
        }
        binOf[u] = std::max(best, 0);
        for (int c = 0; c < classes; ++c) {
            filled[binOf[u]][c] += units.classCounts[u][c];
        }
    }
    return binOf;
}

Result<QVector<QHash<QString, Split>>> crossValidationFolds(const DatasetIndex& index, int folds,
                                                            double validationShare, quint64 seed,
                                                            const DatasetSettings& settings)
{
    QStringList paths;
    QVector<int> labels;
    for (const DatasetItem& item : index.items) {
        paths.append(item.path);
        labels.append(item.label);
    }
    const GroupUnits units =
        groupUnits(paths, labels, int(index.classes.size()), index.classes, settings);
    const QString what =
        settings.groupBy == GroupBy::None ? QStringLiteral("images") : QStringLiteral("groups");
    if (folds < 2 || folds > units.names.size()) {
        return Failure{QStringLiteral("Cross-validation needs at least 2 folds and no more folds "
                                      "than %1 (the dataset has %2); got %3 folds.")
                           .arg(what)
                           .arg(units.names.size())
                           .arg(folds)};
    }
    const QVector<int> foldOf = dealUnits(units, QVector<double>(folds, 1.0 / folds), seed);
    QVector<QHash<QString, Split>> assignments;
    for (int k = 0; k < folds; ++k) {
        QHash<QString, Split> splits;
        QVector<int> rest;
        for (int u = 0; u < units.names.size(); ++u) {
            if (foldOf[u] == k) {
                for (const int i : units.members[u]) {
                    splits.insert(paths[i], Split::Test);
                }
            } else {
                rest.append(u);
            }
        }
        const GroupUnits training = subset(units, rest);
        const QVector<int> binOf = dealUnits(training, {1 - validationShare, validationShare},
                                             mix64(seed + quint64(k) + 1));
        for (int r = 0; r < rest.size(); ++r) {
            for (const int i : training.members[r]) {
                splits.insert(paths[i], binOf[r] == 1 ? Split::Validation : Split::Train);
            }
        }
        assignments.append(splits);
    }
    return assignments;
}

Status applySplits(DatasetIndex* index, ImageCache* cache, const QHash<QString, Split>& splits)
{
    QHash<QString, int> positions;
    for (int i = 0; i < index->items.size(); ++i) {
        positions.insert(index->items[i].path, i);
    }
    for (auto it = splits.constBegin(); it != splits.constEnd(); ++it) {
        if (!positions.contains(it.key())) {
            return Failure{QStringLiteral("The image '%1' of the recorded split is no longer in "
                                          "'%2' (or cannot be read): the dataset changed since "
                                          "the split was made. Restore it, or start over.")
                               .arg(it.key(), QDir::toNativeSeparators(index->root))};
        }
    }
    std::vector<int> order;
    for (int i = 0; i < index->items.size(); ++i) {
        if (splits.contains(index->items[i].path)) {
            order.push_back(i);
        }
    }
    const auto key = [&](int i) {
        const DatasetItem& item = index->items[i];
        return std::make_tuple(int(splits.value(item.path)), item.label, item.path);
    };
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return key(a) < key(b); });
    QVector<DatasetItem> items;
    items.reserve(int(order.size()));
    for (const int i : order) {
        DatasetItem item = index->items[i];
        item.split = splits.value(item.path);
        items.append(item);
    }
    index->items = std::move(items);
    index->hasValidation = index->count(Split::Validation) > 0;
    index->hasTest = index->count(Split::Test) > 0;
    if (cache != nullptr) {
        cache->rekey(order);
        index->cachedImages = cache->count();
    }
    return {};
}

Status saveSplits(const QString& path, const QHash<QString, Split>& splits)
{
    QJsonObject files;
    for (auto it = splits.constBegin(); it != splits.constEnd(); ++it) {
        files.insert(it.key(), splitName(it.value()));
    }
    const QJsonObject root{{QStringLiteral("format"), QString::fromLatin1(kSplitsFormat)},
                           {QStringLiteral("files"), files}};
    return writeFileAtomically(path, QJsonDocument(root).toJson(QJsonDocument::Indented));
}

Result<QHash<QString, Split>> loadSplits(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Failure{QStringLiteral("Cannot read '%1': %2.")
                           .arg(QDir::toNativeSeparators(path), file.errorString())};
    }
    const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
    if (root.value(QStringLiteral("format")).toString() != QLatin1String(kSplitsFormat)) {
        return Failure{QStringLiteral("'%1' is not a split assignment of this app; it may be "
                                      "damaged. Delete the run folder and start again.")
                           .arg(QDir::toNativeSeparators(path))};
    }
    QHash<QString, Split> splits;
    const QJsonObject files = root.value(QStringLiteral("files")).toObject();
    for (auto it = files.constBegin(); it != files.constEnd(); ++it) {
        const QString name = it.value().toString();
        bool found = false;
        for (int s = 0; s < kSplitCount; ++s) {
            if (splitName(Split(s)) == name) {
                splits.insert(it.key(), Split(s));
                found = true;
            }
        }
        if (!found) {
            return Failure{QStringLiteral("'%1' puts '%2' into an unknown split '%3'.")
                               .arg(QDir::toNativeSeparators(path), it.key(), name)};
        }
    }
    return splits;
}

} // namespace studio
