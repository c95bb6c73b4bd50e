#include "dataset/splitmanifest.h"
#include "dataset/random_p.h"

#include "common/atomicfile.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

#include <algorithm>
#include <cmath>
#include <utility>

namespace studio {

namespace {

constexpr int kManifestVersion = 1;
const char* const kFormatName = "classifier-studio-split";

Split splitFromName(const QString& name, bool* ok)
{
    *ok = true;
    if (name == QLatin1String("train")) {
        return Split::Train;
    }
    if (name == QLatin1String("validation")) {
        return Split::Validation;
    }
    if (name == QLatin1String("test")) {
        return Split::Test;
    }
    *ok = false;
    return Split::Train;
}

} // namespace

SplitManifest::SplitManifest(quint64 seed, double train, double validation, double test,
                             const QString& grouping)
    : m_seed(seed), m_grouping(grouping)
{
    const double sum = train + validation + test;
    m_ratios[0] = train / sum;
    m_ratios[1] = validation / sum;
    m_ratios[2] = test / sum;
}

bool SplitManifest::sameRecipe(const SplitManifest& other) const
{
    if (m_seed != other.m_seed || m_grouping != other.m_grouping) {
        return false;
    }
    for (int s = 0; s < kSplitCount; ++s) {
        if (std::abs(m_ratios[s] - other.m_ratios[s]) > 1e-9) {
            return false;
        }
    }
    return true;
}

bool SplitManifest::update(const QVector<QStringList>& filesPerClass,
                           const std::function<QString(const QString&)>& groupOf)
{
    const auto group = [&](const QString& file) {
        const QString name = groupOf ? groupOf(file) : QString();
        return name.isEmpty() ? file : name;
    };
    bool changed = false;
    QHash<QString, Split> kept;
    QHash<QString, Split> splitOfGroup; // groups that already have a split
    for (const QStringList& files : filesPerClass) {
        for (const QString& file : files) {
            const auto found = m_assignment.constFind(file);
            if (found != m_assignment.constEnd()) {
                kept.insert(file, *found);
                splitOfGroup.insert(group(file), *found);
            }
        }
    }
    for (const QStringList& files : filesPerClass) {
        int counts[kSplitCount] = {0, 0, 0};
        QHash<QString, QStringList> freshGroups; // new files by group, in file order
        for (const QString& file : files) {
            const auto found = kept.constFind(file);
            if (found != kept.constEnd()) {
                ++counts[int(*found)];
            } else if (splitOfGroup.contains(group(file))) {
                const Split split = splitOfGroup.value(group(file));
                kept.insert(file, split);
                ++counts[int(split)];
                changed = true;
            } else {
                freshGroups[group(file)].append(file);
            }
        }
        QVector<std::pair<quint64, QString>> fresh;
        for (auto it = freshGroups.constBegin(); it != freshGroups.constEnd(); ++it) {
            fresh.append({mix64(m_seed ^ mix64(stableHash(it.key()))), it.key()});
        }
        std::sort(fresh.begin(), fresh.end());
        const double total = double(files.size());
        for (const auto& entry : fresh) {
            const QStringList& members = freshGroups[entry.second];
            int best = 0;
            double bestDeficit = -1e300;
            for (int s = 0; s < kSplitCount; ++s) {
                if (m_ratios[s] <= 0) {
                    continue;
                }
                const double deficit = m_ratios[s] * total - counts[s];
                if (deficit > bestDeficit + 1e-9) {
                    bestDeficit = deficit;
                    best = s;
                }
            }
            counts[best] += int(members.size());
            splitOfGroup.insert(entry.second, Split(best));
            for (const QString& file : members) {
                kept.insert(file, Split(best));
            }
            changed = true;
        }
    }
    if (kept.size() != m_assignment.size()) {
        changed = true;
    }
    m_assignment = std::move(kept);
    return changed;
}

QByteArray SplitManifest::toJson() const
{
    QJsonObject ratios;
    ratios.insert(QStringLiteral("train"), m_ratios[0]);
    ratios.insert(QStringLiteral("validation"), m_ratios[1]);
    ratios.insert(QStringLiteral("test"), m_ratios[2]);
    QJsonObject files;
    for (auto it = m_assignment.constBegin(); it != m_assignment.constEnd(); ++it) {
        files.insert(it.key(), splitName(it.value()));
    }
    QJsonObject root;
    root.insert(QStringLiteral("format"), QString::fromLatin1(kFormatName));
    root.insert(QStringLiteral("version"), kManifestVersion);
    // A string: JSON numbers lose 64-bit integers.
    root.insert(QStringLiteral("seed"), QString::number(m_seed));
    root.insert(QStringLiteral("ratios"), ratios);
    if (!m_grouping.isEmpty()) {
        root.insert(QStringLiteral("grouping"), m_grouping);
    }
    root.insert(QStringLiteral("files"), files);
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

Result<SplitManifest> SplitManifest::fromJson(const QByteArray& json, const QString& name)
{
    const QString file = QDir::toNativeSeparators(name);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    const QJsonObject root = doc.object();
    if (error.error != QJsonParseError::NoError || !doc.isObject() ||
        root.value(QStringLiteral("format")).toString() != QLatin1String(kFormatName)) {
        return Failure{QStringLiteral("'%1' is not a split record of Classifier Studio. Delete it "
                                      "to split the images again.")
                           .arg(file)};
    }
    if (root.value(QStringLiteral("version")).toInt() > kManifestVersion) {
        return Failure{QStringLiteral("'%1' was written by a newer Classifier Studio (format %2). "
                                      "Update the program or delete the file to split again.")
                           .arg(file)
                           .arg(root.value(QStringLiteral("version")).toInt())};
    }
    bool seedOk = false;
    const quint64 seed = root.value(QStringLiteral("seed")).toString().toULongLong(&seedOk);
    const QJsonObject ratios = root.value(QStringLiteral("ratios")).toObject();
    const double train = ratios.value(QStringLiteral("train")).toDouble(-1);
    const double validation = ratios.value(QStringLiteral("validation")).toDouble(-1);
    const double test = ratios.value(QStringLiteral("test")).toDouble(-1);
    if (!seedOk || train <= 0 || validation < 0 || test < 0) {
        return Failure{QStringLiteral("'%1' has a damaged seed or ratios. Delete it to split the "
                                      "images again.")
                           .arg(file)};
    }
    SplitManifest manifest(seed, train, validation, test,
                           root.value(QStringLiteral("grouping")).toString());
    const QJsonObject files = root.value(QStringLiteral("files")).toObject();
    for (auto it = files.constBegin(); it != files.constEnd(); ++it) {
        bool ok = false;
        const Split split = splitFromName(it.value().toString(), &ok);
        if (!ok) {
            return Failure{QStringLiteral("'%1': '%2' is assigned to '%3', which is not a split. "
                                          "Delete the file to split the images again.")
                               .arg(file, it.key(), it.value().toString())};
        }
        manifest.m_assignment.insert(it.key(), split);
    }
    return manifest;
}

Result<SplitManifest> SplitManifest::load(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Failure{QStringLiteral("Cannot read the split record '%1': %2.")
                           .arg(QDir::toNativeSeparators(path), file.errorString())};
    }
    return fromJson(file.readAll(), path);
}

Status SplitManifest::save(const QString& path) const
{
    const QString folder = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(folder)) {
        return Failure{QStringLiteral("Cannot create the folder '%1' for the split record.")
                           .arg(QDir::toNativeSeparators(folder))};
    }
    return writeFileAtomically(path, toJson());
}

QString defaultManifestPath(const QString& root)
{
    const QString absolute = QFileInfo(root).absoluteFilePath();
    const QString inRoot = absolute + QStringLiteral("/.classifier-studio/split.json");
    const QString hash = QString::fromLatin1(
        QCryptographicHash::hash(QDir::cleanPath(absolute).toUtf8(), QCryptographicHash::Sha1)
            .toHex()
            .left(16));
    QString cache = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    if (cache.isEmpty()) {
        cache = QDir::homePath() + QStringLiteral("/.cache");
    }
    const QString inCache = QStringLiteral("%1/classifier-studio/splits/%2-%3.json")
                                .arg(cache, QFileInfo(absolute).fileName(), hash);
    if (QFileInfo::exists(inRoot)) {
        return inRoot;
    }
    if (QFileInfo::exists(inCache)) {
        return inCache;
    }
    const QFileInfo folder(absolute + QStringLiteral("/.classifier-studio"));
    const bool writable = folder.exists() ? folder.isWritable() : QFileInfo(absolute).isWritable();
    return writable ? inRoot : inCache;
}

} // namespace studio
