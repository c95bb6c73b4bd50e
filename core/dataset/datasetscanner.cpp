#include "dataset/datasetscanner.h"

#include "common/nativepath.h"
#include "dataset/datasetschema.h"
#include "dataset/folds.h"
#include "dataset/imagecache.h"
#include "dataset/imagedecoder.h"
#include "dataset/imageformats.h"
#include "dataset/inputspec.h"
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

// The advice on how to lay out a dataset, added to the failures about its folders.
QString layoutHelp()
{
    return QStringLiteral("Put the images of each class into its own sub-folder (ROOT/cats/, "
                          "ROOT/dogs/, ...), or use ROOT/train/<class>/, ROOT/validation/<class>/ "
                          "and optionally ROOT/test/<class>/.");
}

// The dataset folder as a clean absolute path, or why it cannot be scanned.
Result<QString> datasetRoot(const QString& path)
{
    if (path.isEmpty()) {
        return Failure{QStringLiteral("No dataset folder is set. Choose the folder that holds "
                                      "your images. %1")
                           .arg(layoutHelp())};
    }
    const QFileInfo rootInfo(path);
    if (!rootInfo.exists()) {
        return Failure{QStringLiteral("The dataset folder '%1' does not exist. Check the path. %2")
                           .arg(native(path), layoutHelp())};
    }
    if (!rootInfo.isDir()) {
        return Failure{QStringLiteral("'%1' is a file, not a folder. Choose the folder that holds "
                                      "the class folders. %2")
                           .arg(native(path), layoutHelp())};
    }
    return QDir::cleanPath(rootInfo.absoluteFilePath());
}

// What a scan carries from one step to the next.
struct ScanState
{
    ScanState(const DatasetSettings& s, const ScanOptions& o) : settings(s), options(o) {}

    const DatasetSettings& settings;
    const ScanOptions& options;
    DatasetIndex index;
    Listing top;                                  // the dataset folder
    Listing train;                                // the training folder (split folders only)
    QString splitFolder[kSplitCount];             // each split's folder; empty when none
    bool folders = false;                         // the dataset came split in folders
    QVector<int> classFolderPresent[kSplitCount]; // per split, per class: 1 if a folder exists
    std::vector<Candidate> candidates;            // every file to decode
    std::vector<char> usable;                     // per candidate: 1 when it decoded
    std::vector<quint64> hashes;                  // per candidate: its pixel hash
    std::vector<ImageFormat> formats;             // per candidate: what its pixels are like
};

// The path of a folder inside the dataset folder.
QString inRoot(const ScanState& scan, const QString& relative)
{
    return scan.index.root + QLatin1Char('/') + relative;
}

// The folder whose class folders hold the training images.
QString trainFolderPath(const ScanState& scan)
{
    return scan.folders ? inRoot(scan, scan.splitFolder[0]) : scan.index.root;
}

// Lists the dataset folder and finds its split folders, which decide the split mode.
Status discoverSplitFolders(ScanState& scan)
{
    DatasetIndex& index = scan.index;
    scan.top = listFolder(index.root, true);
    if (!scan.top.readable) {
        return Failure{QStringLiteral("Cannot read the dataset folder '%1': permission denied. "
                                      "Make it readable.")
                           .arg(native(index.root))};
    }
    warnLeftOut(scan.top, QString(), &index.warnings);
    for (const QString& dir : scan.top.dirs) {
        const int split = splitOfFolder(dir);
        if (split < 0) {
            continue;
        }
        if (scan.splitFolder[split].isEmpty()) {
            scan.splitFolder[split] = dir;
        } else {
            index.warnings.append(QStringLiteral("Both '%1' and '%2' name the %3 split; '%2' is "
                                                 "ignored. Merge or rename one of them.")
                                      .arg(scan.splitFolder[split], dir, splitName(Split(split))));
        }
    }
    scan.folders = !scan.splitFolder[0].isEmpty() || !scan.splitFolder[1].isEmpty() ||
                   !scan.splitFolder[2].isEmpty();
    index.splitMode = scan.folders ? SplitMode::Folders : SplitMode::Auto;
    if (scan.folders && scan.settings.splitMode == SplitMode::Auto) {
        index.warnings.append(QStringLiteral("The settings ask for an automatic split, but '%1' "
                                             "already has split folders; they are used as they "
                                             "are.")
                                  .arg(native(index.root)));
    }
    return {};
}

