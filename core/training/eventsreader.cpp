#include "training/eventsreader.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

namespace studio {

namespace {

// The first bytes kept to recognise the file: a replaced file starts differently (its
// "started" line has other counts, or it is another run's).
constexpr qsizetype kHeadBytes = 256;
// Skipped lines reported one by one; a file of garbage gives a few warnings, not thousands.
constexpr int kMaxWarnings = 10;

// Device and inode of an open file (0 where unknown): a file replaced by another one, even of
// the same size and start, has another.
quint64 fileIdentity(QFile& file)
{
#ifdef Q_OS_UNIX
    struct stat info
    {};
    if (::fstat(file.handle(), &info) == 0) {
        return (quint64(info.st_dev) << 32) ^ quint64(info.st_ino);
    }
#else
    Q_UNUSED(file);
#endif
    return 0;
}

} // namespace

EventsReader::EventsReader(const QString& path) : m_path(path) {}

void EventsReader::startOver()
{
    m_offset = 0;
    m_lineNumber = 0;
    m_skipped = 0;
    m_head.clear();
}

EventsReader::Update EventsReader::readNew()
{
    Update update;
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly)) {
        // Not written yet (or deleted): nothing new. Unreadable: say so once.
        if (file.exists() && !m_reportedUnreadable) {
            m_reportedUnreadable = true;
            update.warnings.append(QStringLiteral("Cannot read '%1': %2")
                                       .arg(QDir::toNativeSeparators(m_path), file.errorString()));
        }
        return update;
    }
    m_reportedUnreadable = false;

    const quint64 identity = fileIdentity(file);
    bool replaced = file.size() < m_offset || (m_fileId != 0 && identity != m_fileId);
    if (!replaced && !m_head.isEmpty()) {
        replaced = file.read(m_head.size()) != m_head;
    }
    m_fileId = identity;
    if (replaced) {
        startOver();
        update.restarted = true;
    }
    if (!file.seek(m_offset)) {
        return update;
    }
    const QByteArray data = file.readAll();
    const qsizetype end = data.lastIndexOf('\n');
    if (end < 0) {
        return update; // at most a half-written line: wait for its newline
    }
    const QByteArray complete = data.left(end + 1);
    if (m_offset < kHeadBytes) {
        m_head = (m_head + complete).left(kHeadBytes);
    }
    m_offset += complete.size();

    const QList<QByteArray> lines = complete.split('\n');
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) { // the last piece follows the final '\n'
        ++m_lineNumber;
        const QByteArray line = lines[i].trimmed();
        if (line.isEmpty()) {
            continue;
        }
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        QString problem;
        if (!document.isObject()) {
            problem = parseError.error != QJsonParseError::NoError
                          ? QStringLiteral("not JSON (%1)").arg(parseError.errorString())
                          : QStringLiteral("not a JSON object");
        } else {
            Result<RunEvent> event = runEventFromJson(document.object());
            if (event.ok()) {
                update.events.append(std::move(*event));
                continue;
            }
            problem = event.error();
        }
        ++m_skipped;
        if (m_skipped <= kMaxWarnings) {
            update.warnings.append(QStringLiteral("'%1', line %2 skipped: %3")
                                       .arg(QDir::toNativeSeparators(m_path))
                                       .arg(m_lineNumber)
                                       .arg(problem));
        } else if (m_skipped == kMaxWarnings + 1) {
            update.warnings.append(
                QStringLiteral("'%1': more lines that are not events are skipped silently.")
                    .arg(QDir::toNativeSeparators(m_path)));
        }
    }
    return update;
}

} // namespace studio
