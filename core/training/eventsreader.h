// Reads a run's events.jsonl while another process (classifier-cli, rank 0 of a cluster run)
// is still appending to it, a few new lines at a time.
#pragma once

#include "training/trainingevents.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QVector>

namespace studio {

class EventsReader
{
public:
    // What one read found since the previous one.
    struct Update
    {
        QVector<RunEvent> events; // of the complete lines, in order
        // The file was truncated or replaced: `events` come from its start again, and what
        // earlier reads returned no longer belongs to it.
        bool restarted = false;
        QStringList warnings; // lines that were skipped, and why; a file that cannot be read
    };

    explicit EventsReader(const QString& path);

    const QString& path() const { return m_path; }

    // The events of the complete lines appended since the last call. A half-written last line
    // waits for its newline; a file that does not exist (yet) has no events; a file that was
    // truncated or replaced is read again from its start; a line that is not an event is
    // skipped with a warning. Cheap when nothing changed: one stat and a small read.
    Update readNew();

    // Bytes of complete lines read so far, and how many of those lines were skipped.
    qint64 offset() const { return m_offset; }
    int skippedLines() const { return m_skipped; }

private:
    void startOver();

    QString m_path;
    qint64 m_offset = 0;
    qint64 m_lineNumber = 0; // complete lines read, for the warnings
    int m_skipped = 0;
    QByteArray m_head;    // the file's first bytes as read: a different start means a new file
    quint64 m_fileId = 0; // device and inode where known: a new one means a replaced file
    bool m_reportedUnreadable = false;
};

} // namespace studio