// Split folders: the classes are the training folder's sub-folders; folders beside the splits
// are reported.
Status discoverClassesInTrainFolder(ScanState& scan)
{
    DatasetIndex& index = scan.index;
    if (scan.splitFolder[0].isEmpty()) {
        QStringList present;
        for (int s = 1; s < kSplitCount; ++s) {
            if (!scan.splitFolder[s].isEmpty()) {
                present.append(scan.splitFolder[s]);
            }
        }
        return Failure{QStringLiteral("The training split is empty: '%1' has %2 but no 'train' "
                                      "folder. Add '%1/train/' with one sub-folder of images "
                                      "per class.")
                           .arg(native(index.root), listSome(present))};
    }
    for (const QString& dir : scan.top.dirs) {
        if (splitOfFolder(dir) < 0) {
            index.warnings.append(QStringLiteral("The folder '%1' beside the split folders "
                                                 "is not a split (train, validation, test); "
                                                 "it is ignored.")
                                      .arg(dir));
        }
    }
    index.hasValidation = !scan.splitFolder[1].isEmpty();
    index.hasTest = !scan.splitFolder[2].isEmpty();
    scan.train = listFolder(trainFolderPath(scan), true);
    if (!scan.train.readable) {
        return Failure{QStringLiteral("Cannot read the training folder '%1': permission "
                                      "denied. Make it readable.")
                           .arg(native(trainFolderPath(scan)))};
    }
    index.classes = scan.train.dirs;
    if (index.classes.isEmpty()) {
        return Failure{QStringLiteral("'%1' has no class folders. Put the training images of "
                                      "each class into its own sub-folder "
                                      "('%1/<class>/').")
                           .arg(native(trainFolderPath(scan)))};
    }
    return {};
}

// The class names, and which of the validation and test splits there are.
Status discoverClasses(ScanState& scan)
{
    if (scan.folders) {
        return discoverClassesInTrainFolder(scan);
    }
    DatasetIndex& index = scan.index;
    index.classes = scan.top.dirs;
    if (index.classes.isEmpty()) {
        return Failure{
            QStringLiteral("'%1' has no class folders. %2").arg(native(index.root), layoutHelp())};
    }
    index.hasValidation = scan.settings.validationRatio > 0;
    index.hasTest = scan.settings.testRatio > 0;
    return {};
}

// Split folders: the files of one split's class folders, its stray files, its unknown classes
// and the classes it has no folder for.
void listSplitFiles(ScanState& scan, int s)
{
    DatasetIndex& index = scan.index;
    scan.classFolderPresent[s].fill(0, index.classes.size());
    const QString& folder = scan.splitFolder[s];
    if (folder.isEmpty()) {
        return;
    }
    const Listing listing = s == 0 ? scan.train : listFolder(inRoot(scan, folder), true);
    if (!listing.readable) {
        index.warnings.append(QStringLiteral("The folder '%1' cannot be read (permission "
                                             "denied); the %2 split is left empty. Make "
                                             "it readable.")
                                  .arg(folder, splitName(Split(s))));
    }
    warnLeftOut(listing, folder, &index.warnings);
    for (const QString& file : listing.files) {
        index.strayFiles.append(folder + QLatin1Char('/') + file);
    }
    for (const QString& dir : listing.dirs) {
        const QString relative = folder + QLatin1Char('/') + dir;
        QStringList files;
        collectFiles(index.root, relative, &files, &index.warnings);
        const int label = int(index.classes.indexOf(dir));
        if (label < 0) {
            index.unknownClasses.append({Split(s), dir, int(files.size())});
            continue;
        }
        scan.classFolderPresent[s][label] = 1;
        for (const QString& file : files) {
            scan.candidates.push_back({file, s, label});
        }
    }
    for (int c = 0; c < index.classes.size(); ++c) {
        if (!scan.classFolderPresent[s][c]) {
            index.missingClasses.append({Split(s), index.classes[c], 0});
        }
    }
}

