// A verified copy of a run folder into a new folder (see runfolder.h). Torch-free.
#include "training/runfolder.h"

#include "common/atomicfile.h"
#include "common/nativepath.h"
#include "training/runlock.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <vector>

namespace studio {

namespace {

// The absolute path with symbolic links resolved as far as the path exists.
QString resolvedPath(const QString& path)
{
    QString head = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    QString tail;
    while (!QFileInfo::exists(head)) {
        const int slash = head.lastIndexOf(QLatin1Char('/'));
        if (slash <= 0) {
            return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
        }
        tail = head.mid(slash) + tail;
        head = head.left(slash);
    }
    return QFileInfo(head).canonicalFilePath() + tail;
}

// Copies one file through QSaveFile (written beside, flushed to disk, renamed), then checks
// that the copy has the source's size. `name` and `folder` are what the message shows.
Status copyFile(const QString& source, const QString& target, const QString& name,
                const QString& folder)
{
    QFile in(source);
    if (!in.open(QIODevice::ReadOnly)) {
        return Failure{
            QStringLiteral("Cannot read '%1': %2.").arg(native(source), in.errorString())};
    }
    QSaveFile out(target);
    if (!out.open(QIODevice::WriteOnly)) {
        return Failure{QStringLiteral("Cannot write '%1' in '%2': %3.")
                           .arg(name, native(folder), out.errorString())};
    }
    std::vector<char> buffer(std::size_t(1) << 20);
    qint64 copied = 0;
    qint64 n = 0;
    while ((n = in.read(buffer.data(), qint64(buffer.size()))) > 0) {
        if (out.write(buffer.data(), n) != n) {
            const QString reason = out.errorString();
            out.cancelWriting();
            return Failure{
                QStringLiteral("Cannot write '%1' in '%2': %3.").arg(name, native(folder), reason)};
        }
        copied += n;
    }
    if (n < 0) {
        out.cancelWriting();
        return Failure{
            QStringLiteral("Cannot read '%1': %2.").arg(native(source), in.errorString())};
    }
    if (!out.commit()) {
        return Failure{QStringLiteral("Cannot finish writing '%1' in '%2': %3.")
                           .arg(name, native(folder), out.errorString())};
    }
    const qint64 expected = QFileInfo(source).size();
    const qint64 written = QFileInfo(target).size();
    if (copied != expected || written != expected) {
        return Failure{QStringLiteral("The copy of '%1' in '%2' has %3 bytes instead of %4.")
                           .arg(name, native(folder))
                           .arg(written)
                           .arg(expected)};
    }
    return {};
}

// Copies the tree under `from` into the existing folder `staging`.
Status copyTree(const QString& from, const QString& staging, const QString& to)
{
    const QDir source(from);
    QDirIterator it(from, QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString relative = source.relativeFilePath(path);
        const QString target = QDir(staging).filePath(relative);
        if (relative == kRunLockFile) {
            continue; // the writer's lock stays with the writer
        }
        if (it.fileInfo().isDir()) {
            if (!QDir().mkpath(target)) {
                return Failure{QStringLiteral("Cannot create the folder '%1' in '%2'.")
                                   .arg(native(relative), native(to))};
            }
            continue;
        }
        if (!QDir().mkpath(QFileInfo(target).absolutePath())) {
            return Failure{QStringLiteral("Cannot create the folder '%1' in '%2'.")
                               .arg(native(QFileInfo(relative).path()), native(to))};
        }
        const Status copied = copyFile(path, target, native(relative), to);
        if (!copied) {
            return copied;
        }
    }
    return {};
}

} // namespace

QString unusedPath(const QString& path)
{
    QString candidate = path;
    for (int i = 2; QFileInfo::exists(candidate) || QFileInfo(candidate).isSymLink(); ++i) {
        candidate = path + QStringLiteral("-%1").arg(i);
    }
    return candidate;
}

Status copyRunFolder(const QString& from, const QString& to)
{
    const QString unchanged =
        QStringLiteral(" Nothing was moved; the run is still in '%1'.").arg(native(from));
    if (!QFileInfo(from).isDir()) {
        return Failure{
            QStringLiteral("'%1' is not a folder; there is nothing to copy.").arg(native(from))};
    }
    const QString source = resolvedPath(from);
    const QString target = resolvedPath(to);
    if (target == source || target.startsWith(source + QLatin1Char('/'))) {
        return Failure{QStringLiteral("'%1' is inside '%2'; choose a folder outside it.")
                           .arg(native(to), native(from))};
    }
    const QFileInfo toInfo(to);
    if (toInfo.exists() &&
        (!toInfo.isDir() || !QDir(to).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot |
                                              QDir::Hidden | QDir::System))) {
        return Failure{QStringLiteral("'%1' already exists and is not an empty folder; nothing "
                                      "was overwritten.")
                           .arg(native(to)) +
                       unchanged};
    }
    const QString parent = toInfo.absolutePath();
    if (!QDir().mkpath(parent)) {
        return Failure{QStringLiteral("Cannot create the folder '%1': '%2' cannot be made "
                                      "there (it is read-only, full, gone, or a file).")
                           .arg(native(to), native(parent)) +
                       unchanged};
    }
    // Hidden until complete, so that a half-copied run never looks like a run.
    const QString staging = unusedPath(
        QDir(parent).filePath(QLatin1Char('.') + toInfo.fileName() + QStringLiteral(".partial")));
    if (!QDir().mkdir(staging)) {
        return Failure{QStringLiteral("Cannot create the folder '%1': '%2' cannot be written.")
                           .arg(native(to), native(parent)) +
                       unchanged};
    }
    Status status = copyTree(from, staging, to);
    if (status && toInfo.exists() && !QDir().rmdir(to)) {
        status = Failure{QStringLiteral("Cannot replace the empty folder '%1'.").arg(native(to))};
    }
    if (status) {
        status = publishFolder(staging, to);
    }
    if (!status) {
        QDir(staging).removeRecursively();
        return Failure{status.error() + unchanged};
    }
    return {};
}

} // namespace studio
