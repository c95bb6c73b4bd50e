#include "dataset/datasetscanner.h"

#include "dataset/datasetschema.h"
#include "dataset/folds.h"
#include "dataset/imagecache.h"
#include "dataset/imagedecoder.h"
#include "dataset/parallel_p.h"
#include "dataset/splitmanifest.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSet>

#ifdef Q_OS_UNIX
#include <dirent.h>
#endif

#include <algorithm>
#include <functional>
#include <map>
#include <vector>

namespace studio {

namespace {

constexpr int kMaxListedInWarning = 5;

QString native(const QString& path)
{
    return QDir::toNativeSeparators(path);
}

// The non-hidden entries of a folder, sorted by name as Python's sorted() does.
struct Listing
{
    QStringList dirs;
    QStringList files;    // including dangling links
    QStringList dirLinks; // links to folders that are not followed
    QStringList notUtf8;  // names Qt cannot open (U+FFFD in place of the bad bytes)
    bool readable = true;
};

// The entries whose names are not valid UTF-8: Qt leaves them out of listings because it could
// not open them by name, so without this they would vanish from the dataset without a word.
QStringList namesNotUtf8(const QString& path)
{
    QStringList names;
#ifdef Q_OS_UNIX
    DIR* dir = ::opendir(QFile::encodeName(path).constData());
    if (dir == nullptr) {
        return names;
    }
    while (const dirent* entry = ::readdir(dir)) {
        const QByteArray name(entry->d_name);
        if (!name.startsWith('.') && QFile::encodeName(QFile::decodeName(name)) != name) {
            names.append(QString::fromUtf8(name));
        }
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
#else
    Q_UNUSED(path);
#endif
    return names;
}

// Links to folders are followed only when followDirLinks is set (split and class folders), and
// never to the folder itself or one that contains it, which would loop.
Listing listFolder(const QString& path, bool followDirLinks)
{
    Listing listing;
    const QDir dir(path);
    if (!dir.isReadable()) {
        listing.readable = false;
        return listing;
    }
    const QString here = followDirLinks ? dir.canonicalPath() : QString();
    const QFileInfoList entries =
        dir.entryInfoList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot, QDir::NoSort);
    for (const QFileInfo& entry : entries) {
        const QString name = entry.fileName();
        if (name.startsWith(QLatin1Char('.'))) {
            continue;
        }
        if (entry.isDir()) {
            const QString target = entry.isSymLink() ? entry.canonicalFilePath() : QString();
            const bool loops =
                !target.isEmpty() && (here == target || target == QLatin1String("/") ||
                                      here.startsWith(target + QLatin1Char('/')));
            if (!entry.isSymLink() || (followDirLinks && !loops)) {
                listing.dirs.append(name);
            } else {
                listing.dirLinks.append(name);
            }
        } else {
            listing.files.append(name);
        }
    }
    std::sort(listing.dirs.begin(), listing.dirs.end());
    std::sort(listing.files.begin(), listing.files.end());
    std::sort(listing.dirLinks.begin(), listing.dirLinks.end());
    listing.notUtf8 = namesNotUtf8(path);
    return listing;
}

// Every file under a class folder, as paths relative to the dataset root, sorted; names that
// are not UTF-8 are kept so that decoding reports them. Folders that cannot be read and links to
// folders are reported in `warnings`.
void collectFiles(const QString& root, const QString& relative, QStringList* out,
                  QStringList* warnings)
{
    const Listing listing = listFolder(root + QLatin1Char('/') + relative, false);
    if (!listing.readable) {
        warnings->append(QStringLiteral("The folder '%1' cannot be read (permission denied); its "
                                        "files are left out. Make it readable.")
                             .arg(relative));
        return;
    }
    for (const QString& name : listing.notUtf8) {
        out->append(relative + QLatin1Char('/') + name);
    }
    for (const QString& link : listing.dirLinks) {
        warnings->append(QStringLiteral("The link '%1/%2' to a folder is not followed (links to "
                                        "folders inside a class folder could loop); move or "
                                        "copy its images into the class folder instead.")
                             .arg(relative, link));
    }
    for (const QString& file : listing.files) {
        out->append(relative + QLatin1Char('/') + file);
    }
    for (const QString& sub : listing.dirs) {
        collectFiles(root, relative + QLatin1Char('/') + sub, out, warnings);
    }
}

// What the listing of the dataset or a split folder left out: links to folders that would loop
// and names that are not UTF-8.
void warnLeftOut(const Listing& listing, const QString& parent, QStringList* warnings)
{
    const auto relative = [&](const QString& name) {
        return parent.isEmpty() ? name : parent + QLatin1Char('/') + name;
    };
    for (const QString& link : listing.dirLinks) {
        warnings->append(QStringLiteral("The link '%1' points to a folder that contains it; it is "
                                        "ignored (following it would loop).")
                             .arg(relative(link)));
    }
    for (const QString& name : listing.notUtf8) {
        warnings->append(QStringLiteral("The name '%1' is not valid UTF-8, so it cannot be opened; "
                                        "it is ignored. Rename it.")
                             .arg(relative(name)));
    }
}

// Which split a folder name means, or -1.
int splitOfFolder(const QString& name)
{
    const QString lower = name.toLower();
    if (lower == QLatin1String("train")) {
        return int(Split::Train);
    }
    if (lower == QLatin1String("validation") || lower == QLatin1String("val") ||
        lower == QLatin1String("valid")) {
        return int(Split::Validation);
    }
    if (lower == QLatin1String("test")) {
        return int(Split::Test);
    }
    return -1;
}

// A file to decode: where it is and, in folder mode, its split and class.
struct Candidate
{
    QString path; // relative to the root
    int split = 0;
    int label = 0;
};

QString listSome(const QStringList& names)
{
    QStringList shown = names.mid(0, kMaxListedInWarning);
    for (QString& name : shown) {
        name = QStringLiteral("'%1'").arg(name);
    }
    QString text = shown.join(QStringLiteral(", "));
    if (names.size() > kMaxListedInWarning) {
        text += QStringLiteral(" and %1 more").arg(names.size() - kMaxListedInWarning);
    }
    return text;
}

QString splitsNamed(const bool (&inSplit)[kSplitCount])
{
    QStringList names;
    for (int s = 0; s < kSplitCount; ++s) {
        if (inSplit[s]) {
            names.append(splitName(Split(s)));
        }
    }
    return names.join(QStringLiteral(" and "));
}

// How the settings group images, as the split record names it ("" for none).
QString groupingName(const DatasetSettings& settings)
{
    switch (settings.groupBy) {
    case GroupBy::None:
        return {};
    case GroupBy::Folder:
        return QStringLiteral("folder");
    case GroupBy::Pattern:
        return QStringLiteral("pattern:") + settings.groupPattern;
    }
    return {};
}

// For a dataset that came split in folders: the groups with images in more than one split, as a
// sentence (empty when none, or when the settings do not group).
QString groupLeakWarning(const DatasetIndex& index, const DatasetSettings& settings)
{
    if (settings.groupBy == GroupBy::None) {
        return {};
    }
    QHash<QString, QSet<int>> splitsOfGroup;
    for (const DatasetItem& item : index.items) {
        splitsOfGroup[groupOf(item.path, index.classes.value(item.label), settings)].insert(
            int(item.split));
    }
    QStringList leaking;
    for (auto it = splitsOfGroup.constBegin(); it != splitsOfGroup.constEnd(); ++it) {
        if (it.value().size() > 1) {
            leaking.append(it.key());
        }
    }
    if (leaking.isEmpty()) {
        return {};
    }
    leaking.sort();
    return QStringLiteral("Leakage: %1 group(s) have images in more than one split: %2. Images "
                          "of one specimen in both training and test make the scores too "
                          "optimistic; move each group's images into one split.")
        .arg(leaking.size())
        .arg(listSome(leaking));
}

// When the training split's largest class has more than three times the images of its
// smallest (that has any): a sentence naming both, with the fix; else empty.
QString imbalanceWarning(const DatasetIndex& index)
{
    int largest = -1;
    int smallest = -1;
    for (int c = 0; c < index.classes.size(); ++c) {
        const int n = index.count(Split::Train, c);
        if (n == 0) {
            continue; // reported as a class without images
        }
        if (largest < 0 || n > index.count(Split::Train, largest)) {
            largest = c;
        }
        if (smallest < 0 || n < index.count(Split::Train, smallest)) {
            smallest = c;
        }
    }
    if (largest < 0 ||
        index.count(Split::Train, largest) <= 3 * index.count(Split::Train, smallest)) {
        return {};
    }
    return QStringLiteral("Unbalanced classes: '%1' has %2 training images, '%3' only %4. The "
                          "network will favour the large classes; set \"Unbalanced classes\" "
                          "(class_weights) on the Train page to \"balanced\" or "
                          "\"balanced_sampling\", and judge the model by its balanced accuracy "
                          "and per-class recall.")
        .arg(index.classes[largest])
        .arg(index.count(Split::Train, largest))
        .arg(index.classes[smallest])
        .arg(index.count(Split::Train, smallest));
}

Status checkSettings(const DatasetSettings& settings)
{
    if (const SettingField& size = datasetSchema().imageSize; !size.accepts(settings.imageSize)) {
        return Failure{QStringLiteral("image_size must be %1 pixels, got %2.")
                           .arg(size.describe())
                           .arg(settings.imageSize)};
    }
    if (settings.trainRatio <= 0 || settings.validationRatio < 0 || settings.testRatio < 0) {
        return Failure{QStringLiteral("The split ratios must be train > 0, validation >= 0 and "
                                      "test >= 0 (got %1/%2/%3).")
                           .arg(settings.trainRatio)
                           .arg(settings.validationRatio)
                           .arg(settings.testRatio)};
    }
    return {};
}

} // namespace

Result<DatasetIndex> scanDataset(const DatasetSettings& settings, const ScanOptions& options)
{
    if (const Status valid = checkSettings(settings); !valid) {
        return Failure{valid.error()};
    }
    const QString layoutHelp =
        QStringLiteral("Put the images of each class into its own sub-folder (ROOT/cats/, "
                       "ROOT/dogs/, ...), or use ROOT/train/<class>/, ROOT/validation/<class>/ "
                       "and optionally ROOT/test/<class>/.");
    if (settings.root.isEmpty()) {
        return Failure{QStringLiteral("No dataset folder is set. Choose the folder that holds "
                                      "your images. %1")
                           .arg(layoutHelp)};
    }
    const QFileInfo rootInfo(settings.root);
    if (!rootInfo.exists()) {
        return Failure{QStringLiteral("The dataset folder '%1' does not exist. Check the path. %2")
                           .arg(native(settings.root), layoutHelp)};
    }
    if (!rootInfo.isDir()) {
        return Failure{QStringLiteral("'%1' is a file, not a folder. Choose the folder that holds "
                                      "the class folders. %2")
                           .arg(native(settings.root), layoutHelp)};
    }
    DatasetIndex index;
    index.root = QDir::cleanPath(rootInfo.absoluteFilePath());
    const QString& root = index.root;
    const Listing top = listFolder(root, true);
    if (!top.readable) {
        return Failure{QStringLiteral("Cannot read the dataset folder '%1': permission denied. "
                                      "Make it readable.")
                           .arg(native(root))};
    }
    warnLeftOut(top, QString(), &index.warnings);

    // Layout: split folders, or class folders to split automatically.
    QString splitFolder[kSplitCount];
    for (const QString& dir : top.dirs) {
        const int split = splitOfFolder(dir);
        if (split < 0) {
            continue;
        }
        if (splitFolder[split].isEmpty()) {
            splitFolder[split] = dir;
        } else {
            index.warnings.append(QStringLiteral("Both '%1' and '%2' name the %3 split; '%2' is "
                                                 "ignored. Merge or rename one of them.")
                                      .arg(splitFolder[split], dir, splitName(Split(split))));
        }
    }
    const bool folders =
        !splitFolder[0].isEmpty() || !splitFolder[1].isEmpty() || !splitFolder[2].isEmpty();
    index.splitMode = folders ? SplitMode::Folders : SplitMode::Auto;
    if (folders && settings.splitMode == SplitMode::Auto) {
        index.warnings.append(QStringLiteral("The settings ask for an automatic split, but '%1' "
                                             "already has split folders; they are used as they "
                                             "are.")
                                  .arg(native(root)));
    }

    std::vector<Candidate> candidates;
    QVector<int> classFolderPresent[kSplitCount]; // per split, per class: 1 if a folder exists
    if (folders) {
        if (splitFolder[0].isEmpty()) {
            QStringList present;
            for (int s = 1; s < kSplitCount; ++s) {
                if (!splitFolder[s].isEmpty()) {
                    present.append(splitFolder[s]);
                }
            }
            return Failure{QStringLiteral("The training split is empty: '%1' has %2 but no 'train' "
                                          "folder. Add '%1/train/' with one sub-folder of images "
                                          "per class.")
                               .arg(native(root), listSome(present))};
        }
        for (const QString& dir : top.dirs) {
            const int split = splitOfFolder(dir);
            if (split < 0) {
                index.warnings.append(QStringLiteral("The folder '%1' beside the split folders "
                                                     "is not a split (train, validation, test); "
                                                     "it is ignored.")
                                          .arg(dir));
            }
        }
        index.hasValidation = !splitFolder[1].isEmpty();
        index.hasTest = !splitFolder[2].isEmpty();
        const Listing train = listFolder(root + QLatin1Char('/') + splitFolder[0], true);
        if (!train.readable) {
            return Failure{QStringLiteral("Cannot read the training folder '%1': permission "
                                          "denied. Make it readable.")
                               .arg(native(root + QLatin1Char('/') + splitFolder[0]))};
        }
        index.classes = train.dirs;
        if (index.classes.isEmpty()) {
            return Failure{QStringLiteral("'%1' has no class folders. Put the training images of "
                                          "each class into its own sub-folder "
                                          "('%1/<class>/').")
                               .arg(native(root + QLatin1Char('/') + splitFolder[0]))};
        }
        for (int s = 0; s < kSplitCount; ++s) {
            classFolderPresent[s].fill(0, index.classes.size());
            if (splitFolder[s].isEmpty()) {
                continue;
            }
            const Listing listing =
                s == 0 ? train : listFolder(root + QLatin1Char('/') + splitFolder[s], true);
            if (!listing.readable) {
                index.warnings.append(QStringLiteral("The folder '%1' cannot be read (permission "
                                                     "denied); the %2 split is left empty. Make "
                                                     "it readable.")
                                          .arg(splitFolder[s], splitName(Split(s))));
            }
            warnLeftOut(listing, splitFolder[s], &index.warnings);
            for (const QString& file : listing.files) {
                index.strayFiles.append(splitFolder[s] + QLatin1Char('/') + file);
            }
            for (const QString& dir : listing.dirs) {
                const QString relative = splitFolder[s] + QLatin1Char('/') + dir;
                QStringList files;
                collectFiles(root, relative, &files, &index.warnings);
                const int label = int(index.classes.indexOf(dir));
                if (label < 0) {
                    index.unknownClasses.append({Split(s), dir, int(files.size())});
                    continue;
                }
                classFolderPresent[s][label] = 1;
                for (const QString& file : files) {
                    candidates.push_back({file, s, label});
                }
            }
            for (int c = 0; c < index.classes.size(); ++c) {
                if (!classFolderPresent[s][c]) {
                    index.missingClasses.append({Split(s), index.classes[c], 0});
                }
            }
        }
    } else {
        index.classes = top.dirs;
        if (index.classes.isEmpty()) {
            return Failure{
                QStringLiteral("'%1' has no class folders. %2").arg(native(root), layoutHelp)};
        }
        for (const QString& file : top.files) {
            index.strayFiles.append(file);
        }
        for (int c = 0; c < index.classes.size(); ++c) {
            QStringList files;
            collectFiles(root, index.classes[c], &files, &index.warnings);
            for (const QString& file : files) {
                candidates.push_back({file, -1, c});
            }
        }
        index.hasValidation = settings.validationRatio > 0;
        index.hasTest = settings.testRatio > 0;
    }

    // One decode pass over every file, in parallel; fills the cache on the way.
    const ImageShape shape{settings.imageSize, settings.channels()};
    ImageCache* cache = options.cache;
    if (cache != nullptr) {
        if (cache->shape().size != shape.size || cache->shape().channels != shape.channels) {
            return Failure{QStringLiteral("Internal error: the image cache holds %1x%1x%2 images "
                                          "but the settings ask for %3x%3x%4.")
                               .arg(cache->shape().size)
                               .arg(cache->shape().channels)
                               .arg(shape.size)
                               .arg(shape.channels)};
        }
        cache->reset(int(candidates.size()));
    }
    const qint64 total = qint64(candidates.size());
    std::vector<char> usable(candidates.size(), 0);
    std::vector<quint64> hashes(candidates.size(), 0);
    std::vector<DecodeFailure> failures(candidates.size());
    std::atomic<qint64> next{0};
    std::atomic<qint64> done{0};
    const int threads = options.threads > 0 ? options.threads : hardwareThreads();
    // Runs on worker threads: decodes candidates until none is left.
    runOnWorkers(std::min<qint64>(threads, std::max<qint64>(1, total)), [&](int) {
        for (;;) {
            if (options.cancel != nullptr && options.cancel->load()) {
                return;
            }
            const qint64 i = next.fetch_add(1);
            if (i >= total) {
                return;
            }
            const bool wantPixels = cache != nullptr && !cache->isFull();
            const DecodeResult decoded =
                decodeImageFile(root + QLatin1Char('/') + candidates[size_t(i)].path, shape,
                                wantPixels, DecodeSize::KeepSmaller);
            if (decoded.ok) {
                usable[size_t(i)] = 1;
                hashes[size_t(i)] = decoded.image.pixelHash;
                if (wantPixels && !decoded.image.pixels.empty()) {
                    cache->insert(int(i), decoded.image.pixels.data(), decoded.image.width,
                                  decoded.image.height);
                }
            } else {
                failures[size_t(i)] = decoded.failure;
            }
            const qint64 finished = done.fetch_add(1) + 1;
            if (options.progress && (finished % 256 == 0 || finished == total)) {
                options.progress(finished, total);
            }
        }
    });
    if (options.cancel != nullptr && options.cancel->load()) {
        if (cache != nullptr) {
            cache->reset(0);
        }
        return Failure{QStringLiteral("Scanning '%1' was cancelled.").arg(native(root))};
    }
    for (size_t i = 0; i < candidates.size(); ++i) {
        if (!usable[i]) {
            index.skipped.append({candidates[i].path, failures[i].kind, failures[i].reason});
        }
    }

    // Auto mode: the recorded split, extended to new files.
    if (!folders) {
        QVector<QStringList> filesPerClass(index.classes.size());
        for (size_t i = 0; i < candidates.size(); ++i) {
            if (usable[i]) {
                filesPerClass[candidates[i].label].append(candidates[i].path);
            }
        }
        const SplitManifest recipe(settings.splitSeed, settings.trainRatio,
                                   settings.validationRatio, settings.testRatio,
                                   groupingName(settings));
        SplitManifest manifest = recipe;
        index.manifestPath =
            options.manifestPath.isEmpty() ? defaultManifestPath(root) : options.manifestPath;
        bool remade = false;
        if (QFileInfo::exists(index.manifestPath)) {
            Result<SplitManifest> loaded = SplitManifest::load(index.manifestPath);
            if (!loaded) {
                index.warnings.append(loaded.error() +
                                      QStringLiteral(" The images were split again."));
                remade = true;
            } else if (!loaded->sameRecipe(recipe)) {
                index.warnings.append(
                    QStringLiteral("The split recorded in '%1' was made with seed %2 and ratios "
                                   "%3/%4/%5; the settings now say seed %6 and %7/%8/%9, so the "
                                   "images were split again.")
                        .arg(native(index.manifestPath))
                        .arg(loaded->seed())
                        .arg(loaded->ratio(Split::Train))
                        .arg(loaded->ratio(Split::Validation))
                        .arg(loaded->ratio(Split::Test))
                        .arg(settings.splitSeed)
                        .arg(recipe.ratio(Split::Train))
                        .arg(recipe.ratio(Split::Validation))
                        .arg(recipe.ratio(Split::Test)));
                remade = true;
            } else {
                manifest = std::move(*loaded);
            }
        }
        QHash<QString, int> labelOf;
        for (size_t i = 0; i < candidates.size(); ++i) {
            labelOf.insert(candidates[i].path, candidates[i].label);
        }
        const auto groupOfFile = [&](const QString& path) {
            return groupOf(path, index.classes.value(labelOf.value(path)), settings);
        };
        const bool changed =
            manifest.update(filesPerClass,
                            settings.groupBy == GroupBy::None
                                ? std::function<QString(const QString&)>()
                                : std::function<QString(const QString&)>(groupOfFile)) ||
            remade;
        if (changed && options.writeManifest) {
            const Status saved = manifest.save(index.manifestPath);
            if (!saved) {
                index.warnings.append(saved.error() +
                                      QStringLiteral(" The split was not recorded; it is "
                                                     "reproducible from the seed as long as no "
                                                     "files are added."));
            }
        }
        for (size_t i = 0; i < candidates.size(); ++i) {
            if (usable[i]) {
                candidates[i].split = int(manifest.splitOf(candidates[i].path));
            }
        }
    }

    // Items sorted by split, class, path; cache keys follow them.
    std::vector<int> order;
    for (size_t i = 0; i < candidates.size(); ++i) {
        if (usable[i]) {
            order.push_back(int(i));
        }
    }
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const Candidate& x = candidates[size_t(a)];
        const Candidate& y = candidates[size_t(b)];
        if (x.split != y.split) {
            return x.split < y.split;
        }
        if (x.label != y.label) {
            return x.label < y.label;
        }
        return x.path < y.path;
    });
    index.items.reserve(int(order.size()));
    for (const int i : order) {
        const Candidate& c = candidates[size_t(i)];
        index.items.append({c.path, c.label, Split(c.split), hashes[size_t(i)]});
    }
    if (cache != nullptr) {
        cache->rekey(order);
        index.cachedImages = cache->count();
    }

    // Classes without images in a split.
    for (int s = 0; s < kSplitCount; ++s) {
        if ((s == 1 && !index.hasValidation) || (s == 2 && !index.hasTest)) {
            continue;
        }
        for (int c = 0; c < index.classes.size(); ++c) {
            const bool folderThere = !folders || classFolderPresent[s][c];
            if (folderThere && index.count(Split(s), c) == 0) {
                index.emptyClasses.append({Split(s), index.classes[c], 0});
            }
        }
    }

    // Fatal: nothing to train on.
    const int trainImages = index.count(Split::Train);
    if (trainImages == 0) {
        const QString trainFolder = folders ? root + QLatin1Char('/') + splitFolder[0] : root;
        return Failure{
            QStringLiteral("The training split is empty: no usable image in '%1'%2. "
                           "Put PNG or JPEG images into its class folders.")
                .arg(native(trainFolder))
                .arg(index.skipped.isEmpty()
                         ? QString()
                         : QStringLiteral(" (%1 files could not be decoded, e.g. '%2': "
                                          "%3)")
                               .arg(index.skipped.size())
                               .arg(index.skipped.first().path, index.skipped.first().reason))};
    }
    QStringList withImages;
    for (int c = 0; c < index.classes.size(); ++c) {
        if (index.count(Split::Train, c) > 0) {
            withImages.append(index.classes[c]);
        }
    }
    if (withImages.size() < 2) {
        return Failure{QStringLiteral("Only one class ('%1') has images in the training split "
                                      "('%2'); a classifier needs at least two. Add a folder of "
                                      "images for each other class.")
                           .arg(withImages.value(0),
                                native(folders ? root + QLatin1Char('/') + splitFolder[0] : root))};
    }

    // Identical images, within a split and across splits.
    std::map<quint64, std::vector<int>> byHash;
    for (int i = 0; i < index.items.size(); ++i) {
        byHash[index.items[i].pixelHash].push_back(i);
    }
    std::vector<std::vector<int>> groups;
    for (auto& entry : byHash) {
        if (entry.second.size() > 1) {
            groups.push_back(std::move(entry.second));
        }
    }
    std::sort(groups.begin(), groups.end());
    int withinGroups = 0;
    for (const std::vector<int>& group : groups) {
        DuplicateGroup duplicate;
        bool inSplit[kSplitCount] = {false, false, false};
        for (const int i : group) {
            duplicate.paths.append(index.items[i].path);
            inSplit[int(index.items[i].split)] = true;
        }
        duplicate.crossSplit = int(inSplit[0]) + int(inSplit[1]) + int(inSplit[2]) > 1;
        if (duplicate.crossSplit) {
            index.warnings.append(
                QStringLiteral("Leakage: identical images in %1: %2. An image in both training "
                               "and %3 makes the %3 score too optimistic; delete all but one.")
                    .arg(splitsNamed(inSplit), listSome(duplicate.paths),
                         inSplit[2] ? QStringLiteral("test") : QStringLiteral("validation")));
        } else {
            ++withinGroups;
        }
        index.duplicates.append(duplicate);
    }
    if (withinGroups > 0) {
        index.warnings.append(QStringLiteral("%1 groups of identical images inside a split (see "
                                             "the duplicates list); identical copies weigh an "
                                             "image more than the others.")
                                  .arg(withinGroups));
    }

    // Every other problem as a sentence.
    for (const QString& stray : index.strayFiles) {
        index.warnings.append(QStringLiteral("The file '%1' is beside the class folders, not in "
                                             "one; it is ignored. Move it into its class folder.")
                                  .arg(stray));
    }
    for (const ClassProblem& p : index.unknownClasses) {
        index.warnings.append(QStringLiteral("The class '%1' of the %2 split is not in the "
                                             "training split; its %3 files are ignored. Add "
                                             "training images for it or remove the folder.")
                                  .arg(p.className, splitName(p.split))
                                  .arg(p.files));
    }
    // One sentence per class, or one per split when many classes share the problem.
    const auto classSentences = [&](const QVector<ClassProblem>& problems, const QString& one,
                                    const QString& many) {
        for (int s = 0; s < kSplitCount; ++s) {
            QStringList names;
            for (const ClassProblem& p : problems) {
                if (p.split == Split(s)) {
                    names.append(p.className);
                }
            }
            if (names.size() > kMaxListedInWarning) {
                index.warnings.append(
                    many.arg(names.size()).arg(splitName(Split(s)), listSome(names)));
                continue;
            }
            for (const QString& name : names) {
                index.warnings.append(one.arg(name, splitName(Split(s))));
            }
        }
    };
    classSentences(index.missingClasses,
                   QStringLiteral("The class '%1' has no folder in the %2 split."),
                   QStringLiteral("%1 classes have no folder in the %2 split: %3."));
    classSentences(index.emptyClasses,
                   QStringLiteral("The class '%1' has no usable images in the %2 split."),
                   QStringLiteral("%1 classes have no usable images in the %2 split: %3."));
    if (folders) {
        if (const QString leaking = groupLeakWarning(index, settings); !leaking.isEmpty()) {
            index.warnings.append(leaking);
        }
    }
    if (const QString unbalanced = imbalanceWarning(index); !unbalanced.isEmpty()) {
        index.warnings.append(unbalanced);
    }
    if (folders && !index.hasValidation) {
        index.warnings.append(QStringLiteral("There is no validation folder; add '%1/validation/"
                                             "<class>/' to see how the model does on images it "
                                             "does not train on.")
                                  .arg(native(root)));
    }
    if (!index.skipped.isEmpty()) {
        index.warnings.append(QStringLiteral("%1 files could not be used (see the skipped list).")
                                  .arg(index.skipped.size()));
    }
    return index;
}

} // namespace studio