// Every file to decode, with its class (and its split when the folders give it), and the files
// beside the class folders.
void listImageFiles(ScanState& scan)
{
    if (scan.folders) {
        for (int s = 0; s < kSplitCount; ++s) {
            listSplitFiles(scan, s);
        }
        return;
    }
    DatasetIndex& index = scan.index;
    for (const QString& file : scan.top.files) {
        index.strayFiles.append(file);
    }
    for (int c = 0; c < index.classes.size(); ++c) {
        QStringList files;
        collectFiles(index.root, index.classes[c], &files, &index.warnings);
        for (const QString& file : files) {
            scan.candidates.push_back({file, -1, c});
        }
    }
}

// A failure when the cache holds images of another shape than the settings ask for.
Status checkCacheShape(const ImageCache& cache, const ImageShape& shape)
{
    if (cache.shape().size != shape.size || cache.shape().channels != shape.channels ||
        cache.shape().sampleBytes != shape.sampleBytes) {
        return Failure{QStringLiteral("Internal error: the image cache holds %1x%1x%2 images "
                                      "but the settings ask for %3x%3x%4.")
                           .arg(cache.shape().size)
                           .arg(cache.shape().channels)
                           .arg(shape.size)
                           .arg(shape.channels)};
    }
    return {};
}

// One file decoded for the scan: its hash and format, and (wantPixels) its samples prepared for
// the spec and kept smaller, as the cache holds them. A file the spec cannot prepare fails,
// whether or not its samples are wanted.
DecodeResult decodeForScan(const QString& path, const InputSpec& spec, bool wantPixels)
{
    const RawDecodeResult raw = decodeRawImageFile(path);
    if (!raw.ok) {
        DecodeResult result;
        result.failure = raw.failure;
        return result;
    }
    DecodeResult result;
    result.failure = preparationProblem(raw.image, spec);
    if (!result.failure.reason.isEmpty()) {
        return result;
    }
    if (wantPixels) {
        result = prepareImage(raw, spec, DecodeSize::KeepSmaller);
    } else {
        result.ok = true;
        result.image.sourceWidth = raw.image.width;
        result.image.sourceHeight = raw.image.height;
        result.image.pixelHash = raw.pixelHash;
    }
    result.image.format = describeImage(raw.image);
    return result;
}

// Decodes every candidate on worker threads until all are done or the scan is cancelled: fills
// usable and hashes (and the cache, while it has room); returns why each failure failed.
std::vector<DecodeFailure> decodeInParallel(ScanState& scan, const InputSpec& spec)
{
    const ScanOptions& options = scan.options;
    ImageCache* cache = options.cache;
    const qint64 total = qint64(scan.candidates.size());
    scan.usable.assign(scan.candidates.size(), 0);
    scan.hashes.assign(scan.candidates.size(), 0);
    scan.formats.assign(scan.candidates.size(), ImageFormat());
    std::vector<DecodeFailure> failures(scan.candidates.size());
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
                decodeForScan(inRoot(scan, scan.candidates[size_t(i)].path), spec, wantPixels);
            if (decoded.ok) {
                scan.usable[size_t(i)] = 1;
                scan.hashes[size_t(i)] = decoded.image.pixelHash;
                scan.formats[size_t(i)] = decoded.image.format;
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
    return failures;
}

// One decode pass over every file, in parallel, filling the cache on the way; the files that
// cannot be used go to the skipped list. Fails when cancelled.
Status decodeImages(ScanState& scan)
{
    const InputSpec spec =
        scan.options.spec != nullptr ? *scan.options.spec : inputSpecOf(scan.settings);
    ImageCache* cache = scan.options.cache;
    if (cache != nullptr) {
        if (const Status fits = checkCacheShape(*cache, spec.shape()); !fits) {
            return fits;
        }
        cache->reset(int(scan.candidates.size()));
    }
    const std::vector<DecodeFailure> failures = decodeInParallel(scan, spec);
    if (scan.options.cancel != nullptr && scan.options.cancel->load()) {
        if (cache != nullptr) {
            cache->reset(0);
        }
        return Failure{QStringLiteral("Scanning '%1' was cancelled.").arg(native(scan.index.root))};
    }
    for (size_t i = 0; i < scan.candidates.size(); ++i) {
        if (!scan.usable[i]) {
            scan.index.skipped.append(
                {scan.candidates[i].path, failures[i].kind, failures[i].reason});
        }
    }
    return {};
}

// Finds the dataset's channel count (the training images' usual one) and skips the images that
// cannot be brought to it, with the reason.
void skipMismatchedChannels(ScanState& scan)
{
    std::vector<ImageFormat> training;
    for (size_t i = 0; i < scan.candidates.size(); ++i) {
        if (scan.usable[i] && scan.candidates[i].split <= 0) {
            training.push_back(scan.formats[i]);
        }
    }
    scan.index.imageChannels = usualChannels(training);
    for (size_t i = 0; i < scan.candidates.size(); ++i) {
        if (!scan.usable[i]) {
            continue;
        }
        const QString mismatch = channelMismatch(scan.formats[i], scan.index.imageChannels);
        if (!mismatch.isEmpty()) {
            scan.usable[i] = 0;
            scan.index.skipped.append(
                {scan.candidates[i].path, SkipReason::ChannelMismatch, mismatch});
        }
    }
}

// Each class's tally of the formats of its usable images (all splits).
void tallyFormats(ScanState& scan)
{
    DatasetIndex& index = scan.index;
    index.formats = QVector<ClassImageFormats>(index.classes.size());
    for (size_t i = 0; i < scan.candidates.size(); ++i) {
        if (scan.usable[i]) {
            tallyFormat(scan.formats[i], &index.formats[scan.candidates[i].label]);
        }
    }
}

// The split recorded in the manifest when it was made by `recipe`, else `recipe` itself (to
// split again) with a warning saying why; *remade tells which.
SplitManifest recordedManifest(DatasetIndex& index, const DatasetSettings& settings,
                               const SplitManifest& recipe, bool* remade)
{
    *remade = false;
    if (!QFileInfo::exists(index.manifestPath)) {
        return recipe;
    }
    Result<SplitManifest> loaded = SplitManifest::load(index.manifestPath);
    if (!loaded) {
        index.warnings.append(loaded.error() + QStringLiteral(" The images were split again."));
        *remade = true;
        return recipe;
    }
    if (!loaded->sameRecipe(recipe)) {
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
        *remade = true;
        return recipe;
    }
    return std::move(*loaded);
}

// Auto mode: gives each usable file its split from the recorded split, extended to new files,
// and records the split again when it changed (and the options allow it).
void splitSubsets(ScanState& scan)
{
    const DatasetSettings& settings = scan.settings;
    DatasetIndex& index = scan.index;
    std::vector<Candidate>& candidates = scan.candidates;
    QVector<QStringList> filesPerClass(index.classes.size());
    for (size_t i = 0; i < candidates.size(); ++i) {
        if (scan.usable[i]) {
            filesPerClass[candidates[i].label].append(candidates[i].path);
        }
    }
    const SplitManifest recipe(settings.splitSeed, settings.trainRatio, settings.validationRatio,
                               settings.testRatio, groupingName(settings));
    index.manifestPath = scan.options.manifestPath.isEmpty() ? defaultManifestPath(index.root)
                                                             : scan.options.manifestPath;
    bool remade = false;
    SplitManifest manifest = recordedManifest(index, settings, recipe, &remade);
    QHash<QString, int> labelOf;
    for (size_t i = 0; i < candidates.size(); ++i) {
        labelOf.insert(candidates[i].path, candidates[i].label);
    }
    const auto groupOfFile = [&](const QString& path) {
        return groupOf(path, index.classes.value(labelOf.value(path)), settings);
    };
    const bool changed =
        manifest.update(filesPerClass, settings.groupBy == GroupBy::None
                                           ? std::function<QString(const QString&)>()
                                           : std::function<QString(const QString&)>(groupOfFile)) ||
        remade;
    if (changed && scan.options.writeManifest) {
        const Status saved = manifest.save(index.manifestPath);
        if (!saved) {
            index.warnings.append(saved.error() +
                                  QStringLiteral(" The split was not recorded; it is "
                                                 "reproducible from the seed as long as no "
                                                 "files are added."));
        }
    }
    for (size_t i = 0; i < candidates.size(); ++i) {
        if (scan.usable[i]) {
            candidates[i].split = int(manifest.splitOf(candidates[i].path));
        }
    }
}

// The index's items: the usable files sorted by split, class and path; cache keys follow them.
void buildIndex(ScanState& scan)
{
    const std::vector<Candidate>& candidates = scan.candidates;
    std::vector<int> order;
    for (size_t i = 0; i < candidates.size(); ++i) {
        if (scan.usable[i]) {
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
    DatasetIndex& index = scan.index;
    index.items.reserve(int(order.size()));
    for (const int i : order) {
        const Candidate& c = candidates[size_t(i)];
        index.items.append({c.path, c.label, Split(c.split), scan.hashes[size_t(i)]});
    }
    if (ImageCache* cache = scan.options.cache; cache != nullptr) {
        cache->rekey(order);
        index.cachedImages = cache->count();
    }
}

// The classes without images in a split that has their folder (or, in auto mode, any split).
void findEmptyClasses(ScanState& scan)
{
    DatasetIndex& index = scan.index;
    for (int s = 0; s < kSplitCount; ++s) {
        if ((s == 1 && !index.hasValidation) || (s == 2 && !index.hasTest)) {
            continue;
        }
        for (int c = 0; c < index.classes.size(); ++c) {
            const bool folderThere = !scan.folders || scan.classFolderPresent[s][c];
            if (folderThere && index.count(Split(s), c) == 0) {
                index.emptyClasses.append({Split(s), index.classes[c], 0});
            }
        }
    }
}

// A failure when there is nothing to train on: no usable training image, or only one class
// with training images.
Status checkTrainable(const ScanState& scan)
{
    const DatasetIndex& index = scan.index;
    if (index.count(Split::Train) == 0) {
        return Failure{
            QStringLiteral("The training split is empty: no usable image in '%1'%2. "
                           "Put PNG, JPEG, TIFF, BMP or PNM images into its class folders (or "
                           "fix the files named here).")
                .arg(native(trainFolderPath(scan)))
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
                           .arg(withImages.value(0), native(trainFolderPath(scan)))};
    }
    return {};
}

// Groups of identical images across splits warned about one by one; more are counted in one
// warning, so that the other warnings are not buried under them.
constexpr int kLeakageGroupsNamed = 5;

// The groups of identical images, within a split and across splits, with a warning on each of
// the first groups across splits, one on the rest of them, and one on those within.
void findDuplicates(DatasetIndex& index)
{
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
    int crossGroups = 0;
    for (const std::vector<int>& group : groups) {
        DuplicateGroup duplicate;
        bool inSplit[kSplitCount] = {false, false, false};
        for (const int i : group) {
            duplicate.paths.append(index.items[i].path);
            inSplit[int(index.items[i].split)] = true;
        }
        duplicate.crossSplit = int(inSplit[0]) + int(inSplit[1]) + int(inSplit[2]) > 1;
        if (duplicate.crossSplit && ++crossGroups <= kLeakageGroupsNamed) {
            index.warnings.append(
                QStringLiteral("Leakage: identical images in %1: %2. An image in both training "
                               "and %3 makes the %3 score too optimistic; delete all but one.")
                    .arg(splitsNamed(inSplit), listSome(duplicate.paths),
                         inSplit[2] ? QStringLiteral("test") : QStringLiteral("validation")));
        } else if (!duplicate.crossSplit) {
            ++withinGroups;
        }
        index.duplicates.append(duplicate);
    }
    if (crossGroups > kLeakageGroupsNamed) {
        index.warnings.append(QStringLiteral("Leakage: %1 more groups of identical images are in "
                                             "more than one split (see the duplicates list); "
                                             "each makes a validation or test score too "
                                             "optimistic.")
                                  .arg(crossGroups - kLeakageGroupsNamed));
    }
    if (withinGroups > 0) {
        index.warnings.append(QStringLiteral("%1 groups of identical images inside a split (see "
                                             "the duplicates list); identical copies weigh an "
                                             "image more than the others.")
                                  .arg(withinGroups));
    }
}

// One sentence per class with a problem (`one`), or one per split when many classes of that
// split share it (`many`).
void warnPerClass(const QVector<ClassProblem>& problems, const QString& one, const QString& many,
                  QStringList* warnings)
{
    for (int s = 0; s < kSplitCount; ++s) {
        QStringList names;
        for (const ClassProblem& p : problems) {
            if (p.split == Split(s)) {
                names.append(p.className);
            }
        }
        if (names.size() > kMaxListedInWarning) {
            warnings->append(many.arg(names.size()).arg(splitName(Split(s)), listSome(names)));
            continue;
        }
        for (const QString& name : names) {
            warnings->append(one.arg(name, splitName(Split(s))));
        }
    }
}

// Every problem the other steps listed but did not warn about, as a sentence.
void warnProblems(ScanState& scan)
{
    DatasetIndex& index = scan.index;
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
    warnPerClass(index.missingClasses,
                 QStringLiteral("The class '%1' has no folder in the %2 split."),
                 QStringLiteral("%1 classes have no folder in the %2 split: %3."), &index.warnings);
    warnPerClass(
        index.emptyClasses, QStringLiteral("The class '%1' has no usable images in the %2 split."),
        QStringLiteral("%1 classes have no usable images in the %2 split: %3."), &index.warnings);
    if (scan.folders) {
        if (const QString leaking = groupLeakWarning(index, scan.settings); !leaking.isEmpty()) {
            index.warnings.append(leaking);
        }
    }
    if (const QString unbalanced = imbalanceWarning(index); !unbalanced.isEmpty()) {
        index.warnings.append(unbalanced);
    }
    index.warnings.append(formatWarnings(index, scan.settings.channels(),
                                         scan.settings.normalization, scan.settings.resize));
    if (scan.folders && !index.hasValidation) {
        index.warnings.append(QStringLiteral("There is no validation folder; add '%1/validation/"
                                             "<class>/' to see how the model does on images it "
                                             "does not train on.")
                                  .arg(native(index.root)));
    }
    if (!index.skipped.isEmpty()) {
        index.warnings.append(QStringLiteral("%1 files could not be used (see the skipped list).")
                                  .arg(index.skipped.size()));
    }
}

// What is wrong with the dataset: a failure when there is nothing to train on, else the
// index's lists of problems and a warning on each.
Status diagnoseDataset(ScanState& scan)
{
    findEmptyClasses(scan);
    if (const Status trainable = checkTrainable(scan); !trainable) {
        return trainable;
    }
    findDuplicates(scan.index);
    warnProblems(scan);
    return {};
}

} // namespace

Result<DatasetIndex> scanDataset(const DatasetSettings& settings, const ScanOptions& options)
{
    if (const Status valid = checkSettings(settings); !valid) {
        return Failure{valid.error()};
    }
    const Result<QString> root = datasetRoot(settings.root);
    if (!root) {
        return Failure{root.error()};
    }
    ScanState scan(settings, options);
    scan.index.root = *root;
    if (const Status found = discoverSplitFolders(scan); !found) {
        return Failure{found.error()};
    }
    if (const Status found = discoverClasses(scan); !found) {
        return Failure{found.error()};
    }
    listImageFiles(scan);
    if (const Status decoded = decodeImages(scan); !decoded) {
        return Failure{decoded.error()};
    }
    skipMismatchedChannels(scan);
    if (!scan.folders) {
        splitSubsets(scan);
    }
    buildIndex(scan);
    tallyFormats(scan);
    if (const Status diagnosed = diagnoseDataset(scan); !diagnosed) {
        return Failure{diagnosed.error()};
    }
    return std::move(scan.index);
}

} // namespace studio
